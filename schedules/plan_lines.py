"""Plan text whose layout was lost in copying, put back into lines the plan parser reads.

Pure functions, run before the parser (after ``schedules.plan_tables``):
- ``unfuse_month_numbers``: a two-column table ``月份 | 活动要点`` flattened so that each month's number runs
  into its first entry's number: ``31、庆祝三八节`` is March, entry 1; ``101、`` October; ``7组织…`` July,
  un-numbered. Read as such only when a whole run of lines decodes to months in order, where the numbers
  would otherwise jump (``3、`` then ``41、``).
- ``unmark``: markdown as AI writing tools draft plans; ``PAGE_MARK_RE``: page numbers left from a document.
- ``split_months``: several months on one line (``五月份：…。六月份：…``), up to a whole plan flattened onto
  one line, cut into one segment per month. Segments keep their line's number.
"""

from __future__ import annotations

import itertools
import re

from schedules.text_norm import chinese_number, fold

_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*[、.,](?!\d)\s*")
_GLUED_MONTH = re.compile(r"^\s*(1[0-2]|[1-9])(?![月日号年个天人次届周名项期位点时分])(?=[\u4e00-\u9fff“\"])")
_MONTH_HEADER = re.compile(r"^\s*月\s*份")
_MIN_FUSED = 3


def unfuse_month_numbers(lines: list[str]) -> list[str]:
    """Lines of a flattened month table whose month numbers ran into the entry numbers, rewritten as
    ``3月：庆祝…`` (a heading with its entry); anything else unchanged."""
    out = list(lines)
    fused: list[tuple[int, int, int]] = []  # (line index, month, where the entry starts)
    prev: int | None = None
    for i, line in enumerate(lines):
        m = _NUMBERED.match(fold(line))
        if not m:
            continue
        n = int(m.group(1))
        if n >= 11 and n % 10 == 1 and n <= 121 and n != (prev or 0) + 1:
            fused.append((i, n // 10, m.end()))
        prev = n
    if len(fused) < _MIN_FUSED or not _in_order([month for _, month, _ in fused]):
        return _unglue_months(lines)
    first, last = fused[0][0], fused[-1][0]
    for i, month, start in fused:
        out[i] = f"{month}月：{lines[i][start:].strip()}"
    # '7组织教师暑期旅游…': a month with one un-numbered entry, its number glued to the text.
    months = {i: month for i, month, _ in fused}
    before = 0
    for i in range(first, min(len(lines), last + 40)):
        if i in months:
            before = months[i]
            continue
        g = _GLUED_MONTH.match(fold(lines[i]))
        if g and int(g.group(1)) != before and _in_order([before, int(g.group(1))]) and (
                i > last or int(g.group(1)) < _next_month(months, i)):
            out[i] = f"{g.group(1)}月：{lines[i][g.end():].strip()}"
            before = int(g.group(1))
    return out


def _unglue_months(lines: list[str]) -> list[str]:
    """'月份 活动内容' then '3三八节女教工活动' / '4春季运动会' …: each month's only entry glued to its number,
    read so only under a 月份 header and when three or more such lines follow in month order."""
    out = list(lines)
    for i, line in enumerate(lines):
        if not _MONTH_HEADER.match(fold(line)):
            continue
        run: list[tuple[int, re.Match[str]]] = []
        for j in range(i + 1, len(lines)):
            if not lines[j].strip():
                continue
            if not (g := _GLUED_MONTH.match(fold(lines[j]))):
                break
            run.append((j, g))
        months = [int(g.group(1)) for _, g in run]
        if len(run) >= _MIN_FUSED and _in_order(months):
            for j, g in run:
                out[j] = f"{g.group(1)}月：{lines[j][g.end():].strip()}"
    return out


def _next_month(months: dict[int, int], i: int) -> int:
    later = [m for j, m in sorted(months.items()) if j > i]
    return later[0] if later and later[0] > 1 else 13


def _in_order(months: list[int]) -> bool:
    """Months rising, wrapping round the new year at most once (an autumn term: 9 … 12, 1)."""
    wraps = sum(1 for a, b in itertools.pairwise(months) if b <= a)
    return wraps == 0 or (wraps == 1 and all(b > a or (a >= 9 and b <= 3)
                                             for a, b in itertools.pairwise(months)))


_CN_MONTH = r"(?:十[一二]|[一二三四五六七八九十元正])"
_MONTH = rf"(?:{_CN_MONTH}|(?<![\d.])(?:1[0-2]|0?[1-9])(?!\d))"
# '五月份：', '1-2月：', '七、八月：', '寒假：' — a month key with its colon, where a segment starts.
_KEY = re.compile(rf"(?:{_MONTH}(?:\s*(?:[、,]|至|到|-+)\s*{_MONTH})*\s*月\s*份?|寒\s*假|暑\s*假)\s*[:：]")
# '三月份 植树活动 四月份 春游 五月份 体检': without colons, three or more '…月份' keys followed by a space.
_LOOSE_KEY = re.compile(rf"(?:{_MONTH}(?:\s*(?:[、,]|至|到|-+)\s*{_MONTH})*\s*月\s*份|寒\s*假|暑\s*假)(?=\s+\S)")
_NOT_BEFORE = re.compile(r"[\d年第一二三四五六七八九十、,至到\-]$")
# '西山小学工会 2027年1月' at the end of a flattened plan: who signed it and when.
_SIGNATURE = re.compile(
    r"\s+(\S{2,24}(?:工会|委员会|学校|小学|中学|幼儿园|学院|大学))\s*((?:\d{4}|[xX×]{2,4})\s*年(?:\s*\d{1,2}\s*月"
    r"(?:\s*\d{1,2}\s*[日号])?)?)\s*$"
)
# '四、保障措施' inside a flattened plan: the next section begins; the months before it end there.
_SECTION = re.compile(r"(?<=[。；;\s])[一二三四五六七八九十]{1,2}\s*、(?!\s*[一二三四五六七八九十\d]{1,2}\s*月)")


def split_months(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, text) segments: a line with two or more month keys in order is cut before each key
    (and before a section number or a signature after them); other lines are one segment each."""
    out: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        norm = fold(line)
        keys = [m for m in _KEY.finditer(norm) if not _NOT_BEFORE.search(norm[:m.start()].rstrip())]
        if len(keys) < 2:
            keys = [m for m in _LOOSE_KEY.finditer(norm) if not _NOT_BEFORE.search(norm[:m.start()].rstrip())]
            keys = keys if len(keys) >= 3 else []
        months = [_first_month(m.group()) for m in keys]
        if len(keys) < 2 or not _in_order(months):
            out.append((i, line))
            continue
        cuts = [0, *(m.start() for m in keys)]
        tail = norm[keys[-1].end():]
        cuts += [keys[-1].end() + s.start() for s in _SECTION.finditer(tail)]
        if sig := _SIGNATURE.search(norm, keys[-1].end()):
            cuts += [sig.start(1), sig.start(2)]
        cuts = sorted(set(cuts))
        for a, b in zip(cuts, [*cuts[1:], len(line)], strict=True):
            if line[a:b].strip():
                out.append((i, line[a:b]))
    return out


def _first_month(key: str) -> int:
    m = re.match(_MONTH, key.strip())
    if not m:
        return 1 if key.strip().startswith("寒") else 7
    return chinese_number(m.group()) or 0


# '篮球赛竞赛规程：', '比赛规则：': what follows are the rules of the activity above, not activities.
_RULES_INTRO = re.compile(
    r"^[^，,。；;:：]{0,14}(?:规程|规则|细则|须知|章程|实施办法|竞赛办法|比赛办法|评分标准|评比标准|评分办法)\s*[:：]")
# '比赛时间：4月中旬', '参赛对象：…', '具体分组:…': a detail of the entry above.
_DETAIL = re.compile(
    r"^[^，,。；;:：\s]{0,4}?(?:时间|地点|对象|人员|单位|分组|组别|赛制|办法|方法|规则|要求|项目|"
    r"奖励|奖项|名次|录取|计分|负责人?|承办|协办|费用|队伍)\s*[:：]")
_ENTRY_NO = re.compile(r"^(?:([(（])\s*(\d{1,2})\s*[)）]|(\d{1,2})\s*([、.,)]))(?!\d)")


def details(lines: list[str], bounds: list[bool], carries: list[bool] | None = None) -> set[int]:
    """Indices of lines that give the rules or the details of the entry above them ('比赛规程：' and its
    '1. 参赛单位：…' lines, '比赛时间：…'), not entries. ``bounds`` marks headings and breaks, where an entry's
    details end; ``carries`` the headings that carry an entry themselves ('四月份：教职工篮球赛'). The rules end
    where the entries' own numbering goes on ('2、' after '1、' and its rules)."""
    out: set[int] = set()
    outer: tuple[str, int] | None = None
    in_rules = False
    for i, line in enumerate(lines):
        s = fold(line).strip()
        if not s:
            continue
        if bounds[i]:
            outer, in_rules = (("", 0) if carries and carries[i] else None), False
            continue
        m = _ENTRY_NO.match(s)
        entry = (m.group(1) or m.group(4), int(m.group(2) or m.group(3))) if m else None
        if entry and outer and entry == (outer[0], outer[1] + 1):
            in_rules = False
        elif in_rules:
            out.add(i)
            continue
        body = s[m.end():].strip() if m else s
        if outer is not None and _RULES_INTRO.match(body) and len(body) <= 24:
            out.add(i)
            in_rules = True
        elif outer is not None and _DETAIL.match(body) and (entry is None or entry[0] != outer[0]):
            out.add(i)
        elif entry:
            outer = entry
    return out


# What an activity's name ends with: '健步走比赛', '新教师入会仪式', '教职工体检', '工会小组长培训'.
_ACTIVITY_END = re.compile(
    r"(?:赛|会|活动|仪式|典礼|插花|培训|体检|慰问|走访|表彰|讲座|联欢|汇演|演出|晚会|游|健步走|登山|采风|座谈|征集|"
    r"评选|评比|总结|检查|审计|考核|学习|观影|疗休养|疗养|拔河|长跑|跑|展|展览|沙龙|送温暖|献血|植树|包粽子|"
    r"猜灯谜|游园|茶话会|签到|选举|换届|报名)$")
_PHRASE_MAX = 14


def split_activities(text: str) -> list[str]:
    """'三八节女教师插花 健步走比赛' -> two activities; '春季趣味运动会 每个年级组一支队伍' (an activity and
    its details) and '庆“十一”举办乒乓球比赛 分组进行' stay one. A text splits at its spaces only when every
    part is a short activity name."""
    parts = text.split()
    if len(parts) < 2 or any(len(p) > _PHRASE_MAX or len(p) < 2 or not _ACTIVITY_END.search(fold(p))
                             or re.search(r"[:：,，、]", p) for p in parts):
        return [text]
    return parts


# Plans drafted with an AI writing tool arrive in markdown: '### 3月', '- **三八节**：…'.
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_EMPHASIS_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")  # not __: "20__年" is a blank to fill in


# '- 2 -', '第 2 页 共 3 页', '2/3': page numbers left in text copied from a document.
PAGE_MARK_RE = re.compile(
    r"^\s*(?:-+\s*\d{1,3}\s*-+|第\s*\d{1,3}\s*页(?:\s*[,，]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)


def unmark(line: str) -> str:
    """A markdown line as plain text: heading marks and bold markers go, the words stay."""
    return _MD_EMPHASIS_RE.sub(r"\1", _MD_HEADING_RE.sub("", line))

"""Reading the lines of a plan: the regular expressions it is made of, month and week headings,
numbering, document breaks, and each line's classification (``_Line``).

Split from ``schedules.plan_parser``, which builds the arrangement from these lines.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from schedules.text_norm import chinese_number, fold

# --- building blocks --------------------------------------------------------

_CN_MONTH = r"(?:十[一二]|[一二三四五六七八九十元正])"
_AR_MONTH = r"(?:1[0-2]|0?[1-9])"
_MONTH = rf"(?:{_CN_MONTH}|(?<!\d){_AR_MONTH}(?!\d))"
_SEP_LIST = r"(?:[、,/和及与]|\s)"
_SEP_RANGE = r"(?:至|到|-+)"
# '七、八月份', '七至八月', '七月-----八月份', '3-11月份', '一二月份'
_MONTHS = (
    rf"(?P<months>{_MONTH}(?:\s*(?:月份?)?\s*(?:{_SEP_LIST}|{_SEP_RANGE})?\s*{_MONTH})*)"
    r"\s*月(?:\s{0,2}份)?"  # '三 月 份': spaced out for layout
)
_VACATION = r"(?P<vacation>寒\s*假|暑\s*假|暑期)"
_YEAR = r"(?:(?:\d{2,4}|[0-9xX×]{2,4}|[零〇一二三四五六七八九0-9xX×]{4})\s*年度?\s*|次年|明年|下一?年)?"
_PERIOD_SUFFIX = r"(?:上旬|中旬|下旬|初|中|底|末|期间)?"

_MONTH_HEAD_RE = re.compile(rf"^{_YEAR}(?:{_MONTHS}|{_VACATION}){_PERIOD_SUFFIX}(?P<rest>.*)$")

_CN_NUM = r"[一二三四五六七八九十]+"
_WEEK_NUM = rf"(?:\d{{1,2}}|{_CN_NUM})"
_WEEK_HEAD_RE = re.compile(
    rf"^(?:开学)?(?:第\s*)?(?P<weeks>{_WEEK_NUM}(?:\s*周?\s*(?:[、,和及与]|至|到|-+)\s*(?:第\s*)?{_WEEK_NUM})*)\s*周(?P<rest>.*)$"
)

# Numbering at the start of an entry: '1、', '1.', '1)', '(1)', '（1）', '①', '一、' is a
# section number and handled separately.
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_NUMBERING_RE = re.compile(
    rf"^(?:\(\s*(?P<p>\d{{1,2}})\s*\)|(?P<n>\d{{1,2}})\s*(?:、(?=\s*\d{{2,4}}\s*[年xX×])|[、,.:](?!\d)|\)(?!\d))"
    rf"|(?P<c>[{_CIRCLED}]))\s*"
)
_LOST_NUMBER_RE = re.compile(r"^[、.]\s*(?=\S)")  # '、开展…' : the number was lost in copying
_BULLETS = "•·●◆◇■□▪►★☆◎○❖✦✧→▲△"
# '——召开教代会': a long dash used as a bullet needs no space after it.
_BULLET_RE = re.compile(rf"^(?:[-*>{_BULLETS}]+\s+|[{_BULLETS}]\s*|-{{2,}}\s*)")
_BRACKET_KEY_RE = re.compile(r"^[【\[〔〖]([^】\]〕〗]{1,16})[】\]〕〗]")
_PAREN_KEY_RE = re.compile(r"^[(（]([^)）]{1,12})[)）]")
_CN_PAREN_NUMBER_RE = re.compile(r"^\(\s*([一二三四五六七八九十]+)\s*\)\s*")
_CN_SECTION_NUMBER_RE = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.]\s*")
_QUARTER_HEAD_RE = re.compile(r"^第?\s*(?P<q>[一二三四1-4])\s*季度(?P<rest>.*)$")
# '第一阶段（2—3月）', '春季（3—5月）': a stage or season is a heading only by the months it gives.
_STAGE_HEAD_RE = re.compile(
    r"^(?:第?\s*[一二三四五六七八九十\d]{1,2}\s*阶段|[春夏秋冬]\s*季)\s*[(（](?P<span>[^)）]{1,16})[)）](?P<rest>.*)$"
)
_SECTION_RE = re.compile(rf"^(?:{_CN_NUM}\s*[、.]|\(\s*{_CN_NUM}\s*\)|第{_CN_NUM}(?:[部章节]分?|阶段))")
_TEASER_RE = re.compile(
    r"(相关文章|相关推荐|推荐阅读|延伸阅读|猜你喜欢|热门推荐|更多.{0,6}(文章|范文|计划)|点击|下载|上一篇|下一篇)"
)
_TITLE_RE = re.compile(
    r"(工作计划|计划表|工作要点|活动计划)(篇[一二三四五六七八九十\d]+|[(（]?\d+[)）]?)?\s*$"
    r"|篇[一二三四五六七八九十\d]+\s*$"
)
_FILE_NAME_RE = re.compile(r"\S\.(?:docx?|xlsx?|pdf|wps|et|pptx?|rar|zip)\s*$", re.IGNORECASE)
_CLOSING_RE = re.compile(r"^(以上|注[:：]|备注|说明[:：]|如有变动|另行通知|具体.{0,6}另行)")
# '秋季学期：' between two months: it names the period the next months fall in; it is no item.
_TERM_ONLY_RE = re.compile(
    r"^(?:\d{4}(?:\s*-\s*\d{2,4})?\s*学年(?:度)?\s*)?(?:[春秋夏冬]季|上|下|第[一二12])\s*学期[:：]?$"
)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[。;；])")
_TRAILING_PUNCT = "。；;，,、 \t"
_TERMINAL_PUNCT = "。；;!！?？"
_PUNCT_IN_THEME = re.compile(r"[。；;，,、:：!！?？]")
_INLINE_NUMBER_RE = re.compile(r"(?<![\d.])(\d{1,2})\s*[、.](?!\d)")
_PAREN_MONTH_RE = re.compile(rf"[(（]\s*{_MONTHS}{_PERIOD_SUFFIX}\s*[)）]\s*[。;；]?\s*$")
_TRAILING_MONTH_RE = re.compile(rf"(?<![\d月])\s*(?:[(（]\s*)?{_MONTHS}{_PERIOD_SUFFIX}(?:\s*[)）])?\s*[。;；]?\s*$")
_DESCRIPTOR_MAX = 8
_DAY_RANGE_RE = re.compile(r"\s*(?:-|至|到)")  # '4月8日—12日': a span, kept in the text as written
_WEEKDAY_RE = re.compile(r"\s*[(（]?\s*(?:周|星期|礼拜)[一二三四五六日天]\s*[)）]?")
_DAY_RE = re.compile(
    r"\s*(?:[12]\d|3[01]|0?[1-9]|[一二]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])\s*[日号]"
)
_THEME_MAX = 20
_THEME_MONTH_RE = re.compile(r"[^,，;；。]{1,10}月[”\"]?")
_CONTINUATION_MAX = 12
_NOTHING_RE = re.compile(r"^[(\[【]?\s*(?:无|略|暂无|待定|另定|待安排|空)\s*[)\]】]?$")  # a month with no activity
_MEANINGFUL_RE = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}")

# --- line classification ------------------------------------------------------


@dataclass
class _Heading:
    months: list[int]
    weeks: list[int]
    inline: str  # entry text on the heading line itself ('一月份:1、春节…')
    inline_offset: int
    theme: bool  # '2月新学期新面貌': a theme title, not an item
    # '二、三月份': read as February–March, but also as section 二 + March (lead number,
    # heading); parse_plan takes the second when a whole arrangement is numbered 一、二、三…
    section: tuple[int, _Heading] | None = None
    # '3、20xx年4月：气排球赛', '(2)拔河比赛（五月）': one numbered entry that carries its own date in a list
    # without month headings; the numbered lines after it are its siblings, and undated ones are no items.
    entry: bool = False
    day: int | None = None  # '3月5日 学雷锋志愿服务': the line's own day; its entry is dated


def _strip_bullets(s: str) -> tuple[str, int]:
    m = _BULLET_RE.match(s)
    return (s[m.end():], m.end()) if m else (s, 0)


def parse_months(expr: str) -> list[int]:
    """'七、八' -> [7, 8]; '3-11' -> [3..11]; '七月-----八' -> [7, 8]; '一二' -> [1, 2]."""
    tokens = re.findall(rf"{_MONTH}|{_SEP_RANGE}", expr)
    months: list[int] = []
    pending_range = False
    for tok in tokens:
        if re.fullmatch(_SEP_RANGE, tok):
            pending_range = True
            continue
        n = chinese_number(tok)
        if n is None or not 1 <= n <= 12:
            return []
        if pending_range and months:
            start = months[-1]
            span = range(start + 1, n + 1) if n > start else [*range(start + 1, 13), *range(1, n + 1)]
            months.extend(span)
        else:
            months.append(n)
        pending_range = False
    seen: list[int] = []
    for m in months:
        if m not in seen:
            seen.append(m)
    return seen


def parse_weeks(expr: str) -> list[int]:
    tokens = re.findall(rf"{_WEEK_NUM}|至|到|-+", expr)
    weeks: list[int] = []
    pending_range = False
    for tok in tokens:
        if tok in ("至", "到") or set(tok) == {"-"}:
            pending_range = True
            continue
        n = chinese_number(tok)
        if n is None or not 1 <= n <= 30:
            return []
        if pending_range and weeks and n > weeks[-1]:
            weeks.extend(range(weeks[-1] + 1, n + 1))
        else:
            weeks.append(n)
        pending_range = False
    return sorted(set(weeks))


def _match_heading(norm: str) -> _Heading | None:
    """A line that is a month or week heading, with whatever follows the key."""
    body, offset = _strip_bullets(norm.strip())
    offset += len(norm) - len(norm.lstrip())
    # '【三月】', '（三月份）': brackets around the key are blanked (same length, offsets stay). Round
    # brackets only around a month and nothing else: '(1)' numbers an entry, '(4月8日—12日)' names a period.
    paren = _PAREN_KEY_RE.match(body)
    key = _MONTH_HEAD_RE.match(paren.group(1).strip()) if paren else None
    bracket = paren if key and not key.group("rest").strip(" :：") else _BRACKET_KEY_RE.match(body)
    if bracket:
        body = " " + bracket.group(1) + " " + body[bracket.end():]
        lead = len(body) - len(body.lstrip())
        body, offset = body.lstrip(), offset + lead
    # '1.一、二月' / '7.九月' / '（一）三月份': a numbered heading; the number is not a month.
    num = _NUMBERING_RE.match(body) or _CN_PAREN_NUMBER_RE.match(body)
    if num and _key_match(body[num.end():]):
        after = body[num.end():]
        heading = _heading_from(after, offset + num.end())
        dated = re.match(r"\s*(?:\d{2,4}|[0-9xX×〇零一二三四五六七八九]{4})\s*年", after)
        if heading is None and dated and (key := _MONTH_HEAD_RE.match(after)) and key.group("months"):
            # '6、20xx年6月进行棋、牌类比赛': the entry's text follows its date with nothing between
            rest = key.group("rest")
            if _MEANINGFUL_RE.search(rest):
                lead = len(rest) - len(rest.lstrip(" :：,，"))
                heading = _Heading(parse_months(key.group("months")), [], rest[lead:].strip(),
                                   offset + num.end() + key.start("rest") + lead, theme=False)
        if heading and dated:
            # '1、20xx年元月迎新联欢': a year makes it a dated entry, not a heading over entries
            text_at = len(after) - len(heading.inline) if heading.inline else 0
            return dataclasses.replace(heading, theme=False, entry=True,
                                       inline_offset=heading.inline_offset or offset + num.end() + text_at)
        if heading and heading.theme:
            return None  # '2、暑期疗休养': a numbered entry that starts with a season, not a heading
        return heading
    if num and (paren := _PAREN_MONTH_RE.search(body)) and (months := parse_months(paren.group("months"))):
        text = body[num.end():paren.start()].strip()
        if _MEANINGFUL_RE.search(text):
            return _Heading(months, [], text, offset + num.end(), theme=False, entry=True)
    heading = _heading_from(body, offset)
    # '一、三月份': a section number, then the month. '一、二月' stays January and February
    # unless its whole arrangement is numbered 一、二、三… (decided in parse_plan).
    section = _CN_SECTION_NUMBER_RE.match(body)
    if section and _key_match(body[section.end():]):
        plain = _heading_from(body[section.end():], offset + section.end())
        lead_no = chinese_number(section.group(1))
        if plain is not None and body[section.end():].lstrip()[:1].isdecimal():
            return plain  # '二、3—4月': no plan writes February with 二 and March with 3
        if plain is not None and lead_no is not None:
            if heading is None or not heading.months or plain.months[:1] != [lead_no + 1]:
                return plain  # the month does not follow the number: the number is a section's
            heading.section = (lead_no, plain)
    return heading


def _key_match(body: str) -> bool:
    return bool(_MONTH_HEAD_RE.match(body) or _WEEK_HEAD_RE.match(body) or _QUARTER_HEAD_RE.match(body)
                or _STAGE_HEAD_RE.match(body))


def _heading_from(body: str, offset: int) -> _Heading | None:
    kinds = ((_MONTH_HEAD_RE, "months"), (_WEEK_HEAD_RE, "weeks"), (_QUARTER_HEAD_RE, "quarter"),
             (_STAGE_HEAD_RE, "stage"))
    for regex, kind in kinds:
        m = regex.match(body)
        if not m:
            continue
        weeks: list[int] = []
        months: list[int] = []
        if kind == "months":
            if m.group("vacation"):
                months = [1, 2] if m.group("vacation").startswith("寒") else [7, 8]
            else:
                months = parse_months(m.group("months"))
        elif kind == "stage":
            span = _MONTH_HEAD_RE.match(m.group("span").strip())
            months = parse_months(span.group("months")) if span and span.group("months") else []
        elif kind == "quarter":
            q = chinese_number(m.group("q")) or 0
            months = [3 * q - 2, 3 * q - 1, 3 * q] if 1 <= q <= 4 else []
        else:
            weeks = parse_weeks(m.group("weeks"))
        if not months and not weeks:
            continue
        rest = m.group("rest")
        rest_offset = offset + m.start("rest")
        day = _DAY_RE.match(rest) if kind == "months" else None
        if day and _MEANINGFUL_RE.search(rest[day.end():]):
            if len(months) > 1 or _DAY_RANGE_RE.match(rest[day.end():]):
                # '4月8日—12日 运动周': a span of days stays in the entry's text, as written.
                return _Heading(months, [], body[m.start():].strip(), offset + m.start(), theme=False)
            # '3月5日（周五） 学雷锋志愿服务': a dated entry (a 行事历 line). The date is a key like the
            # month: it leaves the text and is kept as the item's day.
            after = day.end() + (w.end() if (w := _WEEKDAY_RE.match(rest[day.end():])) else 0)
            lead = len(rest[after:]) - len(rest[after:].lstrip(" :：\t-"))
            n = chinese_number(re.sub(r"\s", "", day.group())[:-1])
            return _Heading(months, [], rest[after:].strip(" :：\t-"), rest_offset + after + lead, theme=False, day=n)
        heading = _classify_rest(rest, rest_offset, months, weeks)
        if heading:
            return heading
    return None


def _classify_rest(rest: str, rest_offset: int, months: list[int], weeks: list[int]) -> _Heading | None:
    stripped = rest.strip()
    if not stripped or re.fullmatch(r"[:：\-—=_.。]*", stripped):
        return _Heading(months, weeks, "", 0, theme=False)
    # '三月份工作安排：…' : a short descriptor, then a colon, then entries.
    colon = re.search(r"[:：]", rest)
    # ('六月份 游艺活动 时间: 六月末': a space before the words says they are the entry, not a descriptor)
    if colon and len(rest[: colon.start()].strip()) <= _DESCRIPTOR_MAX and not _PUNCT_IN_THEME.search(
        rest[: colon.start()]
    ) and not re.search(r"\S\s+\S", rest[: colon.start()]):
        inline = rest[colon.end():]
        lead = len(inline) - len(inline.lstrip())
        # '三月：“学雷锋”活动月': the month's theme, an item only if no numbered entry follows (_resolve_themes).
        theme = bool(_THEME_MONTH_RE.fullmatch(inline.strip()))
        return _Heading(months, weeks, inline.strip(), rest_offset + colon.end() + lead, theme=theme)
    if re.fullmatch(r"[(（][\d\s月日号至到\-、,]+[)）]", stripped):
        return _Heading(months, weeks, "", 0, theme=False)  # '第一季度（1—3月）': the key said again
    if re.fullmatch(r"[(（][^)）]{0,16}[)）]", stripped):
        return _Heading(months, weeks, "", 0, theme=True)
    if rest[:1].isspace():
        # '九月份 开学典礼': a space stands for the colon.
        lead = len(rest) - len(rest.lstrip())
        return _Heading(months, weeks, stripped, rest_offset + lead, theme=False)
    if len(stripped) <= _THEME_MAX and not _PUNCT_IN_THEME.search(stripped):
        # '2月新学期新面貌': a theme, unless no numbered entries follow (decided by the caller).
        return _Heading(months, weeks, stripped, rest_offset, theme=True)
    return None  # '3月份组织…门球赛，…': a month mentioned in passing in prose


def _numbering(norm: str) -> tuple[int | None, int]:
    """The entry number at the start (None if un-numbered) and where the text starts."""
    body, offset = _strip_bullets(norm)
    m = _NUMBERING_RE.match(body)
    if m:
        raw = m.group("p") or m.group("n")
        n = int(raw) if raw else _CIRCLED.index(m.group("c")) + 1
        return n, offset + m.end()
    m = _LOST_NUMBER_RE.match(body)
    if m:
        return 0, offset + m.end()
    return None, offset


def _is_break(norm: str) -> bool:
    """A line that ends an arrangement: next section, next plan's title, web teaser."""
    s = norm.strip()
    if _TEASER_RE.search(s) and len(s) <= 40:
        return True
    if _TITLE_RE.search(s) and len(s) <= 40 and not _PUNCT_IN_THEME.search(s):
        return True
    if _FILE_NAME_RE.search(s):
        return True  # '…工作计划(表).doc': the name of the attachment the page offered
    return bool(_SECTION_RE.match(s))


# --- item building ------------------------------------------------------------


# --- the arrangement ----------------------------------------------------------


@dataclass
class _Line:
    no: int
    raw: str
    norm: str
    heading: _Heading | None
    number: int | None
    text_start: int
    brk: bool
    skip: bool = False  # the rules or details of the entry above ('比赛规程：', '比赛时间：…'): no item


# 'XX学校工会' over '2027年1月' at the foot of a plan: who signed it and when, not an item of the last month.
_SIGNER_RE = re.compile(r"^\S.{0,28}(?:工会|工会委员会|委员会|学校|小学|中学|幼儿园|学院|大学)$")
_DATE_ONLY_RE = re.compile(
    r"^(?:\d{4}|[〇零一二三四五六七八九xX]{4})\s*年(?:\s*\S{1,2}\s*月(?:\s*\S{1,3}\s*[日号])?)?$"
)


def _mark_signature(lines: list[_Line]) -> None:
    """An un-numbered signer's line ends the arrangement when a bare date follows it and then nothing, or
    a break (a web teaser). '2027年4月' followed by entries is a heading, and the line above it an entry."""
    filled = [ln for ln in lines if ln.norm.strip()]
    for i, ln in enumerate(filled[:-1]):
        if ln.heading is not None or ln.number is not None or not _SIGNER_RE.match(ln.norm.strip()):
            continue
        after = filled[i + 2] if i + 2 < len(filled) else None
        if _DATE_ONLY_RE.match(filled[i + 1].norm.strip()) and (after is None or after.brk):
            ln.brk = True


def _classify_lines(lines: list[tuple[int, str]], first_line_no: int) -> list[_Line]:
    out = []
    for i, raw in lines:
        norm = fold(raw)
        heading = _match_heading(norm) if norm.strip() else None
        number, start = _numbering(norm.strip()) if norm.strip() else (None, 0)
        lead = len(norm) - len(norm.lstrip())
        out.append(_Line(
            no=first_line_no + i, raw=raw, norm=norm, heading=heading, number=number,
            text_start=start + lead, brk=bool(norm.strip()) and heading is None and _is_break(norm),
        ))
    _mark_signature(out)
    return out


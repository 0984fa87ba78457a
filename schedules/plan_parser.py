"""Extract the time-keyed activity arrangement from a union work plan's text.

Pure functions only: text in, items out. The rules (what counts as an item,
how texts are cleaned) follow ``shared/seeds/gold/README.md``; the importer is
measured against that gold by ``bench/plan_import_eval.py``.

How it works, in short:
1. Each line is classified: month heading (``三月份：``, ``七、八月``, ``1.一、二月``,
   ``2月新学期新面貌``), week heading (``第2-3周``), numbered entry, a
   numbered entry that ends in its own month (``…活动3—4月份``), a document
   break (section heading, next plan's title, web teaser), or plain text.
2. Headings close to each other form an arrangement; a month mentioned in
   passing in prose never becomes a heading because a heading line must be
   (almost) nothing but the month.
3. Under each heading, numbered entries become items (several per line when
   numbered inline), un-numbered prose is split into sentences on 。；; only.
Schedule tables (``| 3月 | … |``, tab-separated rows) are first rewritten as
``3月：…`` lines by ``schedules.plan_tables``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from schedules.categories import classify_with_margin, rule_category
from schedules.category_model import NaiveBayes
from schedules.plan_lines import PAGE_MARK_RE, details, split_activities, split_months, unfuse_month_numbers, unmark
from schedules.plan_meta import detect_period, detect_year
from schedules.plan_tables import untable
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
NEXT_YEAR = "next_year"
# What the importer guessed about an item's months (the preview asks the chair to check these).
GUESSED_SECTION = "guessed_section"  # '二、三月份' read as February–March, though 二 may number a section
GUESSED_TRAILING = "guessed_trailing"  # the month taken from the end of the entry ('…慰问困难职工1月份')
SPLIT_CELL = "split_cell"  # one of several activities a table cell held, split at a space
MODEL_OVERRULED = "model_overruled"  # the category model chose another category than the keyword rules
_THEME_MAX = 20
_THEME_MONTH_RE = re.compile(r"[^,，;；。]{1,10}月[”\"]?")
_CONTINUATION_MAX = 12
_NOTHING_RE = re.compile(r"^[(\[【]?\s*(?:无|略|暂无|待定|另定|待安排|空)\s*[)\]】]?$")  # a month with no activity
_MEANINGFUL_RE = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}")


@dataclass
class PlanItem:
    months: list[int]
    weeks: list[int]
    text: str
    line: int  # 1-based line number in the given text
    category: str = "other"
    holiday: str | None = None
    notes: list[str] = field(default_factory=list)  # what the importer was unsure of
    day: int | None = None  # '3月5日 学雷锋…': the day of the month, taken out of the text
    margin: float = 0.0  # the category's lead over the next (schedules.categories.classify_with_margin)


@dataclass
class ParsedPlan:
    items: list[PlanItem]
    period: str  # 'year' | 'semester' | 'unknown'
    year: int | None  # the year the title names, if any


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


def clean_text(text: str) -> str:
    text = text.strip()
    text = text.rstrip(_TRAILING_PUNCT)
    return text.strip()


def split_inline_numbered(text: str) -> list[str]:
    """'1、春节送温暖活动2、完成…' -> ['春节送温暖活动', '完成…'] (numbers must run 1, 2, 3…)."""
    n, start = _numbering(fold(text))
    if n is None or n == 0:
        return [text]
    if text.lstrip()[:1] in _CIRCLED:
        # '①三八节慰问②植树活动': every circled number starts an entry.
        return [p for p in re.split(f"[{_CIRCLED}]", text.lstrip())[1:] if p.strip()]
    pieces = []
    expected = n + 1
    pos = start
    norm = fold(text)
    cut = start
    while True:
        found = None
        for m in _INLINE_NUMBER_RE.finditer(norm, pos):
            if int(m.group(1)) == expected:
                found = m
                break
        if not found:
            break
        pieces.append(text[cut: found.start()])
        cut = found.end()
        pos = found.end()
        expected += 1
    pieces.append(text[cut:])
    return pieces


def split_sentences(text: str) -> list[str]:
    return [s for s in _sentences(text) if clean_text(s)]


_BRACKET_ONLY_RE = re.compile(r"^\s*[(（][^()（）]{1,24}[)）]\s*[。;；]?\s*$")


def _sentences(text: str) -> list[str]:
    """Split on 。；; — but '(11月5日—20日)' after '…单项赛。' is that sentence's date, not a sentence."""
    out: list[str] = []
    for piece in _SENTENCE_SPLIT_RE.split(text):
        if out and _BRACKET_ONLY_RE.match(fold(piece)):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _entry_months(text: str) -> tuple[str, list[int]]:
    """An entry that carries its own month: '羽毛球比赛（四月）' -> ('羽毛球比赛', [4])."""
    norm = fold(text)
    m = _PAREN_MONTH_RE.search(norm)
    if m:
        months = parse_months(m.group("months"))
        if months:
            return text[: m.start()], months
    return text, []


def _trailing_months(text: str) -> tuple[str, list[int]]:
    """'慰问困难职工1月份' -> ('慰问困难职工', [1]); used in lists keyed by a trailing month."""
    norm = fold(text)
    m = _TRAILING_MONTH_RE.search(norm)
    if m:
        months = parse_months(m.group("months"))
        if months:
            return text[: m.start()], months
    return text, []


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


def _sections_as_entries(lines: list[_Line]) -> None:
    """'九月份' then '二、举办教职工运动会' (with '1、…' under it), or '（一）三八节慰问': a Chinese-numbered line
    right under a month heading, or continuing a run of the same numbering begun there, is an entry of that
    month, not the next section of the plan. Any other Chinese-numbered line still ends the arrangement."""
    first_after_heading = False
    run: tuple[str, int] | None = None  # the numbering style and last number used as entries under the heading
    # '三、全年工作安排' over the months: its '四、' is the plan's next section wherever it comes.
    arrangement: tuple[str, int] | None = None
    seen_heading = False
    for ln in lines:
        s = ln.norm.strip()
        if not s:
            continue
        if ln.heading is not None:
            # A heading with its entries on its own line ('12月：总结；决算') has nothing right under it.
            first_after_heading, run, seen_heading = not ln.heading.inline, None, True
            continue
        section, style = None, ""
        if ln.brk and (section := _CN_SECTION_NUMBER_RE.match(s)):
            style = "、"
        elif ln.brk and (section := _CN_PAREN_NUMBER_RE.match(s)):
            style = "()"
        n = chinese_number(section.group(1)) if section else None
        if section and n is not None and not seen_heading:
            arrangement = (style, n)
        if arrangement is not None and (style, n) == (arrangement[0], arrangement[1] + 1):
            first_after_heading = False
            continue
        if section and n is not None and (first_after_heading or run == (style, n - 1)):
            ln.brk, ln.number, run = False, 0, (style, n)  # number 0: the text starts after the number
            ln.text_start = len(ln.norm) - len(ln.norm.lstrip()) + section.end()
        first_after_heading = False


def _entries_under_headings(lines: list[_Line]) -> None:
    """A dated entry ('1、羽毛球比赛（十月）') under a real month heading is an ordinary entry of that
    heading's block (it keeps its own month); it heads nothing only in a list without month headings."""
    under = False
    for ln in lines:
        if ln.brk:
            under = False
        elif ln.heading is not None and ln.heading.entry:
            if under:
                ln.heading = None
        elif ln.heading is not None:
            under = True


def _resolve_themes(lines: list[_Line]) -> None:
    """A theme heading keeps its text as an item when no numbered entry follows it."""
    for i, ln in enumerate(lines):
        if not (ln.heading and ln.heading.theme and ln.heading.inline):
            continue
        nxt = next((x for x in lines[i + 1:] if x.norm.strip()), None)
        if nxt is None or (nxt.number is None and nxt.heading is None):
            ln.heading.theme = False


def _heading_runs(lines: list[_Line]) -> list[list[int]]:
    """Indices of headings grouped into arrangements (headings near each other)."""
    idx = [i for i, ln in enumerate(lines) if ln.heading]
    runs: list[list[int]] = []
    for i in idx:
        if runs:
            prev = runs[-1][-1]
            between = lines[prev + 1: i]
            content = [x for x in between if x.norm.strip()]
            if len(content) <= 25 and not any(x.brk for x in content):
                runs[-1].append(i)
                continue
        runs.append([i])
    kept = []
    for run in runs:
        if len(run) >= 2 or _lone_heading_counts(lines, run[0]):
            kept.append(run)
    return kept


def _lone_heading_counts(lines: list[_Line], i: int) -> bool:
    """A lone heading counts only in a short text (a pasted chat message)."""
    heading = lines[i].heading
    short = sum(1 for x in lines if x.norm.strip()) <= 12
    return heading is not None and short and bool(heading.inline or _has_entries_after(lines, i))


def _has_entries_after(lines: list[_Line], i: int) -> bool:
    nxt = next((x for x in lines[i + 1:] if x.norm.strip()), None)
    return nxt is not None and nxt.heading is None and not nxt.brk


def _items_from_text(text: str, months: list[int], weeks: list[int], line_no: int, numbered: bool) -> list[PlanItem]:
    items = []
    pieces = split_inline_numbered(text) if numbered else [text]
    if len(pieces) == 1 and not numbered:
        pieces = split_sentences(text)
    for piece in pieces:
        body, own_months = _entry_months(piece)
        body = clean_text(body)
        if not _MEANINGFUL_RE.search(body) or _NOTHING_RE.match(fold(body)):
            continue  # '6.' left over from a heading number glued to the line before; '一月份：无'
        # '教职工体检 工会小组长培训': two activities in one cell, split by a space only.
        names = [body] if numbered else split_activities(body)
        for name in names:
            items.append(PlanItem(months=own_months or list(months), weeks=list(weeks), text=name, line=line_no,
                                  notes=[SPLIT_CELL] if len(names) > 1 else []))
    return items


def _block_items(lines: list[_Line], start: int, end: int, heading: _Heading, head_line: _Line) -> list[PlanItem]:
    """Items of one heading: its inline text, then lines start+1 .. end-1."""
    months, weeks = heading.months, heading.weeks
    items: list[PlanItem] = []
    if heading.entry:
        return _items_from_text(heading.inline, months, weeks, head_line.no, numbered=False)[:1]
    body = _block_lines(lines, start, end)
    inline = ""
    if heading.inline and not heading.theme:
        # The heading was found in the folded line; the entry keeps the text as written (，not ,).
        inline = head_line.raw[heading.inline_offset:].strip() or heading.inline
    inline_numbered = bool(inline) and _numbering(fold(inline))[0] is not None
    # Prose hard-wrapped mid-sentence ('…庆祝三八妇女节' / '活动，评选…。'): where the block's prose ends its
    # sentences with 。 or ；, a line without one runs on into the next. A list without such endings does not.
    prose = [inline] if inline and not inline_numbered else []
    prose += [ln.norm.strip() for ln in body if ln.number is None]
    wrapped = any(_ends_sentence(p) for p in prose)
    pending: list[tuple[str, int]] = []  # the start of a sentence still running on

    def add_prose(text: str, line_no: int) -> None:
        pending.append((text, line_no))
        end = fold(text).rstrip()
        # '召开教代会,联欢会,…,' : a line ending in a comma runs on, whatever the rest of the block does.
        if (not wrapped and not end.endswith((",", "、"))) or _ends_sentence(end):
            flush()

    def flush() -> None:
        if not pending:
            return
        # Each sentence keeps the line it starts on.
        starts, at = [], 0
        for text, line_no in pending:
            starts.append((at, line_no))
            at += len(text)
        at = 0
        for sentence in _sentences("".join(t for t, _ in pending)):
            line_no = next(no for offset, no in reversed(starts) if offset <= at)
            if clean_text(sentence):
                items.extend(_items_from_text(sentence, months, weeks, line_no, numbered=False))
            at += len(sentence)
        pending.clear()

    if inline and inline_numbered:
        items.extend(_items_from_text(inline, months, weeks, head_line.no, numbered=True))
    elif inline:
        add_prose(inline, head_line.no)
    last_numbered_item: PlanItem | None = None
    prev_norm = ""
    for ln in body:
        s = ln.norm.strip()
        if ln.number is not None:
            flush()
            # Number 0 is a lost number ('、开展…'); others may hold inline entries.
            text = ln.raw[ln.text_start:] if ln.number == 0 else ln.raw.strip()
            new = _items_from_text(text, months, weeks, ln.no, numbered=True)
            items.extend(new)
            last_numbered_item = new[-1] if new else None
        elif (
            last_numbered_item is not None
            and len(s) <= _CONTINUATION_MAX
            and not prev_norm.endswith(tuple(_TERMINAL_PUNCT))
        ):
            # A wrapped line of the entry above ('3、工会' / '工作总结'), as written.
            last_numbered_item.text = clean_text(last_numbered_item.text + ln.raw.strip())
        else:
            # From text_start: a bullet ('★三八节慰问') is not part of the entry.
            add_prose(ln.raw[ln.text_start:].strip(), ln.no)
            last_numbered_item = None
        prev_norm = s
    flush()
    for item in items:
        if item.line == head_line.no:
            item.day = heading.day
    return items


def _ends_sentence(text: str) -> bool:
    """。；; end a sentence; so does a full stop typed as '.' after a word ('…工作(已做).'), not '2.'."""
    return text.endswith(tuple(_TERMINAL_PUNCT)) or bool(re.search(r"[^\d\s.]\.$", text))


def _block_lines(lines: list[_Line], start: int, end: int) -> list[_Line]:
    """The non-empty lines under a heading, up to a break or a closing note, without term names."""
    out = []
    for ln in lines[start + 1: end]:
        s = ln.norm.strip()
        if not s or _TERM_ONLY_RE.match(s):
            continue
        if ln.brk or _CLOSING_RE.match(s):
            break
        if not ln.skip:
            out.append(ln)
    return out


def _trailing_month_items(lines: list[_Line], taken: set[int]) -> list[PlanItem]:
    """Lists keyed by a month at the end of each entry ('…慰问困难职工1月份')."""
    items: list[PlanItem] = []
    run: list[tuple[_Line, str, list[int]]] = []

    def flush() -> None:
        with_month = [r for r in run if r[2]]
        if len(with_month) >= 3 and len(with_month) * 2 >= len(run):
            for ln, text, months in with_month:
                body = clean_text(text)
                if body:
                    items.append(PlanItem(months=months, weeks=[], text=body, line=ln.no))
        run.clear()

    for i, ln in enumerate(lines):
        if i in taken or not ln.norm.strip():
            continue
        if ln.number is not None and ln.number > 0 and not ln.heading:
            text, months = _trailing_months(ln.raw[ln.text_start:])
            run.append((ln, text, months))
        else:
            flush()
    flush()
    return items


def parse_plan(text: str, first_line_no: int = 1, model: NaiveBayes | None = None) -> ParsedPlan:
    """Extract the schedule items of one plan (or of a pasted fragment). ``model``: the category model to
    use instead of the shipped one (the benches score a file with a model that was not trained on it)."""
    # A table row becomes '3月：…', on its own line; a page number is no text. Line numbers stay the text's.
    rows: set[int] = set()
    raw_lines = untable(["" if PAGE_MARK_RE.match(fold(line)) else unmark(line) for line in text.splitlines()], rows)
    lines = _classify_lines(split_months(unfuse_month_numbers(raw_lines)), first_line_no)
    _end_tables(lines, {first_line_no + i for i in rows})
    for i in details([ln.raw for ln in lines], [ln.heading is not None or ln.brk for ln in lines],
                     [bool(ln.heading and ln.heading.inline and not ln.heading.theme) for ln in lines]):
        lines[i].skip = True
    _sections_as_entries(lines)
    _entries_under_headings(lines)
    _resolve_themes(lines)
    items: list[PlanItem] = []
    taken: set[int] = set()
    for run in _heading_runs(lines):
        _numbered_sections(lines, run)
        for k, hi in enumerate(run):
            end = run[k + 1] if k + 1 < len(run) else _block_end(lines, hi)
            heading = lines[hi].heading
            assert heading is not None
            block = _block_items(lines, hi, end, heading, lines[hi])
            if heading.section is not None:
                for item in block:
                    item.notes.append(GUESSED_SECTION)
            items.extend(block)
            taken.update(range(hi, end))
    trailing = _trailing_month_items(lines, taken)
    for item in trailing:
        item.notes.append(GUESSED_TRAILING)
    items.extend(trailing)
    items.sort(key=lambda it: it.line)
    for item in items:
        item.category, item.holiday, item.margin = classify_with_margin(item.text, model, item.months)
        if item.holiday is None and item.category != "holiday" and item.category != rule_category(item.text):
            item.notes.append(MODEL_OVERRULED)
    _order_years(items)
    return ParsedPlan(
        items=items,
        period=detect_period(text),
        year=detect_year(text),
    )


def _end_tables(lines: list[_Line], rows: set[int]) -> None:
    """Prose right after a table ('请各部门按时组织…') is no part of its last row: it ends the arrangement."""
    after_row = False
    for ln in lines:
        if ln.no in rows:
            after_row = after_row or bool(ln.norm.strip())
        elif ln.norm.strip():
            if after_row and ln.heading is None and ln.number is None:
                ln.brk = True
            after_row = False


def _numbered_sections(lines: list[_Line], run: list[int]) -> None:
    """'一、二月份' '二、三月份' '三、四月份': numbered 一、二、三…, so each is one month."""
    sections = [lines[i].heading.section if lines[i].heading else None for i in run]
    if len(run) < 2 or any(sec is None for sec in sections):
        return
    numbers = [sec[0] for sec in sections if sec]
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        for i, sec in zip(run, sections, strict=True):
            if sec:
                lines[i].heading = sec[1]


def _block_end(lines: list[_Line], hi: int) -> int:
    """Where the last heading's block ends: a break, a closing remark, or the end."""
    for j in range(hi + 1, len(lines)):
        s = lines[j].norm.strip()
        if s and (lines[j].brk or _CLOSING_RE.match(s)):
            return j
    return len(lines)


def _order_years(items: list[PlanItem]) -> None:
    """Mark items of an autumn term plan that wrap into the next year (9–12, then 元月)."""
    keyed = [item for item in items if item.months]
    if not keyed or keyed[0].months[0] < 8:
        return
    prev = keyed[0].months[0]
    wrapped = False
    for item in keyed:
        first = item.months[0]
        if first + 6 <= prev:
            wrapped = True
        if wrapped:
            item.notes.append(NEXT_YEAR)
        prev = first

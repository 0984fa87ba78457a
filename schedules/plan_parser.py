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

Step 1 lives in ``schedules.plan_headings`` and the cutting of an entry's text into items in
``schedules.plan_items``; this module builds the arrangement (steps 2 and 3) and re-exports the public
names callers import from here (``PlanItem``, the notes, ``parse_months``…).
"""

from __future__ import annotations

import re

from schedules.categories import classify_with_margin, rule_category
from schedules.category_model import NaiveBayes
from schedules.plan_headings import (
    _CLOSING_RE,
    _CN_PAREN_NUMBER_RE,
    _CN_SECTION_NUMBER_RE,
    _CONTINUATION_MAX,
    _MEANINGFUL_RE,
    _NOTHING_RE,
    _TERM_ONLY_RE,
    _TERMINAL_PUNCT,
    _classify_lines,
    _Heading,
    _Line,
    _numbering,
)
from schedules.plan_headings import parse_months as parse_months
from schedules.plan_headings import parse_weeks as parse_weeks
from schedules.plan_items import (
    GUESSED_SECTION,
    GUESSED_TRAILING,
    MODEL_OVERRULED,
    NEXT_YEAR,
    SPLIT_CELL,
    ParsedPlan,
    PlanItem,
    _entry_months,
    _sentences,
    _trailing_months,
    clean_text,
    split_inline_numbered,
    split_sentences,
)
from schedules.plan_lines import PAGE_MARK_RE, details, split_activities, split_months, unfuse_month_numbers, unmark
from schedules.plan_meta import detect_period, detect_year
from schedules.plan_tables import untable
from schedules.text_norm import chinese_number, fold

# --- the arrangement ----------------------------------------------------------

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

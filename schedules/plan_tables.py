"""Schedule tables (行事历) inside a plan, turned into the lines the plan parser reads.

Many plans keep their month-by-month arrangement in a table: in a .docx, or
pasted from Word as tab-separated text, or typed as ``| 3月 | … | 负责人 |``.
Each row becomes one line ``3月：三八节慰问；教代会提案征集`` — the parser's
own heading-with-entries form — so a table and a list are read by one set of
rules. Pure functions; rows keep their line, so line numbers stay true.

What goes in the line: the "when" cell and the content cells. Columns a header
names as people or remarks (负责人, 责任部门, 备注 …) are left out, and without a
header so are short cells that name an office (工会主席, 文体委员 …): they are
who does the work, not the work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schedules.text_norm import fold

_WHEN_HEADER = re.compile(r"^(月份?|(?:完成|活动|计划|举办|开展|实施)?(?:时间|日期)|周次?|教学周|时间安排|月次|时段)$")
_WEEK_HEADER = re.compile(r"^(周次?|教学周)$")
_BARE_WEEKS = re.compile(r"^\d{1,2}(?:\s*[-至到、,]\s*\d{1,2})*$")  # '3' or '3-4' in a 周次 column
# '2027.03', '2027-3-8', '2027/03/08': a date written in digits, read as '2027年3月(8日)'.
_DIGIT_DATE = re.compile(r"^(\d{4})\s*[./-]\s*(1[0-2]|0?[1-9])(?:\s*[./-]\s*(3[01]|[12]\d|0?[1-9]))?$")
_CONTENT_HEADER = re.compile(r"(内容|活动|工作|项目|事项|安排|主题|要点)")
_FORM_HEADER = re.compile(r"(形式|方式|类型|类别)$")
_OTHER_HEADER = re.compile(r"(负责|责任|人员|部门|备注|参加|对象|地点|说明|序号|牵头|配合|完成)")
_OFFICE = re.compile(r"(主席|委员|委|校长|主任|书记|办公室|工会|组长|小组|处|科|部|全体|教职工|负责人|办|组|室)$")
_OFFICE_MAX = 8
_BAR = re.compile(r"[|｜]")
_WIDE_GAP = re.compile(r"(?:[ \u3000]{2,}|\u3000)")
_RULE_ROW = re.compile(r"^[\s|:\-—=+]*$")
_NUM = r"(?:1[0-2]|0?[1-9]|十[一二]|[一二三四五六七八九十元正])"
_MONTH_CELL = re.compile(
    rf"^(?:\d{{4}}\s*年\s*)?(?:{_NUM}\s*(?:月份?)?\s*(?:[、,/至到\-—~]\s*)?)+"
)
_PERIOD = r"(?:上旬|中旬|下旬|初|中|底|末)"
_WEEK_NO = r"[\d一二三四五六七八九十]+"
_SEASON_CELL = re.compile(rf"^(?:第\s*{_WEEK_NO}(?:\s*[、,\-—~至到]\s*{_WEEK_NO})*\s*周|寒假|暑假|暑期)")


def plain_when(cell: str) -> str:
    """A "when" cell in digits as the words the parser reads ('2027.03' -> '2027年3月'); others unchanged."""
    m = _DIGIT_DATE.match(fold(cell).strip())
    if not m:
        # '2017年11月30': the day's 日 left off
        return re.sub(r"(月\s*(?:3[01]|[12]\d|0?[1-9]))\s*$", r"\1日", cell) if when_key(cell) else cell
    year, month, day = m.group(1), int(m.group(2)), m.group(3)
    return f"{year}年{month}月" + (f"{int(day)}日" if day else "")


def split_cells(line: str) -> list[str] | None:
    """The cells of a text table row, or None when the line is not one.

    A row: ``| a | b |`` (two or more bars) or tab-separated text with two or
    more filled cells. A line merely indented by a tab is not a row.
    """
    s = line.strip()
    bars = s.count("|") + s.count("｜")  # '｜3月｜…｜' typed with full-width bars
    if bars >= 2 or (s[:1] in "|｜" and bars >= 1):
        cells = [c.strip() for c in _BAR.split(s.strip("|｜"))]
    elif "\t" in s:
        # Leading tabs count: an empty first cell is a merged "when" cell.
        cells = [c.strip() for c in line.strip(" \u3000\r\n").split("\t")]
    elif len(cells := _WIDE_GAP.split(s)) >= 3 and (when_key(cells[0]) or _is_header_cells(cells)):
        pass  # a table pasted where tabs became runs of spaces: '3月    插花活动    女工委员'
    else:
        return None
    if sum(1 for c in cells if c) < 2 and not _RULE_ROW.match(s):
        return None
    return cells


def when_key(cell: str) -> str | None:
    """The month or week part a "when" cell starts with ('3月8日' -> '3月'), or None."""
    folded = fold(cell).strip()
    m = _MONTH_CELL.match(folded)
    if m and "月" in m.group(0):
        end = m.group(0).rfind("月") + 1  # '3月8日' -> '3月': the 8 is a day
        end += folded[end:end + 1] == "份"
        period = re.match(_PERIOD, folded[end:])
        return folded[:end] + (period.group(0) if period else "")
    m = _SEASON_CELL.match(folded)
    return m.group(0) if m else None


def _is_header_cells(cells: list[str]) -> bool:
    folded = [fold(c).strip() for c in cells]
    return any(_WHEN_HEADER.match(c) for c in folded) and any(
        _CONTENT_HEADER.search(c) and not _WHEN_HEADER.match(c) for c in folded)


@dataclass
class TableReader:
    """Reads one table's rows in order (a header, if any, first)."""

    when_col: int | None = None
    when_is_week: bool = False  # the header's "when" column is 周次: its cells are bare week numbers
    content_cols: list[int] = field(default_factory=list)
    skip_cols: set[int] = field(default_factory=set)
    last_when: str = ""
    width: int = 0  # the header's number of columns

    def line(self, cells: list[str], spaced: bool = False) -> str:
        """The parser line for one row ('' for a header, a rule, or an empty row). ``spaced``: the cells were
        cut at runs of spaces, which may also stand inside a cell ('春季运动会  每组一队'): the content cells are
        joined by a space, and the parser decides whether they are one activity or several."""
        if not any(c.strip() for c in cells) or _RULE_ROW.match("|".join(cells)):
            return ""
        if _is_header_cells(cells):
            self._read_header(cells)
            return ""
        cells = [plain_when(c) for c in cells]
        surplus = len(cells) - self.width
        if self.width and surplus > 0 and len(self.content_cols) == 1:
            # '端午节慰问  工会会员每人一份': a gap inside the content cell split it; the columns after it
            # still line up from the right.
            c = self.content_cols[0]
            cells = [*cells[:c], "  ".join(cells[c:c + surplus + 1]), *cells[c + surplus + 1:]]
        if self.when_is_week and self.when_col is not None and self.when_col < len(cells):
            bare = fold(cells[self.when_col]).strip()
            if _BARE_WEEKS.match(bare):
                cells[self.when_col] = f"第{bare}周"
        when_col = self.when_col if self.when_col is not None else self._find_when(cells)
        when = cells[when_col].strip() if when_col is not None and when_col < len(cells) else ""
        if self.when_col is not None and when and when_key(when) is None and self._find_when(cells) is not None:
            # '登山比赛 | 全体教职工 | 2027年10月16日': another layout (the date after the activity) than
            # the header's; read the row on its own, by its cells.
            return TableReader().line(cells, spaced)
        if when_col is not None and not when:
            when = self.last_when  # a merged "when" cell: the row belongs to the one above
        key = when_key(when) if when else None
        if key is None:
            return "　".join(c for c in cells if c.strip())
        self.last_when = when
        content = [c.strip() for i, c in enumerate(cells) if i != when_col and self._is_content(i, c)]
        content = [c for c in content if c]
        if not content:
            return ""
        body = ("  " if spaced else "；").join(dict.fromkeys(content))
        if len(key) < len(fold(when).strip().removesuffix("份")):
            return f"{when.strip()} {body}"  # '3月8日': a dated line, as a school calendar writes it
        return f"{key}：{body}"

    def _read_header(self, cells: list[str]) -> None:
        self.when_col, self.content_cols, self.skip_cols, self.width = None, [], set(), len(cells)
        for i, c in enumerate(fold(x).strip() for x in cells):
            if self.when_col is None and _WHEN_HEADER.match(c):
                self.when_col, self.when_is_week = i, bool(_WEEK_HEADER.match(c))
            elif _OTHER_HEADER.search(c) and not re.search(r"(工作|活动)内容", c):
                self.skip_cols.add(i)
            elif _CONTENT_HEADER.search(c):
                self.content_cols.append(i)
        # '活动形式 | 活动主题': the form ('分', '统', '讲座') beside the theme says how, not what.
        named = [i for i in self.content_cols if not _FORM_HEADER.search(fold(cells[i]))]
        self.content_cols = named or self.content_cols

    def _find_when(self, cells: list[str]) -> int | None:
        return next((i for i, c in enumerate(cells) if c.strip() and when_key(c)), None)

    def _is_content(self, i: int, cell: str) -> bool:
        if self.content_cols:
            return i in self.content_cols
        if i in self.skip_cols:
            return False
        s = fold(cell).strip()
        return not (len(s) <= _OFFICE_MAX and _OFFICE.search(s))


def _single_cell(line: str) -> str:
    """A line as a one-cell row of a table copied cell by cell ('3月', or '3月 |')."""
    return line.strip().removesuffix("|").strip()


def unstack(lines: list[str]) -> list[str]:
    """A table copied one cell per line — a header '月份' / '内容' / '备注', then '3月' and its cells on the
    next lines — rewritten as a parser line per row ('3月：三八节…'), at the row's first line; the lines it
    used become empty, so line numbers stay true. Cells that name an office or people are left out."""
    out = list(lines)
    i = 0
    while i < len(lines):
        width = _header_run(lines, i)
        if not width:
            i += 1
            continue
        for k in range(i, i + width):
            out[k] = ""
        header = [fold(_single_cell(x)) for x in lines[i:i + width]]
        when_at = next(k for k, c in enumerate(header) if _WHEN_HEADER.match(c))
        j = _unstack_full_rows(lines, out, i + width, header) if when_at > 0 else i + width
        if j == i + width:
            j = _unstack_rows(lines, out, j, header)
        i = j
    return out


def _unstack_rows(lines: list[str], out: list[str], j: int, header: list[str]) -> int:
    """Rows that start with their "when" cell; a row may lack its trailing cells (blank ones were dropped)."""
    width = len(header)
    while j < len(lines) and (cell := _single_cell(lines[j])) and _is_when_cell(cell):
        row_end = j + 1
        while (row_end < len(lines) and row_end - j < width and (c := _single_cell(lines[row_end]))
               and not _is_when_cell(c) and len(c) <= 60):
            row_end += 1
        content = [c for c in (_single_cell(x) for x in lines[j + 1:row_end])
                   if c and not (len(fold(c)) <= _OFFICE_MAX and _OFFICE.search(fold(c)))]
        out[j] = f"{when_key(cell)}：{'；'.join(content)}" if content else ""
        for k in range(j + 1, row_end):
            out[k] = ""
        j = row_end
    return j


def _unstack_full_rows(lines: list[str], out: list[str], j: int, header: list[str]) -> int:
    """Rows whose "when" cell comes later ('趣味运动会' / '创业学院' / '2017年12月5日'): each row is as many
    filled lines as the header, and is read as a row of cells by the header's columns."""
    reader = TableReader()
    reader.line(header)
    when_at = reader.when_col or 0
    width = len(header)
    while j + width <= len(lines):
        cells = [_single_cell(x) for x in lines[j:j + width]]
        if not all(cells) or not _is_when_cell(cells[when_at], longest=16) or any(
                _is_when_cell(c) for k, c in enumerate(cells) if k != when_at):
            break
        out[j] = reader.line(cells)
        for k in range(j + 1, j + width):
            out[k] = ""
        j += width
    return j


def _header_run(lines: list[str], i: int) -> int:
    """How many lines from ``i`` are a table header copied one cell per line (0 when they are not)."""
    cells = []
    for line in lines[i:i + 6]:
        cell = fold(_single_cell(line))
        if not cell or len(cell) > 8 or not (_WHEN_HEADER.match(cell) or _CONTENT_HEADER.search(cell)
                                             or _OTHER_HEADER.search(cell)):
            break
        cells.append(cell)
    return len(cells) if len(cells) >= 2 and _is_header_cells(cells) else 0


def _is_when_cell(cell: str, longest: int = 12) -> bool:
    key = when_key(cell)
    return key is not None and len(fold(cell).strip()) <= longest


def untable(lines: list[str], rows: set[int] | None = None) -> list[str]:
    """Text lines with every table row rewritten as a parser line; other lines unchanged. ``rows``, when
    given, receives the indices of the lines that were table rows (what follows a table is not its row's)."""
    stacked = unstack(lines)
    out: list[str] = []
    reader: TableReader | None = None
    for i, line in enumerate(stacked):
        cells = split_cells(line)
        if cells is None:
            reader = None  # a table ends at the first line that is not a row
            out.append(line)
            if rows is not None and line != lines[i]:
                rows.add(i)
            continue
        reader = reader or TableReader()
        s = line.strip()
        out.append(reader.line(cells, spaced="|" not in s and "｜" not in s and "\t" not in s))
        if rows is not None:
            rows.add(i)
    return out

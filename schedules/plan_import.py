"""From a plan document (text, .docx, or a pasted message) to dated schedule items."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from schedules.confidence import LONG_TEXT, SHORT_TEXT, WEAK_CATEGORY, confidence, doubts
from schedules.holidays import official_data_available
from schedules.item_dates import item_date
from schedules.plan_parser import GUESSED_SECTION, GUESSED_TRAILING, NEXT_YEAR, SPLIT_CELL, parse_plan
from schedules.plan_tables import TableReader

MAX_PLAN_BYTES = 5 * 1024 * 1024


class PlanReadError(Exception):
    """The file cannot be read as a plan; the message is for the person who gave it."""


@dataclass(frozen=True)
class ImportedItem:
    months: list[int]
    weeks: list[int]
    text: str
    category: str
    holiday: str | None
    date: dt.date | None
    rrule: str | None
    year: int
    line: int
    note: str | None = None  # why no date could be given (a festival outside its month…)
    guessed: list[str] = field(default_factory=list)  # the parser's GUESSED_* notes
    # schedules.confidence.doubts: why the chair should look at this item first ([] when none)
    flags: list[str] = field(default_factory=list)
    confidence: float = 1.0

    def to_json(self) -> dict:
        return {
            "months": self.months, "weeks": self.weeks, "text": self.text, "category": self.category,
            "holiday": self.holiday, "date": self.date.isoformat() if self.date else None, "rrule": self.rrule,
            "flagged": bool(self.flags), "confidence": self.confidence, "doubts": self.flags,
        }


@dataclass
class ImportResult:
    year: int
    items: list[ImportedItem]
    period: str
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"items": [it.to_json() for it in self.items]}


def default_plan_year(today: dt.date) -> int:
    """Plans are written for the coming year: from October on, assume next year."""
    return today.year + 1 if today.month >= 10 else today.year


def import_plan_text(
    text: str, *, year: int | None = None, semester_start: dt.date | None = None, today: dt.date | None = None,
) -> ImportResult:
    parsed = parse_plan(text)
    today = today or dt.date.today()
    base_year = year or parsed.year or default_plan_year(today)
    warnings: list[str] = []
    items = []
    for p in parsed.items:
        item_year = base_year + 1 if NEXT_YEAR in p.notes else base_year
        when = item_date(p.months, p.weeks, p.text, p.holiday, item_year, semester_start, day=p.day)
        items.append(ImportedItem(
            months=p.months, weeks=p.weeks, text=p.text, category=p.category, holiday=p.holiday,
            date=when.date, rrule=when.rrule, year=item_year, line=p.line, note=when.note,
            guessed=[n for n in p.notes if n in GUESS_TEXT], flags=doubts(p), confidence=confidence(p),
        ))
    if any(it.weeks for it in items) and semester_start is None:
        warnings.append("计划按周安排，未提供学期开始日期，无法换算具体日期")
    years = sorted({it.year for it in items}) or [base_year]
    for y in years:
        if not official_data_available(y):
            warnings.append(
                f"{y}年的法定节假日和调休安排尚未收录（通常于上一年年底公布），暂按周末和节日规则推算；"
                f"公布后可在配置 [calendar] 中补充 holidays / workdays")
    if year is None and parsed.year is None:
        warnings.append(f"计划中未写明年份，按 {base_year} 年处理")
    return ImportResult(year=base_year, items=items, period=parsed.period, warnings=warnings)


GUESS_TEXT = {
    GUESSED_SECTION: "月份是推测的（“一、二月份”这样的标题也可能是第一部分、二月份）",
    GUESSED_TRAILING: "月份取自条目末尾",
}
DOUBT_TEXT = {
    SPLIT_CELL: "由同一格里空格隔开的几项拆出，请核对是否应为一项",
    WEAK_CATEGORY: "类别把握不大",
    SHORT_TEXT: "文字很短，可能不完整",
    LONG_TEXT: "文字较长，可能含有细则或几项连在一起",
}


def unsure_notes(item: ImportedItem) -> list[str]:
    """What the chair should check in an item before confirming (the preview lists these)."""
    notes = [item.note] if item.note else []
    notes += [GUESS_TEXT[g] for g in item.guessed if g in GUESS_TEXT]
    if not item.months and not item.weeks:
        notes.append("没有找到月份")
    text = item.text.strip()
    opened = sum(text.count(c) for c in "（(【《“") - sum(text.count(c) for c in "）)】》”")
    if opened > 0 or text.endswith(("、", "，", ",", "：", ":", "及", "和", "与")):
        notes.append("文字可能不完整")
    if len(text) > 120 and LONG_TEXT not in item.flags:
        notes.append("很长，可能是几项连在一起")
    return notes + [DOUBT_TEXT[f] for f in item.flags if f in DOUBT_TEXT]


_PLAN_TITLE = re.compile(r"^\s*(.{0,40}?)篇\s*([一二三四五六七八九十]{1,3}|\d{1,2})\s*[:：]?\s*$")


def split_plans(text: str) -> list[tuple[str, str]]:
    """Several plans pasted together (title lines ending in 篇一, 篇二 …) -> [(title, text)]; one plan -> []."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _PLAN_TITLE.match(line)]
    if len(starts) < 2:
        return []
    bounds = [*starts, len(lines)]
    return [(lines[a].strip()[:40], "\n".join(lines[a:b])) for a, b in itertools.pairwise(bounds)]


def read_plan_file(path: Path) -> str:
    """Text of a plan file: UTF-8 (or GB18030) text, or .docx paragraphs and table rows."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlanReadError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    return read_plan_bytes(data, path.name)


SEND_INSTEAD = "请发送 .docx 或 .txt 文件，或直接粘贴计划全文"
_NOT_TEXT = (  # magic bytes -> what it is, said to the chair
    (b"\xd0\xcf\x11\xe0", "这是旧版 Word（.doc）文件，请在 Word 或 WPS 中“另存为” .docx 后再发送，或直接粘贴计划全文"),
    (b"%PDF", f"PDF 文件读不出可靠的文字，{SEND_INSTEAD}"),
    (b"\x89PNG", f"这是图片，读不出文字，{SEND_INSTEAD}"),
    (b"\xff\xd8\xff", f"这是图片，读不出文字，{SEND_INSTEAD}"),
    (b"{\\rtf", f"这是 RTF 文件，{SEND_INSTEAD}"),
)


def read_plan_bytes(data: bytes, name: str) -> str:
    if len(data) > MAX_PLAN_BYTES:
        raise PlanReadError(f"文件过大（{len(data) // 1024} KB），计划文件应小于 5 MB")
    if not data.strip():
        raise PlanReadError(f"文件是空的，{SEND_INSTEAD}")
    for magic, why in _NOT_TEXT:
        if data.startswith(magic) or (magic == b"%PDF" and name.lower().endswith(".pdf")):
            raise PlanReadError(why)
    if name.lower().endswith(".docx") and data[:2] != b"PK":
        raise PlanReadError(_not_a_docx(data))  # a real .docx is a zip: this one only has the name
    if name.lower().endswith(".docx") or data[:2] == b"PK":
        text = _docx_text(data)
        if not text.strip():
            raise PlanReadError(f"这份 .docx 里没有文字（可能是扫描的图片），{SEND_INSTEAD}")
        return text
    if b"\x00" in data[:4096]:
        raise PlanReadError("文件不是文本或 .docx 文档")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanReadError("文件编码无法识别，请另存为 UTF-8 文本或 .docx")


def _not_a_docx(data: bytes) -> str:
    """What a file named .docx that is no zip (no Word document) is, said to the chair with what to send.
    (An old .doc, a PDF or a picture renamed .docx is named by its magic bytes before this.)"""
    head = data[:1024].lstrip().lower()
    if b"<html" in head or head.startswith((b"<!doctype", b"<?xml")):
        return ("文件名是 .docx，但内容是网页（HTML/XML）格式，不是真正的 Word 文档。请在 Word 或 WPS 中打开它，"
                "“另存为” .docx 后再发送，或直接粘贴计划全文")
    if b"\x00" not in data[:4096]:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                data[:4096].decode(encoding)
            except UnicodeDecodeError:
                continue
            return ("文件名是 .docx，但内容是纯文本，不是真正的 Word 文档。请把文件名改为 .txt 再发送，"
                    "或直接粘贴计划全文")
    return f"文件名是 .docx，但内容不是 Word 文档（可能是改了扩展名的其他文件），无法读取。{SEND_INSTEAD}"


def _docx_text(data: bytes) -> str:
    import zipfile

    import docx  # python-docx; imported here so plain-text imports stay light
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as exc:  # starts like a zip, but is cut short or damaged
        raise PlanReadError("这份 .docx 文件已损坏或不完整（可能没有传完），请在 Word 或 WPS 中重新保存后再发送，"
                            "或直接粘贴计划全文") from exc
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise PlanReadError(f"无法打开该 .docx 文档（可能是改了扩展名的其他压缩文件），{SEND_INSTEAD}") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        reader = TableReader()
        for row in table.rows:
            # A cell's paragraphs are its entries; a merged cell repeats across the row.
            cells = ["；".join(t for t in (p.strip() for p in c.text.splitlines()) if t) for c in row.cells]
            cells = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]
            lines.append(reader.line(cells))
    return "\n".join(lines)

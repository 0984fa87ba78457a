"""Reading the staff roster (花名册) from .xlsx or .csv, headers in Chinese or English."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from storage.members import RosterRow

_HEADERS = {
    "name": ("姓名", "名字", "name"),
    "department": ("部门", "年级组", "部门/年级组", "教研组", "department"),
    "gender": ("性别", "gender"),
    "retired": ("退休", "是否退休", "在职/退休", "状态", "retired"),
    "birthday": ("生日", "出生日期", "出生年月", "birthday"),
    "role": ("角色", "职务", "身份", "role"),
    "contact_id": ("微信ID", "微信id", "联系人ID", "wxid", "contact_id", "钉钉userid", "userid", "钉钉id"),
}


class RosterError(Exception):
    pass


def read_roster(path: Path) -> list[RosterRow]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"无法读取 {path}：{exc.strerror or exc}") from exc
    return read_roster_bytes(data, path.name)


def read_roster_bytes(data: bytes, name: str) -> list[RosterRow]:
    """A roster that arrived as bytes (the CLI's file, the office page's upload)."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(data)
    elif suffix == ".csv":
        rows = _csv_rows(data)
    else:
        raise RosterError("花名册应是 .xlsx 或 .csv 文件")
    return parse_rows(rows)


def _xlsx_rows(data: bytes) -> list[list[object]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise RosterError(f"无法打开该 Excel 文件：{exc}") from exc
    ws = wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _csv_rows(data: bytes) -> list[list[object]]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError("CSV 编码无法识别，请另存为 UTF-8")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def parse_rows(rows: list[list[object]]) -> list[RosterRow]:
    if not rows:
        raise RosterError("花名册是空的")
    header = [str(h or "").strip() for h in rows[0]]
    cols: dict[str, int] = {}
    for key, names in _HEADERS.items():
        for i, h in enumerate(header):
            if h in names or h.lower() in names:
                cols.setdefault(key, i)
    if "name" not in cols:
        raise RosterError("花名册第一行应是表头，且包含“姓名”列")
    out = []
    for lineno, row in enumerate(rows[1:], 2):
        def cell(key: str, row: list[object] = row) -> object:
            i = cols.get(key)
            return row[i] if i is not None and i < len(row) else None

        name = str(cell("name") or "").strip()
        if not name:
            continue
        out.append(RosterRow(
            name=name[:64],
            department=str(cell("department") or "").strip()[:64],
            gender=_gender(cell("gender")),
            retired=_truthy(cell("retired")),
            birthday=_date(cell("birthday"), lineno),
            role=str(cell("role") or "").strip()[:64],
            contact_id=str(cell("contact_id") or "").strip()[:128],
        ))
    return out


def _gender(v: object) -> str:
    s = str(v or "").strip().lower()
    return "女" if s in ("女", "f", "female") else "男" if s in ("男", "m", "male") else ""


def _truthy(v: object) -> bool:
    s = str(v or "").strip().lower()
    return s in ("是", "退休", "已退休", "y", "yes", "true", "1")


def _date(v: object, lineno: int) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(v).strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in s.split("-")))
    except ValueError as exc:
        raise RosterError(f"第 {lineno} 行的生日“{v}”不是日期（应写成 1980-05-01）") from exc

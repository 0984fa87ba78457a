"""The 会员 list as the office reads it: search, filter by department and role, sort by the pinyin of
the name (姓名拼音, as a roster is ordered) or by department, and the same rows as a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from handlers.base import ROLE_LABELS, Role
from handlers.xlsx import workbook_bytes
from storage.models import Member

SORTS = {"pinyin": "姓名拼音", "dept": "部门"}
EXPORT_HEADERS = ["姓名", "部门", "性别", "在职/退休", "身份", "微信"]


@dataclass(frozen=True)
class MemberRow:
    member: Member
    roles: frozenset[Role]

    @property
    def roles_text(self) -> str:
        return "、".join(ROLE_LABELS[r] for r in sorted(self.roles) if r != Role.MEMBER) or "会员"


@dataclass(frozen=True)
class MemberQuery:
    text: str = ""
    department: str = ""
    role: str = ""  # a Role's value; '' for all
    sort: str = "pinyin"


@lru_cache(maxsize=4096)
def pinyin_key(name: str) -> str:
    """'张三' -> 'zhang san': tones dropped, so 张 sorts among the z's whatever its tone."""
    return " ".join(lazy_pinyin(name, style=Style.NORMAL)).lower()


def select_rows(rows: Iterable[MemberRow], q: MemberQuery) -> list[MemberRow]:
    text = q.text.strip()
    picked = [r for r in rows
              if (not text or any(text in f for f in (r.member.name, r.member.department, r.member.display_name)))
              and (not q.department or r.member.department == q.department)
              and (not q.role or any(role.value == q.role for role in r.roles))]
    if q.sort == "dept":
        # No department last, then by name within one.
        return sorted(picked, key=lambda r: (not r.member.department, pinyin_key(r.member.department),
                                             pinyin_key(r.member.name)))
    return sorted(picked, key=lambda r: (pinyin_key(r.member.name), r.member.id or 0))


def members_workbook(rows: Iterable[MemberRow]) -> bytes:
    """The list as shown (filtered and sorted), for the office's own records; no contact ids leave."""
    body = [[r.member.name, r.member.department, r.member.gender, "退休" if r.member.retired else "在职",
             r.roles_text, "已绑定" if r.member.contact_id else "未绑定"] for r in rows]
    return workbook_bytes("会员名单", EXPORT_HEADERS, body)

"""Settings the proposal and welfare handlers follow, read from ``[proposals]``
and ``[welfare]`` by bot.config (handlers know nothing of the config file)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from handlers.welfare_rules import DEFAULT_TYPES, WelfareType

# The 类别 a congress sorts proposals by when ``[proposals] categories`` does not name its own.
DEFAULT_CATEGORIES = ("教育教学", "学校管理", "教师发展", "福利待遇", "后勤保障", "其他")


@dataclass(frozen=True)
class ProposalRules:
    """``[proposals]``: the 教代会 collection. Dates may also be set in chat (#征集提案)."""

    min_cosigners: int = 2
    year: int | None = None  # the congress year; default: the year of the deadline, else of the day
    start: dt.date | None = None
    deadline: dt.date | None = None
    departments: dict[str, frozenset[str]] = field(default_factory=dict)  # 承办部门 -> officers' contact ids
    answer_days: int = 30  # days from 交办 to the answer's deadline; past it the register marks 督办
    department_answer_days: dict[str, int] = field(default_factory=dict)  # 承办部门 -> its own deadline
    categories: tuple[str, ...] = DEFAULT_CATEGORIES  # 类别 offered (optional); () asks none

    def answer_due(self, department: str) -> int:
        return self.department_answer_days.get(department, self.answer_days)


@dataclass(frozen=True)
class WelfareRules:
    """``[welfare]``: request types and standards, retention, scheduled care."""

    types: tuple[WelfareType, ...] = DEFAULT_TYPES
    retention_days: int = 1825  # closed requests are deleted this long after closing
    elder_age: int = 70  # retired members from this age are listed before 重阳节 and 春节
    care_days_before: int = 7
    birthdays: str = "list"  # list (monthly, to the officers) | greeting (to the member) | off

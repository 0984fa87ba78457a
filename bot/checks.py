"""One line of `unionbot doctor`: its own module so that each platform's checks (bot/dingtalk/doctor.py)
and the doctor that gathers them both import it, without importing each other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""

"""What a plan says about itself in its first lines: the year it starts in and the period it covers."""

from __future__ import annotations

import re

from schedules.text_norm import fold

_YEAR_RE = re.compile(r"(20\d{2})\s*(?:[-—~至/]\s*(20\d{2})\s*)?(?:学年)?(?:度)?")


def detect_year(text: str) -> int | None:
    """The calendar year a plan starts in, from its first lines ('2027年工会工作计划').

    For a school-year range ('2026-2027学年第二学期') the spring term lies in the
    second year.
    """
    for line in text.splitlines()[:8]:
        norm = fold(line)
        m = _YEAR_RE.search(norm)
        if m:
            if m.group(2) and re.search(r"第二学期|下学期|春季", norm):
                return int(m.group(2))
            return int(m.group(1))
    return None


def detect_period(text: str) -> str:
    head = fold("\n".join(text.splitlines()[:10]))
    if re.search(r"学期|第[一二]学期|上学期|下学期", head):
        return "semester"
    if re.search(r"年度|全年|年工作|\d{4}年", head):
        return "year"
    return "unknown"

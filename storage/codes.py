"""Numbers members type for what is counted per year: 提案 2027-003, 申请 W2027-012."""

from __future__ import annotations

import re


def parse_year_code(text: str, default_year: int, prefix: str = "") -> tuple[int, int] | None:
    """'2027-003' / '2027年3号' -> (2027, 3); '3' -> (default_year, 3); ``prefix`` ('W') may lead.

    Anything else is None: the caller answers with how to write it."""
    pattern = rf"^(?:{re.escape(prefix)})?\s*(?:(\d{{4}})\s*[-－—_/年]?\s*)?0*(\d{{1,4}})号?$"
    m = re.match(pattern, text.strip().lstrip("#＃"), re.IGNORECASE) if text else None
    if not m:
        return None
    return (int(m.group(1)) if m.group(1) else default_year), int(m.group(2))

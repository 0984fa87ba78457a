"""How a chat message names a command: its prefixes and the split into the command word and the rest.

Below both the pipeline (which dispatches by the word) and the form machinery (which reads 确认, 取消 and
a form's own words before any command), so neither restates how a command is written.
"""

from __future__ import annotations

import re

COMMAND_PREFIXES = ("#", "/")


def split_command(text: str) -> tuple[str, str]:
    """'#活动安排 3' -> ('活动安排', '3'); a bare '报名 3' in private chat works too."""
    body = text.strip()
    while body.startswith(COMMAND_PREFIXES):
        body = body[1:].lstrip()
    if not body:
        return "", ""
    parts = re.split(r"\s", body, maxsplit=1)
    return parts[0].strip()[:40], (parts[1].strip() if len(parts) > 1 else "")

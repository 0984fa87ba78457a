"""What the page is handed by the composition root (`bot/web_root.py`): the page never imports `bot/`
(issue 25), and it writes through the typed actions only, never through chat text."""

from __future__ import annotations

from dataclasses import dataclass

FORWARD_KIND = "web_reply"  # outbox kind of what a page action says to someone else


@dataclass(frozen=True)
class PageSettings:
    """What the page needs of the configuration."""

    union_id: str
    groups: tuple[tuple[str, str], ...] = ()  # (chat id, topic) of each union group
    link_base: str = "http://127.0.0.1:8080"

    @property
    def secure_cookie(self) -> bool:
        return self.link_base.startswith("https://")

"""What the page still hands to the chat (issue 25): the bridge is a protocol the page declares and
the composition root implements (`bot/web_root.py`), so the page never imports `bot/`.

Only the viewer's open chat form (`/form`: a duplicate sign-up's confirmation that `#发起报名`
opens in the chat) still goes this way; every other page calls the typed actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from handlers.base import Attachment
from storage.models import Member

FORWARD_KIND = "web_reply"  # outbox kind of what a page action says to someone else


@dataclass
class Outcome:
    texts: list[str] = field(default_factory=list)  # what the bot answered the member
    files: list[Attachment] = field(default_factory=list)  # a download (.xlsx, .ics)
    forwarded: int = 0  # messages queued for other people

    @property
    def text(self) -> str:
        return "\n\n".join(t for t in self.texts if t)


class Bridge(Protocol):
    def run(self, member: Member, text: str, attachment: Attachment | None = None) -> Outcome:
        """``text`` as if ``member`` had sent it to the bot in a private chat."""
        ...


@dataclass(frozen=True)
class PageSettings:
    """What the page needs of the configuration, handed in by the composition root."""

    union_id: str
    groups: tuple[tuple[str, str], ...] = ()  # (chat id, topic) of each union group
    link_base: str = "http://127.0.0.1:8080"

    @property
    def secure_cookie(self) -> bool:
        return self.link_base.startswith("https://")

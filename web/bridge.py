"""What the page changes goes through the chat's own pipeline.

A button on the page becomes the command the member would have typed in a private chat with
the bot (``#立案 2027-003``), fed to the same ``Pipeline``: the same access rule, the same
handlers, numbering, history, audit and forms (a plan import's preview and 确认 is the chat's
form, kept in the same draft). The page shows what the bot would have answered the member;
whatever the handler says to anyone else goes through the outbox, which the running bot sends.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import Config
from bot.pipeline import Incoming, Pipeline
from handlers.base import Attachment
from handlers.services import Services
from storage.messages import SeenMessages
from storage.models import Member

log = logging.getLogger("unionbot.web")
FORWARD_KIND = "web_reply"  # outbox kind of what a page action says to someone else


@dataclass
class Outcome:
    texts: list[str] = field(default_factory=list)  # what the bot answered the member
    files: list[Attachment] = field(default_factory=list)  # a download (.xlsx, .ics)
    forwarded: int = 0  # messages queued for other people

    @property
    def text(self) -> str:
        return "\n\n".join(t for t in self.texts if t)


class CommandBridge:
    def __init__(self, config: Config, services: Services, clock: Callable[[], dt.datetime],
                 seen: SeenMessages) -> None:
        self.services = services
        self.clock = clock
        self.pipeline = Pipeline(config, services, services.registry, clock, seen)

    def run(self, member: Member, text: str, attachment: Attachment | None = None) -> Outcome:
        """``text`` as if ``member`` had sent it to the bot in a private chat."""
        if not member.contact_id:
            return Outcome(["您还没有绑定微信，网页上只能查看，不能操作。请联系工会管理员绑定。"])
        me = member.contact_id
        incoming = Incoming(message_id=f"web:{uuid.uuid4().hex}", contact_id=me,
                            contact_name=member.display_name, text=text, attachment=attachment)
        out = Outcome()
        others: dict[str, list[str]] = {}
        for o in self.pipeline.handle(incoming):
            if o.contact_id == me or (o.contact_id is None and o.room_id is None):
                if o.text:
                    out.texts.append(o.text)
                if o.file is not None:
                    out.files.append(o.file)
            elif o.contact_id and o.text:
                others.setdefault(o.contact_id, []).append(o.text)
        now = self.clock()
        for contact, texts in others.items():
            # One occurrence per action: the same words to the same person twice are two messages.
            out.forwarded += self.services.reminders.queue_private(
                FORWARD_KIND, _command_word(text), [contact], uuid.uuid4().hex[:16], "\n\n".join(texts), now)
        # Only the command word: what follows may be private (a welfare request, a reason).
        log.info("web action by %s: %s (%d forwarded)", member.id, _command_word(text), out.forwarded)
        return out


def _command_word(text: str) -> str:
    return (text.split(maxsplit=1) or [""])[0][:20]

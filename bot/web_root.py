"""The composition root of the office page: builds what `web/` needs from the configuration and
hands it in (issue 25: the page never imports `bot/`). `ChatBridge` implements the page's
`web.bridge.Bridge` with the chat's own pipeline, for the one thing still answered as chat text:
the viewer's open chat form (`/form`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from bot.app import build_services, open_engine
from bot.clock import SystemClock
from bot.config import Config
from bot.pipeline import Incoming, Pipeline
from handlers.base import Attachment
from handlers.services import Services
from storage.messages import SeenMessages
from storage.models import Member
from storage.web_sessions import WebSessions
from web.app import create_app
from web.bridge import FORWARD_KIND, Outcome, PageSettings

log = logging.getLogger("unionbot.web")


class ChatBridge:
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


def page_settings(config: Config) -> PageSettings:
    return PageSettings(union_id=config.union_id, groups=tuple((g.id, g.topic) for g in config.groups),
                        link_base=config.web.link_base)


def build_web(config: Config, clock: Callable[[], dt.datetime] | None = None,
              engine: Engine | None = None) -> FastAPI:
    """The page's application, wired: services, clock, settings, sessions and the bridge handed in."""
    clock = clock or SystemClock()
    engine = engine or open_engine(config)
    services = build_services(config, engine)
    services.schedule.cache_seconds = 0  # the bot caches a year for seconds; the desk reads it as it is
    bridge = ChatBridge(config, services, clock, SeenMessages(engine, config.union_id))
    return create_app(services, clock, page_settings(config), bridge, WebSessions(engine, config.union_id))

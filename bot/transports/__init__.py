"""The transport seam: where a chat platform meets the one pipeline, outbox, scheduler, forms and access rule.

Every transport does four things, and nothing else changes per platform:

1. a connect loop with back-off (and, for a long-running bot, a clean stop);
2. inbound platform events turned into ``bot.pipeline.Incoming`` (``message_id`` unique and stable across the
   platform's replays; ``contact_id`` the platform's stable user id; ``room_id``/``room_topic`` for a group;
   ``mentions_self`` when the platform only delivers messages that mention the bot);
3. reply, and send text or a file to a group or a person (``bot.pipeline.Outgoing``), raising when it did not
   go so that the outbox keeps it;
4. read the directory, where the platform has one (``unionbot members sync``).

Today:

- ``console``: the terminal chat; drains the outbox synchronously on its fake clock.
- ``wechaty_transport``: WeChat through a Wechaty puppet-service gateway (its own supervisor loop).
- ``dingtalk_transport`` + ``dingtalk_stream``: DingTalk's robot in Stream mode, run by ``runner.Runner``;
  it sends and reads the directory through ``bot.dingtalk.api``.

A new platform (a WeCom 智能机器人 over its long connection, a Feishu app over ``lark-oapi``'s long
connection) plugs in here as ONE module implementing ``Platform`` below, run by ``runner.Runner``, plus its
fake under ``tests/``; ``unionbot run`` picks it from its config section (bot/cli.py, ``run``). Its HTTP calls
go in a client module beside ``bot/dingtalk/api.py``. Posts are addressed by ``Outgoing.room_id`` /
``contact_id`` (the outbox stores ``group:<label>``, resolved per platform), so two platforms in one union
(staff on DingTalk, retirees in a WeChat group) stays possible; for now one platform runs per process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.pipeline import Outgoing
    from bot.transports.runner import Runner


class Platform(Protocol):
    """What ``runner.Runner`` needs from a platform."""

    name: str

    async def run(self, runner: Runner) -> None:
        """Connect, reconnect with back-off, hand each message to ``runner.handle(incoming, context)``; return
        once ``runner.stopping`` is set, after ``runner.finish_sending()``, with the connection closed."""

    def ready(self) -> bool:
        """Whether posts may go out now (connected)."""

    def throttled(self, exc: Exception) -> bool:
        """Whether a send failed with the platform's flow control (nothing went out; try later)."""

    async def send(self, out: Outgoing, context: Any) -> None:
        """Send one message; ``context`` is what ``run`` passed with the message being answered (or None for an
        outbox post). Raise when it did not go."""

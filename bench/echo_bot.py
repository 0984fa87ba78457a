"""A bare python-wechaty echo bot: the baseline for round-trip benchmarks.

It sends through the same puppet call unionbot uses, so the ratio measures
unionbot's own work (parsing, database, the extra lookups) and nothing else.
"""

from __future__ import annotations

import asyncio

from bot.wechaty_compat import load_wechaty


def main() -> None:
    wechaty = load_wechaty()

    class Echo(wechaty.Wechaty):  # type: ignore[misc, name-defined]
        async def on_message(self, msg) -> None:  # type: ignore[no-untyped-def]
            if msg.is_self():
                return
            room = msg.room()
            conversation = room.room_id if room else msg.talker().contact_id
            await self.puppet.message_send_text(conversation_id=conversation, message="echo " + msg.text())

    asyncio.run(Echo().start())


if __name__ == "__main__":
    main()

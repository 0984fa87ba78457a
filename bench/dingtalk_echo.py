"""An echo robot written with the official ``dingtalk-stream`` SDK alone: the baseline for the DingTalk round
trip (bench/dingtalk_roundtrip.py). It answers through the message's sessionWebhook, as unionbot does, so
the ratio measures unionbot's own work (its stream handling, parsing, database) and nothing else.

Environment: DINGTALK_OPENAPI_ENDPOINT (read by the SDK at import), DINGTALK_CLIENT_ID, DINGTALK_CLIENT_SECRET.
"""

from __future__ import annotations

import asyncio
import logging
import os


def main() -> None:
    import dingtalk_stream

    logging.getLogger("dingtalk_stream.client").setLevel(logging.ERROR)

    class Echo(dingtalk_stream.ChatbotHandler):
        async def process(self, callback):  # type: ignore[no-untyped-def]
            msg = dingtalk_stream.ChatbotMessage.from_dict(callback.data)
            self.reply_text("echo " + (msg.text.content if msg.text else ""), msg)
            return dingtalk_stream.AckMessage.STATUS_OK, "OK"

    credential = dingtalk_stream.Credential(os.environ["DINGTALK_CLIENT_ID"], os.environ["DINGTALK_CLIENT_SECRET"])
    client = dingtalk_stream.DingTalkStreamClient(credential)
    client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, Echo())
    asyncio.run(client.start())


if __name__ == "__main__":
    main()

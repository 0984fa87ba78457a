"""DingTalk (钉钉) through its official robot for an organisation's internal app, Stream mode.

``api`` is the synchronous OpenAPI client (sends, uploads, directory); ``meter`` counts the month's metered
calls; ``directory`` turns the school's directory into members. The Stream connection itself lives in
``bot/transports/dingtalk_transport.py``. A WeCom 智能机器人 or Feishu adapter would sit beside this package
the same way: a client module here-like (``bot/wecom/``, ``bot/feishu/``), one transport module, one fake.
"""

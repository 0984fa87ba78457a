"""The fake DingTalk's HTTP calls (tests/fake_dingtalk.py holds the Stream side and the test controls).

New API (api.dingtalk.com): JSON bodies, the token in ``x-acs-dingtalk-access-token``, errors as HTTP 4xx with
a ``code`` (a bad token is 400 ``InvalidAuthentication``, throttling 403 ``…QpsLimit…``). Old oapi
(oapi.dingtalk.com): the token as ``?access_token=``, errors as HTTP 200 with a non-zero ``errcode``.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.fake_dingtalk import FakeDingTalk

TOKEN_SECONDS = 7200
WEBHOOK_MINUTES = 90  # a sessionWebhook's life
BAD_TOKEN = {"code": "InvalidAuthentication", "message": "不合法的access_token", "requestid": "fake"}


def routes(fake: FakeDingTalk, app: web.Application) -> None:
    def guarded(handler: Any) -> Any:
        """Count the call and apply an injected fault first, as the platform would answer it."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            fake.calls.append((request.method, request.path))
            fault = fake.fault_for(request.path)
            if fault is not None:
                return web.json_response(fault["body"], status=fault["status"])
            return await handler(request)

        return wrapped

    def new_api_token_ok(request: web.Request) -> bool:
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        return fake.tokens.get(token, 0) > time.time()

    def oapi_token_ok(request: web.Request) -> bool:
        return fake.oapi_tokens.get(request.query.get("access_token", ""), 0) > time.time()

    async def access_token(request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appKey") != fake.client_id or body.get("appSecret") != fake.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret", "message": "无效的 appKey 或 appSecret",
                                      "requestid": "fake"}, status=400)
        token = "at-" + uuid.uuid4().hex
        fake.tokens[token] = time.time() + TOKEN_SECONDS
        return web.json_response({"accessToken": token, "expireIn": TOKEN_SECONDS})

    def msg_param(body: dict) -> dict | None:
        try:
            param = json.loads(body.get("msgParam") or "")
        except (TypeError, ValueError):
            return None
        return param if isinstance(param, dict) else None

    def check_message(body: dict) -> tuple[dict | None, web.Response | None]:
        if body.get("robotCode") != fake.client_id:
            return None, web.json_response({"code": "resource.not.found", "message": "robot 不存在"}, status=400)
        param = msg_param(body)
        key = body.get("msgKey")
        if param is None or key not in ("sampleText", "sampleMarkdown", "sampleFile"):
            return None, web.json_response({"code": "invalidParameter", "message": "msgKey/msgParam"}, status=400)
        if key == "sampleFile" and param.get("mediaId") not in fake.media:
            return None, web.json_response({"code": "invalidParameter", "message": "mediaId 不存在"}, status=400)
        return param, None

    async def group_send(request: web.Request) -> web.Response:
        if not new_api_token_ok(request):
            return web.json_response(BAD_TOKEN, status=400)
        body = await request.json()
        param, error = check_message(body)
        if error is not None:
            return error
        cid = body.get("openConversationId", "")
        if cid not in fake.groups:
            return web.json_response({"code": "invalidParameter.openConversationId",
                                      "message": "机器人不在该群"}, status=400)
        fake.record("group", cid, body["msgKey"], param or {})
        return web.json_response({"processQueryKey": uuid.uuid4().hex})

    async def batch_send(request: web.Request) -> web.Response:
        if not new_api_token_ok(request):
            return web.json_response(BAD_TOKEN, status=400)
        body = await request.json()
        param, error = check_message(body)
        if error is not None:
            return error
        users = body.get("userIds") or []
        if not users or len(users) > 20:
            return web.json_response({"code": "invalidParameter.userIds", "message": "userIds 最多 20 个"},
                                     status=400)
        fake.record("users", list(users), body["msgKey"], param or {})
        invalid = [u for u in users if u not in fake.users]
        return web.json_response({"processQueryKey": uuid.uuid4().hex, "invalidStaffIdList": invalid,
                                  "flowControlledStaffIdList": []})

    async def webhook(request: web.Request) -> web.Response:
        conversation, expiry = fake.webhooks.get(request.query.get("session", ""), ("", 0.0))
        if expiry < time.time():
            return web.json_response({"errcode": 300001, "errmsg": "session 已过期"})
        body = await request.json()
        if body.get("msgtype") == "text":
            param = {"content": (body.get("text") or {}).get("content", "")}
        elif body.get("msgtype") == "markdown":
            md = body.get("markdown") or {}
            param = {"title": md.get("title", ""), "content": md.get("text", "")}
        else:
            return web.json_response({"errcode": 40035, "errmsg": "不支持的消息类型"})
        fake.record("webhook", conversation, body["msgtype"], param)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def gettoken(request: web.Request) -> web.Response:
        if request.query.get("appkey") != fake.client_id or request.query.get("appsecret") != fake.client_secret:
            return web.json_response({"errcode": 40089, "errmsg": "不合法的appkey或appsecret"})
        token = "ot-" + uuid.uuid4().hex
        fake.oapi_tokens[token] = time.time() + TOKEN_SECONDS
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": TOKEN_SECONDS})

    async def upload(request: web.Request) -> web.Response:
        if not oapi_token_ok(request):
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if request.query.get("type") not in ("file", "image", "voice", "video"):
            return web.json_response({"errcode": 40004, "errmsg": "type 不合法"})
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return web.json_response({"errcode": 40006, "errmsg": "缺少 media 文件"})
        media_id = "@lA" + uuid.uuid4().hex
        fake.media[media_id] = (media.filename or "", media.file.read())
        return web.json_response({"errcode": 0, "errmsg": "ok", "media_id": media_id,
                                  "type": request.query["type"], "created_at": int(time.time() * 1000)})

    async def listsub(request: web.Request) -> web.Response:
        if not oapi_token_ok(request):
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        body = await request.json()
        parent = int(body.get("dept_id") or 1)
        if parent not in fake.departments:
            return web.json_response({"errcode": 60003, "errmsg": "部门不存在"})
        children = [d for d in fake.departments.values() if d["parent_id"] == parent]
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": children})

    async def user_list(request: web.Request) -> web.Response:
        if not oapi_token_ok(request):
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        body = await request.json()
        dept, cursor, size = int(body.get("dept_id") or 1), int(body.get("cursor") or 0), int(body.get("size") or 0)
        if not 1 <= size <= 100:
            return web.json_response({"errcode": 40035, "errmsg": "size 应在 1–100"})
        if dept not in fake.departments:
            return web.json_response({"errcode": 60003, "errmsg": "部门不存在"})
        people = sorted((u for u in fake.users.values() if dept in u["dept_id_list"]), key=lambda u: u["userid"])
        page = people[cursor:cursor + size]
        more = cursor + size < len(people)
        result: dict[str, Any] = {"has_more": more, "list": page}
        if more:
            result["next_cursor"] = cursor + size
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": result})

    for method, path, handler in (
        ("POST", "/v1.0/oauth2/accessToken", access_token),
        ("POST", "/v1.0/robot/groupMessages/send", group_send),
        ("POST", "/v1.0/robot/oToMessages/batchSend", batch_send),
        ("POST", "/robot/sendBySession", webhook),
        ("GET", "/gettoken", gettoken),
        ("POST", "/media/upload", upload),
        ("POST", "/topapi/v2/department/listsub", listsub),
        ("POST", "/topapi/v2/user/list", user_list),
    ):
        app.router.add_route(method, path, guarded(handler))


def robot_message(fake: FakeDingTalk, userid: str, text: str = "", group: str | None = None, msgtype: str = "text",
                  msg_id: str | None = None) -> dict:
    """The robot message DingTalk would push for ``userid`` saying ``text`` (in private without ``group``).

    In a group only @-mentions reach a robot; its ``@name`` is cut out of ``text.content`` but the space
    after it is kept. ``msgtype='richText'`` keeps the ``@name`` as some clients send it."""
    now_ms = int(time.time() * 1000)
    session = uuid.uuid4().hex
    with fake.lock:
        fake.webhooks[session] = (group or f"private:{userid}", time.time() + WEBHOOK_MINUTES * 60)
        name = fake.users.get(userid, {}).get("name", userid)
    data: dict[str, Any] = {
        "conversationId": group or f"cidp{abs(hash(userid)) % 10**12}==",
        "chatbotCorpId": "dingcorp", "chatbotUserId": "$:LWCP_v1:$robot", "msgId": msg_id or f"msg{uuid.uuid4().hex}",
        "senderNick": name, "isAdmin": False, "senderStaffId": userid,
        "sessionWebhookExpiredTime": now_ms + WEBHOOK_MINUTES * 60_000, "createAt": now_ms,
        "senderCorpId": "dingcorp", "conversationType": "2" if group else "1",
        "senderId": f"$:LWCP_v1:${userid}", "sessionWebhook": f"{fake.base}/robot/sendBySession?session={session}",
        "robotCode": fake.client_id, "msgtype": msgtype,
    }
    if group:
        data.update(conversationTitle=fake.groups.get(group, ""), isInAtList=True,
                    atUsers=[{"dingtalkId": "$:LWCP_v1:$robot"}])
    if msgtype == "text":
        data["text"] = {"content": (" " + text) if group else text}
    elif msgtype == "richText":
        data["content"] = {"richText": [{"text": (f"@{fake.robot_name} " + text) if group else text}]}
    elif msgtype == "picture":
        data["content"] = {"downloadCode": "dc-" + uuid.uuid4().hex, "pictureDownloadCode": "p"}
    else:
        data["content"] = {"downloadCode": "dc-" + uuid.uuid4().hex, "fileName": text or "x.bin"}
    return data

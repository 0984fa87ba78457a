"""A fake DingTalk on 127.0.0.1: the Stream gateway (HTTP open + WebSocket) and the OpenAPI calls the bot
makes, on one free port, in a thread of its own. The official ``dingtalk-stream`` SDK and the bot's own
HTTP client talk to it unmodified: point ``DINGTALK_OPENAPI_ENDPOINT`` (read by the SDK at import) and
``[dingtalk] api_base``/``oapi_base`` at ``fake.base``.

What it does as DingTalk does (issue 24, "Protocol facts"): a one-time ticket per connection; JSON frames;
each robot message goes to ONE open connection chosen at random and waits for an ack (code 200 and its
messageId), or is delivered again (same ``msgId``) when the connection closes first or no ack comes in
time; SYSTEM ``ping`` frames whose ``opaque`` must be echoed; SYSTEM ``disconnect`` followed by the close
``disconnect_grace`` seconds later; a socket that drops without a close frame. Faults are injected from the
test (``throttle``, ``fail_next``, ``expire_tokens``, ``drop``, ``freeze``, ``disconnect``).

The test-control API is plain Python, callable from any thread: ``say()`` a message from a user in a group
or in private, read ``sent()`` back, count ``open_connections()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fake_dingtalk_api import robot_message, routes

TOPIC = "/v1.0/im/bot/messages/get"
CLIENT_ID = "dingunionbottest"
CLIENT_SECRET = "fake-secret-0123456789"


@dataclass
class Conn:
    id: str
    ws: web.WebSocketResponse
    transport: Any
    opened_at: float
    draining: bool = False  # sent 'disconnect': no new messages go here
    frozen: bool = False  # silently dead: nothing goes here, nothing comes back
    unacked: dict[str, dict] = field(default_factory=dict)  # frame messageId -> robot message data


class FakeDingTalk:
    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET, *, ping_interval: float = 5.0,
                 disconnect_grace: float = 10.0, ack_timeout: float = 8.0, seed: int | None = None,
                 robot_name: str = "工会助手") -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.robot_name = robot_name
        self.ping_interval, self.disconnect_grace, self.ack_timeout = ping_interval, disconnect_grace, ack_timeout
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.port = 0
        self.ids = itertools.count(1)
        self.conns: dict[str, Conn] = {}
        self.tickets: dict[str, float] = {}  # ticket -> expiry
        self.queue: list[dict] = []  # messages waiting for a connection
        self.tokens: dict[str, float] = {}  # new-API tokens -> expiry
        self.oapi_tokens: dict[str, float] = {}
        self.webhooks: dict[str, tuple[str, float]] = {}  # session -> (conversation, expiry)
        self.groups: dict[str, str] = {}  # openConversationId -> title
        self.users: dict[str, dict] = {}  # userid -> {userid, name, dept_id_list, title}
        self.departments: dict[int, dict] = {1: {"dept_id": 1, "name": "学校", "parent_id": 0}}
        self.media: dict[str, tuple[str, bytes]] = {}  # media_id -> (file name, bytes)
        self._sent: list[dict] = []
        self.acks: list[dict] = []  # every ack frame received: {messageId, code, connection}
        self.pongs = 0  # pings answered with the right opaque
        self.pings: dict[str, str] = {}  # ping messageId -> opaque
        self.calls: list[tuple[str, str]] = []  # (method, path) of every HTTP call
        self.opened = 0  # connections ever opened
        self.faults: list[dict] = []  # injected failures, consumed in order
        self.paused_delivery = False
        self.before_open: Callable[[], Awaitable[None]] | None = None  # awaited by /connections/open (a slow one)
        self.closures: list[tuple[str, int | None]] = []  # (connection, close code: 1000 when the bot closed it)
        self.errors: list[str] = []  # what went wrong inside the fake (a test may assert it is empty)
        self._later: set[asyncio.Future] = set()  # redeliveries in flight (kept referenced)

    # --- lifecycle --------------------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeDingTalk:
        ready = threading.Event()

        def serve() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            runner = web.AppRunner(self._app(), handle_signals=False, access_log=None)
            self.loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            self.loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self._runner = runner
            self._ticker_task = self.loop.create_task(self._ticker())
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(runner.cleanup())
            self.loop.close()

        self.thread = threading.Thread(target=serve, name="fake-dingtalk", daemon=True)
        self.thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self.loop is None:
            return
        self._call(self._close_all)
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not None:
            self.thread.join(10)
        self.loop = None

    def _call(self, fn: Callable[..., Any], *args: Any, wait: bool = True) -> Any:
        """Run ``fn`` (sync or async) on the fake's loop, from a test's thread."""
        assert self.loop is not None

        async def run() -> Any:
            result = fn(*args)
            return await result if asyncio.iscoroutine(result) else result

        future = asyncio.run_coroutine_threadsafe(run(), self.loop)
        return future.result(10) if wait else None

    # --- test control: people, groups, messages ---------------------------------------------------

    def add_department(self, dept_id: int, name: str, parent_id: int = 1) -> None:
        with self.lock:
            self.departments[dept_id] = {"dept_id": dept_id, "name": name, "parent_id": parent_id}

    def add_user(self, userid: str, name: str, dept_id: int = 1, title: str = "") -> None:
        with self.lock:
            self.users[userid] = {"userid": userid, "unionid": f"union-{userid}", "name": name, "title": title,
                                  "dept_id_list": [dept_id]}

    def remove_user(self, userid: str) -> None:
        with self.lock:
            self.users.pop(userid, None)

    def add_group(self, title: str, conversation_id: str | None = None) -> str:
        cid = conversation_id or f"cid{uuid.uuid4().hex[:20]}=="
        with self.lock:
            self.groups[cid] = title
        return cid

    def message(self, userid: str, text: str = "", group: str | None = None, msgtype: str = "text",
                msg_id: str | None = None) -> dict:
        """The robot message DingTalk would push for ``userid`` saying ``text`` (in private without ``group``);
        see tests/fake_dingtalk_api.robot_message."""
        return robot_message(self, userid, text, group, msgtype, msg_id)

    def say(self, userid: str, text: str = "", group: str | None = None, msgtype: str = "text",
            msg_id: str | None = None) -> dict:
        """Push a message to one open connection (or keep it until one opens). Returns the message data."""
        data = self.message(userid, text, group, msgtype, msg_id)
        self._call(self._deliver, data)
        return data

    def replay(self, data: dict) -> None:
        """Push the same message (same ``msgId``) again, as DingTalk does when it saw no ack."""
        self._call(self._deliver, dict(data))

    # --- test control: what was sent --------------------------------------------------------------

    def sent(self, pred: Callable[[dict], bool] | None = None) -> list[dict]:
        """Everything the robot sent: {via: group|users|webhook, to, msgKey, param, text, at}."""
        with self.lock:
            items = list(self._sent)
        return [s for s in items if pred is None or pred(s)]

    def wait_sent(self, pred: Callable[[dict], bool], timeout: float = 60, after: int = 0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for s in self.sent()[after:]:
                if pred(s):
                    return s
            time.sleep(0.05)
        raise TimeoutError(f"nothing matching was sent in {timeout} s; sent: {self.sent()[-5:]}")

    def open_connections(self) -> int:
        with self.lock:
            return sum(1 for c in self.conns.values() if not c.ws.closed)

    def acked(self, message_id: str) -> bool:
        with self.lock:
            return any(a["messageId"] == message_id and a["code"] == 200 for a in self.acks)

    # --- test control: faults ---------------------------------------------------------------------

    def throttle(self, path: str, times: int = 1) -> None:
        """The next ``times`` calls to ``path`` get 403 with a QpsLimit code, as DingTalk throttles."""
        self.fail_next(path, 403, {"code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
                                   "message": "调用频率超过限制", "requestid": "fake"}, times)

    def fail_next(self, path: str, status: int, body: dict, times: int = 1) -> None:
        with self.lock:
            self.faults.append({"path": path, "status": status, "body": body, "times": times})

    def oapi_error(self, path: str, errcode: int, errmsg: str, times: int = 1) -> None:
        """An old-style oapi failure: HTTP 200 with a non-zero errcode."""
        self.fail_next(path, 200, {"errcode": errcode, "errmsg": errmsg, "request_id": "fake"}, times)

    def expire_tokens(self) -> None:
        """Every access token issued so far stops working (as after its ~2 h)."""
        with self.lock:
            self.tokens.clear()
            self.oapi_tokens.clear()

    def expire_webhooks(self) -> None:
        with self.lock:
            self.webhooks = {k: (c, 0.0) for k, (c, _) in self.webhooks.items()}

    def disconnect(self, grace: float | None = None) -> int:
        """SYSTEM disconnect to every open connection; each socket is closed ``grace`` s later."""
        return self._call(self._disconnect_all, self.disconnect_grace if grace is None else grace)

    def drop(self) -> int:
        """Cut every open socket without a close frame."""
        return self._call(self._drop_all)

    def freeze(self) -> int:
        """Every open connection goes silent (no pings, no messages) while its socket stays open."""
        return self._call(self._freeze_all)

    # --- the WebSocket side -----------------------------------------------------------------------

    async def _deliver(self, data: dict) -> None:
        live = [c for c in self.conns.values() if not (c.ws.closed or c.draining or c.frozen)]
        if not live or self.paused_delivery:
            self.queue.append(data)
            return
        conn = self.rng.choice(live)
        message_id = uuid.uuid4().hex
        conn.unacked[message_id] = data
        frame = {"specVersion": "1.0", "type": "CALLBACK",
                 "headers": {"appId": self.client_id, "connectionId": conn.id, "contentType": "application/json",
                             "messageId": message_id, "time": str(int(time.time() * 1000)), "topic": TOPIC},
                 "data": json.dumps(data, ensure_ascii=False)}
        try:
            await conn.ws.send_str(json.dumps(frame, ensure_ascii=False))
        except (ConnectionError, RuntimeError):
            conn.unacked.pop(message_id, None)
            self.queue.append(data)
            return
        self.loop.call_later(self.ack_timeout, self._check_ack, conn, message_id)  # type: ignore[union-attr]

    def _check_ack(self, conn: Conn, message_id: str) -> None:
        data = conn.unacked.pop(message_id, None)
        if data is not None:  # no ack in time: DingTalk pushes it again
            self._later.add(task := asyncio.ensure_future(self._deliver(data)))
            task.add_done_callback(self._later.discard)

    async def _flush_queue(self) -> None:
        waiting, self.queue = self.queue, []
        for data in waiting:
            await self._deliver(data)

    async def _open(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(("POST", request.path))
        if self.before_open is not None:
            await self.before_open()
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response({"code": "invalidClientIdOrSecret", "message": "无效的 clientId 或 clientSecret",
                                      "requestid": "fake"}, status=401)
        topics = [s.get("topic") for s in body.get("subscriptions", []) if s.get("type") == "CALLBACK"]
        if TOPIC not in topics:
            return web.json_response({"code": "invalidParameter", "message": "subscriptions"}, status=400)
        ticket = uuid.uuid4().hex
        self.tickets[ticket] = time.time() + 90
        return web.json_response({"endpoint": f"ws://127.0.0.1:{self.port}/connect", "ticket": ticket})

    async def _connect(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if self.tickets.pop(ticket, 0) < time.time():  # single use, ~90 s
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = Conn(f"conn-{next(self.ids)}", ws, request.transport, time.time())
        with self.lock:
            self.conns[conn.id] = conn
            self.opened += 1
        await self._flush_queue()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT and not conn.frozen:
                    self._on_frame(conn, json.loads(msg.data))
        finally:
            with self.lock:
                self.conns.pop(conn.id, None)
                self.closures.append((conn.id, ws.close_code))
            for data in conn.unacked.values():  # never acked: it goes to another connection
                await self._deliver(data)
            conn.unacked.clear()
        return ws

    def _on_frame(self, conn: Conn, frame: dict) -> None:
        message_id = (frame.get("headers") or {}).get("messageId", "")
        code = frame.get("code")
        with self.lock:
            self.acks.append({"messageId": message_id, "code": code, "connection": conn.id})
        if message_id in self.pings:
            try:
                echoed = json.loads(frame.get("data") or "{}").get("opaque")
            except (TypeError, ValueError):
                echoed = None
            if echoed == self.pings.pop(message_id) and code == 200:
                self.pongs += 1
        elif code == 200:
            conn.unacked.pop(message_id, None)

    async def _system(self, conn: Conn, topic: str, data: dict) -> None:
        message_id = uuid.uuid4().hex
        if topic == "ping":
            self.pings[message_id] = data["opaque"]
        frame = {"specVersion": "1.0", "type": "SYSTEM",
                 "headers": {"contentType": "application/json", "messageId": message_id,
                             "time": str(int(time.time() * 1000)), "topic": topic},
                 "data": json.dumps(data)}
        with contextlib.suppress(ConnectionError, RuntimeError):
            await conn.ws.send_str(json.dumps(frame))
        if conn.ws.closed:
            self.pings.pop(message_id, None)

    async def _ticker(self) -> None:
        """SYSTEM pings to every live connection, and retry of queued messages."""
        while True:
            await asyncio.sleep(self.ping_interval)
            try:
                for conn in list(self.conns.values()):
                    if not (conn.ws.closed or conn.frozen):
                        await self._system(conn, "ping", {"opaque": uuid.uuid4().hex})
                if self.queue:
                    await self._flush_queue()
            except Exception as exc:  # a socket closing under us: the next round goes on
                self.errors.append(repr(exc))

    async def _disconnect_all(self, grace: float) -> int:
        conns = [c for c in self.conns.values() if not (c.ws.closed or c.draining)]
        for conn in conns:
            conn.draining = True
            await self._system(conn, "disconnect", {"reason": "load balance"})
            self.loop.call_later(grace, lambda c=conn: asyncio.ensure_future(c.ws.close()))  # type: ignore[union-attr]
        return len(conns)

    async def _drop_all(self) -> int:
        conns = [c for c in self.conns.values() if not c.ws.closed]
        for conn in conns:
            if conn.transport is not None:
                conn.transport.abort()  # no close frame: the client sees the TCP connection die
        return len(conns)

    async def _freeze_all(self) -> int:
        conns = [c for c in self.conns.values() if not c.ws.closed]
        for conn in conns:
            conn.frozen = True
        return len(conns)

    async def _close_all(self) -> None:
        self._ticker_task.cancel()
        for conn in list(self.conns.values()):
            with contextlib.suppress(Exception):
                await conn.ws.close()

    # --- the OpenAPI side -------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1.0/gateway/connections/open", self._open)
        app.router.add_get("/connect", self._connect)
        routes(self, app)
        return app

    def record(self, via: str, to: str | list[str], msg_key: str, param: dict) -> None:
        with self.lock:
            self._sent.append({"via": via, "to": to, "msgKey": msg_key, "param": param,
                               "text": param.get("content", "") if isinstance(param, dict) else "",
                               "at": time.time()})

    def fault_for(self, path: str) -> dict | None:
        with self.lock:
            for fault in self.faults:
                if fault["path"] == path:
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

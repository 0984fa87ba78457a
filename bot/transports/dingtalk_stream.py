"""DingTalk Stream mode: one outgoing WebSocket, kept alive by us around the official SDK.

The SDK (``dingtalk-stream`` 0.24.3, pinned) does the protocol: ``open_connection`` (the HTTP call that
returns an endpoint and a one-time ticket), frame parsing, acks (code 200 and the frame's messageId) and
the echo of a ping's ``opaque``. Its own ``start()`` loop is not used, because of what other bots on this
platform ran into (issue 24, "Traps"):

- ``open_connection`` is a blocking ``requests`` call: it runs in a thread, never on the event loop that
  serves the scheduler and the outbox;
- after a SYSTEM ``disconnect`` we open a new connection at once (the server closes the old one ~10 s
  later and sends it nothing more);
- a socket that drops gets a new connection after a back-off of 1 s, doubling to 30 s (the SDK waits a
  fixed 10 s), reset once a connection has lived a minute;
- an idle watchdog: nothing at all (not even a ping) for ``IDLE_SECONDS`` means a silently dead socket,
  which would swallow the messages DingTalk routes to it: a new connection replaces it;
- stop (SIGTERM) closes the socket before the process exits (the SDK has no stop), so DingTalk does not
  keep routing messages to a connection nobody reads;
- only the process that holds the union's leader lock opens a stream (``may_connect``): DingTalk gives
  each message to one open connection at random, so a second process would steal a share of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote_plus

log = logging.getLogger(__name__)

ROBOT_TOPIC = "/v1.0/im/bot/messages/get"
IDLE_SECONDS = float(os.environ.get("UNIONBOT_DINGTALK_IDLE_SECONDS", "60"))  # tests shorten it
MIN_BACKOFF, MAX_BACKOFF = 1.0, 30.0
HEALTHY_SECONDS = 60.0  # a connection that lived this long resets the back-off
LEADER_POLL_SECONDS = 2.0
OPEN_TIMEOUT = 15.0


def load_sdk(api_base: str) -> Any:
    """Import the SDK with its endpoint pointed at ``api_base`` (it reads DINGTALK_OPENAPI_ENDPOINT once, at
    import). A process that imported it earlier with another endpoint cannot be re-pointed: say so."""
    os.environ["DINGTALK_OPENAPI_ENDPOINT"] = api_base.rstrip("/")
    import dingtalk_stream

    wanted = api_base.rstrip("/") + "/v1.0/gateway/connections/open"
    if wanted != dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API:
        raise RuntimeError(f"dingtalk_stream was imported earlier with another endpoint "
                           f"({dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API}); wanted {wanted}")
    for name in ("dingtalk_stream.client", "dingtalk_stream.handler"):
        # The SDK warns about every ping ('unknown message topic'): only its errors are worth a line.
        logging.getLogger(name).setLevel(logging.ERROR)
    return dingtalk_stream


OnMessage = Callable[[dict], Awaitable[None]]


class StreamLink:
    """Keeps one stream open while ``may_connect()`` says this process may hold it."""

    def __init__(self, client_id: str, client_secret: str, api_base: str, on_message: OnMessage,
                 stopping: asyncio.Event, may_connect: Callable[[], bool] = lambda: True,
                 on_alive: Callable[[], None] = lambda: None,
                 before_close: Callable[[], Awaitable[None]] | None = None) -> None:
        sdk = load_sdk(api_base)
        import websockets

        self.websockets = websockets
        self.sdk = sdk
        self.client = sdk.DingTalkStreamClient(sdk.Credential(client_id, client_secret),
                                               logger=logging.getLogger("dingtalk_stream.client"))
        self.client.register_callback_handler(ROBOT_TOPIC, _Robot(sdk, on_message))
        self.client.pre_start()
        self.stopping = stopping
        self.may_connect = may_connect
        self.on_alive = on_alive
        self.before_close = before_close
        self.connected = asyncio.Event()  # a stream is open now
        self.connections = 0  # opened since start (for tests and logs)
        self.last_frame = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        backoff = MIN_BACKOFF
        waiting_logged = False
        while not self.stopping.is_set():
            if not self.may_connect():
                if not waiting_logged:
                    log.warning("another unionbot process of this union holds the DingTalk stream (the leader "
                                "lock); this one opens none, so it cannot take messages from it, and waits")
                    waiting_logged = True
                await self._sleep(LEADER_POLL_SECONDS)
                continue
            waiting_logged = False
            started = loop.time()
            why = await self._one_connection(loop)
            if self.stopping.is_set():
                break
            if why == "disconnect":
                log.info("DingTalk asked this connection to go (disconnect): opening a new one now")
                backoff = MIN_BACKOFF
                continue
            if loop.time() - started >= HEALTHY_SECONDS:
                backoff = MIN_BACKOFF
            log.warning("DingTalk stream %s; reconnecting in %.0f s", why, backoff)
            await self._sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _one_connection(self, loop: asyncio.AbstractEventLoop) -> str:
        """Open, serve and close one connection; the reason it ended."""
        # requests.post inside, with no timeout: blocking, so in a thread of its own (a daemon: one that hangs
        # must not hold up the process's exit), and never waited for past OPEN_TIMEOUT or a stop.
        opening = _in_daemon_thread(loop, self.client.open_connection)
        stop = asyncio.ensure_future(self.stopping.wait())
        try:
            done, _ = await asyncio.wait({opening, stop}, timeout=OPEN_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if self.stopping.is_set():
            return "stopping"
        if opening not in done:
            return "open timed out"
        try:
            opened = opening.result()
        except Exception as exc:
            return f"could not be opened ({exc})"
        if not opened or not opened.get("endpoint") or not opened.get("ticket"):
            return "could not be opened (see the error above: credentials, network, or the app's Stream mode)"
        uri = f'{opened["endpoint"]}?ticket={quote_plus(opened["ticket"])}'
        try:
            # The server pings in frames (watched below); the library's own pings would only add traffic.
            async with self.websockets.connect(uri, ping_interval=None, close_timeout=2, open_timeout=OPEN_TIMEOUT,
                                               max_size=16 * 1024 * 1024) as ws:
                self.client.websocket = ws
                self.connections += 1
                self.connected.set()
                self.on_alive()
                log.info("DingTalk stream connected")
                try:
                    why = await self._serve(ws, loop)
                finally:
                    self.connected.clear()
                if why in ("idle", "stopping"):
                    if why == "stopping" and self.before_close is not None:
                        await self.before_close()  # the post in hand goes out while the stream is still ours
                    if why == "idle":
                        _abort(ws)  # a dead peer would never answer the close handshake
                return why
        except (OSError, TimeoutError, self.websockets.exceptions.WebSocketException) as exc:
            return f"lost ({exc or type(exc).__name__})"

    async def _serve(self, ws: Any, loop: asyncio.AbstractEventLoop) -> str:
        self.last_frame = loop.time()
        reader = asyncio.create_task(self._read(ws, loop))
        stop = asyncio.create_task(self.stopping.wait())
        try:
            while True:
                done, _ = await asyncio.wait({reader, stop}, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
                if reader in done:
                    return reader.result()
                if stop in done:
                    return "stopping"
                if loop.time() - self.last_frame > IDLE_SECONDS:
                    log.warning("nothing from DingTalk for %.0f s, not even a ping: the connection is dead",
                                IDLE_SECONDS)
                    return "idle"
        finally:
            for task in (reader, stop):
                task.cancel()
            await asyncio.gather(reader, stop, return_exceptions=True)

    async def _read(self, ws: Any, loop: asyncio.AbstractEventLoop) -> str:
        async for raw in ws:
            self.last_frame = loop.time()
            self.on_alive()
            try:
                frame = json.loads(raw)
            except ValueError:
                log.warning("unreadable frame from DingTalk: %.200r", raw)
                continue
            # The SDK routes the frame: the robot handler below for messages, its system handler for
            # ping (echoes the opaque) and disconnect, and it sends the ack on this socket.
            if await self.client.route_message(frame) == self.client.TAG_DISCONNECT:
                return "disconnect"
        return "closed by DingTalk"

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)


class _Robot:
    """The SDK's callback handler for robot messages, handing each message's data to ``on_message``.

    The ack is sent when ``on_message`` returns: by then the message id is stored (the pipeline's replay
    check), so a message DingTalk pushes again (no ack seen) is answered once."""

    def __new__(cls, sdk: Any, on_message: OnMessage) -> Any:
        class Robot(sdk.CallbackHandler):  # type: ignore[misc, name-defined]
            async def process(self, callback: Any) -> tuple[int, str]:
                try:
                    await on_message(callback.data)
                except Exception:
                    log.exception("could not handle a DingTalk message")
                    return sdk.AckMessage.STATUS_SYSTEM_EXCEPTION, "error"
                return sdk.AckMessage.STATUS_OK, "OK"

        return Robot()


def _in_daemon_thread(loop: asyncio.AbstractEventLoop, fn: Callable[[], Any]) -> asyncio.Future:
    future: asyncio.Future = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if not future.done():
            future.set_exception(error) if error is not None else future.set_result(result)

    def work() -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="dingtalk-open", daemon=True).start()
    return future


def _abort(ws: Any) -> None:
    transport = getattr(ws, "transport", None)
    if transport is not None:
        transport.abort()

"""DingTalk OpenAPI over HTTP, synchronous (the transport calls it from worker threads, one call at a time
per sender; it is safe to share between threads).

Two API generations answer differently, and both are used:
- the new API (``api_base``, api.dingtalk.com): token in ``x-acs-dingtalk-access-token``; a bad token is
  HTTP 400 ``InvalidAuthentication``, throttling HTTP 403 with a code containing ``QpsLimit``;
- the old oapi (``oapi_base``, oapi.dingtalk.com): token as ``?access_token=``; errors are HTTP 200 with a
  non-zero ``errcode``. File upload and the directory only exist there.

An expired token is fetched again and the call retried once; nothing else is retried here: a failed send
goes back to the outbox, which retries it with back-off (see ``DingTalkThrottled``).
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import requests

log = logging.getLogger(__name__)

CONSOLE_CREDENTIALS = ("钉钉开发者后台（open-dev.dingtalk.com）→ 应用开发 → 企业内部应用 → 本应用 → "
                       "凭证与基础信息：核对 Client ID 和 Client Secret")
CONSOLE_PERMISSIONS = "钉钉开发者后台 → 本应用 → 开发配置 → 权限管理：申请所缺权限，然后在 版本管理与发布 中发布新版本"
TIMEOUT = (5.0, 30.0)  # connect, read (seconds)
TOKEN_MARGIN = 300.0  # fetch a new token this long before the old one runs out
BATCH_USERS = 20  # oToMessages/batchSend takes at most 20 userIds a call
PAGE_SIZE = 100  # topapi/v2/user/list takes size 1..100
# oapi errcodes meaning "this token is no good": fetch a new one and retry once.
OAPI_BAD_TOKEN = {40001, 40014, 41001, 42001}
# oapi errcodes meaning "too many calls": the caller backs off.
OAPI_THROTTLED = {88, 90002, 90005, 90006, 90018}
FILE_TYPES = ("xlsx", "xls", "docx", "doc", "pdf", "pptx", "ppt", "zip", "rar", "txt", "csv")


class DingTalkError(Exception):
    """A call DingTalk refused or that did not reach it; the text is safe to log."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class DingTalkAuthError(DingTalkError):
    """Wrong Client ID / Client Secret: the message names the console page to check."""


class DingTalkThrottled(DingTalkError):
    """DingTalk's flow control (HTTP 403 …QpsLimit… or an oapi flow-control errcode). Nothing was sent by the
    refused call; ``sent_user_ids`` lists people an earlier chunk of the same batch already reached, so a
    caller that splits work can avoid sending them the text twice."""

    def __init__(self, message: str, code: str = "", sent_user_ids: tuple[str, ...] = ()) -> None:
        super().__init__(message, code)
        self.sent_user_ids = sent_user_ids


class Meter(Protocol):
    """Where metered calls (robot sends, uploads) are counted; see bot/dingtalk/meter.py."""

    def add(self, calls: int = 1) -> None: ...


@dataclass(frozen=True)
class Department:
    dept_id: int
    name: str
    parent_id: int


@dataclass(frozen=True)
class DirectoryUser:
    userid: str
    name: str
    title: str
    dept_ids: tuple[int, ...]


class RateLimiter:
    """At most ``per_second`` calls in any one-second window, across threads (DingTalk allows about 20 a
    second per app; going over gets 403 QpsLimit)."""

    def __init__(self, per_second: int = 20, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_second = per_second
        self.clock = clock
        self.sleep = sleep
        self.recent: collections.deque[float] = collections.deque()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            while True:
                now = self.clock()
                while self.recent and self.recent[0] <= now - 1.0:
                    self.recent.popleft()
                if len(self.recent) < self.per_second:
                    self.recent.append(now)
                    return
                self.sleep(self.recent[0] + 1.0 - now)


def file_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext if ext in FILE_TYPES else "file"


class DingTalkApi:
    def __init__(self, client_id: str, client_secret: str, robot_code: str = "", *,
                 api_base: str = "https://api.dingtalk.com", oapi_base: str = "https://oapi.dingtalk.com",
                 meter: Meter | None = None, limiter: RateLimiter | None = None) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.robot_code = robot_code or client_id
        self.api_base = api_base.rstrip("/")
        self.oapi_base = oapi_base.rstrip("/")
        self.meter = meter
        self.limiter = limiter or RateLimiter()
        self._token: tuple[str, float] = ("", 0.0)
        self._oapi_token: tuple[str, float] = ("", 0.0)
        self._token_lock = threading.Lock()
        self._local = threading.local()

    @classmethod
    def from_config(cls, config: Any, meter: Meter | None = None) -> DingTalkApi:
        """From a loaded Config (its ``dingtalk`` section)."""
        d = config.dingtalk
        return cls(d.client_id, d.client_secret, d.robot_code, api_base=d.api_base, oapi_base=d.oapi_base,
                   meter=meter)

    # ---- HTTP plumbing ----

    @property
    def _http(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _request(self, method: str, url: str, **kw: Any) -> requests.Response:
        self.limiter.wait()
        try:
            return self._http.request(method, url, timeout=TIMEOUT, **kw)
        except requests.RequestException as exc:
            raise DingTalkError(f"无法连接钉钉（{url.split('?')[0]}）：{exc.__class__.__name__}") from exc

    @staticmethod
    def _json(resp: requests.Response) -> dict:
        try:
            body = resp.json()
        except ValueError:
            body = None
        return body if isinstance(body, dict) else {}

    def access_token(self, force: bool = False) -> str:
        """The new API's token (about 2 h), fetched once and shared."""
        with self._token_lock:
            token, until = self._token
            if token and not force and time.monotonic() < until:
                return token
            resp = self._request("POST", f"{self.api_base}/v1.0/oauth2/accessToken",
                                 json={"appKey": self.client_id, "appSecret": self.client_secret})
            body = self._json(resp)
            if resp.status_code != 200 or not body.get("accessToken"):
                code = str(body.get("code", resp.status_code))
                if resp.status_code in (400, 401, 403) and "qpslimit" not in code.lower():
                    raise DingTalkAuthError(f"钉钉拒绝了应用凭证（{code}）。请到 {CONSOLE_CREDENTIALS}", code)
                raise self._new_api_error(resp.status_code, body)
            expires = float(body.get("expireIn") or 7200)
            self._token = (body["accessToken"], time.monotonic() + max(60.0, expires - TOKEN_MARGIN))
            return self._token[0]

    def oapi_token(self, force: bool = False) -> str:
        """The old oapi's token (``GET /gettoken``), for uploads and the directory."""
        with self._token_lock:
            token, until = self._oapi_token
            if token and not force and time.monotonic() < until:
                return token
            resp = self._request("GET", f"{self.oapi_base}/gettoken",
                                 params={"appkey": self.client_id, "appsecret": self.client_secret})
            body = self._json(resp)
            if resp.status_code != 200 or body.get("errcode", -1) != 0 or not body.get("access_token"):
                code = str(body.get("errcode", resp.status_code))
                if code in ("40089", "40088", "40096") or resp.status_code in (400, 401, 403):
                    raise DingTalkAuthError(f"钉钉拒绝了应用凭证（{code}）。请到 {CONSOLE_CREDENTIALS}", code)
                raise DingTalkError(f"钉钉 gettoken 失败：{code} {body.get('errmsg', '')}".strip(), code)
            expires = float(body.get("expires_in") or 7200)
            self._oapi_token = (body["access_token"], time.monotonic() + max(60.0, expires - TOKEN_MARGIN))
            return self._oapi_token[0]

    @staticmethod
    def _new_api_error(status: int, body: dict) -> DingTalkError:
        code = str(body.get("code") or status)
        message = str(body.get("message") or "")
        if (status == 403 and "qpslimit" in code.lower()) or status == 429:
            return DingTalkThrottled(f"钉钉限流（{code}），稍后重试", code)
        if "permission" in code.lower() or "accessdenied" in code.lower():
            return DingTalkError(f"钉钉拒绝：缺少权限（{code} {message}）。请到 {CONSOLE_PERMISSIONS}", code)
        return DingTalkError(f"钉钉返回 HTTP {status}：{code} {message}".strip(), code)

    def _new_api(self, path: str, body: dict) -> dict:
        """POST to the new API; a bad token is fetched again and the call retried once."""
        for attempt in (1, 2):
            token = self.access_token(force=attempt == 2)
            resp = self._request("POST", f"{self.api_base}{path}", json=body,
                                 headers={"x-acs-dingtalk-access-token": token})
            data = self._json(resp)
            if resp.status_code == 200:
                return data
            if resp.status_code in (400, 401) and data.get("code") == "InvalidAuthentication" and attempt == 1:
                log.info("DingTalk token refused on %s; fetching a new one", path)
                continue
            raise self._new_api_error(resp.status_code, data)
        raise AssertionError("unreachable")

    def _oapi(self, method: str, path: str, *, params: dict | None = None, **kw: Any) -> dict:
        """Call the old oapi; errcode 0 or DingTalkError. A bad token is fetched again and retried once."""
        for attempt in (1, 2):
            query = {"access_token": self.oapi_token(force=attempt == 2), **(params or {})}
            resp = self._request(method, f"{self.oapi_base}{path}", params=query, **kw)
            data = self._json(resp)
            if resp.status_code != 200:
                raise DingTalkError(f"钉钉 {path} 返回 HTTP {resp.status_code}", str(resp.status_code))
            errcode = data.get("errcode", 0)
            if errcode == 0:
                return data
            if errcode in OAPI_BAD_TOKEN and attempt == 1:
                continue
            msg = f"钉钉 {path} 出错：{errcode} {data.get('errmsg', '')}".strip()
            if errcode in OAPI_THROTTLED:
                raise DingTalkThrottled(msg, str(errcode))
            if errcode in (60011, 60020, 50004, 60121):  # no permission / IP / out of the app's scope
                msg += f"。请到 {CONSOLE_PERMISSIONS}"
            raise DingTalkError(msg, str(errcode))
        raise AssertionError("unreachable")

    def _count(self, calls: int = 1) -> None:
        if self.meter is None:
            return
        try:
            self.meter.add(calls)
        except Exception:  # counting must never lose a send that already went out
            log.exception("could not count a metered DingTalk call")

    # ---- what the bot uses ----

    def check_credentials(self) -> None:
        """Fetch both tokens afresh: DingTalkAuthError on wrong Client ID / Secret."""
        self.access_token(force=True)
        self.oapi_token(force=True)

    def _message(self, msg_key: str, param: dict) -> dict:
        return {"robotCode": self.robot_code, "msgKey": msg_key,
                "msgParam": json.dumps(param, ensure_ascii=False)}

    def send_group(self, open_conversation_id: str, text: str, *, msg_key: str = "sampleText",
                   param: dict | None = None) -> None:
        """A post to a group the robot is in (metered)."""
        body = {**self._message(msg_key, param or {"content": text}), "openConversationId": open_conversation_id}
        self._new_api("/v1.0/robot/groupMessages/send", body)
        self._count()

    def send_users(self, user_ids: list[str], text: str, *, msg_key: str = "sampleText",
                   param: dict | None = None) -> list[str]:
        """Private posts, 20 people a call (each call metered). Returns the userids DingTalk did not know.
        If a later chunk is throttled, DingTalkThrottled.sent_user_ids names who already got it."""
        unknown: list[str] = []
        done: list[str] = []
        ids = list(dict.fromkeys(u for u in user_ids if u))
        for i in range(0, len(ids), BATCH_USERS):
            chunk = ids[i:i + BATCH_USERS]
            body = {**self._message(msg_key, param or {"content": text}), "userIds": chunk}
            try:
                data = self._new_api("/v1.0/robot/oToMessages/batchSend", body)
            except DingTalkThrottled as exc:
                raise DingTalkThrottled(str(exc), exc.code, tuple(done)) from exc
            self._count()
            bad = [str(u) for u in data.get("invalidStaffIdList") or []]
            held = {str(u) for u in data.get("flowControlledStaffIdList") or []}
            unknown += bad
            done += [u for u in chunk if u not in bad and u not in held]
            if held:
                # DingTalk limits how often one person may be messaged: those did not get it; the outbox
                # retries them later, and ``sent_user_ids`` keeps the others from getting it twice.
                raise DingTalkThrottled(f"钉钉对 {len(held)} 人限流（flowControlledStaffIdList），稍后重试",
                                        "flowControlled", tuple(done))
        if unknown:
            log.warning("DingTalk does not know these userids: %s", ", ".join(unknown))
        return unknown

    send_people = send_users

    def upload(self, name: str, data: bytes) -> str:
        """A file into DingTalk's media store (metered); its media_id."""
        result = self._oapi("POST", "/media/upload", params={"type": "file"},
                            files={"media": (name, data, "application/octet-stream")})
        media_id = result.get("media_id")
        if not media_id:
            raise DingTalkError("钉钉上传文件没有返回 media_id")
        self._count()
        return str(media_id)

    def send_file(self, name: str, data: bytes, *, group: str = "", user_ids: list[str] | None = None) -> None:
        """Upload, then post the file to one group or to people (a sessionWebhook reply cannot carry one)."""
        if bool(group) == bool(user_ids):
            raise ValueError("send_file needs exactly one of group= or user_ids=")
        param = {"mediaId": self.upload(name, data), "fileName": name, "fileType": file_type(name)}
        if group:
            self.send_group(group, "", msg_key="sampleFile", param=param)
        else:
            self.send_users(list(user_ids or []), "", msg_key="sampleFile", param=param)

    def send_file_group(self, open_conversation_id: str, name: str, data: bytes) -> None:
        self.send_file(name, data, group=open_conversation_id)

    def send_file_users(self, user_ids: list[str], name: str, data: bytes) -> None:
        self.send_file(name, data, user_ids=user_ids)

    def reply_webhook(self, session_webhook: str, text: str) -> None:
        """Answer through a message's sessionWebhook (no token; not metered as a proactive send)."""
        resp = self._request("POST", session_webhook, json={"msgtype": "text", "text": {"content": text}})
        data = self._json(resp)
        if resp.status_code != 200 or data.get("errcode", 0) != 0:
            code = str(data.get("errcode", resp.status_code))
            raise DingTalkError(f"钉钉会话回复失败：{code} {data.get('errmsg', '')}".strip(), code)

    def departments(self) -> list[Department]:
        """Every department under the root (dept 1), parents before children. Not metered."""
        found: list[Department] = []
        queue = [1]
        seen = {1}
        while queue:
            parent = queue.pop(0)
            data = self._oapi("POST", "/topapi/v2/department/listsub", json={"dept_id": parent})
            for d in data.get("result") or []:
                dept = Department(int(d["dept_id"]), str(d.get("name", "")), int(d.get("parent_id") or parent))
                if dept.dept_id in seen:
                    continue
                seen.add(dept.dept_id)
                found.append(dept)
                queue.append(dept.dept_id)
        return found

    def users(self, dept_id: int) -> list[DirectoryUser]:
        """The people directly in one department, all pages. Not metered."""
        people: list[DirectoryUser] = []
        cursor = 0
        while True:
            data = self._oapi("POST", "/topapi/v2/user/list",
                              json={"dept_id": dept_id, "cursor": cursor, "size": PAGE_SIZE})
            result = data.get("result") or {}
            for u in result.get("list") or []:
                people.append(DirectoryUser(str(u["userid"]), str(u.get("name", "")), str(u.get("title", "")),
                                            tuple(int(x) for x in u.get("dept_id_list") or [dept_id])))
            if not result.get("has_more"):
                return people
            nxt = result.get("next_cursor")
            if nxt is None or int(nxt) <= cursor:
                raise DingTalkError(f"钉钉通讯录分页异常（部门 {dept_id}，cursor {nxt}）")
            cursor = int(nxt)

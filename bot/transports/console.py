"""The terminal chat: one terminal plays a staff group and private chats.

Lines starting with one of the console's own slash words (/as, /dm, /group,
/now, /paste, /file, /who, /quit) steer the console; everything else is a chat
message from the current speaker. Every message the bot sends is printed with
where it goes, so a piped session is a readable transcript.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shlex
import sys
import uuid
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.clock import FakeClock
from bot.pipeline import Incoming, Outgoing
from handlers.base import Attachment

DEFAULT_GROUP = "全体教职工群"
DEFAULT_SPEAKER = "李老师"
META = ("as", "dm", "group", "now", "paste", "file", "who", "quit", "exit")
HELP = """终端群聊：直接输入消息即以当前身份发言（群里命令以 # 开头）。
  /as 名字或ID   切换发言人（配置中的角色 ID 也可用）
  /dm            切换到与工会助手的私聊      /group   回到群聊
  /now 2027-03-01 08:00   把模拟时钟拨到该时间
  /paste ... /end   发送多行消息（如粘贴整份计划）
  /file 路径     发送文件（如 .docx 计划）   /who   查看当前身份
  /quit          退出"""


class ConsoleChat:
    def __init__(self, app: App, clock: FakeClock, out: TextIO = sys.stdout, files_dir: Path | None = None) -> None:
        self.app = app
        self.clock = clock
        self.out = out
        group = app.config.groups[0] if app.config.groups else None
        self.group_topic = group.label if group else DEFAULT_GROUP
        self.group_id = (group.id if group and group.id else "console-group@chatroom")
        self.speaker_id = DEFAULT_SPEAKER
        self.in_group: set[str] = set()
        self.speaker_name = DEFAULT_SPEAKER
        self.private = False
        self.ids = itertools.count(1)
        # Per session: two sessions on one database (same --now, even) must not share message ids.
        self.session = uuid.uuid4().hex[:12]
        self.files_dir = files_dir or Path("var") / "console-files"
        self.rooms = {g.label: (self.group_id if i == 0 else f"console-{i}@chatroom")
                      for i, g in enumerate(app.config.groups)}
        app.sender.group_room = self.rooms.get
        self.sending = app.sender.ensure_leader()

    def pump(self) -> list[Outgoing]:
        """Let the scheduler see the (fake) time and show whatever the outbox sends now.

        The same tick and outbox as the WeChat transport; only the clock differs.
        """
        if not self.sending:
            return []
        now = self.clock()
        self.app.housekeeping(now)
        self.app.scheduler.tick(now)
        sent: list[Outgoing] = []

        def show(o: Outgoing) -> None:
            sent.append(o)
            self.show(o)

        self.app.sender.drain(now, show)
        return sent

    # --- input ----------------------------------------------------------------

    def run(self, inp: TextIO = sys.stdin, interactive: bool | None = None) -> None:
        interactive = inp.isatty() if interactive is None else interactive
        if interactive:
            self._print(HELP)
            for notice in self.app.notices:
                self._print(f"（{notice}）")
            self._print(f"当前时间 {self._now_text()}，你是“{self.speaker_name}”，在“{self.group_topic}”。")
            self._hint_schedule_year()
            if not self.sending:
                self._print("（另一个工会助手实例正在使用这个数据库发送提醒，本终端不发送提醒。）")
        self.pump()
        lines = iter(inp.readline, "")
        while True:
            if interactive:
                self.out.write(self._prompt())
                self.out.flush()
            line = next(lines, None)
            if line is None:
                break
            line = line.rstrip("\n")
            if not self.feed(line, lines):
                break

    def _hint_schedule_year(self) -> None:
        """The sample plan is for the coming year: say how to get there."""
        year = self.clock().astimezone(self.app.config.tz).year
        years = sorted({it.year for it in self.app.services.schedule.list()})
        if years and year not in years:
            self._print(f"（活动安排在 {years[0]} 年，可输入 /now {years[0]}-03-01 08:00 拨动时钟看看）")

    def feed(self, line: str, more: object = None) -> bool:
        """Handle one input line; False when the console should stop."""
        stripped = line.strip()
        if not stripped:
            return True
        word = stripped[1:].split(maxsplit=1)[0].lower() if stripped.startswith("/") and len(stripped) > 1 else ""
        if word in META:
            keep = self._meta(word, stripped[1 + len(word):].strip(), more)
            self.pump()
            return keep
        self.say(line)
        self.pump()
        return True

    def _meta(self, word: str, arg: str, more: object) -> bool:
        if word in ("quit", "exit"):
            return False
        if word == "as":
            if not arg:
                self._print("用法：/as 名字或联系人ID")
            else:
                self._switch_speaker(arg)
        elif word == "dm":
            self.private = True
            self._print(f"（{self.speaker_name} 与工会助手私聊）")
        elif word == "group":
            self.private = False
            self._print(f"（回到群聊“{self.group_topic}”）")
        elif word == "who":
            where = "私聊" if self.private else f"群聊“{self.group_topic}”"
            self._print(f"（{self.speaker_name}［ID {self.speaker_id}］，{where}，{self._now_text()}）")
        elif word == "now":
            self._set_time(arg)
        elif word == "paste":
            self._paste(more)
        elif word == "file":
            self._send_file(arg)
        return True

    def _switch_speaker(self, key: str) -> None:
        found = self.app.services.members.find(key)
        if len(found) == 1 and found[0].contact_id:
            self.speaker_id, self.speaker_name = found[0].contact_id, found[0].name
        else:
            # A new console member's contact id is its name, so role ids from the config work here.
            self.speaker_id = self.speaker_name = key
        self._print(f"（现在以“{self.speaker_name}”的身份发言）")

    def _set_time(self, arg: str) -> None:
        try:
            when = dt.datetime.fromisoformat(arg.replace("/", "-"))
        except ValueError:
            self._print("用法：/now 2027-03-01 08:00")
            return
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.app.config.tz)
        self.clock.set(when.astimezone(dt.UTC))
        self._print(f"（时间已设为 {self._now_text()}）")

    def _paste(self, more: object) -> None:
        collected = []
        if more is not None:
            for line in more:  # type: ignore[attr-defined]
                if line.strip() == "/end":
                    break
                collected.append(line.rstrip("\n"))
        if collected:
            self.say("\n".join(collected))

    def _send_file(self, arg: str) -> None:
        parts = shlex.split(arg) if arg else []
        if not parts:
            self._print("用法：/file 路径 [附言]")
            return
        path = Path(parts[0]).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._print(f"无法读取 {path}：{exc.strerror or exc}")
            return
        self.say(" ".join(parts[1:]), Attachment(path.name, data))

    # --- the chat -------------------------------------------------------------

    def say(self, text: str, attachment: Attachment | None = None) -> list[Outgoing]:
        msg = Incoming(
            message_id=f"console-{self.session}-{next(self.ids)}",
            contact_id=self.speaker_id, contact_name=self.speaker_name, text=text,
            room_id=None if self.private else self.group_id,
            room_topic="" if self.private else self.group_topic,
            timestamp=self.clock(), attachment=attachment,
        )
        if attachment is not None and not self.private and not text.strip():
            self._print("（文件请在私聊中发送：先输入 /dm）")
            return []
        if not self.private and self.speaker_id not in self.in_group:
            # The terminal's "gateway": whoever speaks in the group is one of its members.
            self.in_group.add(self.speaker_id)
            self.app.services.notices.add_group_member(self.group_topic, self.speaker_id, self.speaker_name)
        out = self.app.pipeline.handle(msg)
        for o in out:
            self.show(o)
        return out

    def show(self, o: Outgoing) -> None:
        where = f"[群 {o.room_topic or self.group_topic}]" if o.room_id else f"[私聊 {self._name_of(o.contact_id)}]"
        if o.file is not None:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / o.file.name
            path.write_bytes(o.file.data)
            size = len(o.file.data)
            self._print(f"{where} {self.app.config.bot_name} 发送文件：{o.file.name}（{size} 字节，已存到 {path}）")
        if o.text:
            body = o.text.replace("\n", "\n    ")
            self._print(f"{where} {self.app.config.bot_name}：{body}")

    def _name_of(self, contact_id: str | None) -> str:
        if contact_id == self.speaker_id:
            return self.speaker_name
        m = self.app.services.members.get_by_contact(contact_id) if contact_id else None
        return m.name if m else (contact_id or "?")

    def _prompt(self) -> str:
        where = "私聊" if self.private else self.group_topic
        return f"{self.speaker_name}@{where}> "

    def _now_text(self) -> str:
        return self.clock().astimezone(self.app.config.tz).strftime("%Y-%m-%d %H:%M")

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

"""How a member types a command on the platform in use, so help, notices, reminders and replies say it the
way that works there.

WeChat (and the terminal chat): ``#收到 3`` everywhere; this is the default and changes no text.
DingTalk: a group only passes the robot messages that @ it, so in a group a command is ``@工会助手 收到 3``;
in private every message reaches it and ``收到 3`` (with or without ``#``) works. Handlers write their hints
the WeChat way; ``for_group`` rewrites a text bound for a group at the one place each path leaves the bot
(the pipeline's replies, the outbox's posts). A future platform with its own habit (WeCom's 智能机器人 is
@-only in groups too) is one more ``CommandStyle``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# '#' (or '＃') right before a command word: Chinese text, never '#1' or a stray sign.
_COMMAND = re.compile(r"[#＃](?=[\u4e00-\u9fff])")
# Where a clause ends: a hint about private chat ('请私聊我投票：发送 #投票 1 A（或 #投票 1 1）') is one clause.
_CLAUSE_END = re.compile(r"[。；;！!？?\n]")


@dataclass(frozen=True)
class CommandStyle:
    mention: str = ""  # the robot's name members @ in a group; empty: '#' commands (WeChat)
    platform: str = "微信"  # what "未绑定微信" names: the account a member is reached by

    @property
    def at_only(self) -> bool:
        return bool(self.mention)

    def group(self, name: str, args: str = "") -> str:
        """A command as typed in a group: '#收到 3' or '@工会助手 收到 3'."""
        body = f"{name} {args}".strip()
        return f"@{self.mention} {body}" if self.mention else f"#{body}"

    def private(self, name: str, args: str = "") -> str:
        """A command as typed in private: '#收到 3', or on an @-only platform simply '收到 3'."""
        body = f"{name} {args}".strip()
        return body if self.mention else f"#{body}"

    def for_group(self, text: str) -> str:
        """A text bound for a group, with its '#命令' hints as the group needs them."""
        if not self.mention or not text or ("#" not in text and "＃" not in text):
            return text

        def swap(m: re.Match[str]) -> str:
            before = text[:m.start()]
            clause = before[max((e.end() for e in _CLAUSE_END.finditer(before)), default=0):]
            if "私聊" in clause:  # said for private chat, where '#…' works as typed
                return m.group(0)
            return f"@{self.mention} "

        return _COMMAND.sub(swap, text)

    def receipt_hint(self, number: int) -> str:
        """How to acknowledge a notice, said in the notice itself."""
        if not self.mention:
            # A plain 收到 counts in a WeChat group while the notice is open (the bot hears every line there);
            # an @-only platform never passes it to the robot, so it is not offered there.
            return f"收到请回复“收到”或 #收到 {number}（群里或私聊都可以，不会刷屏）"
        n = str(number)
        return f"收到请在群里发送 {self.group('收到', n)}，或私聊我发送 {self.private('收到', n)}（不会刷屏）"

    def help_note(self) -> str:
        """One line for #帮助 on an @-only platform; nothing on WeChat."""
        if not self.mention:
            return ""
        return (f"在群里请先 @{self.mention} 再写命令（如 {self.group('报名', '1')}，# 可写可不写）；"
                "私聊时直接发送即可（如 报名 1）。")

"""The page's words for the chat's: an answer the bot wrote for the chat tells the member what to
type; on the page the same step is a button. Only the page's copy changes; the chat keeps its own."""

from __future__ import annotations

import re

_PHRASES = (
    (re.compile(r"确认无误请发送 #确认导入（或回复“确认”）；?"), "确认无误请点“确认导入”；"),
    (re.compile(r"改一项：改 序号 月份 内容（如 改 3 4月 羽毛球赛）；?"),
     "改一项：在下面的修改框写 改 序号 月份 内容（如 改 3 4月 羽毛球赛）；"),
    (re.compile(r"发送 #恢复提醒 恢复"), "点“恢复提醒”按钮恢复"),
    (re.compile(r"发送 #暂停提醒 暂停"), "点“暂停提醒”按钮暂停"),
    (re.compile(r"在配置 \[calendar\] 中补充 holidays / workdays"),
     "请管理员在配置文件的节假日设置中补充放假和调休日期"),
    (re.compile(r"\[calendar\] holidays / workdays"), "节假日设置"),
    (re.compile(r"发送 #回执 \d+ 查看谁已收到"), "在“通知回执”页查看谁已收到"),
    (re.compile(r"发送 #催办 \d+ 私聊提醒他们"), "点“催办”私聊提醒他们"),
    (re.compile(r"（或回复“确认”）"), ""),
    (re.compile(r"(?:请)?发送 #确认(?:导入)?"), "请点“确认”"),
    (re.compile(r"发送 #取消 ?放弃"), "点“放弃”"),
    (re.compile(r"发送 #取消"), "点“放弃”"),
)


def page_words(text: str | None) -> str:
    """``text`` with the chat's instructions said as the page's buttons."""
    out = text or ""
    for pattern, words in _PHRASES:
        out = pattern.sub(words, out)
    return out


BRACKETS = {"【": "】", "（": "）", "(": ")", "“": "”", "《": "》", "[": "]"}


def excerpt(text: str | None, limit: int) -> str:
    """The first line, at most ``limit`` characters, never ending inside a bracket pair (【…】, （…）): cut
    before the first bracket left open; when the excerpt is all one bracket, close it after the ellipsis."""
    line = (text or "").splitlines()[0] if text else ""
    if len(line) <= limit:
        return line
    cut = line[:limit]
    open_at = _left_open(cut)
    if not open_at:
        return cut.rstrip() + "…"
    if open_at[0] > 0:
        return cut[:open_at[0]].rstrip() + "…"
    cut = line[:limit - 1]  # room for the closing bracket
    inner = _left_open(cut)[1:]  # a bracket opened inside the outer one and not closed in time
    return cut[:inner[0] if inner else len(cut)].rstrip() + "…" + BRACKETS[cut[0]]


def _left_open(text: str) -> list[int]:
    """Positions of the brackets ``text`` leaves open, outermost first."""
    open_at: list[int] = []
    for i, ch in enumerate(text):
        if ch in BRACKETS:
            open_at.append(i)
        elif open_at and ch == BRACKETS[text[open_at[-1]]]:
            open_at.pop()
    return open_at

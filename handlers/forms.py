"""Multi-message forms: one declared mechanism for every guided conversation.

python-telegram-bot's ConversationHandler is the model (a state table with
fallbacks), kept in the ``Draft`` row so a restart loses nothing. A ``Form``
declares its steps (label, prompt, reader, limit), how its answers read back
for checking (``summary``) and what confirming does (``finish``).

The machinery here owns everything about an open form: entry (``begin``),
steps, fallbacks (``#取消``), confirmation, replacement and expiry. The
pipeline asks it first, like ConversationHandler.check_update, whether an open
form takes a message (``check_update``) and knows nothing of its states.
While a form is open in a private chat:

- plain text goes to the form's current step (only ``#`` words are commands);
- 确认 / 提交 / 是 (with or without ``#``) confirm, at the confirm step;
- ``#修改 项目 新内容`` changes an answer; ``#取消`` (or 取消) leaves the form;
- a command that starts another form asks before the open one is replaced;
- an expired form says so once, to an answer or a 确认, and is gone.

A form's draft is ``{"step": key | "confirm", "values": {key: value}, ...}``;
forms may keep more keys of their own (a welfare request's beneficiary).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.args import Text, Word, syntax_line
from handlers.base import CONFIRM, Answer, Attachment, Context, Form, Invalid, Reply, Request, command, reply
from handlers.command_words import COMMAND_PREFIXES, split_command
from schedules.text_norm import normalize_message
from storage.drafts import DraftState

SECTION = "其他"  # the heading its commands have in #帮助

REPLACE = "_replace"  # a command waiting for the member's "是" to replace the open form
CONFIRM_WORDS = frozenset({"确认", "提交", "是", "确定", "确认提交", "确认导入"})
CANCEL_WORDS = frozenset({"取消", "退出", "放弃"})
EDIT_WORDS = frozenset({"修改", "改"})
YES_WORDS = frozenset({"是", "确认", "确定", "好", "好的", "可以", "替换"})


# --- routing: does an open form take this message? --------------------------------


@dataclass(frozen=True)
class Message:
    """A message as the form machinery reads it."""

    text: str  # normalized (＃ is #), the bot's mentions stripped: command words are read from it
    raw: str  # as typed: what follows a word ('#修改 标题 …') is kept as written
    typed: str  # exactly as it came: its length is checked, and a step's answer is taken from it
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Routed:
    """``check_update``'s answer. ``replies`` when an open form took the message. Otherwise the registry
    runs the command in ``text``/``raw`` (the message itself, or the command a "是" let replace the open
    form) with ``draft``, the sender's open form, as ``Request.draft``."""

    replies: list[Reply] | None = None
    text: str = ""
    raw: str = ""
    draft: DraftState | None = None


def check_update(message: Message, ctx: Context, max_chars: int) -> Routed:
    """Ask first, before any command: an open form takes answers, its own words, 确认/修改/取消, and the
    member's reply to "replace it?"; an expired one says so once. ``max_chars``: a chat message's limit
    (a step may allow more). Forms live in private chats only: a group message always passes."""
    passed = Routed(text=message.text, raw=message.raw)
    if ctx.chat.is_group:
        return passed
    drafts = ctx.services.drafts
    draft = drafts.get(ctx.sender.contact_id, ctx.now)
    if draft is None:
        return passed
    if draft.expired:
        word, _ = split_command(message.text)
        if not message.text.startswith(COMMAND_PREFIXES) or word in CONFIRM_WORDS | EDIT_WORDS:
            return Routed(reply("您之前填写的内容已超时取消，请重新开始。"))
        return passed
    form = ctx.services.registry.forms.get(draft.kind)
    if form is None or not isinstance(draft.data.get("values"), dict):
        drafts.clear(ctx.sender.contact_id)  # left by an older version: start again
        return passed
    taken = _take(form, draft, message, ctx, max_chars)
    if isinstance(taken, Routed):
        return taken
    return Routed(taken) if taken is not None else Routed(text=message.text, raw=message.raw, draft=draft)


def _take(form: Form, draft: DraftState, message: Message, ctx: Context,
          max_chars: int) -> list[Reply] | Routed | None:
    """A private message while ``form`` is open; None when it is a command for the registry."""
    text, raw = message.text, message.raw
    bare = text.lstrip("#/").strip().rstrip("。.!！ ")
    word, _ = split_command(bare)
    if REPLACE in draft.data:
        # The member was asked whether another command may replace this form.
        waiting = str(draft.data[REPLACE])
        kept = {k: v for k, v in draft.data.items() if k != REPLACE}
        if bare in YES_WORDS:
            ctx.services.drafts.clear(ctx.sender.contact_id)
            return Routed(text=normalize_message(waiting), raw=waiting)
        ctx.services.drafts.put(ctx.sender.contact_id, draft.kind, kept, ctx.now, ctx.services.form_ttl)
        draft = DraftState(draft.kind, kept)
    if bare in CANCEL_WORDS:
        return cancel_open(ctx)
    if bare in CONFIRM_WORDS:
        return confirm(form, draft, ctx)
    if word in form.words:
        _, args = split_command(raw.lstrip("＃／#/"))
        return apply_word(form, draft, word, args, ctx)
    if word in EDIT_WORDS and form.editable:
        _, args = split_command(raw.lstrip("＃／#/"))
        # Without '#', '修改 …' is an edit only when it names an item ('修改 标题 …'): an answer
        # may start with the word too ('修改绩效方案' is a reason, not a command).
        if text.startswith(COMMAND_PREFIXES) or names_step(form, draft, args, ctx):
            return edit(form, draft, args, ctx)
    if text.startswith(COMMAND_PREFIXES):
        return None  # only '#' words are commands while a form is open
    step = form.step(draft.data, str(draft.data.get("step", "")), ctx)
    limit = step.limit if step else max_chars
    if len(message.typed) > max(limit, max_chars):
        return reply(f"内容过长（超过 {limit} 字），请精简后再发。")
    return feed(form, draft, message.typed.strip(), message.attachment, ctx)


# --- the engine -------------------------------------------------------------------


def begin(form: Form, req: Request, ctx: Context, data: dict[str, Any] | None = None) -> list[Reply]:
    """Open ``form`` (answers in ``data["values"]`` already given); if another form is open,
    ask first and keep the request, so a "是" runs it."""
    draft = req.draft
    if draft is not None and not draft.expired:
        other = ctx.services.registry.forms.get(draft.kind)
        noun = other.noun if other else "操作"
        kept = {k: v for k, v in draft.data.items() if k != REPLACE}
        kept[REPLACE] = req.command_text()
        ctx.services.drafts.put(ctx.sender.contact_id, draft.kind, kept, ctx.now, ctx.services.form_ttl)
        return reply(f"您有未完成的{noun}（{progress(other, kept, ctx)}）。\n"
                     f"放弃它、开始新的{form.noun}请回复“是”；继续填写{noun}请直接回复，或发送 #取消 放弃。")
    fresh: dict[str, Any] = {"values": {}, **(data or {})}
    out = advance(form, fresh, ctx)
    if form.intro and fresh.get("step") != CONFIRM:
        return [Reply(form.intro + "\n" + out[0].text)]
    return out


def progress(form: Form | None, data: dict[str, Any], ctx: Context) -> str:
    if form is None:
        return "进行中"
    if data.get("step") == CONFIRM:
        return "待确认"
    steps = list(form.steps(data, ctx))
    keys = [s.key for s in steps]
    at = keys.index(data["step"]) + 1 if data.get("step") in keys else 1
    return f"第 {at} 步，共 {len(steps)} 步"


def current_text(form: Form, data: dict[str, Any], ctx: Context) -> str:
    """What the member was last asked, said again without changing anything: the open step's prompt,
    or the summary to confirm (the office page shows an open form this way)."""
    if data.get("step") == CONFIRM:
        return form.summary(data, ctx) + "\n" + form.hint()
    step = form.step(data, str(data.get("step", "")), ctx)
    return step.prompt if step else ""


def advance(form: Form, data: dict[str, Any], ctx: Context) -> list[Reply]:
    """Ask for the first step not yet answered, or show the summary to confirm."""
    for step in form.steps(data, ctx):
        if step.key not in data["values"]:
            data["step"] = step.key
            _save(form, data, ctx)
            return reply(step.prompt)
    data["step"] = CONFIRM
    _save(form, data, ctx)
    return reply(form.summary(data, ctx) + "\n" + form.hint())


def feed(form: Form, draft: DraftState, text: str, attachment: Attachment | None, ctx: Context) -> list[Reply]:
    """A plain message (or a file) while ``form`` is open: the answer to its current step."""
    data = _copy(draft.data)
    if data.get("step") == CONFIRM:
        return reply(form.summary(data, ctx) + "\n" + form.hint())
    step = form.step(data, data.get("step", ""), ctx)
    if step is None:
        return advance(form, data, ctx)
    if attachment is not None and not step.takes_file:
        return reply(f"这一步请发送文字。{step.prompt}")
    if not text.strip() and attachment is None:
        return reply(step.prompt)
    if len(text) > step.limit:
        return reply(f"{step.label}最多 {step.limit} 字，您写了 {len(text)} 字，请精简后再发。")
    try:
        data["values"][step.key] = step.read(Answer(text.strip(), attachment, data), ctx)
    except Invalid as exc:
        return reply(str(exc))
    return advance(form, data, ctx)


def confirm(form: Form, draft: DraftState, ctx: Context) -> list[Reply]:
    data = _copy(draft.data)
    if data.get("step") != CONFIRM:
        step = form.step(data, data.get("step", ""), ctx)
        return reply(f"{form.noun}还没填完。" + (step.prompt if step else ""))
    if not ctx.services.access.may(ctx.sender, form.role):
        return reply(f"您现在没有权限提交{form.noun}，未提交。")
    try:
        out = form.finish(data, ctx)
    except Invalid as exc:
        return reply(str(exc))
    ctx.services.drafts.clear(ctx.sender.contact_id)
    return out


EDIT_ITEM = Word("item", "项目")
EDIT_VALUE = Text("value", "新内容")
EDIT_ARGS = (EDIT_ITEM, EDIT_VALUE)  # #修改's declaration, read here while a form is open


def edit(form: Form, draft: DraftState, args: str, ctx: Context) -> list[Reply]:
    """'#修改 标题 新标题': answer a step again, by its label."""
    data = _copy(draft.data)
    steps = [s for s in form.steps(data, ctx) if s.key in data["values"] or s.key == data.get("step")]
    labels = "、".join(s.label for s in steps) or "（还没有填写的内容）"
    label, rest = EDIT_ITEM.take(args)
    value = EDIT_VALUE.take(rest)[0]
    step = next((s for s in steps if s.label == label or s.key == label), None)
    if not form.editable or step is None:
        return reply(f"可以修改的项目：{labels}。格式：{syntax_line('修改', EDIT_ARGS)}。")
    if len(value.strip()) > step.limit:
        return reply(f"{step.label}最多 {step.limit} 字，您写了 {len(value.strip())} 字，未修改。")
    try:
        data["values"][step.key] = step.read(Answer(value.strip(), None, data), ctx)
    except Invalid as exc:
        return reply(str(exc))
    if data.get("step") == CONFIRM or step.key == data.get("step"):
        return advance(form, data, ctx)
    _save(form, data, ctx)
    current = form.step(data, data.get("step", ""), ctx)
    return reply(f"已修改{step.label}。" + (current.prompt if current else ""))


def apply_word(form: Form, draft: DraftState, word: str, args: str, ctx: Context) -> list[Reply]:
    """One of the form's own words at its check step ('删 12'): change the answers, show them again."""
    data = _copy(draft.data)
    if data.get("step") != CONFIRM:
        step = form.step(data, data.get("step", ""), ctx)
        return reply(f"{form.noun}还没填完。" + (step.prompt if step else ""))
    try:
        form.words[word](data, args, ctx)
    except Invalid as exc:
        return reply(str(exc))
    return advance(form, data, ctx)


def names_step(form: Form, draft: DraftState, args: str, ctx: Context) -> bool:
    label = args.strip().split(" ", 1)[0]
    return any(s.label == label for s in form.steps(draft.data, ctx))


def cancel_open(ctx: Context) -> list[Reply]:
    if ctx.services.drafts.clear(ctx.sender.contact_id):
        return reply("已取消，未保存任何内容。")
    return reply("当前没有正在进行的操作。")


def _save(form: Form, data: dict[str, Any], ctx: Context) -> None:
    ctx.services.drafts.put(ctx.sender.contact_id, form.kind, data, ctx.now, ctx.services.form_ttl)


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k != REPLACE}
    out["values"] = dict(data.get("values") or {})
    return out


# --- the commands every form shares ------------------------------------------------


@command("取消", aliases=("退出",), args=(), help="放弃正在填写的内容（导入、提案、申请等）")
def cancel(req: Request, ctx: Context) -> list[Reply]:
    return cancel_open(ctx)


@command("确认", aliases=("提交", "确认导入", "确定"), args=(),
         help="提交正在填写、已核对的内容（提案、申请、导入等）；也可直接回复“确认”“提交”或“是”")
def confirm_command(req: Request, ctx: Context) -> list[Reply]:
    # With a form open in a private chat, check_update gives 确认 to the form before any command.
    if ctx.chat.is_group:
        return reply("请在私聊中确认。")
    return reply("当前没有待确认的内容。")


def _no_form_here(req: Request, ctx: Context) -> list[Reply]:
    """#修改 reaches the registry only when no form took it (check_update edits an open one): say why,
    whatever its words."""
    if ctx.chat.is_group:
        return reply("请在私聊中修改正在填写的内容。")
    return reply("当前没有正在填写的内容。")


@command("修改", args=EDIT_ARGS, guard=_no_form_here, help="修改正在填写的内容（如提案的标题、申请的天数）",
         examples=("#修改 标题 改善教师午餐",))
def edit_command(req: Request, ctx: Context) -> list[Reply]:
    return _no_form_here(req, ctx)  # the guard answers first; kept for a direct call

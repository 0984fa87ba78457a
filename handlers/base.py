"""What every handler shares: the request it gets, the context, the replies it
returns, and the ``@command`` declaration that keeps a command's syntax, aliases,
help line and required role next to its behaviour (help is generated from it).

Handlers never see a transport: they take a parsed request and the services
they need and return replies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from handlers.args import Param, Problem, read_all, syntax_line
from handlers.core_types import ROLE_LABELS as ROLE_LABELS
from handlers.core_types import CommandSpec as CommandSpec
from handlers.core_types import Gate as Gate
from handlers.core_types import Role as Role
from handlers.core_types import Scope as Scope
from handlers.core_types import Sender as Sender
from handlers.core_types import roles_label as roles_label

if TYPE_CHECKING:
    # Annotation only: the services hold the registry defined below, so a run-time import would loop.
    from handlers.services import Services
    from storage.drafts import DraftState


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes


@dataclass(frozen=True)
class Chat:
    kind: str  # 'group' | 'private'
    id: str  # room id, or the contact id for a private chat
    topic: str = ""

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


_T = TypeVar("_T")


@dataclass(frozen=True)
class Request:
    """A parsed command: ``#活动安排 3`` -> name '活动安排', args '3'."""

    name: str
    args: str = ""
    attachment: Attachment | None = None
    typed: str = ""  # the name or alias as the member typed it (#住院 for #申请)
    draft: DraftState | None = None  # the sender's open form, as the pipeline loaded it (private chats)
    spec: CommandSpec | None = None  # the declaration it was dispatched by
    values: Mapping[str, Any] = field(default_factory=dict)  # the declared arguments, read (handlers.args)

    def get(self, param: Param[_T]) -> _T:
        """A declared argument's value, typed by its declaration: ``req.get(VOTE)`` is a Vote."""
        return self.values[param.key]  # type: ignore[no-any-return]

    def answer(self, problem: Problem) -> list[Reply]:
        """The reply to a Problem: with the 格式 line when the words were not understood."""
        return self.usage(problem.text) if problem.usage else [Reply(problem.text + problem.end)]

    def command_text(self) -> str:
        return f"#{self.typed or self.name} {self.args}".strip()

    def usage(self, problem: str = "") -> list[Reply]:
        """'格式：…，例如 …': the reply to a command typed wrong, from its declaration."""
        head = f"{problem}。" if problem else ""
        return [Reply(head + (self.spec.usage() if self.spec else f"发送 #帮助 {self.name} 查看用法。"))]

    @property
    def argv(self) -> list[str]:
        return self.args.split()

    def rest(self, skip: int = 1) -> str:
        """The text after the first ``skip`` words, as typed: '#答复 2027-003 已协调，四月起' -> '已协调，四月起'."""
        parts = self.args.split(maxsplit=skip)
        return parts[skip].strip() if len(parts) > skip else ""


@dataclass(frozen=True)
class Reply:
    """Goes to the chat the request came from, unless ``to_contact`` names a private chat."""

    text: str = ""
    file: Attachment | None = None
    to_contact: str | None = None


@dataclass
class Context:
    sender: Sender
    chat: Chat
    now: dt.datetime  # aware, in the union's timezone
    services: Services


Handler = Callable[[Request, Context], list[Reply]]


class AccessRule(Protocol):
    """handlers.access.Access, as the registry asks it."""

    def may(self, sender: Sender, what: CommandSpec) -> bool: ...


# --- forms: declared here, run by handlers.forms ------------------------------------

CONFIRM = "confirm"  # the step after the last one: the summary, waiting for 确认
NONE_WORDS = frozenset({"无", "没有", "不需要", "0", "暂无"})


class Invalid(Exception):
    """What is wrong with an answer, worded for the member; the form stays where it was."""


@dataclass(frozen=True)
class Answer:
    text: str
    attachment: Attachment | None
    data: dict[str, Any]  # the draft so far (a reader may depend on earlier answers)


Reader = Callable[[Answer, Context], Any]


def read_text(answer: Answer, ctx: Context) -> str:
    if not answer.text.strip():
        raise Invalid("内容不能为空。")
    return answer.text.strip()


def read_optional_list(answer: Answer, ctx: Context) -> str:
    """Names and such: '无' / '没有' mean none."""
    text = answer.text.strip()
    return "" if text in NONE_WORDS else text


@dataclass(frozen=True)
class Step:
    key: str
    label: str  # what the member calls it in #修改 and in the summary
    prompt: str
    read: Reader = read_text  # returns the value to keep (JSON-able) or raises Invalid
    limit: int = 500  # characters
    takes_file: bool = False


@dataclass(frozen=True)
class Form:
    kind: str  # Draft.kind
    noun: str  # 提案, 慰问申请… ("您有未完成的提案")
    steps: Callable[[dict[str, Any], Context], Sequence[Step]]  # from the draft: a welfare type decides its fields
    summary: Callable[[dict[str, Any], Context], str]
    finish: Callable[[dict[str, Any], Context], list[Reply]]  # raises Invalid to keep the draft
    role: Role | tuple[Role, ...] = Role.MEMBER  # asked again at confirm: roles can change meanwhile
    editable: bool = True
    confirm_hint: str = ""
    intro: str = ""
    # Words the form understands at its check step besides 确认/修改/取消 ('删 12'): word -> a function
    # that changes the draft's data in place from the words after it, or raises Invalid.
    words: dict[str, Callable[[dict[str, Any], str, Context], None]] = field(default_factory=dict)

    def step(self, data: dict[str, Any], key: str, ctx: Context) -> Step | None:
        return next((s for s in self.steps(data, ctx) if s.key == key), None)

    def hint(self) -> str:
        if self.confirm_hint:
            return self.confirm_hint
        edit = "；修改请发送 #修改 项目 新内容" if self.editable else ""
        return f"确认无误请回复“确认”（或“提交”）{edit}；放弃请发送 #取消。"


def command(
    name: str, *, help: str, args: Sequence[Param[Any]] = (),
    aliases: Iterable[str] = (), role: Role | tuple[Role, ...] = Role.MEMBER, scope: Scope = Scope.ANY,
    examples: Iterable[str] = (), max_chars: int | None = None, private_problems: bool = False,
    guard: Callable[[Request, Context], list[Reply] | None] | None = None, gate: Gate | None = None,
) -> Callable[[Handler], Handler]:
    """Declare a chat command once; the registry, ``#帮助`` and the README's table read this declaration.

    ``args``: its parameters (handlers.args). The syntax line comes from them, and they are read (objects
    looked up) before the handler runs: it gets ``req.get(PARAM)`` or is not called, the problem answered.
    ``private_problems``: that answer goes privately (#签到, #收到: nothing about them in the group).
    ``guard``: asked before the arguments are read; its replies, if any, answer instead (#修改 without an
    open form says so, whatever its words).
    ``gate``: a capability asked, like the role the pipeline asks, before anything else (the guard, the
    arguments): '#提案 a｜b' from someone who may not propose is refused, not told how to split it.
    There is no hand-written syntax line: a shape no reader has gets a reader (handlers.args_shapes)."""
    params = tuple(args)
    if gate is not None and not params:
        raise TypeError(f"#{name}: a gate is asked in the reading of declared arguments; declare them")

    def wrap(func: Handler) -> Handler:
        run = func
        if params:
            @functools.wraps(func)
            def run(req: Request, ctx: Context) -> list[Reply]:
                if gate is not None and (shut := _gated(gate, req, ctx)) is not None:
                    return shut
                if guard is not None and (refused := guard(req, ctx)) is not None:
                    return refused
                values = read_all(params, req.args, ctx)
                if isinstance(values, Problem):
                    out = req.answer(values)
                    return [dataclasses.replace(r, to_contact=ctx.sender.contact_id) for r in out] \
                        if private_problems else out
                return func(dataclasses.replace(req, values=values), ctx)

        run.__command__ = CommandSpec(  # type: ignore[attr-defined]
            name=name, func=run, syntax=syntax_line(name, params), help=help, aliases=tuple(aliases),
            role=role, scope=scope, examples=tuple(examples), max_chars=max_chars, params=params, gate=gate,
        )
        return run

    return wrap


def _gated(gate: Gate, req: Request, ctx: Context) -> list[Reply] | None:
    """The gate's refusal, or None: the sender has the capability, or wrote the command the open way."""
    if ctx.services.access.may(ctx.sender, gate.capability):
        return None
    text = req.args.strip()
    if text and gate.open is not None:
        # Understood by the open way, or answered about its object ('没有编号为 2027-999 的提案'): let through.
        value = gate.open.read(text, ctx)
        if not (isinstance(value, Problem) and value.usage):
            return None
    return reply(gate.refused)


_GLUED_ARG = re.compile(r"^(?:\d|[+＋][\d]|[Ww]\d)")


@dataclass
class Registry:
    commands: dict[str, CommandSpec] = field(default_factory=dict)  # every name and alias
    forms: dict[str, Form] = field(default_factory=dict)  # by Draft.kind
    ordered: list[CommandSpec] = field(default_factory=list)

    @classmethod
    def from_modules(cls, modules: Iterable[object]) -> Registry:
        reg = cls()
        for module in modules:
            section = getattr(module, "SECTION", "其他")
            for value in vars(module).values():
                spec = getattr(value, "__command__", None)
                if isinstance(spec, CommandSpec):
                    reg.add(dataclasses.replace(spec, section=section))
                if isinstance(value, Form):
                    if value.kind in reg.forms:
                        raise ValueError(f"form {value.kind!r} declared twice")
                    reg.forms[value.kind] = value
        return reg

    def add(self, spec: CommandSpec) -> None:
        for n in spec.names:
            if n in self.commands:
                raise ValueError(f"command name {n!r} declared twice")
            self.commands[n] = spec
        self.ordered.append(spec)

    def get(self, name: str) -> CommandSpec | None:
        return self.commands.get(name)

    def split_glued(self, word: str) -> tuple[str, str] | None:
        """'报名1' -> ('报名', '1'): a command typed without the space before its number
        (common on phones). Only a number, '+N' or a 'W' code may follow the name."""
        for name in sorted(self.commands, key=len, reverse=True):
            rest = word[len(name):]
            if word.startswith(name) and _GLUED_ARG.match(rest):
                return name, rest
        return None

    def suggest(self, name: str, sender: Sender, access: AccessRule, limit: int = 3) -> list[str]:
        allowed = {n: s for n, s in self.commands.items() if access.may(sender, s)}
        close = difflib.get_close_matches(name, list(allowed), n=limit * 2, cutoff=0.34)
        # Also commands that contain what was typed ('报' -> 报名, 报名列表).
        close += [n for n in allowed if name and (name in n or n in name)]
        seen: list[str] = []
        for n in close:
            canonical = allowed[n].name
            if canonical not in seen:
                seen.append(canonical)
        return seen[:limit]

    def visible_to(self, sender: Sender, access: AccessRule) -> list[CommandSpec]:
        return [s for s in self.ordered if access.may(sender, s)]

    def sections(self, sender: Sender, access: AccessRule) -> dict[str, list[CommandSpec]]:
        """The sender's commands by capability, in declaration order: exactly what they may use."""
        found: dict[str, list[CommandSpec]] = {}
        for spec in self.visible_to(sender, access):
            found.setdefault(spec.section, []).append(spec)
        return found


def reply(text: str, **kw: object) -> list[Reply]:
    return [Reply(text=text, **kw)]  # type: ignore[arg-type]

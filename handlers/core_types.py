"""The types both the handlers' base and the access rule need: who asks (``Role``, ``Sender``), where
(``Scope``) and what a command declares (``CommandSpec``).

It imports nothing else of ``handlers`` at run time, so ``handlers.base``, ``handlers.access`` and
``handlers.services`` all sit above it and none of them has to import another to know these.
``handlers.base`` re-exports every name here; callers keep importing them from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.base import Handler


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"
    WELFARE_OFFICER = "welfare_officer"
    PROPOSAL_COMMITTEE = "proposal_committee"
    REPRESENTATIVE = "representative"
    DEPARTMENT_OFFICER = "department_officer"  # answers proposals handed to a department


ROLE_LABELS = {
    Role.MEMBER: "会员",
    Role.ADMIN: "工会管理员",
    Role.WELFARE_OFFICER: "福利委员",
    Role.PROPOSAL_COMMITTEE: "提案委员会成员",
    Role.REPRESENTATIVE: "教代会代表",
    Role.DEPARTMENT_OFFICER: "承办部门联系人",
}


def roles_label(roles: tuple[Role, ...]) -> str:
    return "或".join(ROLE_LABELS[r] for r in roles)


class Scope(StrEnum):
    ANY = "any"
    PRIVATE = "private"  # refused in groups without echoing anything said
    GROUP = "group"


@dataclass(frozen=True)
class Sender:
    contact_id: str
    name: str
    roles: frozenset[Role]
    member_id: int | None = None

    def has(self, role: Role | tuple[Role, ...]) -> bool:
        """Whether the sender holds ``role`` (any of them, for a tuple)."""
        wanted = role if isinstance(role, tuple) else (role,)
        return any(r == Role.MEMBER or r in self.roles for r in wanted)


@dataclass(frozen=True)
class Gate:
    """A capability (``handlers.access.CAPABILITIES``) a command needs beyond its declared role, asked
    before its arguments are read, as the role is: whoever lacks it gets ``refused`` whatever they typed,
    never a problem with their words. ``open``: the one way of writing the command open to everyone (a
    declared argument; '#提案 2027-003' shows a proposal to anyone): words it understands are let through
    to the usual reading."""

    capability: str
    refused: str
    open: Any = None  # a handlers.args.Param


@dataclass(frozen=True)
class CommandSpec:
    name: str
    func: Handler
    syntax: str  # generated from ``params`` by @command (handlers.args.syntax_line)
    help: str
    aliases: tuple[str, ...] = ()
    role: Role | tuple[Role, ...] = Role.MEMBER  # a tuple: any of them
    scope: Scope = Scope.ANY
    examples: tuple[str, ...] = ()
    section: str = ""  # the capability it belongs to (its module's SECTION), for #帮助
    max_chars: int | None = None  # a pasted plan may be longer than a chat message
    params: tuple[Any, ...] = ()  # its declared arguments (handlers.args.Param), read before it runs
    gate: Gate | None = None  # a capability some ways of writing it need (#提案 submits: 代表 only)

    def keys(self) -> str:
        """'选项、对象、截止…': the ``键=值`` its declaration takes, for '可写：…'."""
        return "、".join(k for k in (p.keys() for p in self.params) if k)

    @property
    def roles(self) -> tuple[Role, ...]:
        return self.role if isinstance(self.role, tuple) else (self.role,)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def usage(self) -> str:
        example = f"，例如 {self.examples[0]}" if self.examples else ""
        return f"格式：{self.syntax}{example}。"

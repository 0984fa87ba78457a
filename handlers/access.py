"""Who may do what: the one access rule.

Errbot's ACLs are the model: one filter, keyed by stable ids, asked by
everything. The pipeline asks it before a command runs, ``#帮助`` to list
exactly what the asker may use, the handlers for rules about one object (the
proposer evaluates, a department's officer answers what was handed to it), and
notifications and care lists for who holds a role. Roles come from the config's
``[roles]`` (by contact id, by the member code the bot set as remark, or by a
remark the chair set by hand on the bot's phone while only one member has it)
and from the roster's 角色 column, never from a name the contact chose.

Nothing else tests a role or an audience (tests/test_access_rule.py scans for it): the pipeline asks
``check`` (role and scope: private or group), handlers ask ``may`` with an object or a capability
("propose", "see_turnout", "handle_welfare"), the welfare desk enforces the grant ``welfare_actor``
gives it, and audiences are asked through ``in_audience``/``expected``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from handlers.core_types import CommandSpec, Role, Scope, Sender
from schedules.audience import REPRESENTATIVES, known_audiences, member_in_audience, normalize_audience
from storage.members import member_code, member_of_code
from storage.models import Member, Proposal, WelfareRequest
from storage.welfare import Actor

if TYPE_CHECKING:
    from storage.members import MemberRepo


@dataclass(frozen=True)
class RoleRules:
    """``[roles]`` (contact ids) and the 承办部门 officers of ``[proposals] departments``."""

    admins: frozenset[str] = frozenset()
    welfare_officers: frozenset[str] = frozenset()
    proposal_committee: frozenset[str] = frozenset()
    representatives: frozenset[str] = frozenset()  # empty: every member may submit proposals
    departments: dict[str, frozenset[str]] = field(default_factory=dict)

    def named(self) -> frozenset[str]:
        """Every id any role names."""
        return frozenset().union(*(self.ids(r) for r in Role))

    def ids(self, role: Role) -> frozenset[str]:
        match role:
            case Role.ADMIN:
                return self.admins
            case Role.WELFARE_OFFICER:
                return self.welfare_officers
            case Role.PROPOSAL_COMMITTEE:
                return self.proposal_committee
            case Role.REPRESENTATIVE:
                return self.representatives
            case Role.DEPARTMENT_OFFICER:
                return frozenset().union(*self.departments.values()) if self.departments else frozenset()
        return frozenset()


ROSTER_ROLE_WORDS = {
    Role.ADMIN: ("管理员", "工会主席", "主席", "admin"),
    Role.WELFARE_OFFICER: ("福利委员", "生活委员", "welfare"),
    Role.PROPOSAL_COMMITTEE: ("提案委员", "提案委员会", "proposal"),
    Role.REPRESENTATIVE: ("代表", "教代会代表", "representative"),
}


def roster_roles(text: str) -> set[Role]:
    """The roles a roster's 角色 cell gives ('福利委员、代表')."""
    found: set[Role] = set()
    for part in re.split(r"[,，、;；/\s]+", text or ""):
        for role, words in ROSTER_ROLE_WORDS.items():
            if part and part in words:
                found.add(role)
    return found


def roles_of(rules: RoleRules, contact_id: str, roster_role: str = "",
             roster_names_representatives: bool = False, code: str = "", remark: str = "") -> frozenset[Role]:
    """Who someone is: the config's ids — a contact id, ``code`` (the member code the bot's account set
    as their remark), or ``remark`` (a remark the chair set by hand on the bot's phone; the caller passes
    it only while it is unique) — and the roster's 角色 column; never a name. Representatives are those
    the config or the roster names; when neither names any, every member is one."""
    found = {Role.MEMBER}
    for role in (Role.ADMIN, Role.WELFARE_OFFICER, Role.PROPOSAL_COMMITTEE, Role.REPRESENTATIVE,
                 Role.DEPARTMENT_OFFICER):
        ids = rules.ids(role)
        if any(key and key in ids for key in (contact_id, code, remark)):
            found.add(role)
    found |= roster_roles(roster_role)
    if not rules.representatives and not roster_names_representatives:
        found.add(Role.REPRESENTATIVE)
    return frozenset(found)


# What a person may do beyond a command's own role, by name: the handlers ask for the capability, the rule
# says who has it.
CAPABILITIES: dict[str, tuple[Role, ...]] = {
    "propose": (Role.REPRESENTATIVE,),  # submit a 提案 (#提案 also shows one to anyone)
    "see_turnout": (Role.ADMIN,),  # a running vote's turnout and counts
    "handle_welfare": (Role.WELFARE_OFFICER,),  # every welfare request, the queue, the ledger
}


class Denied(StrEnum):
    """Why a command is refused before it runs; the pipeline words it."""

    PRIVATE_ONLY = "private_only"  # a private command said in a group
    ROLE = "role"  # the sender lacks the command's role
    GROUP_ONLY = "group_only"  # a group command said in private


ROSTER_CHECK_SECONDS = 60.0  # as long as the member cache: a roster imported meanwhile is seen within it


class Access:
    def __init__(self, rules: RoleRules, members: MemberRepo) -> None:
        self.rules = rules
        self.members = members
        self._reps_named: tuple[float, int, bool] | None = None

    def roster_names_representatives(self) -> bool:
        """Whether the roster's 角色 column names any 代表: asked once a minute (it is on every message's
        path), and again at once after a roster import in this process."""
        now, generation = time.monotonic(), self.members.generation
        cached = self._reps_named
        if cached is None or now - cached[0] > ROSTER_CHECK_SECONDS or cached[1] != generation:
            named = any(Role.REPRESENTATIVE in roster_roles(m.roster_role) for m in self.members.roster())
            self._reps_named = cached = (now, generation, named)
        return cached[2]

    def roles_of(self, contact_id: str, roster_role: str = "", member_id: int | None = None,
                 remark: str = "") -> frozenset[Role]:
        # A hand-set remark counts only while one member has it: two contacts given the same remark would
        # both get the role (``unionbot doctor`` fails such a remark).
        unique = bool(remark) and remark in self.rules.named() and len(self.members.with_remark(remark)) == 1
        counted = remark if unique else ""
        return roles_of(self.rules, contact_id, roster_role, self.roster_names_representatives(),
                        member_code(member_id), counted)

    def roles_of_member(self, member: Member) -> frozenset[Role]:
        """A stored member's roles (the office page's viewer, the members list, the CLI)."""
        return self.roles_of(member.contact_id or "", member.roster_role, member.id, member.remark)

    @staticmethod
    def roles_held(sender: Sender) -> frozenset[Role]:
        """What #我的信息 shows as the sender's 身份."""
        return sender.roles

    @staticmethod
    def roles_text(roles: frozenset[Role]) -> str:
        """Roles as a web session records them at login."""
        return ",".join(sorted(r.value for r in roles))

    @staticmethod
    def lost_role(roles: frozenset[Role], recorded: str) -> bool:
        """Whether someone no longer holds a role a session recorded (``roles_text``): it ends."""
        return bool(set(filter(None, recorded.split(","))) - {r.value for r in roles})

    def check(self, sender: Sender, spec: CommandSpec, in_group: bool) -> Denied | None:
        """Whether ``sender`` may run ``spec`` here; None when so. A private command in a group is refused
        before anything else, so it is only ever told to go private."""
        if in_group and not self.may_scope(spec, in_group):
            return Denied.PRIVATE_ONLY
        if not self.may(sender, spec):
            return Denied.ROLE
        if not self.may_scope(spec, in_group):
            return Denied.GROUP_ONLY
        return None

    @staticmethod
    def may_scope(what: CommandSpec | Scope, in_group: bool) -> bool:
        """Whether a command (or a scope) may be used in a group (``in_group``) or in private."""
        scope = what.scope if isinstance(what, CommandSpec) else what
        return not ((scope == Scope.PRIVATE and in_group) or (scope == Scope.GROUP and not in_group))

    def may(self, sender: Sender, what: CommandSpec | Role | tuple[Role, ...] | str,
            obj: Proposal | WelfareRequest | None = None) -> bool:
        """May ``sender`` use this command (or act with this declared role), have a capability
        (``CAPABILITIES``), or do ``what`` to ``obj``?"""
        if isinstance(what, CommandSpec):
            return sender.has(what.role)
        if isinstance(what, Role | tuple):
            return sender.has(what)
        if what in CAPABILITIES:
            return sender.has(CAPABILITIES[what])
        if isinstance(obj, WelfareRequest):
            if what == "see":  # a member sees the requests made for them; officers see all
                return self.may(sender, "handle_welfare") or (
                    sender.member_id is not None and obj.member_id == sender.member_id)
            raise ValueError(f"access: unknown action {what!r} on a welfare request")
        if obj is None:
            raise ValueError(f"access: {what!r} needs an object")
        match what:
            case "evaluate":  # only the proposer rates the answer
                return bool(obj.proposer_contact) and obj.proposer_contact == sender.contact_id
            case "answer":  # the committee, or the officers of the department it was handed to
                return sender.has(Role.PROPOSAL_COMMITTEE) or sender.contact_id in self.rules.departments.get(
                    obj.department or "", frozenset())
            case "cosign":
                return sender.has(Role.REPRESENTATIVE) and obj.proposer_contact != sender.contact_id
        raise ValueError(f"access: unknown action {what!r}")

    def welfare_actor(self, sender: Sender) -> Actor:
        """The sender as the welfare desk sees them: it enforces, record by record and with an audit row
        for every refusal, what this rule grants ("view" a request; "pending", "act", "ledger", "note")."""

        def grant(action: str, req: WelfareRequest | None) -> bool:
            if action == "view" and req is not None:
                return self.may(sender, "see", req)
            return self.may(sender, "handle_welfare")

        return Actor(sender.contact_id, sender.name, sender.member_id, grant=grant)

    def department_officers(self, department: str) -> list[str]:
        """Who answers what is handed to ``department`` (``[proposals] departments``): told of each hand-over."""
        return sorted(self.rules.departments.get(department, frozenset()))

    def audiences(self, served: Iterable[str] = ()) -> list[str]:
        """The audiences a sign-up may name: the fixed ones, the roster's departments, ``served`` (the staff
        groups' audiences)."""
        return known_audiences((m.department for m in self.members.roster()), served)

    def in_audience(self, member: Member, audience: str) -> bool:
        """Whether ``member`` is among those ``audience`` names: 代表 by role, the rest by the roster
        (someone not in the roster is let through: the bot cannot tell). Every audience check asks this
        (sign-ups, receipts, votes, check-ins, the office page), so a roster 代表 is one everywhere."""
        audience = normalize_audience(audience)
        if audience == REPRESENTATIVES:
            return Role.REPRESENTATIVE in self.roles_of(member.contact_id or "", member.roster_role, member.id,
                                                        member.remark)
        return member_in_audience(audience, gender=member.gender, retired=member.retired,
                                  department=member.department, known=member.in_roster)

    def expected(self, audience: str, without: Collection[int] = ()) -> list[Member] | None:
        """Everyone an audience counts (receipts, sign-ups, votes, quorum): the roster's members in it, and
        for 代表 also the representatives the config names. None when there is no roster to count against.
        ``without``: member ids left out (who already signed up), left in the database rather than loaded
        (an event page with 1,000 sign-ups loaded the whole roster to show who is missing)."""
        roster = self.members.roster(without)
        exists = bool(roster) or (bool(without) and self.members.has_roster())
        audience = normalize_audience(audience)
        if audience == REPRESENTATIVES:
            found = {m.id: m for m in roster if self.in_audience(m, audience)}
            out = list(found.values())
            known = {m.contact_id for m in out}
            for cid in sorted(self.rules.representatives - known):
                # A representative the bot has not met yet still counts (quorum, turnout): as an unsaved row.
                out.append(self.members.get_by_contact(cid) or Member(union_id="", name=cid, contact_id=cid))
            out = [m for m in out if m.id is None or m.id not in without]
            return out if (exists or out) else None
        if not exists:
            return None
        return [m for m in roster if self.in_audience(m, audience)]

    def holders(self, role: Role) -> list[str]:
        """The contact ids holding ``role``: by the config and by the roster's 角色 column.
        Notifications and care lists go to exactly these."""
        ids = set(self.rules.ids(role))
        codes = {i for i in ids if member_of_code(i) is not None}
        members = self.members.all() if ids else self.members.roster()
        remarks = {m.remark for m in members if m.remark in ids}  # a remark is no contact id: never sent to
        by_remark = {r for r in remarks if sum(1 for m in members if m.remark == r) == 1}
        for m in members:
            if not m.contact_id:
                continue
            if role in roster_roles(m.roster_role) or member_code(m.id) in codes or m.remark in by_remark:
                ids.add(m.contact_id)
        return sorted(ids - codes - remarks)

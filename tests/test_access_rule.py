"""One access rule, asked everywhere (issue 25, item 3).

The first tests read the source (ast): outside the rule, no module of handlers/, web/, bot/ or storage/
tests a role or an audience itself. What counts as testing one:

- ``Role.X in …`` / ``Role.X not in …`` (a membership test of a role);
- ``sender.has(…)`` and ``sender.roles`` (on anything named ``sender``: ``ctx.sender``, ``viewer.sender``);
- ``access.may(sender, Role.X)``: the caller choosing which role a thing needs (a command's or a form's
  declared role is fine; a handler asks a capability by name, ``may(sender, "propose")``);
- deciding scope by hand: one condition comparing ``Scope.X`` and reading ``is_group`` (the rule's
  ``check``/``may_scope`` decide whether a command may be used in a group or in private);
- the rule's helpers used directly: ``member_in_audience``, ``roster_roles``, ``ROSTER_ROLE_WORDS``,
  the module function ``handlers.access.roles_of``;
- reading officer lists: the role lists of ``RoleRules`` (``.admins``, ``.welfare_officers``,
  ``.proposal_committee``, ``.representatives``), ``….rules.departments`` / ``proposal_rules.departments``,
  and an ``.officer`` flag.

Declaring a role (``@command(role=Role.ADMIN)``, ``Form(role=…)``) and asking the rule
(``access.holders(Role.ADMIN)``, ``access.in_audience(member, audience)``) are not tests of a role.

The rest are behaviour, through the chat pipeline: refusals by role and by scope, and the moves this
made (capabilities, department officers, the welfare desk's grant, storage's result codes).
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import App
from handlers.access import Access, Denied, RoleRules
from handlers.base import Reply, Request, Role, Scope, Sender
from handlers.core_types import CommandSpec
from storage.db import make_engine
from storage.members import MemberRepo, NameProblem
from storage.welfare import Actor
from tests.conftest import ChatDriver

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("handlers", "web", "bot", "storage")
# The only modules that may test a role or an audience themselves:
ALLOWED = {
    "handlers/access.py",  # the rule
    "handlers/core_types.py",  # defines Sender.has, which the rule calls
}
RULE_HELPERS = {"member_in_audience", "roster_roles", "ROSTER_ROLE_WORDS"}
ROLE_LISTS = {"admins", "welfare_officers", "proposal_committee", "representatives"}


def _tail(node: ast.expr) -> str:
    """The last name of an expression: ``ctx.sender`` -> 'sender', ``self.rules`` -> 'rules'."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_role(node: ast.expr, role_names: set[str]) -> bool:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return True
    if isinstance(node, ast.Name) and node.id in role_names:
        return True
    return isinstance(node, ast.Tuple) and any(_is_role(e, role_names) for e in node.elts)


def _decides_scope(test: ast.expr) -> bool:
    """A condition that compares a ``Scope.X`` and reads ``is_group``: a scope decision."""
    parts = list(ast.walk(test))
    scope = any(isinstance(n, ast.Compare) and any(
        isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "Scope"
        for e in [n.left, *n.comparators]) for n in parts)
    return scope and any(isinstance(n, ast.Attribute) and n.attr == "is_group" for n in parts)


def role_tests(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every place in ``tree`` that tests a role or an audience itself, as (line, what)."""
    # Module constants bound to a role (OFFICER = Role.WELFARE_OFFICER) count as the role.
    role_names = {t.id for n in tree.body if isinstance(n, ast.Assign) and _is_role(n.value, set())
                  for t in n.targets if isinstance(t, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp | ast.If | ast.IfExp) and _decides_scope(node.test if not isinstance(
                node, ast.BoolOp) else node):
            yield node.lineno, "scope decided by hand"
        if isinstance(node, ast.Compare) and _is_role(node.left, role_names) and any(
                isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            yield node.lineno, "Role.X in …"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "has" and _tail(node.func.value) == "sender":
                yield node.lineno, "sender.has(…)"
            if node.func.attr == "may" and any(_is_role(a, role_names) for a in node.args[1:2]):
                yield node.lineno, "access.may(sender, Role.X)"
        if isinstance(node, ast.Attribute):
            if node.attr == "roles" and _tail(node.value) == "sender":
                yield node.lineno, "sender.roles"
            elif node.attr in ROLE_LISTS and isinstance(node.ctx, ast.Load):
                yield node.lineno, f".{node.attr} (an officer list)"
            elif node.attr == "departments" and _tail(node.value) in ("rules", "proposal_rules"):
                yield node.lineno, ".departments (an officer list)"
            elif node.attr == "officer":
                yield node.lineno, ".officer"
            elif node.attr in RULE_HELPERS:
                yield node.lineno, node.attr
        elif isinstance(node, ast.Name) and node.id in RULE_HELPERS:
            yield node.lineno, node.id
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in RULE_HELPERS or (node.module == "handlers.access" and alias.name == "roles_of"):
                    yield node.lineno, f"import {alias.name}"


def _scanned() -> list[Path]:
    return sorted(p for d in SCANNED for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts)


def test_nothing_outside_the_rule_tests_a_role_or_an_audience() -> None:
    found = [f"{p.relative_to(ROOT)}:{line}: {what}" for p in _scanned()
             if str(p.relative_to(ROOT)) not in ALLOWED
             for line, what in role_tests(ast.parse(p.read_text(encoding="utf-8")))]
    assert not found, "ask handlers.access.Access instead:\n" + "\n".join(found)


def test_the_allowed_modules_exist_and_the_rule_itself_is_caught() -> None:
    """The list names real modules, and the scan does find what the rule does (so it can fail)."""
    assert all((ROOT / m).is_file() for m in ALLOWED)
    rule = list(role_tests(ast.parse((ROOT / "handlers/access.py").read_text(encoding="utf-8"))))
    assert {"sender.has(…)", "member_in_audience"} <= {w for _, w in rule}


@pytest.mark.parametrize("source, what", [
    ("if Role.ADMIN in ctx.sender.roles: pass", "Role.X in …"),
    ("ok = ctx.sender.has(Role.ADMIN)", "sender.has(…)"),
    ("OFFICER = Role.WELFARE_OFFICER\nok = ctx.services.access.may(ctx.sender, OFFICER)",
     "access.may(sender, Role.X)"),
    ("ok = member_in_audience(a, gender='', retired=False, department='', known=True)", "member_in_audience"),
    ("from schedules.audience import member_in_audience", "import member_in_audience"),
    ("ids = ctx.services.proposal_rules.departments.get('总务处')", ".departments (an officer list)"),
    ("ids = config.roles.welfare_officers", ".welfare_officers (an officer list)"),
    ("if actor.officer: pass", ".officer"),
    ("if spec.scope == Scope.PRIVATE and chat.is_group: pass", "scope decided by hand"),
])
def test_the_scan_catches_each_kind_of_role_test(source: str, what: str) -> None:
    assert what in {w for _, w in role_tests(ast.parse(source))}


@pytest.mark.parametrize("source", [
    "@command('待办', syntax='#待办', help='', role=Role.WELFARE_OFFICER)\ndef f(): pass",
    "ids = ctx.services.access.holders(Role.ADMIN)",
    "ok = ctx.services.access.may(ctx.sender, 'propose')",
    "ok = ctx.services.access.may(ctx.sender, form.role)",
    "ok = ctx.services.access.in_audience(member, event.audience)",
    "label = roles_label(spec.roles)",
    "if spec.scope == Scope.PRIVATE: lines.append('仅私聊')",
    "if not access.may_scope(Scope.PRIVATE, ctx.chat.is_group): pass",
])
def test_asking_the_rule_or_declaring_a_role_is_not_a_role_test(source: str) -> None:
    assert list(role_tests(ast.parse(source))) == []


def _sentences(path: Path) -> Iterator[tuple[int, str]]:
    """String literals with Chinese sentence punctuation, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                and any(c in node.value for c in "，。？！“”")):
            yield node.lineno, node.value


def test_storage_answers_with_data_or_codes_never_sentences() -> None:
    found = [f"{p.relative_to(ROOT)}:{line}: {text[:40]}" for p in sorted((ROOT / "storage").glob("*.py"))
             for line, text in _sentences(p)]
    assert not found, "storage words a sentence; return a code and let the handler word it:\n" + "\n".join(found)


# --- the rule's answers -----------------------------------------------------------------------------


def _spec(role: Role | tuple[Role, ...] = Role.MEMBER, scope: Scope = Scope.ANY) -> CommandSpec:
    def func(req: Request, ctx: object) -> list[Reply]:
        return []
    return CommandSpec(name="试", func=func, syntax="#试", help="", role=role, scope=scope)


@pytest.fixture
def access(tmp_path: Path) -> Access:
    from storage import migrate
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate.upgrade(engine)
    return Access(RoleRules(admins=frozenset({"boss"}), welfare_officers=frozenset({"zhao"}),
                            departments={"总务处": frozenset({"zong-b", "zong-a"})}), MemberRepo(engine, "s"))


def _sender(access: Access, cid: str, member_id: int | None = None) -> Sender:
    return Sender(cid, cid, access.roles_of(cid), member_id)


def test_check_orders_scope_and_role(access: Access) -> None:
    member, boss = _sender(access, "li"), _sender(access, "boss")
    private_admin = _spec(Role.ADMIN, Scope.PRIVATE)
    # A private command in a group is told to go private, before the role is looked at.
    assert access.check(member, private_admin, in_group=True) == Denied.PRIVATE_ONLY
    assert access.check(member, private_admin, in_group=False) == Denied.ROLE
    assert access.check(boss, private_admin, in_group=False) is None
    group_admin = _spec(Role.ADMIN, Scope.GROUP)
    assert access.check(member, group_admin, in_group=False) == Denied.ROLE
    assert access.check(boss, group_admin, in_group=False) == Denied.GROUP_ONLY
    assert access.check(boss, group_admin, in_group=True) is None
    assert access.may_scope(Scope.PRIVATE, in_group=True) is False
    assert access.may_scope(Scope.ANY, in_group=True) and access.may_scope(Scope.ANY, in_group=False)


def test_capabilities_and_department_officers(access: Access) -> None:
    member, boss, zhao = _sender(access, "li"), _sender(access, "boss"), _sender(access, "zhao")
    assert access.may(boss, "see_turnout") and not access.may(member, "see_turnout")
    assert access.may(zhao, "handle_welfare") and not access.may(boss, "handle_welfare")
    assert access.may(member, "propose")  # no representatives named anywhere: every member is one
    assert access.department_officers("总务处") == ["zong-a", "zong-b"]
    assert access.department_officers("教务处") == []
    with pytest.raises(ValueError):
        access.may(member, "no-such-capability")


def test_the_welfare_grant_comes_from_the_rule(access: Access) -> None:
    from storage.models import WelfareRequest
    own = WelfareRequest(union_id="s", year=2027, seq=1, kind="住院", member_id=7, member_name="李")
    other = WelfareRequest(union_id="s", year=2027, seq=2, kind="住院", member_id=8, member_name="王")
    li = access.welfare_actor(_sender(access, "li", member_id=7))
    zhao = access.welfare_actor(_sender(access, "zhao", member_id=9))
    assert li.may("view", own) and not li.may("view", other)
    assert not any(li.may(a) for a in ("pending", "act", "ledger", "note"))
    assert zhao.may("view", other) and all(zhao.may(a) for a in ("pending", "act", "ledger", "note"))
    # Without a grant the desk allows nothing; the server's operator (the CLI) is an explicit actor holding
    # every role, and the rule grants it the desk.
    assert not Actor("x", "x", 7).may("view", own)
    operator = access.welfare_actor(Sender("cli:root", "命令行导出", frozenset(Role), None))
    assert operator.may("ledger") and operator.may("view", own) and operator.may("view", other)


# --- through the chat -------------------------------------------------------------------------------


def test_a_member_without_the_role_gets_the_usual_refusal(chat: ChatDriver) -> None:
    assert chat.text("李老师", "#待办", private=True) == "#待办 仅限福利委员使用，您的消息未生效。"
    assert chat.text("李老师", "#结束投票 1") == "#结束投票 仅限工会管理员使用，您的消息未生效。"


def test_scope_refusal_in_group_and_private(chat: ChatDriver) -> None:
    # In a group a private command is only told to go private, whoever asks and whatever their role.
    for who in ("李老师", "赵委员"):
        assert chat.text(who, "#待办") == "#待办 请私聊我使用，群里不要发具体内容。"
    # In private the same command runs for the officer and is refused by role for a member.
    assert "没有待办的申请" in chat.text("赵委员", "#待办", private=True)
    assert "仅限福利委员" in chat.text("李老师", "#待办", private=True)
    # Submitting a proposal is private too: the rule's scope, asked by the handler.
    assert chat.text("李老师", "#提案") == "提案请私聊我提交（发送 #提案 开始）。"


def test_storage_codes_are_worded_by_the_handler(chat: ChatDriver, app: App) -> None:
    member, problem = app.services.members.bind("nobody-known", "李明")
    assert member is None and problem == NameProblem.NO_CONTACT
    assert chat.text("王主席", "#绑定 nobody-known 李明", private=True) == (
        "未绑定：没有找到联系人“nobody-known”（对方需先在群里或私聊中发过消息）。")


def test_a_running_votes_turnout_is_for_whom_the_rule_says(chat: ChatDriver) -> None:
    chat.say("王主席", "#发起投票 春游地点 选项=公园|博物馆 截止=" + (dt.date(2027, 3, 20)).isoformat())
    member = chat.text("李老师", "#投票结果 1")
    admin = chat.text("王主席", "#投票结果 1")
    assert "结束后公布结果" in member and "已投" not in member
    assert "已投" in admin

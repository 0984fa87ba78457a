"""Access before arguments: whoever lacks a command's role (or the capability a way of writing it needs)
gets the same refusal whatever they typed, and nothing changes; whoever has it gets the usual reply about
their words. Asked for every declared command, through the terminal chat on a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from bot.app import App, build_app
from bot.clock import FakeClock
from handlers import build_registry
from handlers.base import CommandSpec, Role, roles_label
from tests.conftest import ChatDriver, make_config

# Words no reader understands, in every shape a command may take: bars, keys, a count, a long number.
GARBLED = ("｜乱写｜ 啊 =？ +x 99999999999", "a｜b", "abc")
PLAIN = "李老师"  # talks to the bot, holds no role: 代表 are named, so not one either
HOLDERS = {Role.ADMIN: "王主席", Role.WELFARE_OFFICER: "赵委员", Role.PROPOSAL_COMMITTEE: "钱老师",
           Role.REPRESENTATIVE: "代表甲", Role.DEPARTMENT_OFFICER: "officer-zong"}
REGISTRY = build_registry()
ROLED = [s for s in REGISTRY.ordered if s.roles != (Role.MEMBER,)]
GATED = [s for s in REGISTRY.ordered if s.gate is not None]
# The message itself leaves its id and the sender's last sight of the bot; nothing else may change.
NOT_DATA = {"seen_message", "member"}


@pytest.fixture
def rchat(tmp_path: Path, clock: FakeClock) -> ChatDriver:
    config = make_config(f"sqlite:///{tmp_path}/a.db",
                         roles={"admins": ["王主席"], "welfare_officers": ["赵委员"], "proposal_committee": ["钱老师"],
                                "representatives": ["代表甲", "代表乙"]},
                         proposals={"min_cosigners": 1, "departments": {"总务处": ["officer-zong"]}})
    chat = ChatDriver(build_app(config, clock), clock)
    for private in (True, False):  # met in private and seen in the group before: not news below
        chat.text(PLAIN, "#帮助", private=private)
    return chat


def data(app: App) -> dict[str, list[tuple]]:
    meta = MetaData()
    meta.reflect(app.engine)
    with app.engine.connect() as conn:
        return {name: sorted(map(tuple, conn.execute(select(table))), key=repr)
                for name, table in meta.tables.items() if name not in NOT_DATA}


def test_the_lists_are_not_empty() -> None:
    # The parametrized tests below would pass on nothing: there are role-gated and capability-gated commands.
    assert len(ROLED) > 20 and [s.name for s in GATED] == ["提案"]


@pytest.mark.parametrize("spec", ROLED, ids=lambda s: s.name)
def test_a_command_s_role_is_asked_before_its_arguments(rchat: ChatDriver, spec: CommandSpec) -> None:
    before = data(rchat.app)
    for words in GARBLED:
        out = rchat.say(PLAIN, f"#{spec.name} {words}", private=True)
        assert [o.text for o in out] == [f"#{spec.name} 仅限{roles_label(spec.roles)}使用，您的消息未生效。"], words
    assert data(rchat.app) == before


@pytest.mark.parametrize("spec", GATED, ids=lambda s: s.name)
def test_a_gated_way_is_refused_before_its_arguments_are_read(rchat: ChatDriver, spec: CommandSpec) -> None:
    assert spec.gate is not None
    before = data(rchat.app)
    for words in ("", *GARBLED):
        for private in (True, False):
            out = rchat.say(PLAIN, f"#{spec.name} {words}".strip(), private=private)
            assert [o.text for o in out] == [spec.gate.refused], (words, private)
    assert data(rchat.app) == before


@pytest.mark.parametrize(("who", "text", "refusal", "usage"), [
    ("代表甲", "#提案 a｜b", "提交提案仅限教代会代表", "格式：#提案 | #提案 标题｜案由｜建议 | #提案 编号"),
    ("王主席", "#发起报名 羽毛球赛 名额=很多", "#发起报名 仅限工会管理员使用", "未发起：名额“很多”应是正整数"),
    ("王主席", "#添加活动 ｜乱写｜", "#添加活动 仅限工会管理员使用", "格式：#添加活动"),
    ("赵委员", "#核定 W2027-001 很多", "#核定 仅限福利委员使用", "格式：#核定"),
    ("钱老师", "#交办", "#交办 仅限提案委员会成员使用", "格式：#交办"),
])
def test_the_holder_is_told_how_to_write_it_and_the_rest_are_refused(
        rchat: ChatDriver, who: str, text: str, refusal: str, usage: str) -> None:
    before = data(rchat.app)
    refused = rchat.text(PLAIN, text, private=True)
    assert refused.startswith(refusal) and "格式" not in refused
    answer = rchat.text(who, text, private=True)
    assert usage in answer and "仅限" not in answer
    assert data(rchat.app) == before


def test_showing_a_proposal_stays_open_to_every_member(rchat: ChatDriver) -> None:
    rchat.text("代表甲", "#提案 食堂增加晚餐供应｜教师晚自习后无处就餐｜食堂周一至周五供应晚餐", private=True)
    assert "已提交提案 2027-001" in rchat.text("代表甲", "#提交", private=True)
    assert "食堂增加晚餐供应" in rchat.text(PLAIN, "#提案 2027-001")
    assert "食堂增加晚餐供应" in rchat.text(PLAIN, "#提案 1", private=True)
    # A code that names nothing is answered about the proposal, not refused: the words were the open way.
    assert "没有" in rchat.text(PLAIN, "#提案 2027-009", private=True)
    assert "仅限教代会代表" in rchat.text(PLAIN, "#提案 2027-001 再写点别的", private=True)

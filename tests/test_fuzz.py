"""Generated messages through the whole pipeline (terminal transport): 3,600 per `make test`, 11,800
under `make test-deep` (UNIONBOT_HYPOTHESIS=deep, docs/testing.md):
random Unicode, emoji, huge texts, half-formed commands, injected SQL and
markup, wrong ids, privileged commands from ordinary members. Each must give a
clear reply or silence, never an internal error, and change no data."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.app import App, build_app
from bot.clock import FakeClock
from handlers import build_registry
from handlers.forms import CONFIRM_WORDS, YES_WORDS
from storage.db import session_scope
from tests.conftest import REPO, ChatDriver, make_config
from tests.invariants_support import DEEP_ENV

# Examples per test: the deep run (make test-deep) keeps the long search this module was written with; every
# `make test` draws fresh examples (no fixed seed), so the suite still explores new inputs on each run.
# Each test runs as SHARDS independent searches (a parameter), so pytest-xdist spreads one test's examples over
# its workers instead of leaving one worker with minutes of fuzzing at the end of the run.
DEEP = os.environ.get(DEEP_ENV) == "deep"
SHARDS = 4
shards = pytest.mark.parametrize("shard", range(SHARDS))


def per_shard(total: int) -> int:
    return -(-total // SHARDS)

# What members own. seen_message, member (names seen), setting, draft (a form
# in progress is a conversation, not data) and welfare_audit (refusals are
# logged by design) may change; these may not.
DATA_TABLES = ("schedule_item", "event", "signup", "proposal", "proposal_cosign", "proposal_event",
               "welfare_request", "outbox", "notice", "notice_receipt", "vote", "vote_voter", "vote_tally",
               "checkin", "checkin_record")
# These succeed for an admin with any text at all: not invalid input.
ANY_TEXT_ADMIN = {"发送通知", "添加活动", "发起报名", "发起投票", "开始签到"}
REGISTRY = build_registry()
COMMANDS = sorted({n for spec in REGISTRY.ordered for n in spec.names})
# Forms that a bare or typed command opens on purpose; their later steps are covered by the flow tests.
FORM_OPENERS = {"提案", "申请", "导入计划", "住院", "生病住院", "结婚", "生育", "丧事", "困难帮扶", "帮扶", "慰问申请", "代报"}
NASTY = ["'; DROP TABLE signup;--", "<script>alert(1)</script>", "{{7*7}}", "%s%s%s", "\x00", "\u202e", "🎉👍🏻",
         "W2027-999", "2027-999", "999999999999", "-1", "0", "+99", "=HYPERLINK(\"x\")", "＃", "@工会助手", "\n\n",
         "名额=-5", "截止=2027-13-45", "时间=昨天", "对象=", "｜｜", "1e9", "NaN", "ｗ２０２７－００１",
         "²", "¹²", "2²", "①"]  # digits for str.isdigit() that int() refuses
MEMBERS = ["李老师", "王老师", "张老师"]  # no roles in the config
ADMINS = ["王主席", "赵委员", "钱老师"]  # admin, welfare officer, proposal committee


EVENT_TITLE = "羽毛球赛"  # the world's one sign-up (see ``world``)


def _is_garbage(args: str) -> bool:
    """Nothing, or a small number (also full-width: '１') alone or before other words ('1 素食'
    is a sign-up with a 备注, '1 理由' a reason), would make a valid command; so would two characters
    of the event's title ('#报名 羽毛球' signs up by title; Hypothesis draws literals from this file)."""
    folded = unicodedata.normalize("NFKC", args).strip().lstrip("#")
    return bool(folded) and not names_event(folded) and not re.match(r"[+]?\d{1,3}(?:\s|$)", folded.strip())


def names_event(text: str) -> bool:
    folded = unicodedata.normalize("NFKC", text)
    return any(EVENT_TITLE[i:i + 2] in folded for i in range(len(EVENT_TITLE) - 1))


def _not_glued(body: str) -> bool:
    word = unicodedata.normalize("NFKC", body).lstrip("#/ ").split(maxsplit=1)
    return not word or REGISTRY.split_glued(word[0]) is None


def garbage_args() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(NASTY),
        st.lists(st.sampled_from(NASTY), min_size=1, max_size=4).map(" ".join),
        st.integers(min_value=1000, max_value=10**12).map(str),  # ids that do not exist
        st.text(min_size=2100, max_size=2600),  # longer than a message may be
    ).filter(_is_garbage)


@st.composite
def message(draw: st.DrawFn) -> tuple[str, str, bool]:
    kind = draw(st.integers(0, 5))
    if kind == 0:  # anything at all
        body = draw(st.text(max_size=200))
    elif kind == 1:  # a privileged command from a member, garbage or not
        name = draw(st.sampled_from(COMMANDS))
        body = f"#{name} {draw(garbage_args())}"
        who = draw(st.sampled_from(MEMBERS))
        return who, body, draw(st.booleans())
    elif kind == 2:  # a real command with garbage arguments, from anyone
        name = draw(st.sampled_from([c for c in COMMANDS if c not in FORM_OPENERS]))
        body = f"{draw(st.sampled_from(['#', '＃', '/', '']))}{name} {draw(garbage_args())}"
    elif kind == 3:  # half-formed commands ('#报名1' is not one: it is '#报名 1')
        body = draw(st.sampled_from(["#", "##", "# ", "#报", "#报名名单", "/", "＃＃提案", "#导出"]).flatmap(
            lambda head: st.text(max_size=10).map(lambda tail: head + tail)).filter(_not_glued))
    elif kind == 4:  # a huge message
        body = "#" + draw(st.text(min_size=2001, max_size=3000))
    else:
        body = draw(st.sampled_from(NASTY))
    who = draw(st.sampled_from(MEMBERS + ADMINS))
    if kind == 2 and who in ADMINS and body.lstrip("#＃/").split(" ")[0] in ANY_TEXT_ADMIN:
        who = MEMBERS[0]  # these would succeed for an admin with any text: not invalid input
    return who, body, draw(st.booleans())


def fingerprint(app: App) -> list:
    with session_scope(app.engine) as s:
        return [s.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2")).all() for t in DATA_TABLES]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ChatDriver:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    clock = FakeClock(dt.datetime(2027, 3, 2, 2, 0, tzinfo=dt.UTC))
    config = make_config(f"sqlite:///{tmp}/fuzz.db", schedule={"file": str(REPO / "examples/schedule.example.toml")})
    chat = ChatDriver(build_app(config, clock), clock)
    chat.console.files_dir = tmp / "files"
    # Some data to aim wrong ids and bad commands at.
    chat.text("王主席", f"#发起报名 {EVENT_TITLE} 名额=2")
    chat.text("李老师", "#报名 1")
    chat.text("李老师", "#提案 食堂｜午餐太贵｜降价", private=True)
    chat.text("李老师", "#提交", private=True)
    chat.text("王老师", "#申请 住院 医院=一院 住院日期=2027-03-01 天数=3", private=True)
    chat.text("王老师", "确认", private=True)
    chat.pump()
    return chat


@shards
@settings(max_examples=per_shard(200 if DEEP else 60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(message().filter(lambda m: not names_event(m[1])), min_size=50, max_size=50))
def test_generated_messages_change_nothing(world: ChatDriver, shard: int, batch: list[tuple[str, str, bool]]) -> None:
    before = fingerprint(world.app)
    for who, body, private in batch:
        world.app.services.drafts.clear(who)  # each message stands alone, outside any form
        replies = world.say(who, body, private=private)
        for r in replies:
            assert r.text or r.file, (who, body)
            assert "出错" not in r.text, (who, body[:80], r.text)
            if not private:
                assert not r.contact_id or r.contact_id == who, (who, body[:80])
        after = fingerprint(world.app)
        changed = [t for t, a, b in zip(DATA_TABLES, after, before, strict=True) if a != b]
        assert not changed, (who, body[:80], private, changed, [r.text[:80] for r in replies])


# --- the form branch: messages while a form is open ------------------------------------

FORM_STARTS = {  # who may open it -> how
    "proposal": (MEMBERS + ADMINS, "#提案"),
    "welfare": (MEMBERS + ADMINS, "#申请"),
    "welfare_typed": (MEMBERS + ADMINS, "#住院 医院=一院"),
    "plan_import": (["王主席"], "#导入计划"),
    "signup_publish": (["王主席"], "#发起报名"),
}
# Words that finish (or replace) a form on purpose: not invalid input.
FINISHING = CONFIRM_WORDS | YES_WORDS


def _not_finishing(body: str) -> bool:
    bare = unicodedata.normalize("NFKC", body).strip().lstrip("#/").strip().rstrip("。.!！ ")
    return bare not in FINISHING and bare.split(" ")[0] not in CONFIRM_WORDS


@st.composite
def form_message(draw: st.DrawFn) -> tuple[str, bool]:
    kind = draw(st.integers(0, 3))
    if kind == 0:  # an answer to the step: anything at all, often long
        body = draw(st.one_of(st.text(max_size=300), st.sampled_from(NASTY), st.text(min_size=400, max_size=2500)))
    elif kind == 1:  # the form's own words with garbage after them
        body = draw(st.sampled_from(["#修改 ", "修改 ", "改 ", "#修改 标题 ", "#修改 天数 ", "#修改 类型 "])) + draw(
            st.text(max_size=60))
    elif kind == 2:  # a command while the form is open (not one an admin may run with any text)
        _, body, _ = draw(message())
        if unicodedata.normalize("NFKC", body).lstrip("#/ ").split(" ")[0] in ANY_TEXT_ADMIN:
            body = "#帮助"
    else:  # another form asked for
        body = draw(st.sampled_from(["#提案", "#申请", "#住院", "#导入计划", "#发起报名", "#代报 张三"]))
    return body, draw(st.booleans().map(lambda b: b or kind != 2))  # forms live in private chats


@shards
@settings(max_examples=per_shard(120 if DEEP else 40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow, HealthCheck.data_too_large])
@given(start=st.sampled_from(sorted(FORM_STARTS)), who_index=st.integers(0, 5),
       batch=st.lists(form_message().filter(lambda m: _not_finishing(m[0]) and not names_event(m[0])),
                      min_size=15, max_size=15))
def test_messages_while_a_form_is_open_change_only_its_draft(world: ChatDriver, shard: int, start: str, who_index: int,
                                                            batch: list[tuple[str, bool]]) -> None:
    allowed, opener = FORM_STARTS[start]
    who = allowed[who_index % len(allowed)]
    world.app.services.drafts.clear(who)
    before = fingerprint(world.app)
    opened = world.say(who, opener, private=True)
    assert opened and "出错" not in opened[0].text
    for body, private in batch:
        replies = world.say(who, body, private=private)
        for r in replies:
            assert r.text or r.file, (who, body)
            assert "出错" not in r.text, (start, who, body[:80], r.text)
        after = fingerprint(world.app)
        changed = [t for t, a, b in zip(DATA_TABLES, after, before, strict=True) if a != b]
        assert not changed, (start, who, body[:80], private, changed, [r.text[:80] for r in replies])
    world.app.services.drafts.clear(who)

"""Generated tests: votes. The decision rules for any number of representatives, the turnout's
rounding, and, through the chat on SQLite and PostgreSQL, random ballots (valid, invalid, repeated,
after the end) from representatives and others:

- one ballot per member; the totals equal the voters; what each member was told matches the count;
- a secret vote's tables are identical under any permutation of who chose what;
- the result shows the turnout rounded half up with the count beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from fractions import Fraction
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from handlers.vote_rules import VoteRules, decide, percent
from storage.members import RosterRow
from tests.invariants_support import Database, database, profile, run_machine

MOTION = ["赞成", "反对", "弃权"]
ADMIN = "王主席"
OUTSIDER = "周老师"  # in the roster, not a representative
RANDOM_KEYS = ("union_id", "message_id", "occurrence")  # the union, the console's session, an announce token
WALL_CLOCK_BEFORE = dt.datetime(2027, 1, 1)  # the fake clock runs in March 2027


@given(eligible=st.integers(1, 400), data=st.data(), half_passes=st.booleans(),
       quorum=st.sampled_from([Fraction(2, 3), Fraction(1, 2), Fraction(3, 4)]))
@profile()
def test_quorum_and_half_of_all_representatives(eligible: int, data: st.DataObject, half_passes: bool,
                                                quorum: Fraction) -> None:
    voted = data.draw(st.integers(0, eligible))
    yes = data.draw(st.integers(0, voted))
    no = data.draw(st.integers(0, voted - yes))
    rules = VoteRules(quorum=quorum, half_passes=half_passes)
    d = decide(MOTION, [yes, no, voted - yes - no], voted, eligible, True, rules)
    assert d.valid == (Fraction(voted, eligible) >= quorum), d.rule
    if d.valid:  # the base is all representatives, not those who voted
        assert d.passed == (Fraction(yes, eligible) > Fraction(1, 2) or (half_passes and 2 * yes == eligible))
    counts = data.draw(st.lists(st.integers(0, voted), min_size=3, max_size=3))
    election = decide(["张三", "李四", "王五"], counts, voted, eligible, True, rules)
    if election.valid:
        assert set(election.elected) == {n for n, c in zip(["张三", "李四", "王五"], counts, strict=True)
                                         if 2 * c > eligible or (half_passes and 2 * c == eligible)}
    # Not the congress: more than half of the ballots cast.
    other = decide(MOTION, [yes, no, voted - yes - no], voted, None, False, rules)
    assert other.valid and other.passed == (voted > 0 and (2 * yes > voted or (half_passes and 2 * yes == voted)))


def test_nothing_passes_with_no_ballot_cast() -> None:
    """Found: with 含半数, a vote nobody took part in passed (0 of 0 is "half"), and an election with no
    ballots elected everyone."""
    rules = VoteRules(half_passes=True)
    assert decide(MOTION, [0, 0, 0], 0, None, False, rules).passed is False
    assert decide(["张三", "李四"], [0, 0], 0, None, False, rules).elected == ()


@given(whole=st.integers(1, 10_000), data=st.data())
@profile()
def test_turnout_rounds_half_up(whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(0, whole))
    assert percent(part, whole) == math.floor(Fraction(100 * part, whole) + Fraction(1, 2))  # half up


class VoteMachine(RuleBasedStateMachine):
    db: Database

    @initialize(reps=st.integers(1, 7), anonymous=st.booleans())
    def start(self, reps: int, anonymous: bool) -> None:
        self.chat = self.db.chat()
        self.services = self.chat.app.services
        self.reps = [f"代表{i}" for i in range(reps)]
        self.services.members.import_roster([RosterRow(n, role="代表", contact_id=n) for n in self.reps]
                                            + [RosterRow(OUTSIDER, contact_id=OUTSIDER)])
        out = self.chat.text(ADMIN, f"#发起投票 决议 对象=代表 匿名={'是' if anonymous else '否'}")
        assert "已发起投票【1】" in out, out
        self.ballots: dict[str, int] = {}  # who -> the option they were told was counted
        self.closed = False

    @rule(data=st.data(), choice=st.sampled_from(["赞成", "反对", "弃权", "1", "3", "同意", "1 2", ""]))
    def vote(self, data: st.DataObject, choice: str) -> None:
        who = data.draw(st.sampled_from([*self.reps, OUTSIDER]))
        out = self.chat.text(who, f"#投票 1 {choice}".strip(), private=True)
        assert out.strip()
        if "已收到您对投票 1" in out:
            assert who in self.reps and who not in self.ballots and not self.closed, out
            option = int(choice) - 1 if choice.isdecimal() else MOTION.index(choice)
            self.ballots[who] = option
        else:
            assert who not in self.reps or who in self.ballots or self.closed or choice not in (*MOTION, "1", "3"), out

    @precondition(lambda self: not self.closed)
    @rule()
    def close(self) -> None:
        out = self.chat.text(ADMIN, "#结束投票 1", private=True)
        self.closed = True
        voted, eligible = len(self.ballots), len(self.reps)
        assert f"投票率 {percent(voted, eligible)}%（{voted}/{eligible}）" in out, out

    @invariant()
    def one_ballot_each_and_totals_equal_the_voters(self) -> None:
        v = self.services.votes.get(1)
        assert v is not None
        voters = self.services.votes.voter_ids(v)
        names = {m.name for m in self.services.members.all() if m.id in voters}
        assert names == set(self.ballots)
        counts = self.services.votes.tally(v)
        assert sum(counts) == len(voters)
        assert counts == [Counter(self.ballots.values())[i] for i in range(3)]


def test_vote_invariants(db_url: str) -> None:
    run_machine(VoteMachine, db_url)


def _union_dump(db: Database, union: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the union, ids made relative (two unions share one database and its sequences)."""
    dump = {}
    for table in sorted(_tables(db)):
        rows = db.rows(table, union)
        lows = {k: min((r[k] for r in rows if isinstance(r[k], int) and not isinstance(r[k], bool)), default=0)
                for k in (rows[0] if rows else {}) if k == "id" or k.endswith("_id")}
        dump[table] = [tuple((k, _same(k, v, lows)) for k, v in sorted(r.items()) if k not in RANDOM_KEYS)
                       for r in rows]
    return dump


def _same(key: str, value: Any, lows: dict[str, int]) -> Any:
    if key in lows and isinstance(value, int) and not isinstance(value, bool):
        return value - lows[key]
    if isinstance(value, dt.datetime) and value.replace(tzinfo=None) < WALL_CLOCK_BEFORE:
        return "<wall clock>"  # a row stamped by the machine's own clock (member.created_at), not the fake one
    return value


def _tables(db: Database) -> list[str]:
    return [name for name, t in db.tables().items() if "union_id" in t.c]


@given(choices=st.lists(st.sampled_from(MOTION), min_size=2, max_size=5), order=st.permutations(range(5)))
# Found on PostgreSQL: only the chosen counter was updated, so the table's order (and each row's xmin)
# gave away the last ballot's choice.
@example(choices=["赞成", "反对"], order=[1, 0, 2, 3, 4])
@profile()
def _secret_vote_tables_do_not_depend_on_who_chose_what(db: Database, choices: list[str], order: list[int]) -> None:
    permuted = [choices[i] for i in order if i < len(choices)]
    dumps = []
    for picks in (choices, permuted):
        chat = db.chat()
        people = [f"代表{i}" for i in range(len(picks))]
        chat.app.services.members.import_roster([RosterRow(n, role="代表", contact_id=n) for n in people])
        chat.text(ADMIN, "#发起投票 决议 对象=代表 截止=2027-03-01 18:00")
        for who, pick in zip(people, picks, strict=True):  # the same people, in the same order, at the same times
            assert "已收到" in chat.text(who, f"#投票 1 {pick}", private=True)
            chat.clock.advance(dt.timedelta(seconds=7))
        chat.clock.set(dt.datetime(2027, 3, 1, 10, 1, tzinfo=dt.UTC))  # past the deadline
        dumps.append(_union_dump(db, chat.app.config.union_id))
        chat.app.sender.leader.release()
    assert dumps[0] == dumps[1]


def test_secret_vote_tables_are_identical_under_any_permutation(db_url: str) -> None:
    with database(db_url) as db:
        _secret_vote_tables_do_not_depend_on_who_chose_what(db)


def test_a_secret_ballot_leaves_no_trace_of_its_choice_on_postgres(db_url: str) -> None:
    """Each ballot writes every counter: all of them carry the same transaction id (xmin), so none
    can be joined to the voter row written in that transaction."""
    with database(db_url) as db:
        if db.engine.dialect.name != "postgresql":
            import pytest

            pytest.skip("xmin is PostgreSQL's")
        from sqlalchemy import text

        chat = db.chat()
        chat.app.services.members.import_roster([RosterRow(n, role="代表", contact_id=n) for n in ("甲", "乙")])
        chat.text(ADMIN, "#发起投票 决议 对象=代表")
        chat.text("甲", "#投票 1 赞成", private=True)
        chat.text("乙", "#投票 1 反对", private=True)
        with db.engine.connect() as conn:
            xmins = conn.execute(text("SELECT xmin::text FROM vote_tally WHERE union_id = :u"),
                                 {"u": chat.app.config.union_id}).scalars().all()
            last_voter = conn.execute(text("SELECT xmin::text FROM vote_voter WHERE union_id = :u ORDER BY id DESC"),
                                      {"u": chat.app.config.union_id}).scalars().first()
        assert len(xmins) == 3 and set(xmins) == {last_voter}
        chat.app.sender.leader.release()

"""Generated tests: the outbox across random kills and restarts of the sender, on SQLite and
PostgreSQL, on a fake clock. Posts are queued (one-off notices, sign-up notices through the chat),
events are cancelled the way the office page does it, time moves (in and out of quiet hours), and a
sender drains, dies with a post claimed but not sent, or is replaced by a new instance (a new
OutboxSender with its own leader lock on the same database, as after a restart). After every step:

- no post is sent twice, and a post is marked sent exactly when it was sent;
- nothing is sent in quiet hours (21:30–07:30 Asia/Shanghai);
- a sign-up notice is never sent after its event was cancelled;
- a second sender never sends while the first leads;
- a dropped post says why.

At the end, with time moved to the next morning and a fresh sender: every post due is sent exactly
once, or dropped with a reason, or recorded as missed (past its expiry).
"""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from bot.app import build_sender
from bot.sender import OutboxSender
from storage.models import OutboxPost
from storage.outbox import NewPost
from tests.invariants_support import T0, Database, in_quiet_hours, local, run_machine

GROUPS = [{"topic": "全体教职工群", "id": "1000@chatroom"}, {"topic": "女教工群", "id": "1001@chatroom",
                                                          "audiences": ["女教工"]}]
ADMIN = "王主席"


class OutboxMachine(RuleBasedStateMachine):
    db: Database

    @initialize(start=st.integers(0, 24 * 60 - 1))
    def start(self, start: int) -> None:
        self.chat = self.db.chat(T0 + dt.timedelta(minutes=start), groups=GROUPS)
        self.app = self.chat.app
        self.app.sender.leader.release()  # the chat's own sender stands aside: this machine's senders lead
        self.outbox = self.app.services.reminders.outbox
        self.sender: OutboxSender | None = None
        self.sent: dict[int, dt.datetime] = {}  # post id -> when it went out
        self.cancelled: dict[int, dt.datetime] = {}  # event number -> when it was cancelled
        self.events = 0

    def now(self) -> dt.datetime:
        return self.chat.clock()

    def _sender(self) -> OutboxSender:
        if self.sender is None:
            self.sender = build_sender(self.app.config, self.app.engine, self.app.services)
        return self.sender

    def _kill(self) -> None:
        if self.sender is not None:
            self.sender.leader.release()  # what the kernel / the server does when the process dies
            self.sender = None

    # --- what happens -------------------------------------------------------------------------

    @rule(group=st.sampled_from(["全体教职工群", "女教工群"]), delay=st.integers(0, 600))
    def queue_notice(self, group: str, delay: int) -> None:
        due = self.now() + dt.timedelta(minutes=delay)
        self.outbox.enqueue([NewPost("notice", "", f"group:{group}", uuid.uuid4().hex[:16], "【工会通知】开会", due,
                                     due + dt.timedelta(days=1))], self.now())

    @rule()
    def publish(self) -> None:
        self.events += 1
        out = self.chat.text(ADMIN, f"#发起报名 联欢会{self.events} 名额=5")
        assert f"已发起报名【{self.events}】" in out, out

    @precondition(lambda self: self.events > len(self.cancelled))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        number = data.draw(st.sampled_from([n for n in range(1, self.events + 1) if n not in self.cancelled]))
        self.app.services.signups.set_status(number, "cancelled", "改期")  # as the office page does
        self.cancelled[number] = self.now()

    @rule(minutes=st.integers(1, 600))
    def wait(self, minutes: int) -> None:
        self.chat.clock.advance(dt.timedelta(minutes=minutes))

    @rule(limit=st.integers(1, 6))
    def drain(self, limit: int) -> None:
        sender = self._sender()
        for _ in range(limit):
            item = sender.take(self.now())
            if item is None:
                return
            post, _ = item
            self._record(post)
            sender.sent(post, self.now())

    @rule()
    def killed_mid_send(self) -> None:
        """The process dies between claiming a post and sending it: the claim is abandoned."""
        self._sender().take(self.now())
        self._kill()

    @rule()
    def restart(self) -> None:
        self._kill()

    @rule()
    def rival_sender(self) -> None:
        """A second instance on the same database while one leads: it must send nothing."""
        if self.sender is None or not self.sender.ensure_leader():
            return
        rival = build_sender(self.app.config, self.app.engine, self.app.services)
        try:
            assert rival.take(self.now()) is None, "two senders at once"
        finally:
            rival.leader.release()

    def _record(self, post: OutboxPost) -> None:
        assert post.id is not None
        assert post.id not in self.sent, f"post {post.id} ({post.kind}) sent twice"
        assert not in_quiet_hours(self.now()), f"sent at {local(self.now())}, in quiet hours"
        if post.kind == "signup_notice":
            number = int(post.ref.removeprefix("event:"))
            assert number not in self.cancelled, f"the notice of cancelled event {number} was sent"
        self.sent[post.id] = self.now()

    # --- after every step -----------------------------------------------------------------------

    @invariant()
    def sent_exactly_when_sent(self) -> None:
        if not hasattr(self, "outbox"):
            return
        rows = self.outbox.list()
        assert {p.id for p in rows if p.status == "sent"} == set(self.sent)
        assert all(p.drop_reason for p in rows if p.status == "dropped")

    def teardown(self) -> None:
        if not hasattr(self, "outbox"):
            return
        try:
            self._kill()
            # The first time outside quiet hours at or after the last post's due time: everything goes now.
            due = max([self.now()] + [p.due_at for p in self.outbox.list() if p.status in ("pending", "sending")])
            if in_quiet_hours(due):
                morning = local(due).replace(hour=7, minute=30, second=0, microsecond=0)
                due = morning + dt.timedelta(days=1) if local(due).time() >= dt.time(21, 30) else morning
            self.chat.clock.set(due.astimezone(dt.UTC))
            sender = self._sender()
            assert sender.ensure_leader()  # a new leader recovers abandoned claims first
            self.outbox.expire(self.now())  # as the scheduler's tick does: too late is recorded as missed
            while (item := sender.take(self.now())) is not None:
                self._record(item[0])
                sender.sent(item[0], self.now())
            rows = self.outbox.list()
            for p in rows:
                assert p.status in ("sent", "dropped", "missed"), (p.id, p.kind, p.status, local(p.due_at))
                if p.status == "dropped":
                    assert p.drop_reason
            assert {p.id for p in rows if p.status == "sent"} == set(self.sent)
        finally:
            self._kill()


def test_outbox_invariants(db_url: str) -> None:
    run_machine(OutboxMachine, db_url)


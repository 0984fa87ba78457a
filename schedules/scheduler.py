"""The reminder scheduler: turns the plan into outbox rows as posts fall due.

APScheduler (or the terminal chat's fake clock) only calls ``tick(now)``;
what is sent is decided by the database (the outbox's unique key), so a
restart, a second instance or a clock moved by hand never posts twice.
``tick`` looks back to the previous tick: a post that fell due while the bot
was down is queued if still within its grace, and recorded as missed if not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from schedules.audience import GroupTarget, groups_for
from schedules.holidays import CalendarOverrides
from schedules.reminders import Activity, CareRules, Person, PlanInput, ReminderTimes, SignupInfo, plan_posts
from storage.members import MemberRepo
from storage.outbox import NewPost, OutboxRepo
from storage.schedule_repo import ScheduleRepo, split_ints
from storage.settings import Settings
from storage.signups import SignupRepo

LOOKBACK = dt.timedelta(days=1)  # the longest grace (a digest is good all day)
PAUSED_KEY = "reminders:paused"
LAST_TICK_KEY = "reminders:last_tick"


@dataclass(frozen=True)
class SchedulerRules:
    """What the scheduler follows (built from the config by bot.app)."""

    tz: ZoneInfo
    groups: tuple[GroupTarget, ...]
    times: ReminderTimes
    calendar: CalendarOverrides
    care: CareRules
    enabled: bool = True
    pace: tuple[float, float, int] = (2.0, 4.0, 20)  # seconds between posts, at most per minute (#提醒设置)
    # Who gets care lists, asked at each tick (the access rule: config ids and the roster's 角色 column);
    # None keeps ``care.officers``.
    officers: Callable[[], tuple[str, ...]] | None = None


@dataclass
class ReminderScheduler:
    rules: SchedulerRules
    schedule: ScheduleRepo
    signups: SignupRepo
    outbox: OutboxRepo
    settings: Settings
    members: MemberRepo
    _queued: set[tuple[str, str, str, str]] = field(default_factory=set)

    @property
    def groups(self) -> list[GroupTarget]:
        return list(self.rules.groups)

    @property
    def paused(self) -> bool:
        return self.settings.get(PAUSED_KEY) == "1"

    def set_paused(self, paused: bool) -> None:
        self.settings.put(PAUSED_KEY, "1" if paused else "0")

    def plan_input(self, now: dt.datetime) -> PlanInput:
        rules = self.rules
        years = {now.astimezone(rules.tz).year + d for d in (-1, 0, 1)}
        activities = [
            Activity(it.number, it.text, it.date, tuple(split_ints(it.months)), it.year, bool(it.rrule), it.holiday)
            for it in self.schedule.list() if it.year in years
        ]
        events = [e for e in self.signups.open_events() if e.starts_at is None or e.starts_at > now]
        confirmed = self.signups.confirmed_contacts([e.id for e in events if e.id is not None])
        infos = [
            SignupInfo(e.number, e.title, e.starts_at, e.place, e.deadline, e.audience, e.capacity,
                       e.confirmed_seats, tuple(confirmed.get(e.id or 0, ())))
            for e in events
        ]
        people = [Person(m.name, m.contact_id, m.birthday, m.retired) for m in self.members.roster()]
        care = rules.care if rules.officers is None else dataclasses.replace(rules.care, officers=rules.officers())
        return PlanInput(activities, infos, self.groups, rules.times, rules.calendar, rules.tz, people, care)

    def tick(self, now: dt.datetime) -> int:
        """Queue what fell due since the last tick; returns how many posts were new."""
        last = self.settings.get(LAST_TICK_KEY)
        start = now - LOOKBACK
        if last:
            prev = dt.datetime.fromisoformat(last)
            if start <= prev <= now:
                start = prev
        self.settings.put(LAST_TICK_KEY, now.isoformat())
        self.outbox.expire(now)
        if not self.rules.enabled or self.paused:
            return 0
        posts = plan_posts(start, now + dt.timedelta(microseconds=1), self.plan_input(now))
        return self.outbox.enqueue(posts, now)

    def preview(self, now: dt.datetime, days: int) -> list[NewPost]:
        """What will still be posted: planned posts not already in the outbox (sent or queued)."""
        planned = plan_posts(now, now + dt.timedelta(days=days), self.plan_input(now))
        known = self.outbox.keys_since(now - LOOKBACK)
        return [p for p in planned if (p.kind, p.ref, p.target, p.occurrence) not in known]

    def announce(self, text: str, audience: str, now: dt.datetime, kind: str = "notice", ref: str = "") -> list[str]:
        """A one-off post to the audience's groups, through the outbox; returns the group labels."""
        labels = groups_for(audience, self.groups)
        token = uuid.uuid4().hex[:16]
        posts = [NewPost(kind, ref, f"group:{label}", token, text, now, now + dt.timedelta(days=1))
                 for label in labels]
        self.outbox.enqueue(posts, now)
        return labels

    def queue_private(self, kind: str, ref: str, contacts: list[str], occurrence: str, text: str,
                      now: dt.datetime, expires_at: dt.datetime | None = None) -> int:
        """One private post to each contact through the outbox (paced, once per key), not sent after
        ``expires_at`` (a day by default); a renderer for ``kind`` may still drop one at sending time
        (someone who answered meanwhile)."""
        expires = min(expires_at or now + dt.timedelta(days=1), now + dt.timedelta(days=1))
        posts = [NewPost(kind, ref, f"contact:{c}", occurrence, text, now, expires)
                 for c in dict.fromkeys(contacts) if c]
        return self.outbox.enqueue(posts, now)

    def queue_rendered(self, *, kind: str, ref: str, target: str, occurrence: str, due_at: dt.datetime,
                       expires_at: dt.datetime, now: dt.datetime) -> None:
        """A post whose text is rendered when it is sent (a live sign-up list).

        Every sign-up in a busy group asks for the same post; once this process
        has queued a key, the database would ignore it again anyway."""
        key = (kind, ref, target, occurrence)
        if key in self._queued:
            return
        self.outbox.enqueue([NewPost(kind, ref, target, occurrence, "", due_at, expires_at)], now)
        if len(self._queued) > 10_000:
            self._queued.clear()
        self._queued.add(key)

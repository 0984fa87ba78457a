"""What the bot posts on its own, and when: pure functions over a time window.

Given the schedule, the open sign-ups, the staff groups and the settings,
``plan_posts`` lists every post falling due in ``[start, end)``. The scheduler
queues those that are due now; ``#提醒预览`` shows those of the coming days.
Nothing here reads a clock or a database, so every rule (first workday after
春节, quiet hours, audiences) is tested directly.

Rules, in the union's timezone:
- digest: first workday of the month (调休 counted), ``digest_time``; to every
  group, with the activities for that group's audiences; kept until the end of
  that day (a bot down in the morning still posts it the same day).
- an activity with a date: the evening before (``eve_time``, moved back to the
  last workday before when that is a rest day) and the morning of the day
  (``morning_time``); a festival activity's morning post is the greeting.
- a sign-up: a deadline reminder to the groups on the deadline's day (the
  workday before when the deadline is a rest day or before noon), and a
  private reminder to everyone confirmed, the workday evening before.
- recurring activities (每周三…) appear in digests only: a reminder every week
  would drown the group.
- nothing is due in quiet hours: such a time moves to the end of quiet hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from schedules.audience import EVERYONE, GroupTarget, audience_of, groups_for
from schedules.holidays import CalendarOverrides, festival_date, is_workday
from schedules.item_dates import without_own_date
from storage.outbox import NewPost

WEEKDAYS = "一二三四五六日"
BIRTHDAY_WISH = "工会祝您生日快乐，身体健康，工作顺利！"


@dataclass(frozen=True)
class ReminderTimes:
    digest: dt.time = dt.time(8, 0)
    eve: dt.time = dt.time(16, 0)
    morning: dt.time = dt.time(8, 0)
    quiet_start: dt.time = dt.time(21, 30)
    quiet_end: dt.time = dt.time(7, 30)
    grace: dt.timedelta = dt.timedelta(hours=2)


@dataclass(frozen=True)
class Activity:
    number: int
    text: str
    date: dt.date | None
    months: tuple[int, ...]
    year: int
    recurring: bool = False
    holiday: str | None = None


@dataclass(frozen=True)
class SignupInfo:
    number: int
    title: str
    starts_at: dt.datetime | None
    place: str
    deadline: dt.datetime | None
    audience: str
    capacity: int | None
    confirmed_seats: int
    participants: tuple[str, ...] = ()  # contact ids of those confirmed


@dataclass(frozen=True)
class Person:
    name: str
    contact_id: str | None
    birthday: dt.date | None
    retired: bool


@dataclass(frozen=True)
class CareRules:
    """Scheduled care from the roster; these posts go only to welfare officers
    (or, for a birthday greeting, to the member), never to a group."""

    officers: tuple[str, ...] = ()
    elder_age: int = 70
    days_before: int = 7
    birthdays: str = "list"  # list | greeting | off
    festivals: tuple[str, ...] = ("重阳节", "春节")


@dataclass(frozen=True)
class PlanInput:
    activities: Sequence[Activity]
    signups: Sequence[SignupInfo]
    groups: Sequence[GroupTarget]
    times: ReminderTimes
    calendar: CalendarOverrides
    tz: ZoneInfo
    people: Sequence[Person] = ()
    care: CareRules = CareRules()


def plan_posts(start: dt.datetime, end: dt.datetime, inp: PlanInput) -> list[NewPost]:
    """Every post due in ``[start, end)``, ordered by due time."""
    posts: list[NewPost] = []
    posts += _digests(start, end, inp)
    for act in inp.activities:
        posts += _activity_posts(act, inp)
    for su in inp.signups:
        posts += _signup_posts(su, inp)
    posts += _care_posts(start, end, inp)
    due = [p for p in posts if start <= p.due_at < end]
    return sorted(due, key=lambda p: (p.due_at, p.kind, p.target))


# --- the rules ---------------------------------------------------------------


def _digests(start: dt.datetime, end: dt.datetime, inp: PlanInput) -> list[NewPost]:
    posts = []
    first = start.astimezone(inp.tz).date().replace(day=1)
    last = end.astimezone(inp.tz).date()
    month = first
    while month <= last:
        day = first_workday(month.year, month.month, inp.calendar)
        due = at(day, inp.times.digest, inp)
        expires = at(day, inp.times.quiet_start, inp)
        for group in inp.groups:
            text = digest_text(month.year, month.month, group, inp)
            if text:
                posts.append(NewPost("digest", f"{month:%Y-%m}", f"group:{group.label}", f"{month:%Y-%m}",
                                     text, due, max(expires, due + inp.times.grace)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return posts


def digest_text(year: int, month: int, group: GroupTarget, inp: PlanInput) -> str:
    acts = [a for a in inp.activities if _in_month(a, year, month) and _for_group(audience_of(a.text), group)]
    open_signups = [s for s in inp.signups if _for_group(s.audience, group)]
    if not acts and not open_signups:
        return ""
    lines = [f"【{month}月工会活动】"]
    for a in sorted(acts, key=lambda a: (a.date or dt.date(year, month, 28), a.number)):
        lines.append(f"· {_when(a)}{_shown(a)}（#活动 {a.number}）")
    if open_signups:
        lines.append("正在报名：")
        for s in open_signups:
            deadline = f"，{_clock_text(s.deadline, inp.tz)}截止" if s.deadline else ""
            lines.append(f"· {s.title}{deadline}，发送 #报名 {s.number}")
    lines.append("发送 #本月活动 查看详情。")
    return "\n".join(lines)


def _activity_posts(act: Activity, inp: PlanInput) -> list[NewPost]:
    if act.date is None or act.recurring:
        return []
    targets = groups_for(audience_of(act.text), inp.groups)
    ref, occ = f"item:{act.number}", act.date.isoformat()
    eve_day = workday_before(act.date, inp.calendar)
    eve_due = at(eve_day, inp.times.eve, inp)
    morning_due = at(act.date, inp.times.morning, inp)
    label = _relative_day(eve_day, act.date)
    eve_text = f"【活动提醒】{label}：{_shown(act)}"
    if act.holiday:
        kind = "holiday"
        morning_text = f"【节日问候】今天是{act.holiday}，{_greeting(act)}\n今日安排：{_shown(act)}"
    else:
        kind = "morning"
        morning_text = f"【今日活动】{_shown(act)}"
    posts = []
    for target in targets:
        posts.append(NewPost("eve", ref, f"group:{target}", occ, eve_text, eve_due, eve_due + inp.times.grace))
        posts.append(NewPost(kind, ref, f"group:{target}", occ, morning_text, morning_due,
                             max(morning_due + inp.times.grace, at(act.date, dt.time(12, 0), inp))))
    return posts


def _signup_posts(su: SignupInfo, inp: PlanInput) -> list[NewPost]:
    posts = []
    ref = f"event:{su.number}"
    if su.deadline is not None:
        local = su.deadline.astimezone(inp.tz)
        day = local.date()
        if local.time() < dt.time(12, 0) or not is_workday(day, inp.calendar):
            day = workday_before(day, inp.calendar)
            due = at(day, inp.times.eve, inp)
        else:
            due = at(day, inp.times.morning, inp)
        if due < su.deadline:
            left = f"，还剩 {su.capacity - su.confirmed_seats} 个名额" if su.capacity else ""
            text = (f"【报名截止提醒】“{su.title}”报名将于{_clock_text(su.deadline, inp.tz)}截止"
                    f"（已报 {su.confirmed_seats} 人{left}）。发送 #报名 {su.number} 报名。")
            for target in groups_for(su.audience, inp.groups):
                posts.append(NewPost("deadline", ref, f"group:{target}", day.isoformat(), text, due,
                                     min(due + inp.times.grace, su.deadline)))
    if su.starts_at is not None:
        start = su.starts_at.astimezone(inp.tz)
        eve_day = workday_before(start.date(), inp.calendar)
        due = at(eve_day, inp.times.eve, inp)
        if due < su.starts_at:
            where = f"，地点：{su.place}" if su.place else ""
            text = (f"【活动提醒】您报名的“{su.title}”将于{_relative_day(eve_day, start.date())} "
                    f"{start:%H:%M} 开始{where}。如不能参加，请发送 #取消报名 {su.number}。")
            for contact in su.participants:
                posts.append(NewPost("event_eve", ref, f"contact:{contact}", start.date().isoformat(), text, due,
                                     min(due + inp.times.grace, su.starts_at)))
    return posts


def _care_posts(start: dt.datetime, end: dt.datetime, inp: PlanInput) -> list[NewPost]:
    care = inp.care
    posts: list[NewPost] = []
    first, last = start.astimezone(inp.tz).date(), end.astimezone(inp.tz).date()
    for year in range(first.year, last.year + 2):
        for festival in care.festivals:
            day = festival_date(festival, year)
            if day is None or not care.officers:
                continue
            notice_day = day - dt.timedelta(days=care.days_before)
            if not is_workday(notice_day, inp.calendar):
                notice_day = workday_before(notice_day, inp.calendar)
            due = at(notice_day, inp.times.morning, inp)
            text = elders_text(festival, day, inp)
            if text:
                posts += [NewPost("care", f"care:{festival}", f"contact:{o}", day.isoformat(), text, due,
                                  at(day, inp.times.quiet_start, inp)) for o in care.officers]
    if care.birthdays == "list" and care.officers:
        month = first.replace(day=1)
        while month <= last:
            names = sorted((p.birthday.day, p.name) for p in inp.people
                           if p.birthday and p.birthday.month == month.month)
            if names:
                day = first_workday(month.year, month.month, inp.calendar)
                text = f"【{month.month}月过生日的会员】" + "、".join(f"{d}日 {n}" for d, n in names)
                due = at(day, inp.times.digest, inp)
                posts += [NewPost("birthdays", "birthdays", f"contact:{o}", f"{month:%Y-%m}", text, due,
                                  at(day, inp.times.quiet_start, inp)) for o in care.officers]
            month = (month + dt.timedelta(days=32)).replace(day=1)
    elif care.birthdays == "greeting":
        day = first
        while day <= last:
            for p in inp.people:
                if p.contact_id and p.birthday and (p.birthday.month, p.birthday.day) == (day.month, day.day):
                    due = at(day, inp.times.morning, inp)
                    posts.append(NewPost("birthday", "birthday", f"contact:{p.contact_id}", day.isoformat(),
                                         f"{p.name}老师，今天是您的生日，{BIRTHDAY_WISH}", due,
                                         at(day, inp.times.quiet_start, inp)))
            day += dt.timedelta(days=1)
    return posts


def elders_text(festival: str, day: dt.date, inp: PlanInput) -> str:
    """The retired members to visit before a festival, oldest first; unknown ages listed apart."""
    aged = sorted(((_age(p.birthday, day), p.name) for p in inp.people if p.retired and p.birthday),
                  reverse=True)
    elders = [f"{n}（{a}岁）" for a, n in aged if a >= inp.care.elder_age]
    unknown = [p.name for p in inp.people if p.retired and not p.birthday]
    if not elders and not unknown:
        return ""
    lines = [f"【{festival}慰问提醒】{festival}（{day.month}月{day.day}日）将至。"]
    if elders:
        lines.append(f"{inp.care.elder_age} 岁以上的退休教师 {len(elders)} 位：" + "、".join(elders))
    if unknown:
        lines.append("花名册中没有生日、无法判断年龄的退休教师：" + "、".join(unknown))
    return "\n".join(lines)


def _age(birthday: dt.date, on: dt.date) -> int:
    return on.year - birthday.year - ((on.month, on.day) < (birthday.month, birthday.day))


# --- helpers -------------------------------------------------------------------


def first_workday(year: int, month: int, calendar: CalendarOverrides) -> dt.date:
    day = dt.date(year, month, 1)
    while not is_workday(day, calendar):
        day += dt.timedelta(days=1)
    return day


def workday_before(day: dt.date, calendar: CalendarOverrides) -> dt.date:
    prev = day - dt.timedelta(days=1)
    for _ in range(30):  # the longest break (春节 + 调休) is far shorter
        if is_workday(prev, calendar):
            return prev
        prev -= dt.timedelta(days=1)
    return day - dt.timedelta(days=1)


def at(day: dt.date, time: dt.time, inp: PlanInput) -> dt.datetime:
    """``day`` at ``time`` in the union's timezone, moved out of quiet hours, in UTC."""
    t = time
    if in_quiet_hours(t, inp.times.quiet_start, inp.times.quiet_end):
        if t >= inp.times.quiet_start and inp.times.quiet_start > inp.times.quiet_end:
            day += dt.timedelta(days=1)
        t = inp.times.quiet_end
    return dt.datetime.combine(day, t, tzinfo=inp.tz).astimezone(dt.UTC)


def in_quiet_hours(t: dt.time, start: dt.time, end: dt.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end  # spans midnight (21:30-07:30)


def _in_month(a: Activity, year: int, month: int) -> bool:
    if a.date is not None and not a.recurring:
        return (a.date.year, a.date.month) == (year, month)
    return a.year == year and month in a.months


def _for_group(audience: str, group: GroupTarget) -> bool:
    return EVERYONE in group.audiences or audience in group.audiences


def _when(a: Activity) -> str:
    if a.date is None or a.recurring:
        return ""
    return f"{a.date.month}月{a.date.day}日（周{WEEKDAYS[a.date.weekday()]}）"


def _shown(a: Activity) -> str:
    return without_own_date(a.text, None if a.recurring else a.date)


def _relative_day(today: dt.date, day: dt.date) -> str:
    delta = (day - today).days
    if delta == 1:
        return f"明天（{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}）"
    if delta == 0:
        return "今天"
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def _clock_text(when: dt.datetime, tz: ZoneInfo) -> str:
    local = when.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _greeting(a: Activity) -> str:
    audience = audience_of(a.text)
    who = {"女教工": "全体女教工", "退休教师": "各位退休老师"}.get(audience, "全体教职工")
    return f"工会祝{who}节日快乐！"

"""Reminder planning as pure functions over a given time window."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from schedules.audience import GroupTarget, audience_of, groups_for, member_in_audience
from schedules.holidays import NO_OVERRIDES, CalendarOverrides, is_workday
from schedules.reminders import (
    Activity,
    PlanInput,
    ReminderTimes,
    SignupInfo,
    at,
    first_workday,
    in_quiet_hours,
    plan_posts,
    workday_before,
)

TZ = ZoneInfo("Asia/Shanghai")
ALL = GroupTarget("全体教职工群")
RETIRED = GroupTarget("退休教师群", ("退休教师",))


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


DEFAULT_TIMES = ReminderTimes()


def inp(activities=(), signups=(), groups=(ALL,), times=DEFAULT_TIMES, calendar=NO_OVERRIDES) -> PlanInput:  # type: ignore[no-untyped-def]
    return PlanInput(list(activities), list(signups), list(groups), times, calendar, TZ)


def posts_in(start: dt.datetime, end: dt.datetime, data: PlanInput):  # type: ignore[no-untyped-def]
    return plan_posts(start.astimezone(dt.UTC), end.astimezone(dt.UTC), data)


@pytest.mark.parametrize(("year", "month"), [(2026, 2), (2026, 10), (2027, 2), (2027, 10), (2026, 1), (2027, 5)])
def test_first_workday_is_a_workday_and_nothing_before_it_is(year: int, month: int) -> None:
    day = first_workday(year, month, NO_OVERRIDES)
    assert day.month == month and is_workday(day)
    assert all(not is_workday(dt.date(year, month, d)) for d in range(1, day.day))


def test_digest_after_national_day_break_2026() -> None:
    # chinese-calendar knows 2026: the 国庆 break runs into October, the digest waits for it.
    day = first_workday(2026, 10, NO_OVERRIDES)
    assert day > dt.date(2026, 10, 7)
    data = inp([Activity(1, "重阳节慰问退休教师", dt.date(2026, 10, 18), (10,), 2026, holiday="重阳节")])
    posts = [p for p in posts_in(local(2026, 10, 1), local(2026, 11, 1), data) if p.kind == "digest"]
    assert [p.due_at for p in posts] == [local(2026, 10, day.day, 8, 0).astimezone(dt.UTC)]
    assert "重阳节慰问退休教师" in posts[0].text


def test_digest_after_spring_festival_2027_uses_fallback_and_overrides() -> None:
    # 2027 is past chinese-calendar's data: fallback rules, and [calendar] may correct them.
    assert first_workday(2027, 2, NO_OVERRIDES) == dt.date(2027, 2, 1)
    closed = CalendarOverrides(holidays=frozenset({dt.date(2027, 2, 1), dt.date(2027, 2, 2)}))
    assert first_workday(2027, 2, closed) == dt.date(2027, 2, 3)
    opened = CalendarOverrides(workdays=frozenset({dt.date(2027, 5, 1)}))  # a Saturday made a workday
    assert first_workday(2027, 5, opened) == dt.date(2027, 5, 1)


def test_activity_gets_eve_and_morning_posts_with_eve_moved_off_the_weekend() -> None:
    monday = dt.date(2027, 3, 8)
    data = inp([Activity(3, "庆祝三八妇女节，慰问女教工", monday, (3,), 2027, holiday="三八妇女节")])
    posts = posts_in(local(2027, 3, 2), local(2027, 3, 9), data)
    kinds = {(p.kind, p.due_at.astimezone(TZ)) for p in posts}
    assert ("eve", local(2027, 3, 5, 16, 0)) in kinds  # Friday, not Sunday
    assert ("holiday", local(2027, 3, 8, 8, 0)) in kinds
    greeting = next(p for p in posts if p.kind == "holiday")
    assert "三八妇女节" in greeting.text and "女教工" in greeting.text
    assert "3月8日" in next(p for p in posts if p.kind == "eve").text


def test_recurring_and_undated_activities_only_in_digest() -> None:
    data = inp([Activity(1, "每周三下午教工羽毛球活动", dt.date(2027, 3, 3), (3, 4), 2027, recurring=True),
                Activity(2, "教职工篮球赛", None, (3,), 2027)])
    posts = posts_in(local(2027, 2, 28), local(2027, 4, 1), data)
    assert {p.kind for p in posts} == {"digest"}
    assert "羽毛球" in posts[0].text and "篮球" in posts[0].text


def test_audiences_route_posts_to_their_groups() -> None:
    acts = [Activity(1, "重阳节慰问退休教师", dt.date(2027, 10, 8), (10,), 2027, holiday="重阳节"),
            Activity(2, "教职工趣味运动会", dt.date(2027, 10, 20), (10,), 2027)]
    posts = posts_in(local(2027, 10, 1), local(2027, 11, 1), inp(acts, groups=(ALL, RETIRED)))
    by_target: dict[str, set[str]] = {}
    for p in posts:
        by_target.setdefault(p.target, set()).add(p.ref)
    assert by_target["group:退休教师群"] >= {"item:1"}
    assert "item:2" not in by_target["group:退休教师群"]
    assert "item:2" in by_target["group:全体教职工群"]
    retired_digest = next(p for p in posts if p.kind == "digest" and p.target == "group:退休教师群")
    assert "运动会" not in retired_digest.text and "重阳" in retired_digest.text
    # Without a group for 退休教师 the post falls back to the all-staff groups.
    assert groups_for("退休教师", [ALL]) == ["全体教职工群"]
    assert groups_for("女教工", [ALL, RETIRED]) == ["全体教职工群"]


def test_audience_words_and_membership() -> None:
    assert audience_of("三八节慰问女教工") == "女教工"
    assert audience_of("走访慰问离退休教职工") == "退休教师"
    assert audience_of("教职工羽毛球赛") == "全体"
    assert member_in_audience("女教工", gender="女", retired=False, department="", known=True)
    assert not member_in_audience("女教工", gender="男", retired=False, department="", known=True)
    assert not member_in_audience("退休", gender="", retired=False, department="", known=True)
    assert member_in_audience("初二年级组", gender="", retired=False, department="初二年级组", known=True)
    assert member_in_audience("女教工", gender="", retired=False, department="", known=False)


def test_quiet_hours_move_posts_to_the_morning() -> None:
    times = ReminderTimes(eve=dt.time(22, 0), quiet_start=dt.time(21, 30), quiet_end=dt.time(7, 30))
    data = inp(times=times)
    assert in_quiet_hours(dt.time(23, 0), times.quiet_start, times.quiet_end)
    assert in_quiet_hours(dt.time(6, 0), times.quiet_start, times.quiet_end)
    assert not in_quiet_hours(dt.time(12, 0), times.quiet_start, times.quiet_end)
    assert at(dt.date(2027, 3, 4), dt.time(22, 0), data) == local(2027, 3, 5, 7, 30).astimezone(dt.UTC)
    assert at(dt.date(2027, 3, 4), dt.time(6, 0), data) == local(2027, 3, 4, 7, 30).astimezone(dt.UTC)


def test_signup_deadline_and_private_reminders() -> None:
    su = SignupInfo(4, "春季踏青", local(2027, 4, 10, 9, 0), "植物园", local(2027, 4, 6, 17, 0), "全体", 40, 12,
                    ("t-li", "t-wang"))
    posts = posts_in(local(2027, 4, 1), local(2027, 4, 11), inp(signups=[su]))
    deadline = [p for p in posts if p.kind == "deadline"]
    assert [p.due_at.astimezone(TZ) for p in deadline] == [local(2027, 4, 6, 8, 0)]
    assert "剩 28 个名额" in deadline[0].text
    private = [p for p in posts if p.kind == "event_eve"]
    assert {p.target for p in private} == {"contact:t-li", "contact:t-wang"}
    # The event is on a Saturday: the reminder goes the workday before, Friday 16:00.
    assert all(p.due_at.astimezone(TZ) == local(2027, 4, 9, 16, 0) for p in private)


def test_morning_deadline_is_reminded_the_workday_before() -> None:
    su = SignupInfo(5, "体检", None, "", local(2027, 3, 15, 9, 0), "全体", None, 0)
    posts = posts_in(local(2027, 3, 1), local(2027, 3, 16), inp(signups=[su]))
    assert [p.due_at.astimezone(TZ) for p in posts if p.kind == "deadline"] == [local(2027, 3, 12, 16, 0)]


def test_window_is_half_open_and_keys_are_stable() -> None:
    data = inp([Activity(1, "教职工趣味运动会", dt.date(2027, 4, 20), (4,), 2027)])
    first = posts_in(local(2027, 4, 19, 16, 0), local(2027, 4, 19, 16, 1), data)
    assert [p.kind for p in first] == ["eve"]
    again = posts_in(local(2027, 4, 19, 15, 0), local(2027, 4, 19, 17, 0), data)
    assert [(p.kind, p.ref, p.target, p.occurrence) for p in again] == [
        (p.kind, p.ref, p.target, p.occurrence) for p in first]
    assert posts_in(local(2027, 4, 19, 16, 1), local(2027, 4, 19, 17, 0), data) == []


def test_workday_before_skips_a_long_break() -> None:
    # 2026: the day before 10-08 (a workday) in the 国庆 break is 09-30.
    assert workday_before(dt.date(2026, 10, 8), NO_OVERRIDES) == dt.date(2026, 9, 30)

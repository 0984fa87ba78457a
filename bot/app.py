"""Wiring: config -> engine (migrated) -> repositories -> services -> pipeline.

Handlers and transports meet only here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.config import Config
from bot.pipeline import Pipeline
from bot.sender import OutboxSender
from handlers import build_registry
from handlers.access import Access
from handlers.base import Role
from handlers.notices import NUDGE_KIND, render_nudge
from handlers.outbox_checks import drop_reason
from handlers.plan_import import new_items
from handlers.services import Services
from handlers.signups import SIGNUP_NUDGE_KIND, render_list_post, render_signup_nudge
from handlers.style import CommandStyle
from schedules.audience import GroupTarget
from schedules.reminders import CareRules, ReminderTimes
from schedules.schedule_file import ScheduleFileError, load_schedule_file
from schedules.scheduler import ReminderScheduler, SchedulerRules
from storage import migrate
from storage.db import make_engine
from storage.drafts import DraftRepo
from storage.leader import LeaderLock
from storage.members import MemberRepo
from storage.messages import SeenMessages
from storage.notices import NoticeRepo
from storage.outbox import OutboxRepo
from storage.proposals import ProposalRepo
from storage.schedule_repo import ScheduleRepo
from storage.settings import Settings
from storage.signups import SignupRepo
from storage.votes import CheckinRepo, VoteRepo
from storage.web_logins import WebLogins
from storage.welfare import WelfareDesk

log = logging.getLogger(__name__)
SEEN_RETENTION = dt.timedelta(days=7)  # replays come within minutes of a re-login


@dataclass
class App:
    config: Config
    engine: Engine
    services: Services
    pipeline: Pipeline
    clock: Callable[[], dt.datetime]
    notices: list[str]  # things the admin should know after start-up
    sender: OutboxSender

    @property
    def scheduler(self) -> ReminderScheduler:
        return self.services.reminders

    def housekeeping(self, now: dt.datetime) -> None:
        """Once a day: forget old message ids, delete closed welfare requests past retention."""
        day = now.astimezone(self.config.tz).date().isoformat()
        settings = self.services.settings
        if settings.get("housekeeping:day") == day:
            return
        settings.put("housekeeping:day", day)
        self.pipeline.seen.prune(now - SEEN_RETENTION)
        purged = self.services.welfare.purge(now, dt.timedelta(days=self.config.welfare.retention_days))
        if purged:
            log.info("deleted %d closed welfare request(s) past the retention period", purged)

    def close(self) -> None:
        self.sender.leader.release()
        self.engine.dispose()


def open_engine(config: Config) -> Engine:
    engine = make_engine(config.database_url)
    migrate.upgrade(engine)
    return engine


def build_services(config: Config, engine: Engine) -> Services:
    union = config.union_id
    schedule, signups = ScheduleRepo(engine, union), SignupRepo(engine, union)
    members = MemberRepo(engine, union)
    access = Access(config.roles, members)
    reminders = ReminderScheduler(scheduler_rules(config, access), schedule, signups, OutboxRepo(engine, union),
                                  Settings(engine, union), members)
    return Services(
        union_id=union, union_name=config.union_name, tz=config.tz,
        members=members, schedule=schedule,
        drafts=DraftRepo(engine, union), registry=build_registry(), calendar=config.calendar,
        form_ttl=dt.timedelta(minutes=config.limits.form_timeout_minutes),
        signups=signups, reminders=reminders,
        signup_list_interval=dt.timedelta(minutes=config.signups.list_interval_minutes),
        settings=reminders.settings, proposals=ProposalRepo(engine, union), proposal_rules=config.proposals,
        welfare=WelfareDesk(engine, union), welfare_rules=config.welfare,
        access=access, notices=NoticeRepo(engine, union), votes=VoteRepo(engine, union),
        checkins=CheckinRepo(engine, union), vote_rules=config.votes,
        web_logins=WebLogins(engine, union), web_base_url=config.web.link_base,
        # DingTalk passes a group's messages only when they @ the robot: hints must say so there.
        style=CommandStyle(mention=config.bot_name, platform="钉钉") if config.dingtalk.enabled else CommandStyle(),
    )


def scheduler_rules(config: Config, access: Access) -> SchedulerRules:
    r, w, s = config.reminders, config.welfare, config.sending
    times = ReminderTimes(r.digest_time, r.eve_time, r.morning_time, r.quiet_start, r.quiet_end,
                          dt.timedelta(minutes=r.grace_minutes))
    care = CareRules((), w.elder_age, w.care_days_before, w.birthdays)
    return SchedulerRules(
        tz=config.tz, groups=tuple(GroupTarget(g.label, g.audiences) for g in config.groups), times=times,
        calendar=config.calendar, care=care, enabled=r.enabled,
        pace=(s.min_interval_seconds, s.max_interval_seconds, s.per_minute),
        # Care lists go to whoever the access rule says is a welfare officer (config or roster).
        officers=lambda: tuple(access.holders(Role.WELFARE_OFFICER)),
    )


def build_sender(config: Config, engine: Engine, services: Services) -> OutboxSender:
    return OutboxSender(
        config, services.reminders.outbox, services.reminders.settings, LeaderLock(engine, config.union_id),
        style=services.style,
        renderers={
            "signup_list": lambda ref, target, text: render_list_post(services, ref),
            NUDGE_KIND: lambda ref, target, text: render_nudge(services, ref, target, text),
            SIGNUP_NUDGE_KIND: lambda ref, target, text: render_signup_nudge(services, ref, target, text),
        },
        recheck=lambda post, now: drop_reason(services, post.kind, post.ref, post.target, post.occurrence, now),
    )


def build_app(config: Config, clock: Callable[[], dt.datetime], engine: Engine | None = None) -> App:
    engine = engine or open_engine(config)
    services = build_services(config, engine)
    seen = SeenMessages(engine, config.union_id)
    pipeline = Pipeline(config, services, services.registry, clock, seen)
    notices = load_configured_schedule(config, services, clock().astimezone(config.tz).date())
    app = App(config, engine, services, pipeline, clock, notices, build_sender(config, engine, services))
    app.housekeeping(clock())
    return app


def load_configured_schedule(config: Config, services: Services, today: dt.date) -> list[str]:
    """Load ``[schedule] file`` when its year has no imported items yet.

    Never overwrites: once a year is in the database, chat edits and imports
    own it, and the file is only the starting point.
    """
    if config.schedule_file is None:
        return []
    try:
        result = load_schedule_file(config.schedule_file, today)
    except ScheduleFileError as exc:
        return [str(exc)]
    if services.schedule.count(result.year):
        return []
    services.schedule.replace_imported(result.year, new_items(result.items), source="file")
    log.info("loaded %d activities for %d from %s", len(result.items), result.year, config.schedule_file)
    return [f"已从 {config.schedule_file.name} 载入 {result.year} 年活动安排 {len(result.items)} 项"]

"""The services a handler may use, gathered once by the app's wiring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from handlers.access import Access
from handlers.rules import ProposalRules, WelfareRules
from handlers.style import CommandStyle
from handlers.vote_rules import VoteRules
from schedules.holidays import CalendarOverrides
from storage.drafts import DraftRepo
from storage.members import MemberRepo
from storage.notices import NoticeRepo
from storage.proposals import ProposalRepo
from storage.schedule_repo import ScheduleRepo
from storage.settings import Settings
from storage.signups import SignupRepo
from storage.votes import CheckinRepo, VoteRepo
from storage.web_logins import WebLogins
from storage.welfare import WelfareDesk

if TYPE_CHECKING:
    # Annotations only. handlers.base refers to Services for Context.services, so importing the registry
    # here at run time would make base and services import each other.
    from handlers.base import Registry
    from schedules.scheduler import ReminderScheduler


@dataclass
class Services:
    union_id: str
    union_name: str
    tz: ZoneInfo
    members: MemberRepo
    schedule: ScheduleRepo
    drafts: DraftRepo
    registry: Registry
    calendar: CalendarOverrides
    form_ttl: dt.timedelta
    signups: SignupRepo
    reminders: ReminderScheduler
    signup_list_interval: dt.timedelta
    settings: Settings
    proposals: ProposalRepo
    proposal_rules: ProposalRules
    welfare: WelfareDesk
    welfare_rules: WelfareRules
    access: Access
    notices: NoticeRepo
    votes: VoteRepo
    checkins: CheckinRepo
    vote_rules: VoteRules
    web_logins: WebLogins
    web_base_url: str  # what #后台 links start with ([web] base_url)
    style: CommandStyle = field(default_factory=CommandStyle)  # how commands are typed here (WeChat: '#…')

"""SQLModel tables. Every table carries ``union_id`` so one PostgreSQL database
can hold many schools (one bot per school) without their data meeting.

The tables live in storage/models_core.py and storage/models_union.py; importing this module registers
all of them on SQLModel.metadata (alembic's env.py relies on that), and `from storage.models import X` keeps working."""

from storage.models_core import (
    Draft,
    Event,
    GroupMember,
    Member,
    OutboxPost,
    ScheduleItem,
    SeenMessage,
    Setting,
    Signup,
    WebLogin,
    WebSession,
    utcnow,
)
from storage.models_files import WelfareAttachment
from storage.models_union import (
    Checkin,
    CheckinRecord,
    Notice,
    NoticeReceipt,
    Proposal,
    ProposalCosign,
    ProposalEvent,
    Vote,
    VoteBallot,
    VoteTally,
    VoteVoter,
    WelfareAudit,
    WelfareRequest,
)

__all__ = [
    "Checkin",
    "CheckinRecord",
    "Draft",
    "Event",
    "GroupMember",
    "Member",
    "Notice",
    "NoticeReceipt",
    "OutboxPost",
    "Proposal",
    "ProposalCosign",
    "ProposalEvent",
    "ScheduleItem",
    "SeenMessage",
    "Setting",
    "Signup",
    "Vote",
    "VoteBallot",
    "VoteTally",
    "VoteVoter",
    "WebLogin",
    "WebSession",
    "WelfareAttachment",
    "WelfareAudit",
    "WelfareRequest",
    "utcnow",
]

"""How a chat reply words what storage answers with a code (storage returns data or result codes, never
sentences). Each sentence is written once here; the chat handlers and, through them, the office page
say it.
"""

from __future__ import annotations

from storage.members import NameProblem
from storage.models import Proposal, WelfareRequest


def name_problem(problem: NameProblem, name: str, contact: str = "") -> str:
    """Why ``contact`` (or ``name``) could not be tied to one member: ``bind``, ``ensure_named``."""
    match problem:
        case NameProblem.NO_CONTACT:
            return f"没有找到联系人“{contact}”（对方需先在群里或私聊中发过消息）"
        case NameProblem.MANY_CONTACTS:
            return f"“{contact}”对应多个联系人，请改用联系人 ID"
        case NameProblem.NOT_IN_ROSTER:
            return f"花名册中没有“{name}”"
        case NameProblem.MANY_IN_ROSTER:
            return f"花名册中有多个“{name}”，请先在花名册中区分"
        case NameProblem.BOUND_ELSEWHERE:
            return f"“{name}”已绑定其他联系人"
        case NameProblem.MANY_NAMED:
            return f"有多位“{name}”，请改用联系人 ID"
    return ""


def wrong_status(item: Proposal | WelfareRequest, action: str) -> str:
    """An action its current status does not allow (a proposal's or a welfare request's)."""
    what = "提案" if isinstance(item, Proposal) else "申请"
    return f"{what} {item.code} 当前状态为“{item.status}”，不能{action}"

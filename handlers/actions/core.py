"""What every action shares: the problems it answers with (keyed by field, each sentence written
once in ``SENTENCES``), what it tells other people (``Tell``), and the question to the access rule."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.base import Context, Reply

# Each problem's sentence, once. A front door shows it beside its field (the page) or in its reply
# (the chat); neither rewords it, and nothing maps a sentence back to a field by its first word.
SENTENCES: dict[str, str] = {
    "not_allowed": "您没有权限办理这件事",
    "form_none": "当前没有正在填写的内容",
    "form_expired": "您之前填写的内容已超时取消，请重新开始",
    "form_command": "这里只能回答正在填写的内容（如“删 3”）；命令请在微信里发送",
    "plan_missing": "请粘贴计划全文，或选择 .txt / .docx 文件",
    "date_missing": "请填写日期或月份",
    "date_unreadable": "看不懂这个日期“{value}”，请写成 2027-03-10、3月10日、4月 或 下周三",
    "text_missing": "请填写活动内容",
    "change_missing": "请填写新的日期或内容",
    "item_missing": "没有编号为 {value} 的活动",
    "event_missing": "没有编号为 {value} 的报名活动",
    "event_over": "“{value}”{state}",
    "reason_missing": "{label}请写明原因",
    "name_missing": "请填写姓名",
    "count_not_number": "{label}应是数字",
    "too_long": "{label}最多 {limit} 字，您写了 {length} 字",
    "notice_missing": "请填写通知内容",
    "notice_unknown": "没有编号为 {value} 的回执通知",
    "required": "请填写{label}",
    "deadline_past": "报名截止时间已经过去了",
    "no_roster": "还没有导入花名册，无法知道谁没报名（见 unionbot members import）",
    "no_groups": "配置中没有工会群（[[groups]]），通知未发送",
    "proposal_missing": "没有编号为 {value} 的提案",
    "cosign_own": "不能附议自己的提案",
    "merge_self": "不能把提案并入它自己",
    "cosign_twice": "您已附议过提案 {value}，无需重复",
    "cosign_closed": "提案 {value} 当前状态为“{state}”，已不再征集附议",
    "cosigners_short": "提案 {value} 附议人数未达到 {need} 人，还不能审查",
    "answer_not_yours": "提案 {value} 不是交给您所在部门办理的，不能答复",
    "evaluate_not_yours": "只有提案人可以评价",
    "category_same": "提案 {value} 的类别已是“{category}”",
    "verdict_unknown": "请写上评价：{choices}",
    "request_hidden": "没有找到这个申请编号，或您无权查看",
    "amount_bounds": "金额应是 1 到 {limit} 之间的整数（元）",
    "no_standard": "{kind}没有标准金额，请写上金额",
    "reason_above_standard": "金额高于标准（{standard} 元），请写明理由",
    "bind_missing": "请填写联系人和花名册姓名",
    "year_empty": "{year}年还没有活动安排",
    "vote_missing": "没有编号为 {value} 的投票",
    "checkin_missing": "没有编号为 {value} 的签到",
    "state_wrong": "当前状态为“{state}”，不能{action}",
}


@dataclass
class Problems:
    """What is wrong, by field ('' for the whole action). Empty: nothing is wrong."""

    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, code: str, **values: object) -> Problems:
        return cls().add(name, code, **values)

    def add(self, name: str, code: str, **values: object) -> Problems:
        sentence = SENTENCES[code].format(**values)
        self.fields[name] = "；".join(filter(None, (self.fields.get(name, ""), sentence)))
        return self

    def add_text(self, name: str, sentence: str) -> Problems:
        """A sentence another reader already worded (the event notice's reader, a storage code's view)."""
        self.fields[name] = "；".join(filter(None, (self.fields.get(name, ""), sentence)))
        return self

    def __bool__(self) -> bool:
        return bool(self.fields)

    def text(self) -> str:
        return "；".join(v for v in self.fields.values() if v)


def sentence(code: str, **values: object) -> str:
    return SENTENCES[code].format(**values)


@dataclass(frozen=True)
class Tell:
    """Something the action must say to another person, privately (a proposer told of a step)."""

    contact_id: str
    text: str


def told(tells: list[Tell]) -> list[Reply]:
    """The chat's way to say them: private replies, which the transport sends at once."""
    return [Reply(t.text, to_contact=t.contact_id) for t in tells]


def allowed(ctx: Context, command: str) -> bool:
    """The one access rule, asked about the command this action stands for."""
    spec = ctx.services.registry.get(command)
    return spec is not None and ctx.services.access.may(ctx.sender, spec)


def too_long(name: str, label: str, value: str, limit: int) -> Problems | None:
    """Longer than ``limit`` is refused with both numbers, never cut."""
    if len(value) > limit:
        return Problems.of(name, "too_long", label=label, limit=limit, length=len(value))
    return None

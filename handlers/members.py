"""Who is who: a member's own record, and admins binding WeChat contacts to the roster."""

from __future__ import annotations

from handlers.actions.core import Problems
from handlers.actions.members import bind_contact
from handlers.args import Word
from handlers.base import ROLE_LABELS, Context, Reply, Request, Role, Scope, command, reply
from storage.members import member_code
from storage.models import Member
from storage.web_logins import LINK_TTL

SECTION = "个人信息"  # the heading it has in #帮助


@command("我的信息", args=(), help="查看工会助手记录的您的信息和身份")
def my_info(req: Request, ctx: Context) -> list[Reply]:
    m = ctx.services.members.get_by_contact(ctx.sender.contact_id)
    roles = "、".join(ROLE_LABELS[r] for r in sorted(ctx.services.access.roles_held(ctx.sender))) or "会员"
    if m is None:
        return reply(f"身份：{roles}")
    lines = [f"姓名：{m.name}", f"身份：{roles}"]
    if m.department:
        lines.append(f"部门：{m.department}")
    lines.append("已与花名册绑定" if m.in_roster else "尚未与花名册绑定（请联系工会管理员）")
    if not ctx.chat.is_group:
        # What a chair puts in the config's [roles]; said in private only.
        lines.append(f"联系人 ID：{ctx.sender.contact_id}（设置管理员等身份时填写在配置 [roles] 中）")
        if code := member_code(ctx.sender.member_id):
            lines.append(f"会员编号：{code}（机器人给您的备注；换号登录后 ID 会变，编号不变，[roles] 也可以填它）")
    return reply("\n".join(lines))


_BIND_ASK = "请写上联系人（昵称或ID）和花名册姓名"
CONTACT = Word("contact", "联系人", ask=_BIND_ASK)
ROSTER_NAME = Word("name", "花名册姓名", ask=_BIND_ASK)


@command("绑定", args=(CONTACT, ROSTER_NAME), role=Role.ADMIN,
         help="把微信联系人与花名册中的教职工绑定", examples=("#绑定 李老师 李明",))
def bind(req: Request, ctx: Context) -> list[Reply]:
    contact = req.get(CONTACT)
    member = bind_contact(ctx, contact, req.get(ROSTER_NAME))
    if isinstance(member, Problems):
        return reply(f"未绑定：{member.text()}。")
    return reply(bound_text(contact, member))


def bound_text(contact: str, member: Member) -> str:
    """What the admin is told once a contact is bound (the page says the same)."""
    return f"已绑定：{contact} → {member.name}（{member.department or '未填部门'}）。"


@command("后台", args=(), scope=Scope.PRIVATE, aliases=("网页", "登录后台"),
         help="获取工会办公网页的一次性登录链接（10 分钟内有效，只能用一次）")
def office_link(req: Request, ctx: Context) -> list[Reply]:
    member = ctx.services.members.current(ctx.sender.contact_id)
    if member is None or member.id is None:
        return reply("暂时无法为您生成登录链接，请稍后再试。")
    token = ctx.services.web_logins.issue(member.id, ctx.now)
    minutes = int(LINK_TTL.total_seconds() // 60)
    return reply(f"工会办公网页登录链接（{minutes} 分钟内有效，只能使用一次，请勿转发）：\n"
                 f"{ctx.services.web_base_url}/login/{token}")

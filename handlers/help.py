"""#帮助: generated from the command declarations, filtered by the asker's roles."""

from __future__ import annotations

from handlers.args import Text
from handlers.base import Context, Reply, Request, Role, Scope, command, reply, roles_label

SECTION = "其他"  # the heading it has in #帮助


TOPIC = Text("topic", "命令", optional=True)  # a command's or a section's name


@command("帮助", aliases=("help", "菜单", "?"), args=(TOPIC,),
         help="查看可用命令，或某个命令的用法", examples=("#帮助", "#帮助 活动安排"))
def help_command(req: Request, ctx: Context) -> list[Reply]:
    registry = ctx.services.registry
    sections = registry.sections(ctx.sender, ctx.services.access)
    if topic := req.get(TOPIC):
        name = topic.lstrip("#/")
        if name in sections:
            lines = [f"【{name}】"] + [f"{spec.syntax} —— {spec.help}" for spec in sections[name]]
            return reply("\n".join(lines))
        spec = registry.get(name)
        if spec is None:
            hints = registry.suggest(name, ctx.sender, ctx.services.access)
            extra = f"，您是不是想找：{'、'.join('#' + h for h in hints)}" if hints else ""
            return reply(f"没有“{name[:20]}”这个命令{extra}。发送 #帮助 查看全部命令。")
        lines = [f"{spec.syntax}", spec.help]
        if keys := spec.keys():
            lines.append(f"可写：{keys}")
        if spec.aliases:
            lines.append("也可以写作：" + "、".join("#" + a for a in spec.aliases))
        if spec.roles != (Role.MEMBER,):
            lines.append(f"仅限{roles_label(spec.roles)}使用")
        if spec.scope == Scope.PRIVATE:
            lines.append("请在私聊中使用")
        if spec.examples:
            lines.append("例如：" + "  ".join(spec.examples))
        return reply("\n".join(lines))
    # One line per capability: the whole list in one chat bubble a phone can show.
    lines = [f"{ctx.services.union_name} · 工会助手可用命令："]
    style = ctx.services.style
    mark = "" if style.at_only else "#"  # on an @-only platform '#' is optional: the names alone
    for section, specs in sorted(sections.items(), key=lambda kv: kv[0] == "其他"):
        lines.append(f"【{section}】" + " ".join(mark + spec.name for spec in specs))
    lines.append("发送 #帮助 命令名（如 #帮助 报名）看用法，#帮助 分类名（如 #帮助 活动报名）看一类命令。"
                 + (style.help_note() or "在群里请以 # 开头（或 @我）；私聊可直接发。"))
    return reply("\n".join(lines))

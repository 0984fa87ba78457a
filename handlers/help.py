"""#帮助: generated from the command declarations, filtered by the asker's roles."""

from __future__ import annotations

from handlers.base import Context, Reply, Request, Role, Scope, command, reply, roles_label


@command("帮助", aliases=("help", "菜单", "?"), syntax="#帮助 [命令]",
         help="查看可用命令，或某个命令的用法", examples=("#帮助", "#帮助 活动安排"))
def help_command(req: Request, ctx: Context) -> list[Reply]:
    registry = ctx.services.registry
    if req.args:
        name = req.args.strip().lstrip("#/")
        spec = registry.get(name)
        if spec is None:
            hints = registry.suggest(name, ctx.sender)
            extra = f"，您是不是想找：{'、'.join('#' + h for h in hints)}" if hints else ""
            return reply(f"没有“{name}”这个命令{extra}。发送 #帮助 查看全部命令。")
        lines = [f"{spec.syntax}", spec.help]
        if spec.aliases:
            lines.append("也可以写作：" + "、".join("#" + a for a in spec.aliases))
        if spec.roles != (Role.MEMBER,):
            lines.append(f"仅限{roles_label(spec.roles)}使用")
        if spec.scope == Scope.PRIVATE:
            lines.append("请在私聊中使用")
        if spec.examples:
            lines.append("例如：" + "  ".join(spec.examples))
        return reply("\n".join(lines))
    specs = ctx.services.registry.visible_to(ctx.sender)
    lines = [f"{ctx.services.union_name} · 工会助手可用命令："]
    for spec in specs:
        lines.append(f"{spec.syntax} —— {spec.help}")
    lines.append("在群里请以 # 开头（或 @我）；私聊可直接发命令。发送 #帮助 命令名 查看详细用法。")
    return reply("\n".join(lines))

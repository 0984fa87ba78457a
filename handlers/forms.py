"""#取消: leave whatever multi-message form is open."""

from __future__ import annotations

from handlers.base import Context, Reply, Request, command, reply

SECTION = "其他"  # the heading it has in #帮助


@command("取消", aliases=("退出",), syntax="#取消", help="放弃正在填写的内容（导入、表单等）")
def cancel(req: Request, ctx: Context) -> list[Reply]:
    if ctx.services.drafts.clear(ctx.sender.contact_id):
        return reply("已取消，未保存任何内容。")
    return reply("当前没有正在进行的操作。")

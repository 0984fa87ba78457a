"""`unionbot proposals`, `notices`, `votes` and `welfare`: listing and exporting the union's records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from bot.cli_common import config_option, fail, iso, load, open_services, operator


@click.group()
def proposals() -> None:
    """教代会提案。"""


@proposals.command("list")
@config_option
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="届次年份（默认全部）")
@click.option("--status", default=None, help="只列出某个状态，例如 立案")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def proposals_list(config_path: str | None, year: int | None, status: str | None, as_json: bool) -> None:
    """提案列表：{"proposals": [...]}。"""
    from storage.proposals import STATUSES

    config = load(config_path)
    if status and status not in STATUSES:
        fail(f"状态应是：{'、'.join(STATUSES)}")
    repo = open_services(config).proposals
    rows = repo.list(year, status)
    if not as_json:
        for p in rows:
            click.echo(f"{p.code} {p.title}（{p.proposer_name}）{p.status}")
        return
    tz = config.tz
    data = {"proposals": [{
        "code": p.code, "year": p.year, "number": p.seq, "title": p.title, "reason": p.reason,
        "suggestion": p.suggestion, "proposer": p.proposer_name,
        "cosigners": [c.name for c in repo.cosigners(p.id)], "status": p.status, "department": p.department,
        "review_note": p.review_note, "answer": p.answer, "evaluation": p.evaluation,
        "evaluation_note": p.evaluation_note, "merged_into": p.merged_into or None,
        "created_at": iso(p.created_at, tz), "updated_at": iso(p.updated_at, tz),
        "category": p.category,  # '' for 未分类; added last (0014): the keys before it are a contract
    } for p in rows]}
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@proposals.command("export")
@config_option
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def proposals_export(config_path: str | None, year: int, out_path: Path) -> None:
    """导出提案汇总表（.xlsx）。"""
    from handlers.actions.core import Problems
    from handlers.actions.proposals import export_register

    config = load(config_path)
    done = export_register(operator(open_services(config), "命令行导出"), year)
    if isinstance(done, Problems):
        fail(done.text())
        return
    file, count = done
    out_path.write_bytes(file.data)
    click.echo(f"已导出 {count} 件提案到 {out_path}")


@click.group()
def notices() -> None:
    """通知与回执。"""


@notices.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def notices_list(config_path: str | None, as_json: bool) -> None:
    """通知列表：{"notices": [...]}（需回执的带回执数）。"""
    from handlers.notices import notice_json, receipt_status

    config = load(config_path)
    services = open_services(config)
    rows = []
    for n in services.notices.list():
        item = notice_json(n, config.tz)
        if n.needs_receipt:
            st = receipt_status(services, n)
            item.update(acknowledged=len(st.acknowledged), expected=len(st.acknowledged) + len(st.missing))
        rows.append(item)
    if as_json:
        click.echo(json.dumps({"notices": rows}, ensure_ascii=False, indent=2))
        return
    for r in rows:
        receipt = f"（已收到 {r['acknowledged']}/{r['expected']}）" if r["needs_receipt"] else ""
        click.echo(f"{r['number']}\t{r['text'][:40]}{receipt}")


@notices.command("receipts")
@config_option
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def notices_receipts(config_path: str | None, number: int, as_json: bool) -> None:
    """一条通知的回执：{"notice": {...}, "acknowledged": [...], "missing": [...]}。"""
    from handlers.notices import by_department, notice_json, person_json, receipt_status

    config = load(config_path)
    services = open_services(config)
    notice = services.notices.get(number)
    if notice is None or not notice.needs_receipt:
        fail(f"没有编号为 {number} 的回执通知")
    st = receipt_status(services, notice)
    if as_json:
        click.echo(json.dumps({"notice": notice_json(notice, config.tz),
                               "acknowledged": [person_json(p, config.tz) for p in st.acknowledged],
                               "missing": [person_json(p, config.tz) for p in st.missing]},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"通知 {number} 已收到 {len(st.acknowledged)}/{len(st.acknowledged) + len(st.missing)}")
    for line in by_department(st.missing):
        click.echo(line)


@click.group()
def votes() -> None:
    """投票与选举。"""


@votes.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def votes_list(config_path: str | None, as_json: bool) -> None:
    """投票列表：{"votes": [...]}（无记名投票结束前不含票数）。"""
    from handlers.votes import vote_json

    config = load(config_path)
    services = open_services(config)
    now = dt.datetime.now(dt.UTC)
    rows = [vote_json(services, v, now, config.tz) for v in services.votes.list()]
    if as_json:
        click.echo(json.dumps({"votes": rows}, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = "已结束" if r["status"] == "closed" else "进行中"
        click.echo(f"{r['number']}\t{r['title']}\t{state}\t投票 {r['voted']} 人")


@votes.command("result")
@config_option
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def votes_result(config_path: str | None, number: int, as_json: bool) -> None:
    """一项投票的结果（无记名投票结束前只有投票人数）。"""
    from handlers.votes import vote_json

    config = load(config_path)
    services = open_services(config)
    v = services.votes.get(number)
    if v is None:
        fail(f"没有编号为 {number} 的投票")
    data = vote_json(services, v, dt.datetime.now(dt.UTC), config.tz)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{data['number']} {data['title']}：投票 {data['voted']} 人")
    if "counts" in data:
        click.echo("  ".join(f"{o} {c} 票" for o, c in zip(data["options"], data["counts"], strict=True)))
    if "rule" in data:
        click.echo(f"依据：{data['rule']}")


@click.group()
def welfare() -> None:
    """慰问与帮扶（福利委员的台账）。"""


@welfare.command("export")
@config_option
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def welfare_export(config_path: str | None, year: int, out_path: Path) -> None:
    """导出慰问台账（.xlsx）。个人信息：请妥善保管导出的文件。"""
    from handlers.actions.core import Problems
    from handlers.actions.welfare import export_ledger

    config = load(config_path)
    # The server's operator acts as an officer here, through the action; the audit log says who ran it.
    done = export_ledger(operator(open_services(config), "命令行导出"), year)
    if isinstance(done, Problems):
        fail(done.text())
        return
    file, count = done
    out_path.write_bytes(file.data)
    click.echo(f"已导出 {count} 件到 {out_path}")

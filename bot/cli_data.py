"""`unionbot db` (upgrade, backup) and `unionbot members` (import, sync, list): the database and the roster."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from bot.cli_common import config_option, fail, load


@click.group()
def db() -> None:
    """数据库维护。"""


@db.command("upgrade")
@config_option
def db_upgrade(config_path: str | None) -> None:
    """把数据库结构升级到最新版本。"""
    from storage import migrate
    from storage.db import make_engine

    config = load(config_path)
    rev = migrate.upgrade(make_engine(config.database_url))
    click.echo(f"数据库已是最新版本：{rev}")


@db.command("backup")
@config_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def db_backup(config_path: str | None, out_path: Path) -> None:
    """备份数据库（SQLite 在线备份；PostgreSQL 请用 pg_dump）。"""
    import sqlite3

    config = load(config_path)
    url = config.database_url
    if not url.startswith("sqlite:///") or url == "sqlite://":
        fail("PostgreSQL 请用 pg_dump 备份，例如：pg_dump --format=custom --file=unionbot.dump 数据库连接串；"
              "恢复：pg_restore --clean --dbname=数据库连接串 unionbot.dump")
    source = Path(url.removeprefix("sqlite:///"))
    if not source.is_file():
        fail(f"找不到数据库文件 {source}")
    # The online backup API copies a consistent snapshot while the bot keeps running.
    with sqlite3.connect(source) as src, sqlite3.connect(out_path) as dst:
        src.backup(dst)
    click.echo(f"已备份到 {out_path}（恢复：停止机器人，把该文件复制为 {source}，删除旁边的 -wal/-shm 文件，再启动）")


@click.group()
def members() -> None:
    """教职工花名册。"""


@members.command("import")
@config_option
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def members_import(config_path: str | None, path: Path) -> None:
    """导入花名册（.xlsx 或 .csv：姓名、部门/年级组、性别、退休、生日、角色）。"""
    from bot.app import open_engine
    from bot.roster_file import RosterError, read_roster
    from storage.members import MemberRepo

    config = load(config_path)
    try:
        rows = read_roster(path)
    except RosterError as exc:
        fail(str(exc))
        return
    result = MemberRepo(open_engine(config), config.union_id).import_roster(rows)
    click.echo(f"花名册已导入：新增 {result.added} 人，更新 {result.updated} 人。")
    if result.ambiguous:
        click.echo(f"以下姓名对应多人，未导入（请在花名册加一列“钉钉userid”或“微信ID”区分）：{'、'.join(result.ambiguous)}")


@members.command("sync")
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def members_sync(config_path: str | None, as_json: bool) -> None:
    """从钉钉通讯录同步教职工（姓名、部门、userid）；不在通讯录的人失去角色，记录保留。"""
    from types import SimpleNamespace

    from bot.app import open_engine
    from bot.dingtalk.api import DingTalkApi, DingTalkAuthError, DingTalkError
    from bot.dingtalk.directory import sync_directory
    from storage.members import MemberRepo
    from storage.settings import Settings

    config = load(config_path)
    if not config.dingtalk.enabled:
        fail("没有配置 [dingtalk] client_id：members sync 从钉钉通讯录读取（见 docs/dingtalk.md）；"
              "微信请用 unionbot members import 导入花名册")
    engine = open_engine(config)
    where = SimpleNamespace(members=MemberRepo(engine, config.union_id), settings=Settings(engine, config.union_id))
    try:
        r = sync_directory(where, DingTalkApi.from_config(config), dt.datetime.now(dt.UTC))
    except DingTalkAuthError as exc:
        fail(str(exc))
        return
    except DingTalkError as exc:
        click.echo(f"同步失败，花名册未改动：{exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({"people": r.people, "added": list(r.added), "updated": list(r.updated),
                               "left": list(r.left), "returned": list(r.returned),
                               "ambiguous": list(r.ambiguous)}, ensure_ascii=False, indent=2))
        return
    click.echo(f"钉钉通讯录共 {r.people} 人：新增 {len(r.added)}，更新 {len(r.updated)}，"
               f"离开 {len(r.left)}，回归 {len(r.returned)}。")
    if r.left:
        click.echo(f"已不在通讯录（角色已取消，记录保留）：{'、'.join(r.left)}")
    if r.ambiguous:
        click.echo(f"花名册中有重名、未能按姓名对应：{'、'.join(r.ambiguous)}（已按 userid 新建）")


@members.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def members_list(config_path: str | None, as_json: bool) -> None:
    """列出已知的教职工及其联系人 ID 和身份（填写配置 [roles] 时用）。"""
    from bot.app import open_engine
    from handlers.access import Access
    from handlers.base import ROLE_LABELS
    from storage.directory import is_left
    from storage.members import MemberRepo, member_code

    config = load(config_path)
    people = []
    repo = MemberRepo(open_engine(config), config.union_id)
    access = Access(config.roles, repo)  # the same rule the chat asks
    for m in repo.all():
        roles = sorted(access.roles_of(m.contact_id or "", m.roster_role, m.id, m.remark))
        people.append({"name": m.name, "contact_id": m.contact_id, "code": member_code(m.id),
                       "display_name": m.display_name,
                       "department": m.department, "in_roster": m.in_roster, "left": is_left(m.contact_id),
                       "roles": [ROLE_LABELS[r] for r in roles]})
    if as_json:
        click.echo(json.dumps({"members": people}, ensure_ascii=False, indent=2))
        return
    unbound = "未绑定钉钉" if config.dingtalk.enabled else "未绑定微信"
    for p in people:
        bound = "（已离开钉钉通讯录）" if p["left"] else "" if p["in_roster"] else "（未在花名册）"
        click.echo(f"{p['name']}{bound}\t{p['contact_id'] or unbound}\t{p['department']}\t{'、'.join(p['roles'])}")

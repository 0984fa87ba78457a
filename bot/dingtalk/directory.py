"""The school's DingTalk directory (通讯录) into members: at `unionbot members sync`, when the bot starts, and
once a day after (the transport calls ``sync_directory`` then, off the event loop: it makes blocking calls)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bot.dingtalk.api import DingTalkApi, DingTalkError
from storage.directory import DirectoryPerson, DirectoryRepo, DirectorySync

log = logging.getLogger(__name__)
SYNCED_KEY = "dingtalk.directory_synced_at"  # ISO time of the last good sync (doctor/status show it)
SYNC_EVERY = dt.timedelta(days=1)
ROOT = 1


def read_directory(api: DingTalkApi) -> list[DirectoryPerson]:
    """Everyone in the department tree, once each, with the name of their first department (the root's
    own people have none). Raises DingTalkError if any page fails: a partial read must not retire anyone."""
    departments = api.departments()
    names = {d.dept_id: d.name for d in departments}
    people: dict[str, DirectoryPerson] = {}
    for dept_id in [ROOT, *names]:
        for u in api.users(dept_id):
            if u.userid in people:
                continue
            dept = next((names[d] for d in u.dept_ids if d in names), names.get(dept_id, ""))
            people[u.userid] = DirectoryPerson(u.userid, u.name.strip() or u.userid, dept)
    return list(people.values())


def sync_directory(app_or_services: Any, api: DingTalkApi, now: dt.datetime) -> DirectorySync:
    """Read the directory and bring the members up to date (see storage/directory.py for the rules).
    ``app_or_services``: the App or its Services (anything with ``.members`` and ``.settings``)."""
    services = getattr(app_or_services, "services", app_or_services)
    people = read_directory(api)
    if not people:
        # Most likely the app's 通讯录 permission or its visible range: never retire everyone for that.
        raise DingTalkError("钉钉通讯录一个人也没有读到：请在 钉钉开发者后台 → 本应用 → 权限管理 开通通讯录读权限，"
                            "并确认应用的可见范围包含全校")
    result = DirectoryRepo(services.members).sync(people)
    services.settings.put(SYNCED_KEY, now.astimezone(dt.UTC).isoformat(timespec="seconds"))
    log.info("DingTalk directory: %d people, %d added, %d updated, %d left, %d back", result.people,
             len(result.added), len(result.updated), len(result.left), len(result.returned))
    return result


def last_synced(settings: Any) -> dt.datetime | None:
    value = settings.get(SYNCED_KEY)
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def sync_due(app_or_services: Any, now: dt.datetime) -> bool:
    """Whether a day has passed since the last good sync (the transport's daily tick asks this)."""
    services = getattr(app_or_services, "services", app_or_services)
    last = last_synced(services.settings)
    return last is None or now - last >= SYNC_EVERY

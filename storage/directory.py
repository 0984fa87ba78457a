"""Members from a platform's own directory (DingTalk's 通讯录): the school's list of staff, with departments
and stable user ids, replaces most of a hand-kept roster.

A sync is one transaction over the whole directory read beforehand, so a failed read changes nothing.
Someone no longer in the directory keeps their member row and everything they did (sign-ups, proposals,
receipts), but loses their roles: out of the roster (so out of care lists, audiences and expected counts),
the roster's 角色 cleared, and their contact id retired to ``left:<userid>`` so ``[roles]`` no longer
reaches them. If they come back, the next sync gives the id back.
"""

from __future__ import annotations

import collections
import json
from dataclasses import dataclass

from sqlmodel import select

from storage.db import session_scope
from storage.members import MemberRepo, _reassign, _recontact
from storage.models import Member, Setting

LEFT_PREFIX = "left:"
SEEN_KEY = "directory.userids"  # the userids the last sync read, as a JSON list


def is_left(contact_id: str | None) -> bool:
    return bool(contact_id) and str(contact_id).startswith(LEFT_PREFIX)


@dataclass(frozen=True)
class DirectoryPerson:
    userid: str
    name: str
    department: str = ""


@dataclass(frozen=True)
class DirectorySync:
    """What a sync changed, as data (the CLI and the log word it)."""

    people: int
    added: tuple[str, ...] = ()  # names
    updated: tuple[str, ...] = ()  # names whose name or department changed, or who were matched by name
    left: tuple[str, ...] = ()  # names no longer in the directory (roles removed, history kept)
    returned: tuple[str, ...] = ()  # names back in the directory
    ambiguous: tuple[str, ...] = ()  # directory names several roster entries could be


class DirectoryRepo:
    def __init__(self, members: MemberRepo) -> None:
        self.members = members

    def sync(self, people: list[DirectoryPerson]) -> DirectorySync:
        """Create or update a member per directory person (matched by userid, then by a unique roster name
        not yet bound to anyone); members bound to a userid the directory no longer has lose their roles.
        An empty directory is refused by the caller: it would mark everyone as left."""
        self.members.forget()
        added: list[str] = []
        updated: list[str] = []
        left: list[str] = []
        returned: list[str] = []
        ambiguous: list[str] = []
        wanted = {p.userid: p for p in people if p.userid}
        with session_scope(self.members.engine) as s:
            rows = list(s.exec(select(Member).where(Member.union_id == self.members.union_id)).all())
            by_contact = {m.contact_id: m for m in rows if m.contact_id}
            unbound = collections.defaultdict(list)
            for m in rows:
                if not m.contact_id:
                    unbound[m.name].append(m)
            dir_names = collections.Counter(p.name for p in wanted.values())
            for uid, p in wanted.items():
                m = by_contact.get(uid)
                old = by_contact.get(LEFT_PREFIX + uid)
                if old is not None:
                    if m is not None:
                        # Back, and spoke to the bot before this sync (a new row): one member, one history.
                        _reassign(s, m.id, old.id)
                        s.delete(m)
                        s.flush()
                        rows.remove(m)
                    _recontact(s, self.members.union_id, LEFT_PREFIX + uid, uid)
                    old.contact_id = uid
                    m = old
                    returned.append(p.name)
                if m is None and p.name in unbound:
                    if len(unbound[p.name]) == 1 and dir_names[p.name] == 1:
                        m = unbound.pop(p.name)[0]
                        m.contact_id = uid
                        updated.append(p.name)
                    else:
                        ambiguous.append(p.name)
                if m is None:
                    m = Member(union_id=self.members.union_id, contact_id=uid, name=p.name[:64],
                               department=p.department[:64], in_roster=True)
                    s.add(m)
                    added.append(p.name)
                    continue
                changed = (m.name, m.department, m.in_roster) != (p.name[:64], p.department[:64], True)
                if changed and p.name not in updated and p.name not in returned:
                    updated.append(p.name)
                m.name, m.department, m.in_roster = p.name[:64], p.department[:64], True
                s.add(m)
            # Only userids an earlier sync brought in are the directory's to retire: a roster entry from a
            # file (a retiree, or someone on another platform) is left alone.
            seen = s.get(Setting, (self.members.union_id, SEEN_KEY))
            previous = set(json.loads(seen.value)) if seen else set()
            for m in rows:
                uid = m.contact_id or ""
                if uid in previous and uid not in wanted:
                    _recontact(s, self.members.union_id, uid, LEFT_PREFIX + uid)
                    m.contact_id = LEFT_PREFIX + uid
                    m.in_roster, m.roster_role = False, ""
                    s.add(m)
                    left.append(m.name)
            seen = seen or Setting(union_id=self.members.union_id, key=SEEN_KEY, value="[]")
            seen.value = json.dumps(sorted(wanted))
            s.add(seen)
        self.members.forget()
        return DirectorySync(len(wanted), tuple(added), tuple(updated), tuple(left), tuple(returned),
                             tuple(ambiguous))


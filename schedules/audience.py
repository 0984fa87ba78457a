"""Who a post or an activity is for, and which staff groups and members that means.

Audiences are plain words the chair already uses: 全体 (everyone in service),
女教工, 退休教师, 在职教工, or a department / 年级组 name from the roster.
A staff group lists the audiences it serves in ``[[groups]] audience``
(default 全体). A post for an audience no group serves goes to the 全体
groups: 女教工 are in the all-staff group too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EVERYONE = "全体"
WOMEN = "女教工"
RETIRED = "退休教师"
SERVING = "在职教工"
REPRESENTATIVES = "代表"  # 教代会代表: a role, decided by the access rule, not by the roster's columns

_ALIASES = {
    EVERYONE: ("全体", "全体教职工", "全体会员", "所有人", "全校", "全员", "教职工", "全部"),
    WOMEN: ("女教工", "女职工", "女教师", "女会员", "女同志"),
    RETIRED: ("退休教师", "退休教职工", "退休职工", "退休人员", "离退休", "退休"),
    SERVING: ("在职教工", "在职教职工", "在职", "在职职工"),
    REPRESENTATIVES: ("代表", "教代会代表", "职工代表", "全体代表", "教职工代表"),
}
_TEXT_HINTS = [
    (WOMEN, re.compile(r"女教工|女职工|女教师|三\s*[·.・]?\s*八|妇女节")),
    (RETIRED, re.compile(r"退休|离退休|老干部|老同志")),
]


def normalize_audience(word: str) -> str:
    """A typed audience word -> its canonical name; department names pass through."""
    w = word.strip()
    for canonical, aliases in _ALIASES.items():
        if w in aliases:
            return canonical
    return w or EVERYONE


def audience_of(text: str) -> str:
    """The audience an activity's text names (三八节慰问女教工 -> 女教工), else 全体."""
    for audience, pattern in _TEXT_HINTS:
        if pattern.search(text):
            return audience
    return EVERYONE


@dataclass(frozen=True)
class GroupTarget:
    label: str  # the group's topic (or id) as the config names it
    audiences: tuple[str, ...] = (EVERYONE,)


def groups_for(audience: str, groups: Sequence[GroupTarget]) -> list[str]:
    """Labels of the groups a post for ``audience`` goes to."""
    audience = normalize_audience(audience)
    serving = [g.label for g in groups if audience in g.audiences]
    if serving:
        return serving
    return [g.label for g in groups if EVERYONE in g.audiences]


def member_in_audience(audience: str, *, gender: str, retired: bool, department: str, known: bool) -> bool:
    """Whether a member belongs to ``audience``. Someone not in the roster
    (``known`` False) is given the benefit of the doubt: the bot cannot tell."""
    audience = normalize_audience(audience)
    if audience == EVERYONE:
        return True
    if not known:
        return True
    if audience == WOMEN:
        return gender == "女"
    if audience == RETIRED:
        return retired
    if audience == SERVING:
        return not retired
    return department == audience


def known_audiences(departments: Iterable[str], served: Iterable[str] = ()) -> list[str]:
    """What an audience may be: the fixed words, the roster's departments, and what a staff group serves.
    Anything else (对象=火星人) would reach nobody, or everyone the bot cannot place: refused."""
    fixed = list(_ALIASES)
    return list(dict.fromkeys([*fixed, *sorted({d for d in departments if d}), *map(normalize_audience, served)]))


def parse_audiences(values: Iterable[str]) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(normalize_audience(v) for v in values if v.strip()))
    return found or (EVERYONE,)

"""Import python-wechaty 0.10.7 on Python 3.11.

wechaty 0.10.7 (its last release, 2022) declares ``WechatyOptions`` as a
dataclass whose field defaults to ``PuppetOptions()``. Python 3.11 rejects an
unhashable instance as a dataclass default ("mutable default ... use
default_factory"), so ``import wechaty`` fails. Giving ``PuppetOptions`` a
hash before wechaty is imported is enough: the default is only ever read, never
mutated, by wechaty itself. It also needs ``pyee<9`` and ``urllib3<2``, pinned
in pyproject.toml.

Import wechaty only through this module.
"""

from __future__ import annotations

from types import ModuleType


def load_wechaty() -> ModuleType:
    from wechaty_puppet.schemas.puppet import PuppetOptions

    if PuppetOptions.__hash__ is None:
        PuppetOptions.__hash__ = object.__hash__  # type: ignore[method-assign]
    import wechaty

    return wechaty

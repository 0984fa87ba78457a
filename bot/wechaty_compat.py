"""Import python-wechaty 0.10.7 on Python 3.11.

wechaty 0.10.7 (its last release, 2022) declares ``WechatyOptions`` as a
dataclass whose field defaults to ``PuppetOptions()``. Python 3.11 rejects an
unhashable instance as a dataclass default ("mutable default ... use
default_factory"), so ``import wechaty`` fails. Giving ``PuppetOptions`` a
hash before wechaty is imported is enough: the default is only ever read, never
mutated, by wechaty itself. It also needs ``pyee<9`` and ``urllib3<2``, pinned
in pyproject.toml.

python-wechaty also logs every message's text at INFO to stderr. Messages can
be personal (a welfare request typed in the wrong chat), so unless WECHATY_LOG
is set explicitly, its loggers are held at ``warn``.

At login it also probes 127.0.0.1:5000 for a plugin web service of its own, and fails when anything
listens there; unionbot registers no plugins, so the probe is switched off.

Import wechaty only through this module.
"""

from __future__ import annotations

import os
from types import ModuleType


def load_wechaty() -> ModuleType:
    os.environ.setdefault("WECHATY_LOG", "warn")  # read by wechaty_puppet.logger at import time
    from wechaty_puppet.schemas.puppet import PuppetOptions

    if PuppetOptions.__hash__ is None:
        PuppetOptions.__hash__ = object.__hash__  # type: ignore[method-assign]
    import wechaty
    import wechaty.plugin

    # At login python-wechaty probes 127.0.0.1:5000 and refuses to log in when anything listens there
    # (a web page, macOS AirPlay): the port of a plugin web service we never start (no blueprints).
    wechaty.plugin._check_local_port = lambda port: False
    return wechaty

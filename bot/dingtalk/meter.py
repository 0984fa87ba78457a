"""The month's metered DingTalk calls (robot sends and uploads; token and directory calls are exempt),
kept in the union's key/value settings so `unionbot status` can show them against the quota."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

from storage.settings import Settings

# DingTalk counts by the calendar month in China.
QUOTA_TZ = ZoneInfo("Asia/Shanghai")


def month_key(now: dt.datetime) -> str:
    return f"dingtalk.metered.{now.astimezone(QUOTA_TZ):%Y-%m}"


class MonthlyMeter:
    """Counts into ``dingtalk.metered.YYYY-MM``. Only the sending leader counts, so a read-then-write under a
    process lock is enough."""

    def __init__(self, settings: Settings, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.settings = settings
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.lock = threading.Lock()

    def add(self, calls: int = 1) -> None:
        with self.lock:
            key = month_key(self.clock())
            self.settings.put(key, str(int(self.settings.get(key) or 0) + calls))

    def used(self, now: dt.datetime | None = None) -> int:
        return int(self.settings.get(month_key(now or self.clock())) or 0)

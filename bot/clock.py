"""Clocks: the real one, and the fake one the terminal chat moves with /now."""

from __future__ import annotations

import datetime as dt


class SystemClock:
    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FakeClock:
    """Stands still until told: set() or advance() move it."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start

    def __call__(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = when

    def advance(self, delta: dt.timedelta) -> None:
        self._now += delta


class OffsetClock:
    """Real time, shifted: `unionbot run --now …` rehearses a day (a digest's
    morning, say) against a real gateway. Message times are shifted alike."""

    def __init__(self, start: dt.datetime) -> None:
        self.offset = start - dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

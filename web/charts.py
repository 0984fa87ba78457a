"""Server-rendered SVG bar charts for the statistics pages: no script, no CDN, readable when printed.

Each chart is a list of (label, count) drawn as horizontal bars with the number beside each bar, and
carries a <title> and a table-like text (every label and number is text in the SVG), so a screen
reader and a copy-paste get the figures, not only the picture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

ROW = 26
# 350 units wide: at 13 px a chart is legible at its own size on a 375 px phone (a wider one shrinks its text).
LABEL_WIDTH = 110
BAR_WIDTH = 200
LABEL_CHARS = 8  # what fits LABEL_WIDTH at 13 px; a longer label is shortened with … and kept whole in its <title>
COLOURS = ("#2f6f9f", "#3f8f5f", "#b07a2a", "#8f3f6f", "#5f5f9f", "#3f7f7f")


def bar_chart(title: str, data: Iterable[tuple[str, int]]) -> Markup:
    items = [(str(k), int(v)) for k, v in data]
    if not items:
        return Markup('<p class="muted">{}：暂无数据。</p>').format(title)
    top = max(v for _, v in items) or 1
    width = LABEL_WIDTH + BAR_WIDTH + 40
    height = ROW * len(items) + 30
    parts = [f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" font-size="13">',
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = 26 + i * ROW
        length = round(BAR_WIDTH * value / top)
        shown = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end"><title>{escape(label)}</title>'
                     f'{escape(shown)}</text>'
                     f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW - 8}" '
                     f'fill="{COLOURS[i % len(COLOURS)]}"></rect>'
                     f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass
class Tally:
    count: int = 0
    amount: int = 0  # 核定 amounts (yuan); a request not yet 核定 counts but adds nothing

    def add(self, amount: int | None) -> None:
        self.count += 1
        self.amount += amount or 0


@dataclass
class LedgerSummary:
    total: Tally = field(default_factory=Tally)
    paid: Tally = field(default_factory=Tally)  # 已发放 only: what actually left the union's account
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_month: dict[str, Tally] = field(default_factory=dict)  # "2027-03" by the request's date


def ledger_summary(rows: Iterable[Any], tz: dt.tzinfo) -> LedgerSummary:
    """The ledger's totals row and its breakdown by type and by month (rejected requests left out)."""
    out = LedgerSummary()
    for r in rows:
        if r.status == "已驳回":
            continue
        month = r.created_at.astimezone(tz).strftime("%Y-%m")
        for tally in (out.total, out.by_kind.setdefault(r.kind, Tally()), out.by_month.setdefault(month, Tally())):
            tally.add(r.amount)
        if r.status == "已发放":
            out.paid.add(r.amount)
    out.by_month = dict(sorted(out.by_month.items()))
    return out

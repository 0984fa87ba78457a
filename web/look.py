"""How the office page looks, where the stylesheet alone cannot do it: status badges, and each table
cell labelled with its column's heading (``data-label``) so that a table can become a card per row on a
phone without any page's template having to repeat its headings."""

from __future__ import annotations

import html
import re

from jinja2.ext import Extension
from markupsafe import Markup

# One tone per status: what still waits on someone (open), what is under way (active), what ended
# well (done), what ended otherwise (closed), what was refused or stopped (stopped).
TONES: dict[str, str] = {
    # proposals
    "征集中": "open", "待审查": "open", "立案": "active", "已立案": "active", "已交办": "active",
    "已答复": "done", "已评价": "done", "办结": "done", "不予立案": "stopped", "已合并": "closed",
    # welfare requests
    "待受理": "open", "已受理": "active", "已核定": "active", "已发放": "done", "已驳回": "stopped",
    # sign-ups (the page's labels and the stored codes)
    "报名中": "open", "open": "open", "已截止": "closed", "closed": "closed",
    "已取消": "stopped", "cancelled": "stopped", "已报名": "done", "候补": "active",
    # votes and posts
    "进行中": "open", "已结束": "closed", "已发送": "done", "待发送": "open", "发送中": "active",
    "失败": "stopped", "错过": "stopped", "不再发送": "closed",
}
SIGNUP_LABELS = {"open": "报名中", "closed": "已截止", "cancelled": "已取消"}


def badge(status: object) -> Markup:
    """A status as a badge: ``{{ p.status|badge }}``. An unknown status is shown as it is, in the
    neutral tone, never dropped."""
    text = str(status or "")
    if not text:
        return Markup("")
    label = SIGNUP_LABELS.get(text, text)
    tone = TONES.get(text, "neutral")
    return Markup('<span class="badge badge-{}">{}</span>').format(tone, label)


_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)
_THEAD = re.compile(r"<thead\b.*?</thead>", re.S | re.I)
_TH = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S | re.I)
_TBODY = re.compile(r"<tbody\b.*?</tbody>", re.S | re.I)
_SPAN = re.compile(r"""\b(rowspan|colspan)\s*=\s*["']?(\d+)""", re.I)
_TAGS = re.compile(r"<[^>]+>")
_LOOP = re.compile(r"\{%-?\s*for\b")


def label_cells(page: str) -> str:
    """Every body cell of every table with a ``<thead>`` gets ``data-label`` = its column's heading
    (literal row and column spans counted), unless it has one already. Run on a template's source
    (``LabelCells``), so the pages' templates stay plain tables: a heading may hold ``{{ … }}`` (it is
    rendered into the label too); a heading with ``{% … %}`` inside it gives no label."""
    if "<thead" not in page:
        return page
    return _TABLE.sub(_label_table, page)


def _label_table(match: re.Match[str]) -> str:
    table = match.group(0)
    head = _THEAD.search(table)
    if head is None:
        return table
    labels: list[str] = []
    for th in _TH.finditer(head.group(0)):
        text = html.unescape(_TAGS.sub("", th.group(1))).strip()
        if "{%" in text or "{#" in text or ('"' in text and "{{" in text):
            text = ""  # a heading built by statements: no label rather than a wrong one
        span = dict((k.lower(), int(v)) for k, v in _SPAN.findall(th.group(0)))
        labels.extend([text] * max(1, span.get("colspan", 1)))
    if not any(labels):
        return table
    return _TBODY.sub(lambda body: _label_body(body.group(0), labels), table)


def _label_body(body: str, labels: list[str]) -> str:
    """A ``<tbody>``'s rows: each ``<td``/``<th`` takes the next free column's label. A row whose cells
    come from a loop (``{% for %}`` inside the ``<tr>``) is left alone: its columns are not its tags."""
    held: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    escaped = [label if "{{" in label else html.escape(label, quote=True) for label in labels]
    rows = body.split("<tr")
    for r in range(1, len(rows)):
        row = rows[r]
        if row[:1] not in (" ", ">", "\n", "\t"):
            continue
        if _LOOP.search(row.partition("</tr")[0]):
            continue
        taken = {c for c, left in held.items() if left > 0}
        for c in taken:
            held[c] -= 1
        col = 0
        parts = row.split("<t")
        for i in range(1, len(parts)):
            part = parts[i]
            kind = part[:1]
            if kind not in ("d", "h") or part[1:2] not in (" ", ">", "\n", "\t"):
                continue  # <textarea>, <time>…
            while col in taken:
                col += 1
            attrs = part[1:part.find(">")]
            here, width = col, 1
            if "span" in attrs:
                span = {k.lower(): int(v) for k, v in _SPAN.findall(attrs)}
                width = max(1, span.get("colspan", 1))
                if span.get("rowspan", 1) > 1:
                    for c in range(col, col + width):
                        held[c] = span["rowspan"] - 1
            col += width
            if here < len(labels) and labels[here] and "data-label" not in attrs:
                parts[i] = f'{kind} data-label="{escaped[here]}"{part[1:]}'
        rows[r] = "<t".join(parts)
    return "<tr".join(rows)


class LabelCells(Extension):
    """``label_cells`` on each template's source, once when it is loaded: no cost per request (a page
    of 1,000 sign-ups is 5,000 cells)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return label_cells(source)

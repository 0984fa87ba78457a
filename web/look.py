"""How the office page looks, where the stylesheet alone cannot do it: status badges, and each table
cell labelled with its column's heading (``data-label``) so that a table can become a card per row on a
phone without any page's template having to repeat its headings."""

from __future__ import annotations

import html
import re

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
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<(td|th)\b([^>]*)>", re.I)
_SPAN = re.compile(r"""\b(rowspan|colspan)\s*=\s*["']?(\d+)""", re.I)
_TAGS = re.compile(r"<[^>]+>")


def label_cells(page: str) -> str:
    """Every body cell of every table with a ``<thead>`` gets ``data-label`` = its column's heading
    (row and column spans counted), unless it has one already. Pure text work on the rendered page:
    the pages' templates stay plain tables."""
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
        span = dict((k.lower(), int(v)) for k, v in _SPAN.findall(th.group(0)))
        labels.extend([text] * max(1, span.get("colspan", 1)))
    if not any(labels):
        return table
    return _TBODY.sub(lambda body: _label_body(body.group(0), labels), table)


def _label_body(body: str, labels: list[str]) -> str:
    held: dict[int, int] = {}  # column -> rows still covered by a rowspan from above

    def row(match: re.Match[str]) -> str:
        taken = {col for col, left in held.items() if left > 0}
        for col in list(held):
            held[col] -= 1
        col = 0
        out: list[str] = []
        pos = 0
        inner = match.group(1)
        start = match.start(1) - match.start(0)
        for cell in _CELL.finditer(inner):
            while col in taken:
                col += 1
            attrs = cell.group(2)
            span = dict((k.lower(), int(v)) for k, v in _SPAN.findall(attrs))
            label = labels[col] if col < len(labels) else ""
            out.append(inner[pos:cell.start()])
            if label and "data-label" not in attrs:
                out.append(f'<{cell.group(1)} data-label="{html.escape(label)}"{attrs}>')
            else:
                out.append(cell.group(0))
            pos = cell.end()
            width = max(1, span.get("colspan", 1))
            if span.get("rowspan", 1) > 1:
                for c in range(col, col + width):
                    held[c] = span["rowspan"] - 1
            col += width
        out.append(inner[pos:])
        whole = match.group(0)
        return whole[:start] + "".join(out) + whole[start + len(inner):]

    return _ROW.sub(row, body)

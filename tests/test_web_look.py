"""web/look.py: table cells labelled by their column for the phone's cards, and status badges."""

from __future__ import annotations

import re

from web.look import badge, label_cells


def labels(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<t[dh] data-label="([^"]*)"[^>]*>(.*?)</t[dh]>', html)


def test_cells_get_their_column_heading_with_row_spans_counted() -> None:
    page = """<table><thead><tr><th>月份</th><th>编号</th><th>内容 &amp; 时间</th></tr></thead><tbody>
<tr><th rowspan="2" scope="rowgroup">3月</th><td>1</td><td>慰问</td></tr>
<tr><td>2</td><td class="x">球赛</td></tr>
<tr><th>4月</th><td>3</td><td>健步走</td></tr></tbody></table>"""
    assert labels(label_cells(page)) == [("月份", "3月"), ("编号", "1"), ("内容 &amp; 时间", "慰问"),
                                         ("编号", "2"), ("内容 &amp; 时间", "球赛"),
                                         ("月份", "4月"), ("编号", "3"), ("内容 &amp; 时间", "健步走")]
    assert 'class="x"' in label_cells(page)


def test_column_spans_and_existing_labels_and_tables_without_headings() -> None:
    page = ('<table><thead><tr><th colspan="2">姓名</th><th>部门</th></tr></thead>'
            '<tbody><tr><td>李</td><td>晓梅</td><td data-label="组">语文</td></tr></tbody></table>'
            '<table><tr><td>没有表头</td></tr></table>')
    out = label_cells(page)
    assert labels(out) == [("姓名", "李"), ("姓名", "晓梅"), ("组", "语文")]
    assert "<td>没有表头</td>" in out and out.count("data-label") == 3


def test_a_heading_cannot_break_out_of_its_attribute() -> None:
    page = '<table><thead><tr><th>"><script>x</script></th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
    assert 'data-label="&quot;&gt;x"' in label_cells(page)


def test_badges_by_status() -> None:
    assert badge("征集中") == '<span class="badge badge-open">征集中</span>'
    assert badge("已驳回") == '<span class="badge badge-stopped">已驳回</span>'
    assert badge("cancelled") == '<span class="badge badge-stopped">已取消</span>'
    # An unknown status is shown as it is, escaped, never dropped.
    assert badge("<新>") == '<span class="badge badge-neutral">&lt;新&gt;</span>'
    assert badge("") == ""


def test_templates_are_labelled_once_when_they_load() -> None:
    from jinja2 import DictLoader, Environment

    from web.look import LabelCells

    source = """<table><thead><tr><th>编号</th><th>{{ year }} 年</th>{% if wide %}<th>操作</th>{% endif %}</tr></thead>
<tbody>{% for n in rows %}<tr><td>{{ n }}</td><td>第{{ n }}项</td>{% if wide %}<td>改</td>{% endif %}</tr>{% endfor %}
<tr>{% for c in cols %}<td>{{ c }}</td>{% endfor %}</tr></tbody></table>"""
    env = Environment(loader=DictLoader({"t.html": source}), autoescape=True, extensions=[LabelCells])
    out = env.get_template("t.html").render(year='2027"', rows=[1, 2], wide=True, cols=["x", "y"])
    assert labels(out) == [("编号", "1"), ("2027&#34; 年", "第1项"), ("操作", "改"),
                           ("编号", "2"), ("2027&#34; 年", "第2项"), ("操作", "改")]
    # Cells made by a loop over columns are not guessed at.
    assert "<tr><td>x</td><td>y</td></tr>" in out

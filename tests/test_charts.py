"""The statistics charts (web/charts.py): legible on a phone, and no label cut without its whole text."""

from __future__ import annotations

import re

from web.charts import bar_chart


def test_a_long_label_is_shortened_on_the_bar_and_kept_whole_in_its_title() -> None:
    svg = str(bar_chart("按承办部门", [("教学质量监控与评估中心", 3), ("总务处", 1)]))
    assert "<title>教学质量监控与评估中心</title>教学质量监控与…</text>" in svg
    assert "<title>总务处</title>总务处</text>" in svg


def test_a_chart_is_drawn_no_wider_than_a_phone() -> None:
    svg = str(bar_chart("按状态", [("待审查", 10), ("已交办", 5)]))
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    assert width <= 360
    # The longest bar is the largest count; the others in proportion.
    bars = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', svg)]
    assert bars[0] == 2 * bars[1]


def test_labels_and_numbers_are_escaped_text() -> None:
    svg = str(bar_chart("<b>", [("<script>", 1)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg

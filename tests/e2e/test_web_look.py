"""The office page's look in Debian's chromium (Playwright with ``executable_path``; nothing downloads a
browser), as the chair, the welfare officer and a teacher, on web/screenshots.py's small school:
every page at 375 px without sideways scroll or squeezed cells, screenshots of every page at 1280 and
375 px, the print view, and the page with JavaScript off."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gateway_harness import free_port
from web import screenshots

CHROMIUM = screenshots.chromium()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if CHROMIUM is None:
        if os.environ.get("UNIONBOT_REQUIRE_BROWSER"):
            pytest.fail("chromium not found (apt-get install chromium)")
        pytest.skip("chromium not installed")
    port = free_port()
    config = screenshots.prepare(tmp_path_factory.mktemp("look"), port)
    with screenshots.serve(config, port) as base:
        yield base, config


@pytest.fixture(scope="module")
def browser(site) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=screenshots.FLAGS)
        yield b
        b.close()


def test_every_page_of_every_role_fits_a_phone(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, config = site
    out = Path(os.environ.get("UNIONBOT_SCREENSHOTS", screenshots.REPO / "var" / "screenshots"))
    measures = screenshots.photograph(browser, base, config, out)
    problems = {name: m["problems"] for name, m in measures.items() if m["problems"]}
    assert not problems, problems
    # Each role's pages were found and measured, detail pages and the open edit row included.
    for name in ("chair-schedule-year-2027-edit", "chair-schedule-refused", "chair-signups-1", "chair-notices-1", "chair-members",
                 "chair-proposals-2027-001", "welfare-welfare-year-2027", "welfare-welfare-W2027-001",
                 "teacher-signups", "teacher-proposals"):
        assert name in measures, sorted(measures)
    assert measures["chair-members"]["cells"] >= 12 * 5  # a card per member, each cell measured
    assert min(m["narrowest"] for m in measures.values() if m["cells"]) >= 4
    for name in measures:
        for width in screenshots.WIDTHS:
            assert (out / f"{name}-{width}.png").stat().st_size > 5_000, (name, width)


def test_a_short_status_stays_on_one_line_in_a_narrow_table(site, browser) -> None:  # type: ignore[no-untyped-def]
    """The measure itself: the old stylesheet's squeezed 已/报/名 and 3-character cells are caught."""
    base, config = site
    page = screenshots.login(browser, config, "wx-li", 375)
    page.goto(base + "/signups")
    assert page.evaluate(screenshots.MEASURE)["problems"] == []
    # The same table laid out as the old page did (a plain table, squeezed into the phone's width).
    page.add_style_tag(content="table, tbody, tr, td, th, thead { all: revert !important; }"
                               " td, th { padding: 4px !important; } .badge { white-space: normal !important; }")
    squeezed = page.evaluate(screenshots.MEASURE)["problems"]
    assert any("characters wide" in p for p in squeezed), squeezed
    page.close()


def test_print_view_has_no_menu_or_buttons_and_is_black_on_white(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, config = site
    page = screenshots.login(browser, config, "wx-wang", 1280)
    page.goto(base + "/proposals/2027-001")
    page.emulate_media(media="print")
    assert not page.locator("body > nav").is_visible()
    assert page.locator("button:visible").count() == 0 and page.locator("form:visible").count() == 0
    colors = page.evaluate("""() => [getComputedStyle(document.body).color,
        getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('header')).backgroundColor]""")
    assert colors[0] == "rgb(0, 0, 0)" and colors[1] in ("rgb(255, 255, 255)",) and colors[2] == "rgba(0, 0, 0, 0)"
    assert "食堂增加晚餐供应" in page.locator("main").inner_text()
    # Tables print as tables, even from a phone.
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(base + "/members")
    assert page.evaluate("getComputedStyle(document.querySelector('main tbody tr')).display") == "table-row"
    page.close()


def test_readable_and_usable_with_javascript_off(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, config = site
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 900})
    page = context.new_page()
    page.goto(screenshots._cli(config, "web", "link", "wx-wang").strip())
    page.get_by_role("button", name="确认登录").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(base + "/signups")
    assert page.locator("body > nav a[aria-current]").inner_text() == "报名"
    # Cells carry their column's heading from the server, so cards are labelled without scripts.
    assert page.locator("td[data-label='状态'] .badge").first.is_visible()
    assert page.evaluate(screenshots.MEASURE)["problems"] == []
    # A detail page marks its list's menu entry.
    page.goto(base + "/signups/1")
    assert page.locator("body > nav a[aria-current]").inner_text() == "报名"
    # A plain form still works: the chair adds an activity.
    page.goto(base + "/schedule?year=2027")
    form = page.locator("#add-item")
    form.locator("input[name=when]").fill("2027-09-10")
    form.locator("input[name=text]").fill("教师节座谈会")
    form.get_by_role("button", name="添加").click()
    page.wait_for_selector(".flash")
    assert "教师节座谈会" in page.locator("main").inner_text()
    context.close()

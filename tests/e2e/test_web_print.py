"""The printable 提案表 in Debian's chromium (issue 26): reached from the proposal's page, laid out as
congresses print it, and printed (print media, PDF) without the page's own links."""

from __future__ import annotations

import re

from tests.e2e.test_web_browser import browser, login, site

__all__ = ["browser", "site"]  # the fixtures, shared with test_web_browser.py


def test_print_view_of_a_proposal(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, config = site
    admin = login(browser, config, "wx-admin")
    admin.goto(base + "/proposals?q=晚餐")
    admin.get_by_role("link", name="2027-001").click()
    admin.wait_for_url(re.compile(r"/proposals/2027-001$"))
    admin.get_by_role("link", name="打印提案表").click()
    admin.wait_for_url(re.compile(r"/proposals/2027-001/print$"))
    sheet = admin.locator("table.form")
    labels = sheet.locator("th").all_inner_texts()
    assert labels == ["案由", "提案人", "状态", "类别", "附议人", "理由", "办法", "审查意见", "承办部门", "答复", "评价"]
    assert "教师晚自习后无处就餐" in sheet.inner_text()
    assert admin.locator(".noprint").is_visible()
    admin.emulate_media(media="print")
    assert not admin.locator(".noprint").is_visible()  # the back link is not printed
    # The whole form fits the sheet's width at A4 and prints as one page.
    width = admin.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert width
    pdf = admin.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1

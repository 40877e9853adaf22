"""政策文件库 and the 重大建设项目 matrix, used by keyboard and without JavaScript, in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

ACTIVE = "() => ({id: document.activeElement.id, href: document.activeElement.getAttribute('href'),"\
         " cls: document.activeElement.className})"


def tab_to(page: Any, done: Any, limit: int = 150) -> dict[str, str]:
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if done(active):
            return active
    raise AssertionError("Tab never reached the control")


def test_library_narrows_rows_by_keyboard(page, page_urls) -> None:
    page.goto(page_urls["library"])
    rows = page.locator(".library-table tbody tr")
    total = rows.count()
    assert total >= 15 and page.is_visible("form[data-library-filter]")
    tab_to(page, lambda a: a["id"] == "narrow-validity")
    page.keyboard.press("ArrowDown")
    chosen = page.eval_on_selector("#narrow-validity", "s => s.value")
    assert chosen
    visible = page.locator(".library-table tbody tr:visible")
    expected = page.locator(f'.library-table tbody tr[data-validity="{chosen}"]').count()
    assert 0 < visible.count() == expected < total
    assert page.inner_text(".library-status") == f"显示 {expected} 件，共 {total} 件"
    tab_to(page, lambda a: a["id"] == "narrow-text")
    page.keyboard.type("不存在的标题")
    assert visible.count() == 0


def test_library_filter_pages_work_without_javascript(browser, page_urls) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(page_urls["library"])
        assert not page.is_visible("form[data-library-filter]")
        page.click("nav.facet a:has-text('废止')")
        page.wait_for_url("**/library/validity/feizhi/index.html")  # and for the page to load
        assert page.locator(".library-table tbody tr").count() == 1
        page.click(".library-table tbody a")
        page.wait_for_load_state()
        assert page.is_visible(".validity-banner")
    finally:
        context.close()


def test_project_matrix_is_reachable_and_followed_by_keyboard(page, page_urls) -> None:
    page.goto(page_urls["projects"])
    region = tab_to(page, lambda a: "table-wrap" in (a["cls"] or ""))
    assert region["href"] is None
    link = tab_to(page, lambda a: "#stage-" in (a["href"] or ""))
    page.keyboard.press("Enter")
    page.wait_for_url("**/projects/**#stage-*")
    anchor = link["href"].split("#")[1]
    assert page.is_visible(f"#{anchor} h3")

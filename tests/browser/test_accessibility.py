"""Accessibility and 适老化 of the built sample site, proven in Chromium with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

MODES = {
    "normal": (),
    "high-contrast": ("[data-contrast]",),
    "xlarge": ('[data-font="xlarge"]',),
    "xlarge-high-contrast": ('[data-font="xlarge"]', "[data-contrast]"),
}
MODE_CLASSES = {
    "normal": set(),
    "high-contrast": {"contrast"},
    "xlarge": {"font-xlarge"},
    "xlarge-high-contrast": {"font-xlarge", "contrast"},
}
HTML_CLASSES = "() => [...document.documentElement.classList]"
OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"
FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName, id: e.id, href: e.getAttribute('href'), text: e.textContent.trim(),
          inMain: !!e.closest('main')};
}"""


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    if "?q=" in url:
        page.wait_for_selector("#search-results li", timeout=10_000)


def choose_mode(page: Any, home: str, mode: str) -> None:
    """Switch modes the way a reader does: press the header buttons on the home page."""
    page.goto(home)
    for selector in MODES[mode]:
        page.click(selector)


@pytest.mark.parametrize("mode", ["normal", "high-contrast", "xlarge"])
def test_every_page_type_has_no_axe_violations(page, page_urls, axe, mode) -> None:
    choose_mode(page, page_urls["home"], mode)
    found: dict[str, list[str]] = {}
    for name, url in page_urls.items():
        open_page(page, url)
        if name != "check-report":  # a standalone file without the site's reading aids
            assert MODE_CLASSES[mode] <= set(page.evaluate(HTML_CLASSES)), name
        violations = axe(page)
        if violations:
            found[name] = violations
    assert found == {}


def test_tab_order_starts_with_skip_link_then_catalogue(page, page_urls) -> None:
    page.goto(page_urls["home"])
    walk = []
    for _ in range(40):
        page.keyboard.press("Tab")
        walk.append(page.evaluate(FOCUSED))
    assert walk[0]["href"] == "#main", walk[0]
    catalogue = next(i for i, e in enumerate(walk) if (e["href"] or "").endswith("catalog/index.html"))
    main_links = [i for i, e in enumerate(walk) if e["inMain"] and e["tag"] == "A"]
    assert main_links, "Tab never reached a link in <main>"
    assert catalogue <= main_links[0], walk[: main_links[0] + 1]


def test_skip_link_moves_focus_to_main(page, page_urls) -> None:
    page.goto(page_urls["document"])
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().top") >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")


def test_focus_is_visible(page, page_urls) -> None:
    page.goto(page_urls["home"])
    for _ in range(6):
        page.keyboard.press("Tab")
        style = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert style[0] != "none" and style[1] >= 2, page.evaluate(FOCUSED)


def pressed(page: Any, selector: str) -> str:
    return page.get_attribute(selector, "aria-pressed")


def root_font_px(page: Any) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_font_and_contrast_controls_work_by_keyboard_and_persist(page, page_urls) -> None:
    page.goto(page_urls["home"])
    normal = root_font_px(page)
    page.focus('[data-font="xlarge"]')
    page.keyboard.press("Enter")
    assert "font-xlarge" in page.evaluate(HTML_CLASSES)
    assert pressed(page, '[data-font="xlarge"]') == "true"
    assert pressed(page, '[data-font="normal"]') == "false"
    assert root_font_px(page) >= 2 * normal
    page.focus('[data-font="large"]')
    page.keyboard.press("Space")
    assert "font-large" in page.evaluate(HTML_CLASSES)
    assert "font-xlarge" not in page.evaluate(HTML_CLASSES)
    page.focus("[data-contrast]")
    page.keyboard.press("Space")
    assert pressed(page, "[data-contrast]") == "true"
    page.keyboard.press("Enter")
    assert pressed(page, "[data-contrast]") == "false"
    page.keyboard.press("Enter")
    page.click("nav.site-nav a[href$='catalog/index.html']")
    page.wait_for_url("**/catalog/index.html")
    assert {"font-large", "contrast"} <= set(page.evaluate(HTML_CLASSES))
    assert pressed(page, '[data-font="large"]') == "true"
    assert pressed(page, "[data-contrast]") == "true"
    page.focus('[data-font="normal"]')
    page.keyboard.press("Enter")
    page.goto(page_urls["document"])
    assert "font-large" not in page.evaluate(HTML_CLASSES)
    assert root_font_px(page) == normal


@pytest.mark.parametrize("mode", ["normal", "xlarge"])
def test_no_horizontal_scrolling_at_320px(new_page, page_urls, mode) -> None:
    page = new_page(width=320, height=640)
    choose_mode(page, page_urls["home"], mode)
    overflowing = {}
    for name, url in page_urls.items():
        open_page(page, url)
        excess = page.evaluate(OVERFLOW)
        if excess > 0:
            overflowing[name] = excess
    assert overflowing == {}


def test_catalogue_tables_scroll_in_labelled_focusable_regions(new_page, page_urls) -> None:
    page = new_page(width=320, height=640)
    page.goto(page_urls["catalog"])
    tables = page.evaluate(
        """() => [...document.querySelectorAll('main table')].map(t => {
          const w = t.closest('.table-wrap');
          return {caption: !!t.caption && t.caption.textContent.trim() !== '',
                  unscoped: [...t.querySelectorAll('th')].filter(th => !th.scope).length,
                  region: !!w && w.getAttribute('role') === 'region'
                          && w.tabIndex === 0 && !!(w.getAttribute('aria-label')
                          || w.getAttribute('aria-labelledby')),
                  scrolls: !!w && w.scrollWidth > w.clientWidth};
        })"""
    )
    assert tables
    assert all(t == {"caption": True, "unscoped": 0, "region": True, "scrolls": True} for t in tables)


def test_every_table_scrolls_in_a_labelled_focusable_region(new_page, page_urls) -> None:
    page = new_page(width=320, height=640)
    found = {}
    for name in ("document", "document-table"):
        page.goto(page_urls[name])
        found[name] = page.evaluate(
            """() => [...document.querySelectorAll('main table')].map(t => {
              const w = t.parentElement;
              return w.getAttribute('role') === 'region' && w.tabIndex === 0
                && !!w.getAttribute('aria-label') && getComputedStyle(w).overflowX === 'auto';
            })"""
        )
    assert found == {"document": [True], "document-table": [True] * len(found["document-table"])}
    assert len(found["document-table"]) > 1


def test_site_reads_without_javascript(browser, page_urls) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(page_urls["home"])
        assert not page.is_visible(".prefs")
        assert page.is_visible("main h2")
        assert page.get_by_role("link", name="进入标准目录").is_visible()
        page.goto(page_urls["document"])
        assert page.is_visible("main h1")
        assert page.locator(".doc-body").inner_text().strip()
        assert page.locator(".attachments a").count() > 0
    finally:
        context.close()


def test_print_hides_navigation_and_shows_link_urls(page, page_urls) -> None:
    page.goto(page_urls["document"])
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => ['.site-nav', '.site-header', '.skip-link', '.breadcrumb']
          .map(s => document.querySelector(s)).filter(Boolean)
          .map(e => getComputedStyle(e).display)"""
    )
    assert hidden and set(hidden) == {"none"}
    shown = page.evaluate(
        """() => [...document.querySelectorAll('main a[href]:not([href^="#"])')].map(a =>
          [a.getAttribute('href'), getComputedStyle(a, '::after').content])"""
    )
    assert shown
    for href, after in shown:
        assert href in after, (href, after)


def test_reduced_motion_turns_off_smooth_scrolling(page, page_urls) -> None:
    page.goto(page_urls["home"])
    behaviour = "() => getComputedStyle(document.documentElement).scrollBehavior"
    page.emulate_media(reduced_motion="no-preference")
    assert page.evaluate(behaviour) == "smooth"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(behaviour) == "auto"


def test_screenshots_at_xlarge_high_contrast(page, page_urls, screenshot_dir) -> None:
    choose_mode(page, page_urls["home"], "xlarge-high-contrast")
    for name in ("home", "document"):
        page.goto(page_urls[name])
        path = screenshot_dir / f"{name}-xlarge-high-contrast.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000


def test_body_text_typography(page, page_urls) -> None:
    page.goto(page_urls["document"])
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('.doc-body p'));
          return {family: s.fontFamily, size: parseFloat(s.fontSize),
                  indent: parseFloat(s.textIndent), line: parseFloat(s.lineHeight)}; }"""
    )
    assert style["family"].startswith('"Microsoft YaHei"'), style
    assert style["indent"] == pytest.approx(2 * style["size"]), style
    assert style["line"] >= 1.5 * style["size"], style


def test_pages_load_nothing_from_other_hosts(page, page_urls) -> None:
    origin = page_urls["home"].split("/", 3)[:3]
    foreign: set[str] = set()
    page.on("request", lambda r: foreign.add(r.url) if r.url.split("/", 3)[:3] != origin else None)
    for url in page_urls.values():
        open_page(page, url)
    assert foreign == set()

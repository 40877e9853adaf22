"""Search in Chromium over http and file://: known answers, 文号 lookups, ranking and synonyms,
no results, non-public text, and the same documents in the same order as `govsite search`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from search_helpers import copy_site, searcher

from govsite.build import build

from .browser_harness import SITE_ROOT

pytestmark = pytest.mark.browser

QNJY = "zcwj/zcwj-gfxwj/qnjy-cs-2026/index.html"
AGREE = ["就业", "青山县", "预算", "府", "城南镇 污水", "青财预", "2026", "补贴", "招标公告",
         "安全生产", "高校毕业生", "环境 处罚", "经费", "县财政局", "青府办发〔2026〕31号",
         "政务公开工作要点", "低保", "城乡低保", "旧改", "任务分解表", "信息处理费", "灵活就业",
         "2026-360999-84-01-004567"]
NOTHING = ["LEAK-CANARY-ONREQUEST", "LEAK-CANARY-WITHHELD", "附着物评估方式", "不存在的词语组合"]


@pytest.fixture(params=["http", "file"])
def base(request: pytest.FixtureRequest, built_site: Path) -> str:
    if request.param == "file":
        return built_site.as_uri() + "/"
    return request.getfixturevalue("site_url")


@pytest.fixture
def errors(page: Any) -> list[str]:
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on("response", lambda r: found.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    return found


def results(page: Any, base: str, query: str) -> list[str]:
    """Open search/index.html?q=…, wait for the search to finish; result links as output paths."""
    page.goto(f"{base}search/index.html?q={quote(query)}")
    page.wait_for_function("() => window.GovsiteSearch && window.GovsiteSearch.done")
    page.evaluate("() => window.GovsiteSearch.done")
    hrefs = page.eval_on_selector_all("#search-results a.result-title", "as => as.map(a => a.href)")
    assert all(h.startswith(base) for h in hrefs)
    return [h.removeprefix(base) for h in hrefs]


@functools.cache
def site_search() -> Callable[..., list[dict]]:
    return searcher(SITE_ROOT)


def cli(query: str, limit: int = 10) -> list[str]:
    """`govsite search` on the site under test."""
    return [r["url"] for r in site_search()(query, limit)]


def test_browser_and_cli_return_the_same_documents_in_the_same_order(
        page: Any, base: str, errors: list[str]) -> None:
    nonempty = 0
    for query in AGREE:
        found = results(page, base, query)
        assert found == cli(query), query
        nonempty += bool(found)
    assert nonempty == len(AGREE)
    assert errors == []


def test_doc_number_lookups(page: Any, base: str) -> None:
    for typed in ("青府办发〔2026〕31号", "青府办发[2026]31号", "青府办发(2026)31号"):
        assert results(page, base, typed)[0] == QNJY, typed
    assert QNJY in results(page, base, "府办发〔2026〕31")[:5]


def test_the_named_document_first_and_synonyms(page: Any, base: str) -> None:
    """The policy named 政务公开工作要点 before its interpretation, which only quotes the name;
    低保 (built in) and 旧改 (catalog.yaml's search_synonyms) find the full wording, which the
    excerpt highlights."""
    assert results(page, base, "政务公开工作要点")[0] == "zcwj/zcwj-qtwj/zwgk-gzyd-2026/index.html"
    found = results(page, base, "低保")
    assert set(cli("最低生活保障")) <= set(found)
    marks = page.eval_on_selector_all("#search-results mark", "ms => ms.map(m => m.textContent)")
    assert "最低生活保障" in marks
    assert set(results(page, base, "旧改")) == set(cli("老旧小区改造")) != set()


def test_column_and_project_pages_are_found(page: Any, base: str) -> None:
    """The 政府信息公开 column's text pages and the project pages are searched like documents; a
    项目代码 puts its project page first, and the filters name their sections."""
    assert results(page, base, "2026-360999-84-01-004567")[0] == "projects/dery/index.html"
    assert "zfxxgk/zn/index.html" in results(page, base, "信息处理费")
    page.wait_for_function("() => document.querySelectorAll('#search-domain option').length > 1")
    options = page.eval_on_selector_all("#search-domain option", "os => os.map(o => o.textContent)")
    assert any("政府信息公开" in option for option in options)


def test_no_results_explains_and_links_the_catalogue(page: Any, base: str) -> None:
    assert results(page, base, "不存在的词语组合") == []
    assert "没有找到" in page.inner_text("#search-status")
    assert page.is_visible("#search-empty")
    link = page.locator("#search-empty a")
    assert link.evaluate("a => a.href") == base + "catalog/index.html"


def test_text_only_in_non_public_documents_finds_nothing(page: Any, base: str) -> None:
    for query in NOTHING:
        assert results(page, base, query) == [], query
        assert cli(query) == []


def test_results_show_date_item_and_highlighted_excerpt(page: Any, base: str) -> None:
    assert QNJY in results(page, base, "高校毕业生")
    first = page.locator("#search-results li").first
    assert first.locator("time").get_attribute("datetime")
    assert "高校毕业生" in first.locator("mark").first.inner_text()
    assert "找到" in page.inner_text("#search-status")
    assert page.get_attribute("#search-status", "aria-live") == "polite"
    assert page.input_value("#search-q") == "高校毕业生"


def test_query_text_is_never_markup(page: Any, base: str, errors: list[str]) -> None:
    query = '<img src=x onerror="window.pwned=1">就业'
    results(page, base, query)
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("#search-results img, #search-status img").count() == 0
    assert query in page.inner_text("#search-status")


def test_header_search_box_leads_to_results(page: Any, base: str) -> None:
    page.goto(base + "index.html")
    page.fill("#header-q", "高校毕业生")
    page.press("#header-q", "Enter")
    page.wait_for_url("**/search/index.html?q=*")
    page.wait_for_function("() => window.GovsiteSearch && window.GovsiteSearch.done")
    page.evaluate("() => window.GovsiteSearch.done")
    assert page.locator("#search-results a.result-title").count() >= 1


def test_facets_and_sort_by_keyboard(page: Any, base: str) -> None:
    everything = results(page, base, "青山县")
    assert len(everything) == 10 and page.is_visible("#search-more")
    total = int(page.inner_text("#search-status").split()[1])  # "找到 N 条…"
    page.focus("#search-kind")
    options = page.eval_on_selector_all("#search-kind option",
                                        "os => os.map(o => [o.value, o.textContent])")
    kind, label = options[1]
    count = int(label.rsplit("（", 1)[1].rstrip("）"))  # the option says how many it keeps
    page.select_option("#search-kind", kind)
    page.wait_for_function(f"() => document.querySelector('#search-status').textContent"
                           f".startsWith('找到 {count} 条')")
    shown = page.eval_on_selector_all("#search-results a.result-title", "as => as.length")
    assert shown == min(count, 10) and count < total
    assert f"kind={quote(kind)}" in page.url
    page.select_option("#search-sort", "date")
    page.wait_for_function("() => location.search.includes('sort=date')")
    page.wait_for_function("""() => {
        const dates = [...document.querySelectorAll('#search-results time')].map(t => t.dateTime);
        return dates.length > 0 && dates.every((d, i) => i === 0 || dates[i - 1] >= d);
    }""")


def test_more_results_button_moves_focus_to_the_first_new_result(page: Any, base: str) -> None:
    results(page, base, "青山县")
    page.focus("#search-more")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 10")
    focused = page.evaluate("() => document.activeElement.closest('li') === "
                            "document.querySelectorAll('#search-results li')[10]")
    assert focused


def test_search_page_passes_axe(page: Any, base: str, axe: Callable[[Any], list[str]]) -> None:
    results(page, base, "就业")
    assert axe(page) == []


def test_a_phrase_holding_one_term_twice_is_found(page: Any, tmp_path: Path) -> None:
    """Each unit of a phrase reads its own positions: sharing one reader between the two 申请
    units skipped the second start, where the phrase stands, after a false start at 申请申报."""
    root = copy_site(SITE_ROOT, tmp_path / "site")
    target = root / "content/sthj/sthj-xzcf/hysl-cfjd.md"
    target.write_text(target.read_text(encoding="utf-8") + "\n申请申报。申请申请\n", encoding="utf-8")
    build(root, tmp_path / "out")
    expected = [r["url"] for r in searcher(root)("申请申请", 10)]
    assert expected == ["sthj/sthj-xzcf/hysl-cfjd/index.html"]
    assert results(page, (tmp_path / "out").as_uri() + "/", "申请申请") == expected

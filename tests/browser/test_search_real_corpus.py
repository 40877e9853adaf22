"""The browser's matching and ranking against `govsite search` on the real corpus: for every recall
query, every result (all pages, by relevance and by date) in the same order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from search_helpers import REAL_CORPUS, Search, copy_site, searcher
from test_search_recall import QUERIES

from govsite.build import build

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Search, Path]:
    root = copy_site(REAL_CORPUS, tmp_path_factory.mktemp("real-search") / "site")
    build(root, root.parent / "out")
    return searcher(root), root.parent / "out"


def every_result(page: Any, out: Path, query: str, sort: str = "") -> list[str]:
    base = out.as_uri() + "/"
    page.goto(f"{base}search/index.html?q={quote(query)}&sort={sort}")
    page.wait_for_function("() => window.GovsiteSearch && window.GovsiteSearch.done")
    page.evaluate("() => window.GovsiteSearch.done")
    more = page.locator("#search-more")
    while more.is_visible():
        shown = page.locator("#search-results li").count()
        more.click()
        page.wait_for_function(f"() => document.querySelectorAll('#search-results li').length > {shown}")
    hrefs = page.eval_on_selector_all("#search-results a.result-title", "as => as.map(a => a.href)")
    return [h.removeprefix(base) for h in hrefs]


def test_every_result_in_the_same_order_as_the_cli(page: Any, corpus_site: tuple[Search, Path]) -> None:
    find, out = corpus_site
    compared = 0
    for query in QUERIES:
        expected = find(query, 10_000)
        assert every_result(page, out, query) == [r["url"] for r in expected], query
        compared += len(expected)
    assert compared > 500


@pytest.mark.parametrize("query", ["平潭", "岚", "经费 预算"])
def test_sorting_by_date_lists_the_same_documents_newest_first(
        page: Any, corpus_site: tuple[Search, Path], query: str) -> None:
    find, out = corpus_site
    hits = find(query, 10_000)
    newest_first = sorted(hits, key=lambda r: (-dt.date.fromisoformat(r["date"]).toordinal(), r["url"]))
    assert every_result(page, out, query, sort="date") == [r["url"] for r in newest_first]

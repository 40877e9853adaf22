"""Every built HTML page passes the Nu Html Checker (vnu.jar) with zero errors."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


def test_every_built_page_is_valid_html(built_site, paginated_item, check_report, vnu) -> None:
    pages = sorted(built_site.rglob("*.html"))
    paging_out, item_dir = paginated_item
    if paging_out != built_site:
        pages += sorted((paging_out / item_dir).glob("index*.html"))
    assert len(pages) > 20
    assert vnu([*pages, check_report]) == []


def test_pages_need_no_inline_javascript(built_site) -> None:
    """A strict Content-Security-Policy (script-src 'self') must not break any page."""
    inline = {
        page.relative_to(built_site).as_posix()
        for page in built_site.rglob("*.html")
        if INLINE_SCRIPT.search(html := page.read_text(encoding="utf-8"))
        or re.search(r"<[^>]*\son[a-z]+\s*=", html)
    }
    assert inline == set()

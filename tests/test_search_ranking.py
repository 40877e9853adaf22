"""Ranking, synonyms and attachment titles, through `govsite search` (the browser's side is in
tests/browser/test_search_browser.py): a document named by the query comes first, 文号 finds its
document first, common abbreviations find the full wording, attachment titles are searchable."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from search_helpers import REPO_ROOT, Search, copy_site, searcher

from govsite.cli import cli

POLICY = "zcwj/zcwj-qtwj/zwgk-gzyd-2026/index.html"
READING = "zcwj/zcwj-zcjd/jd-zwgk-gzyd-2026/index.html"


@pytest.fixture(scope="module")
def find(tmp_path_factory: pytest.TempPathFactory) -> Search:
    return searcher(copy_site(REPO_ROOT, tmp_path_factory.mktemp("ranking") / "site"))


def urls(results: list[dict]) -> list[str]:
    return [r["url"] for r in results]


def test_the_document_a_query_names_ranks_before_its_interpretation(find: Search) -> None:
    """政务公开工作要点 is the policy's name; its interpretation only quotes it (《…》解读)."""
    found = urls(find("政务公开工作要点"))
    assert found.index(POLICY) == 0 and READING in found


def test_abbreviations_find_the_full_wording(find: Search) -> None:
    full = set(urls(find("最低生活保障", 50)))
    short = set(urls(find("低保", 50)))
    assert len(full) >= 3 and full <= short
    assert set(urls(find("城乡最低生活保障", 50))) <= set(urls(find("城乡低保", 50)))


def test_a_sites_own_synonyms_apply(find: Search) -> None:
    """catalog.yaml's search_synonyms: [旧改, 老旧小区改造]."""
    wanted = set(urls(find("老旧小区改造", 50)))
    assert wanted and set(urls(find("旧改", 50))) == wanted


def test_attachment_titles_are_searchable(tmp_path: Path) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    page = root / "content/zcwj/zcwj-qtwj/zwgk-gzyd-2026.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "title: 青山县2026年政务公开工作要点任务分解表", "title: 责任清单子丑寅卯表"),
        encoding="utf-8")
    assert urls(searcher(root)("子丑寅卯")) == [POLICY]


def test_a_malformed_synonym_entry_is_located(tmp_path: Path) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    catalog = root / "catalog.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        "  - [旧改, 老旧小区改造]", "  - [旧改, 老旧小区改造]\n  - 只有一个词"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--site", str(root), "--today", "2026-11-28"])
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(catalog.read_text(encoding="utf-8").splitlines(), 1)
                if "只有一个词" in text)
    assert f"catalog.yaml:{line}: E120" in result.output

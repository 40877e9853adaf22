"""Recall and precision on the 148 real documents: results are exactly the published documents
whose text contains the query (after NFKC and lowercasing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_helpers import REAL_CORPUS, all_documents, copy_site

from govsite.build import analyse
from govsite.search.documents import Entry, entries
from govsite.search.query import IndexView, search_view
from govsite.search.tokens import normalize
from govsite.search.whoosh_index import updated

QUERIES = [
    "政府信息公开", "平潭", "府", "岚", "三公经费", "“三公”经费", "预算", "决算", "安全生产",
    "食品安全", "生态环境", "综合实验区", "管委会", "土地", "招标", "年度报告", "信息", "的",
    "海坛", "苏平片区管理局", "项目建设", "规范性文件", "中华人民共和国", "政府采购", "金井湾",
    "办法", "暂行", "条例", "公示", "环评", "不存在的词语组合", "〇", "经费 预算", "平潭 海坛 公示",
    "支队支队", "申请申请", "情况情况", "村村村",  # a phrase holding one term twice
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[IndexView, dict[str, Entry], Path]:
    root = copy_site(REAL_CORPUS, tmp_path_factory.mktemp("recall") / "site")
    analysis = analyse(root)
    wanted = entries(analysis.site, {rel: b.text for rel, b in analysis.bodies.items()})
    notices: list[str] = []
    ix = updated(root.parent / "whoosh", wanted, notices)
    assert notices == []
    reader = ix.reader()
    yield IndexView(reader), wanted, root
    reader.close()
    ix.close()


def containing(wanted: dict[str, Entry], query: str) -> set[str]:
    """Documents where every space-separated part occurs in some field's normalised text."""
    parts = [normalize(part) for part in query.split()]
    return {
        rel for rel, entry in wanted.items()
        if all(any(part in normalize(text) for text in entry.fields.values()) for part in parts)
    }


def test_real_corpus_is_indexed_completely(
        corpus: tuple[IndexView, dict[str, Entry], Path]) -> None:
    view, wanted, root = corpus
    published = {d.rel for d in all_documents(root) if d.is_public}
    assert len(published) == 148
    assert sorted(view.rels) == sorted(published) == sorted(wanted)


@pytest.mark.parametrize("query", QUERIES)
def test_results_equal_documents_containing_the_query(
        corpus: tuple[IndexView, dict[str, Entry], Path], query: str) -> None:
    view, wanted, _ = corpus
    found = {view.rels[hit.doc] for hit in search_view(view, query)}
    assert found == containing(wanted, query)


def test_recall_queries_are_not_trivial(corpus: tuple[IndexView, dict[str, Entry], Path]) -> None:
    _, wanted, _ = corpus
    sizes = [len(containing(wanted, q)) for q in QUERIES]
    assert sum(1 for s in sizes if 0 < s < len(wanted)) >= 25
    assert 0 in sizes


def test_ranking_is_total_and_named_documents_rank_first(
        corpus: tuple[IndexView, dict[str, Entry], Path]) -> None:
    """Documents whose title names the query (not only in a quoted 《title》) come first."""
    view, wanted, _ = corpus
    hits = search_view(view, "年度报告")
    named = {rel for rel, e in wanted.items() if "年度报告" in e.fields["name"]}
    assert named and {view.rels[h.doc] for h in hits[: len(named)]} == named
    assert all(h.named for h in hits[: len(named)]) and not any(h.named for h in hits[len(named):])
    for part in (hits[: len(named)], hits[len(named):]):
        assert [h.score for h in part] == sorted((h.score for h in part), reverse=True)

"""The Whoosh index and its static export on the sample site: contents, leaks, lookups, updates."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from search_helpers import REPO_ROOT, all_documents, copy_site, opened

from govsite.build import analyse, build, resolve_today
from govsite.cache import load_json, save_json
from govsite.cli import cli
from govsite.model import Site
from govsite.search import cache_dir_of, incremental, search, site_entries
from govsite.search.exporter import export
from govsite.search.indexer import entries, index_dir, update_index
from govsite.search.query import IndexView

QNJY_URL = "zcwj/zcwj-gfxwj/qnjy-cs-2026/index.html"
CANARIES = ("LEAK-CANARY-ONREQUEST", "LEAK-CANARY-WITHHELD")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = copy_site(REPO_ROOT, tmp_path_factory.mktemp("search") / "site")
    out = root.parent / "out"
    build(root, out)
    return root, out


@pytest.fixture(scope="module")
def sample_site(sample: tuple[Path, Path]) -> Site:
    return analyse(sample[0]).site


def stored_rels(cache: Path) -> list[str]:
    ix = opened(cache)
    with ix.searcher() as searcher:
        rels = sorted(fields["rel"] for fields in searcher.all_stored_fields())
    ix.close()
    return rels


def test_index_holds_exactly_the_published_documents(sample: tuple[Path, Path]) -> None:
    root, out = sample
    documents = all_documents(root)
    published = sorted(d.rel for d in documents if d.is_live(resolve_today()))  # as built
    assert len(published) < len(documents)  # the sample has non-public documents
    assert stored_rels(cache_dir_of(root)) == published
    meta = (out / "search" / "meta.js").read_text(encoding="utf-8")
    assert f'"count":{len(published)},' in meta


def test_search_output_has_no_trace_of_non_public_documents(sample: tuple[Path, Path]) -> None:
    root, out = sample
    hidden = [d for d in all_documents(root) if not d.is_public]
    files = [p for p in (out / "search").rglob("*") if p.is_file()]
    assert len(files) > 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        for doc in hidden:
            assert doc.title not in text, (path, doc.rel)
            assert doc.slug not in text, (path, doc.rel)
        for canary in CANARIES:
            assert canary not in text, path


def test_text_only_in_non_public_documents_finds_nothing(sample: tuple[Path, Path]) -> None:
    root, _ = sample
    documents = all_documents(root)
    for query in (*CANARIES, "附着物评估方式", "临时救助审批表"):
        assert any(query in d.body or query in d.title for d in documents if not d.is_public)
        assert not any(query in d.body or query in d.title for d in documents if d.is_public)
        assert search(cache_dir_of(root), query, 50) == []


def test_full_doc_number_in_any_bracket_style_finds_that_document_first(
        sample: tuple[Path, Path], sample_site: Site) -> None:
    root, _ = sample
    numbered = [d for d in all_documents(root) if d.is_public and d.doc_number]
    assert len(numbered) >= 10
    for doc in numbered:
        number = doc.doc_number or ""
        for typed in (number, number.replace("〔", "[").replace("〕", "]"),
                      number.replace("〔", "(").replace("〕", ")"), number.replace("〔", "（")
                      .replace("〕", "）")):
            assert search(cache_dir_of(root), typed, 5)[0]["url"] == sample_site.urls[doc.rel], typed


def test_distinctive_doc_number_part_is_among_the_first_results(
        sample: tuple[Path, Path], sample_site: Site) -> None:
    root, _ = sample
    numbered = [d for d in all_documents(root) if d.is_public and d.doc_number]
    for doc in numbered:
        part = (doc.doc_number or "")[1:].removesuffix("号")  # 府办发〔2026〕31
        found = [r["url"] for r in search(cache_dir_of(root), part, 5)]
        assert sample_site.urls[doc.rel] in found, part


def test_index_number_finds_that_document_first(
        sample: tuple[Path, Path], sample_site: Site) -> None:
    root, _ = sample
    for doc in sample_site.documents[:30]:
        hits = search(cache_dir_of(root), doc.index_no, 3)
        assert hits[0]["url"] == sample_site.urls[doc.rel], doc.index_no


def test_cli_search_prints_json_and_text(sample: tuple[Path, Path]) -> None:
    root, _ = sample
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "青府办发[2026]31号", "--site", str(root), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["url"] == "zcwj/zcwj-gfxwj/qnjy-cs-2026/index.html"
    assert set(rows[0]) == {"url", "title", "score"}
    text = runner.invoke(cli, ["search", "就业", "--site", str(root), "--limit", "2"])
    assert text.exit_code == 0 and len(text.output.strip().splitlines()) == 2


def test_cli_builds_a_missing_index_first(tmp_path: Path) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    assert not (cache_dir_of(root)).exists()
    result = CliRunner().invoke(cli, ["search", "高校毕业生", "--site", str(root), "--json"])
    assert result.exit_code == 0, result.output
    assert "zcwj/zcwj-gfxwj/qnjy-cs-2026/index.html" in [r["url"] for r in json.loads(result.output)]


def export_of(cache: Path) -> dict[str, bytes]:
    ix = opened(cache)
    with ix.reader() as reader:
        files, _ = export(IndexView(reader), {"domains": {}, "items": {}})
    ix.close()
    return files


def test_incremental_update_reindexes_only_changes_and_equals_a_fresh_index(
        tmp_path: Path) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    cache, fresh_cache = tmp_path / "cache", tmp_path / "fresh"
    analysis = analyse(root)
    texts = {rel: body.text for rel, body in analysis.bodies.items()}
    first = update_index(cache, entries(analysis.site, texts))
    assert (first.added, first.removed) == (len(analysis.site.documents), 0)
    assert update_index(cache, entries(analysis.site, texts)).added == 0
    edited = analysis.site.documents[5].rel
    texts[edited] += " 新增的独特短语甲乙丙"
    wanted = entries(analysis.site, texts)
    del wanted[analysis.site.documents[7].rel]
    stats = update_index(cache, wanted)
    assert (stats.added, stats.removed) == (1, 2)
    update_index(fresh_cache, wanted)
    assert export_of(cache) == export_of(fresh_cache)
    ix = opened(cache)
    with ix.reader() as reader:
        view = IndexView(reader)
        assert view.rels.count(edited) == 1 and view.count == len(wanted)
    ix.close()


def test_a_documents_digest_is_the_same_with_or_without_its_body_digest() -> None:
    """The build hands the index each body's digest (Body.text_digest) instead of hashing every
    body again; a digest must not depend on which way it was made."""
    analysis = analyse(REPO_ROOT)
    known = site_entries(analysis.site, analysis.bodies)
    hashed = entries(analysis.site, {rel: body.text for rel, body in analysis.bodies.items()})
    assert all(entry.body_digest for entry in known.values())
    assert not any(entry.body_digest for entry in hashed.values())
    assert {rel: e.digest for rel, e in known.items()} == {rel: e.digest for rel, e in hashed.items()}
    assert all(body.text_digest == hashlib.sha256(body.text.encode()).hexdigest()
               for body in analysis.bodies.values())


def test_a_lost_index_is_rebuilt_whatever_the_saved_digests_say(tmp_path: Path) -> None:
    """The digest copy beside the index must never make an update skip documents the index
    does not hold: not after the index folder is lost, not when the copy is from another
    generation of the index."""
    root = copy_site(REPO_ROOT, tmp_path / "site")
    cache = tmp_path / "cache"
    analysis = analyse(root)
    wanted = entries(analysis.site, {rel: body.text for rel, body in analysis.bodies.items()})
    update_index(cache, wanted)
    saved = (cache / "digests.json").read_bytes()
    shutil.rmtree(index_dir(cache))
    assert update_index(cache, wanted).added == len(wanted)
    assert stored_rels(cache) == sorted(wanted)

    edited = analysis.site.documents[3].rel
    fields = {**wanted[edited].fields, "body": wanted[edited].fields["body"] + " 另加一句"}
    changed = {**wanted, edited: replace(wanted[edited], fields=fields)}
    update_index(cache, changed)
    (cache / "digests.json").write_bytes(saved)  # a copy from an older generation
    assert update_index(cache, wanted).added == 1
    assert search(cache, "另加一句", 5) == []


def test_unpublishing_a_document_removes_it_from_search(tmp_path: Path) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    target = root / "content/sthj/sthj-xzcf/hysl-cfjd.md"
    title = "宏远塑料制品有限公司环境违法案"
    build(root, tmp_path / "out")
    assert search(cache_dir_of(root), "青环罚〔2026〕9号", 3)[0]["url"].endswith("hysl-cfjd/index.html")
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("disclosure: 主动公开", "disclosure: 依申请公开\nexempt_basis: "
                                   "《中华人民共和国政府信息公开条例》第十五条（涉及商业秘密）", 1),
                      encoding="utf-8")
    build(root, tmp_path / "out")
    assert search(cache_dir_of(root), title, 50) == []
    for path in (tmp_path / "out" / "search").rglob("*.js"):
        assert title not in path.read_text(encoding="utf-8")


def test_project_code_finds_exactly_the_project_documents(
        sample: tuple[Path, Path], sample_site: Site) -> None:
    root, _ = sample
    for code in ("2024-360999-46-01-012345", "2026-360999-84-01-004567"):
        holders = {sample_site.urls[d.rel] for d in sample_site.documents if code in d.body}
        assert len(holders) >= 2
        assert {r["url"] for r in search(cache_dir_of(root), code, 50)} == holders
        assert search(cache_dir_of(root), code.replace("-", "－"), 50)  # full-width hyphens


def search_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted((out / "search").rglob("*")) if p.is_file()}


def test_export_after_an_edit_equals_a_fresh_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    build(root, tmp_path / "out")
    before = search_files(tmp_path / "out")
    target = root / "content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"
    target.write_text(target.read_text(encoding="utf-8").replace("高校毕业生", "高校应届毕业生", 1)
                      + "\n新增的独特短语丁戊己。\n", encoding="utf-8")
    with monkeypatch.context() as patched:  # only the edited document's terms are read again
        patched.setattr(incremental, "term_entries", None)
        build(root, tmp_path / "out")
    edited = search_files(tmp_path / "out")
    assert edited != before
    fresh = copy_site(root, tmp_path / "fresh")
    build(fresh, tmp_path / "fresh-out")
    assert edited == search_files(tmp_path / "fresh-out")
    assert [r["url"] for r in search(cache_dir_of(root), "丁戊己", 5)] == [QNJY_URL]


def publish_copy(root: Path, date: str) -> None:
    """A newly published document: the 青年就业 notice again, with another 文号 and date."""
    source = root / "content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"
    text = source.read_text(encoding="utf-8").replace("青府办发〔2026〕31号", "青府办发〔2026〕99号")
    for key in ("date", "published", "reviewed"):
        text = re.sub(rf"^{key}: .*$", f"{key}: {date}", text, count=1, flags=re.MULTILINE)
    (source.parent / "qnjy-new.md").write_text(text + "\n新发布的独特短语癸子丑。\n", encoding="utf-8")


@pytest.mark.parametrize(("date", "patched"), [("2026-11-26", True), ("2020-03-02", False)],
                         ids=["newest", "back-dated"])
def test_export_after_publishing_a_document_equals_a_fresh_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, date: str, patched: bool) -> None:
    """Documents are numbered oldest first: a new newest document keeps every other number, so
    only its terms are read again; a back-dated one renumbers the rest and exports everything."""
    root = copy_site(REPO_ROOT, tmp_path / "site")
    build(root, tmp_path / "out")
    publish_copy(root, date)
    with monkeypatch.context() as patching:
        if patched:
            patching.setattr(incremental, "term_entries", None)
        build(root, tmp_path / "out")
    fresh = copy_site(root, tmp_path / "fresh")
    build(fresh, tmp_path / "fresh-out")
    assert search_files(tmp_path / "out") == search_files(tmp_path / "fresh-out")
    found = [r["url"] for r in search(cache_dir_of(root), "癸子丑", 5)]
    assert found == ["zcwj/zcwj-gfxwj/qnjy-new/index.html"]


@pytest.mark.parametrize("kept_by", ["an older format", "an older analyzer",
                                     "a release before formats were recorded"])
def test_an_export_of_another_format_is_redone_not_patched(tmp_path: Path, kept_by: str) -> None:
    """After an upgrade that changes the analyzer or the browser index format, the first build
    must not patch term entries written by the old one."""
    root = copy_site(REPO_ROOT, tmp_path / "site")
    build(root, tmp_path / "out")
    state_file = cache_dir_of(root) / incremental.STATE
    state = load_json(state_file)  # signed JSON data
    schema, export_format = state["format"]
    if kept_by == "an older format":
        state["format"] = [schema, export_format - 1]
    elif kept_by == "an older analyzer":
        state["format"] = [schema + "-old", export_format]
    else:
        del state["format"]
    state["entries"] = {term: "~" for term in state["entries"]}  # undecodable in this format
    save_json(state_file, state)
    target = root / "content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"
    target.write_text(target.read_text(encoding="utf-8") + "\n新增的独特短语庚辛壬。\n",
                      encoding="utf-8")
    build(root, tmp_path / "out")
    fresh = copy_site(root, tmp_path / "fresh")
    build(fresh, tmp_path / "fresh-out")
    assert search_files(tmp_path / "out") == search_files(tmp_path / "fresh-out")

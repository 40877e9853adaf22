"""The search indexes: what the browser index and `govsite search` hold, how they follow edits,
and how they recover from caches they cannot trust."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from search_helpers import REPO_ROOT, Search, all_documents, copy_site, searcher
from whoosh import index

from govsite.build import analyse, build, resolve_today
from govsite.cache import cache_key, load_json, save_json, seal, unseal
from govsite.cli import cli
from govsite.column.pages import search_pages
from govsite.model import Site
from govsite.search import export
from govsite.search.documents import EXCERPT_CHARS, entries, excerpt, in_order
from govsite.search.entries import site_entries
from govsite.search.whoosh_index import MANIFEST, whoosh_dir
from govsite.structure import project_search_pages

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


@pytest.fixture(scope="module")
def find(sample: tuple[Path, Path]) -> Search:
    return searcher(sample[0])


def stored_keys(root: Path) -> list[str]:
    """What the Whoosh index holds: documents by path, other pages as page:URL."""
    ix = index.open_dir(str(whoosh_dir(root)))
    with ix.searcher() as found:
        keys = sorted(fields["rel"] for fields in found.all_stored_fields())
    ix.close()
    return keys


def stored_rels(root: Path) -> list[str]:
    return [key for key in stored_keys(root) if not key.startswith("page:")]


def page_keys(site: Site) -> list[str]:
    """The column's text pages and the project pages, as the index names them."""
    return sorted(f"page:{page.url}" for page in [*search_pages(site), *project_search_pages(site)])


def test_index_holds_exactly_the_published_documents(sample: tuple[Path, Path],
                                                     find: Search) -> None:
    root, out = sample
    find("政府")
    documents = all_documents(root)
    published = sorted(d.rel for d in documents if d.is_live(resolve_today()))  # as built
    assert len(published) < len(documents)  # the sample has non-public documents
    pages = page_keys(analyse(root).site)
    assert len(pages) > 5  # the column's pages and two projects
    assert stored_keys(root) == sorted(published + pages)
    meta = (out / "search" / "meta.js").read_text(encoding="utf-8")
    assert f'"count":{len(published) + len(pages)},' in meta


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


def test_text_only_in_non_public_documents_finds_nothing(sample: tuple[Path, Path],
                                                         find: Search) -> None:
    root, _ = sample
    documents = all_documents(root)
    for query in (*CANARIES, "附着物评估方式", "临时救助审批表"):
        assert any(query in d.body or query in d.title for d in documents if not d.is_public)
        assert not any(query in d.body or query in d.title for d in documents if d.is_public)
        assert find(query, 50) == []


def test_full_doc_number_in_any_bracket_style_finds_that_document_first(
        sample: tuple[Path, Path], sample_site: Site, find: Search) -> None:
    root, _ = sample
    numbered = [d for d in all_documents(root) if d.is_public and d.doc_number]
    assert len(numbered) >= 10
    for doc in numbered:
        number = doc.doc_number or ""
        for typed in (number, number.replace("〔", "[").replace("〕", "]"),
                      number.replace("〔", "(").replace("〕", ")"), number.replace("〔", "（")
                      .replace("〕", "）")):
            assert find(typed, 5)[0]["url"] == sample_site.urls[doc.rel], typed


def test_distinctive_doc_number_part_is_among_the_first_results(
        sample: tuple[Path, Path], sample_site: Site, find: Search) -> None:
    root, _ = sample
    numbered = [d for d in all_documents(root) if d.is_public and d.doc_number]
    for doc in numbered:
        part = (doc.doc_number or "")[1:].removesuffix("号")  # 府办发〔2026〕31
        found = [r["url"] for r in find(part, 5)]
        assert sample_site.urls[doc.rel] in found, part


def test_index_number_finds_that_document_first(
        sample: tuple[Path, Path], sample_site: Site, find: Search) -> None:
    for doc in sample_site.documents[:30]:
        hits = find(doc.index_no, 3)
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
    assert not whoosh_dir(root).exists()
    result = CliRunner().invoke(cli, ["search", "高校毕业生", "--site", str(root), "--json"])
    assert result.exit_code == 0, result.output
    assert "zcwj/zcwj-gfxwj/qnjy-cs-2026/index.html" in [r["url"] for r in json.loads(result.output)]
    assert not (root / ".govsite-cache" / "whoosh").exists()  # the index is outside the site
    assert (whoosh_dir(root) / MANIFEST).is_file()


def test_the_whoosh_index_follows_edits_and_removals(tmp_path: Path) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    assert searcher(root)("高校毕业生")
    target = root / "content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"
    target.write_text(target.read_text(encoding="utf-8") + "\n新增的独特短语甲乙丙。\n",
                      encoding="utf-8")
    removed = root / "content/sthj/sthj-xzcf/hysl-cfjd.md"
    removed.unlink()
    find = searcher(root)
    assert [r["url"] for r in find("甲乙丙")] == [QNJY_URL]
    assert find("宏远塑料制品有限公司环境违法案") == []
    assert stored_rels(root) == sorted(d.rel for d in analyse(root).site.documents)


def test_no_govsite_name_is_pickled_into_the_whoosh_index(sample: tuple[Path, Path],
                                                         find: Search) -> None:
    """Whoosh pickles its schema: only Whoosh's own classes may be in it, so that renaming a
    govsite class cannot break an index."""
    find("政府")
    files = [p for p in whoosh_dir(sample[0]).iterdir() if p.is_file() and p.name != MANIFEST]
    assert any(p.suffix == ".toc" for p in files)
    assert not any(b"govsite" in p.read_bytes() for p in files)


def break_index(folder: Path, how: str) -> None:
    toc = next(folder.glob("*.toc"))
    segment = max(folder.glob("*.seg"), key=lambda p: p.stat().st_size)
    if how == "truncated TOC":
        toc.write_bytes(toc.read_bytes()[:40])
    elif how == "truncated segment":
        segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    elif how == "garbage file":
        toc.write_bytes(b"\x80\x04garbage" * 50)
    elif how == "truncated segment, manifest forged":
        segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
        manifest = load_json(folder / MANIFEST)  # damage the signed manifest cannot see
        manifest["files"][segment.name] = hashlib.sha256(segment.read_bytes()).hexdigest()
        save_json(folder / MANIFEST, manifest)
    elif how == "no manifest":
        (folder / MANIFEST).unlink()


@pytest.mark.parametrize("how", ["truncated TOC", "truncated segment", "garbage file",
                                 "truncated segment, manifest forged", "no manifest"])
def test_a_broken_whoosh_index_is_rebuilt_with_a_notice(tmp_path: Path, how: str) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    args = ["search", "青府办发[2026]31号", "--site", str(root), "--json"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0 and first.stderr == "", first.output
    break_index(whoosh_dir(root), how)
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == json.loads(first.stdout)
    notices = again.stderr.strip().splitlines()
    assert len(notices) == 1 and "搜索索引无法使用" in notices[0] and "已删除并重建" in notices[0]
    third = CliRunner().invoke(cli, args)
    assert third.exit_code == 0 and third.stderr == ""


def test_a_documents_digest_is_the_same_with_or_without_its_body_digest() -> None:
    """The build hands the index each body's digest (Body.text_digest) instead of hashing every
    body again; a digest must not depend on which way it was made."""
    analysis = analyse(REPO_ROOT)
    known = {rel: entry for rel, entry in site_entries(analysis.site, analysis.bodies).items()
             if rel in analysis.bodies}
    hashed = entries(analysis.site, {rel: body.text for rel, body in analysis.bodies.items()})
    assert all(entry.body_digest for entry in known.values())
    assert not any(entry.body_digest for entry in hashed.values())
    assert {rel: e.digest for rel, e in known.items()} == {rel: e.digest for rel, e in hashed.items()}
    assert all(body.text_digest == hashlib.sha256(body.text.encode()).hexdigest()
               for body in analysis.bodies.values())


def test_unpublishing_a_document_removes_it_from_search(tmp_path: Path) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    target = root / "content/sthj/sthj-xzcf/hysl-cfjd.md"
    title = "宏远塑料制品有限公司环境违法案"
    build(root, tmp_path / "out")
    assert searcher(root)("青环罚〔2026〕9号", 3)[0]["url"].endswith("hysl-cfjd/index.html")
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("disclosure: 主动公开", "disclosure: 依申请公开\nexempt_basis: "
                                   "《中华人民共和国政府信息公开条例》第十五条（涉及商业秘密）", 1),
                      encoding="utf-8")
    build(root, tmp_path / "out")
    assert searcher(root)(title, 50) == []
    for path in (tmp_path / "out" / "search").rglob("*.js"):
        assert title not in path.read_text(encoding="utf-8")


def test_project_code_finds_exactly_the_project_documents(
        sample: tuple[Path, Path], sample_site: Site, find: Search) -> None:
    """The documents that cite a 项目代码, after the project's own page."""
    for code in ("2024-360999-46-01-012345", "2026-360999-84-01-004567"):
        holders = {sample_site.urls[d.rel] for d in sample_site.documents if code in d.body}
        assert len(holders) >= 2
        project = next(p for p in sample_site.catalog.projects if p.code == code)
        found = [r["url"] for r in find(code, 50)]
        assert found[0] == project.url and set(found[1:]) == holders
        assert find(code.replace("-", "－"), 50)  # full-width hyphens


def search_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted((out / "search").rglob("*")) if p.is_file()}


def field_shards(root: Path) -> dict[str, tuple[int, int]]:
    """The cache's memo of field texts: a patched index rewrites the shards of the documents
    it read again, a whole one all of them."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (root / ".govsite-cache/search/fields").glob("*.json")}


def rewritten(before: dict[str, tuple[int, int]], root: Path) -> int:
    after = field_shards(root)
    return sum(before.get(name) != value for name, value in after.items())


def test_export_after_an_edit_equals_a_fresh_build(tmp_path: Path) -> None:
    root = copy_site(REPO_ROOT, tmp_path / "site")
    build(root, tmp_path / "out")
    before = search_files(tmp_path / "out")
    target = root / "content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"
    target.write_text(target.read_text(encoding="utf-8").replace("高校毕业生", "高校应届毕业生", 1)
                      + "\n新增的独特短语丁戊己。\n", encoding="utf-8")
    shards = field_shards(root)
    build(root, tmp_path / "out")
    assert len(shards) > 50 and rewritten(shards, root) == 1  # only the edited document's terms
    edited = search_files(tmp_path / "out")
    assert edited != before
    fresh = copy_site(root, tmp_path / "fresh")
    build(fresh, tmp_path / "fresh-out")
    assert edited == search_files(tmp_path / "fresh-out")
    assert [r["url"] for r in searcher(root)("丁戊己", 5)] == [QNJY_URL]


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
        tmp_path: Path, date: str, patched: bool) -> None:
    """Documents are numbered oldest first: a new newest document keeps every other number, so
    only its terms are read again; a back-dated one renumbers the rest and exports everything."""
    root = copy_site(REPO_ROOT, tmp_path / "site")
    build(root, tmp_path / "out")
    publish_copy(root, date)
    shards = field_shards(root)
    build(root, tmp_path / "out")
    assert rewritten(shards, root) == (1 if patched else len(field_shards(root)))
    fresh = copy_site(root, tmp_path / "fresh")
    build(fresh, tmp_path / "fresh-out")
    assert search_files(tmp_path / "out") == search_files(tmp_path / "fresh-out")
    found = [r["url"] for r in searcher(root)("癸子丑", 5)]
    assert found == ["zcwj/zcwj-gfxwj/qnjy-new/index.html"]


@pytest.mark.parametrize("kept_by", ["an older format", "another field list", "not JSON",
                                     "unsigned", "entries that are not varints", "a pickle"])
def test_a_cache_of_another_format_is_rebuilt_not_patched(tmp_path: Path, kept_by: str) -> None:
    """After an upgrade that changes the browser index format, or with a cache file that is
    damaged or forged, the build makes the entries again (with a one-line notice for a file it
    cannot use) and never runs or publishes what the file holds."""
    root = copy_site(REPO_ROOT, tmp_path / "site")
    build(root, tmp_path / "out")
    cache_file = root / ".govsite-cache" / "search" / export.CACHE_FILE
    data = load_json(cache_file)  # signed JSON data
    if kept_by == "an older format":
        data["format"][0] -= 1
    elif kept_by == "another field list":
        data["format"][1] = data["format"][1][:-1]
    save_json(cache_file, data)
    if kept_by == "entries that are not varints":  # a shard of the entries memo, signed
        shard = next((cache_file.parent / "entries").glob("*.json"))
        memo = json.loads(unseal(cache_key(), shard.read_bytes()))
        memo["entries"] = {term: "<script>alert(1)</script>" for term in memo["entries"]}
        shard.write_bytes(seal(cache_key(), json.dumps(memo, ensure_ascii=False).encode()))
    if kept_by == "not JSON":
        cache_file.write_bytes(cache_file.read_bytes()[:1000])
    elif kept_by == "unsigned":
        cache_file.write_text(json.dumps(data), encoding="utf-8")
    elif kept_by == "a pickle":
        marker = tmp_path / "pwned"
        cache_file.write_bytes(b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    target = root / "content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"
    target.write_text(target.read_text(encoding="utf-8") + "\n新增的独特短语庚辛壬。\n",
                      encoding="utf-8")
    result = build(root, tmp_path / "out")
    assert len(result.notices) == 1 and "搜索索引缓存" in result.notices[0]
    fresh = copy_site(root, tmp_path / "fresh")
    build(fresh, tmp_path / "fresh-out")
    assert search_files(tmp_path / "out") == search_files(tmp_path / "fresh-out")
    assert not (tmp_path / "pwned").exists()
    assert build(root, tmp_path / "out").notices == []


def test_the_entries_are_the_same_in_any_number_of_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis runs in shares of at most SHARE documents (bounding its memory), over one or
    more processes: the joined entries must not depend on where the shares are cut."""
    analysis = analyse(REPO_ROOT)
    docs = in_order(site_entries(analysis.site, analysis.bodies))
    one = export.whole(docs, 1)
    monkeypatch.setattr(export, "SHARE", 7)
    for workers in (1, 2):
        cut = export.whole(docs, workers)
        assert (cut.entries, cut.lengths, cut.rels) == (one.entries, one.lengths, one.rels)


def test_an_excerpt_is_the_start_of_the_text_with_its_whitespace_collapsed() -> None:
    texts = ["", "  \n", "各单位：\n\n  要做好  防火工作。", "字 " * 400, " \t\n".join("第一条规定" for _ in range(90)),
             "\n" * 5000 + "正文在很多空行之后",
             "字" * 100 + " " * 700 + "在长空白之后", "甲 " * 300 + "乙" * 2000, "丙" * 639 + " 丁" * 50]
    for text in texts:
        assert excerpt(text) == " ".join(text.split())[:EXCERPT_CHARS]
    assert len(excerpt("字 " * 400)) == EXCERPT_CHARS

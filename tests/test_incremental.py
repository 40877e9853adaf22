"""SiteBuilder (govsite serve's rebuilds): after any edit, the folder it maintains must equal
what a fresh full build writes — while it re-renders only what changed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import front_matter, mini_site, real_corpus_copy, record_calls
from test_build import tree_digest

from govsite.build import analyse, build
from govsite.problems import Problem
from govsite.rebuild import SiteBuilder

BODY = "## 正文\n\n内容段落。\n"


def fresh_build(root: Path, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "fresh"
    build(root, out, use_cache=False)
    return tree_digest(out)


def touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_rebuilds_match_full_builds(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/a.md": front_matter(title="甲文件", slug="a") + "见[乙](b.md)。\n",
        "zcwj/zcwj-qtwj/b.md": front_matter(title="乙文件", slug="b", attachments="[{file: t.xlsx}]")
        + BODY,
        "zcwj/zcwj-qtwj/t.xlsx": "v1",
    })
    builder = SiteBuilder(root, tmp_path / "served")
    builder.rebuild()
    assert tree_digest(tmp_path / "served") == fresh_build(root, tmp_path)

    b = root / "content/zcwj/zcwj-qtwj/b.md"
    b.write_text(b.read_text().replace("乙文件", "乙文件（修订）"), encoding="utf-8")
    touch_later(b)
    builder.rebuild(["content/zcwj/zcwj-qtwj/b.md"])
    served = tree_digest(tmp_path / "served")
    assert served == fresh_build(root, tmp_path)
    assert "乙文件（修订）" in (tmp_path / "served/zcwj/zcwj-qtwj/index.html").read_text()

    attachment = root / "content/zcwj/zcwj-qtwj/t.xlsx"
    attachment.write_text("version two, longer", encoding="utf-8")
    builder.rebuild(["content/zcwj/zcwj-qtwj/t.xlsx"])
    assert (tmp_path / "served/zcwj/zcwj-qtwj/b/t.xlsx").read_text() == "version two, longer"
    assert tree_digest(tmp_path / "served") == fresh_build(root, tmp_path)

    b.unlink()
    (root / "content/zcwj/zcwj-qtwj/t.xlsx").unlink()
    a = root / "content/zcwj/zcwj-qtwj/a.md"
    a.write_text(front_matter(title="甲文件", slug="a") + BODY, encoding="utf-8")
    touch_later(a)
    builder.rebuild(["content/zcwj/zcwj-qtwj/b.md", "content/zcwj/zcwj-qtwj/a.md"])
    assert not (tmp_path / "served/zcwj/zcwj-qtwj/b").exists()
    assert tree_digest(tmp_path / "served") == fresh_build(root, tmp_path)


def test_theme_edit_rerenders_every_page(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter(slug="a") + BODY})
    builder = SiteBuilder(root, tmp_path / "served")
    builder.rebuild()
    templates = root / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "_doclist.html").write_text("<p>定制列表</p>", encoding="utf-8")
    builder.rebuild(["themes/default/templates/_doclist.html"])
    assert "定制列表" in (tmp_path / "served/zcwj/zcwj-qtwj/index.html").read_text()


def test_unchanged_pages_are_not_rendered_again(tmp_path: Path) -> None:
    docs = {f"zcwj/zcwj-qtwj/d{n}.md": front_matter(title=f"文件{n}", slug=f"d{n}") + BODY
            for n in range(5)}
    root = mini_site(tmp_path / "site", docs)
    builder = SiteBuilder(root, tmp_path / "served")
    builder.rebuild()
    before = dict(builder.memo.pages)
    d3 = root / "content/zcwj/zcwj-qtwj/d3.md"
    d3.write_text(d3.read_text().replace("内容段落", "新的内容"), encoding="utf-8")
    touch_later(d3)
    builder.rebuild(["content/zcwj/zcwj-qtwj/d3.md"])
    rerendered = builder.memo.pages.keys() - before.keys()
    documents = [key for key in rerendered if key[0] == "document"]
    assert [key[1].rel for key in documents] == ["content/zcwj/zcwj-qtwj/d3.md"]
    kept = before.keys() & builder.memo.pages.keys()  # equal keys; rendering again makes new objects
    assert len(kept) >= 4 and all(builder.memo.pages[key] is before[key] for key in kept)


def test_search_catches_up_after_skipped_rounds(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter(slug="a") + BODY})
    builder = SiteBuilder(root, tmp_path / "served")
    builder.rebuild()
    search_before = {p: d for p, d in tree_digest(tmp_path / "served").items() if p.startswith("search/")}
    a = root / "content/zcwj/zcwj-qtwj/a.md"
    a.write_text(front_matter(slug="a", title="改名为独特标题") + BODY, encoding="utf-8")
    touch_later(a)
    ready: list[bool] = []
    builder.rebuild(["content/zcwj/zcwj-qtwj/a.md"], pages_ready=lambda: ready.append(True),
                    more_edits=lambda: True)
    served = tree_digest(tmp_path / "served")
    assert ready == [True]
    assert "改名为独特标题" in (tmp_path / "served/zcwj/zcwj-qtwj/a/index.html").read_text()
    assert {p: d for p, d in served.items() if p.startswith("search/")} == search_before
    builder.rebuild([])
    assert tree_digest(tmp_path / "served") == fresh_build(root, tmp_path)


def test_the_edited_page_is_written_before_the_warnings_are_worked_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild signals its pages before the warnings-only checks run; its result still holds
    every warning a full analysis reports, also when another edit is waiting."""
    import govsite.audit as audit

    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/a.md": front_matter(title="甲文件", slug="a") + BODY,
        "zcwj/zcwj-qtwj/b.md": front_matter(title="乙文件", slug="b") + BODY,
    })
    builder = SiteBuilder(root, tmp_path / "served")
    builder.rebuild()
    events: list[str] = []

    def noted(check: Callable[..., list[Problem]]) -> Callable[..., list[Problem]]:
        return lambda audit: events.append(check.__name__) or check(audit)

    monkeypatch.setattr(audit, "ADVISORY", tuple(map(noted, audit.ADVISORY)))
    a = root / "content/zcwj/zcwj-qtwj/a.md"
    a.write_text(front_matter(title="甲文件", slug="a"), encoding="utf-8")  # no body: W307
    touch_later(a)
    for waiting in (False, True):
        events.clear()
        result = builder.rebuild(["content/zcwj/zcwj-qtwj/a.md"],
                                 pages_ready=lambda: events.append("pages"),
                                 more_edits=lambda: waiting)  # noqa: B023 (called at once)
        assert events[0] == "pages" and "check_body_format" in events
        assert result.problems == analyse(root).problems
        assert any(p.code == "W307" and p.path.endswith("a.md") for p in result.problems)


def test_an_edit_to_a_document_reads_neither_the_catalogue_nor_the_other_documents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue and the unchanged documents are kept between rebuilds (a catalogue with
    warnings included), and the problems found when they were read are still reported."""
    import govsite.content as content
    import govsite.rebuild as rebuild

    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/a.md": front_matter(title="甲文件", slug="a") + BODY,
        "zcwj/zcwj-qtwj/b.md": front_matter(title="乙文件", slug="b") + BODY,
    })
    builder = SiteBuilder(root, tmp_path / "served")
    first = builder.rebuild().problems
    assert any(p.path == "catalog.yaml" for p in first)  # e.g. an item without documents
    read: list[str] = []
    real_catalog, real_document = rebuild.load_catalog, content.read_document
    monkeypatch.setattr(rebuild, "load_catalog", lambda r: read.append("catalog.yaml") or real_catalog(r))
    monkeypatch.setattr(content, "read_document",
                        lambda r, rel, *rest: read.append(rel) or real_document(r, rel, *rest))
    b = root / "content/zcwj/zcwj-qtwj/b.md"
    b.write_text(b.read_text().replace("乙文件", "乙文件（修订）"), encoding="utf-8")
    touch_later(b)
    again = builder.rebuild(["content/zcwj/zcwj-qtwj/b.md"]).problems
    assert read == ["content/zcwj/zcwj-qtwj/b.md"]
    assert [p for p in again if p.path == "catalog.yaml"] == [p for p in first if p.path == "catalog.yaml"]
    builder.rebuild(["catalog.yaml"])  # saved unchanged: read again, an equal catalogue
    assert read[1:] == ["catalog.yaml"]


def test_a_document_s_hash_is_kept_but_never_pickled(tmp_path: Path) -> None:
    """Page keys hold documents and serve hashes every key on every rebuild, so a document
    keeps its hash; a copy sent to another process does not (its str hashes differ)."""
    import dataclasses
    import pickle

    from govsite.build import analyse

    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter(title="甲文件", slug="a") + BODY})
    [doc] = analyse(root).documents
    moved = dataclasses.replace(doc, lines={})  # lines are not compared
    assert hash(doc) == hash(moved) and doc == moved
    assert dataclasses.replace(doc, markdown=doc.body + "补充。") != doc
    assert "_hash" in doc.__dict__
    copy = pickle.loads(pickle.dumps(doc))
    assert "_hash" not in copy.__dict__ and copy == doc and hash(copy) == hash(doc)


def test_an_item_s_first_page_follows_the_forms_documents_it_lists_beyond_its_own(
        tmp_path: Path) -> None:
    """The first page of a 政策解读 list also shows each form's newest documents, which may sit
    on a later page: editing one re-renders the first page, in serve and in a CLI build."""
    docs = {f"zcwj/zcwj-qtwj/w{n:02}.md": front_matter(
        title=f"文字解读{n}", slug=f"w{n:02}", kind="政策解读", interp_form="文字",
        date=f"2026-06-{n + 2:02}", published=f"2026-06-{n + 3:02}", reviewed=f"2026-06-{n + 2:02}")
        + BODY for n in range(1, 23)}
    docs["zcwj/zcwj-qtwj/old.md"] = front_matter(
        title="最早的图解", slug="old", kind="政策解读", interp_form="图解") + BODY
    root = mini_site(tmp_path / "site", docs)
    builder = SiteBuilder(root, tmp_path / "served")
    builder.rebuild()
    build(root, tmp_path / "built")
    first_page = "zcwj/zcwj-qtwj/index.html"
    assert "最早的图解" in (tmp_path / "served" / first_page).read_text(encoding="utf-8")
    assert "最早的图解" in (tmp_path / "served/zcwj/zcwj-qtwj/index_2.html").read_text(
        encoding="utf-8")  # listed on the second page, and by its form on the first

    old = root / "content/zcwj/zcwj-qtwj/old.md"
    old.write_text(old.read_text(encoding="utf-8").replace("最早的图解", "改过标题的图解"),
                   encoding="utf-8")
    touch_later(old)
    builder.rebuild(["content/zcwj/zcwj-qtwj/old.md"])
    build(root, tmp_path / "built")
    fresh = fresh_build(root, tmp_path)
    for out in ("served", "built"):
        assert "改过标题的图解" in (tmp_path / out / first_page).read_text(encoding="utf-8")
        assert tree_digest(tmp_path / out) == fresh


def test_serve_encodes_again_only_the_search_term_shards_an_edit_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """serve keeps the term shards it serves, with their sha256: after an edit, the search step
    encodes only the shards whose bytes change, and the folder equals a full build's."""
    import govsite.search.browser as browser

    root = real_corpus_copy(tmp_path / "site")
    builder = SiteBuilder(root, tmp_path / "served")
    builder.rebuild()
    made = record_calls(monkeypatch, browser, "script", lambda args, _: args[0])
    document = root / "content/czyjs/bmjs/bmjs-4490.md"
    for round_number in (1, 2):
        before = {p.name: p.read_bytes() for p in (tmp_path / "served/search/t").iterdir()}
        made.clear()
        with document.open("a", encoding="utf-8") as file:
            file.write(f"\n第{round_number}次修订时补充了说明。\n")
        touch_later(document)
        builder.rebuild(["content/czyjs/bmjs/bmjs-4490.md"])
        after = {p.name: p.read_bytes() for p in (tmp_path / "served/search/t").iterdir()}
        differ = {f"t/{name[:-3]}" for name, data in after.items() if before.get(name) != data}
        assert 0 < len(differ) < len(after) // 2
        assert sorted(name for name in made if name.startswith("t/")) == sorted(differ)
        assert tree_digest(tmp_path / "served") == fresh_build(root, tmp_path)
    builder.close()

"""CLI builds that do not redo work (state.py): a build with nothing changed reads, renders and
writes nothing; after an edit only the pages whose key changed are rendered, the others are
hard-linked from the previous build/. Whatever the path, build/ equals a cold build byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import front_matter, mini_site, real_corpus_copy, record_calls
from test_build import all_bytes, tree_digest
from test_zfxxgk import TODAY, copy_sample

from govsite.build import build, collect_problems
from govsite.docstore import SETTLE_NS
from govsite.state import STATE_FILE

BODY = "## 正文\n\n内容段落。\n"
ROOT = Path(__file__).resolve().parents[1]


def site(root: Path) -> Path:
    return mini_site(root, {
        "zcwj/zcwj-qtwj/a.md": front_matter(title="甲文件", slug="a") + "见[乙](b.md)。\n",
        "zcwj/zcwj-qtwj/b.md": front_matter(title="乙文件", slug="b", attachments="[{file: t.pdf}]")
        + BODY,
        "zcwj/zcwj-qtwj/t.pdf": "%PDF v1",
        "zcwj/zcwj-qtwj/c.md": front_matter(title="丙文件", slug="c") + BODY,
        "czyjs/czyjs-zfys/d.md": front_matter(title="丁文件", slug="d", kind="报告") + BODY,
    })


def cold(root: Path, out: Path) -> dict[str, str]:
    build(root, out, use_cache=False)
    return tree_digest(out)


def inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_walk_lists_each_folder_by_name_with_its_contents_right_after_it(tmp_path: Path) -> None:
    from govsite.state import walk

    for path in ("b/y", "a/c/d", "a/b", "c"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(path)
    (tmp_path / "a/link").symlink_to(tmp_path / "b")  # listed, not followed
    found = [(rel, is_dir) for rel, _, is_dir in walk(tmp_path, "x/")]
    assert found == [("x/a", True), ("x/a/b", False), ("x/a/c", True), ("x/a/c/d", False),
                     ("x/a/link", False), ("x/b", True), ("x/b/y", False), ("x/c", False)]
    assert list(walk(tmp_path / "missing")) == []


def test_nothing_changed_builds_nothing(tmp_path: Path) -> None:
    root, out = site(tmp_path / "site"), tmp_path / "out"
    first = build(root, out)
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")}
    again = build(root, out)
    assert again.site is None  # nothing was loaded
    assert (again.published, again.withheld, again.pages) == (first.published, first.withheld, first.pages)
    assert again.problems == first.problems
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")} == before


@pytest.mark.parametrize("in_place", [(100, 0.1), (0, 0.0)], ids=["in place", "swapped"])
def test_one_edit_renders_only_what_changed_and_equals_a_cold_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_place: tuple[int, float]) -> None:
    monkeypatch.setattr("govsite.output.IN_PLACE_AT_MOST", in_place)
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    before = inodes(out)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "修改后的段落。")
    result = build(root, out)
    assert result.site is not None
    after = inodes(out)
    changed = {path for path in after if before.get(path) != after[path]}
    assert "zcwj/zcwj-qtwj/c/index.html" in changed
    # other documents' pages, the attachment and the other item's page were kept, not rewritten
    for kept in ("zcwj/zcwj-qtwj/a/index.html", "zcwj/zcwj-qtwj/b/index.html", "zcwj/zcwj-qtwj/b/t.pdf",
                 "czyjs/czyjs-zfys/d/index.html", "czyjs/czyjs-zfys/index.html", "static/site.css",
                 "sitemap.xml"):  # the same pages and dates
        assert kept not in changed, kept
    assert "修改后的段落" in (out / "zcwj/zcwj-qtwj/c/index.html").read_text(encoding="utf-8")
    assert tree_digest(out) == cold(root, tmp_path / "cold")
    # once the previous build/ is gone, no file of build/ shares its data with another
    assert {p.stat().st_nlink for p in out.rglob("*") if p.is_file()} == {1}
    # and files kept by linking are recorded as they are then: the next edit keeps them again
    before = inodes(out)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "修改后的段落。", "再次修改的段落。")
    build(root, out)
    after = inodes(out)
    assert "zcwj/zcwj-qtwj/b/t.pdf" in before and before["zcwj/zcwj-qtwj/b/t.pdf"] == after["zcwj/zcwj-qtwj/b/t.pdf"]
    assert before["zcwj/zcwj-qtwj/a/index.html"] == after["zcwj/zcwj-qtwj/a/index.html"]


def test_a_small_change_is_made_in_place_and_a_failed_one_is_undone(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """build/ as the last build left it, and few files to change: the new and changed files
    replace theirs one by one (each atomically) and removed pages go, build/ itself stays.
    If a replacement fails, the files already replaced are put back: build/ is the previous site."""
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    folder = out.stat().st_ino
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "修改后的段落。")
    (root / "content/czyjs/czyjs-zfys/d.md").unlink()
    build(root, out)
    assert out.stat().st_ino == folder
    assert not (out / "czyjs/czyjs-zfys/d").exists()
    assert tree_digest(out) == cold(root, tmp_path / "cold")
    before = tree_digest(out)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "修改后的段落。", "再次修改的段落。")
    (root / "content/zcwj/zcwj-qtwj/e.md").write_text(
        front_matter(title="戊文件", slug="e") + BODY, encoding="utf-8")
    replace, placed = os.replace, []

    def failing_replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if ".out.tmp-" in str(source):
            placed.append(target)
            if len(placed) == 3:
                raise OSError(28, "No space left on device")
        replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        build(root, out)
    monkeypatch.setattr(os, "replace", replace)
    assert len(placed) == 3 and out.stat().st_ino == folder
    assert tree_digest(out) == before
    assert not (out / "zcwj/zcwj-qtwj/e").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []
    build(root, out)
    assert tree_digest(out) == cold(root, tmp_path / "cold2")


def test_the_sitemap_is_rendered_only_when_its_pages_or_dates_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govsite.render import Renderer

    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    kept = record_calls(monkeypatch, Renderer, "kept", lambda args, found: args[1] if found else None)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "修改后的段落。")
    build(root, out)
    assert "sitemap.xml" in kept
    kept.clear()
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "published: 2026-06-02", "published: 2026-06-03")
    build(root, out)
    assert "sitemap.xml" not in kept and "<lastmod>2026-06-03" in (out / "sitemap.xml").read_text()
    assert tree_digest(out) == cold(root, tmp_path / "cold")


def test_the_search_process_is_sent_only_the_bodies_its_cache_lacks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search process reads the body texts its cache holds while the build loads, and the
    build sends an entry without its body when the cache holds the same text: the index is
    still the one a cold build makes, whether it is patched (an edit) or made again (a removal)."""
    import govsite.indexing as indexing
    from govsite.build import Caches

    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    calls = record_calls(monkeypatch, indexing, "_sent",
                         lambda args, entry: (args[0].rel, entry.fields["body"]))
    texts_read = record_calls(monkeypatch, Caches, "text_of", lambda args, _: args[1].rel)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "修改后的段落。")
    build(root, out)
    assert texts_read == ["content/zcwj/zcwj-qtwj/c.md"]  # the others' texts stay on disk
    sent = dict(calls)
    assert "修改后的段落" in sent["content/zcwj/zcwj-qtwj/c.md"]
    assert sent["content/zcwj/zcwj-qtwj/a.md"] == sent["content/czyjs/czyjs-zfys/d.md"] == ""
    assert tree_digest(out) == cold(root, tmp_path / "cold")
    import govsite.search.export as export

    whole, marker = export.whole, tmp_path / "made-whole"
    monkeypatch.setattr(export, "whole", lambda *args: marker.touch() or whole(*args))  # in the forked process
    (root / "content/zcwj/zcwj-qtwj/a.md").unlink()  # the documents are numbered again
    calls.clear()
    build(root, out)
    sent = dict(calls)
    assert marker.exists() and sent["content/zcwj/zcwj-qtwj/b.md"] == ""
    assert tree_digest(out) == cold(root, tmp_path / "cold2")


def shards_made(monkeypatch: pytest.MonkeyPatch, log: Path) -> Callable[[], list[str]]:
    """The names of the term shards the (forked) search process encodes from now on."""
    import govsite.search.browser as browser

    script = browser.script

    def noted(name: str, data: object) -> bytes:
        if name.startswith("t/"):
            with log.open("a", encoding="utf-8") as file:
                file.write(name + "\n")
        return script(name, data)

    monkeypatch.setattr(browser, "script", noted)
    return lambda: log.read_text(encoding="utf-8").split() if log.exists() else []


def test_an_edit_encodes_again_only_the_search_term_shards_it_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search cache keeps the term shards' layout and digests: after an edit, a shard whose
    terms and entries are unchanged is neither encoded nor compared, but kept from build/ —
    unless build/'s file is not as the last build left it, or the layout is not the one the
    cache's index names (a save cut short)."""
    from govsite.cache import load_json, save_json

    root, out = real_corpus_copy(tmp_path / "site"), tmp_path / "out"  # 145 term shards
    build(root, out)
    made = shards_made(monkeypatch, log := tmp_path / "made.log")
    document = root / "content/czyjs/bmjs/bmjs-4490.md"

    def shards() -> dict[str, bytes]:
        return {f"t/{p.stem}": p.read_bytes() for p in (out / "search/t").iterdir()}

    before = shards()
    with document.open("a", encoding="utf-8") as file:  # at the end: the other terms keep their positions
        file.write("\n本文于修订时补充了说明。\n")
    build(root, out)
    after = shards()
    differ = {name for name, data in after.items() if before.get(name) != data}
    assert 0 < len(differ) < len(after) // 2 and sorted(made()) == sorted(differ)
    assert tree_digest(out) == cold(root, tmp_path / "cold")

    tampered = out / "search/t/0.js"
    tampered.write_bytes(tampered.read_bytes().replace(b"GovsiteSearch", b"GovsiteSearcH"))
    log.unlink()
    edit(document, "补充了说明", "补充说明")
    build(root, out)
    assert "t/0" in made() and len(made()) < len(after) // 2
    assert tree_digest(out) == cold(root, tmp_path / "cold2")

    layout = root / ".govsite-cache/search/shards.json"
    save_json(layout, [[*line[:3], "0" * 64] for line in load_json(layout)])  # not the one named
    log.unlink()
    edit(document, "补充说明", "补充了说明")
    build(root, out)
    assert len(made()) == len(after)
    assert tree_digest(out) == cold(root, tmp_path / "cold3")


def test_the_policy_library_is_kept_unless_a_policy_changed(tmp_path: Path) -> None:
    """The library and its filter pages are one group under one key: kept whole when no policy
    changed, rendered whole when one did or when a page of the group is missing from build/."""
    root, out = site(tmp_path / "site"), tmp_path / "out"
    for name in ("a", "c"):
        edit(root / f"content/zcwj/zcwj-qtwj/{name}.md", "kind: 其他", "kind: 政策文件")
    build(root, out)
    before = inodes(out)
    library = sorted(path for path in before if path.startswith("library/"))
    assert len(library) > 2
    edit(root / "content/czyjs/czyjs-zfys/d.md", "内容段落。", "修改后的段落。")  # a report, not a policy
    build(root, out)
    after = inodes(out)
    assert before["czyjs/czyjs-zfys/d/index.html"] != after["czyjs/czyjs-zfys/d/index.html"]
    assert [before[path] for path in library] == [after[path] for path in library]
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "丙文件", "丙文件（修订）")
    build(root, out)
    assert "丙文件（修订）" in (out / "library/index.html").read_text(encoding="utf-8")
    assert tree_digest(out) == cold(root, tmp_path / "cold")
    (out / library[-1]).unlink()
    build(root, out)
    assert tree_digest(out) == cold(root, tmp_path / "cold")


def test_a_linked_document_title_change_rerenders_the_pages_that_show_it(tmp_path: Path) -> None:
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    edit(root / "content/zcwj/zcwj-qtwj/b.md", "乙文件", "乙文件（修订）")
    (root / "content/zcwj/zcwj-qtwj/t.pdf").write_text("%PDF version two", encoding="utf-8")
    build(root, out)
    assert "乙文件（修订）" in (out / "zcwj/zcwj-qtwj/index.html").read_text(encoding="utf-8")
    assert (out / "zcwj/zcwj-qtwj/b/t.pdf").read_text() == "%PDF version two"
    assert tree_digest(out) == cold(root, tmp_path / "cold")


def test_catalogue_or_template_change_rerenders_every_page(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("govsite.output.IN_PLACE_AT_MOST", (2, 0.1))  # as on a site of many files
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    folder = out.stat().st_ino
    edit(root / "catalog.yaml", "title: ", "title: 新")
    build(root, out)
    assert out.stat().st_ino != folder  # every page changed: the new build/ was swapped in whole
    assert tree_digest(out) == cold(root, tmp_path / "cold")
    theme = root / "themes/default/templates"
    theme.mkdir(parents=True)
    base = (ROOT / "themes/default/templates/base.html").read_text(encoding="utf-8")
    (theme / "base.html").write_text(base.replace("<body", "<!-- 本地主题 -->\n<body", 1), encoding="utf-8")
    build(root, out)
    assert "本地主题" in (out / "czyjs/czyjs-zfys/d/index.html").read_text(encoding="utf-8")
    assert tree_digest(out) == cold(root, tmp_path / "cold2")


def test_files_edited_in_build_are_not_kept(tmp_path: Path) -> None:
    """Someone edits build/ in place: the next build restores what govsite writes, whether or
    not an input changed, and never carries the edit forward through a hard link."""
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    page = out / "zcwj/zcwj-qtwj/a/index.html"
    with page.open("a", encoding="utf-8") as file:
        file.write("<!-- edited in build/ -->")
    (out / "stray.html").write_text("extra", encoding="utf-8")
    build(root, out)  # nothing changed in the site
    assert tree_digest(out) == cold(root, tmp_path / "cold")
    with page.open("a", encoding="utf-8") as file:
        file.write("<!-- edited again -->")
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "又一次修改。")
    build(root, out)
    assert tree_digest(out) == cold(root, tmp_path / "cold2")


def test_a_stray_file_at_the_top_of_build_is_not_kept(tmp_path: Path) -> None:
    """A file added beside build/'s pages changes no folder govsite stamps but build/ itself:
    the build is not skipped, and the file goes."""
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    (out / "stray.html").write_text("extra", encoding="utf-8")
    assert build(root, out).site is not None
    assert tree_digest(out) == cold(root, tmp_path / "cold")


def test_editing_build_after_a_linked_build_changes_nothing_else(tmp_path: Path) -> None:
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "修改。")
    build(root, out)  # a.md's page and t.pdf were linked from the previous build/
    sources = all_bytes(root / "content")
    for path in (out / "zcwj/zcwj-qtwj/a/index.html", out / "zcwj/zcwj-qtwj/b/t.pdf"):
        path.write_bytes(b"overwritten in place")
    assert all_bytes(root / "content") == sources
    build(root, out)
    assert tree_digest(out) == cold(root, tmp_path / "cold")


def test_withdrawn_document_leaves_build_on_an_incremental_build(tmp_path: Path) -> None:
    root, out = site(tmp_path / "site"), tmp_path / "out"
    b = root / "content/zcwj/zcwj-qtwj/b.md"
    edit(b, "内容段落。", "内容段落CANARY-17。")
    build(root, out)
    assert any(b"CANARY-17" in data for _, data in all_bytes(out))
    edit(b, "disclosure: 主动公开", "disclosure: 不予公开\nexempt_basis: 《中华人民共和国政府信息公开条例》第十四条")
    edit(root / "content/zcwj/zcwj-qtwj/a.md", "见[乙](b.md)。", "无链接。")
    build(root, out)
    assert not any(b"CANARY-17" in data or b"%PDF v1" in data for _, data in all_bytes(out))
    assert not (out / "zcwj/zcwj-qtwj/b").exists()


def test_a_damaged_state_file_means_a_full_build(tmp_path: Path) -> None:
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    state = root / ".govsite-cache" / STATE_FILE
    assert json.loads(state.read_bytes().partition(b"\n")[2])["format"] == 1  # signed JSON
    state.write_text("{not json", encoding="utf-8")
    assert build(root, out).site is not None
    assert tree_digest(out) == cold(root, tmp_path / "cold")


def test_check_reuses_the_build_and_sees_edits(tmp_path: Path) -> None:
    root, out = site(tmp_path / "site"), tmp_path / "out"
    built = build(root, out)
    problems, catalog, documents = collect_problems(root, documents=False)
    assert (problems, documents) == (built.problems, [])  # recorded: no document loaded
    assert catalog is not None and catalog.units  # only catalog.yaml, for the verdict's item names
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "见[不存在](missing.md)。")
    problems, catalog, _ = collect_problems(root, documents=False)
    assert catalog is not None
    assert [p.code for p in problems if p.path.endswith("c.md")] == ["E301"]
    again, _, documents = collect_problems(root, documents=False)
    assert (again, documents) == (problems, [])  # recorded: no document loaded


def imported(script: str, root: Path, out: Path, modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a new Python process has imported once `script` (given the site and
    output folders as sys.argv[1:]) has run."""
    script += f"\nprint(sorted(m for m in {modules!r} if m in sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", "import sys\n" + script, str(root), str(out)],
                            capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"'))


def test_no_change_build_and_check_do_not_import_search_or_watch_libraries(tmp_path: Path) -> None:
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    script = (
        "from govsite.cli import cli\n"
        "for args in (['build', '--site', sys.argv[1], '--out', sys.argv[2], '-q'], "
        "['check', '--site', sys.argv[1]]):\n"
        "    try:\n        cli(args)\n    except SystemExit as stop:\n        assert stop.code == 0, stop\n")
    heavy = ("numpy", "whoosh", "watchdog", "markdown", "jinja2", "segno", "nh3")
    assert imported(script, root, out, heavy) == []


def test_a_build_s_own_process_does_not_import_the_search_libraries(tmp_path: Path) -> None:
    """numpy and Whoosh are loaded by the search process only: the build makes the entries it
    sends without them (search/entries.py)."""
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "修改后的段落。")
    script = (
        "from govsite.build import build\nfrom pathlib import Path\n"
        "result = build(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "assert result.site is not None and (Path(sys.argv[2]) / 'search/meta.js').is_file()\n")
    assert imported(script, root, out, ("numpy", "whoosh")) == []
    assert "修改后的段落" in (out / "zcwj/zcwj-qtwj/c/index.html").read_text(encoding="utf-8")


def test_an_edit_of_the_columns_data_rebuilds_every_footer(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    out = tmp_path / "out"
    build(root, out, today=TODAY)
    edit(root / "zfxxgk/interaction.yaml", "  - name: 县长信箱", "  - name: 县长信箱（新）")
    build(root, out, today=TODAY)
    assert "县长信箱（新）" in (out / "index.html").read_text(encoding="utf-8")
    build(root, tmp_path / "cold", today=TODAY, use_cache=False)
    assert tree_digest(out) == tree_digest(tmp_path / "cold")


def test_a_state_file_not_signed_with_this_machines_key_is_ignored(tmp_path: Path) -> None:
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    state = root / ".govsite-cache" / STATE_FILE
    payload = state.read_bytes().partition(b"\n")[2]
    state.write_bytes(b"0" * 64 + b"\n" + payload)  # the same content, a forged signature
    assert build(root, out).site is not None  # a full build, not the recorded outcome


def test_kept_documents_are_parsed_again_only_when_their_bytes_or_files_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import govsite.content as content

    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    parsed = record_calls(monkeypatch, content, "_parse", lambda args, _: args[1].name)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "内容段落（修订）。")
    build(root, out)
    assert parsed == ["c.md"]
    (root / "content/zcwj/zcwj-qtwj/t.pdf").write_text("%PDF v2, longer")  # b's attachment
    build(root, out)
    assert parsed == ["c.md", "b.md"]
    edit(root / "content/zcwj/zcwj-qtwj/b.md", "disclosure: 主动公开",
         "disclosure: 不予公开\nexempt_basis: 《中华人民共和国政府信息公开条例》第十四条")
    edit(root / "content/zcwj/zcwj-qtwj/a.md", "见[乙](b.md)。", "无链接。")
    result = build(root, out)
    assert parsed == ["c.md", "b.md", "a.md", "b.md"] and result.withheld == 1
    assert tree_digest(out) == cold(root, tmp_path / "cold")


def test_a_document_whose_stamp_is_unchanged_is_neither_read_nor_held(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose size, change times and inode are those recorded is taken from the documents
    memo without being read; its body stays in the file (nothing asks for it after one edit)."""
    import govsite.content as content
    import govsite.docstore as docstore

    monkeypatch.setattr(docstore, "SETTLE_NS", 0)  # the files here were all written just now
    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    decoded = record_calls(monkeypatch, content, "decoded", lambda args, _: args[1].rsplit("/", 1)[-1])
    bodies_read = record_calls(monkeypatch, content.BodyFile, "read", lambda args, _: args[0].rel)
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "内容段落（修订）。")
    build(root, out)
    assert decoded == ["c.md"] and bodies_read == []
    del decoded[:]
    os.utime(root / "content/zcwj/zcwj-qtwj/b.md")  # touched, not changed: read, not parsed
    parsed = record_calls(monkeypatch, content, "_parse", lambda args, _: args[1].name)
    edit(root / "content/zcwj/zcwj-qtwj/a.md", "见[乙](b.md)。", "见[乙](b.md)，另见丙。")
    build(root, out)
    edit(root / "content/zcwj/zcwj-qtwj/a.md", "另见丙", "另见丁")
    build(root, out)
    assert decoded == ["a.md", "b.md", "a.md"] and parsed == ["a.md", "a.md"]
    assert bodies_read == [] and tree_digest(out) == cold(root, tmp_path / "cold")


def test_bodies_leave_memory_once_converted_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold analysis parses every body, then lets go of them: pages and the search index take
    what the caches hold, and a body asked for again is read from its file."""
    import govsite.content as content
    from govsite.build import analyse

    root = site(tmp_path / "site")
    documents = analyse(root).documents
    assert len(documents) == 4 and all(doc.markdown is None and doc.read_body.held is None for doc in documents)
    bodies_read = record_calls(monkeypatch, content.BodyFile, "read", lambda args, _: args[0].rel)
    kept = next(doc for doc in documents if doc.rel == "content/zcwj/zcwj-qtwj/c.md")
    assert kept.body == BODY and bodies_read == ["content/zcwj/zcwj-qtwj/c.md"]


def test_a_stamp_is_recorded_only_once_the_file_has_settled(tmp_path: Path) -> None:
    """A write in the same clock tick as the read may leave a file's times as they were: a file
    changed in the last two seconds is read again next time, whatever its stamp."""
    from govsite.docstore import settled
    from govsite.state import stamp

    path = tmp_path / "a.md"
    path.write_text("new")
    assert settled(stamp(path.stat())) is None
    size, mtime, ctime, inode = stamp(path.stat())
    older = (size, mtime - SETTLE_NS - 10**9, ctime - SETTLE_NS - 10**9, inode)
    assert settled(older) == older
    assert settled((size, mtime - SETTLE_NS - 10**9, ctime, inode)) is None  # a chmod, a rename…


def test_a_body_that_changes_while_the_build_runs_stops_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The body of a document kept unread is read from its file only when asked for, and must be
    the body loading recorded: else the build stops with E010, and build/ is left as it was."""
    import govsite.render as render_module
    from govsite.build import Caches, analyse
    from govsite.cache import CACHE_DIR
    from govsite.problems import GovsiteError

    root, out = site(tmp_path / "site"), tmp_path / "out"
    build(root, out)
    loaded = analyse(root, cache=Caches(root / CACHE_DIR, html_on_disk=True)).documents
    assert all(doc.markdown is None for doc in loaded)  # no body held
    kept = next(doc for doc in loaded if doc.rel == "content/zcwj/zcwj-qtwj/c.md")
    assert kept.body == BODY
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "另一段。")
    with pytest.raises(GovsiteError) as stopped:
        kept.body  # noqa: B018
    assert [(p.path, p.code) for p in stopped.value.problems] == [("content/zcwj/zcwj-qtwj/c.md", "E010")]
    real = render_module.render_site

    def edited_meanwhile(site: object, *args: object, **kwargs: object) -> object:
        edit(root / "content/zcwj/zcwj-qtwj/b.md", "内容段落。", "另一段。")
        return real(site, *args, **kwargs)

    monkeypatch.setattr(render_module, "render_site", edited_meanwhile)
    edit(root / "content/zcwj/zcwj-qtwj/a.md", "见[乙](b.md)。", "见[乙](b.md)，另见丙。")
    (out / "zcwj/zcwj-qtwj/b/index.html").unlink()  # so that b's page is rendered again…
    shutil.rmtree(root / CACHE_DIR / "html")  # …from its body
    before = tree_digest(out)
    with pytest.raises(GovsiteError) as stopped:
        build(root, out)
    assert {p.code for p in stopped.value.problems} == {"E010"} and tree_digest(out) == before


def test_a_kept_document_s_body_is_cleaned_as_when_it_was_parsed(tmp_path: Path) -> None:
    """A document taken from the documents memo gets its body from the file again: without the
    control characters loading removed (W010), and as it stands when there were none."""
    root, out = site(tmp_path / "site"), tmp_path / "out"
    edit(root / "content/zcwj/zcwj-qtwj/c.md", "内容段落。", "内容\x07段落&#1;。")
    first = build(root, out).site
    edit(root / "content/zcwj/zcwj-qtwj/a.md", "见[乙](b.md)。", "见[乙](b.md)，另见丙。")
    again = build(root, out).site
    assert first is not None and again is not None
    for rel, body in (("c.md", "内容段落。"), ("b.md", "内容段落。"), ("a.md", "另见丙")):
        kept = again.by_rel[f"content/zcwj/zcwj-qtwj/{rel}"]
        assert body in kept.body and "\x07" not in kept.body and "&#1;" not in kept.body
    assert again.by_rel["content/zcwj/zcwj-qtwj/c.md"] == first.by_rel["content/zcwj/zcwj-qtwj/c.md"]
    assert tree_digest(out) == cold(root, tmp_path / "cold")


def test_kept_documents_are_used_by_the_next_process(tmp_path: Path) -> None:
    """Each CLI build is a new process (with its own string hashing): the documents memo's keys
    must not depend on it, so an edit rewrites only the edited document's shard."""
    root = mini_site(tmp_path / "site", {f"zcwj/zcwj-qtwj/d{n}.md": front_matter(title=f"文件{n}", slug=f"d{n}")
                                         + BODY for n in range(40)})

    def cli_build(seed: str) -> None:
        subprocess.run([sys.executable, "-m", "govsite", "build", "--site", str(root), "--quiet"],
                       check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})

    def shards() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in (root / ".govsite-cache/documents").glob("*.json")}

    time.sleep(SETTLE_NS / 1e9 + 0.1)  # stamps are kept only for files older than this
    cli_build("1")
    before = shards()
    edit(root / "content/zcwj/zcwj-qtwj/d7.md", "内容段落。", "修改后的段落。")
    cli_build("2")
    after = shards()
    assert len(before) > 20 and sum(before.get(name) != stamp for name, stamp in after.items()) <= 2

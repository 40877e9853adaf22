"""End-to-end builds of small sites: the disclosure boundary, atomic output, determinism,
sanitising. Each assertion reads the files that were really written."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REAL_CORPUS, front_matter, mini_site, record_calls

import govsite.build
from govsite.build import Caches, analyse, build
from govsite.cache import CACHE_DIR, shard_of
from govsite.indexing import BackgroundSearch
from govsite.output import OutputError, staging
from govsite.problems import GovsiteError

BODY = "## 正文\n\n内容段落。\n"
REPO_ROOT = Path(__file__).resolve().parents[1]


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def all_bytes(folder: Path) -> list[tuple[str, bytes]]:
    return [(p.relative_to(folder).as_posix(), p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()]


def leak_site(root: Path) -> Path:
    secret = "CANARY-SECRET-7f3a"
    private = {
        "zcwj/zcwj-qtwj/onrequest.md": front_matter(
            title=f"依申请文件{secret}-TITLE", disclosure="依申请公开",
            exempt_basis="《中华人民共和国政府信息公开条例》第十六条", doc_number="青府办字〔2026〕99号",
            attachments="[{file: canary-onrequest.docx, title: 附件" + secret + "}]",
        ) + f"正文{secret}-BODY\n",
        "zcwj/zcwj-qtwj/canary-onrequest.docx": f"attachment {secret}-FILE",
        "zcwj/zcwj-qtwj/withheld.md": front_matter(
            title="不予公开文件", disclosure="不予公开", slug="withheld-canary",
            exempt_basis="第十四条", attachments="[{file: 内部.pdf}]",
        ) + f"正文{secret}-BODY2\n",
        "zcwj/zcwj-qtwj/内部.pdf": f"%PDF {secret}-PDF",
        "zcwj/zcwj-qtwj/public.md": front_matter(title="公开文件", slug="public-doc") + BODY,
    }
    return mini_site(root, private)


def test_non_public_documents_never_reach_build(tmp_path: Path) -> None:
    root = leak_site(tmp_path / "site")
    result = build(root, tmp_path / "out")
    assert (result.published, result.withheld) == (1, 2)
    files = all_bytes(tmp_path / "out")
    for name, data in files:
        for needle in ("CANARY-SECRET-7f3a", "青府办字〔2026〕99号", "依申请文件", "不予公开文件",
                       "withheld-canary", "onrequest", "canary-onrequest.docx", "内部.pdf"):
            assert needle.encode() not in data, f"{needle} leaked into {name}"
            assert needle not in name
    # The item page counts only the public document.
    item = BeautifulSoup((tmp_path / "out/zcwj/zcwj-qtwj/index.html").read_text(), "html.parser")
    assert len(item.select("ul.doc-list li a")) == 1


def test_withdrawn_document_disappears_on_rebuild(tmp_path: Path) -> None:
    root = leak_site(tmp_path / "site")
    out = tmp_path / "out"
    build(root, out)
    page = out / "zcwj/zcwj-qtwj/public-doc/index.html"
    assert page.is_file()
    doc = root / "content/zcwj/zcwj-qtwj/public.md"
    doc.write_text(doc.read_text().replace("disclosure: 主动公开", "disclosure: 不予公开\n"
                                           "exempt_basis: 第十六条"), encoding="utf-8")
    build(root, out)
    assert not page.exists()
    assert b"public-doc" not in (out / "sitemap.xml").read_bytes()


def test_failed_build_keeps_previous_output(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter() + BODY})
    out = tmp_path / "out"
    build(root, out)
    before = tree_digest(out)
    (root / "content/zcwj/zcwj-qtwj/b.md").write_text(front_matter(reviewer=None) + BODY)
    with pytest.raises(GovsiteError) as error:
        build(root, out)
    assert [p.code for p in error.value.problems if p.severity == "error"] == ["E006"]
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_build_failing_while_indexing_keeps_previous_output(tmp_path: Path) -> None:
    """Indexing runs in a process of its own while pages are written to the new folder: its
    failure must still leave the previous site whole and no half-written folder beside it."""
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter() + BODY})
    out = tmp_path / "out"
    build(root, out)
    before = tree_digest(out)
    (root / "content/zcwj/zcwj-qtwj/a.md").write_text(front_matter(title="改过的标题") + BODY)

    cache = root / ".govsite-cache" / "search"
    shutil.rmtree(cache)
    cache.write_text("a file where the indexing process keeps its cache folder")
    with pytest.raises(OSError):  # raised in the indexing process, which saves its cache last
        build(root, out)
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_keep_going_publishes_valid_documents(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/good.md": front_matter(title="好文件") + BODY,
        "zcwj/zcwj-qtwj/bad.md": front_matter(reviewer=None) + BODY,
    })
    result = build(root, tmp_path / "out", keep_going=True)
    assert result.withheld_invalid == ["content/zcwj/zcwj-qtwj/bad.md"]
    assert (tmp_path / "out/zcwj/zcwj-qtwj/good/index.html").is_file()
    assert not (tmp_path / "out/zcwj/zcwj-qtwj/bad").exists()


def test_keep_going_indexes_only_what_it_publishes(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/good.md": front_matter(title="好文件") + BODY,
        "zcwj/zcwj-qtwj/late.md": front_matter(title="被拒的文件", slug="late")
        + "## 正文\n\nzqxcanary 内容。\n\n![](图.png)\n",
        "zcwj/zcwj-qtwj/图.png": "png",
    })
    result = build(root, tmp_path / "out", keep_going=True)
    assert result.withheld_invalid == ["content/zcwj/zcwj-qtwj/late.md"]
    search = [data for _, data in all_bytes(tmp_path / "out/search")]
    assert len(search) > 3
    assert not any(b"zqxcanary" in data or "被拒".encode() in data for data in search)
    assert any("好文件".encode() in data for data in search)


def test_a_template_error_is_reported_not_raised(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter() + BODY})
    templates = root / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text('{% extends "base.html" %}\n'
                                        "{% block main %}{{ page.title | nosuchfilter }}"
                                        "{% endblock %}\n", encoding="utf-8")
    with pytest.raises(GovsiteError) as error:
        build(root, tmp_path / "out")
    assert [str(p) for p in error.value.problems if p.severity == "error"] == [
        "themes/default/templates/404.html:2: E106 No filter named 'nosuchfilter'."]
    assert not (tmp_path / "out").exists()


def test_a_failure_while_rendering_stops_the_indexing(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are rendered in worker processes while indexing runs in others: an undefined
    variable in a document template fails the build with the template's line, and no process is
    left behind."""
    docs = {f"zcwj/zcwj-qtwj/d{n}.md": front_matter(title=f"文件{n}", slug=f"d{n}") + BODY
            for n in range(4)}
    root = mini_site(tmp_path / "site", docs)
    out = tmp_path / "out"
    build(root, out)
    before = tree_digest(out)
    source = (REPO_ROOT / "themes/default/templates/document.html").read_text(encoding="utf-8")
    assert "{% block main %}" in source
    templates = root / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "document.html").write_text(
        source.replace("{% block main %}", "{% block main %}{{ nosuchvariable.x }}", 1),
        encoding="utf-8")
    monkeypatch.setattr("govsite.render.workers", lambda jobs, per_worker: 2)
    with pytest.raises(GovsiteError) as error:
        build(root, out)
    [problem] = error.value.problems
    assert (problem.path, problem.code) == ("themes/default/templates/document.html", "E106")
    assert problem.line == next(n for n, line in enumerate(source.splitlines(), 1)
                                if "{% block main %}" in line)
    assert "nosuchvariable" in problem.message
    assert multiprocessing.active_children() == []
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def _holds_a_utf8_copy(text: str) -> bool:
    """Whether CPython keeps a UTF-8 copy inside `text`, as it does once the str is pickled."""
    return sys.getsizeof(text) > sys.getsizeof(text.encode().decode())


def test_parallel_work_leaves_the_build_s_texts_as_they_were(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents are read, and bodies converted and checked, in forked workers that inherit
    what they work on, and the search process is sent copies of the texts: a pickled str keeps a
    UTF-8 copy inside it for as long as it lives, which for a whole site's bodies would take more
    memory than the bodies do. The workers find what one process finds."""
    docs = {f"zcwj/zcwj-qtwj/d{n}.md": front_matter(title=f"文件{n}", slug=f"d{n}")
            + f"## 第{n}部分\n\n各单位要做好防火工作，落实责任{n}。\n" for n in range(6)}
    docs["zcwj/zcwj-qtwj/bad.md"] = front_matter(title="", slug="bad") + BODY
    root = mini_site(tmp_path / "site", docs)
    alone = analyse(root)
    monkeypatch.setattr("govsite.parallel.workers", lambda jobs, per_worker: 2)
    caches = Caches(root / CACHE_DIR)
    analysis = analyse(root, cache=caches)
    assert (analysis.documents, analysis.problems) == (alone.documents, alone.problems)
    assert any(p.path.endswith("bad.md") for p in analysis.problems)
    search = BackgroundSearch(root / CACHE_DIR / "search")
    try:
        with staging(tmp_path / "out") as new:
            search.start(analysis.site, root, analysis.bodies, new, True, caches.text_by_path(analysis.site))
            paths, _, _ = search.result(new)
    finally:
        search.cancel()
    assert "search/index.html" in paths and (tmp_path / "out/search/index.html").is_file()
    texts = [d.body for d in analysis.documents] + [b.text for b in analysis.bodies.values()]
    assert len(texts) == 12 and not any(map(_holds_a_utf8_copy, texts))
    pickle.dumps(texts[0])
    assert _holds_a_utf8_copy(texts[0])


def test_a_build_keeps_the_bodies_html_on_disk_not_in_memory(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A build's converted HTML and text are written a memo shard at a time, as soon as the shard
    is complete, and read back when needed: the HTML of every body is never held at once, the
    bodies kept have neither, and what is read from disk is what conversion gave."""
    docs = {f"zcwj/zcwj-qtwj/d{n}.md": front_matter(title=f"文件{n}", slug=f"d{n}")
            + f"## 第{n}部分\n\n见[文件0](d0.md)。\n" for n in range(12)}
    root = mini_site(tmp_path / "site", docs)
    held = analyse(root, cache=Caches(root / CACHE_DIR / "held"))
    assert all(body.html for body in held.bodies.values())
    caches = Caches(root / CACHE_DIR, html_on_disk=True)
    shards_held = record_calls(monkeypatch, caches.html, "put",
                               lambda args, _: {shard_of(key) for key in caches.html.entries})
    lean = analyse(root, cache=caches)
    assert len(shards_held) == 12 and max(map(len, shards_held)) == 1
    assert len(set().union(*shards_held)) > 1  # the bodies filled several shards, one after another
    assert all(body.html is None and body.text is None for body in lean.bodies.values())
    assert not caches.html.entries and not caches.texts.entries
    assert all(caches.text_of(doc) == held.bodies[doc.rel].text for doc in lean.site.documents)
    kept = caches.kept_html()
    assert kept.group is not None
    for doc in lean.site.documents:
        assert kept.of(doc) == held.bodies[doc.rel].html
        assert kept.of(doc) == held.bodies[doc.rel].html  # read once, then converted again
    assert not caches.html.entries


def test_a_build_runs_with_the_cycle_collector_paused_and_restores_it(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter() + BODY})
    collecting = record_calls(monkeypatch, govsite.build, "analyse", lambda args, _: gc.isenabled())
    build(root, tmp_path / "out")
    assert collecting == [False] and gc.isenabled()
    (root / "content/zcwj/zcwj-qtwj/a.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(GovsiteError):
        build(root, tmp_path / "out")
    assert collecting == [False, False] and gc.isenabled()


def test_refuses_to_overwrite_a_foreign_folder(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter() + BODY})
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(OutputError):
        build(root, foreign)
    with pytest.raises(OutputError):
        build(root, root)
    assert (foreign / "thesis.docx").read_text() == "precious"


def test_raw_html_is_sanitised_and_titles_escaped(tmp_path: Path) -> None:
    body = ('<script>alert("x1")</script>\n\n[点我](javascript:alert(2))\n\n'
            '<img src="a.png" alt="图" onerror="alert(3)">\n\n<p style="color:red" onclick="alert(4)">段落</p>\n')
    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/x.md": front_matter(title="'<b>t</b>'", slug="x") + body})
    (root / "content/zcwj/zcwj-qtwj/a.png").write_bytes(b"\x89PNG")  # raw HTML links are checked
    result = build(root, tmp_path / "out")
    html = (tmp_path / "out/zcwj/zcwj-qtwj/x/index.html").read_text()
    for needle in ("alert(", "javascript:", "onerror", "onclick", "color:red"):
        assert needle not in html
    assert "<h1>&lt;b&gt;t&lt;/b&gt;</h1>" in html
    assert [p.code for p in result.problems if p.code < "W5"] == ["W202"]


def test_links_between_documents_become_page_links(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/a.md": front_matter(slug="a") + "见[预算](../../czyjs/czyjs-zfys/b.md#说明)。\n",
        "czyjs/czyjs-zfys/b.md": front_matter(slug="b", issuer="czj") + "## 说明\n\n正文。\n",
    })
    build(root, tmp_path / "out")
    page = BeautifulSoup((tmp_path / "out/zcwj/zcwj-qtwj/a/index.html").read_text(), "html.parser")
    link = page.select_one(".doc-body a")
    assert link is not None and link["href"] == "../../../czyjs/czyjs-zfys/b/index.html#说明"
    assert (tmp_path / "out/zcwj/zcwj-qtwj/a" / link["href"].split("#")[0]).resolve().is_file()


def copy_in_order(source: Path, target: Path, reverse: bool) -> None:
    files = sorted(p for p in source.rglob("*") if p.is_file())
    for path in reversed(files) if reverse else files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def test_builds_are_byte_identical(tmp_path: Path) -> None:
    digests = []
    for number, (seed, tz, reverse) in enumerate([("1", "UTC", False), ("4242", "Asia/Shanghai", True)]):
        site = tmp_path / f"site{number}"
        copy_in_order(REAL_CORPUS, site, reverse)
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "SOURCE_DATE_EPOCH": "1795824000"}  # 2026-11-28
        out = tmp_path / f"out{number}"
        subprocess.run([sys.executable, "-m", "govsite", "build", "--site", str(site), "--out",
                        str(out), "--quiet"], check=True, env=env)
        digests.append(tree_digest(out))
    differing = sorted(k for k in digests[0].keys() | digests[1].keys()
                       if digests[0].get(k) != digests[1].get(k))
    assert differing == []
    assert len(digests[0]) > 150


def test_site_theme_overrides_default_by_file_name(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter(slug="a") + BODY})
    catalog = root / "catalog.yaml"
    catalog.write_text(catalog.read_text().replace("  language: zh-CN\n",
                                                   "  language: zh-CN\n  theme: county\n"))
    theme = root / "themes/county"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates/404.html").write_text(
        '{% extends "default/404.html" %}{% block main %}<p>本县定制页面</p>{{ super() }}{% endblock %}')
    (theme / "static/site.css").write_text("body { color: #000; }")
    build(root, tmp_path / "out")
    page = (tmp_path / "out/404.html").read_text()
    assert "本县定制页面" in page and "页面未找到" in page
    assert (tmp_path / "out/static/site.css").read_text() == "body { color: #000; }"
    assert (tmp_path / "out/static/site.js").is_file()  # not overridden: the default's copy

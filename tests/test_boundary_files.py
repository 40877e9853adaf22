"""The 主动公开 boundary on the paths the loader used not to guard: attachments and linked files
(Markdown and raw HTML), file types and names, symlinks, scheduled publication.

Each attack is built three ways: the CLI (exit status and the located problem), the CLI with
--keep-going (a build/ is written: no byte of it may hold a canary), and the rule's own output
(analyse + render_site, before the error gate: what the pages print and which files are copied).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import front_matter, mini_site
from test_serve import fetch

from govsite.build import analyse
from govsite.render import render_site
from govsite.serve import DevServer

TODAY = "2026-11-28"
ITEM = "zcwj/zcwj-qtwj"
PUBLIC = f"content/{ITEM}/public.md"
WITHHELD = dict(disclosure="不予公开", exempt_basis="《中华人民共和国政府信息公开条例》第十四条")


def govsite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govsite", *args], capture_output=True,
                          text=True, timeout=120)


def build_cli(root: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return govsite("build", "--site", str(root), "--out", str(out), "--quiet", "--today", TODAY,
                   *extra)


def problems_of(result: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    return [(m[1], int(m[2]), m[3]) for m in re.finditer(r"^(\S+):(\d+): ([EW]\d{3}) ",
                                                          result.stderr, re.MULTILINE)]


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def assert_absent(folder: Path, canaries: tuple[str, ...]) -> None:
    """No file name and no byte of any file under `folder` holds a canary (any case)."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert len(files) > 10  # a real site was written
    for path in files:
        name, data = path.relative_to(folder).as_posix().lower(), path.read_bytes().lower()
        for canary in canaries:
            assert canary.lower() not in name, (path, canary)
            assert canary.lower().encode() not in data, (path, canary)


def rendered(root: Path) -> tuple[dict[str, bytes], dict[str, Path]]:
    """What the renderer would write for this site, problems or not: pages and copied files."""
    analysis = analyse(root, today=dt.date.fromisoformat(TODAY))
    output = render_site(analysis.site, root, analysis.bodies, {})
    return output.pages, output.copies


def assert_refused(root: Path, tmp_path: Path, expected: list[tuple[str, int, str]],
                   canaries: tuple[str, ...]) -> dict[str, Path]:
    """The build fails with exactly the `expected` errors; --keep-going writes a clean site; the
    rule itself neither prints nor copies a canary. Returns the copies the renderer made."""
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 1, result.stderr
    errors = [p for p in problems_of(result) if p[2].startswith("E")]
    assert errors == expected, result.stderr
    assert not (tmp_path / "out").exists()
    kept = build_cli(root, tmp_path / "kept", "--keep-going")
    assert kept.returncode == 1, kept.stderr
    assert_absent(tmp_path / "kept", canaries)
    pages, copies = rendered(root)
    for path, source in copies.items():
        for canary in canaries:
            assert canary.lower() not in path.lower() and canary.encode() not in source.read_bytes()
    for path, page in pages.items():
        for canary in canaries:
            assert canary.lower().encode() not in page.lower(), (path, canary)
    return copies


def site_with(tmp_path: Path, docs: dict[str, str | bytes]) -> Path:
    """The mini site plus a plain public document in the same item (so --keep-going has a site
    to write) and `docs` (paths under content/)."""
    root = mini_site(tmp_path / "site", {f"{ITEM}/other.md": front_matter(title="其他公开文件",
                                                                           slug="other") + "正文。\n"})
    for rel, content in docs.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def test_a_withheld_document_listed_as_an_attachment_is_not_copied(tmp_path: Path) -> None:
    root = site_with(tmp_path, {
        f"{ITEM}/public.md": front_matter(slug="public",
                                          attachments="[{file: canaryd0c.md, title: 附件}]") + "正文。\n",
        f"{ITEM}/canaryd0c.md": front_matter(title="内部CANARYT1TLE", slug="inner", **WITHHELD,
                                             doc_number="青府办字〔2026〕77号") + "CANARYB0DY\n",
    })
    line = line_of(root, PUBLIC, "attachments:")
    assert_refused(root, tmp_path, [(PUBLIC, line, "E309")],
                   ("CANARYT1TLE", "CANARYB0DY", "canaryd0c", "青府办字〔2026〕77号", "第十四条"))


def test_a_withheld_documents_attachment_linked_from_a_public_one_is_not_copied(
        tmp_path: Path) -> None:
    root = site_with(tmp_path, {
        f"{ITEM}/public.md": front_matter(slug="public") + "见附件。\n\n[下载](内部材料CANARYF1LE.pdf)\n",
        f"{ITEM}/secret.md": front_matter(title="内部CANARYT1TLE", slug="secret", **WITHHELD,
                                          attachments="[{file: 内部材料CANARYF1LE.pdf}]") + "正文。\n",
        f"{ITEM}/内部材料CANARYF1LE.pdf": "%PDF CANARYC0NTENT",
    })
    line = line_of(root, PUBLIC, "[下载]")
    assert_refused(root, tmp_path, [(PUBLIC, line, "E308")],
                   ("CANARYT1TLE", "CANARYF1LE", "CANARYC0NTENT"))


def test_raw_html_links_are_checked_like_markdown_links(tmp_path: Path) -> None:
    body = ('正文。\n\n<p><a href="canarys3cret.md">内部</a></p>\n\n'
            '<p><img src="canaryimg.png" alt="内部图片"></p>\n\n'
            '<p><a href="missing.pdf">缺失</a> <img src="chart.png"></p>\n\n'
            '<div><a href="../../../../outside.pdf">外部</a></div>\n')
    root = site_with(tmp_path, {
        f"{ITEM}/public.md": front_matter(slug="public") + body,
        f"{ITEM}/canarys3cret.md": front_matter(title="内部CANARYT1TLE", slug="secret", **WITHHELD,
                                                attachments="[{file: canaryimg.png}]") + "CANARYB0DY\n",
        f"{ITEM}/canaryimg.png": b"\x89PNG CANARYC0NTENT",
        f"{ITEM}/chart.png": b"\x89PNG",
    })
    (tmp_path / "outside.pdf").write_text("%PDF CANARY0UTSIDE")
    expected = sorted([
        (PUBLIC, line_of(root, PUBLIC, "canarys3cret.md"), "E308"),
        (PUBLIC, line_of(root, PUBLIC, "canaryimg.png"), "E308"),
        (PUBLIC, line_of(root, PUBLIC, "missing.pdf"), "E301"),
        (PUBLIC, line_of(root, PUBLIC, "chart.png"), "E304"),
        (PUBLIC, line_of(root, PUBLIC, "outside.pdf"), "E302"),
    ])
    assert_refused(root, tmp_path, expected, ("CANARYT1TLE", "CANARYB0DY", "canarys3cret",
                                              "canaryimg", "CANARYC0NTENT", "CANARY0UTSIDE"))


def test_an_attachment_cannot_replace_the_page_or_run_on_the_sites_origin(tmp_path: Path) -> None:
    root = site_with(tmp_path, {
        f"{ITEM}/public.md": front_matter(
            title="真正的页面", slug="public",
            attachments="[{file: sub/index.html}, {file: canaryp4ge.html}, {file: logo.svg}]")
        + "正文。\n",
        f"{ITEM}/sub/index.html": "<h1>CANARYREPLACED</h1>",
        f"{ITEM}/canaryp4ge.html": "<script>CANARYSCRIPT</script>",
        f"{ITEM}/logo.svg": "<svg><script>CANARYSVG</script></svg>",
    })
    line = line_of(root, PUBLIC, "attachments:")
    copies = assert_refused(root, tmp_path, [(PUBLIC, line, "E309")] * 3,
                            ("CANARYREPLACED", "CANARYSCRIPT", "CANARYSVG", "canaryp4ge"))
    assert copies.keys() <= {p for p in copies if p.startswith("static/")}
    page, _ = rendered(root)
    assert "真正的页面" in page[f"{ITEM}/public/index.html"].decode()


def test_two_files_with_one_output_name_are_an_error(tmp_path: Path) -> None:
    root = site_with(tmp_path, {
        f"{ITEM}/public.md": front_matter(slug="public", attachments="[{file: a/report.pdf}, "
                                          "{file: b/report.pdf}]") + "正文。\n\n[另一份](c/Report.PDF)\n",
        f"{ITEM}/a/report.pdf": "%PDF first",
        f"{ITEM}/b/report.pdf": "%PDF CANARYSECOND",
        f"{ITEM}/c/Report.PDF": "%PDF CANARYTHIRD",  # the same name where case is ignored
    })
    expected = [(PUBLIC, line_of(root, PUBLIC, "attachments:"), "E311"),
                (PUBLIC, line_of(root, PUBLIC, "[另一份]"), "E311")]
    copies = assert_refused(root, tmp_path, sorted(expected), ("CANARYSECOND", "CANARYTHIRD"))
    assert copies[f"{ITEM}/public/report.pdf"].read_text() == "%PDF first"


def test_hidden_files_and_files_reached_through_symlinks_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "leak.pdf").write_text("%PDF CANARY0UTSIDE")
    root = site_with(tmp_path, {
        f"{ITEM}/public.md": front_matter(slug="public") + (
            "正文。\n\n[草稿](_drafts/canarydraft.pdf)\n\n[配置](.htaccess)\n\n[外部](leak.pdf)\n\n"
            "[伪装](alias.pdf)\n"),
        f"{ITEM}/_drafts/canarydraft.pdf": "%PDF CANARYDRAFT",
        f"{ITEM}/.htaccess": "CANARYHTACCESS",
        f"{ITEM}/_notes/plan.md": "CANARYN0TES",
    })
    (root / "content" / ITEM / "leak.pdf").symlink_to(outside / "leak.pdf")
    (root / "content" / ITEM / "alias.pdf").symlink_to(root / "content" / ITEM / "_notes/plan.md")
    expected = sorted([(PUBLIC, line_of(root, PUBLIC, "[草稿]"), "E310"),
                       (PUBLIC, line_of(root, PUBLIC, "[配置]"), "E310"),
                       (PUBLIC, line_of(root, PUBLIC, "[外部]"), "E302"),
                       (PUBLIC, line_of(root, PUBLIC, "[伪装]"), "E310")])
    assert_refused(root, tmp_path, expected,
                   ("CANARYDRAFT", "CANARYHTACCESS", "CANARY0UTSIDE", "CANARYN0TES"))


def test_a_document_symlinked_from_outside_content_is_not_published(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "leak.md").write_text(front_matter(title="外部CANARYT1TLE", slug="leak")
                                     + "CANARYB0DY\n", encoding="utf-8")
    root = site_with(tmp_path, {f"{ITEM}/_drafts/draft.md": front_matter(title="草稿CANARYDRAFT",
                                                                         slug="draft") + "正文。\n"})
    (root / "content" / ITEM / "leak.md").symlink_to(outside / "leak.md")
    (root / "content" / ITEM / "draft.md").symlink_to(root / "content" / ITEM / "_drafts/draft.md")
    assert_refused(root, tmp_path, [(f"content/{ITEM}/draft.md", 1, "E312"),
                                    (f"content/{ITEM}/leak.md", 1, "E312")],
                   ("CANARYT1TLE", "CANARYB0DY", "leak", "CANARYDRAFT"))


def test_symlink_loops_and_dangling_links_are_refused_without_a_traceback(tmp_path: Path) -> None:
    root = site_with(tmp_path, {f"{ITEM}/public.md": front_matter(slug="public") + "正文。\n\n[环](loop.pdf)\n"})
    folder = root / "content" / ITEM
    (folder / "loop.pdf").symlink_to(folder / "loop2.pdf")
    (folder / "loop2.pdf").symlink_to(folder / "loop.pdf")
    (folder / "self.md").symlink_to(folder / "self.md")
    (folder / "gone.md").symlink_to(folder / "missing.md")
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert [p for p in problems_of(result) if p[2].startswith("E")] == [
        (f"content/{ITEM}/gone.md", 1, "E312"), (PUBLIC, line_of(root, PUBLIC, "[环]"), "E302"),
        (f"content/{ITEM}/self.md", 1, "E312")]


def test_an_attachment_swapped_for_a_symlink_outside_after_a_build_is_refused(tmp_path: Path) -> None:
    """The document is unchanged, so its record comes from the build's memo: the swap is still seen."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.pdf").write_text("%PDF CANARYSWAP")
    record = front_matter(slug="public", attachments="[{file: a.pdf, title: 附件}]")
    root = site_with(tmp_path, {f"{ITEM}/public.md": record + "正文。\n", f"{ITEM}/a.pdf": "%PDF fine"})
    assert build_cli(root, tmp_path / "first").returncode == 0
    (root / "content" / ITEM / "a.pdf").unlink()
    (root / "content" / ITEM / "a.pdf").symlink_to(outside / "secret.pdf")
    assert_refused(root, tmp_path, [(PUBLIC, line_of(root, PUBLIC, "a.pdf"), "E302")], ("CANARYSWAP",))


def test_allowed_file_types_are_copied_under_their_names(tmp_path: Path) -> None:
    names = ["通知.docx", "表格.xls", "公文.wps", "公文.ofd", "文件.pdf", "照片.JPG", "资料.zip",
             "讲解.mp4", "数据.csv", "说明.txt"]
    attachments = ", ".join(f"{{file: {name}}}" for name in names)
    root = site_with(tmp_path, {
        f"{ITEM}/public.md": front_matter(slug="public", attachments=f"[{attachments}]")
        + "正文。\n\n![示意图](images/chart.png)\n\n<p><a href=\"images/map.webp\">地图</a></p>\n\n"
        "![图表](图&表.png)\n",
        **{f"{ITEM}/{name}": f"file {name}" for name in names},
        f"{ITEM}/images/chart.png": b"\x89PNG chart",
        f"{ITEM}/images/map.webp": b"RIFF map",
        f"{ITEM}/图&表.png": b"\x89PNG table",
    })
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / ITEM / "public"
    copied = sorted(p.name for p in folder.iterdir() if p.name != "index.html")
    assert copied == sorted([f"attachment-{n}{Path(name).suffix.lower()}"
                             for n, name in enumerate(names, start=1)] + ["chart.png", "map.webp", "file-1.png"])
    page = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert page.select_one('.doc-body img[alt="示意图"]')["src"] == "chart.png"
    assert page.select_one(".doc-body a")["href"] == "map.webp"
    assert page.select_one('.doc-body img[alt="图表"]')["src"] == "file-1.png"
    assert (folder / "file-1.png").read_bytes() == b"\x89PNG table"


SCHEDULED = f"content/{ITEM}/future.md"


def scheduled_site(tmp_path: Path) -> Path:
    return site_with(tmp_path, {
        f"{ITEM}/future.md": front_matter(
            title="未来CANARYT1TLE", slug="future", date="2098-12-30", published="2099-01-02",
            reviewed="2098-12-31", attachments="[{file: canaryplan.pdf, title: 方案}]")
        + "CANARYB0DY\n",
        f"{ITEM}/canaryplan.pdf": "%PDF CANARYC0NTENT",
    })


def test_a_document_published_after_the_build_date_is_not_built(tmp_path: Path) -> None:
    root = scheduled_site(tmp_path)
    canaries = ("CANARYT1TLE", "CANARYB0DY", "canaryplan", "CANARYC0NTENT", "future")
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert not [p for p in problems_of(result) if p[2].startswith("E")], result.stderr
    assert_absent(tmp_path / "out", canaries)
    summary = govsite("build", "--site", str(root), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert "已发布 1 个文件，不公开 0 个（未输出），待发布 1 个（未输出）" in summary.stdout
    # SOURCE_DATE_EPOCH is the build's date when --today is not given
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795824000"}  # 2026-11-28
    subprocess.run([sys.executable, "-m", "govsite", "build", "--site", str(root), "--out",
                    str(tmp_path / "epoch"), "--quiet"], check=True, env=env)
    assert_absent(tmp_path / "epoch", canaries)
    # the control: on its date it is everywhere the scan looks
    later = govsite("build", "--site", str(root), "--out", str(tmp_path / "later"), "--today",
                    "2099-01-02", "--quiet")
    assert later.returncode == 0, later.stderr
    out = tmp_path / "later"
    for path in ("index.html", f"{ITEM}/future/index.html", "feed.xml", "sitemap.xml",
                 f"{ITEM}/future/canaryplan.pdf"):
        assert b"CANARY" in (out / path).read_bytes() or b"future" in (out / path).read_bytes(), path
    assert any(b"canaryt1tle" in p.read_bytes().lower() for p in (out / "search").rglob("*")
               if p.is_file())


def test_check_lists_scheduled_documents_without_an_error(tmp_path: Path) -> None:
    root = scheduled_site(tmp_path)
    result = govsite("check", "--site", str(root), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    line = line_of(root, SCHEDULED, "published:")
    assert f"{SCHEDULED}:{line}: 待发布 2099-01-02" in result.stderr
    assert "0 个错误" in result.stdout


def test_a_live_document_cannot_link_a_scheduled_one_or_its_files(tmp_path: Path) -> None:
    root = scheduled_site(tmp_path)
    (root / PUBLIC).write_text(front_matter(slug="public") + "见[将发布的通知](future.md)。\n\n"
                               "[方案](canaryplan.pdf)\n", encoding="utf-8")
    expected = [(PUBLIC, line_of(root, PUBLIC, "future.md"), "E313"),
                (PUBLIC, line_of(root, PUBLIC, "[方案]"), "E313")]
    assert_refused(root, tmp_path, expected, ("CANARYT1TLE", "CANARYB0DY", "canaryplan",
                                              "CANARYC0NTENT"))


@pytest.mark.parametrize("show", [False, True])
def test_serve_shows_scheduled_documents_only_when_asked(tmp_path: Path, show: bool) -> None:
    root = scheduled_site(tmp_path)
    server = DevServer(root, port=0, show_scheduled=show)
    server.start()
    try:
        status, page = fetch(server.url + f"{ITEM}/future/")
        _, home = fetch(server.url)
        _, other = fetch(server.url + f"{ITEM}/other/")
    finally:
        server.stop()
    assert "govsite-scheduled" not in other
    if not show:
        assert status == 404 and "CANARYT1TLE" not in home
        return
    assert status == 200 and "CANARYT1TLE" in home
    banner = BeautifulSoup(page, "html.parser").select_one("#govsite-scheduled")
    assert banner is not None and banner["role"] == "status"
    assert "待发布" in banner.get_text() and "2099-01-02" in banner.get_text()


def test_keep_going_does_not_publish_a_file_of_a_document_it_could_not_read(
        tmp_path: Path) -> None:
    broken = front_matter(title="内部CANARYT1TLE", **WITHHELD, attachments="[{file: 内部CANARYF1LE.pdf}]")
    root = site_with(tmp_path, {
        f"{ITEM}/public.md": front_matter(slug="public") + "[下载](内部CANARYF1LE.pdf)\n",
        f"{ITEM}/broken.md": broken.replace("reviewer:", "reveiwer:") + "CANARYB0DY\n",  # E004
        f"{ITEM}/内部CANARYF1LE.pdf": "%PDF CANARYC0NTENT",
    })
    result = build_cli(root, tmp_path / "out", "--keep-going")
    assert result.returncode == 1
    assert f"{PUBLIC}:-: E000" in result.stderr  # skipped: its link is E308
    assert_absent(tmp_path / "out", ("CANARYT1TLE", "CANARYF1LE", "CANARYC0NTENT", "CANARYB0DY"))

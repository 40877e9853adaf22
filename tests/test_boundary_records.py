"""Holes in the input rules (issue 12, part C): each test builds a site with the problem and
checks the exit code, the located problem, and that nothing it could leak reaches build/."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINI_CATALOG, front_matter, mini_site

from govsite.bodyfacts import PLACEHOLDER
from govsite.cli import cli
from govsite.output import MARKER
from govsite.scaffold import GITIGNORE
from govsite.sections import COLUMN_FOLDERS, RESERVED_NAMES, SECTION_FOLDERS, TOP_FILES
from govsite.textcheck import first_bad

REPO = Path(__file__).resolve().parent.parent
DOC = "zcwj/zcwj-qtwj/x.md"
GOOD = "zcwj/zcwj-qtwj/good.md"
CANARY = "CANARYC12"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stderr


def build(root: Path, *extra: str) -> tuple[int, str]:
    return run("build", "--site", str(root), "--out", str(root / "build"), "-q", *extra)


def build_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((root / "build").rglob("*")) if p.is_file())


def good_doc() -> str:
    return front_matter(title="另一个文件") + "公开的正文。\n"


def line_of(root: Path, rel: str, prefix: str) -> int:
    lines = (root / "content" / rel).read_text("utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if line.startswith(prefix))


# --- the 意见单 gate ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ['reviewer: ""', "reviewer:", 'reviewer: "   "', "reviewer: ~",
                                   'title: ""', "title: \"\t\""])
def test_an_empty_required_value_is_missing(tmp_path: Path, field: str) -> None:
    key = field.split(":")[0]
    text = front_matter(**{key: None}).replace("---\n", f"---\n{field}\n", 1)
    root = mini_site(tmp_path, {DOC: text + f"{CANARY} 正文\n", GOOD: good_doc()})
    code, stderr = build(root, "--keep-going")
    assert code == 1
    label = "审核人" if key == "reviewer" else "标题"
    assert f"content/{DOC}:2: E006 缺少{label}：“{key}”未填写" in stderr
    assert CANARY.encode() not in build_bytes(root)
    assert "另一个文件".encode() in build_bytes(root)


def test_an_empty_required_catalog_value_is_missing(tmp_path: Path) -> None:
    root = mini_site(tmp_path, {GOOD: good_doc()})
    catalog = MINI_CATALOG.replace("l1: 其他政策文件", 'l1: "  "')
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    code, stderr = build(root)
    line = catalog.split("\n").index('        l1: "  "') + 1
    assert code == 1 and f"catalog.yaml:{line}: E006 事项：缺少“l1”" in stderr


def test_the_placeholder_body_of_govsite_new_blocks_publication(tmp_path: Path) -> None:
    text = front_matter(title=f"{CANARY}标题") + f"\n{PLACEHOLDER}。\n"
    root = mini_site(tmp_path, {DOC: text, GOOD: good_doc()})
    code, stderr = build(root, "--keep-going")
    assert code == 1
    assert f"content/{DOC}:{line_of(root, DOC, PLACEHOLDER)}: E209" in stderr
    assert CANARY.encode() not in build_bytes(root)


# --- reserved names ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SECTION_FOLDERS))
def test_a_domain_id_may_not_take_a_section_name(tmp_path: Path, name: str) -> None:
    root = mini_site(tmp_path, {f"{name}/zcwj-qtwj/a.md": good_doc()})
    catalog = MINI_CATALOG.replace("  - id: zcwj\n", f"  - id: {name}\n")
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    code, stderr = build(root)
    line = catalog.split("\n").index(f"  - id: {name}") + 1
    assert code == 1 and f"catalog.yaml:{line}: E107" in stderr
    assert not (root / "build").exists()


def test_every_top_level_name_the_site_writes_is_reserved(tmp_path: Path) -> None:
    """Guards sections.py: a new top-level folder in build/ must be listed there, or a domain
    could take its name. The sample site shows every feature, so it writes every section."""
    out = tmp_path / "out"
    code, stderr = run("build", "--site", str(REPO), "--out", str(out), "-q")
    assert code == 0, stderr
    domains = set(re.findall(r"^  - id: (\S+)", (REPO / "catalog.yaml").read_text("utf-8"), re.M))
    names = {p.name for p in out.iterdir()} - domains - {MARKER}
    assert names <= set(SECTION_FOLDERS) | set(COLUMN_FOLDERS) | set(TOP_FILES), names - RESERVED_NAMES
    assert set(SECTION_FOLDERS) <= RESERVED_NAMES


# --- control characters ----------------------------------------------------------------


@pytest.mark.parametrize("title", [r'"a\x01b"', r'"a\u0085b"', r'"a\uFFFEb"', r'"a\x7fb"',
                                   r'"a\U0001FFFFb"', r'"a\x00b"'])
def test_control_characters_in_front_matter_are_errors(tmp_path: Path, title: str) -> None:
    text = front_matter(title=title, topic=CANARY) + "正文。\n"
    root = mini_site(tmp_path, {DOC: text, GOOD: good_doc()})
    code, stderr = build(root, "--keep-going")
    assert code == 1 and f"content/{DOC}:2: E108" in stderr
    assert CANARY.encode() not in build_bytes(root)
    ET.parse(root / "build/feed.xml")
    ET.parse(root / "build/sitemap.xml")


def test_a_raw_control_character_in_front_matter_is_located(tmp_path: Path) -> None:
    text = front_matter(topic=f"主题\x0b{CANARY}") + "正文。\n"
    root = mini_site(tmp_path, {DOC: text})
    code, stderr = build(root)
    assert code == 1 and f"content/{DOC}:10: E108" in stderr and "U+000B" in stderr


def test_a_control_character_in_catalog_yaml_is_located(tmp_path: Path) -> None:
    root = mini_site(tmp_path, {GOOD: good_doc()})
    catalog = MINI_CATALOG.replace("name: 政策文件", r'name: "政策\x1b[31m文件"')
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    code, stderr = build(root)
    line = catalog.split("\n").index(r'    name: "政策\x1b[31m文件"') + 1
    assert code == 1 and f"catalog.yaml:{line}: E108" in stderr


def test_control_characters_in_a_body_are_removed_with_a_warning(tmp_path: Path) -> None:
    body = "第一段。\n\n第二\x0c段\x00落\x85。\n\n引用&#1;与&#xFFFE;和&#0;，保留&#x4E2D;。\n"
    root = mini_site(tmp_path, {DOC: front_matter() + body})
    code, stderr = build(root)
    assert code == 0
    assert f"content/{DOC}:13: W010 正文含有 6 个不可见的控制字符" in stderr
    for path in (root / "build").rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".txt"):
            assert first_bad(path.read_text("utf-8")) is None, path
    page = (root / "build/zcwj/zcwj-qtwj/x/index.html").read_text("utf-8")
    assert "第二段落。" in page and "引用与和，保留中。" in page
    ET.parse(root / "build/feed.xml")


# --- theme and base_url ----------------------------------------------------------------


@pytest.mark.parametrize("theme", ["/etc", "../content", "default/../../content", "a/b"])
def test_theme_must_be_a_folder_name_under_themes(tmp_path: Path, theme: str) -> None:
    root = mini_site(tmp_path, {GOOD: good_doc()})
    catalog = MINI_CATALOG.replace("  language: zh-CN\n", f"  language: zh-CN\n  theme: {theme}\n")
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    code, stderr = build(root)
    assert code == 1 and "catalog.yaml:6: E109" in stderr


def test_theme_static_files_do_not_follow_links_out_of_the_theme(tmp_path: Path) -> None:
    secret = tmp_path / "outside"
    (secret / "folder").mkdir(parents=True)
    (secret / "secret.txt").write_text(CANARY)
    (secret / "folder" / "inner.txt").write_text(CANARY)
    root = mini_site(tmp_path / "site", {GOOD: good_doc()})
    static = root / "themes/own/static"
    static.mkdir(parents=True)
    (static / "own.css").write_text("body {}")
    (static / "inside.css").symlink_to(static / "own.css")
    (static / "secret.txt").symlink_to(secret / "secret.txt")
    (static / "folder").symlink_to(secret / "folder")
    catalog = MINI_CATALOG.replace("  language: zh-CN\n", "  language: zh-CN\n  theme: own\n")
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    code, stderr = build(root)
    assert code == 0, stderr
    assert (root / "build/static/own.css").is_file() and (root / "build/static/inside.css").is_file()
    assert not (root / "build/static/secret.txt").exists()
    assert not (root / "build/static/folder").exists()
    assert CANARY.encode() not in build_bytes(root)


@pytest.mark.parametrize("url", ["javascript:alert(1)//", "ftp://example.gov.cn/",
                                 "www.example.gov.cn", "//example.gov.cn/", "https://"])
def test_base_url_must_be_http(tmp_path: Path, url: str) -> None:
    root = mini_site(tmp_path, {GOOD: good_doc()})
    catalog = MINI_CATALOG.replace("https://www.test.example.gov.cn/", f'"{url}"')
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    code, stderr = build(root)
    assert code == 1 and "catalog.yaml:4: E110" in stderr


def test_base_url_option_must_be_http(tmp_path: Path) -> None:
    root = mini_site(tmp_path, {GOOD: good_doc()})
    code, stderr = build(root, "--base-url", "javascript:alert(1)//")
    assert code == 2 and "须为 http:// 或 https:// 开头的网址" in stderr
    assert not (root / "build").exists()


# --- govsite check --output ------------------------------------------------------------


@pytest.mark.parametrize("target", ["content/report.html", "content/zcwj/r.json", "themes/r.txt",
                                    "build/check.html"])
def test_check_output_refuses_published_folders(tmp_path: Path, target: str) -> None:
    secret = front_matter(title=f"{CANARY}内部文件", disclosure="不予公开",
                          exempt_basis="《条例》第十四条") + "正文。\n"
    root = mini_site(tmp_path, {DOC: secret})
    code, stderr = run("check", "--site", str(root), "--format", "json", "--output",
                       str(root / target))
    assert code == 2 and "报告不能写入" in stderr
    assert not (root / target).exists()


# --- a build that fails or is killed ---------------------------------------------------


def test_a_full_disk_is_one_line_not_a_traceback(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = mini_site(tmp_path, {GOOD: good_doc()})
    assert build(root)[0] == 0
    before = build_bytes(root)

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_bytes", full)
    (root / "content" / GOOD).write_text(good_doc().replace("公开的正文", "新的正文"), "utf-8")
    code, stderr = build(root)
    assert code == 2
    assert stderr.count("\n") == 1 and "磁盘空间不足" in stderr and "Traceback" not in stderr
    monkeypatch.undo()
    assert build_bytes(root) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".build")] == []


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def big_site(tmp_path: Path) -> Path:
    paragraph = "根据有关规定，现将本年度政府信息公开工作情况报告如下。" * 20
    docs = {f"zcwj/zcwj-qtwj/d{n:04d}.md": front_matter(title=f"文件{n}") + paragraph + "\n"
            for n in range(600)}
    return mini_site(tmp_path / "site", docs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_build_leaves_no_workers_behind(tmp_path: Path, sig: signal.Signals) -> None:
    root = big_site(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "govsite", "build", "--site", str(root),
                                "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:  # wait for the pages to be written while the search index is built beside them
        deadline = time.monotonic() + 60
        while not (list(root.glob(".build.tmp-*")) and (workers := descendants(process.pid))):
            assert process.poll() is None, "the build ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        process.send_signal(sig)
        process.wait(60)
        deadline = time.monotonic() + 1.0  # indexing alone would take longer
        while any(alive(pid) for pid in workers):
            assert time.monotonic() < deadline, [pid for pid in workers if alive(pid)]
            time.sleep(0.02)
    finally:
        process.kill()
    staged = [p.name for p in root.iterdir() if p.name.startswith(".build")]
    if sig == signal.SIGTERM:  # it could clean up after itself
        assert staged == []
    else:  # it could not: the next build removes its folder
        assert staged == [f".build.tmp-{process.pid}"]
        assert build(root)[0] == 0
        assert [p.name for p in root.iterdir() if p.name.startswith(".build")] == []


HANGING_CLEANUP = """
import sys, time
from pathlib import Path
from govsite import lifetime
lifetime.FORCED_EXIT_SECONDS = 0.5
lifetime.end_with_this_process()
folder = Path(sys.argv[1])
folder.mkdir()
with lifetime.unfinished(folder):
    try:
        print("ready", flush=True)  # inside the try: the signal may come as soon as it is read
        time.sleep(60)
    except SystemExit:
        time.sleep(60)  # a cleanup that never ends, as a process pool's can after a signal
"""


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")
def test_a_cleanup_that_hangs_after_sigterm_is_cut_short(tmp_path: Path) -> None:
    folder = tmp_path / ".build.tmp-unfinished"
    env = os.environ | {"PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-c", HANGING_CLEANUP, str(folder)],
                               stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout.readline().strip() == "ready"  # type: ignore[union-attr]
        assert folder.is_dir()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 128 + signal.SIGTERM
        assert time.monotonic() - started < 10
        assert not folder.exists()
    finally:
        process.kill()


def test_staging_folders_of_dead_builds_are_removed_and_git_ignored(tmp_path: Path) -> None:
    root = mini_site(tmp_path, {GOOD: good_doc()})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    for name in (f".build.tmp-{dead}", f".build.old-{dead}"):
        (root / name).mkdir()
        (root / name / MARKER).write_text("x")
    kept = root / ".build.tmp-1"  # pid 1 is alive: a running build's folder is left alone
    kept.mkdir()
    (kept / MARKER).write_text("x")
    for gitignore in (GITIGNORE, (REPO / ".gitignore").read_text("utf-8")):
        (root / ".gitignore").write_text(gitignore, encoding="utf-8")
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        for name in (f".build.tmp-{dead}/x", f".build.old-{dead}/x", "build/x", ".govsite-cache/x"):
            assert subprocess.run(["git", "-C", str(root), "check-ignore", "-q", name]).returncode == 0
    # the dead build died between its two renames: its .old folder is the previous site
    assert build(root)[0] == 0
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".build")) == [kept.name]


# --- --keep-going ----------------------------------------------------------------------


def test_keep_going_reports_real_problems_and_skips_documents_linking_skipped_ones(
        tmp_path: Path) -> None:
    broken = front_matter(title=f"{CANARY}甲", date="2026-13-01") + "正文。\n"
    linking = front_matter(title=f"{CANARY}乙") + "见[甲文件](x.md)。\n"
    further = front_matter(title=f"{CANARY}丙") + "见[乙文件](linking.md)。\n"
    root = mini_site(tmp_path, {DOC: broken, "zcwj/zcwj-qtwj/linking.md": linking,
                                "zcwj/zcwj-qtwj/further.md": further, GOOD: good_doc()})
    code, stderr = build(root, "--keep-going")
    assert code == 1
    assert f"content/{DOC}:4: E008" in stderr  # the real problem, not only E000
    assert "content/zcwj/zcwj-qtwj/linking.md:11: E301" in stderr
    assert "content/zcwj/zcwj-qtwj/further.md:11: E301" in stderr
    for rel in (DOC, "zcwj/zcwj-qtwj/linking.md", "zcwj/zcwj-qtwj/further.md"):
        assert f"content/{rel}:-: E000" in stderr
    site = build_bytes(root)
    assert CANARY.encode() not in site and b'href="#"' not in site
    assert "另一个文件".encode() in site


# --- finding and splitting documents ---------------------------------------------------


@pytest.mark.parametrize("name", ["X.MD", "x.markdown", "x.Md"])
def test_markdown_files_with_another_suffix_get_a_warning(tmp_path: Path, name: str) -> None:
    root = mini_site(tmp_path, {f"zcwj/zcwj-qtwj/{name}": good_doc(), GOOD: good_doc()})
    code, stderr = build(root)
    assert code == 0 and f"content/zcwj/zcwj-qtwj/{name}:-: W011" in stderr


def test_an_indented_rule_in_a_block_scalar_does_not_end_the_front_matter(tmp_path: Path) -> None:
    text = front_matter(title="|\n  第一行\n  ---\n  第三行") + "正文段落。\n"
    root = mini_site(tmp_path, {DOC: text})
    code, stderr = build(root)
    assert code == 0, stderr
    page = (root / "build/zcwj/zcwj-qtwj/x/index.html").read_text("utf-8")
    assert "第三行" in page and "正文段落。" in page

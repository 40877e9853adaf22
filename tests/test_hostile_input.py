"""Hostile input is bounded: YAML aliases are refused, a Markdown conversion has a depth and time
budget, and problems never echo a huge value. Each is a located error for its own file, found
fast, and `--keep-going` publishes the other documents."""

from __future__ import annotations

import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import MINI_CATALOG, front_matter, mini_site

from govsite import body
from govsite.body import BODY_CODEC, convert
from govsite.cache import Memo
from govsite.parallel import BODIES
from govsite.problems import MAX_MESSAGE

HOSTILE = "content/zcwj/zcwj-qtwj/h.md"
CANARY = "敌意文件CANARY-H"
# Bounds on one `govsite` subprocess, startup included. The CPU seconds it uses bound its work
# whatever else the machine runs; the wall bound catches a hang (on the hostile input below,
# Python-Markdown and PyYAML run for minutes).
CPU_BOUND = 8.0
WALL_BOUND = 60.0

ALIAS_BOMB = "\n".join(
    [f'l0: &l0 ["{"lol" * 3}"]']
    + [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]
)  # 9 ** 8 = 43 million strings once expanded
DEEP_LIST = "".join("    " * level + "- 层\n" for level in range(3000))


def hostile_document(case: str) -> tuple[str, int, str]:
    """The document's text, the line its problem must name, and the code."""
    head = front_matter(title=CANARY, slug="h")
    lines_before = head.count("\n")  # the body starts on the next line
    if case == "alias bomb":
        front = head.removesuffix("---\n")
        return front + ALIAS_BOMB + "\n---\n正文。\n", front.count("\n") + 1, "E020"
    if case == "50,000 [":
        return head + "前言。\n\n" + "[" * 50000 + "\n", lines_before + 3, "E023"
    if case == "3,000-deep list":
        return head + DEEP_LIST, lines_before + 1 + 50, "E021"
    if case == "3,000-deep list indented by tabs":
        return head + "".join("\t" * level + "- 层\n" for level in range(3000)), lines_before + 51, "E021"
    if case == "3,000 list markers on a line":
        return head + "- " * 3000 + "x\n", lines_before + 1, "E021"
    assert case == "20,000 '<a '"  # not caught by the scan: the time budget stops it
    return head + "<a " * 20000 + "\n", lines_before + 1, "E022"


def govsite(*args: str) -> subprocess.CompletedProcess[str]:
    """The finished command, after asserting it kept to the bounds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "govsite", *args], capture_output=True,
                            text=True, timeout=WALL_BOUND * 2)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    assert cpu < CPU_BOUND and wall < WALL_BOUND, (cpu, wall)
    return result


def site_with(tmp_path: Path, hostile: str) -> Path:
    return mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/a.md": front_matter(title="正常文件", slug="a") + "正常的正文。\n",
        "zcwj/zcwj-qtwj/h.md": hostile,
    })


CASES = ["alias bomb", "50,000 [", "3,000-deep list", "3,000-deep list indented by tabs",
         "3,000 list markers on a line", "20,000 '<a '"]


@pytest.mark.parametrize("case", CASES)
def test_hostile_document_is_a_located_error_and_keep_going_skips_it(tmp_path: Path,
                                                                      case: str) -> None:
    text, line, code = hostile_document(case)
    root = site_with(tmp_path, text)
    checked = govsite("check", "--site", str(root))
    assert checked.returncode == 1
    assert f"{HOSTILE}:{line}: {code} " in checked.stdout
    out = tmp_path / "out"
    result = govsite("build", "--site", str(root), "--out", str(out), "--keep-going")
    assert "Traceback" not in result.stderr
    assert result.returncode == 1 and f"{HOSTILE}:-: E000 " in result.stderr
    assert (out / "zcwj/zcwj-qtwj/a/index.html").is_file()
    assert all(CANARY.encode() not in p.read_bytes() for p in out.rglob("*") if p.is_file())


def test_without_keep_going_the_build_stops_with_the_located_error(tmp_path: Path) -> None:
    text, line, code = hostile_document("3,000-deep list")
    root = site_with(tmp_path, text)
    result = govsite("build", "--site", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"{HOSTILE}:{line}: {code} " in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_alias_bomb_in_the_catalogue_is_refused(tmp_path: Path) -> None:
    catalog = MINI_CATALOG.replace("units:\n", ALIAS_BOMB + "\nunits:\n", 1)
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter(slug="a") + "正文。\n"})
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    line = catalog.split("\n").index(ALIAS_BOMB.split("\n")[0]) + 1
    result = govsite("check", "--site", str(root))
    assert result.returncode == 1
    assert f"catalog.yaml:{line}: E020 YAML 锚点“&l0”不允许使用" in result.stdout + result.stderr


def test_a_single_alias_is_refused_where_it_is_written(tmp_path: Path) -> None:
    head = front_matter(slug="h", title="标题", reviewer="*someone")
    root = site_with(tmp_path, head + "正文。\n")
    result = govsite("check", "--site", str(root))
    line = head.split("\n").index("reviewer: *someone") + 1
    assert f"{HOSTILE}:{line}: E020 YAML 别名“*someone”不允许使用" in result.stdout


def test_the_time_budget_works_in_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body, "TIME_BUDGET", 0.5)  # forked workers inherit it
    jobs = {f"d{n}": (f"content/d{n}.md", f"正文{n}。\n", 10) for n in range(BODIES)}
    jobs["slow"] = ("content/slow.md", "<a " * 20000, 10)
    started = time.perf_counter()
    results = Memo(None, BODY_CODEC).compute(convert, jobs)
    assert time.perf_counter() - started < WALL_BOUND
    assert results["slow"].refused is not None and results["slow"].refused[:2] == (10, "E022")
    assert results["d7"].refused is None and "正文7" in results["d7"].html


def test_the_time_budget_restores_the_previous_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body, "TIME_BUDGET", 0.3)
    fired: list[int] = []
    previous = signal.signal(signal.SIGPROF, lambda signum, frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_PROF, 20.0)
        refused = convert("content/x.md", "<a " * 20000, 3).refused
        assert refused is not None and refused[:2] == (3, "E022")
        left, _ = signal.getitimer(signal.ITIMER_PROF)
        assert 10 < left < 20  # the outer timer runs on, less the time spent
        assert fired == []
        signal.setitimer(signal.ITIMER_PROF, 0.01)
        started = time.perf_counter()
        while not fired and time.perf_counter() - started < WALL_BOUND:
            pass  # spend CPU time
        assert fired == [signal.SIGPROF]  # and its handler is back
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def test_running_out_of_stack_is_a_located_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body, "DEEP_RE", re.compile("(?!)"))  # as if the scan missed it
    refused = convert("content/x.md", "- " * 3000 + "x\n", 7).refused
    assert refused is not None and refused[:2] == (7, "E021")


def test_the_scan_works_outside_the_main_thread() -> None:
    """govsite serve converts in its rebuild thread, where no alarm can be set."""
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(convert("c.md", "[" * 50000, 1)))
    thread.start()
    thread.join(WALL_BOUND)
    assert results and getattr(results[0], "refused", None) is not None


def test_ordinary_bodies_are_not_refused() -> None:
    text = "".join("  " * level + "- 层\n" for level in range(10)) + "[链接](a.md) " * 600
    converted = convert("content/x.md", "> 引用\n>> 引用\n\n" + text, 1)
    assert converted.refused is None and len(converted.links) == 600


def test_problems_never_echo_a_huge_value(tmp_path: Path) -> None:
    huge = "青府" * 60000
    root = site_with(tmp_path, front_matter(slug="h", doc_number=huge) + "正文。\n")
    result = govsite("check", "--site", str(root))
    assert result.returncode == 1
    [line] = [line for line in result.stdout.splitlines() if " E204 " in line]
    assert len(line) < len(HOSTILE) + 20 + MAX_MESSAGE
    assert "“" + "青府" * 100 + "…”格式错误" in line

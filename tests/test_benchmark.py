"""The realistic benchmark's generator and a smoke run of its runner at a tiny size (not timed)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from realistic_corpus import edit, generate  # noqa: E402

from govsite.build import collect_problems  # noqa: E402
from govsite.problems import count_errors  # noqa: E402


def tree_digest(root: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            sha.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("realistic") / "site"
    generate(root, 400, seed=17)
    return root


def test_generator_is_deterministic(site: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", 400, seed=17)
    assert tree_digest(tmp_path / "again") == tree_digest(site)


def test_generated_documents_are_distinct_and_realistic(site: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((site / "content").rglob("*.md"))]
    assert len(texts) == 400
    bodies = [t.split("\n---\n", 1)[1] for t in texts]
    assert len(set(bodies)) == len(bodies)
    lengths = sorted(len(b) for b in bodies)
    assert lengths[0] >= 300 and lengths[-1] <= 9000
    assert 2000 <= lengths[len(lengths) // 2] <= 4000  # median about 3,000 characters
    assert sum("\n| " in b for b in bodies) > 40  # tables
    assert sum("\n1. " in b or "\n- " in b for b in bodies) > 100  # lists
    assert sum("](../" in b for b in bodies) > 100  # links between documents
    assert sum("attachments:" in t for t in texts) > 20
    assert sum("disclosure: 依申请公开" in t for t in texts) >= 4
    assert sum("disclosure: 不予公开" in t for t in texts) >= 2
    assert sum("interprets:" in t for t in texts) > 10
    domains = [p for p in (site / "content").iterdir() if p.is_dir()]
    assert len(domains) == 25
    assert sum(1 for p in (site / "content").glob("*/*") if p.is_dir()) == 150


def test_generated_site_has_no_errors(site: Path) -> None:
    problems, catalog, _ = collect_problems(site)
    assert catalog is not None and len(catalog.items) == 150
    assert count_errors(problems) == 0, [str(p) for p in problems if p.code.startswith("E")][:5]


def test_edit_changes_one_published_document(site: Path, tmp_path: Path) -> None:
    generate(tmp_path / "copy", 60, seed=17)
    before = {p: p.read_bytes() for p in (tmp_path / "copy" / "content").rglob("*.md")}
    edited = edit(tmp_path / "copy")
    after = {p: p.read_bytes() for p in (tmp_path / "copy" / "content").rglob("*.md")}
    assert [p for p in before if before[p] != after[p]] == [edited]
    assert "disclosure: 主动公开" in edited.read_text(encoding="utf-8")


def test_runner_smoke(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "realistic.py"), "--docs", "40", "--keep", str(tmp_path)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300, check=True)
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    names = [row.split("|")[1].strip() for row in rows]
    assert names[:8] == ["40 documents", "floor", "cold build", "no-change build", "one-edit build",
                         "check, nothing changed", "check after one edit", names[7]]
    assert names[7].startswith("cache / build/")
    assert all("×" in row for row in rows[1:])
    assert (tmp_path / "build-40" / "index.html").is_file()
    assert len(list((tmp_path / "floor-40").rglob("*.html"))) == 40


def test_cold_cpu_smoke(tmp_path: Path) -> None:
    generate(tmp_path / "site", 40, seed=5)
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "cold_cpu.py"), str(tmp_path / "site")],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300, check=True)
    rows = [line.split("|")[1].strip() for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows == ["stage", "start", "读取与检查", "渲染页面", "写入", "搜索索引", "total"]
    assert (tmp_path / "site" / "build" / "index.html").is_file()

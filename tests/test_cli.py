"""The CLI's own behaviour: exit codes, usage errors, the build progress bar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import front_matter, mini_site

from govsite import __version__
from govsite.cli import BuildProgress


def govsite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govsite", *args], capture_output=True, text=True)


def test_version() -> None:
    result = govsite("--version")
    assert result.returncode == 0 and __version__ in result.stdout


def test_build_summary_and_exit_codes(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {"zcwj/zcwj-qtwj/a.md": front_matter() + "正文。\n"})
    result = govsite("build", "--site", str(root), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "已发布 1 个文件，不公开 0 个" in result.stdout
    assert govsite("build", "--site", str(root), "--no-such-option").returncode == 2
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    refused = govsite("build", "--site", str(root), "--out", str(foreign))
    assert refused.returncode == 2 and "拒绝覆盖" in refused.stderr
    quiet = govsite("build", "--site", str(root), "--out", str(tmp_path / "out"), "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_progress_bar_appears_only_after_the_delay(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with BuildProgress(enabled=True) as progress:
        progress("读取与检查")
    assert capsys.readouterr().out == ""  # a fast build shows no bar
    monkeypatch.setattr(BuildProgress, "DELAY", 0.0)
    with BuildProgress(enabled=True) as progress:
        for stage in progress.stages:
            progress(stage)
    assert "构建中" in capsys.readouterr().out

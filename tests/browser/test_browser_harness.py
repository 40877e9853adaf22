"""The harness itself: each detector must pass a clean page and catch a broken one."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser_harness import require_command, require_file

pytestmark = pytest.mark.browser

GOOD = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>好页面</title></head>
<body><main><h1>好页面</h1><p>正文<img src="a.png" alt="图"></p></main></body></html>
"""
BAD = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>坏页面</title></head>
<body><p><div>块</div></p><img src="a.png"></body></html>
"""


@pytest.fixture(scope="module")
def pages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("harness")
    (root / "good.html").write_text(GOOD, encoding="utf-8")
    (root / "bad.html").write_text(BAD, encoding="utf-8")
    return root


def test_axe_passes_clean_page_and_catches_broken_one(serve, pages_dir, page, axe) -> None:
    base = serve(pages_dir)
    page.goto(base + "good.html")
    assert axe(page) == []
    page.goto(base + "bad.html")
    ids = {line.split(" ", 1)[0] for line in axe(page)}
    assert {"image-alt", "html-has-lang"} <= ids


def test_vnu_passes_clean_page_and_catches_broken_one(pages_dir, vnu) -> None:
    errors = vnu([pages_dir / "good.html", pages_dir / "bad.html"])
    assert errors and all("bad.html" in e for e in errors)
    assert any("alt" in e for e in errors)


def test_missing_tools_fail_instead_of_skipping(tmp_path) -> None:
    with pytest.raises(pytest.fail.Exception, match="scripts/test"):
        require_file(tmp_path / "vnu.jar", "vnu.jar")
    with pytest.raises(pytest.fail.Exception, match="scripts/test"):
        require_command("no-such-command-govsite")

"""Helpers for the real-browser suite: tool lookup, axe-core and Nu Html Checker runners.

Missing tools make the tests FAIL, never skip: CI must not turn green without a browser.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
# The site under test: the sample site, or another one (GOVSITE_BROWSER_SITE=DIR) to audit it.
SITE_ROOT = Path(os.environ.get("GOVSITE_BROWSER_SITE") or REPO_ROOT).resolve()
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FIX_HINT = "run scripts/test (it calls scripts/install-browser-deps) to install it"


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        pytest.fail(f"{what} not found at {path}; {FIX_HINT}", pytrace=False)
    return path


def require_command(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"`{name}` is not on PATH; {FIX_HINT}", pytrace=False)
    return found


def format_violation(violation: dict[str, Any]) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}) at {node['target']}: {violation['help']}"
        for node in violation["nodes"]
    ]


def run_axe(page: Any) -> list[str]:
    """Run axe-core (WCAG 2.1 A/AA) on the page; one readable line per failing node."""
    page.add_script_tag(path=str(require_file(AXE_JS, "axe-core")))
    violations = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations)",
        AXE_TAGS,
    )
    return [line for violation in violations for line in format_violation(violation)]


def run_vnu(paths: list[Path]) -> list[str]:
    """Validate all files in one Java run; returns 'file:line:col: message' per error."""
    java = require_command("java")
    jar = require_file(VNU_JAR, "vnu.jar (npm vnu-jar)")
    if not paths:
        return []
    proc = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(proc.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu gave no JSON (exit {proc.returncode}): {proc.stderr[:2000]}")
    return [
        f"{m.get('url', '?')}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m['type']} {m['message']}"
        for m in messages
        if m["type"] != "info"
    ]

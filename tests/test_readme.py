"""The README documents every problem code the code can report."""

from __future__ import annotations

import re
from pathlib import Path

from govsite.problems import CODES, codes_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_lists_every_problem_code() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"<!-- codes:start -->\n(.*?)\n<!-- codes:end -->", text, re.DOTALL)
    assert section, "README lacks the codes section"
    assert section.group(1) == codes_table(), (
        "README code table is out of date: run scripts/update-readme-codes")
    listed = re.findall(r"`([EW]\d{3})` ", section.group(1))
    assert sorted(listed) == sorted(CODES), "every code is listed once, with its meaning"


def test_readme_is_a_short_guide() -> None:
    """The user's guide stays under 300 lines; internals live in docs/."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 300
    for step in ("建站", "导入文件", "预览", "检查", "发布"):
        assert re.search(rf"^### \d\. {step}", text, re.M), step
    for link in re.findall(r"\]\((docs/[^)]+)\)", text):
        assert (README.parent / link).is_file(), link


def first_command() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert block, "README has no sh code block"
    return next(line for line in block.group(1).splitlines() if line and not line.startswith("#"))


def test_readme_first_command_installs_into_a_virtual_environment() -> None:
    """Stock Debian 12 / Ubuntu 24.04 refuse `pip install` into the system Python (PEP 668)."""
    steps = [step.strip() for step in first_command().split("&&")]
    assert steps[0].startswith("python3 -m venv "), steps
    venv = steps[0].split()[-1]
    assert all(step.startswith(f"{venv}/bin/") for step in steps[1:]), steps
    assert any(step.startswith(f"{venv}/bin/pip install") for step in steps), steps
    assert steps[-1] == f"{venv}/bin/govsite build"
    assert not any(word in first_command() for word in ("sudo", "--break-system-packages", "--user"))

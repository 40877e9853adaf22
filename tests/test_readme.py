"""The README documents every problem code the code can report."""

from __future__ import annotations

import re
from pathlib import Path

from govsite.problems import codes_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_lists_every_problem_code() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"<!-- codes:start -->\n(.*?)\n<!-- codes:end -->", text, re.DOTALL)
    assert section, "README lacks the codes section"
    assert section.group(1) == codes_table(), (
        "README code table is out of date: run scripts/update-readme-codes")

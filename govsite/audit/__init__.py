"""The inspector's audit: warnings inspectors count although the site itself is correct.

The core (load, resolve, body) reports the errors; run_checks adds the W-codes. Messages name
unpublished documents, so they go to the terminal or a report file, never into build/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from govsite.audit.bodyformat import Findings, check_body_format
from govsite.audit.column import COLUMN_CHECKS
from govsite.audit.context import Audit
from govsite.audit.coverage import check_coverage
from govsite.audit.identity import check_identity
from govsite.audit.interpretation import check_interpretations
from govsite.audit.records import check_doc_numbers, check_titles
from govsite.audit.staleness import check_staleness
from govsite.audit.structure import check_invalid_citations, check_projects
from govsite.audit.timeliness import check_timeliness
from govsite.model import Catalog, Document, Site
from govsite.problems import Problem

# Warnings only: govsite serve works them out after the pages are written (rebuild.py).
ADVISORY = (
    check_doc_numbers,
    check_titles,
    check_body_format,
    check_coverage,
    check_timeliness,
    check_staleness,
    check_interpretations,
    check_identity,
    check_projects,
    check_invalid_citations,
)
CHECKS = (*ADVISORY, *COLUMN_CHECKS)  # the column's may report errors (E908)

Check = Callable[[Audit], list[Problem]]


def run_checks(
    catalog: Catalog, documents: list[Document], today: date, *, root: Path,
    site: Site | None = None, body_findings: Mapping[str, Findings] | None = None,
    checks: Sequence[Check] = CHECKS,
) -> list[Problem]:
    """`site`: the published site, for the checks of the 政府信息公开 column (zfxxgk/);
    `body_findings`: the body-format findings already known (the build's cache), by path."""
    audit = Audit(catalog, tuple(documents), today, root, site, body_findings or {})
    return [problem for check in checks for problem in check(audit)]  # callers sort

"""The HTML report: one self-contained page a county office can circulate (the 通报 view).

Inline CSS and SVG only, so it opens from an e-mail attachment; the charts repeat numbers that
the tables also give, for readers who cannot see them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from govsite.audit.verdict import VETO_THRESHOLD, item_label, verdict
from govsite.model import Catalog, Document
from govsite.problems import CODES, Problem, count_errors

INTERACTION_VETO = "W909"  # a message unanswered for 3 months: 互动回应差, 单项否决 on its own
COLUMN_CODES = ("E901", "E902", "E903", "E904", "E905", "E906", "W903", "W904", "W905",
                "W906", "W907", "W908", "W909", "W910", "W911", "W912", "W913", "W914")  # the 政府信息公开 column
LATE = "W601"
NO_UNIT = "（未注明单位）"
BAR = {"left": 260, "width": 360, "height": 22, "gap": 10, "top": 10}


@dataclass
class UnitRow:
    name: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return count_errors(self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def count(self, *codes: str) -> int:
        return sum(p.code in codes for p in self.problems)


@dataclass(frozen=True)
class DomainRow:
    id: str
    name: str
    items: int
    published: int
    late: int
    empty: int
    stale: int

    @property
    def on_time(self) -> int | None:
        """Percent of published documents inside the time limit (None: nothing published)."""
        if not self.published:
            return None
        return round(100 * (self.published - self.late) / self.published)


def render_report(
    problems: list[Problem], catalog: Catalog | None, documents: list[Document], today: date
) -> str:
    units = unit_rows(problems)
    orgs = org_rows(problems, catalog) if catalog and catalog.orgs else []
    domains = domain_rows(problems, catalog, documents, today) if catalog else []
    result = verdict(problems)
    errors = result.errors
    unanswered = [p for p in problems if p.code == INTERACTION_VETO]
    context = {
        "title": catalog.site.title if catalog else "（catalog.yaml 无法读取）",
        "today": today,
        "problems": problems,
        "errors": errors,
        "warnings": len(problems) - errors,
        "veto": result.veto,
        "unanswered": unanswered,
        "column_units": unit_rows([p for p in problems if p.code in COLUMN_CODES]),
        "veto_items": [item_label(catalog, item) for item in result.veto_items],
        "item_label": lambda item: item_label(catalog, item),
        "veto_threshold": VETO_THRESHOLD,
        "documents": len(documents),
        "public": sum(d.is_public for d in documents),
        "items": len(catalog.items) if catalog else 0,
        "codes": code_rows(problems),
        "units": units,
        "orgs": orgs,
        "domains": domains,
        "unit_chart": bars([(u.name, len(u.problems), str(len(u.problems))) for u in units]),
        "domain_chart": bars([
            (d.name, d.on_time, f"{d.on_time}%") for d in domains if d.on_time is not None
        ], scale=100),
    }
    return _environment().get_template("report.html.j2").render(context)


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def code_rows(problems: list[Problem]) -> list[tuple[str, str, int]]:
    counts = Counter(p.code for p in problems)
    return [(code, CODES.get(code, ""), counts[code]) for code in sorted(counts)]


def unit_rows(problems: list[Problem]) -> list[UnitRow]:
    rows: dict[str, UnitRow] = {}
    for problem in problems:
        name = problem.unit or NO_UNIT
        rows.setdefault(name, UnitRow(name)).problems.append(problem)
    return sorted(rows.values(), key=lambda r: (-r.errors, -len(r.problems), r.name))


COUNTY = "县本级"


def org_label(org_id: str | None, catalog: Catalog) -> str:
    """"大塅镇", "大塅镇石门村" (a village under its town), or 县本级."""
    if org_id is None:
        return COUNTY
    org = catalog.org_by_id[org_id]
    return (catalog.org_by_id[org.parent].name if org.parent else "") + org.name


def org_of(problem: Problem, catalog: Catalog) -> str:
    """The 乡镇/村 a problem belongs to, by its item."""
    item = catalog.item_by_id.get(problem.item or "")
    return org_label(item.org if item else None, catalog)


def org_rows(problems: list[Problem], catalog: Catalog) -> list[UnitRow]:
    """One row per org in catalogue order, 县本级 first: inspectors count each 乡镇's empty and
    stale columns separately (单项否决 at VETO_THRESHOLD of them)."""
    rows = {COUNTY: UnitRow(COUNTY)}
    rows |= {label: UnitRow(label) for label in (org_label(o.id, catalog) for o in catalog.orgs)}
    for problem in problems:
        rows[org_of(problem, catalog)].problems.append(problem)
    return list(rows.values())


def domain_rows(
    problems: list[Problem], catalog: Catalog, documents: list[Document], today: date
) -> list[DomainRow]:
    published: Counter[str] = Counter()
    live = {doc.rel for doc in documents if doc.is_live(today)}
    for doc in documents:
        item = catalog.item_by_id.get(doc.item_id)
        if item and doc.rel in live:
            published[item.domain_id] += 1
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for problem in problems:
        item = catalog.item_by_id.get(problem.item or "")
        # a late document not yet published is counted once it is: the rate is of the published
        if item and (problem.code != LATE or problem.path in live):
            found[item.domain_id][problem.code] += 1
    return [
        DomainRow(
            d.id, d.name, len(d.items), published[d.id], found[d.id][LATE],
            found[d.id]["W501"], found[d.id]["W701"],
        )
        for d in catalog.domains
    ]


def bars(rows: list[tuple[str, int | None, str]], scale: int | None = None) -> dict[str, object]:
    """Geometry of a horizontal bar chart: one bar per (label, value, shown text)."""
    top = max((value or 0 for _, value, _ in rows), default=0)
    scale = scale or max(top, 1)
    step = BAR["height"] + BAR["gap"]
    shapes = [
        {
            "label": label if len(label) <= 18 else label[:17] + "…",
            "text": text,
            "y": BAR["top"] + n * step,
            "width": round(BAR["width"] * (value or 0) / scale, 1),
        }
        for n, (label, value, text) in enumerate(rows)
    ]
    height = BAR["top"] * 2 + step * len(rows)
    return {"bars": shapes, "height": height, "summary": "；".join(f"{r[0]} {r[2]}" for r in rows)}

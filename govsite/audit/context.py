"""What every audit check reads: the catalogue, all documents, the date, and problem builders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from govsite.load import CATALOG
from govsite.model import Catalog, Document, Item, Site
from govsite.problems import Problem


@dataclass(frozen=True)
class Audit:
    catalog: Catalog
    documents: tuple[Document, ...]
    today: date
    root: Path
    site: Site | None = None  # the published site: its column (zfxxgk/), when it has one
    # bodyformat.findings of documents by path, computed beforehand (the build's cache)
    body_findings: Mapping[str, tuple[tuple[int, str, str], ...]] = field(default_factory=dict)

    @cached_property
    def live(self) -> tuple[Document, ...]:
        """What a visitor sees today: 主动公开 documents already published."""
        return tuple(d for d in self.documents if d.is_live(self.today))

    @cached_property
    def live_by_item(self) -> dict[str, list[Document]]:
        grouped: dict[str, list[Document]] = {}
        for doc in self.live:
            grouped.setdefault(doc.item_id, []).append(doc)
        return grouped

    @cached_property
    def live_by_rel(self) -> dict[str, Document]:
        return {doc.rel: doc for doc in self.live}

    def doc_problem(self, doc: Document, key: str, code: str, message: str) -> Problem:
        return self.doc_line_problem(doc, doc.line_of(key), code, message)

    def doc_line_problem(self, doc: Document, line: int, code: str, message: str) -> Problem:
        unit = self.catalog.unit_name(doc.issuer)
        return Problem(doc.rel, line, code, message, item=doc.item_id, unit=unit)

    def item_problem(self, item: Item, code: str, message: str) -> Problem:
        unit = self.catalog.unit_name(item.owner)
        return Problem(CATALOG, item.line or None, code, message, item=item.id, unit=unit)

    def site_problem(self, key: str, code: str, message: str) -> Problem:
        lines = self.catalog.site.lines
        return Problem(CATALOG, lines.get(key) or lines.get("site"), code, message,
                       unit=self.catalog.site.org)

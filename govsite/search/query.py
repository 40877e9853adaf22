"""Query evaluation over the Whoosh index; static/search.js runs the same algorithm in the browser.

A query is whitespace-separated groups; a document matches when every group matches as a phrase
(consecutive positions) in at least one field. Its score sums, over groups and the fields where
the group matched, the field boost times Whoosh's BM25 of each unit of the group. Ties go to the
higher document number, the newer document (see doc_order), so both sides rank identically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from whoosh.reading import IndexReader
from whoosh.scoring import bm25

from govsite.search.analyzer import TAIL, Unit, query_groups
from govsite.search.indexer import BOOSTS, FIELDS, K1, LENGTH_B

Postings = dict[int, list[int]]  # document number -> positions


def doc_order(records: list[dict[str, str]]) -> list[int]:
    """Indexes of `records` in publication order, oldest first: the browser's document numbers.

    Read backwards, newest first (by date, then URL). A newly published document usually comes
    last, so the numbers of all others stay as they were and their index entries can be kept."""
    by_url = sorted(range(len(records)), key=lambda i: records[i]["url"], reverse=True)
    return sorted(by_url, key=lambda i: records[i]["date"])  # ISO dates; ties keep URL order


def rounded(score: float) -> float:
    """Scores are compared at 1e-6 so that libm differences between Python and JS cannot reorder."""
    return math.floor(score * 1e6 + 0.5) / 1e6


@dataclass(frozen=True)
class Hit:
    doc: int
    score: float
    record: dict[str, str]


class IndexView:
    """The live documents of a Whoosh reader, numbered in publication order (oldest first)."""

    def __init__(self, reader: IndexReader):
        self.reader = reader
        live = list(reader.iter_docs())
        order = doc_order([fields["record"] for _, fields in live])
        self.docnums = [live[i][0] for i in order]
        self.records = [live[i][1]["record"] for i in order]
        self.rels = [live[i][1]["rel"] for i in order]
        self.number = {docnum: n for n, docnum in enumerate(self.docnums)}
        self.count = len(self.docnums)

    def length(self, field: str, doc: int) -> int:
        if field not in LENGTH_B:
            return 0
        return self.reader.doc_field_length(self.docnums[doc], field, 0) or 0  # None if empty

    @cached_property
    def average(self) -> dict[str, float]:
        return {f: sum(self.length(f, d) for d in range(self.count)) / (self.count or 1) or 1.0
                for f in LENGTH_B}

    def postings(self, field: str, term: str) -> Postings:
        if (field, term) not in self.reader:
            return {}
        matcher = self.reader.postings(field, term)
        return {self.number[num]: list(pos) for num, pos in matcher.items_as("positions")}

    def terms(self, field: str, unit: Unit) -> list[str]:
        if unit.mode == "term":
            return [unit.text]
        if unit.mode == "suffix":
            return [unit.text, TAIL + unit.text]
        prefixed = sorted(self.reader.expand_prefix(field, unit.text))
        words = [t.decode() if isinstance(t, bytes) else t for t in prefixed]
        return [*words, TAIL + unit.text] if unit.mode == "any" else words


def unit_postings(view: IndexView, field: str, unit: Unit) -> Postings:
    merged: dict[int, set[int]] = {}
    for term in view.terms(field, unit):
        for doc, positions in view.postings(field, term).items():
            merged.setdefault(doc, set()).update(positions)
    return {doc: sorted(positions) for doc, positions in merged.items()}


def phrase_docs(units: list[Postings]) -> list[int]:
    if not units or not all(units):
        return []
    docs = set(units[0]).intersection(*units[1:])
    return sorted(d for d in docs if _has_phrase([u[d] for u in units]))


def _has_phrase(positions: list[list[int]]) -> bool:
    later = [set(p) for p in positions[1:]]
    return any(all(start + i + 1 in s for i, s in enumerate(later)) for start in positions[0])


def idf(count: int, df: int) -> float:
    return math.log(count / (df + 1)) + 1


def search_view(view: IndexView, query: str) -> list[Hit]:
    groups = query_groups(query)
    if not groups:
        return []
    scores: dict[int, float] = {}
    matched: list[set[int]] = []
    for group in groups:
        found: set[int] = set()
        for field in FIELDS:
            units = [unit_postings(view, field, unit) for unit in group]
            for doc in phrase_docs(units):
                found.add(doc)
                scores[doc] = scores.get(doc, 0.0) + BOOSTS.get(field, 1.0) * _field_score(
                    view, field, doc, units
                )
        matched.append(found)
    docs = set.intersection(*matched)
    hits = [Hit(d, rounded(scores[d]), view.records[d]) for d in docs]
    return sorted(hits, key=lambda h: (-h.score, -h.doc))


def _field_score(view: IndexView, field: str, doc: int, units: list[Postings]) -> float:
    length, average = view.length(field, doc), view.average.get(field, 1.0)
    b = LENGTH_B.get(field, 0.0)
    total = 0.0
    for postings in units:
        total += bm25(idf(view.count, len(postings)), len(postings[doc]), length, average, b, K1)
    return total

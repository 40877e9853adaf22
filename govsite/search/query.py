"""Query evaluation over the Whoosh index; static/search-rank.js runs the same algorithm in the
browser, over the browser index.

A query is whitespace-separated groups; each group is a phrase, or any of its synonyms
(synonyms.py). A document matches when every group matches as a phrase (consecutive positions)
in at least one field. A group's score is, over its forms, the best sum over the fields where the
form matched of the field boost times Whoosh's BM25 of each unit. Documents whose name, 文号 or
索引号 (documents.NAMING) hold every group come first; then by score; ties go to the higher
document number, the newer document (documents.in_order), so both sides rank identically.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from whoosh.reading import IndexReader
from whoosh.scoring import bm25

from govsite.search.documents import BOOSTS, FIELDS, K1, LENGTH_B, NAMING, doc_order
from govsite.search.synonyms import variants
from govsite.search.tokens import SPACES, TAIL, Phrase, Unit, normalize, phrase

Positions = dict[int, list[int]]  # document number -> positions of a term or unit


def query_groups(query: str, synonyms: Sequence[Sequence[str]] = ()) -> list[list[Phrase]]:
    """Per whitespace-separated part of the query, its phrase and those of its synonyms."""
    groups = []
    for part in SPACES.split(normalize(query)):
        phrases = [units for form in variants(part, synonyms) if (units := phrase(form))]
        if phrases:
            groups.append(phrases)
    return groups


def rounded(score: float) -> float:
    """Scores are compared at 1e-6 so that libm differences between Python and JS cannot reorder."""
    return math.floor(score * 1e6 + 0.5) / 1e6


@dataclass(frozen=True)
class Hit:
    doc: int
    named: bool
    score: float
    record: dict[str, str]


class IndexView:
    """The documents of a Whoosh reader, numbered as in the browser index."""

    def __init__(self, reader: IndexReader):
        self.reader = reader
        stored = list(reader.iter_docs())
        order = [stored[i] for i in doc_order([fields["record"] for _, fields in stored])]
        self.docnums = [docnum for docnum, _ in order]
        self.records = [fields["record"] for _, fields in order]
        self.rels = [fields["rel"] for _, fields in order]
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

    def positions(self, field: str, term: str) -> Positions:
        if (field, term) not in self.reader:
            return {}
        matcher = self.reader.postings(field, term)
        return {self.number[num]: list(pos) for num, pos in matcher.items_as("positions")}

    @cached_property
    def _tails(self) -> dict[str, dict[str, list[str]]]:
        """Per field, per character: the terms ending a run with it ("政府_" for 府)."""
        found: dict[str, dict[str, list[str]]] = {}
        for field in FIELDS:
            for term in self.reader.field_terms(field):
                if term.endswith(TAIL):
                    found.setdefault(field, {}).setdefault(term[-2], []).append(term)
        return found

    def terms(self, field: str, unit: Unit) -> list[str]:
        """The indexed terms that can stand for `unit` (see whoosh_index.py for tails)."""
        if unit.mode == "term":
            return [unit.text, unit.text + TAIL]
        tails = self._tails.get(field, {}).get(unit.text, [])
        if unit.mode == "suffix":
            return [unit.text, *tails]
        prefixed = [t.decode() for t in self.reader.expand_prefix(field, unit.text)]  # bytes
        return sorted({*prefixed, *tails}) if unit.mode == "any" else prefixed


def unit_positions(view: IndexView, field: str, unit: Unit) -> Positions:
    merged: dict[int, set[int]] = {}
    for term in view.terms(field, unit):
        for doc, positions in view.positions(field, term).items():
            merged.setdefault(doc, set()).update(positions)
    return {doc: sorted(positions) for doc, positions in merged.items()}


def phrase_docs(units: list[Positions]) -> list[int]:
    if not units or not all(units):
        return []
    docs = set(units[0]).intersection(*units[1:])
    return sorted(d for d in docs if _has_phrase([u[d] for u in units]))


def _has_phrase(positions: list[list[int]]) -> bool:
    later = [set(p) for p in positions[1:]]
    return any(all(start + i + 1 in s for i, s in enumerate(later)) for start in positions[0])


def search_view(view: IndexView, query: str, synonyms: Sequence[Sequence[str]] = ()) -> list[Hit]:
    groups = query_groups(query, synonyms)
    if not groups:
        return []
    scores: dict[int, float] = {}
    matched: list[set[int]] = []
    named: list[set[int]] = []
    for phrases in groups:
        best: dict[int, float] = {}
        found: set[int] = set()
        naming: set[int] = set()
        for units in phrases:
            form: dict[int, float] = {}
            for field in FIELDS:
                postings = [unit_positions(view, field, unit) for unit in units]
                for doc in phrase_docs(postings):
                    form[doc] = form.get(doc, 0.0) + BOOSTS.get(field, 1.0) * _field_score(
                        view, field, doc, postings)
                    if field in NAMING:
                        naming.add(doc)
            for doc, score in form.items():
                best[doc] = max(best.get(doc, score), score)
            found.update(form)
        for doc, score in best.items():
            scores[doc] = scores.get(doc, 0.0) + score
        matched.append(found)
        named.append(naming)
    docs = set.intersection(*matched)
    first = set.intersection(*named)
    hits = [Hit(d, d in first, rounded(scores[d]), view.records[d]) for d in docs]
    return sorted(hits, key=lambda h: (not h.named, -h.score, -h.doc))


def _field_score(view: IndexView, field: str, doc: int, units: list[Positions]) -> float:
    length, average = view.length(field, doc), view.average.get(field, 1.0)
    b = LENGTH_B.get(field, 0.0)
    total = 0.0
    for postings in units:
        idf = math.log(view.count / (len(postings) + 1)) + 1  # of the unit, as search-rank.js
        total += bm25(idf, len(postings[doc]), length, average, b, K1)
    return total

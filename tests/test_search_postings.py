"""postings.py analyses many documents at once with numpy; it must give, term by term and posting
by posting, what GovPositions gives one document at a time (the definition of the analyzer)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from conftest import REAL_CORPUS

from govsite.search.analyzer import GovPositions
from govsite.search.exporter import run_of
from govsite.search.postings import field_postings, varint_chars
from govsite.search.varint import decode, varints

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "search_vectors.json").read_text(encoding="utf-8"))
FAR = "开头 " + "甲乙丙 " * 20_000 + "开头 结尾 " + "丁" * 40 + " 结尾"  # positions past 32,768
EDGES = ["", "   ", "，。", "政", FAR, "İstanbul ﬁle Ⅻ ½", "第一行\n第二行\r\n第三行", "ab\u0301c é",
         "政府政府政府", "a", "1 1 1 1"]


def expected(texts: list[str]) -> tuple[dict[str, list[tuple[int, int, float, bytes]]], list[int]]:
    by_term: dict[str, list[tuple[int, int, float, bytes]]] = {}
    lengths = []
    for doc, text in enumerate(texts):
        length = 0
        for term, freq, weight, value in GovPositions().word_values(text, None):
            by_term.setdefault(term, []).append((doc, freq, weight, value))
            length += freq
        lengths.append(length)
    return by_term, lengths


def test_field_postings_are_govpositions_word_values() -> None:
    real = [p.read_text(encoding="utf-8") for p in sorted(REAL_CORPUS.rglob("*.md"))]
    texts = [case["text"] for case in VECTORS["tokens"]] + EDGES + real
    assert len(real) > 100
    found = field_postings(texts)
    by_term, lengths = expected(texts)
    assert found.terms == sorted(by_term)  # Whoosh's order: code points, i.e. UTF-8 bytes
    assert found.lengths.tolist() == lengths
    got = {term: list(zip(docs, [round(w) for w in weights], weights, values, strict=True))
           for term, docs, weights, values in found.term_lists(1.0)}
    assert got == by_term
    assert any(len(value) > 8 for rows in by_term.values() for *_, value in rows)  # 4-digit gaps
    assert any(gap >= 32_768 for rows in by_term.values() for *_, value in rows
               for gap in decode(value[4:].decode()))  # FAR's: four varint digits
    runs = dict(found.runs(100))
    for term, rows in by_term.items():
        positions = "".join(value[4:].decode() for *_, value in rows)
        assert runs[term] == run_of([r[0] for r in rows], [r[1] for r in rows], positions, 100)


def test_varint_chars_are_varints() -> None:
    values = np.array([0, 1, 31, 32, 1023, 1024, 32767, 32768, 2**20, 2**31 - 1, 2**32 - 1])
    text, digits = varint_chars(values)
    assert text == varints(values.tolist())
    assert digits.tolist() == [len(varints([v])) for v in values.tolist()]
    assert varint_chars(np.array([], dtype=np.int64))[0] == ""


def test_no_text_has_no_postings() -> None:
    found = field_postings(["", "，", ""])
    assert found.terms == [] and found.lengths.tolist() == [0, 0, 0]
    assert list(found.term_lists(1.0)) == [] and list(found.runs(0)) == []

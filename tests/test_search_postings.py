"""postings.py groups the tokens of many documents at once with numpy; term by term and posting
by posting, it must give what each document's own tokens() give (the browser index entries)."""

from __future__ import annotations

import bisect
import json
from pathlib import Path

import numpy as np
from conftest import REAL_CORPUS

from govsite.search.browser import (
    decode,
    encode_entry,
    gaps,
    join_entry,
    shard_bounds,
    shard_terms,
    utf16_key,
    varints,
)
from govsite.search.postings import field_postings, varint_chars
from govsite.search.tokens import TAIL, term_positions

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "search_vectors.json").read_text(encoding="utf-8"))
FAR = "开头 " + "甲乙丙 " * 20_000 + "开头 结尾 " + "丁" * 40 + " 结尾"  # positions past 32,768
EDGES = ["", "   ", "，。", "政", FAR, "İstanbul ﬁle Ⅻ ½", "第一行\n第二行\r\n第三行", "ab\u0301c é",
         "政府政府政府", "a", "1 1 1 1"]


def test_field_postings_are_each_documents_tokens() -> None:
    real = [p.read_text(encoding="utf-8") for p in sorted(REAL_CORPUS.rglob("*.md"))]
    texts = [case["text"] for case in VECTORS["tokens"]] + EDGES + real
    assert len(real) > 100
    by_term: dict[str, dict[int, tuple[int, str]]] = {}
    lengths = []
    for doc, text in enumerate(texts):
        terms = term_positions(text)
        for term, positions in terms.items():
            by_term.setdefault(term, {})[100 + doc] = (len(positions), gaps(positions))
        lengths.append(sum(len(p) for t, p in terms.items() if not t.startswith(TAIL)))
    found = field_postings(texts)
    assert found.terms == sorted(by_term)
    assert found.lengths.tolist() == lengths
    runs = dict(found.runs(100))
    assert {term: join_entry({3: run}) for term, run in runs.items()} == {
        term: encode_entry({3: postings}) for term, postings in by_term.items()}
    far = by_term["结尾"]
    assert any(gap >= 32_768 for _, text in far.values() for gap in decode(text))  # 4 digits


def test_varint_chars_are_varints() -> None:
    values = np.array([0, 1, 31, 32, 1023, 1024, 32767, 32768, 2**20, 2**31 - 1, 2**32 - 1])
    text, digits = varint_chars(values)
    assert text == varints(values.tolist())
    assert digits.tolist() == [len(varints([v])) for v in values.tolist()]
    assert decode(text) == values.tolist()


def test_no_text_has_no_postings() -> None:
    found = field_postings(["", "，。"])
    assert found.terms == [] and found.lengths.tolist() == [0, 0]
    assert list(found.runs(0)) == []


def test_a_term_is_in_the_shard_its_bound_says() -> None:
    """meta.shards holds the shortest bounds between shards; the page finds a term's shard as
    the number of bounds not after it (UTF-16 order, as JavaScript compares), which must be the
    shard that holds it, for every term, and the same shard for any text sorting among them."""
    terms = sorted({a + b for a in "政府预算公开" for b in "府算开息"} | {"2026", "2027", "_府", "z"},
                   key=utf16_key)
    entries = {term: "x" * 2000 for term in terms}  # a few terms a shard
    shards = shard_terms(entries)
    bounds = shard_bounds(shards).split(" ")
    assert len(shards) > 4 and len(bounds) == len(shards) - 1
    assert sum(map(len, bounds)) < sum(len(next(iter(s))) for s in shards[1:])  # shortened
    keys = [utf16_key(bound) for bound in bounds]
    for n, shard in enumerate(shards):
        for term in shard:
            assert bisect.bisect_right(keys, utf16_key(term)) == n, term
    assert shard_terms({}) == [{}] and shard_bounds([{}]) == ""

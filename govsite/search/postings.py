"""One field's postings over many documents at once, with numpy: the browser index's entries for
a whole worker's share of the documents (see export.py).

Analysing in Python costs about a microsecond a token, five million tokens for 10,000 documents.
Here the tokens of tokens.scan() are grouped by term and document with array operations, and
Python touches only each distinct term and each term's run of postings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from govsite.search.browser import ALPHABET, Run
from govsite.search.tokens import Ints, scan

DIGIT_BYTES = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)  # varint digit value -> ASCII


@dataclass(frozen=True)
class FieldPostings:
    """Terms in code point order; postings grouped by term, ascending documents within each."""

    terms: list[str]
    term_starts: list[int]  # term i's postings are [term_starts[i], term_starts[i + 1])
    docs: Ints  # per posting: document (its index in the texts given)
    freqs: Ints  # per posting: number of positions
    gaps: str  # every posting's positions as varints (first, then differences), in order
    gap_starts: Ints  # posting j's positions are gaps[gap_starts[j]:gap_starts[j + 1]]
    lengths: Ints  # per document: tokens in the field, tails not counted

    def runs(self, first: int) -> Iterator[tuple[str, Run]]:
        """Each term's postings as the browser index's Run (browser.Run), documents numbered
        from `first`."""
        bounds = np.array(self.term_starts)
        leading = np.zeros(len(self.docs), dtype=bool)
        leading[bounds[:-1]] = True
        # after a term's first posting: 2 * delta + 1 if one position, else 2 * delta and the
        # number of positions
        one = ~leading & (self.freqs == 1)
        two = ~leading & (self.freqs > 1)
        counts = one + 2 * two
        offsets = np.cumsum(counts) - counts
        deltas = np.diff(self.docs, prepend=0)
        numbers = np.empty(int(counts.sum()), dtype=np.int64)
        numbers[offsets[one]] = 2 * deltas[one] + 1
        numbers[offsets[two]] = 2 * deltas[two]
        numbers[offsets[two] + 1] = self.freqs[two]
        heads, digits = varint_chars(numbers)
        head_chars = np.concatenate(([0], np.cumsum(digits)))
        head_bounds = head_chars[np.append(offsets, len(numbers))[bounds]].tolist()
        gap_bounds = self.gap_starts[bounds].tolist()
        docs, freqs = self.docs.tolist(), self.freqs.tolist()
        for index, term in enumerate(self.terms):
            start, end = self.term_starts[index], self.term_starts[index + 1]
            yield term, Run(end - start, first + docs[start], freqs[start], first + docs[end - 1],
                            heads[head_bounds[index]:head_bounds[index + 1]],
                            self.gaps[gap_bounds[index]:gap_bounds[index + 1]])


def field_postings(texts: list[str]) -> FieldPostings:
    found = scan(texts)
    keys, docs, positions = found.keys, found.docs, found.positions
    # tokens are in (document, position) order, so a stable sort by term keeps each posting list
    # in order; the terms are then put in code point order, a term's postings at a time
    by_key = np.argsort(keys, kind="stable")
    keys, docs, positions = keys[by_key], docs[by_key], positions[by_key]
    key_starts = np.flatnonzero(np.diff(keys, prepend=-1))
    terms = [found.term(key) for key in keys[key_starts].tolist()]
    order = sorted(range(len(terms)), key=terms.__getitem__)
    sizes = np.diff(np.append(key_starts, len(keys)))[order]
    moved = np.repeat(key_starts[order] - (np.cumsum(sizes) - sizes), sizes) + np.arange(len(keys))
    docs, positions = docs[moved], positions[moved]
    term_of_token = np.repeat(np.arange(len(terms)), sizes)
    new_posting = np.ones(len(docs), dtype=bool)
    new_posting[1:] = (term_of_token[1:] != term_of_token[:-1]) | (docs[1:] != docs[:-1])
    posting_starts = np.flatnonzero(new_posting)
    freqs = np.diff(np.append(posting_starts, len(docs)))
    gaps = positions.copy()
    gaps[1:] -= positions[:-1]
    gaps[posting_starts] = positions[posting_starts]
    gap_chars, digits = varint_chars(gaps)
    gap_starts = np.concatenate(([0], np.cumsum(np.add.reduceat(digits, posting_starts))))
    term_starts = np.flatnonzero(np.diff(term_of_token[posting_starts], prepend=-1)).tolist()
    return FieldPostings(
        terms=[terms[i] for i in order],
        term_starts=[*term_starts, len(posting_starts)],
        docs=docs[posting_starts], freqs=freqs, gaps=gap_chars, gap_starts=gap_starts,
        lengths=found.lengths)


def varint_chars(values: Ints) -> tuple[str, Ints]:
    """`values` (below 2 ** 32) as base-64 varints (browser.py) in one string, and each value's
    number of digits."""
    small = values.astype(np.uint32)  # half the memory traffic of int64
    digits = np.ones(len(values), dtype=np.uint8)
    rest = small >> 5
    while rest.any():
        digits += rest > 0
        rest >>= 5
    most = int(digits.max()) if len(values) else 1
    table = np.empty((len(values), most), dtype=np.uint8)  # a row per value, a digit per column
    for place in range(most):
        digit = (small >> 5 * place & 31).astype(np.uint8)
        table[:, place] = DIGIT_BYTES[digit + 32 * (digits > place + 1)]
    used = np.arange(most) < digits[:, None]
    return table[used].tobytes().decode("ascii"), digits.astype(np.int64)

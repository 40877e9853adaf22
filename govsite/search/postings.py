"""One field's postings over many documents at once, with numpy: what analyzer.GovPositions's
word_values() gives one document at a time, for a whole worker's share of a new index (bulk.py).

Analysing in Python costs about a microsecond a token, five million tokens for 10,000 documents,
which was most of a cold build's indexing. Here the normalised texts become one array of code
points; token starts, terms, positions and their varints are array operations, and Python touches
only each distinct term and each posting's value. It must give exactly what tokens() and
GovPositions give (tests compare the two on the sample site and on edge cases); change both or
neither.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np
from numpy.typing import NDArray

from govsite.search.analyzer import CJK_RANGES, TAIL, WORD_RANGES, normalize
from govsite.search.exporter import Run
from govsite.search.varint import ALPHABET

Ints = NDArray[np.int64]
# per term, in order: the term, its documents, weights and Whoosh values
TermLists = Iterator[tuple[str, Sequence[int], Sequence[float], Sequence[bytes]]]
CODE_BITS = 21  # every code point fits
# a term's key: a lone CJK character is its code point; a bigram the two code points, the first
# shifted (so never below 2 ** 21); words and tails above every bigram
WORD_KEYS = 1 << 43
TAIL_KEYS = 1 << 44
DIGITS = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)


@dataclass(frozen=True)
class FieldPostings:
    """Terms in code point order; postings grouped by term, ascending documents within each."""

    terms: list[str]
    term_starts: list[int]  # term i's postings are [term_starts[i], term_starts[i + 1])
    docs: Ints  # per posting: document (its index in the texts given)
    freqs: Ints  # per posting: number of positions
    gaps: str  # every posting's positions as varints (first, then differences), in order
    gap_starts: Ints  # posting j's positions are gaps[gap_starts[j]:gap_starts[j + 1]]
    lengths: Ints  # per document: tokens in the field (Whoosh's field length)

    @cached_property
    def doc_list(self) -> list[int]:
        """`docs` as Python ints, for both the Whoosh segment and the runs."""
        return self.docs.tolist()

    def term_lists(self, boost: float) -> TermLists:
        docs, weights, values = self.doc_list, (self.freqs * boost).tolist(), self.values()
        bounds = self.term_starts
        for index, term in enumerate(self.terms):
            start, end = bounds[index], bounds[index + 1]
            yield term, docs[start:end], weights[start:end], values[start:end]

    def runs(self, first: int) -> Iterator[tuple[str, Run]]:
        """Each term's postings as the browser index's Run (exporter.run_of), documents numbered
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
        docs, freqs = self.doc_list, self.freqs.tolist()
        for index, term in enumerate(self.terms):
            start, end = self.term_starts[index], self.term_starts[index + 1]
            yield term, Run(end - start, first + docs[start], freqs[start], first + docs[end - 1],
                            heads[head_bounds[index]:head_bounds[index + 1]],
                            self.gaps[gap_bounds[index]:gap_bounds[index + 1]])

    def values(self) -> PackedValues:
        """Per posting, what GovPositions stores: the frequency (4 bytes, big-endian), then the
        position varints."""
        freqs = self.freqs.astype(">u4").view(np.uint8).reshape(-1, 4)
        chars = np.frombuffer(self.gaps.encode(), dtype=np.uint8)
        sizes = np.diff(self.gap_starts)
        ends = np.cumsum(sizes + 4)
        buffer = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
        buffer[(ends - sizes - 4)[:, None] + np.arange(4)] = freqs
        owner = np.repeat(np.arange(len(sizes)), sizes)
        buffer[np.arange(len(chars)) + 4 * (owner + 1)] = chars
        return PackedValues(buffer.tobytes(), ends)


class PackedValues(Sequence[bytes]):
    """Posting values laid end to end and cut out when asked for. A bulk-written Whoosh block
    holds one in place of Whoosh's tuple of bytes (its reader only indexes that tuple), so a
    block is two pickled strings instead of one per posting. A slice shares the data."""

    __slots__ = ("data", "ends", "start")

    def __init__(self, data: bytes, ends: Sequence[int] | bytes, start: int = 0):
        if isinstance(ends, bytes):  # as pickled: little-endian 32-bit ends
            ends = array("I", ends)
            if sys.byteorder == "big":
                ends.byteswap()
        self.data, self.ends, self.start = data, ends, start  # value i ends at ends[i]

    def __len__(self) -> int:
        return len(self.ends)

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> PackedValues: ...

    def __getitem__(self, index: int | slice) -> bytes | PackedValues:
        if isinstance(index, slice):
            first, stop, step = index.indices(len(self))
            assert step == 1
            return PackedValues(self.data, self.ends[first:stop], self._begin(first))
        index = range(len(self))[index]
        return self.data[self._begin(index):self.ends[index]]

    def _begin(self, index: int) -> int:
        return int(self.ends[index - 1]) if index else self.start

    def __reduce__(self) -> tuple[type[PackedValues], tuple[bytes, bytes]]:
        ends = np.asarray(self.ends, dtype=np.int64) - self.start
        end = self.start + (int(ends[-1]) if len(ends) else 0)
        return PackedValues, (self.data[self.start:end], ends.astype("<u4").tobytes())


def field_postings(texts: list[str]) -> FieldPostings:
    keys, docs, positions, lengths, words = _tokens(texts)
    # tokens are in (document, position) order, so a stable sort by term keeps each posting list
    # in order; the terms are then put in code point order, a term's postings at a time
    by_key = np.argsort(keys, kind="stable")
    keys, docs, positions = keys[by_key], docs[by_key], positions[by_key]
    key_starts = np.flatnonzero(np.diff(keys, prepend=-1))
    terms = [_term(key, words) for key in keys[key_starts].tolist()]
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
        lengths=lengths)


def _tokens(texts: list[str]) -> tuple[Ints, Ints, Ints, Ints, list[str]]:
    """Every token's term key, document and position, then each document's token count, and the
    words keyed WORD_KEYS + their index."""
    normalized = [normalize(text) for text in texts]
    joined = "\n".join(normalized)  # "\n" separates like any space
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(
        np.int64)
    cjk, word = _within(points, CJK_RANGES), _within(points, WORD_RANGES)
    before_cjk, after_cjk = _shifted(cjk, 1), _shifted(cjk, -1)
    before_word = _shifted(word, 1)
    bigram = cjk & after_cjk
    starts = np.flatnonzero(bigram | (cjk & ~before_cjk & ~after_cjk) | (word & ~before_word))
    doc_starts = np.cumsum([0, *(len(text) + 1 for text in normalized)])[:-1]
    token_docs = np.searchsorted(doc_starts, starts, side="right") - 1
    first_token = np.searchsorted(starts, doc_starts)
    token_positions = np.arange(len(starts)) - first_token[token_docs]

    keys = points[starts].copy()
    pairs = bigram[starts]
    keys[pairs] = points[starts[pairs]] << CODE_BITS | points[starts[pairs] + 1]
    words: list[str] = []
    is_word = word[starts]
    if is_word.any():
        word_starts = starts[is_word]
        word_ends = np.flatnonzero(word & ~_shifted(word, -1)) + 1
        texts_of_words = [joined[a:b] for a, b in zip(word_starts.tolist(), word_ends.tolist(),
                                                     strict=True)]
        index: dict[str, int] = {}
        keys[is_word] = WORD_KEYS + np.array([index.setdefault(w, len(index))
                                              for w in texts_of_words])
        words = list(index)

    # a CJK run of two or more characters: its last character as a tail term, at the position of
    # the run's last bigram (the token just before the run's end)
    tails = np.flatnonzero(cjk & before_cjk & ~after_cjk)
    tail_tokens = np.searchsorted(starts, tails) - 1
    all_keys = np.concatenate((keys, TAIL_KEYS + points[tails]))
    all_docs = np.concatenate((token_docs, token_docs[tail_tokens]))
    all_positions = np.concatenate((token_positions, token_positions[tail_tokens]))
    lengths = np.bincount(all_docs, minlength=len(texts))
    return all_keys, all_docs, all_positions, lengths, words


def _within(points: Ints, ranges: tuple[tuple[int, int], ...]) -> NDArray[np.bool_]:
    found = np.zeros(len(points), dtype=bool)
    for low, high in ranges:
        found |= (points >= low) & (points <= high)
    return found


def _shifted(flags: NDArray[np.bool_], by: int) -> NDArray[np.bool_]:
    """flags[i - by] at i (False past either end)."""
    out = np.zeros_like(flags)
    if by > 0:
        out[by:] = flags[:-by]
    else:
        out[:by] = flags[-by:]
    return out


def _term(key: int, words: list[str]) -> str:
    if key >= TAIL_KEYS:
        return TAIL + chr(key - TAIL_KEYS)
    if key >= WORD_KEYS:
        return words[key - WORD_KEYS]
    if key >> CODE_BITS:
        return chr(key >> CODE_BITS) + chr(key & ((1 << CODE_BITS) - 1))
    return chr(key)


def varint_chars(values: Ints) -> tuple[str, Ints]:
    """`values` (below 2 ** 32) as base-64 varints (varint.py) in one string, and each value's
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
        table[:, place] = DIGITS[digit + 32 * (digits > place + 1)]
    used = np.arange(most) < digits[:, None]
    return table[used].tobytes().decode("ascii"), digits.astype(np.int64)

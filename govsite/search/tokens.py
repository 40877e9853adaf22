"""The search tokenizer, the one definition of a term (static/search-analyzer.js is its twin,
tests/search_vectors.json keeps them equal): NFKC and lowercase; a CJK run gives overlapping
bigrams (a lone character stays a unigram) and a *tail* term ("_" + its last character, at the
position of its last bigram, so that a one-character query part can match as "ends with"); Latin
words and digit runs are one term each. Tails do not count in a field's length. scan() applies the
rules to many texts at once, as array operations; everything else (postings.py, queries, the Whoosh
text) is made from it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from govsite.search.normal import normalize

Ints = NDArray[np.int64]
TAIL = "_"
SPACES = re.compile(r"[\t\n\v\f\r \x1c-\x1f\x85\u1680\u2028\u2029]+")  # after NFKC
CJK_RANGES = (
    (0x3007, 0x3007),  # 〇, used in dates such as 二〇二一年
    (0x3040, 0x30FF),  # kana
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)
# after lowercasing: ASCII letters and digits, Latin-1 and Latin Extended-A/B letters
WORD_RANGES = ((0x30, 0x39), (0x61, 0x7A), (0xDF, 0xF6), (0xF8, 0x24F))
CODE_BITS = 21  # every code point fits
# a term's key: a lone CJK character is its code point; a bigram the two code points, the first
# shifted (so never below 2 ** 21); words and tails above every bigram
WORD_KEYS = 1 << 43
TAIL_KEYS = 1 << 44


@dataclass(frozen=True)
class Scan:
    """Every token of some texts: term key, text number, position. Tails come after all the
    other tokens; `lengths` counts each text's tokens without them."""

    keys: Ints
    docs: Ints
    positions: Ints
    lengths: Ints
    words: list[str]  # the word of key WORD_KEYS + i

    def term(self, key: int) -> str:
        if key >= TAIL_KEYS:
            return TAIL + chr(key - TAIL_KEYS)
        if key >= WORD_KEYS:
            return self.words[key - WORD_KEYS]
        if key >> CODE_BITS:
            return chr(key >> CODE_BITS) + chr(key & ((1 << CODE_BITS) - 1))
        return chr(key)


def scan(texts: list[str]) -> Scan:
    normalized = [normalize(text) for text in texts]
    joined = "\n".join(normalized)  # "\n" separates like any space
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(
        np.int64)
    cjk, word = _within(points, CJK_RANGES), _within(points, WORD_RANGES)
    before_cjk, after_cjk = _shifted(cjk, 1), _shifted(cjk, -1)
    bigram = cjk & after_cjk
    starts = np.flatnonzero(bigram | (cjk & ~before_cjk & ~after_cjk) | (word & ~_shifted(word, 1)))
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
        word_ends = np.flatnonzero(word & ~_shifted(word, -1)) + 1
        found = [joined[a:b] for a, b in zip(starts[is_word].tolist(), word_ends.tolist(),
                                             strict=True)]
        index: dict[str, int] = {}
        keys[is_word] = WORD_KEYS + np.array([index.setdefault(w, len(index)) for w in found])
        words = list(index)

    # a CJK run of two or more characters: its last character as a tail term, at the position of
    # the run's last bigram (the token just before the run's end)
    tails = np.flatnonzero(cjk & before_cjk & ~after_cjk)
    tail_tokens = np.searchsorted(starts, tails) - 1
    return Scan(keys=np.concatenate((keys, TAIL_KEYS + points[tails])),
                docs=np.concatenate((token_docs, token_docs[tail_tokens])),
                positions=np.concatenate((token_positions, token_positions[tail_tokens])),
                lengths=np.bincount(token_docs, minlength=len(texts)), words=words)


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


def tokens(text: str) -> list[tuple[str, int]]:
    """One text's terms with their positions, in order (a tail just after its run's last
    bigram)."""
    found = scan([text])
    order = np.lexsort((found.keys >= TAIL_KEYS, found.positions))
    return [(found.term(key), position) for key, position
            in zip(found.keys[order].tolist(), found.positions[order].tolist(), strict=True)]


def term_positions(text: str) -> dict[str, list[int]]:
    """Each term of `text` with its positions: a document field as the index holds it."""
    found: dict[str, list[int]] = {}
    for term, position in tokens(text):
        found.setdefault(term, []).append(position)
    return found


@dataclass(frozen=True)
class Unit:
    """One query position: terms that may stand there.

    mode "term": exactly `text`; "prefix": any term starting with `text` (a lone character at the
    end of a phrase); "suffix": `text` or its tail term; "any": prefix or tail.
    """

    text: str
    mode: str = "term"


Phrase = list[Unit]


LONE = {(True, True): "term", (True, False): "prefix", (False, True): "suffix",
        (False, False): "any"}  # a lone CJK character's mode by (has previous, has next) unit


def phrase(part: str) -> Phrase:
    plain = [term for term, _ in tokens(part) if not term.startswith(TAIL)]
    lone = [len(term) == 1 and any(low <= ord(term) <= high for low, high in CJK_RANGES)
            for term in plain]  # a lone CJK character
    return [Unit(term, LONE[i > 0, i < len(plain) - 1] if lone[i] else "term")
            for i, term in enumerate(plain)]

"""The search analyzer: one definition of a token, mirrored in static/search-analyzer.js.

Text is NFKC-normalised and lowercased, then split on everything that is not a word character.
A run of CJK characters becomes overlapping bigrams (a lone character stays a unigram), and a run
of two or more characters also emits a *tail* term ("_" + last character) at the position of its
last bigram, so that a one-character query part can be matched as "ends with" with an exact
lookup. Latin words and digit runs are single tokens. tests/search_vectors.json keeps the two
implementations identical; change both or neither.

Whoosh pickles the schema, so the Whoosh tokenizer lives here, in an importable module.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Positions
from whoosh.system import pack_uint

from govsite.search import varint

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


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"{chr(low)}-{chr(high)}" for low, high in ranges)


RUN = re.compile(f"([{_class(CJK_RANGES)}]+)|([{_class(WORD_RANGES)}]+)")


def char_class(char: str) -> str:
    """"c" for CJK, "w" for a word character, "" for a separator."""
    found = RUN.fullmatch(char)
    if not found:
        return ""
    return "c" if found.group(1) else "w"


def runs(text: str) -> list[tuple[str, str]]:
    """Normalised text split into (class, run) pairs, separators dropped."""
    return [("c", m[1]) if m[1] else ("w", m[2]) for m in RUN.finditer(normalize(text))]


def tokens(text: str) -> list[tuple[str, int]]:
    """Index terms with their positions (tails share the position of the last bigram)."""
    result: list[tuple[str, int]] = []
    pos = 0
    for kind, run in runs(text):
        if kind == "w" or len(run) == 1:
            result.append((run, pos))
            pos += 1
            continue
        for i in range(len(run) - 1):
            result.append((run[i : i + 2], pos))
            pos += 1
        result.append((TAIL + run[-1], pos - 1))
    return result


def term_positions(text: str) -> dict[str, list[int]]:
    """Each term of `text` with its positions, in order: a document field as the index holds it."""
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


def query_groups(query: str) -> list[list[Unit]]:
    """A query is whitespace-separated groups, each a phrase of consecutive units."""
    groups = []
    for part in SPACES.split(normalize(query)):
        units = _units(part)
        if units:
            groups.append(units)
    return groups


def _units(part: str) -> list[Unit]:
    terms = tokens(part)
    plain = [term for term, _ in terms if not term.startswith(TAIL)]
    units = []
    for i, term in enumerate(plain):
        if len(term) == 1 and char_class(term) == "c":
            units.append(Unit(term, _lone_mode(i > 0, i < len(plain) - 1)))
        else:
            units.append(Unit(term))
    return units


def _lone_mode(has_prev: bool, has_next: bool) -> str:
    if has_prev and has_next:
        return "term"
    if has_prev:
        return "prefix"
    return "suffix" if has_next else "any"


class GovTokenizer(Tokenizer):
    """Whoosh tokenizer yielding `tokens()`; the only analyzer of every searchable field."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(  # type: ignore[override]
        self, value: str, positions: bool = False, start_pos: int = 0, **kwargs: object
    ) -> Iterator[Token]:
        token = Token(positions=positions, **kwargs)
        for term, pos in tokens(value):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            yield token


class GovPositions(Positions):
    """Whoosh's Positions format, with the positions stored as the browser index stores them.

    A value is the number of positions (as Whoosh's Positions stores it, so its frequency and
    weight decoders still apply), then the position gaps (the first position, then differences)
    as base-64 varints: exporting the browser index copies them instead of decoding and encoding
    millions of positions. Terms come straight from `tokens()`: Whoosh's generic loop over Token
    objects was a fifth of the cold indexing time."""

    def word_values(  # type: ignore[override]
        self, value: str, analyzer: object, **kwargs: object
    ) -> Iterator[tuple[str, int, float, bytes]]:
        boost = self.field_boost
        for term, positions in term_positions(value).items():
            if len(positions) == 1:  # most postings: their few thousand values are made once
                yield term, 1, boost, _single_position(positions[0])
            else:
                yield term, len(positions), len(positions) * boost, self.encode(positions)

    def encode(self, positions: list[int]) -> bytes:  # type: ignore[override]
        gaps = [positions[0], *(b - a for a, b in itertools.pairwise(positions))]
        return pack_uint(len(gaps)) + varint.varints(gaps).encode()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(itertools.accumulate(varint.decode(valuestring[4:].decode())))


@functools.cache
def _single_position(position: int) -> bytes:
    return pack_uint(1) + varint.varints([position]).encode()

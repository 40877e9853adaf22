"""The browser index under build/search/: written here and nowhere else. docs/search-format.md
specifies it; static/search-index.js reads it."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from whoosh.util.numeric import byte_to_length, length_to_byte

from govsite.search.documents import BOOSTS, FIELDS, K1, LENGTH_B, NAMING, Entry

FORMAT_VERSION = 8  # bump when the format (or the numbering of documents) changes
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
VALUE = {char: value for value, char in enumerate(ALPHABET)}  # digit -> its value
TERM_SHARD_CHARS = 4_000  # measured: 8,000 and 2,000 both load more on a first query
DOC_BLOCK = 1024
RECORD_BLOCK = 4
# document number -> (number of positions, their varints: the first position, then deltas)
Encoded = dict[int, tuple[int, str]]
Lengths = dict[str, list[int]]  # "title"/"body" -> per document, tokens


def _encode(value: int) -> str:
    out = []
    while value >= 32:
        out.append(ALPHABET[32 + (value & 31)])
        value >>= 5
    out.append(ALPHABET[value])
    return "".join(out)


SMALL = [_encode(value) for value in range(1024)]  # every value of one or two digits


def varints(values: Iterable[int]) -> str:
    return "".join([SMALL[v] if v < 1024 else _encode(v) for v in values])


def decode(text: str) -> list[int]:
    numbers, value, shift = [], 0, 0
    for char in text:
        digit = VALUE[char]
        if digit >= 32:
            value |= (digit - 32) << shift
            shift += 5
        else:
            numbers.append(value | digit << shift)
            value, shift = 0, 0
    return numbers


def gaps(positions: Sequence[int]) -> str:
    """Positions (ascending) as stored: the first, then differences."""
    return varints([positions[0], *(b - a for a, b in itertools.pairwise(positions))])


@dataclass(frozen=True, slots=True)  # a share holds hundreds of thousands of them
class Run:
    """A field's postings of one term for a range of document numbers, encoded, with the first
    document's head kept apart: so the runs of consecutive ranges (one per share) merge into one."""

    count: int
    first: int
    first_size: int
    last: int
    heads: str  # varints of the heads after the first document's
    positions: str  # every document's positions


def merged(a: Run, b: Run) -> Run:
    """The runs of two consecutive document ranges as one."""
    return Run(a.count + b.count, a.first, a.first_size, b.last,
               a.heads + varints(_head(b.first - a.last, b.first_size)) + b.heads, a.positions + b.positions)


def _head(delta: int, size: int) -> list[int]:
    return [2 * delta + 1] if size == 1 else [2 * delta, size]


def join_entry(fields: dict[int, Run]) -> str:
    """A term's entry: [field index, length in characters, postings] per field, in field order;
    postings: [count, per document: 2 * delta + 1 if one position, else 2 * delta and the number
    of positions] as varints, then per document its positions (first position, deltas...)."""
    sections = [(index, varints([run.count, *_head(run.first, run.first_size)]) + run.heads
                 + run.positions) for index, run in sorted(fields.items())]
    return "".join(varints([index, len(postings)]) + postings for index, postings in sections)


def encode_entry(fields: dict[int, Encoded]) -> str:
    return join_entry({index: _run(postings) for index, postings in fields.items() if postings})


def _run(postings: Encoded) -> Run:
    docs = sorted(postings)
    heads: list[int] = []
    for previous, doc in itertools.pairwise(docs):
        heads += _head(doc - previous, postings[doc][0])
    return Run(len(docs), docs[0], postings[docs[0]][0], docs[-1], varints(heads),
               "".join(postings[doc][1] for doc in docs))


def decode_entry(entry: str) -> dict[int, Encoded]:
    """The inverse of encode_entry(): {field index: {document number: (size, varints)}}."""
    numbers = decode(entry)
    fields: dict[int, Encoded] = {}
    at = 0
    while at < len(numbers):
        index, count, at = numbers[at], numbers[at + 2], at + 3  # the length is not needed
        sizes, doc = {}, 0
        for _ in range(count):
            head, at = numbers[at], at + 1
            doc += head >> 1
            sizes[doc] = 1 if head & 1 else numbers[at]
            at += 0 if head & 1 else 1
        postings = fields.setdefault(index, {})
        for doc, size in sizes.items():
            postings[doc], at = (size, varints(numbers[at : at + size])), at + size
    return fields


def utf16_key(term: str) -> bytes:
    return term.encode("utf-16-be")


def shard_terms(entries: dict[str, str]) -> list[dict[str, str]]:
    shards: list[dict[str, str]] = []
    size = TERM_SHARD_CHARS
    for term in sorted(entries, key=utf16_key):
        if size >= TERM_SHARD_CHARS:
            shards.append({})
            size = 0
        shards[-1][term] = entries[term]
        size += len(term) + len(entries[term]) + 6
    return shards or [{}]  # t/0.js exists even when nothing is indexed


def shard_bounds(shards: list[dict[str, str]]) -> str:
    """Where each shard after the first starts, as the shortest prefix of its first term that
    sorts after the previous shard's last term, joined by spaces (no term holds one): a term
    belongs to the last shard whose bound is not after it."""
    bounds = []
    for previous, shard in itertools.pairwise(shards):
        last, first = utf16_key(next(reversed(previous))), next(iter(shard))
        bounds.append(next(first[:n] for n in range(1, len(first) + 1)
                           if utf16_key(first[:n]) > last))
    return " ".join(bounds)


def script(name: str, data: object) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"GovsiteSearch.add({json.dumps(name)},{payload});\n".encode()


ShardLine = tuple[str, str, int, str]  # a term shard's first and last term, size and sha256


@dataclass
class KnownShards:
    """What is known of the previous index's term shards, to keep those an edit left alone:
    `layout`, each t/N.js's ShardLine (from the search cache); `changed`, the terms whose entries
    changed since; `on_disk`, {path: sha256} of the t/N.js files the output holds as the last
    build left them (from the build state)."""

    layout: list[ShardLine]
    changed: set[str]
    on_disk: dict[str, str]
    _changed: list[bytes] = field(init=False, repr=False)  # `changed`, sorted as keys

    def __post_init__(self) -> None:
        self._changed = sorted(map(utf16_key, self.changed))

    def kept(self, n: int, shard: dict[str, str]) -> ShardLine | None:
        """Shard `n`'s line if build/ holds it already: the same first and last term and size as
        before, none of its terms changed, and build/'s file has the sha256 the layout names."""
        if not shard or n >= len(self.layout):
            return None
        line, first, last = self.layout[n], next(iter(shard)), next(reversed(shard))
        if line[:3] != (first, last, len(shard)) or self.on_disk.get(f"t/{n}.js") != line[3]:
            return None
        at = bisect.bisect_left(self._changed, utf16_key(first))
        return None if at < len(self._changed) and self._changed[at] <= utf16_key(last) else line


@dataclass
class BrowserFiles:
    files: dict[str, bytes]  # path under search/ -> bytes
    kept: dict[str, str]  # path -> sha256 of the term shards not made again: the output holds them
    layout: list[ShardLine]  # of every term shard, for the next build's KnownShards
    version: str


def browser_files(docs: list[Entry], lengths: Lengths, entries: dict[str, str],
                  synonyms: list[list[str]], known: KnownShards | None = None) -> BrowserFiles:
    """The browser index of `docs` (numbered in this order), their title/body `lengths` in
    tokens and their term `entries`; a term shard equal to one `known` on disk is not made."""
    shards = shard_terms(entries)
    files, kept, layout = _term_files(shards, known)
    records = [doc.record for doc in docs]
    facets = _facets(docs)
    index = {key: {row[0]: n for n, row in enumerate(rows)} for key, rows in facets.items()}
    files.update(_length_blocks(lengths))
    files.update(_facet_blocks(records, index))
    rows = [[r["url"], r["title"], r["date"], r["doc_number"], r["excerpt"],
             index["items"][r["item_id"]]] for r in records]
    files.update({f"r/{n}.js": script(f"r/{n}", rows[start : start + RECORD_BLOCK])
                  for n, start in enumerate(range(0, len(rows), RECORD_BLOCK))})
    meta = {
        "count": len(docs), "fields": list(FIELDS), "boosts": [BOOSTS.get(f, 1.0) for f in FIELDS],
        "b": [LENGTH_B.get(f, 0.0) for f in FIELDS], "average": [average(lengths.get(f, [])) for f in FIELDS],
        "naming": [FIELDS.index(f) for f in NAMING], "k1": K1, "synonyms": synonyms,
        "shards": shard_bounds(shards), "docBlock": DOC_BLOCK,
        "lengths": [byte_to_length(byte) for byte in range(256)], "recordBlock": RECORD_BLOCK, **facets,
    }
    digests = {**kept, **{name: layout[int(name[2:-3])][3] for name in files if name.startswith("t/")}}
    version = hashlib.sha256()  # of every file's sha256 (the term shards' are known already)
    for name in sorted(files.keys() | digests.keys()):
        digest = digests.get(name) or hashlib.sha256(files[name]).hexdigest()
        version.update(f"{name}\0{digest}\n".encode())
    version.update(script("meta", meta))
    meta["version"] = version.hexdigest()[:12]
    files["meta.js"] = script("meta", meta)
    return BrowserFiles(files, kept, layout, meta["version"])


def _term_files(shards: list[dict[str, str]], known: KnownShards | None
                ) -> tuple[dict[str, bytes], dict[str, str], list[ShardLine]]:
    """The term shards' files, but for those `known` on disk: ({path: bytes}, {path: sha256} of
    those kept, the layout of all)."""
    files: dict[str, bytes] = {}
    kept: dict[str, str] = {}
    layout: list[ShardLine] = []
    for n, shard in enumerate(shards):
        name = f"t/{n}.js"
        if line := known and known.kept(n, shard):
            kept[name] = line[3]
        else:
            files[name] = script(f"t/{n}", shard)
            ends = (next(iter(shard)), next(reversed(shard))) if shard else ("", "")
            line = (*ends, len(shard), hashlib.sha256(files[name]).hexdigest())
        layout.append(line)
    return files, kept, layout


def stored_length(tokens: int) -> int:
    """A field length as both indexes keep it: Whoosh's one-byte approximation."""
    return byte_to_length(length_to_byte(tokens))


def average(lengths: Sequence[int]) -> float:
    """A field's average stored length (1.0 for none), as query.py computes it from Whoosh."""
    return sum(stored_length(n) for n in lengths) / (len(lengths) or 1) or 1.0


def _facets(docs: list[Entry]) -> dict[str, list[list[str]]]:
    records = [doc.record for doc in docs]
    domain_names = {doc.record["domain_id"]: doc.fields["domain"] for doc in docs}
    item_names = {doc.record["item_id"]: doc.fields["item"] for doc in docs}
    items = sorted({(r["domain_id"], r["item_id"]) for r in records})
    domains = sorted(domain_names)
    return {
        "domains": [[d, domain_names[d]] for d in domains],
        "items": [[i, item_names[i], str(domains.index(d))] for d, i in items],
        "kinds": [[k, k] for k in sorted({r["kind"] for r in records})],
        "years": [[y, y] for y in sorted({r["date"][:4] for r in records}, reverse=True)],
    }


def _length_blocks(lengths: Lengths) -> dict[str, bytes]:
    """Per block: the width of each column (one or two digits), then the columns: each
    document's title and body length as Whoosh's length byte."""
    columns = [[length_to_byte(n) for n in lengths[field]] for field in ("title", "body")]
    shards = {}
    for n, start in enumerate(range(0, len(columns[0]), DOC_BLOCK)):
        fixed = [_fixed_digits(column[start : start + DOC_BLOCK]) for column in columns]
        shards[f"d/{n}.js"] = script(f"d/{n}", "".join(width for width, _ in fixed)
                                     + "".join(digits for _, digits in fixed))
    return shards


def _facet_blocks(records: list[dict[str, str]], index: dict[str, dict[str, int]]
                  ) -> dict[str, bytes]:
    """Per block: item, kind and year of each document, a column at a time, as varints."""
    columns = [[index["items"][r["item_id"]] for r in records],
               [index["kinds"][r["kind"]] for r in records],
               [index["years"][r["date"][:4]] for r in records]]
    return {f"f/{n}.js": script(f"f/{n}", varints(value for column in columns
                                                   for value in column[start : start + DOC_BLOCK]))
            for n, start in enumerate(range(0, len(records), DOC_BLOCK))}


def _fixed_digits(values: list[int]) -> tuple[str, str]:
    """(the width, values in that many base-64 digits each): one digit when all are below 64."""
    if max(values) < 64:
        return "1", "".join(ALPHABET[value] for value in values)
    return "2", "".join(ALPHABET[value >> 6] + ALPHABET[value & 63] for value in values)

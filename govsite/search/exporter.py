"""Export the Whoosh postings as the static browser index under build/search/.

Every file is a classic script calling GovsiteSearch.add(name, data) (JSONP style), so the index
loads from http(s) and file:// alike. Numbers are packed as base-64 varints (varint.py), which
keeps shards compact without a decompressor.

- meta.js: counts, field statistics, shard boundaries, facet names;
- t/N.js: term shards, split by term range (sorted in UTF-16 order, as JS compares strings);
  per term and field: the field's length in characters (a browser skips a field it does not
  need), document numbers (delta) with their term frequencies, then every document's positions
  (delta) as Whoosh stores them (GovPositions), see join_runs(). A browser decodes positions only
  for the documents a phrase needs;
- d/N.js: per block of documents, column by column: title and body lengths (for BM25, read before
  the results are shown), each as Whoosh's length byte in a fixed number of base-64 digits (one or
  two, given first for each column; meta.js maps bytes to lengths), so a browser reads a
  document's length where it stands; then item, kind and year as varints (for facets, read after
  the results are shown);
- r/N.js: result records (url, title, date, 文号, excerpt source, item), loaded for results shown.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from operator import sub
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length, length_to_byte

from govsite.search.indexer import BOOSTS, FIELDS, K1, LENGTH_B, search_workers
from govsite.search.query import IndexView
from govsite.search.varint import ALPHABET, decode, varints

EXPORT_VERSION = 7  # bump when the browser index format (or its document numbering) changes
TERM_SHARD_CHARS = 8_000
# document number -> (number of positions, their gaps as varints: the first position, then
# differences): what GovPositions stores
Encoded = dict[int, tuple[int, str]]
TERMS_PER_TASK = 4000
DOC_BLOCK = 1024
RECORD_BLOCK = 4


@dataclass(frozen=True)
class Run:
    """A field's postings of one term for a range of document numbers, encoded, with the first
    document's head kept apart: so the runs of consecutive ranges (each worker writing a new index
    has one, see bulk.py) join into one entry (join_runs)."""

    count: int
    first: int
    first_size: int
    last: int
    heads: str  # varints of the heads after the first document's
    positions: str  # every document's positions, as GovPositions stores them


def run_of(docs: Sequence[int], sizes: Sequence[int], positions: str, offset: int = 0) -> Run:
    """`docs` ascending, numbered from `offset`; `sizes`: each one's number of positions."""
    heads: list[int] = []
    for delta, size in zip(map(sub, docs[1:], docs), sizes[1:], strict=True):
        if size == 1:  # _head(), inlined: this runs for every posting of a new index
            heads.append(2 * delta + 1)
        else:
            heads += (2 * delta, size)
    return Run(len(docs), offset + docs[0], sizes[0], offset + docs[-1], varints(heads), positions)


def join_runs(runs: Sequence[Run]) -> str:
    """[count, per document: 2 * delta + 1 if it has one position, else 2 * delta and the number
    of positions] as varints; then per document its positions: first position, deltas..."""
    parts, previous = [varints([sum(run.count for run in runs)])], 0
    for run in runs:
        parts += [varints(_head(run.first - previous, run.first_size)), run.heads]
        previous = run.last
    return "".join(parts + [run.positions for run in runs])


def _head(delta: int, size: int) -> list[int]:
    return [2 * delta + 1] if size == 1 else [2 * delta, size]


def join_entry(fields: dict[int, Sequence[Run]]) -> str:
    """A term's entry: [field index, length, postings...] per field holding it, in field order;
    the length is that of the postings, in characters."""
    sections = ((index, join_runs(fields[index])) for index in sorted(fields) if fields[index])
    return "".join(varints([index, len(postings)]) + postings for index, postings in sections)


def encode_entry(fields: dict[int, Encoded]) -> str:
    return join_entry({index: [_run(postings)] for index, postings in fields.items() if postings})


def _run(postings: Encoded) -> Run:
    docs = sorted(postings)
    return run_of(docs, [postings[doc][0] for doc in docs], "".join(postings[doc][1] for doc in docs))


def term_entries(view: IndexView, folder: Path | None = None) -> dict[str, str]:
    """{term: varints of [field, postings...] for each field holding it, in FIELDS order}.

    Big indexes are read by worker processes, a slice of the lexicon each (given `folder`)."""
    tasks = [(FIELDS[index], terms) for index in range(len(FIELDS))
             for terms in _slices(list(view.reader.lexicon(FIELDS[index])), TERMS_PER_TASK)]
    number, workers = view.number, search_workers(view.count)
    if folder is None or workers < 2:
        parts = [_encode_terms(view.reader, field, terms, number) for field, terms in tasks]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_encode_in_worker, str(folder), field, terms, number)
                       for field, terms in tasks]
            parts = [future.result() for future in futures]
    merged: dict[str, list[str]] = {}
    for part in parts:  # tasks are in field order, so each term's fields stay in order
        for term, encoded in part.items():
            merged.setdefault(term, []).append(encoded)
    return {term: "".join(pieces) for term, pieces in merged.items()}


def updated_entries(view: IndexView, entries: dict[str, str], terms: set[str],
                    changed: set[str]) -> dict[str, str]:
    """`entries` after the documents `changed` (by rel) were edited or newly published; every
    other document keeps its number.

    Only `terms` (those of the changed documents, before and after) can differ. Each is patched:
    its old entry is decoded, the changed documents' postings are dropped and read again from
    Whoosh (skipping straight to those documents), and the entry is encoded again; reading the
    whole posting list of a common term from Whoosh would cost far more."""
    number_of = {rel: n for n, rel in enumerate(view.rels)}
    numbers = sorted(number_of[rel] for rel in changed)
    by_docnum = sorted((view.docnums[n], n) for n in numbers)
    fresh = dict(entries)
    for term in terms:
        fields = decode_entry(entries.get(term, ""))
        for index, field in enumerate(FIELDS):
            postings = fields.setdefault(index, {})
            for number in numbers:
                postings.pop(number, None)
            postings.update(_postings_of(view.reader, field, term, by_docnum))
        entry = encode_entry(fields)
        if entry:
            fresh[term] = entry
        else:
            fresh.pop(term, None)
    return fresh


def _postings_of(reader: IndexReader, field: str, term: str,
                 by_docnum: list[tuple[int, int]]) -> Encoded:
    if (field, term) not in reader:
        return {}
    matcher = reader.postings(field, term)
    found: Encoded = {}
    for docnum, number in by_docnum:  # ascending docnums: skip_to only moves forward
        if not matcher.is_active():
            break
        matcher.skip_to(docnum)
        if matcher.is_active() and matcher.id() == docnum:
            found[number] = _stored(matcher.value())
    return found


def _stored(value: bytes) -> tuple[int, str]:
    """A GovPositions value as (number of positions, their varints)."""
    return int.from_bytes(value[:4]), value[4:].decode()


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


def _slices(items: list[bytes], size: int) -> list[list[bytes]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _encode_terms(
    reader: IndexReader, field: str, terms: list[bytes], number: dict[int, int]
) -> dict[str, str]:
    """Each segment's postings are read directly: Whoosh's matcher over all segments costs
    several calls per posting."""
    index, out = FIELDS.index(field), {}
    leaves = list(reader.leaf_readers())
    for raw in terms:
        postings: Encoded = {}
        for leaf, base in leaves:
            if (field, raw) in leaf:
                for docnum, value in leaf.postings(field, raw).all_items():
                    postings[number[base + docnum]] = _stored(value)
        if postings:  # terms of deleted documents stay in the lexicon until a merge
            out[raw.decode()] = encode_entry({index: postings})
    return out


def _encode_in_worker(
    folder: str, field: str, terms: list[bytes], number: dict[int, int]
) -> dict[str, str]:
    ix = FileStorage(folder, supports_mmap=False).open_index()  # mmap'd segments are copied whole
    with ix.reader() as reader:
        out = _encode_terms(reader, field, terms, number)
    ix.close()
    return out


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
    return shards


def script(name: str, data: object) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"GovsiteSearch.add({json.dumps(name)},{payload});\n".encode()


def export(
    view: IndexView, names: dict[str, dict[str, str]], entries: dict[str, str] | None = None
) -> tuple[dict[str, bytes], str]:
    """({path under search/: bytes}, version); `names` maps "items" and "domains" ids to labels;
    `entries` are the term entries if already known (see term_entries)."""
    files: dict[str, bytes] = {}
    shards = shard_terms(term_entries(view) if entries is None else entries)
    for n, shard in enumerate(shards):
        files[f"t/{n}.js"] = script(f"t/{n}", shard)
    facets = _facets(view, names)
    index = {key: {row[0]: n for n, row in enumerate(rows)} for key, rows in facets.items()}
    files.update(_doc_shards(view, index))
    files.update(_record_shards(view, index["items"]))
    meta = _meta(view, [next(iter(s)) for s in shards], facets)
    meta["version"] = hashlib.sha256(b"".join(files[k] for k in sorted(files))).hexdigest()[:12]
    files["meta.js"] = script("meta", meta)
    return files, meta["version"]


def _facets(view: IndexView, names: dict[str, dict[str, str]]) -> dict[str, list[list[str]]]:
    records = view.records
    items = sorted({(r["domain_id"], r["item_id"]) for r in records})
    domains = sorted({r["domain_id"] for r in records})
    return {
        "domains": [[d, names["domains"].get(d, d)] for d in domains],
        "items": [[i, names["items"].get(i, i), str(domains.index(d))] for d, i in items],
        "kinds": [[k, k] for k in sorted({r["kind"] for r in records})],
        "years": [[y, y] for y in sorted({r["date"][:4] for r in records}, reverse=True)],
    }


def _doc_shards(view: IndexView, index: dict[str, dict[str, int]]) -> dict[str, bytes]:
    """`index`: each facet's value -> its number in meta.js."""
    lengths = [[length_to_byte(view.length(field, doc)) for doc in range(view.count)]
               for field in ("title", "body")]
    facet_columns = [
        [index["items"][record["item_id"]] for record in view.records],
        [index["kinds"][record["kind"]] for record in view.records],
        [index["years"][record["date"][:4]] for record in view.records],
    ]
    shards = {}
    for n, start in enumerate(range(0, view.count, DOC_BLOCK)):
        block = slice(start, start + DOC_BLOCK)
        fixed = [_fixed_digits(column[block]) for column in lengths]
        shards[f"d/{n}.js"] = script(f"d/{n}", "".join(width for width, _ in fixed)
                                     + "".join(digits for _, digits in fixed)
                                     + varints(value for column in facet_columns
                                               for value in column[block]))
    return shards


def _fixed_digits(values: list[int]) -> tuple[str, str]:
    """(the width, values in that many base-64 digits each): one digit when all are below 64."""
    if max(values) < 64:
        return "1", "".join(ALPHABET[value] for value in values)
    return "2", "".join(ALPHABET[value >> 6] + ALPHABET[value & 63] for value in values)


def _record_shards(view: IndexView, items: dict[str, int]) -> dict[str, bytes]:
    rows = [[r["url"], r["title"], r["date"], r["doc_number"], r["excerpt"], items[r["item_id"]]]
            for r in view.records]
    return {
        f"r/{n}.js": script(f"r/{n}", rows[start : start + RECORD_BLOCK])
        for n, start in enumerate(range(0, len(rows), RECORD_BLOCK))
    }


def _meta(view: IndexView, bounds: list[str], facets: dict[str, list[list[str]]]) -> dict:
    return {
        "count": view.count,
        "fields": list(FIELDS),
        "boosts": [BOOSTS.get(f, 1.0) for f in FIELDS],
        "b": [LENGTH_B.get(f, 0.0) for f in FIELDS],
        "average": [view.average.get(f, 1.0) for f in FIELDS],
        "k1": K1,
        "shards": bounds,
        "docBlock": DOC_BLOCK,
        "lengths": [byte_to_length(byte) for byte in range(256)],
        "recordBlock": RECORD_BLOCK,
        **facets,
    }

"""A new index in one pass: Whoosh segments and the browser index's term entries, from the same
postings.

An empty index (a first build, or one after the analyzer changed) is written whole. The documents,
in publication order, are split between worker processes; each analyses its share a field at a
time over all its documents (postings.py), writes it as one Whoosh segment through the codec, a
term's posting list at a time, and encodes the same postings as the browser index's entries for
its range of document numbers, so the export need not read them back.
Whoosh's own writer passes every posting through a sorting pool and four method calls, and
reading them back for the export cost half as much again: the search stage of a cold build took
twice as long. Later updates, a few documents at a time, go through Whoosh's writer
(indexer.update_index). The segments hold what Whoosh's writer would write: tests compare the two
posting by posting.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise
from operator import sub
from pathlib import Path
from typing import Any

from whoosh.codec.base import FieldWriter, PerDocumentWriter, Segment
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage

from govsite.search.exporter import Run, join_entry
from govsite.search.indexer import (
    FIELDS,
    Entry,
    GovCodec,
    GovPostingsWriter,
    UpdateStats,
    index_dir,
    open_index,
    save_digests,
    seal_index,
    search_workers,
)
from govsite.search.postings import FieldPostings, PackedValues, TermLists, field_postings
from govsite.search.query import doc_order

BLOCK_LIMIT = 128  # Whoosh's default postings per block
# Blocks are not compressed: zlib was a third of the writing, and the index stays in the cache
# folder (about 17 KB a document instead of 6 KB); segments Whoosh's writer adds later are.
COMPRESSION = 0

# field -> term -> the term's postings: (document, frequency, weight, value) each
Postings = dict[str, dict[str, list[tuple[int, int, float, bytes]]]]


class BulkPostingsWriter(GovPostingsWriter):
    """GovCodec's postings writer, taking a term's posting list whole, a block at a time, into the
    block buffer its add_posting() fills one posting per call (with type checks), and minifying
    blocks with C loops instead of generators (same results)."""

    def add_all(self, docs: Sequence[int], weights: Sequence[float],
                values: Sequence[bytes]) -> None:
        for start in range(0, len(docs), BLOCK_LIMIT):
            if len(self._ids):
                self._write_block()
            block = slice(start, start + BLOCK_LIMIT)
            self._ids.extend(docs[block])
            self._weights.extend(weights[block])
            chunk = values[block]
            if isinstance(chunk, PackedValues):
                self._values = chunk
            else:
                self._values.extend(value for value in chunk if value)  # as add_posting
            self._maxweight = max(weights[block])

    def _mini_values(self) -> Any:
        return self._values if isinstance(self._values, PackedValues) else super()._mini_values()

    def _mini_ids(self) -> tuple[int, ...]:
        ids = self._ids  # deltas, as whoosh.util.numlists.delta_encode
        return (ids[0], *map(sub, ids[1:], ids))

    def _mini_weights(self) -> float | tuple[float, ...] | None:
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]
        return tuple(weights)


class BulkCodec(GovCodec):
    """GovCodec whose field writer's postings writer is a BulkPostingsWriter, kept at hand."""

    def __init__(self) -> None:
        super().__init__(blocklimit=BLOCK_LIMIT, compression=COMPRESSION)
        self.postings: BulkPostingsWriter | None = None

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> BulkPostingsWriter:
        self.postings = BulkPostingsWriter(dbfile, BLOCK_LIMIT, byteids=byteids,
                                           compression=COMPRESSION)
        return self.postings


def write_new_index(cache_dir: Path, wanted: dict[str, Entry]) -> UpdateStats:
    """Write `wanted` into the cache's empty index; the stats carry the browser index's term
    entries."""
    ix = open_index(cache_dir, create=True)
    assert ix is not None and ix.is_empty()
    records = list(wanted.values())
    ordered = [records[i] for i in doc_order([entry.record for entry in records])]
    shares = _shares(len(ordered), search_workers(len(ordered)))
    tasks = [(str(index_dir(cache_dir)), ordered[start:end], start) for start, end in shares]
    with ix.writer(codec=GovCodec()) as writer:  # holds Whoosh's lock; commits the segments
        if len(tasks) > 1:
            with ProcessPoolExecutor(max_workers=len(tasks)) as pool:
                written = list(pool.map(write_segment, *zip(*tasks, strict=True)))
        else:
            written = [write_segment(*task) for task in tasks]
        segments = [segment for segment, _ in written]
        writer.mergetype = lambda _writer, existing: [*existing, *segments]
    save_digests(cache_dir, ix.latest_generation(),
                 {rel: entry.digest for rel, entry in wanted.items()})
    ix.close()
    seal_index(cache_dir)
    entries = _joined([runs for _, runs in written])
    return UpdateStats(added=len(wanted), removed=0, total=len(wanted), entries=entries)


def _shares(count: int, workers: int) -> list[tuple[int, int]]:
    bounds = [count * n // workers for n in range(workers + 1)]
    return [(start, end) for start, end in pairwise(bounds) if end > start]


def write_segment(folder: str, entries: list[Entry], first: int
                  ) -> tuple[Segment, dict[str, dict[int, Run]]]:
    """One new segment of `entries`, numbered from `first` in the browser index; returns it and
    the entries' runs, {term: {field index: run}}."""
    storage = FileStorage(folder, supports_mmap=False)
    ix = storage.open_index()
    segment = GovCodec().new_segment(storage, ix.indexname)  # read back with GovCodec
    texts = {name: field_postings([entry.fields[name] for entry in entries]) for name in FIELDS}
    others = _write_documents(GovCodec().per_document_writer(storage, segment), ix.schema,
                              entries, texts)
    codec = BulkCodec()
    _write_postings(codec, codec.field_writer(storage, segment), ix.schema, texts, others)
    segment.set_doc_count(len(entries))
    segment.create_compound_file(storage)
    ix.close()
    return segment, _runs(texts, first)


def _write_documents(writer: PerDocumentWriter, schema: Schema, entries: list[Entry],
                     texts: dict[str, FieldPostings]) -> Postings:
    """Stored fields, columns and field lengths as SegmentWriter.add_document writes them; the
    postings of the indexed fields not in `texts` (rel, digest) are collected."""
    postings: Postings = {}
    lengths = {name: found.lengths.tolist() for name, found in texts.items()}
    for docnum, entry in enumerate(entries):
        writer.start_doc(docnum)
        document = entry.document()
        for name in sorted(document):
            field, value = schema[name], document[name]
            length = 0
            if name in lengths:
                length = lengths[name][docnum]
            elif field.indexed:
                terms = postings.setdefault(name, {})
                for term, freq, weight, encoded in field.format.word_values(
                        value, field.analyzer, mode="index"):
                    terms.setdefault(term, []).append((docnum, freq, weight, encoded))
                    length += freq
            writer.add_field(name, field, value if field.stored else None,
                             length if field.scorable else 0)
            if field.column_type:
                writer.add_column_value(name, field.column_type, field.to_column_value(value))
        writer.finish_doc()
    writer.close()
    return postings


def _write_postings(codec: BulkCodec, writer: FieldWriter, schema: Schema,
                    texts: dict[str, FieldPostings], others: Postings) -> None:
    for name in sorted([*texts, *others]):
        writer.start_field(name, schema[name])
        lists = (texts[name].term_lists(schema[name].format.field_boost) if name in texts
                 else _term_lists(others[name]))
        for term, docs, weights, values in lists:
            writer.start_term(term.encode())
            assert codec.postings is not None
            codec.postings.add_all(array("I", docs), array("f", weights), values)
            writer.finish_term()
        writer.finish_field()
    writer.close()


def _term_lists(terms: dict[str, list[tuple[int, int, float, bytes]]]) -> TermLists:
    for term in sorted(terms):  # code point order is UTF-8 byte order, Whoosh's
        docs, _, weights, values = zip(*terms[term], strict=True)
        yield term, docs, weights, values


def _runs(texts: dict[str, FieldPostings], first: int) -> dict[str, dict[int, Run]]:
    runs: dict[str, dict[int, Run]] = {}
    for index, name in enumerate(FIELDS):
        for term, run in texts[name].runs(first):
            runs.setdefault(term, {})[index] = run
    return runs


def _joined(parts: list[dict[str, dict[int, Run]]]) -> dict[str, str]:
    """The workers' runs, in document order, joined into entries."""
    fields: dict[str, dict[int, list[Run]]] = {}
    for part in parts:
        for term, runs in part.items():
            for index, run in runs.items():
                fields.setdefault(term, {}).setdefault(index, []).append(run)
    return {term: join_entry(runs) for term, runs in fields.items()}

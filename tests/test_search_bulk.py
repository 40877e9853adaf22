"""A new index written whole (bulk.py) holds what Whoosh's own writer would write, and its term
entries are what the export would read back from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_helpers import REPO_ROOT, copy_site, opened
from whoosh.reading import IndexReader

from govsite.build import analyse
from govsite.search import bulk, refresh_index, search
from govsite.search.exporter import term_entries
from govsite.search.indexer import Entry, entries, update_index
from govsite.search.query import IndexView


@pytest.fixture(scope="module")
def wanted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Entry]:
    root = copy_site(REPO_ROOT, tmp_path_factory.mktemp("bulk") / "site")
    analysis = analyse(root)
    return entries(analysis.site, {rel: body.text for rel, body in analysis.bodies.items()})


def contents(reader: IndexReader) -> dict[str, object]:
    """Everything a reader gives about each document, keyed by rel (document numbers differ):
    stored fields, field lengths, columns, and every posting with its weight and value."""
    rel_of = {docnum: fields["rel"] for docnum, fields in reader.iter_docs()}
    fields = [name for name in reader.schema.names() if reader.schema[name].indexed]
    postings = {}
    for field in fields:
        for term in reader.lexicon(field):
            matcher = reader.postings(field, term)
            found = {}
            while matcher.is_active():
                found[rel_of[matcher.id()]] = (matcher.weight(), matcher.value())
                matcher.next()
            if found:  # terms of deleted documents stay in the lexicon until a merge
                postings[field, term] = found
    columns = {name: reader.column_reader(name) for name in ("rel", "digest")}
    return {
        "stored": {rel: fields for rel, fields in
                   ((rel_of[n], f) for n, f in reader.iter_docs())},
        # Whoosh gives None for a zero length in a segment where the field has lengths
        "lengths": {(rel, field): reader.doc_field_length(n, field, 0) or 0
                    for n, rel in rel_of.items() for field in fields},
        "totals": {field: reader.field_length(field) for field in fields},
        "columns": {(rel, name): column[n] for name, column in columns.items()
                    for n, rel in rel_of.items()},
        "postings": postings,
    }


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_new_index_holds_what_whooshs_writer_writes(
        tmp_path: Path, wanted: dict[str, Entry], workers: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "search_workers", lambda count: workers)
    written = refresh_index(tmp_path / "bulk", wanted)
    assert written.entries is not None and written.added == len(wanted)
    update_index(tmp_path / "writer", wanted)
    whole, by_writer = opened(tmp_path / "bulk"), opened(tmp_path / "writer")
    with whole.reader() as reader, by_writer.reader() as other:
        assert len(reader.leaf_readers()) == workers  # one segment per worker
        assert contents(reader) == contents(other)
        assert written.entries == term_entries(IndexView(reader))
    whole.close()
    by_writer.close()


def test_an_index_written_whole_takes_updates(tmp_path: Path, wanted: dict[str, Entry],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "search_workers", lambda count: 2)
    cache = tmp_path / "cache"
    refresh_index(cache, wanted)
    rels = sorted(wanted)
    changed = {rel: entry for rel, entry in wanted.items() if rel != rels[0]}
    edited = changed[rels[1]]
    changed[rels[1]] = Entry(edited.rel, {**edited.fields, "body": "独一无二的修订句子"}, edited.record)
    stats = refresh_index(cache, changed)
    assert (stats.added, stats.removed, stats.entries) == (1, 2, None)
    assert [hit["url"] for hit in search(cache, "独一无二的修订句子", 5)] == [edited.record["url"]]
    update_index(tmp_path / "fresh", changed)
    updated_ix, fresh_ix = opened(cache), opened(tmp_path / "fresh")
    with updated_ix.reader() as reader, fresh_ix.reader() as fresh:
        updated, anew = contents(reader), contents(fresh)
    updated_ix.close()
    fresh_ix.close()
    del updated["totals"], anew["totals"]  # Whoosh counts deleted documents until a merge
    assert updated == anew

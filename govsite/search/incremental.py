"""Keep the browser index export between builds, and redo only what changed.

The export is stored in the cache with the term entries it was made from, the document order and
every document's indexed texts. With the same documents in the same order (edits that keep the
date), only the terms of the changed documents (before and after) are read again from Whoosh;
anything else (documents added, removed or re-dated) exports everything again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from govsite.search.analyzer import tokens
from govsite.search.exporter import EXPORT_VERSION, export, term_entries, updated_entries
from govsite.search.indexer import Entry, index_dir, open_index
from govsite.search.query import IndexView

STATE = "export.pickle"


@dataclass
class State:
    key: str
    files: dict[str, bytes]
    version: str
    order: list[str]  # rel of each document number
    entries: dict[str, str]
    fields: dict[str, dict[str, str]]  # rel -> field texts as indexed
    export_version: int  # entries of another format cannot be patched


def exported(
    cache_dir: Path, wanted: dict[str, Entry], names: dict[str, dict[str, str]]
) -> tuple[dict[str, bytes], str]:
    """The export of the index (which must already hold `wanted`)."""
    key = hashlib.sha256(
        pickle.dumps([EXPORT_VERSION, sorted((r, e.digest) for r, e in wanted.items()), names])
    ).hexdigest()
    old = _load(cache_dir / STATE)
    if old and old.key == key:
        return old.files, old.version
    ix = open_index(cache_dir, create=False)
    assert ix is not None
    with ix.reader() as reader:
        view = IndexView(reader)
        if old and old.order == view.rels:
            changed = {rel for rel, entry in wanted.items() if old.fields.get(rel) != entry.fields}
            entries = updated_entries(view, old.entries, _touched(old.fields, wanted), changed)
        else:
            entries = term_entries(view, index_dir(cache_dir))
        files, version = export(view, names, entries)
    ix.close()
    fields = {rel: entry.fields for rel, entry in wanted.items()}
    _save(cache_dir / STATE, State(key, files, version, view.rels, entries, fields, EXPORT_VERSION))
    return files, version


def _touched(before: dict[str, dict[str, str]], wanted: dict[str, Entry]) -> set[str]:
    """Terms whose postings in an edited document differ (a typo fix touches a few terms, an
    appended paragraph only its own)."""
    terms: set[str] = set()
    for rel, entry in wanted.items():
        old = before.get(rel, {})
        if old != entry.fields:
            for field in old.keys() | entry.fields.keys():
                was, now = _positions(old.get(field, "")), _positions(entry.fields.get(field, ""))
                terms.update(t for t in was.keys() | now.keys() if was.get(t) != now.get(t))
    return terms


def _positions(text: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for term, position in tokens(text):
        found.setdefault(term, []).append(position)
    return found


def _load(path: Path) -> State | None:
    try:
        state = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None
    current = isinstance(state, State) and getattr(state, "export_version", 0) == EXPORT_VERSION
    return state if current else None


def _save(path: Path, state: State) -> None:
    temp = path.with_suffix(".tmp")
    temp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temp, path)

"""Keep the browser index export between builds, and redo only what changed.

The export is stored in the cache with the term entries it was made from, the document order and
every document's indexed texts. When the documents keep their numbers (edits that keep the date)
and new ones come after them (documents published since, numbered oldest first), only the terms of
the changed and new documents (before and after) are read again from Whoosh; anything else
(documents removed, re-dated or published back-dated) exports everything again.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from govsite.cache import load_json, save_json
from govsite.search.analyzer import term_positions
from govsite.search.exporter import EXPORT_VERSION, export, term_entries, updated_entries
from govsite.search.indexer import SCHEMA_VERSION, Entry, index_dir, open_index
from govsite.search.query import IndexView

STATE = "export.json"
FORMAT = (SCHEMA_VERSION, EXPORT_VERSION)  # the analyzer and fields, the browser format


@dataclass
class State:
    key: str
    files: dict[str, bytes]
    version: str
    order: list[str]  # rel of each document number
    entries: dict[str, str]
    fields: dict[str, dict[str, str]]  # rel -> field texts as indexed
    format: tuple[str, int]  # FORMAT: entries of another analyzer or format cannot be patched


def exported(
    cache_dir: Path, wanted: dict[str, Entry], names: dict[str, dict[str, str]],
    new_entries: dict[str, str] | None = None,
) -> tuple[dict[str, bytes], str]:
    """The export of the index (which must already hold `wanted`); `new_entries` are its term
    entries if it was just written whole (bulk.py)."""
    key = hashlib.sha256(
        json.dumps([EXPORT_VERSION, sorted((r, e.digest) for r, e in wanted.items()), names],
                   ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    old = _load(cache_dir / STATE)
    if old and old.key == key:
        return old.files, old.version
    ix = open_index(cache_dir, create=False)
    assert ix is not None
    with ix.reader() as reader:
        view = IndexView(reader)
        if new_entries is not None:
            entries = new_entries
        elif old and view.rels[: len(old.order)] == old.order:
            changed = {rel for rel, entry in wanted.items() if old.fields.get(rel) != entry.fields}
            touched = _touched(old.fields, {rel: wanted[rel] for rel in changed})
            entries = updated_entries(view, old.entries, touched, changed)
        else:
            entries = term_entries(view, index_dir(cache_dir))
        files, version = export(view, names, entries)
    ix.close()
    fields = {rel: entry.fields for rel, entry in wanted.items()}
    save_state(cache_dir / STATE, State(key, files, version, view.rels, entries, fields, FORMAT))
    return files, version


def _touched(before: dict[str, dict[str, str]], edited: dict[str, Entry]) -> set[str]:
    """Terms whose postings in the edited documents differ (a typo fix touches a few terms, an
    appended paragraph only its own)."""
    terms: set[str] = set()
    for rel, entry in edited.items():
        old = before.get(rel, {})
        for field in old.keys() | entry.fields.keys():
            was = term_positions(old.get(field, ""))
            now = term_positions(entry.fields.get(field, ""))
            terms.update(t for t in was.keys() | now.keys() if was.get(t) != now.get(t))
    return terms


def save_state(path: Path, state: State) -> None:
    """The export state as signed JSON data (the files base64-encoded)."""
    save_json(path, {"key": state.key, "version": state.version, "order": state.order,
                     "files": {name: base64.b64encode(data).decode() for name, data in state.files.items()},
                     "entries": state.entries, "fields": state.fields, "format": list(state.format)})


def _load(path: Path) -> State | None:
    """The saved state, if it is this govsite's format and has the expected shape; else None."""
    data = load_json(path)
    try:
        if not isinstance(data, dict) or tuple(data["format"]) != FORMAT:
            return None
        state = State(str(data["key"]), {str(n): base64.b64decode(f) for n, f in data["files"].items()},
                      str(data["version"]), [str(r) for r in data["order"]],
                      {str(t): str(e) for t, e in data["entries"].items()},
                      {str(r): {str(k): str(v) for k, v in f.items()} for r, f in data["fields"].items()},
                      FORMAT)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return state

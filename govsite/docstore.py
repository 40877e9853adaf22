"""Loaded documents kept between builds, in .govsite-cache/documents/ (a memo, see cache.py).

A document whose file holds the same bytes, under the same catalogue and the same govsite, is not
parsed and validated again when every file its record names (attachments, captions) is still
in the state loading found it in: same resolved path, same size. The entry holds the record
without its body (taken again from the file just read), the problems found on loading, and that
state. The document's own path is checked against the publication rule on every build, and the
memo is signed JSON data like the others: nothing in it runs code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from dataclasses import astuple, dataclass, fields, replace
from pathlib import Path
from typing import Any

from govsite.cache import Codec, digest
from govsite.model import Attachment, Catalog, Document
from govsite.problems import Problem
from govsite.publication import resolved_source
from govsite.state import code_digest

FileState = tuple[str | None, int]  # resolved source (None: not under content/), size or -1
DATES = ("date", "published", "reviewed")
STORED = tuple(f.name for f in fields(Document) if f.name != "body")


@dataclass(frozen=True)
class Loaded:
    document: Document | None  # its body left empty
    problems: list[Problem]
    files: dict[str, FileState]  # every file the record names, by source path


def file_state(root: Path, source: str) -> FileState:
    """Where a file named by a record resolves to (resolved_source) and its size (-1: no file)."""
    resolved = resolved_source(root, source) if source.startswith("content/") else None
    if resolved is None:
        return None, -1
    try:
        found = os.stat(os.path.join(root, resolved))
    except OSError:
        return resolved, -1
    return resolved, found.st_size if stat.S_ISREG(found.st_mode) else -1


def still_valid(root: Path, loaded: Loaded) -> bool:
    return all(file_state(root, source) == state for source, state in loaded.files.items())


def catalog_digest(catalog: Catalog) -> str:
    """Of the catalogue's parts that loading a document reads (items, units, projects)."""
    return digest("catalog", repr((catalog.units, catalog.domains, catalog.projects)))


def entry_key(catalog: str, rel: str, data: bytes) -> str:
    """The entry of the document at `rel` whose file holds `data`, under `catalog` (its digest)."""
    content = hashlib.blake2b(data, digest_size=32).hexdigest()
    return digest(DOCUMENT_CODEC.name, code_digest(), catalog, rel, content)


def _data(loaded: Loaded) -> Any:
    doc = loaded.document
    record = None if doc is None else {
        name: (value.isoformat() if name in DATES else
               [astuple(a) for a in value] if name == "attachments" else value)
        for name in STORED for value in [getattr(doc, name)]}
    return {"document": record, "problems": [p.row() for p in loaded.problems],
            "files": {source: list(state) for source, state in loaded.files.items()}}


def _from_data(data: Any) -> Loaded:
    record = data["document"]
    document = None
    if record is not None:
        values = {name: record[name] for name in STORED}
        values.update({name: dt.date.fromisoformat(values[name]) for name in DATES})
        values["attachments"] = tuple(Attachment(*row) for row in values["attachments"])
        document = Document(body="", **values)
    files = {source: (resolved, size) for source, (resolved, size) in data["files"].items()}
    return Loaded(document, [Problem.from_row(row) for row in data["problems"]], files)


DOCUMENT_CODEC = Codec("document/1", _data, _from_data)  # bump when Document's fields change


def stripped(loaded: Loaded) -> Loaded:
    """As kept: without the body."""
    return replace(loaded, document=loaded.document and replace(loaded.document, body=""))

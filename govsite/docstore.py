"""Loaded documents kept between builds, in .govsite-cache/documents/ (a memo, see cache.py).

A document whose file holds the same bytes, under the same catalogue and the same govsite, is not
parsed and validated again when every file its record names (attachments, captions) is still
in the state loading found it in: same resolved path, same size. The entry holds the record
without its body, the facts the checks need of the body (bodyfacts.py), the problems found on
loading, that state, and the file's stamp (size, change times, inode) when it was read: a file
whose stamp is unchanged is not even read again, and its body is read only if something asks for
it (content.BodyFile). The document's own path is checked against the publication rule on every
build, and the memo is signed JSON data like the others: nothing in it runs code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import time
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

from govsite.cache import Codec, digest
from govsite.model import Attachment, Catalog, Document
from govsite.problems import Problem
from govsite.publication import resolved_source
from govsite.state import Stamp, code_digest

FileState = tuple[str | None, int]  # resolved source (None: not under content/), size or -1
DATES = ("date", "published", "reviewed")
STORED = tuple(f.name for f in fields(Document) if f.name not in ("markdown", "read_body"))
Record = dict[str, Any]  # a document's STORED fields: Document(markdown=None, read_body=…, **record)


@dataclass(frozen=True)
class Loaded:
    rel: str  # the document's site-relative path
    record: Record | None  # None: the document cannot be used (its problems say why)
    problems: list[Problem]
    files: dict[str, FileState]  # every file the record names, by source path
    content: str  # content_digest of the file's bytes
    stamp: Stamp | None  # the file's when it was read; None if it had just changed (see settled)


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


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=32).hexdigest()


def entry_key(catalog: str, rel: str, content: str) -> str:
    """The entry of the document at `rel` whose file's bytes have `content` (content_digest),
    under `catalog` (its digest)."""
    return digest(DOCUMENT_CODEC.name, code_digest(), catalog, rel, content)


def settled(found: Stamp) -> Stamp | None:
    """A file's stamp, if it can be trusted to change with the file: not if the file changed in
    the last SETTLE_NS, as a write in the same clock tick may leave its times as they were."""
    return found if max(found[1], found[2]) < time.time_ns() - SETTLE_NS else None


SETTLE_NS = 2_000_000_000


def record_of(document: Document) -> Record:
    return {name: getattr(document, name) for name in STORED}


def _data(loaded: Loaded) -> Any:
    record = loaded.record
    stored = None if record is None else {
        name: (value.isoformat() if name in DATES else
               [astuple(a) for a in value] if name == "attachments" else value)
        for name, value in record.items()}
    return {"rel": loaded.rel, "document": stored, "problems": [p.row() for p in loaded.problems],
            "files": {source: list(state) for source, state in loaded.files.items()},
            "content": loaded.content, "stamp": loaded.stamp}


def _from_data(data: Any) -> Loaded:
    stored = data["document"]
    record = None
    if stored is not None:
        record = {name: stored[name] for name in STORED}
        record.update({name: dt.date.fromisoformat(record[name]) for name in DATES})
        record["attachments"] = tuple(Attachment(*row) for row in record["attachments"])
        record["citations"] = tuple((int(n), str(line), str(target)) for n, line, target in record["citations"])
        if not isinstance(record["body_digest"], str) or not isinstance(record["placeholder_line"], int):
            raise TypeError("body facts")
    files = {source: (resolved, size) for source, (resolved, size) in data["files"].items()}
    size, mtime, ctime, inode = data["stamp"] or (None,) * 4
    stamp = None if size is None else (int(size), int(mtime), int(ctime), int(inode))
    return Loaded(str(data["rel"]), record, [Problem.from_row(row) for row in data["problems"]], files,
                  str(data["content"]), stamp)


DOCUMENT_CODEC = Codec("document/2", _data, _from_data)  # bump when Document's fields change

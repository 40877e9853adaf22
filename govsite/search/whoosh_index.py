"""The Whoosh index that `govsite search` queries, kept through Whoosh's public API only.

It is made on demand (the build never opens it): `updated()` brings it in line with the published
documents, re-adding only those whose digest changed. Whoosh pickles its table of contents and
its posting blocks, so unpickling a planted file would run code; hence:

- the index lives outside the site folder, in the user's cache (`$XDG_CACHE_HOME/govsite/`, else
  `~/.cache/govsite/`), one folder per site: a site folder restored from a CI cache or checked
  out from a pull request cannot bring one along;
- a manifest of every file's sha256 is written after each commit and checked before Whoosh opens
  anything: a truncated or foreign file is never read;
- any exception while opening or reading discards the index, which is then made again, with a
  one-line notice;
- the schema holds Whoosh's own classes only: the text is tokenized by tokens.py beforehand and
  Whoosh splits it on spaces, so renaming a govsite class cannot break an index.

A run's tail term (tokens.py) shares its position with the run's last bigram; here it is written
as that bigram with TAIL appended ("政府_"), and query.py looks terms up accordingly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index
from whoosh.analysis import RegexTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.util.filelock import FileLock

from govsite.search.documents import FIELDS, Entry
from govsite.search.tokens import TAIL, TAIL_KEYS, scan

SCHEMA_VERSION = "govsite-whoosh-1"  # bump when the fields or the text given to Whoosh change
MANIFEST = "manifest.json"
LOCK = "update.lock"


def whoosh_dir(root: Path) -> Path:
    """This site's folder in the user's cache."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(root.absolute()).encode()).hexdigest()[:16]
    return base / "govsite" / "whoosh" / key


def schema() -> Schema:
    text = {name: TEXT(analyzer=RegexTokenizer(r"[^ ]+"), phrase=True) for name in FIELDS}
    return Schema(rel=ID(stored=True, unique=True), digest=STORED, record=STORED, **text)


def whoosh_texts(texts: list[str]) -> list[str]:
    """Each text's terms, in position order, joined by spaces; a tail appended to its bigram."""
    found = scan(texts)
    tail = found.keys >= TAIL_KEYS
    order = np.lexsort((tail, found.positions, found.docs))
    keys, inverse = np.unique(found.keys, return_inverse=True)
    names = [found.term(key) for key in keys.tolist()]
    out: list[list[str]] = [[] for _ in texts]
    for name, is_tail, doc in zip(map(names.__getitem__, inverse[order].tolist()),
                                  tail[order].tolist(), found.docs[order].tolist(), strict=True):
        if is_tail:
            out[doc][-1] += TAIL
        else:
            out[doc].append(name)
    return [" ".join(terms) for terms in out]


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One updater per index at a time."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder.parent / f"{folder.name}.lock"))
    lock.acquire(blocking=True)
    try:
        yield
    finally:
        lock.release()


def updated(folder: Path, wanted: dict[str, Entry], notices: list[str]) -> index.Index:
    """The index in `folder`, holding exactly `wanted`; made again if it cannot be trusted."""
    with locked(folder):
        ix = _trusted(folder, notices)
        try:
            _update(ix, wanted)
        except Exception as error:  # a broken segment shows only when read
            ix.close()
            notices.append(discard(folder, error))
            ix = _trusted(folder, notices)
            _update(ix, wanted)
        _write_manifest(folder)
    return ix


def _trusted(folder: Path, notices: list[str]) -> index.Index:
    if (folder / MANIFEST).exists() or any(folder.iterdir()):
        problem = _manifest_problem(folder)
        if problem is None:
            try:
                ix = index.open_dir(str(folder))
                ix.reader().close()  # reads the table of contents and every segment's info
                return ix
            except Exception as error:
                problem = discard(folder, error)
        else:
            problem = discard(folder, problem)
        notices.append(problem)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return index.create_in(str(folder), schema())


def discard(folder: Path, reason: object) -> str:
    shutil.rmtree(folder, ignore_errors=True)
    if isinstance(reason, BaseException):
        reason = type(reason).__name__
    return f"{folder}: 搜索索引无法使用（{reason}），已删除并重建"


def _update(ix: index.Index, wanted: dict[str, Entry]) -> None:
    with ix.searcher() as searcher:
        existing = {fields["rel"]: fields["digest"] for fields in searcher.all_stored_fields()}
    stale = sorted(rel for rel, digest in existing.items()
                   if rel not in wanted or wanted[rel].digest != digest)
    fresh = [entry for rel, entry in sorted(wanted.items()) if existing.get(rel) != entry.digest]
    if not stale and not fresh:
        return
    texts = {name: whoosh_texts([entry.fields[name] for entry in fresh]) for name in FIELDS}
    writer = ix.writer()
    for rel in stale:
        writer.delete_by_term("rel", rel)
    for n, entry in enumerate(fresh):
        writer.add_document(rel=entry.rel, digest=entry.digest, record=entry.record,
                            **{name: texts[name][n] for name in FIELDS})
    writer.commit()


def _files(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir()) if path.is_file() and path.name != MANIFEST}


def _write_manifest(folder: Path) -> None:
    data = {"version": SCHEMA_VERSION, "files": _files(folder)}
    temp = folder / f"{MANIFEST}.tmp"
    temp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(temp, folder / MANIFEST)


def _manifest_problem(folder: Path) -> str | None:
    """Why the folder's files are not those its manifest lists, if they are not."""
    try:
        data: Any = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "清单缺失或损坏"
    if not isinstance(data, dict) or data.get("version") != SCHEMA_VERSION:
        return "版本不同"
    if data.get("files") != _files(folder):
        return "文件与清单不符"
    return None

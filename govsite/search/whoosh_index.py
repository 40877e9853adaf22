"""The Whoosh index that `govsite search` queries, through Whoosh's public API only: made on demand
in the user's cache (never by the build), checked against a signed manifest of its files' sha256
before Whoosh reads anything, and discarded and made again with a notice when it cannot be trusted
(docs/search.md). tokens.py splits the text beforehand and Whoosh's RegexTokenizer splits it on
spaces, so no govsite class is pickled into the index. A tail term is its bigram + TAIL ("政府_"),
at the bigram's position; query.py looks terms up accordingly."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index
from whoosh.analysis import RegexTokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.util.filelock import FileLock

from govsite.body import Body
from govsite.cache import load_json, save_json
from govsite.model import Site
from govsite.search.documents import FIELDS, Entry
from govsite.search.entries import TextOf, site_entries
from govsite.search.query import IndexView, search_view
from govsite.search.synonyms import merged
from govsite.search.tokens import TAIL, TAIL_KEYS, scan

SCHEMA_VERSION = "govsite-whoosh-1"  # bump when the fields or the text given to Whoosh change
MANIFEST = "manifest.json"


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


def updated(folder: Path, wanted: dict[str, Entry], notices: list[str]) -> index.Index:
    """The index in `folder`, holding exactly `wanted`; made again if it cannot be trusted."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder.parent / f"{folder.name}.lock"))  # one updater at a time
    lock.acquire(blocking=True)
    try:
        ix = _trusted(folder, notices)
        try:
            _update(ix, wanted)
        except Exception as error:  # a broken segment shows only when read
            ix.close()
            notices.append(discard(folder, error))
            ix = _trusted(folder, notices)
            _update(ix, wanted)
        save_json(folder / MANIFEST, {"version": SCHEMA_VERSION, "files": _files(folder)})
        return ix
    finally:
        lock.release()


def _trusted(folder: Path, notices: list[str]) -> index.Index:
    if any(folder.iterdir()):
        problem = _manifest_problem(folder)
        try:
            if problem is None:
                ix = index.open_dir(str(folder))
                ix.reader().close()  # reads the table of contents and every segment's info
                return ix
        except Exception as error:
            problem = type(error).__name__
        notices.append(discard(folder, problem))
    folder.mkdir(parents=True, exist_ok=True)
    return index.create_in(str(folder), schema())


def discard(folder: Path, reason: object) -> str:
    shutil.rmtree(folder, ignore_errors=True)
    why = type(reason).__name__ if isinstance(reason, BaseException) else reason
    return f"注意：{folder}: 搜索索引无法使用（{why}），已删除并重建"


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


def _manifest_problem(folder: Path) -> str | None:
    """Why the folder's files are not those its manifest lists, if they are not."""
    data: Any = load_json(folder / MANIFEST)
    if data is None:
        return "清单缺失、损坏或未通过校验"
    if not isinstance(data, dict) or data.get("version") != SCHEMA_VERSION:
        return "版本不同"
    if data.get("files") != _files(folder):
        return "文件与清单不符"
    return None


def search(root: Path, site: Site, bodies: dict[str, Body], query: str, limit: int,
           notices: list[str], text_of: TextOf | None = None) -> list[dict]:
    """Ranked results as {url, title, date, score}; the same order the browser shows."""
    folder, wanted = whoosh_dir(root), site_entries(site, bodies, text_of)
    synonyms = merged(site.catalog.synonyms)
    for retry in (False, True):
        ix = updated(folder, wanted, notices)
        try:
            with ix.reader() as reader:
                hits = search_view(IndexView(reader), query, synonyms)[:limit]
            break
        except Exception as error:  # a posting block broken in a way only reading it shows
            if retry:
                raise
            notices.append(discard(folder, error))
        finally:
            ix.close()
    return [{"url": h.record["url"], "title": h.record["title"], "date": h.record["date"],
             "score": h.score} for h in hits]

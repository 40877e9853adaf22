"""The Whoosh index in the site's cache folder, updated incrementally from the published Site.

Each document is stored with a digest of everything indexed for it; an update deletes and re-adds
only the documents whose digest changed, and deletes the ones no longer published. A copy of the
digests, tagged with the index generation it describes, sits beside the index: reading it is much
faster than reading the index's columns, which remain the fallback.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import pickle
import secrets
import shutil
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3PostingsWriter
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import FileLock
from whoosh.util.numeric import length_to_byte

from govsite.cache import CacheError, load_json, save_json, seal, unseal, usable_key
from govsite.model import Document, Site
from govsite.search.analyzer import GovPositions, GovTokenizer

# bump when the analyzer, the fields or the record change: the cache is then rebuilt
SCHEMA_VERSION = "govsite-search-5"
MANIFEST = "manifest"  # the signed digests of the index's files (seal_index)
log = logging.getLogger(__name__)
FIELDS = ("title", "doc_number", "index_no", "body", "issuer", "item", "domain", "kind", "year")
BOOSTS = {"title": 3.0, "doc_number": 8.0, "index_no": 8.0}
# length normalisation only where lengths vary; metadata fields are fixed-format
LENGTH_B = {"title": 0.75, "body": 0.75}
K1 = 1.2
EXCERPT_CHARS = 160
PARALLEL_DOCS = 2000  # below this, starting worker processes costs more than it saves
# Whoosh's posting pool per writer process, by its own (generous) estimate of memory; past it,
# Whoosh sorts runs to temporary files and merges them, which cost a third of a cold indexing of
# 10,000 documents at 256 MB. 10,000 documents stay below 400 MB a process.
POOL_MB = 1024
PICKLE_PROTOCOL = 5


@dataclass(frozen=True)
class Entry:
    """What the index holds for one document: searchable field texts and the result record."""

    rel: str
    fields: dict[str, str]
    record: dict[str, str]
    body_digest: str | None = None  # sha256 of fields["body"], when known (Body.text_digest)

    @cached_property
    def digest(self) -> str:
        """Of everything indexed for the document, the body by its sha256: the build knows that
        of every body already, and hashing 10,000 bodies again was most of re-indexing one."""
        body = self.body_digest or hashlib.sha256(self.fields["body"].encode()).hexdigest()
        fields = [body if name == "body" else value for name, value in self.fields.items()]
        parts = [SCHEMA_VERSION, *fields, *self.record.values()]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def document(self) -> dict[str, Any]:
        """The Whoosh document: every schema field's value."""
        return {"rel": self.rel, "digest": self.digest, "record": self.record, **self.fields}


@dataclass(frozen=True)
class UpdateStats:
    added: int
    removed: int
    total: int
    entries: dict[str, str] | None = None  # the browser index's term entries, if made on the way


def schema() -> Schema:
    text = {name: _text_field() for name in FIELDS}
    # rel and digest are columns too: an update reads them for every document, quickly
    return Schema(rel=ID(stored=True, unique=True, sortable=True), digest=ID(sortable=True),
                  record=STORED, **text)


def _text_field() -> TEXT:
    field = TEXT(analyzer=GovTokenizer(), phrase=True)
    field.format = GovPositions()
    return field


class GovPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, pickling its blocks with protocol 5 instead of
    protocol 2, which stores every bytes value (a posting's positions) as a call to
    codecs.encode: writing and reading a block are ten times faster, and it is half the size.
    Whoosh's reader unpickles any protocol."""

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()),
                            PICKLE_PROTOCOL)
        if self._compression:
            data = zlib.compress(data, self._compression)
        # the block's statistics, which let a reader skip it without unpickling the data
        info = pickle.dumps((len(self._ids), self._ids[-1], self._maxweight, self._compression,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)),
                            PICKLE_PROTOCOL)
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)  # negative: the term's last block
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class GovCodec(W3Codec):
    """Whoosh's default codec without per-term length statistics (writing a segment looked up
    the field length of every posting for them, and only Whoosh's own scorers read them; ours,
    in query.py, reads each document's length), writing blocks with GovPostingsWriter."""

    length_stats = False

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> GovPostingsWriter:
        return GovPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                 compression=self._compression, inlinelimit=self._inlinelimit)


def entry_for(site: Site, doc: Document, text: str, text_digest: str | None = None) -> Entry:
    catalog = site.catalog
    item = catalog.item(doc.item_id)
    domain = catalog.domain(item.domain_id)
    fields = {
        "title": doc.title,
        "doc_number": doc.doc_number or "",
        "index_no": doc.index_no,
        "body": text,
        "issuer": catalog.unit_name(doc.issuer),
        "item": item.name,
        "domain": domain.name,
        "kind": doc.kind,
        "year": str(doc.published.year),
    }
    record = {
        "url": site.urls[doc.rel],
        "title": doc.title,
        "date": doc.published.isoformat(),
        "doc_number": doc.doc_number or "",
        "item_id": item.id,
        "domain_id": domain.id,
        "kind": doc.kind,
        "excerpt": " ".join(text.split())[:EXCERPT_CHARS],
    }
    return Entry(doc.rel, fields, record, text_digest)


def entries(site: Site, texts: dict[str, str],
            text_digests: dict[str, str] | None = None) -> dict[str, Entry]:
    digests = text_digests or {}
    return {doc.rel: entry_for(site, doc, texts.get(doc.rel, ""), digests.get(doc.rel))
            for doc in site.documents}


@contextmanager
def locked(cache_dir: Path) -> Iterator[None]:
    """One updater per cache at a time (two builds of one site may run at once)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(cache_dir / "update.lock"))
    lock.acquire(blocking=True)
    try:
        yield
    finally:
        lock.release()


def index_dir(cache_dir: Path) -> Path:
    return cache_dir / "whoosh"


def open_index(cache_dir: Path, *, create: bool) -> index.Index | None:
    """The cache's index; recreated empty if it is missing, unreadable, of another version, or
    not exactly the files this machine's govsite wrote (Whoosh unpickles its files, so they are
    opened only after `seal_index`'s signed manifest matches them: docs/cache.md)."""
    folder = index_dir(cache_dir)
    marker = cache_dir / "version"
    current = marker.exists() and marker.read_text() == SCHEMA_VERSION
    if current and folder.is_dir():
        if _sealed(cache_dir):  # before Whoosh reads (unpickles) anything of it
            try:
                return FileStorage(str(folder), supports_mmap=False).open_index()
            except Exception:  # any damage means: rebuild it
                pass
        if any(folder.iterdir()):
            log.warning("注意：搜索索引 %s 未通过校验或已损坏，已丢弃，本次重新生成", folder)
    if not create:
        return None
    shutil.rmtree(folder, ignore_errors=True)
    _digests_file(cache_dir).unlink(missing_ok=True)
    folder.mkdir(parents=True)
    ix = index.create_in(folder, schema())
    marker.write_text(SCHEMA_VERSION)
    seal_index(cache_dir)
    return ix


def _index_digests(cache_dir: Path) -> dict[str, str]:
    folder = index_dir(cache_dir)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


# Without a usable cache key, an index is trusted only by the process (and its forks) that wrote it.
_PROCESS_KEY = secrets.token_bytes(32)


def seal_index(cache_dir: Path) -> None:
    """Record the digests of the index's files, signed with the cache key (after every write)."""
    data = json.dumps({"version": SCHEMA_VERSION, "files": _index_digests(cache_dir)}).encode()
    (cache_dir / MANIFEST).write_bytes(seal(usable_key() or _PROCESS_KEY, data))


def _sealed(cache_dir: Path) -> bool:
    try:
        data = json.loads(unseal(usable_key() or _PROCESS_KEY, (cache_dir / MANIFEST).read_bytes()))
        return data == {"version": SCHEMA_VERSION, "files": _index_digests(cache_dir)}
    except (OSError, ValueError, CacheError):
        return False


def update_index(cache_dir: Path, wanted: dict[str, Entry]) -> UpdateStats:
    ix = open_index(cache_dir, create=True)
    assert ix is not None
    saved = _load_digests(cache_dir)
    current = saved is not None and saved[0] == ix.latest_generation()
    existing = saved[1] if saved and current else indexed_digests(ix)
    stale = sorted(rel for rel, digest in existing.items() if _digest(wanted, rel) != digest)
    fresh = sorted(rel for rel, entry in wanted.items() if existing.get(rel) != entry.digest)
    if stale or fresh:
        writer = ix.writer(codec=GovCodec(), limitmb=POOL_MB, **_parallel(len(fresh)))
        for rel in stale:
            writer.delete_by_term("rel", rel)
        for rel in fresh:
            writer.add_document(**wanted[rel].document())
        writer.commit()
    if stale or fresh or not current:
        save_digests(cache_dir, ix.latest_generation(),
                     {rel: entry.digest for rel, entry in wanted.items()})
    ix.close()
    seal_index(cache_dir)
    return UpdateStats(added=len(fresh), removed=len(stale), total=len(wanted))


CORES = os.cpu_count() or 1
# processes for indexing at most; while a build renders pages beside indexing, half the cores
# (BackgroundSearch sets it in its process)
MAX_WORKERS = min(CORES, 4)


def search_workers(count: int) -> int:
    """Processes for indexing or exporting `count` documents."""
    return MAX_WORKERS if count >= PARALLEL_DOCS else 1


def _parallel(count: int) -> dict[str, object]:
    """Whoosh's multi-process writer (one segment per process) for big batches: a first build."""
    procs = search_workers(count)
    return {"procs": procs, "multisegment": True} if procs > 1 else {}


@contextmanager
def gc_paused() -> Iterator[None]:
    """The build holds every rendered page in memory; without this, the cyclic garbage collector,
    triggered by Whoosh's millions of small allocations, rescans that heap again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def indexed_digests(ix: index.Index) -> dict[str, str]:
    with ix.reader() as reader:
        if not reader.doc_count_all():
            return {}  # an empty index has no columns
        rels = reader.column_reader("rel", translate=True)
        digests = reader.column_reader("digest", translate=True)
        return {rels[n]: digests[n] for n in reader.all_doc_ids()}


def _digest(wanted: dict[str, Entry], rel: str) -> str | None:
    entry = wanted.get(rel)
    return entry.digest if entry else None


def _digests_file(cache_dir: Path) -> Path:
    return cache_dir / "digests.json"


def _load_digests(cache_dir: Path) -> tuple[int, dict[str, str]] | None:
    saved = load_json(_digests_file(cache_dir))
    if not (isinstance(saved, list) and len(saved) == 2 and isinstance(saved[0], int)
            and isinstance(saved[1], dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in saved[1].items())):
        return None
    return saved[0], saved[1]


def save_digests(cache_dir: Path, generation: int, digests: dict[str, str]) -> None:
    save_json(_digests_file(cache_dir), [generation, digests])

"""The Whoosh index in the site's cache folder, updated incrementally from the published Site.

Each document is stored with a digest of everything indexed for it; an update deletes and re-adds
only the documents whose digest changed, and deletes the ones no longer published.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from whoosh import index
from whoosh.fields import ID, STORED, TEXT, Schema

from govsite.model import Document, Site
from govsite.search.analyzer import GovTokenizer

# bump when the analyzer, the fields or the record change: the cache is then rebuilt
SCHEMA_VERSION = "govsite-search-1"
FIELDS = ("title", "doc_number", "index_no", "body", "issuer", "item", "domain", "kind", "year")
BOOSTS = {"title": 3.0, "doc_number": 8.0, "index_no": 8.0}
# length normalisation only where lengths vary; metadata fields are fixed-format
LENGTH_B = {"title": 0.75, "body": 0.75}
K1 = 1.2
EXCERPT_CHARS = 160


@dataclass(frozen=True)
class Entry:
    """What the index holds for one document: searchable field texts and the result record."""

    rel: str
    fields: dict[str, str]
    record: dict[str, str]

    @property
    def digest(self) -> str:
        data = json.dumps([SCHEMA_VERSION, self.fields, self.record], ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class UpdateStats:
    added: int
    removed: int
    total: int


def schema() -> Schema:
    text = {name: TEXT(analyzer=GovTokenizer(), phrase=True) for name in FIELDS}
    return Schema(rel=ID(stored=True, unique=True), digest=STORED, record=STORED, **text)


def entry_for(site: Site, doc: Document, text: str) -> Entry:
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
    return Entry(doc.rel, fields, record)


def entries(site: Site, texts: dict[str, str]) -> dict[str, Entry]:
    return {doc.rel: entry_for(site, doc, texts.get(doc.rel, "")) for doc in site.documents}


def index_dir(cache_dir: Path) -> Path:
    return cache_dir / "whoosh"


def open_index(cache_dir: Path, *, create: bool) -> index.Index | None:
    """The cache's index; recreated empty if it is missing, unreadable or of another version."""
    folder = index_dir(cache_dir)
    marker = cache_dir / "version"
    current = marker.exists() and marker.read_text() == SCHEMA_VERSION
    if current and index.exists_in(folder):
        try:
            return index.open_dir(folder)
        except (index.IndexError, OSError, EOFError):
            pass
    if not create:
        return None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ix = index.create_in(folder, schema())
    marker.write_text(SCHEMA_VERSION)
    return ix


def update_index(cache_dir: Path, wanted: dict[str, Entry]) -> UpdateStats:
    ix = open_index(cache_dir, create=True)
    assert ix is not None
    with ix.searcher() as searcher:
        existing = {f["rel"]: f["digest"] for f in searcher.all_stored_fields()}
    stale = sorted(rel for rel, digest in existing.items() if _digest(wanted, rel) != digest)
    fresh = sorted(rel for rel, entry in wanted.items() if existing.get(rel) != entry.digest)
    if stale or fresh:
        writer = ix.writer(limitmb=256)
        for rel in stale:
            writer.delete_by_term("rel", rel)
        for rel in fresh:
            entry = wanted[rel]
            writer.add_document(rel=rel, digest=entry.digest, record=entry.record, **entry.fields)
        writer.commit()
    ix.close()
    return UpdateStats(added=len(fresh), removed=len(stale), total=len(wanted))


def _digest(wanted: dict[str, Entry], rel: str) -> str | None:
    entry = wanted.get(rel)
    return entry.digest if entry else None

"""What the search indexes hold for each published document (and each SearchPage: the column's
text pages, project pages), and the fields' ranking weights. Both indexes (the browser's,
export.py; the CLI's Whoosh index, whoosh_index.py) are made from these entries, and both sides
of ranking (query.py, static/search-rank.js) read these weights from here (through meta.js).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from govsite.model import Document, SearchPage, Site

FIELDS = ("title", "name", "doc_number", "index_no", "body", "attachments", "issuer", "item",
          "domain", "kind", "year")
BOOSTS = {"title": 3.0, "name": 0.0, "doc_number": 8.0, "index_no": 8.0}
# a document whose name, 文号 or 索引号 holds every part of the query ranks before the others
NAMING = ("name", "doc_number", "index_no")
# length normalisation only where lengths vary; metadata fields are fixed-format
LENGTH_B = {"title": 0.75, "body": 0.75}
K1 = 1.2
EXCERPT_CHARS = 160
PAGE_KIND = "栏目页面"  # the 类型 of a SearchPage's result
QUOTED = re.compile(r"《[^《》]*》")


@dataclass(frozen=True)
class Entry:
    """What the indexes hold for one document: searchable field texts and the result record."""

    rel: str
    fields: dict[str, str]
    record: dict[str, str]
    body_digest: str | None = None  # sha256 of fields["body"], when known (Body.text_digest)

    @cached_property
    def digest(self) -> str:
        """Of everything indexed for the document, the body by its sha256 (the build has it)."""
        body = self.body_digest or hashlib.sha256(self.fields["body"].encode()).hexdigest()
        parts = [body if name == "body" else value for name, value in self.fields.items()]
        return hashlib.sha256("\0".join([*parts, *self.record.values()]).encode()).hexdigest()


def name_of(title: str) -> str:
    """A title without the titles it quotes: 《某办法》解读 names a reading, not the policy."""
    return QUOTED.sub(" ", title)


def entry_for(site: Site, doc: Document, text: str, text_digest: str | None = None) -> Entry:
    catalog = site.catalog
    item = catalog.item(doc.item_id)
    domain = catalog.domain(item.domain_id)
    fields = {
        "title": doc.title, "name": name_of(doc.title), "doc_number": doc.doc_number or "",
        "index_no": doc.index_no, "body": text, "attachments": "\n".join(a.title for a in doc.attachments),
        "issuer": catalog.unit_name(doc.issuer), "item": item.name, "domain": domain.name,
        "kind": doc.kind, "year": str(doc.published.year),
    }
    record = {
        "url": site.urls[doc.rel], "title": doc.title, "date": doc.published.isoformat(),
        "doc_number": doc.doc_number or "", "item_id": item.id, "domain_id": domain.id,
        "kind": doc.kind, "excerpt": excerpt(text),
    }
    return Entry(doc.rel, fields, record, text_digest)


def excerpt(text: str) -> str:
    """The first EXCERPT_CHARS characters of the text with each whitespace run as one space.
    Worked out from the text's start when that gives as many: the words of a prefix, joined,
    are a prefix of the whole text's words joined (its last word may be cut, never another)."""
    for source in (text[: 4 * EXCERPT_CHARS], text):
        shown = " ".join(source.split(maxsplit=EXCERPT_CHARS)[:EXCERPT_CHARS])[:EXCERPT_CHARS]
        if len(shown) == EXCERPT_CHARS:
            break
    return shown


def page_entry(page: SearchPage) -> Entry:
    """A page's entry: its code (a 项目代码) is a naming field like a 索引号, so a query for it
    puts the page first. Its key is `page:` and its URL, which no document's path can be."""
    fields = {name: "" for name in FIELDS} | {
        "title": page.title, "name": name_of(page.title), "index_no": page.code, "body": page.text,
        "item": page.part, "domain": page.section, "kind": PAGE_KIND, "year": str(page.date.year)}
    record = {"url": page.url, "title": page.title, "date": page.date.isoformat(),
              "doc_number": "", "item_id": f"page:{page.part}", "domain_id": f"page:{page.section}",
              "kind": PAGE_KIND, "excerpt": excerpt(page.text)}
    return Entry(f"page:{page.url}", fields, record)


def entries(site: Site, texts: dict[str, str], text_digests: dict[str, str] | None = None,
            pages: Iterable[SearchPage] = ()) -> dict[str, Entry]:
    digests = text_digests or {}
    found = {doc.rel: entry_for(site, doc, texts.get(doc.rel, ""), digests.get(doc.rel))
             for doc in site.documents}
    found.update((entry.rel, entry) for entry in map(page_entry, pages))
    return found


def in_order(entries: dict[str, Entry]) -> list[Entry]:
    """The entries in publication order, oldest first: their numbers in both indexes."""
    values = list(entries.values())
    return [values[i] for i in doc_order([entry.record for entry in values])]


def doc_order(records: list[dict[str, str]]) -> list[int]:
    """Indexes of `records` in publication order, oldest first.

    Read backwards, newest first (by date, then URL). A newly published document usually comes
    last, so the numbers of all others stay as they were and their index entries can be kept."""
    by_url = sorted(range(len(records)), key=lambda i: records[i]["url"], reverse=True)
    return sorted(by_url, key=lambda i: records[i]["date"])  # ISO dates; ties keep URL order

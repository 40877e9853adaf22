"""Offline search: a static browser index for build/search/, and `govsite search`.
browser_index() makes the browser's files (the build runs it beside rendering, see build.py);
search() answers the CLI from a Whoosh index kept in the user's cache (whoosh_index.py). Both
rank alike: the page shows what `govsite search` prints, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from govsite.body import Body
from govsite.column.pages import search_pages
from govsite.model import Site
from govsite.search.browser import KnownShards, browser_files
from govsite.search.documents import Entry, entries, in_order
from govsite.search.export import Store, analysed
from govsite.search.query import IndexView, search_view
from govsite.search.synonyms import merged
from govsite.search.whoosh_index import discard, updated, whoosh_dir
from govsite.structure import project_search_pages

__all__ = ["BrowserIndex", "browser_index", "index_input", "search", "site_entries"]


TextOf = Callable[[str], str]  # a document's body text, by its path


@dataclass
class BrowserIndex:
    files: dict[str, bytes]  # path under build/search/ -> bytes
    kept: dict[str, str]  # path -> sha256 of the files not made again: the output holds them
    digests: dict[str, str]  # path -> sha256 of every term shard, for the next build's `on_disk`
    version: str  # changes with any file: the search page asks for ?v=version
    notices: list[str] = field(default_factory=list)  # caches discarded on the way


def site_entries(site: Site, bodies: dict[str, Body], text_of: TextOf | None = None) -> dict[str, Entry]:
    """The published documents, the column's text pages and the project pages. `text_of` gives
    a document's body text by its path (build.Caches.text_by_path); without it, each body must
    carry its text (converted in this process, not kept from an earlier build)."""
    return entries(site, {rel: text_of(rel) if text_of else _carried(body) for rel, body in bodies.items()},
                   {rel: body.text_digest for rel, body in bodies.items()},
                   [*search_pages(site), *project_search_pages(site)])


def _carried(body: Body) -> str:
    if body.text is None:
        raise ValueError("a body kept from an earlier build: pass text_of")
    return body.text


def index_input(site: Site, bodies: dict[str, Body], text_of: TextOf | None = None
                ) -> tuple[list[Entry], list[list[str]]]:
    """What browser_index() reads: the entries in number order, and the synonym sets."""
    return in_order(site_entries(site, bodies, text_of)), merged(site.catalog.synonyms)


def browser_index(docs: list[Entry], synonyms: list[list[str]], store: Store | None,
                  workers: int, on_disk: dict[str, str] | None = None) -> BrowserIndex:
    """The browser index of `docs` (index_input); `store` keeps its data between builds.
    `on_disk`: {path: sha256} of the term shards the output holds as the last build left
    them; those the new index has too are not made again (BrowserIndex.kept)."""
    found, change = analysed(docs, store, workers)
    known = KnownShards(store.layout, change.terms, on_disk) \
        if store and on_disk and change.terms is not None else None
    made = browser_files(docs, found.lengths, found.entries, synonyms, known)
    if store:
        store.save(found, docs, change, made.layout)
    digests = {f"t/{n}.js": line[3] for n, line in enumerate(made.layout)}
    return BrowserIndex(made.files, made.kept, digests, made.version, store.notices if store else [])


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

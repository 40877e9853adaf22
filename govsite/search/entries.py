"""What is indexed: the entries of a site's published documents, column pages and project pages,
in number order (index_input). Light on purpose: the build makes them in its own process, which
does not load numpy or Whoosh for it."""

from __future__ import annotations

from collections.abc import Callable

from govsite.body import Body
from govsite.column.pages import search_pages
from govsite.model import Site
from govsite.search.documents import Entry, entries, in_order
from govsite.search.synonyms import merged
from govsite.structure import project_search_pages

TextOf = Callable[[str], str]  # a document's body text, by its path


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

"""Offline search: a Whoosh index in the cache folder, exported as a static browser index.

build_search() is called by the build with the published Site; search() serves the CLI.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from govsite.body import Body
from govsite.cache import CACHE_DIR
from govsite.model import Site
from govsite.output import write_tree
from govsite.render import Output, Renderer
from govsite.search import indexer
from govsite.search.bulk import write_new_index
from govsite.search.incremental import exported
from govsite.search.indexer import (
    Entry,
    UpdateStats,
    entries,
    gc_paused,
    locked,
    open_index,
    update_index,
)
from govsite.search.query import IndexView, search_view
from govsite.sections import SEARCH

__all__ = ["BackgroundSearch", "build_search", "cache_dir_of", "has_index", "index_site",
           "refresh_index", "search", "site_entries", "site_search"]


def build_search(
    site: Site, bodies: dict[str, Body], cache_dir: Path, render_page: Callable[..., bytes]
) -> dict[str, bytes]:
    """Update the index for `site` and return {output path: bytes} for build/search/."""
    wanted, names = site_entries(site, bodies), _names(site)
    with locked(cache_dir), gc_paused():
        stats = refresh_index(cache_dir, wanted)
        files, version = exported(cache_dir, wanted, names, stats.entries)
    page = render_page("search.html", f"{SEARCH}/index.html", title="搜索", search_version=version)
    out = {f"{SEARCH}/{path}": data for path, data in files.items()}
    out[f"{SEARCH}/index.html"] = page
    return out


def refresh_index(cache_dir: Path, wanted: dict[str, Entry]) -> UpdateStats:
    """The index brought in line with `wanted`: an empty one is written whole (bulk.py); else
    only the changed documents go through Whoosh's writer."""
    ix = open_index(cache_dir, create=True)
    assert ix is not None
    empty = ix.is_empty()
    ix.close()
    return write_new_index(cache_dir, wanted) if empty and wanted else update_index(cache_dir, wanted)


def has_index(cache_dir: Path) -> bool:
    with locked(cache_dir):  # not while a build rewrites it: its files would not match the manifest
        ix = open_index(cache_dir, create=False)
    if ix is None:
        return False
    ix.close()
    return True


def search(cache_dir: Path, query: str, limit: int) -> list[dict]:
    """Ranked results as {url, title, date, score}; the same order the browser shows."""
    with locked(cache_dir):
        ix = open_index(cache_dir, create=False)
        if ix is None:
            return []
        with ix.reader() as reader:
            hits = search_view(IndexView(reader), query)[:limit]
        ix.close()
    return [
        {"url": h.record["url"], "title": h.record["title"], "date": h.record["date"],
         "score": h.score}
        for h in hits
    ]


def _names(site: Site) -> dict[str, dict[str, str]]:
    catalog = site.catalog
    return {
        "domains": {d.id: d.name for d in catalog.domains},
        "items": {i.id: i.name for i in catalog.items},
    }


def site_search(
    site: Site, root: Path, bodies: dict[str, Body], *, use_cache: bool = True
) -> dict[str, bytes]:
    """build_search() wired to the build: theme renderer, the site's cache folder
    (a throw-away one without the cache)."""
    renderer = Renderer(site, root, bodies)

    def render_page(template: str, path: str, *, title: str, **extra: object) -> bytes:
        page = {"title": title, "column_name": "站内搜索", "column_type": "搜索",
                "breadcrumb": [("首页", "index.html"), (title, None)]}
        return renderer.page(template, path, page=page, **extra)

    if use_cache:
        return build_search(site, bodies, cache_dir_of(root), render_page)
    with tempfile.TemporaryDirectory(prefix="govsite-search-") as temp:
        return build_search(site, bodies, Path(temp), render_page)


def site_entries(site: Site, bodies: dict[str, Body]) -> dict[str, Entry]:
    return entries(site, {rel: body.text for rel, body in bodies.items()},
                   {rel: body.text_digest for rel, body in bodies.items()})


class BackgroundSearch:
    """site_search() in a forked process, so that indexing runs while the build renders and
    writes pages (it used to be a stage of its own, a third of a cold build); the process writes
    the index's files into the build's new output `folder` itself. result() waits for it and
    gives their paths; cancel() stops it, worker processes included."""

    def __init__(self, site: Site, root: Path, bodies: dict[str, Body], folder: Path, *,
                 use_cache: bool = True):
        self.process: multiprocessing.process.BaseProcess | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            self.paths = _write_search(site, root, bodies, folder, use_cache)
            return
        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        # forked, the process inherits its arguments instead of having them pickled
        self.process = context.Process(target=_run_job,
                                       args=(sender, site, root, bodies, folder, use_cache))
        self.process.start()
        with contextlib.suppress(OSError):  # also set by the process itself: either may run first
            os.setpgid(self.process.pid, self.process.pid)
        sender.close()

    def result(self) -> list[str]:
        if self.process is None:
            return self.paths
        try:
            succeeded, found = self.receiver.recv()
        except EOFError:  # it ended without a word: killed, out of memory
            succeeded, found = False, RuntimeError("the search indexing process stopped")
        self.process.join()
        self.cancel()
        if not succeeded:
            raise found
        return found

    def cancel(self) -> None:
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.kill()
            with contextlib.suppress(ProcessLookupError):  # its workers, in its group
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.join()
        self.receiver.close()
        self.process = None


def _write_search(site: Site, root: Path, bodies: dict[str, Body], folder: Path,
                  use_cache: bool) -> list[str]:
    pages = site_search(site, root, bodies, use_cache=use_cache)
    write_tree(Output(pages), folder)
    return sorted(pages)


def _run_job(sender: Connection, site: Site, root: Path, bodies: dict[str, Body], folder: Path,
             use_cache: bool) -> None:
    os.setpgid(0, 0)  # a group of its own, so that cancel() reaches its workers too
    # the build renders pages on every core meanwhile: on two cores, one indexing process instead
    # of two cut what indexing adds to a cold build of 10,000 documents from 6.7 s to 4.2 s
    indexer.MAX_WORKERS = min(max(1, indexer.CORES // 2), indexer.MAX_WORKERS)
    try:
        sender.send((True, _write_search(site, root, bodies, folder, use_cache)))
    except BaseException as error:  # re-raised by result()
        sender.send((False, error))
    finally:
        sender.close()


def cache_dir_of(root: Path) -> Path:
    return root / CACHE_DIR / "search"


def index_site(root: Path) -> None:
    """Index a site's published documents without building it (for `govsite search`)."""
    from govsite.build import Caches, analyse  # the build imports this package

    cache = Caches(root / CACHE_DIR)
    analysis = analyse(root, cache=cache)
    with locked(cache_dir_of(root)):
        refresh_index(cache_dir_of(root), site_entries(analysis.site, analysis.bodies))
    cache.save()

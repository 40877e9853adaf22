"""Stage 6, index: the browser search index, made in a process of its own while the build
renders and writes pages (BackgroundSearch), or at once (search_output, for govsite serve)."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsite.cache import CACHE_DIR
from govsite.model import Site
from govsite.output import Staging
from govsite.parallel import INDEXED, leave_half, workers
from govsite.sections import SEARCH

if TYPE_CHECKING:
    from govsite.body import Body
    from govsite.search.documents import Entry
    from govsite.search.export import BrowserIndex, Store

# The search package (numpy) is imported where it runs: a build or check that finds nothing
# changed does not load it.


def search_output(site: Site, root: Path, bodies: dict[str, Body], text_of: Callable[[str], str], *,
                  served: dict[str, tuple[str, bytes]] | None = None
                  ) -> tuple[dict[str, bytes], list[str], dict[str, str]]:
    """build/search/ for govsite serve: the browser index and the search page; the notices of
    caches discarded on the way; and {path: sha256} of the term shards. `served`: {path:
    (sha256, bytes)} of the term shards served now, which an edit may leave as they are."""
    from govsite.render import search_page
    from govsite.search.entries import index_input

    served = served or {}
    found = _index_files(*index_input(site, bodies, text_of), _store(search_cache(root, True)),
                         {path: sha for path, (sha, _) in served.items()})
    pages = {**found.files, **{path: served[path][1] for path in found.kept},
             f"{SEARCH}/index.html": search_page(site, root, bodies, found.version)}
    return pages, found.notices, found.digests


def search_cache(root: Path, use_cache: bool) -> Path | None:
    """The search index's cache folder (none without the cache)."""
    return root / CACHE_DIR / "search" if use_cache else None


def _store(cache_dir: Path | None, *, every_text: bool = False) -> Store | None:
    """The search cache's data (search/export.py), None without a cache."""
    from govsite.search.export import Store

    return Store(cache_dir, every_text=every_text) if cache_dir else None


SENT_AT_ONCE = 500  # documents sent to the search process in one message


class BackgroundSearch:
    """The browser index made in a process of its own, so that indexing runs while the build
    renders and writes pages. The process is forked when the build starts, before it loads
    anything, and is sent only what it indexes (start()): it carries no copy of the build's
    memory. Meanwhile it reads the body texts its cache (`cache_dir`) holds and tells the build
    their digests: an entry whose body is one of them is sent without it. It writes its files
    into the build's new output folder; result() waits for it and writes the search page;
    cancel() stops it, worker processes included."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.process: multiprocessing.process.BaseProcess | None = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return  # start() indexes at once, in this process
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_search_job, args=(child_end, cache_dir))
        self.process.start()
        with contextlib.suppress(OSError):  # also set by the process itself: either may run first
            os.setpgid(self.process.pid, self.process.pid)
        child_end.close()

    def start(self, site: Site, root: Path, bodies: dict[str, Body], stage: Staging,
              use_cache: bool, text_of: Callable[[str], str],
              on_disk: dict[str, str] | None = None) -> None:
        """Indexing begins: `text_of` gives a document's body text by its path, asked only for
        those the search cache lacks; `on_disk`, {path: sha256} of the term shards build/ holds
        as the last build left them (those the new index has too are kept)."""
        from govsite.search.entries import index_input

        self.site, self.root, self.bodies = site, root, bodies
        where = (stage.folder, stage.previous, on_disk or {})
        if self.process is None:
            store = _store(search_cache(root, use_cache))
            self.found = _search_files(*index_input(site, bodies, text_of), store, *where)
            return
        kept = self.connection.recv()  # {path: sha256 of the body text} its cache holds

        def unless_kept(rel: str) -> str:  # the search process restores a kept text (_restored)
            return "" if kept.get(rel) == bodies[rel].text_digest else text_of(rel)

        docs, synonyms = index_input(site, bodies, unless_kept)
        self.connection.send((len(docs), synonyms, *where))
        for start in range(0, len(docs), SENT_AT_ONCE):  # pickled a part at a time
            self.connection.send([_sent(entry) for entry in docs[start : start + SENT_AT_ONCE]])

    def result(self, stage: Staging) -> tuple[list[str], list[str], dict[str, str]]:
        """The paths of the files under search/, the notices of caches discarded on the way, and
        {path: sha256} of the term shards (for the next build's `on_disk`)."""
        from govsite.render import search_page

        if self.process is None:
            paths, written, version, notices, digests = self.found
        else:
            try:
                succeeded, found = self.connection.recv()
            except EOFError:  # it ended without a word: killed, out of memory
                succeeded, found = False, RuntimeError("the search indexing process stopped")
            self.cancel()
            if not succeeded:
                raise found
            paths, written, version, notices, digests = found
        stage.written |= written
        stage.kept |= set(paths) - written
        stage.write(f"{SEARCH}/index.html", search_page(self.site, self.root, self.bodies, version))
        return sorted([*paths, f"{SEARCH}/index.html"]), notices, digests

    def cancel(self) -> None:
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.kill()
            with contextlib.suppress(ProcessLookupError):  # its workers, in its group
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.join()
        self.connection.close()
        self.process = None


def _sent(entry: Entry) -> Entry:
    """The entry as sent to the search process, with a copy of its body text (empty when the
    search cache holds it: start()): pickling a str keeps a UTF-8 copy of it inside the str for
    as long as it lives, and the build's body texts may live until it ends."""
    return replace(entry, fields={**entry.fields, "body": entry.fields["body"].encode().decode()})


def _restored(entry: Entry, text: str) -> Entry:
    """An entry sent without its body text (_sent), with it again, and the excerpt made from it."""
    from govsite.search.documents import excerpt

    return replace(entry, fields={**entry.fields, "body": text}, record={**entry.record, "excerpt": excerpt(text)})


def _in_cache(entry: Entry, kept: dict[str, str]) -> bool:
    return entry.body_digest is not None and kept.get(entry.rel) == entry.body_digest


def _index_files(docs: list[Any], synonyms: list[list[str]], store: Store | None,
                 on_disk: dict[str, str] | None = None) -> BrowserIndex:
    """The browser index, its paths under build/ (`on_disk`'s too)."""
    from govsite.search.export import browser_index

    def under_search(by_path: dict[str, Any]) -> dict[str, Any]:
        return {f"{SEARCH}/{path}": value for path, value in by_path.items()}

    within = {path.removeprefix(f"{SEARCH}/"): sha for path, sha in (on_disk or {}).items()}
    found = browser_index(docs, synonyms, store, workers(len(docs), INDEXED), within)
    found.files, found.kept, found.digests = map(under_search, (found.files, found.kept, found.digests))
    return found


def _search_files(docs: list[Any], synonyms: list[list[str]], store: Store | None, folder: Path,
                  previous: Path | None, on_disk: dict[str, str]
                  ) -> tuple[list[str], set[str], str, list[str], dict[str, str]]:
    """Writes into `folder` the browser index's files that differ from the `previous` site's
    and are not kept `on_disk`: (all its paths, those written, its version, notices, the term
    shards' sha256)."""
    found = _index_files(docs, synonyms, store, on_disk)
    stage = Staging(folder, previous)
    for path, data in sorted(found.files.items()):
        stage.write(path, data)
    return [*found.files, *found.kept], stage.written, found.version, found.notices, found.digests


def _search_job(connection: Any, cache_dir: Path | None) -> None:
    """The search process: it reads the search cache while the build loads (every body text,
    to tell the build which it need not send), then indexes what the build sends."""
    os.setpgid(0, 0)  # a group of its own, so that cancel() reaches its workers too
    leave_half()  # the build renders pages on the other cores meanwhile
    store = _store(cache_dir, every_text=True)
    bodies = {rel: fields["body"] for rel, fields in store.fields.entries.items()} if store else {}
    kept = {rel: hashlib.sha256(body.encode()).hexdigest() for rel, body in bodies.items()}
    try:
        connection.send(kept)
        count, synonyms, *where = connection.recv()
        docs: list[Any] = []
        while len(docs) < count:
            docs += [_restored(entry, bodies[entry.rel]) if _in_cache(entry, kept) else entry
                     for entry in connection.recv()]
    except (EOFError, BrokenPipeError):  # the build ended before it had anything to index
        return
    try:
        connection.send((True, _search_files(docs, synonyms, store, *where)))
    except BaseException as error:  # re-raised by result()
        connection.send((False, error))
    finally:
        connection.close()

"""`govsite serve`'s builds: the first one whole, later ones redoing only what an edit changed,
from what the earlier builds left in a ServeMemo."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govsite.build import STAGES, Analysis, BuildResult, Caches, Stages, analyse
from govsite.cache import CACHE_DIR
from govsite.column.model import FOLDER as COLUMN_FOLDER
from govsite.content import DocumentMemo
from govsite.indexing import search_output
from govsite.load import CATALOG, LoadedCatalog, load_catalog
from govsite.output import Output, publish, publish_changes
from govsite.parallel import without_cycle_collection
from govsite.problems import GovsiteError, has_errors
from govsite.render import render_site
from govsite.sections import SEARCH


@dataclass
class ServeMemo:
    """What one build keeps for the next."""

    documents: DocumentMemo = field(default_factory=dict)  # documents read, by file
    pages: dict[Any, Any] = field(default_factory=dict)  # rendered pages, by everything they show
    catalog: LoadedCatalog | None = None  # None: read catalog.yaml again
    published: Output | None = None  # what the output folder holds
    shards: dict[str, str] = field(default_factory=dict)  # sha256 of the search term shards in it


class SiteBuilder:
    """Builds one site again and again (govsite serve), keeping what it read and rendered in
    memory, so a rebuild after an edit re-reads, re-renders and re-writes only what changed."""

    def __init__(self, root: Path, out: Path, show_scheduled: bool = False):
        self.root, self.out = root.absolute(), out.absolute()
        self.show_scheduled = show_scheduled
        self.caches = Caches(self.root / CACHE_DIR)
        self.memo = ServeMemo()

    @without_cycle_collection
    def rebuild(self, changed: Iterable[str] | None = None,
                pages_ready: Callable[[], None] | None = None,
                more_edits: Callable[[], bool] = lambda: False) -> BuildResult:
        """`changed`: site-relative paths the watcher saw change (None: check every file).

        After the first build, pages are written before the warnings-only checks run and the
        search index is updated, and `pages_ready` is called in between: the edited page shows
        at once, the search index follows a moment later — or, when `more_edits` says another
        rebuild is due, with that rebuild."""
        started = time.perf_counter()
        changed = None if changed is None else set(changed)
        memo = self.memo
        self.forget(changed or ())
        stage = Stages(None)
        with stage(STAGES[0]):
            analysis = self.analysed(changed)
        with stage(STAGES[1]):
            output = render_site(analysis.site, self.root, analysis.bodies,
                                 self.caches.qr_codes(analysis.site), memo=memo.pages,
                                 html=self.caches.kept_html())
        if memo.published is not None:
            with stage(STAGES[2]):
                output.pages.update(_search_pages(memo.published))
                publish_changes(memo.published, output, self.out)
                memo.published = output
            if pages_ready:
                pages_ready()
            with stage(STAGES[0]):
                analysis = analysis.advised()
            if more_edits():
                return self.result(analysis, output, started, stage, [])
        indexed, notices = self.indexed(analysis, output, stage)
        return self.result(analysis, indexed, started, stage, notices)

    def analysed(self, changed: set[str] | None) -> Analysis:
        """The analysis of the site as it is now; GovsiteError if it has errors. After the first
        build, the warnings-only checks are left to Analysis.advised."""
        memo = self.memo
        if changed is None or CATALOG in changed or memo.catalog is None:
            memo.catalog = load_catalog(self.root)
        analysis = analyse(self.root, cache=self.caches, documents_memo=memo.documents,
                           changed=changed, catalog=memo.catalog,
                           show_scheduled=self.show_scheduled,
                           later_advice=memo.published is not None)
        if has_errors(analysis.problems):
            raise GovsiteError(analysis.problems)
        return analysis

    def indexed(self, analysis: Analysis, output: Output, stage: Stages) -> tuple[Output, list[str]]:
        """`output` with the search index, published; and the search cache's notices."""
        published = self.memo.published
        served = {path: (sha, published.pages[path]) for path, sha in self.memo.shards.items()} \
            if published else {}
        with stage(STAGES[3]):
            search, notices, shards = search_output(
                analysis.site, self.root, analysis.bodies, self.caches.text_by_path(analysis.site),
                served=served)
        with stage(STAGES[2]):
            indexed = Output({**output.pages, **search}, output.copies)
            if published is None:
                publish(indexed, self.out)
            else:
                publish_changes(published, indexed, self.out)
            self.memo.published, self.memo.shards = indexed, shards
        return indexed, notices

    def result(self, analysis: Analysis, output: Output, started: float, stage: Stages,
               notices: list[str]) -> BuildResult:
        return BuildResult(analysis.site, analysis.problems, self.out, len(output.pages),
                           time.perf_counter() - started, [], stage.seconds, notices=notices)

    def forget(self, changed: Iterable[str]) -> None:
        for path in changed:
            if path == CATALOG or path.startswith(("themes/", COLUMN_FOLDER + "/")):
                self.memo.pages.clear()  # page keys do not cover templates or every catalogue field
            elif not path.endswith(".md"):  # an attachment: reload the documents beside it
                folder = path.rsplit("/", 1)[0] + "/"
                for rel in [r for r in self.memo.documents if r.startswith(folder)]:
                    del self.memo.documents[rel]

    def close(self) -> None:
        self.caches.save()


def _search_pages(output: Output) -> dict[str, bytes]:
    return {path: data for path, data in output.pages.items() if path.startswith(f"{SEARCH}/")}

"""The pipeline in one place: load → resolve → convert bodies → validate → render → write."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsite.cache import CACHE_DIR, Memo, digest, shard_of, usable_key
from govsite.column.load import load_column
from govsite.column.resolve import resolve_column
from govsite.content import DocumentMemo, load_documents, release_bodies
from govsite.indexing import BackgroundSearch, search_cache
from govsite.load import CATALOG, LoadedCatalog, load_catalog
from govsite.model import Catalog, Document, Site
from govsite.output import check_output_dir, staging, write_tree
from govsite.parallel import BODIES, forked_results, without_cycle_collection
from govsite.problems import ERROR, GovsiteError, Problem, has_errors, sort_problems
from govsite.sections import SEARCH
from govsite.state import BuildState, Recorded, output_stamps, patched_stamps, scan_inputs, stamp

if TYPE_CHECKING:
    from govsite.body import Body
    from govsite.render import KeptHtml

# The stages that convert, check, render and index (Markdown, Jinja2, segno, Whoosh, numpy) are
# imported where they run: a build or check that finds nothing changed does not load them.


@dataclass
class Analysis:
    catalog: Catalog
    documents: list[Document]  # every loaded document, any disclosure
    site: Site  # published documents only
    bodies: dict[str, Body]
    problems: list[Problem]
    advice: Callable[[], list[Problem]] | None = None  # the warnings analyse left to work out

    def advised(self) -> Analysis:
        """This analysis with the warnings it left to work out."""
        if self.advice is None:
            return self
        return replace(self, problems=sort_problems(self.problems + self.advice()), advice=None)


@dataclass
class BuildResult:
    site: Site | None  # None when nothing changed since the last build: it was not loaded
    problems: list[Problem]
    out: Path
    pages: int
    seconds: float
    withheld_invalid: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    published: int = 0
    withheld: int = 0
    scheduled: int = 0
    notices: list[str] = field(default_factory=list)  # caches discarded and rebuilt

    def __post_init__(self) -> None:
        if self.site is not None:
            self.published, self.withheld = len(self.site.documents), self.site.withheld
            self.scheduled = self.site.scheduled


def source_date() -> dt.date | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()


def resolve_today(today: dt.date | None = None) -> dt.date:
    """--today, else SOURCE_DATE_EPOCH, else the clock."""
    return today or source_date() or dt.date.today()


class Caches:
    """The build's memos of pure functions, persisted in <site>/.govsite-cache/ (docs/cache.md)."""

    def __init__(self, folder: Path | None, *, html_on_disk: bool = False):
        from govsite.audit.bodyformat import FINDINGS_CODEC
        from govsite.body import BODY_CODEC, HTML_CODEC, TEXT_CODEC  # lazily: a no-change build converts nothing
        from govsite.docstore import DOCUMENT_CODEC
        from govsite.qr import QR_CODEC

        key = usable_key() if folder else None
        self.folder = folder if key else None
        self.bodies = Memo(self.folder / "bodies" if self.folder else None, BODY_CODEC, key)
        self.html = Memo(self.folder / "html" if self.folder else None, HTML_CODEC, key, lazy=True)
        self.texts = Memo(self.folder / "texts" if self.folder else None, TEXT_CODEC, key, lazy=True)
        self.qr = Memo(self.folder / "qr" if self.folder else None, QR_CODEC, key, lazy=True)  # check needs none
        self.findings = Memo(self.folder / "bodyformat" if self.folder else None, FINDINGS_CODEC, key)
        self.documents = Memo(self.folder / "documents" if self.folder else None, DOCUMENT_CODEC, key)
        # a build's converted HTML goes to disk at once and is read back page by page: the main
        # process never holds every body's HTML (govsite serve keeps what it reads), nor every
        # body's text (read back for the search index when its cache lacks it)
        self.html_on_disk = html_on_disk

    def convert_bodies(self, documents: Iterable[Document]) -> dict[str, Body]:
        """Each document's body; those kept from an earlier build come without their HTML and
        text (html_of and text_of read them when needed), which are kept apart, by the same key.
        With html_on_disk, bodies are converted a shard of those memos after another, and each
        shard is written and let go of as soon as it is complete: the HTML and text of every
        body are never in memory at once."""
        from govsite.body import convert

        documents = list(documents)
        keys = {doc.rel: body_key(doc) for doc in documents}
        for key in self.bodies.entries.keys() - keys.values():
            self.html.delete(key)
            self.texts.delete(key)
        self.bodies.keep_only(keys.values())
        todo = {key: doc for doc in documents if (key := keys[doc.rel]) not in self.bodies.entries}
        order = sorted(todo, key=shard_of)  # stable: a shard's bodies in the documents' order
        calls = [(todo[key].rel, todo[key].body, todo[key].body_line) for key in order]
        shard: list[str] = []  # the keys converted of the memo shard being filled
        for key, body in zip(order, forked_results(convert, calls, BODIES), strict=True):
            if shard and shard_of(shard[-1]) != shard_of(key):
                self._flush(shard)
                shard = []
            self.bodies.put(key, body)
            if not body.refused:
                for memo, value in ((self.html, body.html), (self.texts, body.text)):
                    if value is not None and memo.get(key) is None:
                        memo.put(key, value)
            shard.append(key)
        self._flush(shard)
        if self.html_on_disk:
            self.html.unload()  # what the checks above read
            self.texts.unload()
        return {rel: self.bodies.entries[key] for rel, key in keys.items()}

    def _flush(self, keys: list[str]) -> None:
        """With html_on_disk, the HTML and text of the bodies at `keys` (one shard) written and
        let go of."""
        names = {shard_of(keys[0])} if keys else set()
        if names and self.html_on_disk and self.html.flush(names) and self.texts.flush(names):
            for key in keys:
                if not self.bodies.entries[key].refused:
                    self.bodies.entries[key] = replace(self.bodies.entries[key], html=None, text=None)

    def kept_html(self) -> KeptHtml:
        """How the renderer finds the HTML of the bodies that came without it."""
        from govsite.render import KeptHtml

        return KeptHtml(self.html_of, self.html_group if self.html_on_disk else None)

    def html_of(self, doc: Document) -> str:
        """The HTML of a kept body (convert_bodies), from the HTML memo, else converted again.
        With html_on_disk, it leaves memory once read: each page is rendered once."""
        from govsite.body import convert

        key = body_key(doc)
        html = self.html.take(key) if self.html_on_disk else self.html.get(key)
        return html if html is not None else convert(doc.rel, doc.body, doc.body_line).html or ""

    def text_by_path(self, site: Site) -> Callable[[str], str]:
        """text_of the site's documents, by path."""
        return lambda rel: self.text_of(site.by_rel[rel])

    def text_of(self, doc: Document) -> str:
        """The plain text of a document's body (convert_bodies): from the text memo, else
        converted again."""
        from govsite.body import convert

        body = self.bodies.entries.get(key := body_key(doc))
        if body is not None and body.text is not None:
            return body.text
        text = self.texts.get(key)
        return text if text is not None else convert(doc.rel, doc.body, doc.body_line).text or ""

    def html_group(self, doc: Document) -> str:
        return shard_of(body_key(doc))

    def body_findings(self, documents: Iterable[Document]) -> dict[str, tuple]:
        """The body-format findings of each document (audit/bodyformat.py), by path."""
        from govsite.audit.bodyformat import findings, findings_key

        return _by_document(self.findings, findings, documents, findings_key, lambda d: (d,))

    def qr_codes(self, site: Site) -> dict[str, str]:
        from govsite.qr import qr_svg
        from govsite.render import page_url

        base = site.catalog.site.base_url
        if not base:
            return {}
        urls = {rel: page_url(base, path) for rel, path in site.urls.items()}
        svgs = self.qr.compute(qr_svg, {url: (url,) for url in urls.values()})
        return {rel: svgs[url] for rel, url in urls.items()}

    def save(self) -> None:
        self.bodies.save()
        self.html.save()
        self.texts.save()
        self.qr.save()
        self.findings.save()
        self.documents.save()
        if self.folder:  # where earlier govsites kept them (pickles, then one JSON file); never read
            for legacy in ("bodies.pickle", "qr.pickle", "bodies.json", "qr.json", "bodyformat.json"):
                (self.folder / legacy).unlink(missing_ok=True)


def _by_document(memo: Memo, function: Callable[..., Any], documents: Iterable[Document],
                 key: Callable[[Document], str], args: Callable[[Document], tuple[Any, ...]]
                 ) -> dict[str, Any]:
    """`function` of each document, by path, from `memo` under the document's `key`."""
    keys = {d.rel: (key(d), d) for d in documents}
    results = memo.compute(function, {k: args(d) for k, d in keys.values()})
    return {rel: results[k] for rel, (k, _) in keys.items()}


@lru_cache(maxsize=1 << 16)  # govsite serve asks again for the documents it kept
def body_key(doc: Document) -> str:
    """Of everything body.convert reads: the body memo keeps its result by this key."""
    from govsite.body import BODY_CODEC

    return digest(BODY_CODEC.name, doc.rel, doc.body_line, doc.body_digest)


def analyse(root: Path, *, today: dt.date | None = None, base_url: str | None = None,
            cache: Caches | None = None, exclude: frozenset[str] = frozenset(),
            documents_memo: DocumentMemo | None = None, changed: set[str] | None = None,
            catalog: LoadedCatalog | None = None, show_scheduled: bool = False,
            later_advice: bool = False) -> Analysis:
    """Read and validate everything; write nothing. Raises GovsiteError if the catalogue is
    unusable (nothing else can be checked without it). `documents_memo`, `changed` and an
    already loaded `catalog` (load_catalog's result) let govsite serve skip reading what did not
    change, and `later_advice` leaves the warnings-only checks to Analysis.advised. The Site
    holds the documents published on `today` (see resolve_today), or with `show_scheduled` also
    those published later."""
    from govsite.audit import ADVISORY, COLUMN_CHECKS, run_checks
    from govsite.links import check_links
    from govsite.publication import forget_real_folders
    from govsite.resolve import resolve_site
    from govsite.themes import check_templates

    forget_real_folders()
    site_catalog, problems = _usable_catalog(root, catalog, base_url)
    cache = cache or Caches(None)
    loaded, found_on_load = load_documents(root, site_catalog, documents_memo, changed, cache.documents)
    problems += found_on_load
    documents = [d for d in loaded if d.rel not in exclude]
    day = resolve_today(today)
    site, found = resolve_site(site_catalog, documents, day, show_scheduled)
    problems += found
    # unpublished bodies too, in the same call (the memo keeps only what each call asks for):
    # the files they link to belong to them and are never published by another document
    unpublished = [d for d in loaded if d.rel not in site.urls]
    converted = cache.convert_bodies([*site.documents, *unpublished])
    bodies = {d.rel: converted[d.rel] for d in site.documents}
    site, found = _with_files(root, site, bodies, unpublished, converted, found_on_load, day)
    problems += found + check_links(site, documents, bodies)
    site, found = _with_column(root, site, loaded, site_catalog, day)
    checks = partial(run_checks, site_catalog, documents, day, root=root, site=site,
                     body_findings=cache.body_findings(documents))
    problems += found + checks(checks=COLUMN_CHECKS)  # these may report errors: never left for later
    advice = partial(checks, checks=ADVISORY)
    if not later_advice:
        problems += advice()
    if changed is None or any(path == CATALOG or path.startswith("themes/") for path in changed):
        problems += check_templates(root, site_catalog.site.theme)  # else checked when they changed
    release_bodies(loaded)  # converted and checked: pages and search take what the caches hold
    return Analysis(site_catalog, documents, site, bodies, sort_problems(problems),
                    advice if later_advice else None)


def _usable_catalog(root: Path, catalog: LoadedCatalog | None, base_url: str | None
                    ) -> tuple[Catalog, list[Problem]]:
    """The catalogue (read unless given), with `base_url` if given; GovsiteError if unusable."""
    loaded, problems = catalog or load_catalog(root)
    if loaded is None:
        raise GovsiteError(list(problems))
    if base_url is not None:
        loaded = replace(loaded, site=replace(loaded.site, base_url=base_url or None))
    return loaded, list(problems)


def _with_files(root: Path, site: Site, bodies: dict[str, Body], unpublished: list[Document],
                converted: dict[str, Body], found_on_load: list[Problem], day: dt.date
                ) -> tuple[Site, list[Problem]]:
    """The site with the files its documents publish (publication.publish_files): never one that
    an unpublished or unreadable document names."""
    from govsite.publication import publish_files, unreadable_files, withheld_files

    withheld = withheld_files(root, ((d, converted[d.rel].links) for d in unpublished), day)
    unreadable = {p.path for p in found_on_load if p.severity == ERROR and p.path.endswith(".md")}
    loaded = site.urls.keys() | {d.rel for d in unpublished}
    withheld = unreadable_files(root, unreadable - loaded) | withheld
    return publish_files(root, site, bodies, withheld)


def _with_column(root: Path, site: Site, loaded: list[Document], catalog: Catalog, day: dt.date
                 ) -> tuple[Site, list[Problem]]:
    """The site with the 政府信息公开 column's parts (zfxxgk/), when the site has them."""
    column, problems = load_column(root, catalog)
    if column is None:
        return site, problems
    column, found = resolve_column(column, loaded, set(site.urls), catalog, day)
    return replace(site, column=column), problems + found


def scheduled_documents(documents: Iterable[Document], today: dt.date) -> list[Document]:
    """主动公开 documents whose publication date is after `today`: not built until then."""
    return sorted((d for d in documents if d.is_public and d.published > today),
                  key=lambda d: (d.published, d.rel))


@without_cycle_collection
def collect_problems(root: Path, today: dt.date | None = None, *, documents: bool = True
                     ) -> tuple[list[Problem], Catalog | None, list[Document]]:
    """What `govsite check` reports: everything the build checks, without writing the site.

    It reads the build's caches (bodies converted by the last build are not converted again)
    and keeps its outcome in the build state: when no input changed since the last check or
    build on the same day, the problems are those recorded and nothing is read. Without
    `documents` (every format but the HTML report), the documents are not returned, so that
    nothing changed means only catalog.yaml is read — unless some documents are scheduled
    (check lists them, from the documents)."""
    root = root.absolute()
    day = resolve_today(today)
    state = BuildState.load(root / CACHE_DIR)
    key = scan_inputs(root).key(command="check", today=day)
    recorded = None if documents else state.unchanged_check(key)
    if recorded is not None:  # the catalogue still names the items in the verdict's reasons
        return recorded, load_catalog(root)[0], []
    caches = Caches(root / CACHE_DIR, html_on_disk=True)  # check reads no HTML
    try:
        analysis = analyse(root, today=day, cache=caches)
    except GovsiteError as error:
        return error.problems, None, []
    state.record_check(key, analysis.problems, len(scheduled_documents(analysis.documents, day)))
    with contextlib.suppress(OSError):  # a read-only site is still checked
        caches.save()
        state.save()
    return analysis.problems, analysis.catalog, analysis.documents


class Stages:
    """Times each named stage and tells `progress` (the CLI's progress bar) when one starts."""

    def __init__(self, progress: Callable[[str], None] | None):
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        started = time.perf_counter()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


STAGES = ("读取与检查", "渲染页面", "写入", "搜索索引")


@without_cycle_collection
def build(root: Path, out: Path | None = None, *, base_url: str | None = None,
          keep_going: bool = False, today: dt.date | None = None, use_cache: bool = True,
          progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build the site into `out`. With the cache (state.py): when no input changed and build/ is
    as the last build left it, nothing is read, rendered or written; otherwise pages whose key
    is unchanged are hard-linked from the previous build/ instead of rendered."""
    started = time.perf_counter()
    root = root.absolute()
    out = (out or root / "build").absolute()
    check_output_dir(out, root)
    day = resolve_today(today)
    state = BuildState.load(root / CACHE_DIR if use_cache else None)
    inputs = scan_inputs(root)
    key = inputs.key(command="build", base_url=base_url, keep_going=keep_going, today=day)
    current = output_stamps(out)
    intact = state.intact(out, current)
    recorded = state.unchanged_build(key, current, intact)
    if recorded is not None:
        return BuildResult(None, recorded.problems, out, recorded.pages, time.perf_counter() - started,
                           recorded.withheld_invalid, published=recorded.published,
                           withheld=recorded.withheld, scheduled=recorded.scheduled)
    from govsite.pagekeys import Reuse
    from govsite.render import render_site

    search = BackgroundSearch(search_cache(root, use_cache))  # forked before anything is loaded
    try:
        cache = Caches(root / CACHE_DIR if use_cache else None, html_on_disk=True)
        stage = Stages(progress)
        with stage(STAGES[0]):
            analysis, invalid = _analyse_for_build(root, day, base_url, cache, keep_going)
        reuse = Reuse(state.reusable_pages(intact, inputs.pages), inputs.pages)
        copies = state.reusable_copies(intact)
        with staging(out, state.untouched(current, intact)) as new:
            # indexing runs in its own processes while the pages are rendered and written
            search.start(analysis.site, root, analysis.bodies, new, use_cache,
                         cache.text_by_path(analysis.site), _search_shards(reuse.pages))
            with stage(STAGES[1]):
                output = render_site(analysis.site, root, analysis.bodies, cache.qr_codes(analysis.site),
                                     reuse=reuse, write=new.write, html=cache.kept_html())
            with stage(STAGES[2]):
                write_tree(output, new, _unchanged(output.copies, copies))
                cache.save()
            with stage(STAGES[3]):  # what is left of indexing; it writes the index's files
                indexed, notices, shards = search.result(new)
    finally:
        search.cancel()  # if anything failed on the way
    result = BuildResult(analysis.site, analysis.problems, out,
                         len(output.pages) + len(output.reused) + len(output.written) + len(indexed),
                         time.perf_counter() - started, invalid, stage.seconds, notices=notices)
    if use_cache:
        files = output_stamps(out) if new.touched is None else patched_stamps(out, current, new.touched)
        state.record_build(key, out, Recorded(result.problems, result.published, result.withheld,
                                              result.pages, invalid, result.scheduled),
                           pages_key=inputs.pages, page_keys={**output.keys, **shards},
                           copies=output.copies,
                           files=files)
        if base_url is None and not has_errors(analysis.problems):  # what check reports today
            state.record_check(inputs.key(command="check", today=day), analysis.problems,
                               len(scheduled_documents(analysis.documents, day)))
        state.save()
    return result


def _search_shards(intact: dict[str, str]) -> dict[str, str]:
    """{path: sha256} of the search index's term shards among the `intact` pages' digests."""
    return {path: digest for path, digest in intact.items() if path.startswith(f"{SEARCH}/t/")}


def _unchanged(copies: dict[str, Path], previous: dict[str, tuple[str, list[int]]]) -> frozenset[str]:
    """Copied files whose source has the same stamp as when the previous build copied it."""
    unchanged = set()
    for path, source in copies.items():
        with contextlib.suppress(OSError):
            if previous.get(path) == (str(source), list(stamp(source.stat()))):
                unchanged.add(path)
    return frozenset(unchanged)


def _analyse_for_build(root: Path, today: dt.date | None, base_url: str | None, cache: Caches,
                       keep_going: bool) -> tuple[Analysis, list[str]]:
    """The analysis to build from. With `keep_going`, documents with errors are left out, and
    so, in further passes, are documents whose only errors come from leaving those out (a link
    to a skipped document); the problems of every skipped document are kept for the report."""
    memo: DocumentMemo = {}
    catalog = load_catalog(root)
    analysis = analyse(root, today=today, base_url=base_url, cache=cache, documents_memo=memo,
                       catalog=catalog)
    if not has_errors(analysis.problems):
        return analysis, []
    errors = [p for p in analysis.problems if p.severity == ERROR]
    if not keep_going or any(p.path == CATALOG for p in errors):
        raise GovsiteError(analysis.problems)
    invalid: set[str] = set()
    skipped: list[Problem] = []  # the real problems of the skipped documents
    while errors:
        if any(p.path not in memo for p in errors):  # a template's, say: no document to skip
            raise GovsiteError(analysis.problems + skipped)
        invalid |= {p.path for p in errors}
        skipped += errors
        # later passes read nothing again: same catalogue, documents from the memo
        analysis = analyse(root, today=today, base_url=base_url, cache=cache,
                           exclude=frozenset(invalid), documents_memo=memo, changed=set(),
                           catalog=catalog)
        errors = [p for p in analysis.problems if p.severity == ERROR and p.path not in invalid]
    analysis.problems = sort_problems(analysis.problems + skipped + _withheld(sorted(invalid)))
    return analysis, sorted(invalid)


def _withheld(paths: list[str]) -> list[Problem]:
    return [Problem(path, None, "E000", "该文件有错误，本次构建未发布（--keep-going）")
            for path in paths]

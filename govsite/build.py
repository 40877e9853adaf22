"""The pipeline in one place: load → resolve → convert bodies → validate → render → write."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from govsite import __version__
from govsite.body import Body, convert
from govsite.links import check_links
from govsite.load import CATALOG, load_catalog, load_documents
from govsite.model import Catalog, Document, Site
from govsite.output import check_output_dir, publish
from govsite.problems import GovsiteError, Problem, has_errors, sort_problems
from govsite.render import render_site
from govsite.resolve import resolve_site

CACHE_DIR = ".govsite-cache"
PARALLEL_THRESHOLD = 300  # below this, starting worker processes costs more than it saves


@dataclass
class Analysis:
    catalog: Catalog
    documents: list[Document]  # every loaded document, any disclosure
    site: Site  # published documents only
    bodies: dict[str, Body]
    problems: list[Problem]


@dataclass
class BuildResult:
    site: Site
    problems: list[Problem]
    out: Path
    pages: int
    seconds: float
    withheld_invalid: list[str] = field(default_factory=list)

    @property
    def published(self) -> int:
        return len(self.site.documents)

    @property
    def withheld(self) -> int:
        return self.site.withheld


def source_date() -> dt.date | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()


def resolve_today(today: dt.date | None = None) -> dt.date:
    """--today, else SOURCE_DATE_EPOCH, else the clock."""
    return today or source_date() or dt.date.today()


class BodyCache:
    """Converted bodies keyed by a hash of (govsite version, path, Markdown): a pure function's
    results, so a persistent cache can never be stale."""

    def __init__(self, folder: Path | None):
        self.file = folder / "bodies.pickle" if folder else None
        self.entries: dict[str, Body] = {}
        self.dirty = False
        if self.file and self.file.is_file():
            try:
                self.entries = pickle.loads(self.file.read_bytes())
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
                self.entries = {}

    @staticmethod
    def key(doc: Document) -> str:
        data = f"{__version__}\0{doc.rel}\0{doc.body_line}\0{doc.body}".encode()
        return hashlib.sha256(data).hexdigest()

    def convert_all(self, documents: tuple[Document, ...]) -> dict[str, Body]:
        keys = {doc.rel: self.key(doc) for doc in documents}
        todo = [doc for doc in documents if keys[doc.rel] not in self.entries]
        args = [(d.rel, d.body, d.body_line) for d in todo]
        if len(todo) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
            with ProcessPoolExecutor() as pool:
                results = list(pool.map(_convert, args, chunksize=64))
        else:
            results = [_convert(a) for a in args]
        for doc, body in zip(todo, results, strict=True):
            self.entries[keys[doc.rel]] = body
        self.dirty = self.dirty or bool(todo)
        live = set(keys.values())
        if len(self.entries) > len(live):
            self.entries = {k: v for k, v in self.entries.items() if k in live}
            self.dirty = True
        return {rel: self.entries[key] for rel, key in keys.items()}

    def save(self) -> None:
        if self.file and self.dirty:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temp = self.file.with_suffix(".tmp")
            temp.write_bytes(pickle.dumps(self.entries, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temp, self.file)
            self.dirty = False


def _convert(args: tuple[str, str, int]) -> Body:
    return convert(*args)


def analyse(root: Path, *, today: dt.date | None = None, base_url: str | None = None,
            cache: BodyCache | None = None, exclude: frozenset[str] = frozenset()) -> Analysis:
    """Read and validate everything; write nothing. Raises GovsiteError if the catalogue is
    unusable (nothing else can be checked without it)."""
    catalog, problems = load_catalog(root)
    if catalog is None:
        raise GovsiteError(problems)
    if base_url is not None:
        catalog = replace(catalog, site=replace(catalog.site, base_url=base_url or None))
    documents, found = load_documents(root, catalog)
    problems += found
    documents = [d for d in documents if d.rel not in exclude]
    site, found = resolve_site(catalog, documents, source_date())
    problems += found
    bodies = (cache or BodyCache(None)).convert_all(site.documents)
    problems += check_links(root, site, documents, bodies)
    problems += audit(catalog, documents, resolve_today(today), root)
    return Analysis(catalog, documents, site, bodies, sort_problems(problems))


def audit(catalog: Catalog, documents: list[Document], today: dt.date,
          root: Path) -> list[Problem]:
    # audit: call govsite.audit.run_checks here
    return []


def collect_problems(root: Path, today: dt.date | None = None
                     ) -> tuple[list[Problem], Catalog | None, list[Document]]:
    """What `govsite check` reports: everything the build checks, without writing."""
    try:
        analysis = analyse(root, today=today)
    except GovsiteError as error:
        return error.problems, None, []
    return analysis.problems, analysis.catalog, analysis.documents


def build(root: Path, out: Path | None = None, *, base_url: str | None = None,
          keep_going: bool = False, today: dt.date | None = None,
          use_cache: bool = True) -> BuildResult:
    started = time.perf_counter()
    root = root.absolute()
    out = (out or root / "build").absolute()
    check_output_dir(out, root)
    cache = BodyCache(root / CACHE_DIR if use_cache else None)
    analysis = analyse(root, today=today, base_url=base_url, cache=cache)
    invalid: list[str] = []
    if has_errors(analysis.problems):
        if not keep_going or any(p.path == CATALOG for p in analysis.problems
                                 if p.severity == "error"):
            raise GovsiteError(analysis.problems)
        invalid = sorted({p.path for p in analysis.problems if p.severity == "error"})
        analysis = analyse(root, today=today, base_url=base_url, cache=cache,
                           exclude=frozenset(invalid))
        analysis.problems = sort_problems(analysis.problems + _withheld(invalid))
    output = render_site(analysis.site, root, analysis.bodies, extra=None)
    # search: call govsite.search.build_search here
    publish(output, out)
    cache.save()
    seconds = time.perf_counter() - started
    return BuildResult(analysis.site, analysis.problems, out, len(output.pages), seconds, invalid)


def _withheld(paths: list[str]) -> list[Problem]:
    return [Problem(path, None, "E000", "该文件有错误，本次构建未发布（--keep-going）")
            for path in paths]

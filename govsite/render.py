"""Stage 5, render: the Site → {output path: bytes}, plus files to copy. Writes nothing.

Every page gets relative links (so the site works under any base URL and from file://); absolute
URLs appear only where a standard needs them (sitemap, feed, canonical link, QR code).
"""

from __future__ import annotations

import multiprocessing
import posixpath
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import (
    TemplateError,
)
from markupsafe import Markup

from govsite.body import Body, link_html
from govsite.column.model import FOLDER as COLUMN_FOLDER
from govsite.column.pages import column_pages
from govsite.model import Document, Domain, Item, Site
from govsite.output import Output
from govsite.pagekeys import Reuse
from govsite.parallel import BODIES, workers
from govsite.problems import GovsiteError
from govsite.publication import furniture_image
from govsite.sections import CATALOG, SEARCH, STATIC
from govsite.structure import (
    catalog_sections,
    form_groups,
    form_page_path,
    item_trail,
    library_pages,
    org_pages,
    org_trail,
    project_pages,
)
from govsite.themes import make_env, static_files, template_problem, theme_dirs

PAGE_SIZE = 20
FEED_SIZE = 50
HOME_LATEST = 12


def relative(from_path: str, to_path: str) -> str:
    """posixpath.relpath(to_path, dirname(from_path)) for clean site paths, without its abspath
    calls (which were 45 % of rendering a page); other paths go through relpath itself."""
    start, target = from_path.split("/")[:-1], to_path.split("/")
    if "" in target or "." in target or ".." in target or "" in start or "." in start or ".." in start:
        return posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    common = 0
    while common < len(start) and common < len(target) and start[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:]) or "."


@dataclass(frozen=True)
class KeptHtml:
    """The HTML of bodies that came without it (Caches keeps it on disk): `of` a document, and
    the `group` it is stored in. Document pages are then rendered a group at a time, so that each
    group is read once, by one process."""

    of: Callable[[Document], str]
    group: Callable[[Document], str] | None = None


class Renderer:
    def __init__(self, site: Site, root: Path, bodies: dict[str, Body],
                 qr: dict[str, str] | None = None, memo: dict[Any, Any] | None = None,
                 reuse: Reuse | None = None, html: KeptHtml | None = None):
        self.site, self.root, self.bodies, self.qr = site, root, bodies, qr or {}
        self.html = html  # the HTML of bodies that came without it
        # Pages by a key of everything they show; a long-lived memo (govsite serve) re-renders
        # only pages whose inputs changed. `used` lets the owner drop entries no longer needed.
        self.memo: dict[Any, Any] = memo if memo is not None else {}
        self.serving = memo is not None
        self.used: set[Any] = set()
        # Between CLI builds the keys are kept as digests: a page whose digest is unchanged is
        # not rendered, its file is kept from the previous build (output.write_tree)
        self.reuse = reuse
        self.digests: dict[str, str] = {}
        self.catalog = site.catalog
        self.env = make_env(theme_dirs(root, self.catalog.site.theme))
        self.base_url = (self.catalog.site.base_url or "").rstrip("/") + "/" \
            if self.catalog.site.base_url else None
        self.counts = {item.id: len(site.docs_of(item.id)) for item in self.catalog.items}
        self.site_domain = urlsplit(self.base_url).netloc if self.base_url else ""
        image = self.catalog.site.gov_mark_image
        self.gov_mark = gov_mark_path(image) if image and furniture_image(root, image) else None

    def absolute(self, path: str) -> str | None:
        return page_url(self.base_url, path) if self.base_url else None

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        self.used.add(key)
        if not self.serving:  # a CLI build renders each page once: nothing to keep
            return make()
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def group(self, key: Any, make: Callable[[], list[tuple[str, bytes]]]
              ) -> list[tuple[str, bytes | None]]:
        """Pages rendered together under one key (the policy library and its filter pages): kept
        from the previous build (page None) when it wrote every one of them under the same key.
        Each page's recorded digest is the key's and the number of pages in the group."""
        if self.reuse is None:
            return self.cached(key, make)
        digest = self.reuse.digest(key)
        kept = self.reuse.group(digest)
        pages: list[tuple[str, bytes | None]] = [(path, None) for path in kept] if kept else make()
        self.digests.update(dict.fromkeys((path for path, _ in pages), f"{digest}/{len(pages)}"))
        return pages

    def kept(self, path: str, key: Any) -> bool:
        """Whether the previous build's file for `path` can stand: its key's digest is the same."""
        if self.reuse is None:
            return False
        digest = self.digests[path] = self.reuse.digest(key)
        return self.reuse.pages.get(path) == digest

    def document_key(self, doc: Document) -> tuple[Any, ...]:
        """Everything a document page shows: the page is re-rendered only when this changes. Its
        QR code is a function of its URL (here with the site's base URL), so only whether it has one."""
        urls = self.site.urls
        links = tuple((link.target, urls.get(link.target)) for link in self.bodies[doc.rel].links
                      if link.kind == "page")
        interpretations = tuple((i, urls[i], self.site.by_rel[i]) for i in
                                self.site.interpretations.get(doc.rel, ()))
        interpreted = self.site.by_rel.get(doc.interprets or "")
        replacement = self.site.by_rel.get(doc.replaced_by or "")
        item = self.catalog.item(doc.item_id)
        return ("document", doc, urls[doc.rel], item, self.catalog.domain(item.domain_id),
                self.catalog.site, self.catalog.units.get(doc.issuer), links, interpretations,
                interpreted, interpreted and urls[interpreted.rel], doc.rel in self.qr,
                self.site.files.get(doc.rel, ()),
                replacement, replacement and urls[replacement.rel],
                self.catalog.project_by_id.get(doc.project or ""), tuple(self.catalog.orgs))

    def page(self, template: str, path: str, **context: Any) -> bytes:
        def href(target: str) -> str:
            return relative(path, target)

        meta = context.pop("page")
        page = {"path": path, "column_type": "", "breadcrumb": [], "date": None, **meta}
        html = self.env.get_template(template).render(
            site=self.catalog.site, catalog=self.catalog, page=page, href=href,
            asset=lambda name: href(f"{STATIC}/{name}"), counts=self.counts,
            doc_href=lambda doc: href(self.site.urls[doc.rel]), unit=self.catalog.unit_name,
            canonical=self.absolute(path), site_domain=self.site_domain,
            zfxxgk=self.site.column, gov_mark=self.gov_mark, **context,
        )
        return html.encode("utf-8")

    def fragment(self, template: str, **context: Any) -> str:
        """A piece of a page, with links relative to the site root: a caller placing it deeper
        prefixes them (see structure.library_pages)."""
        return self.env.get_template(template).render(
            href=lambda target: target, doc_href=lambda doc: self.site.urls[doc.rel],
            unit=self.catalog.unit_name, **context)

    # --- page kinds ---------------------------------------------------------------------

    def home(self) -> bytes:
        latest = self.site.documents[:HOME_LATEST]
        return self.page("home.html", "index.html", latest=latest,
                         has_library=bool(self.site.policies), page={
            "title": self.catalog.site.title, "column_name": "首页", "column_type": "首页",
            "date": latest[0].published if latest else None})

    def catalog_page(self) -> bytes:
        return self.page("catalog.html", f"{CATALOG}/index.html",
                         sections=catalog_sections(self.catalog, None), page={
            "title": "标准目录", "column_name": "标准目录", "column_type": "标准目录",
            "breadcrumb": [("首页", "index.html"), ("标准目录", None)],
            "date": self.newest(self.site.documents)})

    def domain_page(self, domain: Domain) -> bytes:
        docs = list(self.site.by_domain.get(domain.id, ()))
        trail = [("首页", "index.html"), ("标准目录", f"{CATALOG}/index.html")]
        if domain.org:
            trail = [trail[0], *org_trail(self.catalog, domain.org),
                     ("标准目录", self.catalog.org_by_id[domain.org].catalog_url)]
        return self.page("domain.html", domain.url, domain=domain, latest=docs[:10], page={
            "title": domain.name, "column_name": domain.name, "column_type": "领域",
            "breadcrumb": [*trail, (domain.name, None)],
            "date": self.newest(docs)})

    def item_pages(self, item: Item) -> Iterable[tuple[str, bytes | None]]:
        """(path, page), page None when kept from the previous build: the item's list, a page
        per PAGE_SIZE documents, and one list per form of its 政策解读 (form_groups)."""
        docs = self.site.docs_of(item.id)
        domain = self.catalog.domain(item.domain_id)
        pages = max(1, -(-len(docs) // PAGE_SIZE))
        paths = [item_page_path(item, n) for n in range(1, pages + 1)]
        newest = self.newest(docs)
        forms = form_groups(docs)
        shown = (item, domain, self.catalog.site, self.catalog.units.get(item.owner),
                 tuple(self.catalog.units.get(co) for co in item.co_owners), tuple(self.catalog.orgs))
        # the first page and the forms' pages show the forms' lists (names, counts, documents)
        forms_shown = tuple((form, slug, self.listed(chosen)) for form, slug, chosen in forms)
        for number, path in enumerate(paths, start=1):
            chunk = docs[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
            key = ("item", path, *shown, self.listed(chunk), len(docs), newest,
                   number == 1 and forms_shown)
            yield path, None if self.kept(path, key) else self.cached(
                key, lambda number=number, path=path, chunk=chunk: self.page(
                    "item.html", path, item=item, domain=domain, docs=chunk,
                    forms=forms if number == 1 else [], form_path=form_page_path, current_form=None,
                    pagination={"number": number, "paths": paths, "total": len(docs)},
                    page={"title": item.name if number == 1 else f"{item.name}（第{number}页）",
                          "column_name": item.name, "column_type": "事项",
                          "breadcrumb": self.item_crumbs(item, domain), "date": newest}))
        crumbs = self.item_crumbs(item, domain)
        crumbs[-1] = (item.name, item.url)
        for form, slug, chosen in forms:
            path = form_page_path(item, slug)
            key = ("item form", path, *shown, form, forms_shown)
            yield path, None if self.kept(path, key) else self.cached(
                key, lambda form=form, path=path, chosen=chosen: self.page(
                    "item.html", path, item=item, domain=domain, docs=chosen, forms=forms,
                    form_path=form_page_path, current_form=form,
                    pagination={"number": 1, "paths": [path], "total": len(chosen)},
                    page={"title": f"{item.name}：{form}", "column_name": item.name,
                          "column_type": "事项", "breadcrumb": [*crumbs, (form, None)],
                          "date": self.newest(chosen)}))

    def listed(self, docs: Iterable[Document]) -> tuple[tuple[Document, str], ...]:
        """What a list page shows of its documents: each document and its page's path."""
        return tuple((d, self.site.urls[d.rel]) for d in docs)

    def item_crumbs(self, item: Item, domain: Domain) -> list[tuple[str, str | None]]:
        return [*item_trail(self.catalog, item), (domain.name, domain.url), (item.name, None)]

    def document_page(self, doc: Document) -> tuple[bytes, dict[str, Path]]:
        path = self.site.urls[doc.rel]
        item = self.catalog.item(doc.item_id)
        domain = self.catalog.domain(item.domain_id)
        files = self.site.files.get(doc.rel, ())
        body_files = {f.target: f.name for f in files}

        def resolve(target: str, fragment: str) -> str:
            suffix = f"#{fragment}" if fragment else ""
            if target in self.site.urls:
                return relative(path, self.site.urls[target]) + suffix
            return body_files.get(target, "#") + suffix

        crumbs = self.item_crumbs(item, domain)
        crumbs[-1] = (item.name, item.url)
        html = self.bodies[doc.rel].html
        if html is None:
            assert self.html is not None, "a body without its HTML needs render_site(html=...)"
            html = self.html.of(doc)
        body = link_html(html, resolve)
        html = self.page(
            "document.html", path, doc=doc, item=item, domain=domain,
            body=Markup(graphic_figures(body) if doc.interp_form == "图解" else body),
            replacement=self.site.by_rel.get(doc.replaced_by or ""),
            project=self.catalog.project_by_id.get(doc.project or ""),
            interpretations=[self.site.by_rel[r] for r in self.site.interpretations.get(doc.rel, ())],
            interpreted=self.site.by_rel.get(doc.interprets or ""),
            qr=Markup(self.qr[doc.rel]) if doc.rel in self.qr else None,
            page={"title": doc.title, "column_name": item.name, "column_type": "文章",
                  "breadcrumb": [*crumbs, ("正文", None)], "date": doc.published,
                  "article": True},
        )
        return html, self.copies_of(doc)

    def copies_of(self, doc: Document) -> dict[str, Path]:
        """The files copied beside a document's page: only what the publication rule chose
        (govsite.publication)."""
        folder = posixpath.dirname(self.site.urls[doc.rel])
        return {f"{folder}/{f.name}": self.root / f.source for f in self.site.files.get(doc.rel, ())}

    def not_found(self) -> bytes:
        return self.page("404.html", "404.html", page={
            "title": "页面未找到", "column_name": "404", "column_type": "错误页"})

    @staticmethod
    def newest(docs: Iterable[Document]) -> date | None:
        return max((d.published for d in docs), default=None)

    # --- feeds ----------------------------------------------------------------------------

    def sitemap(self, paths: list[str]) -> bytes | None:
        """sitemap.xml of the pages at `paths`; None if the previous build's can stand."""
        dates = {self.site.urls[d.rel]: d.published for d in self.site.documents}
        entries = tuple((self.absolute(p) or p.removesuffix("index.html") or "./", dates.get(p))
                        for p in paths if p.endswith(".html") and p != "404.html")
        if self.kept("sitemap.xml", ("sitemap", entries)):
            return None
        return self.cached(("sitemap", entries), lambda: self.env.get_template("sitemap.xml").render(
            entries=entries).encode("utf-8"))

    def feed(self) -> bytes:
        docs = self.site.documents[:FEED_SIZE]
        return self.env.get_template("feed.xml").render(
            site=self.catalog.site, docs=docs, base=self.base_url or "",
            url=lambda doc: (self.base_url or "") + self.site.urls[doc.rel],
            unit=self.catalog.unit_name,
            updated=docs[0].published if docs else date(2000, 1, 1),
        ).encode("utf-8")

    def robots(self) -> bytes:
        lines = ["User-agent: *", "Allow: /"]
        if self.base_url:
            lines.append(f"Sitemap: {self.base_url}sitemap.xml")
        return ("\n".join(lines) + "\n").encode()


def gov_mark_path(image: str) -> str:
    """Where the 党政机关网站标识 image is copied in build/ (it is a file of the site)."""
    return f"{COLUMN_FOLDER}/gov-mark{posixpath.splitext(image)[1].lower()}"
IMAGE_PARAGRAPH_RE = re.compile(r'<p>(<img [^>]*alt="([^"]*)"[^>]*>)</p>')


def graphic_figures(html: str) -> str:
    """图解: each image of its own paragraph becomes a full-width figure whose text alternative
    is also shown, folded, for readers who want the words of the chart."""
    return IMAGE_PARAGRAPH_RE.sub(
        lambda m: f'<figure class="graphic">{m.group(1)}<details class="graphic-text">'
                  f"<summary>图解文字版</summary><p>{m.group(2)}</p></details></figure>", html)


def item_page_path(item: Item, number: int) -> str:
    return item.url if number == 1 else f"{item.domain_id}/{item.id}/index_{number}.html"


def page_url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.removesuffix("index.html")


_WORKER: Renderer | None = None  # set before forking, so workers inherit it without pickling


def _render_documents(rels: list[str]) -> list[tuple[str, bytes, dict[str, Path]]]:
    assert _WORKER is not None
    return [(rel, *_WORKER.document_page(_WORKER.site.by_rel[rel])) for rel in rels]


def render_documents(renderer: Renderer) -> Iterator[tuple[str, bytes | None, dict[str, Path]]]:
    """Document pages, each as soon as it is rendered: those not in the renderer's memo nor kept
    from the previous build (page None), over forked worker processes when many. Only a
    long-lived memo (govsite serve) keeps the pages rendered."""
    site = renderer.site
    keys = {doc.rel: renderer.document_key(doc) for doc in site.documents}
    kept = {rel for rel, key in keys.items() if renderer.kept(site.urls[rel], key)}
    renderer.used.update(key for rel, key in keys.items() if rel not in kept)
    missing = [rel for rel, key in keys.items() if rel not in kept and key not in renderer.memo]
    for rel, html, copies in _render(renderer, _batches(renderer, missing)):
        if renderer.serving:
            renderer.memo[keys[rel]] = (html, copies)
        yield rel, html, copies
    rendered = set(missing)
    for rel, key in keys.items():
        if rel in kept:
            yield rel, None, renderer.copies_of(site.by_rel[rel])
        elif rel not in rendered:
            yield (rel, *renderer.memo[key])


def _batches(renderer: Renderer, rels: list[str]) -> list[list[str]]:
    """`rels` in the batches a worker renders at once: the documents whose HTML is stored
    together (KeptHtml.group), else 200 at a time."""
    group = renderer.html.group if renderer.html else None
    if group is None:
        return [rels[start : start + 200] for start in range(0, len(rels), 200)]
    grouped: dict[str, list[str]] = {}
    for rel in rels:
        grouped.setdefault(group(renderer.site.by_rel[rel]), []).append(rel)
    return [grouped[name] for name in sorted(grouped)]


def _render(renderer: Renderer, batches: list[list[str]]) -> Iterator[tuple[str, bytes, dict[str, Path]]]:
    global _WORKER
    count = workers(sum(map(len, batches)), BODIES)
    if count == 1 or "fork" not in multiprocessing.get_all_start_methods():
        for rel in (rel for batch in batches for rel in batch):
            yield (rel, *renderer.document_page(renderer.site.by_rel[rel]))
        return
    _WORKER = renderer
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            pending: deque[Future[list[tuple[str, bytes, dict[str, Path]]]]] = deque()
            for batch in batches:  # a few batches ahead, not every page at once
                pending.append(pool.submit(_render_documents, batch))
                if len(pending) > 2 * count:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        _WORKER = None


def render_site(site: Site, root: Path, bodies: dict[str, Body], qr: dict[str, str],
                memo: dict[Any, Any] | None = None, reuse: Reuse | None = None,
                write: Callable[[str, bytes], None] | None = None,
                html: KeptHtml | None = None) -> Output:
    """Render every page; `qr` maps document paths to their QR code SVG (when base_url is set).
    With a `memo` kept between calls, only pages whose inputs changed are rendered again; with
    `reuse`, pages whose key is unchanged since the previous build are not rendered at all
    (output.reused) and every keyed page's digest is in output.keys. With `write`, document and
    item pages are handed to it as they are rendered (output.written), not kept. `html` gives the HTML of a
    body that came without it (Caches.kept_html)."""
    try:
        return _render_pages(site, root, bodies, qr, memo, reuse, write, html)
    except TemplateError as error:
        raise GovsiteError([template_problem(root, error)]) from None


def _render_pages(site: Site, root: Path, bodies: dict[str, Body], qr: dict[str, str],
                  memo: dict[Any, Any] | None, reuse: Reuse | None,
                  write: Callable[[str, bytes], None] | None,
                  html: KeptHtml | None) -> Output:
    renderer = Renderer(site, root, bodies, qr, memo, reuse, html)
    output = Output()

    def add(path: str, page: bytes | None) -> None:
        if page is None:
            output.reused.add(path)
        elif write is not None:
            write(path, page)
            output.written.add(path)
        else:
            output.pages[path] = page

    output.pages["index.html"] = renderer.home()
    output.pages[f"{CATALOG}/index.html"] = renderer.catalog_page()
    for domain in site.catalog.domains:
        output.pages[domain.url] = renderer.domain_page(domain)
        for item in domain.items:
            for path, page in renderer.item_pages(item):
                add(path, page)
    for path, page in library_pages(renderer):
        add(path, page)
    for pages in (project_pages, org_pages):
        output.pages.update(pages(renderer))
    for rel, html, copies in render_documents(renderer):
        add(site.urls[rel], html)
        output.copies.update(copies)
    if site.column is not None:
        output.pages.update(column_pages(renderer, site.column))
    output.pages["404.html"] = renderer.not_found()
    output.copies.update(static_files(theme_dirs(root, site.catalog.site.theme)))
    if renderer.gov_mark:
        output.copies[renderer.gov_mark] = furniture_image(root, site.catalog.site.gov_mark_image)
    output.keys = renderer.digests
    add("sitemap.xml", renderer.sitemap(sorted(output.pages.keys() | output.reused | output.written)))
    output.pages["feed.xml"] = renderer.feed()
    output.pages["robots.txt"] = renderer.robots()
    if memo is not None:
        for key in memo.keys() - renderer.used:
            del memo[key]
    return output


def search_page(site: Site, root: Path, bodies: dict[str, Body], version: str) -> bytes:
    """search/index.html, asking for the browser index of `version`."""
    page = {"title": "搜索", "column_name": "站内搜索", "column_type": "搜索",
            "breadcrumb": [("首页", "index.html"), ("搜索", None)]}
    return Renderer(site, root, bodies).page("search.html", f"{SEARCH}/index.html", title="搜索",
                                             page=page, search_version=version)

"""The catalogue's own structure, rendered: 政策文件库, 重大建设项目 全链条, 乡镇/村 sections and
the 政策解读 column's sub-lists by form.

Every page here is built from the Site, which holds 主动公开 documents only, so nothing withheld
or not yet published can reach these pages (the disclosure boundary of resolve.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from govsite import sections
from govsite.model import (
    INTERP_FORMS,
    PROJECT_STAGES,
    Catalog,
    Document,
    Item,
    Org,
    Project,
    SearchPage,
    Site,
)

if TYPE_CHECKING:
    from govsite.render import Renderer

# their top-level folders are reserved names (govsite.sections: no domain id may take them)
LIBRARY = f"{sections.LIBRARY}/index.html"
PROJECTS = f"{sections.PROJECTS}/index.html"
ORGS = f"{sections.ORGS}/index.html"
FACETS = (("year", "成文年份"), ("issuer", "发文机关"), ("topic", "主题分类"), ("validity", "有效性"))
VALIDITY_SLUGS = {"有效": "youxiao", "失效": "shixiao", "废止": "feizhi", "未注明": "weizhuming"}
FORM_SLUGS = dict(zip(INTERP_FORMS, ("wenzi", "tujie", "yinshipin", "fabuhui", "meiti",
                                     "zhuanjia", "lingdao", "wenda"), strict=True))
UNTAGGED = "未分类"
FORM_PREVIEW = 5


# --- 政策文件库 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    key: str  # year | issuer | topic | validity
    label: str
    value: str  # as shown
    slug: str

    @property
    def url(self) -> str:
        return f"{sections.LIBRARY}/{self.key}/{self.slug}/index.html"


def _hash_slug(value: str) -> str:
    return "x" + hashlib.sha1(value.encode()).hexdigest()[:8]


def facet_of(doc: Document, key: str, catalog: Catalog) -> Facet:
    label = dict(FACETS)[key]
    if key == "year":
        return Facet(key, label, f"{doc.date.year}年", str(doc.date.year))
    if key == "issuer":
        slug = doc.issuer if doc.issuer in catalog.units else _hash_slug(doc.issuer)
        return Facet(key, label, catalog.unit_name(doc.issuer), slug)
    if key == "topic":
        topic = doc.topic or UNTAGGED
        return Facet(key, label, topic, _hash_slug(topic))
    validity = doc.validity or "未注明"
    return Facet(key, label, validity, VALIDITY_SLUGS[validity])


Row = tuple[Document, dict[str, Facet]]  # a policy and its value of each facet


def library_facets(site: Site) -> tuple[list[Row], dict[str, list[tuple[Facet, list[Row]]]]]:
    """Every policy's row, and per facet key [(value, its rows)]: years newest first, other
    values by name (未分类 last)."""
    rows = [(doc, {key: facet_of(doc, key, site.catalog) for key, _ in FACETS})
            for doc in site.policies]
    facets: dict[str, list[tuple[Facet, list[Row]]]] = {}
    for key, _ in FACETS:
        grouped: dict[Facet, list[Row]] = {}
        for row in rows:
            grouped.setdefault(row[1][key], []).append(row)
        order: Callable[[Facet], Any] = (lambda f: -int(f.slug)) if key == "year" else \
            (lambda f: (f.value == UNTAGGED, f.value))
        facets[key] = [(facet, grouped[facet]) for facet in sorted(grouped, key=order)]
    return rows, facets


def library_pages(renderer: Renderer) -> Iterable[tuple[str, bytes | None]]:
    """The library and its filter pages, rendered again (by govsite serve, or a build: page None
    when kept from the previous one) only when a policy, its URL or a unit's name changed."""
    site = renderer.site
    if not site.policies:
        return []
    key = ("library", tuple((doc, site.urls[doc.rel]) for doc in site.policies),
           tuple(site.catalog.units.items()), site.catalog.site)
    return renderer.group(key, lambda: list(_library_pages(renderer)))


def _library_pages(renderer: Renderer) -> Iterable[tuple[str, bytes]]:
    site = renderer.site
    rows, facets = library_facets(site)
    # each policy's row is rendered once; a page at depth d prefixes its one link with "../" * d
    html = {doc.rel: renderer.fragment("_library_row.html", doc=doc, values=values)
            for doc, values in rows}

    def table(chosen: list[Row], path: str) -> Markup:
        prefix = "../" * path.count("/")
        return Markup("".join(html[doc.rel].replace(' href="', f' href="{prefix}')
                              for doc, _ in chosen))

    home = ("首页", "index.html")
    yield LIBRARY, renderer.page("library.html", LIBRARY, facets=facets, rows=rows,
                                 table_rows=table(rows, LIBRARY), current=None,
                                 page={"title": "政策文件库", "column_name": "政策文件库",
                                       "column_type": "政策文件库",
                                       "breadcrumb": [home, ("政策文件库", None)],
                                       "date": renderer.newest(site.policies)})
    for groups in facets.values():
        for facet, chosen in groups:
            yield facet.url, renderer.page(
                "library.html", facet.url, facets=facets, rows=chosen,
                table_rows=table(chosen, facet.url), current=facet,
                page={"title": f"政策文件库：{facet.label} {facet.value}",
                      "column_name": "政策文件库", "column_type": "政策文件库",
                      "breadcrumb": [home, ("政策文件库", LIBRARY),
                                     (f"{facet.label}：{facet.value}", None)],
                      "date": renderer.newest(doc for doc, _ in chosen)})


# --- 重大建设项目 全链条 -------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    number: int
    name: str  # 批准服务 …
    docs: tuple[Document, ...]
    expected: tuple[str, ...]  # what the catalogue says the category holds
    note: str  # the project's explanation of an empty category

    @property
    def anchor(self) -> str:
        return f"stage-{self.number}"


def stage_items(catalog: Catalog) -> dict[str, Item]:
    """The county's catalogue item for each category (the first one declared)."""
    found: dict[str, Item] = {}
    for item in catalog.items:
        if item.stage and item.stage not in found and item.org is None:
            found[item.stage] = item
    return found


def project_stages(site: Site, project: Project) -> list[Stage]:
    docs = site.by_project.get(project.id, {})
    items = stage_items(site.catalog)
    return [Stage(number, name, docs.get(name, ()), items[name].content if name in items else (),
                  project.note(name))
            for number, name in enumerate(PROJECT_STAGES, start=1)]


def project_search_pages(site: Site) -> list[SearchPage]:
    """Each project page for the search index, found first by its 项目代码."""
    pages = []
    for project in site.catalog.projects:
        docs = [doc for stage in project_stages(site, project) for doc in stage.docs]
        dates = [doc.published for doc in docs] or [project.start or date(1970, 1, 1)]
        text = " ".join([project.code, project.name, project.location,
                         site.catalog.unit_name(project.owner), *(doc.title for doc in docs)])
        pages.append(SearchPage(project.url, project.name, text, max(dates), "重大建设项目",
                                "项目全链条信息", project.code))
    return pages


def project_pages(renderer: Renderer) -> Iterable[tuple[str, bytes]]:
    site = renderer.site
    projects = site.catalog.projects
    if not projects:
        return
    chains = {project.id: project_stages(site, project) for project in projects}
    every = [doc for stages in site.by_project.values() for docs in stages.values() for doc in docs]
    yield PROJECTS, renderer.page(
        "projects.html", PROJECTS, projects=projects, chains=chains, stages=PROJECT_STAGES,
        page={"title": "重大建设项目", "column_name": "重大建设项目", "column_type": "专题",
              "breadcrumb": [("首页", "index.html"), ("重大建设项目", None)],
              "date": renderer.newest(every)})
    for project in projects:
        stages = chains[project.id]
        yield project.url, renderer.page(
            "project.html", project.url, project=project, stages=stages,
            page={"title": project.name, "column_name": "重大建设项目", "column_type": "专题",
                  "breadcrumb": [("首页", "index.html"), ("重大建设项目", PROJECTS),
                                 (project.name, None)],
                  "date": renderer.newest(d for stage in stages for d in stage.docs)})


# --- 乡镇/街道 and 村/社区 ---------------------------------------------------------------------


def org_trail(catalog: Catalog, org_id: str | None) -> list[tuple[str, str | None]]:
    """Breadcrumbs from 基层政务公开 down to the org (town, then village)."""
    chain: list[Org] = []
    while org_id is not None:
        org = catalog.org_by_id[org_id]
        chain.insert(0, org)
        org_id = org.parent
    return [("基层政务公开", ORGS), *((org.name, org.url) for org in chain)]


def catalog_sections(catalog: Catalog, org_id: str | None) -> list[tuple[Any, tuple[Item, ...]]]:
    """(domain, its items of this org) for every domain with any: one catalogue table each."""
    sections = []
    for domain in catalog.domains:
        items = tuple(item for item in domain.items if item.org == org_id)
        if items:
            sections.append((domain, items))
    return sections


def org_pages(renderer: Renderer) -> Iterable[tuple[str, bytes]]:
    site, catalog = renderer.site, renderer.catalog
    if not catalog.orgs:
        return
    yield ORGS, renderer.page("orgs.html", ORGS, page={
        "title": "基层政务公开", "column_name": "基层政务公开", "column_type": "专题",
        "breadcrumb": [("首页", "index.html"), ("基层政务公开", None)],
        "date": renderer.newest(d for d in site.documents if catalog.item(d.item_id).org)})
    for org in catalog.orgs:
        items = {item.id for item in catalog.items_of(org.id)}
        docs = [d for d in site.documents if d.item_id in items]
        trail = [("首页", "index.html"), *org_trail(catalog, org.id)]
        yield org.url, renderer.page(
            "org.html", org.url, org=org, sections=catalog_sections(catalog, org.id),
            latest=docs[:10], page={"title": org.name, "column_name": org.name,
                                    "column_type": org.level,
                                    "breadcrumb": [*trail[:-1], (org.name, None)],
                                    "date": renderer.newest(docs)})
        yield org.catalog_url, renderer.page(
            "org_catalog.html", org.catalog_url, org=org,
            sections=catalog_sections(catalog, org.id),
            page={"title": f"{org.name}政务公开标准目录", "column_name": f"{org.name}标准目录",
                  "column_type": "标准目录", "breadcrumb": [*trail, ("标准目录", None)],
                  "date": renderer.newest(docs)})


def item_trail(catalog: Catalog, item: Item) -> list[tuple[str, str | None]]:
    """首页 › [基层政务公开 › 镇 › 村 ›] 标准目录 › 领域: an org's items sit in its section."""
    if item.org is None:
        return [("首页", "index.html"), ("标准目录", f"{sections.CATALOG}/index.html")]
    org = catalog.org_by_id[item.org]
    return [("首页", "index.html"), *org_trail(catalog, item.org), ("标准目录", org.catalog_url)]


# --- 政策解读 by form -------------------------------------------------------------------------


def form_groups(docs: tuple[Document, ...]) -> list[tuple[str, str, tuple[Document, ...]]]:
    """(form, slug, documents) for each interpretation form present, in the standard order."""
    groups = []
    for form in INTERP_FORMS:
        chosen = tuple(d for d in docs if d.kind == "政策解读" and d.interp_form == form)
        if chosen:
            groups.append((form, FORM_SLUGS[form], chosen))
    return groups


def form_page_path(item: Item, slug: str) -> str:
    return f"{item.domain_id}/{item.id}/index_{slug}.html"

"""Stage 2, resolve: validate publication records and cross-references, keep only what may be
published, and give every published document its URL and 索引号.

This is the disclosure boundary: the Site returned here holds 主动公开 documents whose
publication date has come, only, so no later stage (pages, lists, counts, feed, sitemap, search,
索引号 numbering) can see anything else.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import lru_cache

from govsite.bodyfacts import PLACEHOLDER
from govsite.load import ID_RE
from govsite.model import Catalog, Document, Site
from govsite.problems import Problem

DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9]+[〔\[(（【]\d{4}[〕\])）】]第?\d+号$")
INDEX_NO_RE = re.compile(r"^[0-9A-Z]{6,18}/\d{4}-\d{3,7}$")
EXEMPT_ARTICLES = ("第十四条", "第十五条", "第十六条", "14", "15", "16")


def resolve_site(
    catalog: Catalog, documents: list[Document], build_date: date, show_scheduled: bool = False
) -> tuple[Site, list[Problem]]:
    """The Site of the documents published on `build_date`; with `show_scheduled` (govsite
    serve --show-scheduled, a private preview) also those whose date is later."""
    problems: list[Problem] = []
    for document in documents:
        problems += check_record(document, catalog)
    public = [d for d in documents if d.is_public]
    published = [d for d in public if show_scheduled or d.published <= build_date]
    problems += check_duplicates(documents, catalog)
    problems += resolve_interpretations(documents, catalog)
    problems += check_replacements(documents, catalog)
    published = assign_index_numbers(published, catalog)
    published.sort(key=lambda d: (-d.published.toordinal(), -d.date.toordinal(), d.rel))
    urls = {d.rel: page_path(d, catalog) for d in published}
    problems += check_urls(published, urls, catalog)
    interpretations: dict[str, list[str]] = defaultdict(list)
    for doc in published:
        if doc.kind == "政策解读" and doc.interprets in urls:
            interpretations[doc.interprets].append(doc.rel)
    site = Site(
        catalog=catalog, documents=tuple(published), urls=urls,
        interpretations={k: tuple(v) for k, v in sorted(interpretations.items())},
        withheld=len(documents) - len(public), scheduled=len(public) - len(published),
        build_date=build_date,
    )
    return site, problems


def page_path(doc: Document, catalog: Catalog) -> str:
    item = catalog.item(doc.item_id)
    return f"{item.domain_id}/{item.id}/{doc.slug}/index.html"


def _problem(doc: Document, key: str, code: str, message: str, catalog: Catalog) -> Problem:
    return Problem(doc.rel, doc.line_of(key), code, message, doc.item_id,
                   catalog.unit_name(doc.issuer))


def check_record(doc: Document, catalog: Catalog) -> list[Problem]:
    """The publication record (公文公开发布意见单) must be complete and consistent."""
    found: list[Problem] = []

    def add(key: str, code: str, message: str) -> None:
        found.append(_problem(doc, key, code, message, catalog))

    if doc.reviewed > doc.published:
        add("reviewed", "E201", f"审核日期 {doc.reviewed} 晚于发布日期 {doc.published}：须先审核后发布")
    if doc.published < doc.date:
        add("published", "E208", f"发布日期 {doc.published} 早于成文日期 {doc.date}")
    if not doc.is_public:
        if not doc.exempt_basis:
            add("disclosure", "E202", f"{doc.disclosure}的文件须填写 exempt_basis（不予公开依据），"
                "引用《政府信息公开条例》第十四、十五或十六条")
        elif not any(article in doc.exempt_basis for article in EXEMPT_ARTICLES):
            add("exempt_basis", "E203", f"不予公开依据“{doc.exempt_basis}”须引用条例第十四、十五或十六条")
    if doc.doc_number and not DOC_NUMBER_RE.match(doc.doc_number):
        add("doc_number", "E204", f"文号“{doc.doc_number}”格式错误，应为 机关代字〔年份〕序号号，"
            "如 青府办字〔2021〕31号")
    if doc.index_no and not INDEX_NO_RE.match(doc.index_no):
        add("index_no", "E205", f"索引号“{doc.index_no}”格式错误，应为 机构代码/年份-序号，"
            "如 000014349/2021-00031")
    if doc.placeholder_line:
        found.append(Problem(doc.rel, doc.placeholder_line, "E209",
                             f"正文仍是 govsite new 写入的占位文字“{PLACEHOLDER}”：请撰写正文并删除这段文字后再发布",
                             doc.item_id, catalog.unit_name(doc.issuer)))
    if ID_RE.match(doc.issuer) and doc.issuer not in catalog.units:
        add("issuer", "E101", f"发文机关“{doc.issuer}”不是 units 中的单位 id（也可直接写单位全称）")
    return found


def check_duplicates(documents: list[Document], catalog: Catalog) -> list[Problem]:
    found: list[Problem] = []
    for key, code, label in (("doc_number", "E402", "文号"), ("index_no", "E403", "索引号")):
        owners: dict[str, Document] = {}
        for doc in documents:
            value = getattr(doc, key)
            if not value:
                continue
            if value in owners:
                first = owners[value].rel
                found.append(_problem(doc, key, code, f"{label}“{value}”与 {first} 重复", catalog))
            else:
                owners[value] = doc
    return found


def resolve_interpretations(documents: list[Document], catalog: Catalog) -> list[Problem]:
    return _policy_references(documents, catalog, "interprets", "E206", "解读对象",
                              lambda doc: doc.interprets)


def check_replacements(documents: list[Document], catalog: Catalog) -> list[Problem]:
    """replaced_by, when it names a file, must name a published 政策文件 (the banner links it)."""
    return _policy_references(documents, catalog, "replaced_by", "E855", "替代文件",
                              lambda doc: doc.replaced_by if (doc.replaced_by or "").endswith(".md")
                              else None)


def _policy_references(documents: list[Document], catalog: Catalog, key: str, code: str, noun: str,
                       reference: Callable[[Document], str | None]) -> list[Problem]:
    """Each document's `reference` must name a 政策文件, and a public document a public one."""
    by_rel = {d.rel: d for d in documents}
    found: list[Problem] = []
    for doc in documents:
        rel = reference(doc)
        if rel is None:
            continue
        target = by_rel.get(rel)
        if target is None:
            message = f"{noun}“{rel}”不存在：{key} 应为政策文件的相对路径"
        elif target.kind != "政策文件":
            message = f"{noun} {target.rel} 的类型是“{target.kind}”，不是政策文件"
        elif doc.is_public and not target.is_public:
            message = f"{noun} {target.rel} 不是主动公开文件，公开的文件不能关联它"
        else:
            continue
        found.append(_problem(doc, key, code, message, catalog))
    return found


def check_urls(published: list[Document], urls: dict[str, str], catalog: Catalog) -> list[Problem]:
    owners: dict[str, Document] = {}
    found: list[Problem] = []
    for doc in sorted(published, key=lambda d: d.rel):
        url = urls[doc.rel]
        if url in owners:
            message = (f"与 {owners[url].rel} 生成同一网址 {url}：请在其中一个文件中设置不同的 slug")
            found.append(_problem(doc, "slug", "E401", message, catalog))
        else:
            owners[url] = doc
    return found


@lru_cache(maxsize=1 << 18)  # govsite serve resolves the same documents after every edit
def with_index_no(doc: Document, index_no: str, reader: object) -> Document:
    """`reader` is doc.read_body: an equal document whose body is in memory, or in another
    site's file, is not the one to give back."""
    return replace(doc, index_no=index_no)


def assign_index_numbers(published: list[Document], catalog: Catalog) -> list[Document]:
    """Generate 索引号 prefix/YYYY-NNNNN for published documents without one.

    Only published documents are numbered, so gaps in the sequence never reveal how many
    documents were withheld. Order: publication date, then path, so numbers stay stable as
    newer documents are added.
    """
    prefix = catalog.site.index_prefix or catalog.site.site_code or "000000000"
    taken = {d.index_no for d in published if d.index_no}
    counters: dict[int, int] = defaultdict(int)
    result = []
    for doc in sorted(published, key=lambda d: (d.published, d.rel)):
        if not doc.index_no:
            year = doc.published.year
            while True:
                counters[year] += 1
                candidate = f"{prefix}/{year}-{counters[year]:05d}"
                if candidate not in taken:
                    break
            doc = with_index_no(doc, candidate, doc.read_body)
        result.append(doc)
    return result

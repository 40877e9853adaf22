"""The column's pages, rendered through the theme like every other page: {output path: html}.

`search_pages` gives the text of these pages to the search index.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from govsite.column.annual_report import APPLICANTS, PROACTIVE_TABLES, REVIEW_RESULTS, site_published
from govsite.column.guide import FEES_BY_COUNT, FEES_BY_VOLUME
from govsite.column.model import FOLDER, INTERACTION_FOLDER, AnnualReport, Column, Reply
from govsite.model import Catalog, SearchPage, Site

if TYPE_CHECKING:
    from govsite.render import Renderer

COLUMN = f"{FOLDER}/index.html"
GUIDE = f"{FOLDER}/zn/index.html"
RULES = f"{FOLDER}/zd/index.html"
REPORTS = f"{FOLDER}/nb/index.html"
DECISIONS = f"{FOLDER}/zdjc/index.html"
REPLIES = f"{INTERACTION_FOLDER}/index.html"
CATALOG = "catalog/index.html"
NAME = "政府信息公开"


def crumbs(*trail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("首页", "index.html"), (NAME, COLUMN), *trail]


def report_published(site: Site, report: AnnualReport) -> int:
    """The number the 年报 states: the data file's, else what the site knows."""
    if report.published_total is not None:
        return report.published_total
    return site_published(site, report.year, None if report.government else report.unit)


def column_pages(renderer: Renderer, column: Column) -> Iterator[tuple[str, bytes]]:
    site = renderer.site
    newest = renderer.newest(site.documents)
    rules = site.docs_of(column.guide.rules_item) if column.guide.rules_item else ()
    yield COLUMN, renderer.page("zfxxgk.html", COLUMN, page={
        "title": NAME, "column_name": NAME, "column_type": "栏目",
        "breadcrumb": [("首页", "index.html"), (NAME, None)], "date": newest})
    yield GUIDE, renderer.page(
        "zfxxgk_guide.html", GUIDE, guide=column.guide, fees_by_count=FEES_BY_COUNT,
        fees_by_volume=FEES_BY_VOLUME, page={
            "title": "政府信息公开指南", "column_name": "政府信息公开指南", "column_type": "栏目",
            "breadcrumb": crumbs(("政府信息公开指南", None)), "date": column.guide.updated})
    yield RULES, renderer.page("zfxxgk_rules.html", RULES, docs=rules, page={
        "title": "政府信息公开制度", "column_name": "政府信息公开制度", "column_type": "栏目",
        "breadcrumb": crumbs(("政府信息公开制度", None)), "date": renderer.newest(rules)})
    yield REPORTS, renderer.page("zfxxgk_reports.html", REPORTS, reports=column.reports, page={
        "title": "政府信息公开工作年度报告", "column_name": "政府信息公开工作年度报告",
        "column_type": "栏目", "breadcrumb": crumbs(("政府信息公开工作年度报告", None)),
        "date": max((r.published for r in column.reports), default=None)})
    for report in column.reports:
        title = report_title(renderer.catalog, report)
        yield report.url, renderer.page(
            "zfxxgk_report.html", report.url, report=report, applicants=APPLICANTS,
            tables=_proactive_tables(report), review_results=REVIEW_RESULTS,
            published_count=report_published(site, report), page={
                "title": title, "column_name": "政府信息公开工作年度报告", "column_type": "文章",
                "breadcrumb": crumbs(("政府信息公开工作年度报告", REPORTS), (title, None)),
                "date": report.published, "article": True})
    if column.decisions:
        yield from decision_pages(renderer, column)
    if column.interaction:
        yield from reply_pages(renderer, column)


def report_title(catalog: Catalog, report: AnnualReport) -> str:
    return f"{catalog.unit_name(report.unit)}{report.year}年政府信息公开工作年度报告"


def _proactive_tables(report: AnnualReport) -> list[tuple[str, tuple[str, ...], list[object]]]:
    rows = {row.key: row for row in report.proactive}
    return [(item, headings, [rows[key] for key in keys]) for item, headings, keys in PROACTIVE_TABLES]


def decision_pages(renderer: Renderer, column: Column) -> Iterator[tuple[str, bytes]]:
    latest = column.decisions[0]
    yield DECISIONS, renderer.page("zfxxgk_decisions.html", DECISIONS, years=column.decisions,
                                   year=latest, page=_decisions_meta(latest.year, latest.published, None))
    for year in column.decisions:
        yield year.url, renderer.page("zfxxgk_decisions.html", year.url, years=column.decisions,
                                      year=year, page=_decisions_meta(year.year, year.published, DECISIONS))
        for decision in year.decisions:
            yield decision.url, renderer.page(
                "zfxxgk_decision.html", decision.url, decision=decision, urls=renderer.site.urls,
                docs=renderer.site.by_rel, page={
                    "title": decision.name, "column_name": "重大行政决策", "column_type": "文章",
                    "breadcrumb": crumbs(("重大行政决策", DECISIONS), (f"{year.year}年", year.url),
                                         (decision.name, None)),
                    "date": max(filter(None, [year.published, decision.decided,
                                              *(s.date for s in decision.stages)])),
                    "article": True})


def _decisions_meta(year: int, published: date, parent: str | None) -> dict[str, object]:
    trail = [("重大行政决策", parent)] + ([(f"{year}年", None)] if parent else [])
    return {"title": f"{year}年重大行政决策事项目录", "column_name": "重大行政决策",
            "column_type": "栏目", "breadcrumb": crumbs(*trail), "date": published}


def filter_path(year: int | None, unit: str | None) -> str:
    if year is None and unit is None:
        return REPLIES
    return f"{INTERACTION_FOLDER}/{year or 'all'}/{unit + '/' if unit else ''}index.html"


def reply_pages(renderer: Renderer, column: Column) -> Iterator[tuple[str, bytes]]:
    """The list of 答复 with a static page for each year, unit and year × unit: filters that
    work without JavaScript."""
    assert column.interaction is not None
    replies = column.interaction.replies
    years = sorted({r.received.year for r in replies}, reverse=True)
    units = sorted({r.unit for r in replies}, key=lambda u: list(renderer.catalog.units).index(u))
    for year in [None, *years]:
        for unit in [None, *units]:
            chosen = [r for r in replies if (year is None or r.received.year == year)
                      and (unit is None or r.unit == unit)]
            path = filter_path(year, unit)
            label = (f"{year}年" if year else "") + (renderer.catalog.unit_name(unit) if unit else "")
            title = f"互动回应{'（' + label + '）' if label else ''}"
            yield path, renderer.page(
                "hdhy_list.html", path, replies=chosen, years=years, units=units, year=year,
                unit_id=unit, filter_path=filter_path, channels=column.interaction.channels, page={
                    "title": title, "column_name": "互动回应", "column_type": "栏目",
                    "breadcrumb": [("首页", "index.html"), ("互动回应", None if path == REPLIES else REPLIES),
                                   *([(label, None)] if label else [])],
                    "date": _newest_reply(chosen)})
    for reply in replies:
        yield reply.url, renderer.page("hdhy_reply.html", reply.url, reply=reply, page={
            "title": reply.title, "column_name": "互动回应", "column_type": "文章",
            "breadcrumb": [("首页", "index.html"), ("互动回应", REPLIES), (reply.title, None)],
            "date": reply.answered or reply.received, "article": True})


def _newest_reply(replies: list[Reply]) -> date | None:
    return max((r.answered or r.received for r in replies), default=None)


def search_pages(site: Site) -> list[SearchPage]:
    """The column's text pages (指南, 年报, decisions, 答复) for the search index."""
    column = site.column
    if column is None:
        return []
    newest = max((d.published for d in site.documents), default=date(1970, 1, 1))
    guide = column.guide
    found = [SearchPage(GUIDE, "政府信息公开指南", "\n".join([
        guide.organisation, *guide.channels, *guide.contents, guide.time_limit, guide.fees,
        guide.remedies]), guide.updated or newest, NAME, "政府信息公开指南")]
    for report in column.reports:
        found.append(SearchPage(report.url, report_title(site.catalog, report),
                                "\n".join([report.overview, report.issues, report.other]),
                                report.published, NAME, "政府信息公开工作年度报告"))
    for year in column.decisions:
        found += [SearchPage(decision.url, decision.name, f"{decision.basis}\n{decision.planned}",
                             year.published, NAME, "重大行政决策") for decision in year.decisions]
    for reply in column.interaction.replies if column.interaction else ():
        found.append(SearchPage(reply.url, reply.title, f"{reply.question}\n{reply.answer}",
                                reply.answered or reply.received, "互动回应", "留言答复"))
    return found

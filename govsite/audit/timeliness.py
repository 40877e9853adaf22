"""Timeliness (公开时限): publish within the item's time limit after the document's date."""

from __future__ import annotations

from datetime import timedelta

from govsite.audit.context import Audit
from govsite.audit.workdays import (
    WORKDAY,
    Count,
    Limit,
    count_workdays,
    deadline,
    is_calendar,
    parse_limit,
)
from govsite.model import Document
from govsite.problems import Problem


def check_timeliness(audit: Audit) -> list[Problem]:
    problems: list[Problem] = []
    limits: dict[str, Limit] = {}
    for item in audit.catalog.items:
        limit = parse_limit(item.time_limit)
        if limit is None:
            message = (
                f"公开时限“{item.time_limit}”无法解析出天数：请写明期限，"
                "如“信息形成或者变更之日起20个工作日内”“批准后20日内”或“每年3月31日前”"
            )
            problems.append(audit.item_problem(item, "W602", message))
        else:
            limits[item.id] = limit
    for doc in audit.documents:
        limit = limits.get(doc.item_id)
        if doc.is_public and limit is not None:
            problems += check_document(audit, doc, limit)
    return problems


def check_document(audit: Audit, doc: Document, limit: Limit) -> list[Problem]:
    if is_calendar(limit):
        due = deadline(doc.date, limit)
        if doc.published <= due.day:
            return []
        message = (f"超过公开时限：成文日期 {doc.date} 的文件按“{_limit_text(audit, doc)}”"
                   f"应于 {due.day} 前发布，实际发布日期 {doc.published}。请及时发布，"
                   "或核对 date（成文日期）和 published")
        return [audit.doc_problem(doc, "published", "W601", message)]
    count = elapsed(doc, limit)
    problems = fallback_problems(audit, doc, "published", count)
    if count.days > limit.days:
        due = deadline(doc.date, limit).day
        unit = "个工作日" if limit.unit == WORKDAY else "日"
        message = (
            f"超过公开时限：成文日期 {doc.date} 起 {limit.days}{unit}内应于 {due} 前发布，"
            f"实际发布日期 {doc.published}。请及时发布，或核对 date（成文日期）和 published"
        )
        problems.append(audit.doc_problem(doc, "published", "W601", message))
    return problems


def _limit_text(audit: Audit, doc: Document) -> str:
    return audit.catalog.item(doc.item_id).time_limit


def elapsed(doc: Document, limit: Limit) -> Count:
    if limit.unit == WORKDAY:
        return count_workdays(doc.date, doc.published, limit.days)
    return Count((doc.published - doc.date) // timedelta(days=1))


def fallback_problems(audit: Audit, doc: Document, key: str, count: Count) -> list[Problem]:
    if not count.fallback_years:
        return []
    years = "、".join(str(year) for year in count.fallback_years)
    message = (
        f"节假日日历未收录 {years} 年，工作日按周一至周五计算，调休和法定节假日未计入："
        "请升级 chinesecalendar（pip install -U chinesecalendar）"
    )
    return [audit.doc_problem(doc, key, "W603", message)]

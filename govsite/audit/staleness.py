"""Staleness (栏目更新不及时): items and the home page must keep being updated.

Windows follow 国办秘函〔2019〕19号: 动态/要闻 2 weeks, 通知公告/政策文件 6 months; we add a
year for reports, budgets and the rest. An item's optional `update:` text overrides them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from govsite.audit.context import Audit
from govsite.model import Document, Item
from govsite.problems import Problem

HOME_WINDOW = timedelta(days=14)
NO_CADENCE = ("不定期", "无", "长期", "按需")
_CADENCE = re.compile(r"^(?:每|(\d+|一|两|二|三|半))?\s*个?\s*(天|日|周|星期|月|季度|季|年)$")
_UNITS = {"天": (1, 0), "日": (1, 0), "周": (7, 0), "星期": (7, 0), "月": (0, 1),
          "季度": (0, 3), "季": (0, 3), "年": (0, 12)}
_AMOUNTS = {"一": 1, "两": 2, "二": 2, "三": 3}


@dataclass(frozen=True)
class Cadence:
    days: int = 0
    months: int = 0

    def due(self, last: date) -> date:
        month = last.month - 1 + self.months
        year, month = last.year + month // 12, month % 12 + 1
        day = min(last.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)

    def label(self) -> str:
        return f"{self.days} 天" if self.days else f"{self.months} 个月"


DEFAULTS = {"工作动态": Cadence(days=14), "通知公告": Cadence(months=6),
            "政策文件": Cadence(months=6)}
YEARLY = Cadence(months=12)


def parse_cadence(text: str) -> Cadence | None:
    """'2周' -> 14 days, '6个月' -> 6 months, '每季度' -> 3 months, '半年' -> 6 months."""
    match = _CADENCE.match(re.sub(r"\s+", "", text))
    if not match:
        return None
    amount, unit = match.groups()
    days, months = _UNITS[unit]
    if amount == "半":
        return Cadence(days // 2, months // 2) if months >= 2 else None
    number = _AMOUNTS.get(amount or "一") or int(amount)
    return Cadence(days * number, months * number)


def check_staleness(audit: Audit) -> list[Problem]:
    problems = [p for item in audit.catalog.items for p in check_item(audit, item)]
    return problems + check_home(audit)


def check_item(audit: Audit, item: Item) -> list[Problem]:
    docs = audit.live_by_item.get(item.id)
    if item.update in NO_CADENCE:
        return []
    cadence = parse_cadence(item.update) if item.update else None
    if item.update and cadence is None:
        message = f"更新周期“{item.update}”无法解析：请写成“2周”“6个月”“1年”“每季度”或“不定期”"
        return [audit.item_problem(item, "W703", message)]
    if not docs:
        return []  # an empty item is W501's business
    newest = max(docs, key=lambda d: (d.published, d.rel))
    cadence = cadence or DEFAULTS.get(newest.kind, YEARLY)
    due = cadence.due(newest.published)
    if audit.today <= due:
        return []
    message = (
        f"栏目更新不及时：事项“{item.name}”最新文件发布于 {newest.published}，"
        f"超过更新周期 {cadence.label()}（应在 {due} 前更新）。请发布新文件，"
        "或在 catalog.yaml 中用 update: 写明实际更新周期"
    )
    return [audit.item_problem(item, "W701", message)]


def check_home(audit: Audit) -> list[Problem]:
    newest: Document | None = max(audit.live, key=lambda d: d.published, default=None)
    if newest is not None and audit.today - newest.published <= HOME_WINDOW:
        return []
    since = f"最新文件发布于 {newest.published}" if newest else "没有已发布的文件"
    message = f"首页超过两周未更新（{since}）：请发布新的工作动态或通知公告"
    return [audit.site_problem("site", "W702", message)]

"""Catalogue coverage (空白栏目): every item published on the website must have content."""

from __future__ import annotations

from govsite.audit.context import Audit
from govsite.model import Item
from govsite.problems import Problem

WEBSITE = "政府网站"
PROACTIVE = "主动"


def check_coverage(audit: Audit) -> list[Problem]:
    return [problem for item in audit.catalog.items for problem in check_item(audit, item)]


def check_item(audit: Audit, item: Item) -> list[Problem]:
    if item.mode != PROACTIVE:
        return []  # 依申请 items list nothing, so they need no folder either
    if WEBSITE in item.channels_required and not audit.live_by_item.get(item.id):
        message = (
            f"空白栏目：事项“{item.name}”须在政府网站主动公开，但没有已发布的文件。"
            f"请在 {item.path}/ 中发布文件，或在 catalog.yaml 中修改公开方式或渠道"
        )
        return [audit.item_problem(item, "W501", message)]
    if not (audit.root / item.path).is_dir():
        message = f"事项“{item.name}”的目录 {item.path}/ 不存在：请创建该目录或改正 path"
        return [audit.item_problem(item, "W502", message)]
    return []

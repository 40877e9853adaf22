"""The check's verdict (合格/不合格 and the 单项否决), one for every output format."""

from __future__ import annotations

from dataclasses import dataclass

from govsite.model import Catalog
from govsite.problems import Problem, count_errors

VETO_CODES = ("W501", "W701")  # 空白栏目 and 栏目不更新 count towards 单项否决
VETO_THRESHOLD = 5
INTERACTION_VETO = "W909"  # a message unanswered for 3 months: 互动回应差, 单项否决 on its own


@dataclass(frozen=True)
class Verdict:
    errors: int
    warnings: int
    veto_items: tuple[str, ...]  # ids of items blank or not updated
    unanswered: int = 0  # messages unanswered for 3 months

    @property
    def veto(self) -> bool:
        return len(self.veto_items) >= VETO_THRESHOLD or self.unanswered > 0

    @property
    def passed(self) -> bool:
        return not self.errors and not self.veto

    @property
    def label(self) -> str:
        return "合格" if self.passed else "不合格"

    def reasons(self, catalog: Catalog | None) -> list[str]:
        """Why it is 不合格, in the HTML report's words."""
        reasons = []
        if self.unanswered:
            reasons.append(f"单项否决：互动回应差，{self.unanswered} 条留言超过3个月未答复")
        if len(self.veto_items) >= VETO_THRESHOLD:
            names = "、".join(item_label(catalog, item) for item in self.veto_items)
            reasons.append(f"单项否决：{len(self.veto_items)} 个栏目空白或更新不及时"
                           f"（达到 {VETO_THRESHOLD} 个即否决）：{names}")
        if self.errors:
            reasons.append(f"有 {self.errors} 个错误须改正后才能正确发布")
        return reasons

    def as_dict(self, catalog: Catalog | None) -> dict[str, object]:
        return {
            "verdict": self.label, "passed": self.passed, "errors": self.errors,
            "warnings": self.warnings, "veto": self.veto, "veto_threshold": VETO_THRESHOLD,
            "veto_items": [{"id": item, "name": item_name(catalog, item)} for item in self.veto_items],
            "reasons": self.reasons(catalog),
        }


def verdict(problems: list[Problem]) -> Verdict:
    errors = count_errors(problems)
    veto_items = tuple(sorted({p.item for p in problems if p.code in VETO_CODES and p.item}))
    unanswered = sum(p.code == INTERACTION_VETO for p in problems)
    return Verdict(errors, len(problems) - errors, veto_items, unanswered)


def item_name(catalog: Catalog | None, item_id: str) -> str | None:
    item = catalog.item_by_id.get(item_id) if catalog else None
    return item.name if item else None


def item_label(catalog: Catalog | None, item_id: str | None) -> str:
    """An item as staff know it: its name, with the id in parentheses."""
    if not item_id:
        return "—"
    name = item_name(catalog, item_id)
    return f"{name}（{item_id}）" if name else item_id

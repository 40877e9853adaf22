"""Policy interpretation (政策解读): every policy gets one, published within 3 working days.

国办发〔2016〕19号 sets the 3 working days; the policy's publication date is the start.
"""

from __future__ import annotations

from govsite.audit.context import Audit
from govsite.audit.timeliness import fallback_problems
from govsite.audit.workdays import count_workdays
from govsite.model import Document
from govsite.problems import Problem

POLICY = "政策文件"
INTERPRETATION = "政策解读"
MAX_WORKDAYS = 3
FOLLOW_UPS = ("二次解读", "跟踪解读", "专项解读")


def check_interpretations(audit: Audit) -> list[Problem]:
    interpretations = [d for d in audit.live if d.kind == INTERPRETATION]
    covered = {d.interprets for d in interpretations}
    problems = []
    for doc in audit.live:
        if doc.kind == POLICY and doc.rel not in covered:
            message = (
                "已发布的政策文件没有政策解读：请按“谁起草、谁解读”同步发布解读，"
                f"并在解读的 interprets 中填写 {doc.rel}"
            )
            problems.append(audit.doc_problem(doc, "title", "W801", message))
    for interp in interpretations:
        policy = audit.live_by_rel.get(interp.interprets or "")
        if policy is not None and policy.kind == POLICY:
            problems += check_timing(audit, interp, policy)
    return problems


def check_timing(audit: Audit, interp: Document, policy: Document) -> list[Problem]:
    if interp.published < policy.published:
        message = (
            f"政策解读发布于 {interp.published}，早于所解读的政策文件（{policy.published}）："
            "请与政策文件同步发布，或核对两者的 published"
        )
        return [audit.doc_problem(interp, "published", "W802", message)]
    if interp.interp_type in FOLLOW_UPS:
        return []  # a later interpretation by nature: the 3 working days bind the first one
    count = count_workdays(policy.published, interp.published, MAX_WORKDAYS)
    problems = fallback_problems(audit, interp, "published", count)
    if count.days > MAX_WORKDAYS:
        message = (
            f"政策解读发布于 {interp.published}，晚于政策文件（{policy.published}）"
            f"{MAX_WORKDAYS} 个工作日以上：解读应与文件同步发布，最迟不超过 {MAX_WORKDAYS} 个工作日"
        )
        problems.append(audit.doc_problem(interp, "published", "W803", message))
    return problems

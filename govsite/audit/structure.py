"""The catalogue's structure: 重大建设项目 chains without gaps, no invalid policy cited as valid."""

from __future__ import annotations

import re
from datetime import date

from govsite.audit.context import Audit
from govsite.load import CATALOG
from govsite.model import INVALID, PROJECT_STAGES, Document
from govsite.problems import Problem

# a sentence that names the policy as no longer in force is citing it knowingly
FLAGGED_RE = re.compile(r"废止|失效|停止执行|不再执行|同时废|已被")


def check_projects(audit: Audit) -> list[Problem]:
    """W850: a category of the chain is empty while a later one is published, and the project
    does not explain why (notes:). 施工 without 批准结果 is what inspectors look for. Categories
    the catalogue has no item for cannot be published here, so they are not looked for."""
    published: dict[str, set[str]] = {}
    for doc in audit.live:
        stage = audit.catalog.item(doc.item_id).stage
        if doc.project and stage:
            published.setdefault(doc.project, set()).add(stage)
    catalogued = {item.stage for item in audit.catalog.items if item.stage}
    problems = []
    for project in audit.catalog.projects:
        stages = published.get(project.id, set())
        if not stages:
            continue
        last = max(PROJECT_STAGES.index(s) for s in stages)
        missing = [s for s in PROJECT_STAGES[:last]
                   if s in catalogued and s not in stages and not project.note(s)]
        if missing:
            message = (
                f"重大建设项目“{project.name}”（{project.code}）已公开{PROJECT_STAGES[last]}信息，"
                f"但缺少前序环节：{'、'.join(missing)}。请补充公开，或在 catalog.yaml 该项目的 "
                "notes 中说明原因"
            )
            problems.append(Problem(CATALOG, project.line or None, "W850", message,
                                    unit=audit.catalog.unit_name(project.owner)))
    return problems


def check_invalid_citations(audit: Audit) -> list[Problem]:
    """W851: a page published after a policy was replaced (or, with no replacement named, after
    the policy itself) links to the 失效/废止 policy in a sentence that does not say so."""
    problems: list[Problem] = []
    if not any(doc.validity in INVALID for doc in audit.live):
        return problems
    for doc in audit.live:
        for line_number, line, target in doc.citations:
            policy = audit.live_by_rel.get(target)
            if policy is None or policy.validity not in INVALID or FLAGGED_RE.search(line):
                continue
            if doc.interprets == policy.rel or doc.validity in INVALID:
                continue
            since = _invalid_since(audit, policy)
            if doc.published > since:
                message = (
                    f"链接的政策文件“{policy.title}”已{policy.validity}，本文件却按现行文件引用："
                    "请改为引用现行文件，或在同一句中注明该文件已失效或废止"
                )
                problems.append(audit.doc_line_problem(doc, line_number, "W851", message))
    return problems


def _invalid_since(audit: Audit, policy: Document) -> date:
    replacement = audit.live_by_rel.get(policy.replaced_by or "")
    return replacement.published if replacement else policy.published

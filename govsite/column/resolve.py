"""The column's side of the disclosure boundary: a document a decision refers to is kept only
when it is published (主动公开, and on the build's day); a reference to no document at all is an
error (E906). Like documents, what is dated after the build's day is left out: a 年报 or a
事项目录 published later, a message received later, and an answer given later."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from govsite.column.model import Column, Decision
from govsite.model import Catalog, Document
from govsite.problems import Problem


def resolve_column(column: Column, documents: list[Document], public: set[str],
                   catalog: Catalog, day: date) -> tuple[Column, list[Problem]]:
    """`public`: the rels of the published documents (the Site's); `day`: the build's day."""
    known = {d.rel for d in documents}
    problems: list[Problem] = []
    years = []
    for year in column.decisions:
        decisions = []
        for decision in year.decisions:
            problems += _missing(decision, known, catalog)
            decisions.append(_public(decision, public))
        if year.published <= day:
            years.append(replace(year, decisions=tuple(decisions)))
    interaction = column.interaction
    if interaction is not None:
        replies = tuple(r if r.answered is None or r.answered <= day else
                        replace(r, answered=None, answer="")
                        for r in interaction.replies if r.received <= day)
        interaction = replace(interaction, replies=replies)
    reports = tuple(r for r in column.reports if r.published <= day)
    return replace(column, reports=reports, decisions=tuple(years),
                   interaction=interaction), problems


def _references(decision: Decision) -> list[tuple[str, int]]:
    found = [(rel, stage.line) for stage in decision.stages for rel in stage.documents]
    if decision.consultation:
        found.append((decision.consultation, decision.lines.get("consultation", decision.line)))
    if decision.adoption:
        found.append((decision.adoption, decision.lines.get("adoption", decision.line)))
    return found


def _missing(decision: Decision, known: set[str], catalog: Catalog) -> list[Problem]:
    return [Problem(decision.path, line, "E906", f"决策“{decision.name}”引用的文件 {rel} 不存在："
                    "请写站点根目录下的相对路径，如 content/zdjc/x.md", unit=catalog.unit_name(decision.unit))
            for rel, line in _references(decision) if rel not in known]


def _public(decision: Decision, public: set[str]) -> Decision:
    stages = tuple(replace(s, documents=tuple(r for r in s.documents if r in public))
                   for s in decision.stages)
    return replace(decision, stages=stages,
                   consultation=decision.consultation if decision.consultation in public else None,
                   adoption=decision.adoption if decision.adoption in public else None)

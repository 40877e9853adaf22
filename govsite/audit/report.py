"""Output formats for `govsite check`: text, JSON, GitHub annotations and the HTML report."""

from __future__ import annotations

import json
from datetime import date

from govsite.audit.verdict import verdict
from govsite.model import Catalog, Document
from govsite.problems import Problem, sort_problems

FORMATS = ("text", "json", "github", "html")


def summary(problems: list[Problem], catalog: Catalog | None = None) -> str:
    """The counts and the verdict the HTML report gives (合格/不合格, 单项否决)."""
    result = verdict(problems)
    reasons = "".join(f"；{reason}" for reason in result.reasons(catalog) if not reason.startswith("有 "))
    return f"{result.errors} 个错误，{result.warnings} 个警告。检查结论：{result.label}{reasons}"


def format_text(problems: list[Problem], catalog: Catalog | None = None) -> str:
    text = "".join(f"{problem}\n" for problem in problems) + summary(problems, catalog) + "\n"
    return text + org_summary(problems, catalog)


def org_summary(problems: list[Problem], catalog: Catalog | None) -> str:
    """Empty and stale columns of each 乡镇/村, counted separately as inspectors count them."""
    if catalog is None or not catalog.orgs:
        return ""
    from govsite.audit.htmlreport import org_rows  # with Jinja2: only a site with orgs needs it

    lines = [f"  {row.name}：空白栏目 {row.count('W501')} 个，更新不及时 {row.count('W701')} 个，"
             f"共 {row.errors} 个错误、{row.warnings} 个警告\n" for row in org_rows(problems, catalog)]
    return "按乡镇（村）统计：\n" + "".join(lines)


def format_json(problems: list[Problem], catalog: Catalog | None = None) -> str:
    """{"summary": the verdict and its reasons, "problems": [each problem]}."""
    data = {"summary": verdict(problems).as_dict(catalog), "problems": [p.as_dict() for p in problems]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def format_github(problems: list[Problem], catalog: Catalog | None = None) -> str:
    return "".join(_annotation(problem) + "\n" for problem in problems)


def _annotation(problem: Problem) -> str:
    where = f"file={_escape(problem.path, True)}"
    if problem.line:
        where += f",line={problem.line}"
    where += f",title={problem.code}"
    return f"::{problem.severity} {where}::{_escape(f'{problem.code} {problem.message}')}"


def _escape(text: str, is_property: bool = False) -> str:
    """GitHub workflow-command escaping (toolkit's escapeData / escapeProperty)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text


def format_html(
    problems: list[Problem], catalog: Catalog | None, documents: list[Document], today: date
) -> str:
    from govsite.audit.htmlreport import render_report  # Jinja2: only for this format

    return render_report(problems, catalog, documents, today)


def render(
    fmt: str,
    problems: list[Problem],
    catalog: Catalog | None,
    documents: list[Document],
    today: date,
) -> str:
    problems = sort_problems(problems)
    if fmt == "html":
        return format_html(problems, catalog, documents, today)
    return {"text": format_text, "json": format_json, "github": format_github}[fmt](problems, catalog)

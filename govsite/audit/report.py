"""Output formats for `govsite check`: text, JSON, GitHub annotations and the HTML report."""

from __future__ import annotations

import json
from datetime import date

from govsite.model import Catalog, Document
from govsite.problems import Problem, count_errors, sort_problems

FORMATS = ("text", "json", "github", "html")


def summary(problems: list[Problem]) -> str:
    errors = count_errors(problems)
    return f"{errors} 个错误，{len(problems) - errors} 个警告"


def format_text(problems: list[Problem]) -> str:
    return "".join(f"{problem}\n" for problem in problems) + summary(problems) + "\n"


def format_json(problems: list[Problem]) -> str:
    return json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2) + "\n"


def format_github(problems: list[Problem]) -> str:
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
    return {"text": format_text, "json": format_json, "github": format_github}[fmt](problems)

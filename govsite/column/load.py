"""Read the site's zfxxgk/ folder into a Column: the guide, the reports, the decisions and the
互动回应 records. A site without the folder has no column (nothing here is required)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govsite.column.annual_report import REPORTS, load_report
from govsite.column.decisions import DECISIONS, load_decisions
from govsite.column.guide import GUIDE, load_guide
from govsite.column.interaction import INTERACTION, load_interaction
from govsite.column.model import FOLDER, AnnualReport, Column, DecisionYear
from govsite.load import CATALOG, ID_RE, read_text
from govsite.model import Catalog
from govsite.problems import Problem
from govsite.sections import COLUMN_FOLDERS
from govsite.yamlio import load_yaml


def read_yaml(root: Path, rel: str) -> tuple[Any, list[Problem]]:
    content, problems = read_text(root / rel, rel)
    if content is None:
        return None, problems
    return load_yaml(content, rel)


def data_files(root: Path, folder: str) -> list[tuple[str, str]]:
    """(site-relative path, stem) of every .yaml file in a folder, in name order."""
    found = sorted((root / folder).glob("*.yaml")) if (root / folder).is_dir() else []
    return [(f"{folder}/{path.name}", path.stem) for path in found if not path.name.startswith(".")]


def load_column(root: Path, catalog: Catalog) -> tuple[Column | None, list[Problem]]:
    if not (root / FOLDER).is_dir():
        return None, []
    if not (root / GUIDE).is_file():
        return None, [Problem(GUIDE, None, "E006", f"{FOLDER}/ 目录下缺少政府信息公开指南 guide.yaml"
                              "（可运行 govsite init 查看示例）")]
    data, problems = read_yaml(root, GUIDE)
    if data is None:
        return None, problems
    problems += _collisions(catalog)
    guide, found = load_guide(root, catalog, data)
    problems += found
    reports, found = _reports(root, catalog)
    problems += found
    years, found = _decisions(root, catalog)
    problems += found
    interaction = None
    if (root / INTERACTION).is_file():
        data, found = read_yaml(root, INTERACTION)
        problems += found
        if data is not None:
            interaction, found = load_interaction(data, catalog)
            problems += found
    return Column(guide, reports, interaction, years), problems


def _collisions(catalog: Catalog) -> list[Problem]:
    """A domain's pages would be written where the column's are."""
    return [Problem(CATALOG, domain.line or None, "E107",
                    f"领域 id“{domain.id}”与政府信息公开栏目的输出目录 {domain.id}/ 重名：请换一个 id")
            for domain in catalog.domains if domain.id in COLUMN_FOLDERS]


def _slug(rel: str, stem: str, problems: list[Problem]) -> bool:
    if ID_RE.match(stem):
        return True
    problems.append(Problem(rel, None, "E103", f"文件名“{stem}”须为小写字母、数字、-、_（用于网址），如 2025.yaml"))
    return False


def _reports(root: Path, catalog: Catalog) -> tuple[tuple[AnnualReport, ...], list[Problem]]:
    reports: list[AnnualReport] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, int], str] = {}
    for rel, stem in data_files(root, REPORTS):
        data, found = read_yaml(root, rel)
        problems += found
        if data is None or not _slug(rel, stem, problems):
            continue
        report, found = load_report(data, rel, stem, catalog)
        problems += found
        if report is None:
            continue
        key = (report.unit, report.year)
        if key in seen:
            problems.append(Problem(rel, report.lines.get("year"), "E903",
                                    f"{catalog.unit_name(report.unit)} {report.year} 年度报告已在 {seen[key]} 中"))
            continue
        seen[key] = rel
        reports.append(report)
    reports.sort(key=lambda r: (-r.year, not r.government, r.unit))
    return tuple(reports), problems


def _decisions(root: Path, catalog: Catalog) -> tuple[tuple[DecisionYear, ...], list[Problem]]:
    years: list[DecisionYear] = []
    problems: list[Problem] = []
    for rel, _ in data_files(root, DECISIONS):
        data, found = read_yaml(root, rel)
        problems += found
        if data is None:
            continue
        year, found = load_decisions(data, rel, catalog)
        problems += found
        if year is not None:
            years.append(year)
    years.sort(key=lambda y: -y.year)
    return tuple(years), problems

"""Checks of the 政府信息公开 column (zfxxgk/): 年报 deadlines and numbers, reply times,
decision procedure, and the footer every inspected site carries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from govsite.audit.context import Audit
from govsite.audit.workdays import add_workdays
from govsite.column.annual_report import CARRIED, CARRY_ON, REPORTS, site_published
from govsite.column.decisions import COMMENT_DAYS
from govsite.column.model import Column
from govsite.problems import Problem
from govsite.publication import furniture_image

REPLY_WORKDAYS = 10
UNANSWERED_MONTHS = 3


def _column(audit: Audit) -> Column | None:
    return audit.site.column if audit.site is not None else None


def check_reports(audit: Audit) -> list[Problem]:
    column = _column(audit)
    if column is None or audit.site is None:
        return []
    problems: list[Problem] = []
    for report in column.reports:
        unit = audit.catalog.unit_name(report.unit)
        title = f"{unit}{report.year}年度报告"
        if report.published > report.due:
            who = "政府" if report.government else "部门"
            problems.append(Problem(report.path, report.lines.get("published"), "W904",
                                    f"{title}发布日期 {report.published} 晚于法定期限 {report.due}"
                                    f"（条例第四十九、五十条：{who}年报于次年{report.due.month}月31日前公布）",
                                    unit=unit))
        known = site_published(audit.site, report.year, None if report.government else report.unit)
        if report.published_total is not None and report.published_total != known:
            problems.append(Problem(report.path, report.lines.get("published_total"), "W903",
                                    f"{title}写明主动公开 {report.published_total} 条，本站 {report.year} 年"
                                    f"发布的{'' if report.government else '该单位'}主动公开文件为 {known} 条："
                                    "请核对；删除 published_total 则年报使用本站的数字", unit=unit))
    problems += _missing_reports(audit, column)
    problems += _carried_over(audit, column)
    return problems


def _carried_over(audit: Audit, column: Column) -> list[Problem]:
    """This year's 上年结转 is last year's 结转下年, column by column."""
    rows = {(r.unit, r.year): {row.key: row for row in r.applications} for r in column.reports}
    problems = []
    for report in column.reports:
        before = rows.get((report.unit, report.year - 1))
        carried = rows[(report.unit, report.year)].get(CARRIED)
        if before is None or carried is None or CARRY_ON not in before:
            continue
        if carried.values != before[CARRY_ON].values:
            unit = audit.catalog.unit_name(report.unit)
            problems.append(Problem(report.path, carried.line, "W913",
                                    f"{unit}{report.year}年度报告“上年结转”（{_shown(carried.values)}）与"
                                    f"{report.year - 1}年度报告“结转下年度继续办理”"
                                    f"（{_shown(before[CARRY_ON].values)}）不一致", unit=unit))
    return problems


def _shown(values: tuple[float, ...]) -> str:
    return "、".join(f"{value:g}" for value in values)


def _missing_reports(audit: Audit, column: Column) -> list[Problem]:
    """Every unit that publishes 年报 publishes one for each year since its first."""
    problems = []
    first: dict[str, int] = {}
    kinds: dict[str, bool] = {}
    for report in column.reports:
        first[report.unit] = min(first.get(report.unit, report.year), report.year)
        kinds[report.unit] = report.government
    have = {(r.unit, r.year) for r in column.reports}
    for unit, start in sorted(first.items()):
        month = 3 if kinds[unit] else 1
        last = audit.today.year - 1 if audit.today > date(audit.today.year, month, 31) \
            else audit.today.year - 2
        for year in range(start, last + 1):
            if (unit, year) not in have:
                name = audit.catalog.unit_name(unit)
                problems.append(Problem(REPORTS, None, "W904",
                                        f"{name}{year}年政府信息公开工作年度报告未发布"
                                        f"（应于 {year + 1}年{month}月31日前公布）", unit=name))
    return problems


def check_rules(audit: Audit) -> list[Problem]:
    """The 制度 sub-column is empty when no catalogue item feeds it (空白栏目)."""
    column = _column(audit)
    if column is None:
        return []
    item = column.guide.rules_item
    if item and audit.live_by_item.get(item):
        return []
    message = ("政府信息公开制度栏目为空：请在 zfxxgk/guide.yaml 的 rules_item 写明发布公开制度的事项 id"
               if not item else f"政府信息公开制度栏目为空：事项“{item}”没有已发布的文件")
    return [Problem(column.guide.path, column.guide.lines.get("rules_item"), "W912", message,
                    unit=audit.catalog.site.org)]


def check_replies(audit: Audit) -> list[Problem]:
    column = _column(audit)
    if column is None or column.interaction is None:
        return []
    problems = []
    path = column.interaction.path
    for reply in column.interaction.replies:
        unit = audit.catalog.unit_name(reply.unit)
        if reply.answered is None:
            overdue = _months_later(reply.received, UNANSWERED_MONTHS)
            if audit.today > overdue:
                problems.append(Problem(path, reply.line, "W909",
                                        f"留言“{reply.title}”（{reply.received}）超过{UNANSWERED_MONTHS}个月未答复："
                                        "互动回应差属单项否决项，请立即答复", unit=unit))
            continue
        due = add_workdays(reply.received, REPLY_WORKDAYS).day
        if reply.answered > due:
            problems.append(Problem(path, reply.lines.get("answered", reply.line), "W908",
                                    f"留言“{reply.title}”{reply.received} 收到，{reply.answered} 答复，"
                                    f"超过{REPLY_WORKDAYS}个工作日（应于 {due} 前答复）", unit=unit))
    return problems


def _months_later(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_decisions(audit: Audit) -> list[Problem]:
    column = _column(audit)
    if column is None:
        return []
    problems = []
    for year in column.decisions:
        for decision in year.decisions:
            unit = audit.catalog.unit_name(decision.unit)
            if decision.opens and decision.closes and not decision.short_reason:
                days = (decision.closes - decision.opens).days + 1
                if days < COMMENT_DAYS:
                    problems.append(Problem(decision.path, decision.lines.get("consultation"), "W905",
                                            f"决策“{decision.name}”意见征集期 {decision.opens} 至 "
                                            f"{decision.closes} 共 {days} 日，少于{COMMENT_DAYS}日且未说明理由"
                                            "（consultation 下写 reason）", unit=unit))
            if decision.status == "已决策" and decision.adoption is None:
                problems.append(Problem(decision.path, decision.lines.get("status"), "W906",
                                        f"决策“{decision.name}”已作出，未公开意见采纳情况（adoption：一份主动公开的文件，"
                                        "列明采纳和不予采纳的意见及理由）", unit=unit))
        attended = {a.unit for a in year.attendance}
        for unit_id in sorted({d.unit for d in year.decisions} - attended):
            if year.year < audit.today.year or any(d.status == "已决策" for d in year.decisions
                                                   if d.unit == unit_id):
                unit = audit.catalog.unit_name(unit_id)
                problems.append(Problem(year.path, None, "W907",
                                        f"{unit}{year.year}年没有利益相关方列席决策会议的记录"
                                        "（attendance）", unit=unit))
    return problems


def check_furniture(audit: Audit) -> list[Problem]:
    """党政机关网站标识 and 我为政府网站找错 in every page's footer (政府网站发展指引)."""
    site = audit.catalog.site
    problems = []
    if not site.gov_mark_image or not site.gov_mark_url:
        problems.append(audit.site_problem("gov_mark_image", "W910",
                                           "未配置党政机关网站标识：请在 site 下写 gov_mark_image（标识图片，"
                                           "站点目录内的文件）和 gov_mark_url（核验链接）"))
    elif not (audit.root / site.gov_mark_image).is_file():
        problems.append(audit.site_problem("gov_mark_image", "W914",
                                           f"党政机关网站标识图片“{site.gov_mark_image}”不存在"
                                           "（路径相对于站点根目录），页脚不显示标识"))
    elif furniture_image(audit.root, site.gov_mark_image) is None:
        problems.append(audit.site_problem("gov_mark_image", "E908",
                                           f"党政机关网站标识图片“{site.gov_mark_image}”须是站点目录内、content/ 之外的"
                                           "PNG、JPEG、GIF 或 WebP 等图片（不发布其他位置或类型的文件）"))
    if not site.error_report_url:
        problems.append(audit.site_problem("error_report_url", "W911",
                                           "未配置“我为政府网站找错”入口：请在 site 下写 error_report_url"
                                           "（全国政府网站找错平台的本站链接）"))
    return problems


COLUMN_CHECKS: tuple[Callable[[Audit], list[Problem]], ...] = (
    check_reports, check_rules, check_replies, check_decisions, check_furniture)

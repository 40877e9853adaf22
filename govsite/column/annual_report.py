"""政府信息公开工作年度报告 (条例 第四十九、五十条) in the format of 国办公开办函〔2021〕30号.

One data file a report, zfxxgk/nb/<slug>.yaml. Loading checks the tables' arithmetic as
reviewers do (E902 at the row's line); the audit checks the deadline and what the site knows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govsite.column.model import FOLDER, AnnualReport, Row
from govsite.model import Catalog, Site
from govsite.problems import Problem
from govsite.schema import Field, read_mapping, text
from govsite.yamlio import Mapping, empty_mapping

REPORTS = f"{FOLDER}/nb"
KINDS = ("政府", "部门")
FIELDS = (
    Field("year", int, required=True, alias="年度"),
    Field("unit", required=True, alias="单位"),
    Field("kind", required=True, alias="类型", choices=KINDS),
    Field("published", dt.date, required=True, alias="发布日期"),
    Field("overview", required=True, alias="总体情况"),
    Field("proactive", dict, alias="主动公开"),
    Field("applications", dict, alias="申请"),
    Field("reviews", dict, alias="复议诉讼"),
    Field("issues", alias="问题及改进"),
    Field("other", alias="其他事项"),
    Field("published_total", int, alias="主动公开条数"),
)

# 二、主动公开政府信息情况: (key, label, how many numbers)
PROACTIVE = (
    ("规章", "规章", 3), ("行政规范性文件", "行政规范性文件", 3),
    ("行政许可", "行政许可", 1), ("行政处罚", "行政处罚", 1), ("行政强制", "行政强制", 1),
    ("行政事业性收费", "行政事业性收费", 1),
)
PROACTIVE_TABLES = (  # the four statutory tables: (条例 第二十条 item, headings, rows)
    ("第二十条第（一）项", ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
     ("规章", "行政规范性文件")),
    ("第二十条第（五）项", ("信息内容", "本年处理决定数量"), ("行政许可",)),
    ("第二十条第（六）项", ("信息内容", "本年处理决定数量"), ("行政处罚", "行政强制")),
    ("第二十条第（八）项", ("信息内容", "本年收费金额（单位：万元）"), ("行政事业性收费",)),
)
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
GROUPS = {  # 三（三）to（六）: key -> (label, ((reason key, label), ...))
    "不予公开": ("（三）不予公开", (
        ("国家秘密", "1.属于国家秘密"), ("法律法规禁止", "2.其他法律行政法规禁止公开"),
        ("三安全一稳定", "3.危及“三安全一稳定”"), ("第三方合法权益", "4.保护第三方合法权益"),
        ("内部事务", "5.属于三类内部事务信息"), ("过程性信息", "6.属于四类过程性信息"),
        ("行政执法案卷", "7.属于行政执法案卷"), ("行政查询事项", "8.属于行政查询事项"))),
    "无法提供": ("（四）无法提供", (
        ("不掌握", "1.本机关不掌握相关政府信息"), ("需另行制作", "2.没有现成信息需要另行制作"),
        ("补正后仍不明确", "3.补正后申请内容仍不明确"))),
    "不予处理": ("（五）不予处理", (
        ("信访举报投诉", "1.信访举报投诉类申请"), ("重复申请", "2.重复申请"),
        ("公开出版物", "3.要求提供公开出版物"), ("大量反复申请", "4.无正当理由大量反复申请"),
        ("确认或重新出具", "5.要求行政机关确认或重新出具已获取信息"))),
    "其他处理": ("（六）其他处理", (
        ("逾期不补正", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("逾期未缴费", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("其他", "3.其他"))),
}
RESULT_ROWS = (("予以公开", "（一）予以公开"),
               ("部分公开", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"))
NEW, CARRIED, TOTAL, CARRY_ON = "新收", "上年结转", "总计", "结转下年"
ROW_LABELS = {NEW: "一、本年新收政府信息公开申请数量", CARRIED: "二、上年结转政府信息公开申请数量",
              TOTAL: "（七）总计", CARRY_ON: "四、结转下年度继续办理"}
RESULTS_HEADING = "三、本年度办理结果"
REVIEW_KINDS = (("行政复议", "行政复议"), ("直接起诉", "行政诉讼：未经复议直接起诉"),
                ("复议后起诉", "行政诉讼：复议后起诉"))
REVIEW_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def load_report(data: Any, rel: str, slug: str, catalog: Catalog
                ) -> tuple[AnnualReport | None, list[Problem]]:
    values, lines, problems = read_mapping(data, FIELDS, rel, "年报：")
    if not {"year", "unit", "kind", "published", "overview"} <= values.keys():
        return None, problems
    unit = text(values["unit"])
    if unit not in catalog.units:
        problems.append(Problem(rel, lines["unit"], "E101", f"单位“{unit}”不是 units 中定义的单位 id"))
    proactive, found = _proactive(values.get("proactive", empty_mapping(data.line)), rel)
    problems += found
    applications, found = _applications(values.get("applications", empty_mapping(data.line)), rel)
    problems += found
    if isinstance(values.get("reviews"), Mapping):
        _unknown(values["reviews"], [k for k, _ in REVIEW_KINDS], rel, "复议诉讼：", problems)
    reviews, found = _rows(values.get("reviews", empty_mapping(data.line)), rel, "复议诉讼：",
                           [(k, label, 0) for k, label in REVIEW_KINDS], len(REVIEW_RESULTS))
    problems += found
    report = AnnualReport(
        slug=slug, year=values["year"], unit=unit, government=values["kind"] == "政府",
        published=values["published"], overview=text(values["overview"]),
        proactive=proactive, applications=applications, reviews=reviews,
        issues=text(values.get("issues")), other=text(values.get("other")),
        published_total=values.get("published_total"), path=rel, lines=lines,
    )
    return report, problems + check_arithmetic(report, catalog)


def _proactive(data: Any, rel: str) -> tuple[tuple[Row, ...], list[Problem]]:
    rows: list[Row] = []
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return (), [Problem(rel, getattr(data, "line", 1), "E005", "主动公开：应为“键: 值”形式")]
    _unknown(data, [key for key, _, _ in PROACTIVE], rel, "主动公开：", problems)
    for key, label, size in PROACTIVE:
        value = data.get(key, [0] * size if size > 1 else 0)
        value = value if size > 1 else [value]
        numbers = _numbers(value, size, rel, data.line_of(key), f"主动公开：“{key}”",
                           problems, decimals=key == "行政事业性收费")
        rows.append(Row(key, label, numbers, data.line_of(key)))
    return tuple(rows), problems


def _applications(data: Any, rel: str) -> tuple[tuple[Row, ...], list[Problem]]:
    """三: every statutory row in order; groups are mappings of their reasons."""
    if not isinstance(data, Mapping):
        return (), [Problem(rel, getattr(data, "line", 1), "E005", "申请：应为“键: 值”形式")]
    problems: list[Problem] = []
    known = [NEW, CARRIED, *(k for k, _ in RESULT_ROWS), *GROUPS, TOTAL, CARRY_ON]
    _unknown(data, known, rel, "申请：", problems)
    size = len(APPLICANTS)
    rows, found = _rows(data, rel, "申请：", [(NEW, ROW_LABELS[NEW], 0),
                                              (CARRIED, ROW_LABELS[CARRIED], 0)], size)
    problems += found
    rows.append(Row("三", RESULTS_HEADING, (), data.line))
    found_rows, found = _rows(data, rel, "申请：", [(k, label, 1) for k, label in RESULT_ROWS], size)
    rows += found_rows
    problems += found
    for key, (label, reasons) in GROUPS.items():
        group = data.get(key, empty_mapping(data.line))
        line = data.line_of(key)
        rows.append(Row(key, label, (), line, 1))
        if not isinstance(group, Mapping):
            example = f"{reasons[0][0]}: [0, 0, 0, 0, 0, 0, 0]"
            problems.append(Problem(rel, line, "E005", f"申请：“{key}”应列出各项原因，如 {example}"))
            continue
        _unknown(group, [k for k, _ in reasons], rel, f"申请：{key}：", problems)
        found_rows, found = _rows(group, rel, f"申请：{key}：",
                                  [(k, reason, 2) for k, reason in reasons], size, prefix=f"{key}.")
        rows += found_rows
        problems += found
    found_rows, found = _rows(data, rel, "申请：", [(TOTAL, ROW_LABELS[TOTAL], 1),
                                                    (CARRY_ON, ROW_LABELS[CARRY_ON], 0)], size)
    return tuple(rows + found_rows), problems + found


def _rows(data: Any, rel: str, where: str, specs: list[tuple[str, str, int]], size: int,
          prefix: str = "") -> tuple[list[Row], list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        return [], [Problem(rel, getattr(data, "line", 1), "E005", f"{where}应为“键: 值”形式")]
    rows = []
    for key, label, level in specs:
        line = data.line_of(key)
        numbers = _numbers(data.get(key, [0] * size), size, rel, line, f"{where}“{key}”", problems)
        rows.append(Row(prefix + key, label, numbers, line, level))
    return rows, problems


def _numbers(value: Any, size: int, rel: str, line: int, where: str, problems: list[Problem],
             decimals: bool = False) -> tuple[float, ...]:
    kinds = (int, float) if decimals else (int,)
    if not isinstance(value, list) or len(value) != size or not all(
            isinstance(v, kinds) and not isinstance(v, bool) and v >= 0 for v in value):
        what = "非负数" if decimals else "非负整数"
        shape = f"{size} 个{what}的列表，如 [{', '.join('0' * size)}]" if size > 1 else f"一个{what}"
        problems.append(Problem(rel, line, "E005", f"{where}应为{shape}，实际为“{value}”"))
        return (0,) * size
    return tuple(value)


def _unknown(data: Mapping, known: list[str], rel: str, where: str, problems: list[Problem]) -> None:
    for key in data:
        if key not in known:
            problems.append(Problem(rel, data.line_of(key), "E004",
                                    f"{where}未知的键“{key}”（可用的键：{'、'.join(known)}）"))


def check_arithmetic(report: AnnualReport, catalog: Catalog) -> list[Problem]:
    """Every 总计 equals the sum of its parts; 新收 + 上年结转 = 办理结果总计 + 结转下年 per column."""
    unit = catalog.unit_name(report.unit)
    problems: list[Problem] = []

    def wrong(row: Row, message: str) -> None:
        problems.append(Problem(report.path, row.line, "E902", f"{report.year}年度报告{message}",
                                unit=unit))

    for row in report.applications:
        if row.values and row.values[-1] != sum(row.values[:-1]):
            wrong(row, f"“{row.label}”行：总计 {_n(row.values[-1])} 不等于各类申请人之和 "
                  f"{_n(sum(row.values[:-1]))}")
    by_key = {row.key: row for row in report.applications}
    results = [row for row in report.applications
               if row.values and row.key not in (NEW, CARRIED, TOTAL, CARRY_ON)]
    total, carry_on = by_key.get(TOTAL), by_key.get(CARRY_ON)
    if total and carry_on:
        for column, name in enumerate(APPLICANTS):
            parts = sum(row.values[column] for row in results)
            if total.values[column] != parts:
                wrong(total, f"“（七）总计”行“{name}”列：{_n(total.values[column])} 不等于"
                      f"（一）至（六）各项之和 {_n(parts)}")
            received = by_key[NEW].values[column] + by_key[CARRIED].values[column]
            handled = total.values[column] + carry_on.values[column]
            if received != handled:
                wrong(carry_on, f"“{name}”列：本年新收 + 上年结转 = {_n(received)}，"
                      f"不等于办理结果总计 + 结转下年度继续办理 = {_n(handled)}")
    for row in report.reviews:
        if row.values[-1] != sum(row.values[:-1]):
            wrong(row, f"“{row.label}”：总计 {_n(row.values[-1])} 不等于维持、纠正、其他、"
                  f"尚未审结之和 {_n(sum(row.values[:-1]))}")
    return problems


def _n(value: float) -> str:
    return f"{value:g}"


def site_published(site: Site, year: int, unit: str | None) -> int:
    """What the site knows: documents proactively published in `year` (by `unit`, if given)."""
    names = {unit, site.catalog.unit_name(unit)} if unit else set()
    return sum(d.published.year == year and (not names or d.issuer in names)
               for d in site.documents)

"""重大行政决策 (《重大行政决策程序暂行条例》, 国务院令第713号): a yearly 事项目录
(zfxxgk/zdjc/<year>.yaml), each decision's statutory stages, its comment period and the
利益相关方列席 of each unit. Documents are referred to by path; the resolve step keeps only
those that are 主动公开."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govsite.column.model import FOLDER, Attendance, Decision, DecisionYear, Stage
from govsite.load import ID_RE
from govsite.model import Catalog
from govsite.problems import Problem
from govsite.schema import Field, read_mapping, text
from govsite.yamlio import empty_mapping

DECISIONS = f"{FOLDER}/zdjc"
STAGES = ("公众参与", "专家论证", "风险评估", "合法性审查", "集体讨论决定")
STATUSES = ("未启动", "进行中", "已完成", "不适用")
DECISION_STATUSES = ("计划中", "进行中", "已决策")
COMMENT_DAYS = 30
YEAR_FIELDS = (
    Field("year", int, required=True, alias="年度"),
    Field("published", dt.date, required=True, alias="发布日期"),
    Field("decisions", list, required=True, alias="事项"),
    Field("attendance", list, alias="利益相关方列席"),
)
DECISION_FIELDS = (
    Field("id", required=True), Field("name", required=True, alias="名称"),
    Field("unit", required=True, alias="承办单位"), Field("basis", required=True, alias="依据"),
    Field("planned", required=True, alias="计划完成时间"),
    Field("status", required=True, alias="状态", choices=DECISION_STATUSES),
    Field("stages", dict, alias="程序"), Field("consultation", dict, alias="意见征集"),
    Field("decided", dt.date, alias="决策日期"), Field("adoption", alias="意见采纳情况"),
)
STAGE_FIELDS = (Field("status", required=True, alias="状态", choices=STATUSES),
                Field("date", dt.date, alias="日期"), Field("documents", list, alias="文件"))
CONSULTATION_FIELDS = (
    Field("document", required=True, alias="文件"), Field("opens", dt.date, required=True, alias="开始日期"),
    Field("closes", dt.date, required=True, alias="截止日期"), Field("reason", alias="期限少于30日的理由"),
)
ATTENDANCE_FIELDS = (
    Field("unit", required=True, alias="单位"), Field("date", dt.date, required=True, alias="日期"),
    Field("meeting", required=True, alias="会议"), Field("attendees", required=True, alias="列席人员"),
)


def load_decisions(data: Any, rel: str, catalog: Catalog) -> tuple[DecisionYear | None, list[Problem]]:
    values, _, problems = read_mapping(data, YEAR_FIELDS, rel, "重大行政决策：")
    if not {"year", "published", "decisions"} <= values.keys():
        return None, problems
    year = values["year"]
    decisions: list[Decision] = []
    seen: dict[str, int] = {}
    for entry in values["decisions"]:
        decision, found = _decision(entry, rel, year, catalog, seen)
        problems += found
        if decision:
            decisions.append(decision)
    attendance: list[Attendance] = []
    for entry in values.get("attendance", []):
        found_values, lines, found = read_mapping(entry, ATTENDANCE_FIELDS, rel, "利益相关方列席：")
        problems += found
        if len(found_values) < len(ATTENDANCE_FIELDS):
            continue
        unit = text(found_values["unit"])
        problems += _unit(unit, rel, lines["unit"], catalog)
        attendance.append(Attendance(unit, found_values["date"], text(found_values["meeting"]),
                                     text(found_values["attendees"]), entry.line))
    return DecisionYear(year, values["published"], tuple(decisions), tuple(attendance), rel), problems


def _unit(unit: str, rel: str, line: int, catalog: Catalog) -> list[Problem]:
    if unit in catalog.units:
        return []
    return [Problem(rel, line, "E101", f"单位“{unit}”不是 units 中定义的单位 id")]


def _decision(entry: Any, rel: str, year: int, catalog: Catalog,
              seen: dict[str, int]) -> tuple[Decision | None, list[Problem]]:
    values, lines, problems = read_mapping(entry, DECISION_FIELDS, rel, "决策事项：")
    if not {f.name for f in DECISION_FIELDS if f.required} <= values.keys():
        return None, problems
    ident = text(values["id"])
    if not ID_RE.match(ident):
        problems.append(Problem(rel, lines["id"], "E103", f"决策 id“{ident}”须为小写字母、数字、-、_（用于网址）"))
    elif ident in seen:
        problems.append(Problem(rel, lines["id"], "E102", f"决策 id“{ident}”重复（第 {seen[ident]} 行已使用）"))
    seen.setdefault(ident, lines["id"])
    unit = text(values["unit"])
    problems += _unit(unit, rel, lines["unit"], catalog)
    stages: list[Stage] = []
    stage_data = values.get("stages") or empty_mapping(entry.line)
    for key in stage_data:
        if key not in STAGES:
            problems.append(Problem(rel, stage_data.line_of(key), "E004",
                                    f"程序：未知的环节“{key}”（法定环节：{'、'.join(STAGES)}）"))
    for name in STAGES:
        if name not in stage_data:
            stages.append(Stage(name, None, "未启动", (), stage_data.line))
            continue
        found_values, _, found = read_mapping(stage_data[name], STAGE_FIELDS, rel, f"程序：{name}：")
        problems += found
        stages.append(Stage(name, found_values.get("date"), text(found_values.get("status")) or "未启动",
                            tuple(text(d) for d in found_values.get("documents", []) if text(d)),
                            stage_data.line_of(name)))
    consultation: dict[str, Any] = {}
    if "consultation" in values:
        consultation, _, found = read_mapping(values["consultation"], CONSULTATION_FIELDS, rel, "意见征集：")
        problems += found
        if {"opens", "closes"} <= consultation.keys() and consultation["closes"] < consultation["opens"]:
            problems.append(Problem(rel, lines["consultation"], "E905",
                                    f"意见征集截止日期 {consultation['closes']} 早于开始日期 {consultation['opens']}"))
    if values["status"] == "已决策" and "decided" not in values:
        problems.append(Problem(rel, lines["status"], "E006", "状态为“已决策”的事项须填写 decided（决策日期）"))
    decision = Decision(
        id=ident, name=text(values["name"]), unit=unit, basis=text(values["basis"]),
        planned=text(values["planned"]), status=values["status"], stages=tuple(stages),
        consultation=text(consultation.get("document")) or None, opens=consultation.get("opens"),
        closes=consultation.get("closes"), short_reason=text(consultation.get("reason")),
        decided=values.get("decided"), adoption=text(values.get("adoption")) or None,
        year=year, path=rel, line=entry.line, lines=lines,
    )
    return decision, problems

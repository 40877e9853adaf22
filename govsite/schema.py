"""Small declarative schemas for YAML mappings: known keys, aliases, types, required keys.

Every violation becomes a Problem at the line of the offending key, so a typo in a publication
record is reported where the editor wrote it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from govsite.problems import Problem
from govsite.yamlio import Mapping

TYPE_NAMES = {str: "文字", list: "列表", dict: "键值对", dt.date: "日期（YYYY-MM-DD）", int: "整数"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: type = str
    required: bool = False
    alias: str | None = None
    choices: tuple[str, ...] = ()


def read_mapping(
    data: Any, fields: tuple[Field, ...], path: str, where: str = "", line: int = 1
) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """Validate `data` against `fields`; return values and lines keyed by canonical name."""
    if not isinstance(data, Mapping):
        line = getattr(data, "line", line)
        hint = "应为“键: 值”形式（冒号须为半角并后跟空格）"
        return {}, {}, [Problem(path, line, "E005", f"{where}格式错误，{hint}")]
    by_key = {f.name: f for f in fields} | {f.alias: f for f in fields if f.alias}
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    given: set[str] = set()  # fields written, even with a bad value (reported as such)
    for key, value in data.items():
        line = data.line_of(key)
        spec = by_key.get(key)
        if spec is not None:
            given.add(spec.name)
        if spec is None:
            known = "、".join(f.name for f in fields)
            message = f"{where}未知的键“{key}”（可能是拼写错误；可用的键：{known}）"
            problems.append(Problem(path, line, "E004", message))
            continue
        if spec.name in values:
            message = f"“{key}”与“{spec.name}”重复（同一项的中英文键只能写一个）"
            problems.append(Problem(path, line, "E003", message))
            continue
        problem = _check_value(spec, value, path, line, where)
        if problem:
            problems.append(problem)
            continue
        values[spec.name] = value
        lines[spec.name] = line
    for spec in fields:
        if spec.required and spec.name not in given:
            alias = f"（{spec.alias}）" if spec.alias else ""
            message = f"{where}缺少必填项“{spec.name}”{alias}"
            problems.append(Problem(path, data.line, "E006", message))
    return values, lines, problems


def _check_value(spec: Field, value: Any, path: str, line: int, where: str) -> Problem | None:
    if spec.required and (value is None or (isinstance(value, str) and not value.strip())):
        label = spec.alias or f"“{spec.name}”"
        message = f"{where}缺少{label}：“{spec.name}”未填写（空白不算填写），请填写{label}"
        return Problem(path, line, "E006", message)
    if spec.kind is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return None
        message = f"{where}“{spec.name}”的值“{value}”不是有效日期，应写作 YYYY-MM-DD，如 2021-06-15"
        return Problem(path, line, "E008", message)
    if spec.kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        return None  # numbers are fine where text is expected (e.g. a reviewer id)
    if not isinstance(value, spec.kind) or (spec.kind is str and isinstance(value, bool)):
        expected = TYPE_NAMES.get(spec.kind, spec.kind.__name__)
        message = f"{where}“{spec.name}”应为{expected}，实际为“{value}”"
        return Problem(path, line, "E005", message)
    if spec.choices and value not in spec.choices:
        allowed = " | ".join(spec.choices)
        message = f"{where}“{spec.name}”的值“{value}”无效，可选：{allowed}"
        return Problem(path, line, "E007", message)
    return None


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()

"""YAML that remembers where each key was written and refuses duplicate keys and aliases.

PyYAML silently keeps the last of two equal keys and forgets line numbers. Editors need both, so
we compose the node tree (with the C parser when available) and build plain Python values from
it ourselves, keeping each key's line in `Mapping.lines`.

Anchors (&) and aliases (*) are refused before composing: a few hundred bytes of nested aliases
(an "alias bomb") expand to billions of values, and govsite's files never need them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from govsite.problems import Problem

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Mapping(dict[Any, Any]):
    """A dict that knows the file line of itself and of each of its keys."""

    line: int = 1
    lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


def empty_mapping(line: int) -> Mapping:
    """An empty Mapping located at `line`: what an omitted optional block reads as."""
    mapping = Mapping()
    mapping.line, mapping.lines = line, {}
    return mapping


class Sequence(list[Any]):
    line: int = 1
    lines: list[int]


def load_yaml(text: str, path: str, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """Parse `text`; line numbers are counted from `first_line` (the file line of text[0])."""
    loader = Loader(text)
    try:
        alias = _first_anchor(text, path, first_line)
        if alias is not None:
            return None, [alias]
        node = loader.get_single_node()
        if node is None:
            return Mapping(), []
        problems: list[Problem] = []
        value = _build(node, loader, path, first_line - 1, problems)
        return value, problems
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else first_line
        wide = _full_width_colon(text, line - first_line)
        if wide is not None:
            message = "这一行用了全角冒号“：”，YAML 要求半角冒号“:”后加空格"
            return None, [Problem(path, first_line + wide, "E002", message)]
        return None, [Problem(path, line, "E002", f"YAML 语法错误：{explain(error, text)}")]
    except yaml.YAMLError as error:
        return None, [Problem(path, first_line, "E002", f"YAML 语法错误：{error}")]
    finally:
        loader.dispose()


def _first_anchor(text: str, path: str, first_line: int) -> Problem | None:
    """The first anchor or alias, found in the parser's events, which never expand aliases."""
    if "&" not in text and "*" not in text:
        return None
    for event in yaml.parse(text, Loader=Loader):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            what = f"别名“*{anchor}”" if isinstance(event, yaml.AliasEvent) else f"锚点“&{anchor}”"
            return Problem(path, first_line + event.start_mark.line, "E020",
                           f"YAML {what}不允许使用：请把值直接写出（别名可被用来让文件膨胀到耗尽内存）")
    return None
# PyYAML's (English) reason -> what it means for an editor and how to fix it, first match wins.
EXPLANATIONS = (
    ("tab character", "这一行用了 Tab 键：YAML 只能用空格缩进和分隔，请把 Tab 换成空格"),
    ("'\\t'", "这一行用了 Tab 键：YAML 只能用空格缩进和分隔，请把 Tab 换成空格"),
    ("undefined alias", "值以“*”开头：请把整个值用引号括起来，如 title: \"*重要*通知\""),
    ("scanning an anchor", "值以“&”开头：请把整个值用引号括起来"),
    ("scanning an alias", "值以“*”开头：请把整个值用引号括起来，如 title: \"*重要*通知\""),
    ("alphabetic or numeric", "值以“*”或“&”开头：请把整个值用引号括起来"),
    ("unknown escape character", "双引号中的“\\”是转义符：请改用单引号括起来，或写成“\\\\”"),
    ("quoted scalar", "引号没有配对：请在值的末尾补上引号（值中要用引号时请用中文引号“”）"),
    ("flow sequence", "方括号列表缺少“,”或“]”：写作 [甲, 乙]；列表项中含逗号或冒号时请加引号"),
    ("flow mapping", "花括号缺少“,”或“}”：写作 {required: [政府网站], optional: []}"),
    ("could not find expected ':'", "这一行缺少冒号：键和值之间须用半角“:”加一个空格，如 title: 标题"),
    ("expected '-' indicator", "列表的缩进不一致：同一列表的各项“- ”须上下对齐（只用空格）"),
    ("block collection", "缩进不一致：同一层的键须左对齐，列表项“- ”下的键须与第一个键对齐（只用空格）"),
    ("<block end>", "缩进不一致：同一层的键须左对齐，同一列表的各项“- ”须对齐（只用空格）"),
    ("expected key", "缩进不一致：同一层的键须左对齐（只用空格）；值中含“: ”或以“#”开头时请加引号"),
    ("mapping values are not allowed", "这一行多了“: ”：值中含半角冒号加空格时，请把整个值用引号括起来"
     "（如 title: \"通知: 全文\"），或改用全角冒号“：”；也可能是这一行比上一行多缩进了"),
)


def explain(error: yaml.MarkedYAMLError, text: str) -> str:
    """A PyYAML syntax error in Chinese, with the fix."""
    reason = f"{error.context or ''} {error.problem or ''}"
    for english, chinese in EXPLANATIONS:
        if english in reason:
            return chinese
    mark = error.problem_mark
    if "cannot start any token" in reason and mark is not None:
        lines = text.split("\n")
        line = lines[mark.line] if mark.line < len(lines) else ""
        char = line[mark.column] if mark.column < len(line) else "该字符"
        return f"值不能以“{char}”开头：请把整个值用引号括起来，如 key: \"{char}…\""
    return f"{error.problem or error}：请检查缩进（只用空格，同一层对齐）和冒号（半角“:”后加空格）"


def _full_width_colon(text: str, near: int) -> int | None:
    """The line (0-based) just before or at `near` that uses a full-width colon as a key."""
    lines = text.split("\n")
    for index in range(min(near, len(lines) - 1), max(near - 3, -1), -1):
        if re.match(r"^\s*[^:#\s][^:#]*：", lines[index]):
            return index
    return None


def _build(node: yaml.Node, loader: Any, path: str, offset: int, problems: list[Problem]) -> Any:
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        mapping = Mapping()
        mapping.line, mapping.lines = line, {}
        for key_node, value_node in node.value:
            key = _build(key_node, loader, path, offset, problems)
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key, str | int | float | bool) and key is not None:
                problems.append(Problem(path, key_line, "E005", "键必须是简单文字"))
                continue
            if key in mapping:
                first = mapping.lines[key]
                problems.append(Problem(path, key_line, "E003", f"键“{key}”重复（第 {first} 行已有）"))
                continue
            mapping[key] = _build(value_node, loader, path, offset, problems)
            mapping.lines[key] = key_line
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = Sequence(_build(child, loader, path, offset, problems) for child in node.value)
        sequence.line = line
        sequence.lines = [child.start_mark.line + 1 + offset for child in node.value]
        return sequence
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:  # e.g. 2026-13-01 looks like a date but is none; let the schema say so
        return node.value

"""Characters no page or feed may carry: C0 controls except tab and newline, DEL, C1 controls,
surrogates and Unicode noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF).

XML 1.0 forbids most of them outright (feed.xml and sitemap.xml would no longer parse) and the
others are invisible. Front matter and catalog.yaml values holding one are errors (E108) at
their line; in a document body they are removed with a warning (W010), because word processors
leave form feeds and vertical tabs in pasted text; a character reference to one (`&#1;`) is
removed the same way.
"""

from __future__ import annotations

import re
from typing import Any

from govsite.problems import Problem
from govsite.yamlio import Mapping, Sequence

# Two patterns, because a character class holding astral characters makes every search ~12x
# slower: the astral noncharacters are looked for only in a text that has astral characters.
_BAD_BMP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BAD_ASTRAL = re.compile("[" + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}"
                                      for plane in range(1, 17)) + "]")


def bad_characters(text: str) -> list[re.Match[str]]:
    """Every forbidden character of `text`, in order."""
    found = list(_BAD_BMP.finditer(text))
    if _ASTRAL.search(text):
        found = sorted(found + list(_BAD_ASTRAL.finditer(text)), key=lambda m: m.start())
    return found


def first_bad(text: str) -> str | None:
    """The first forbidden character of `text`, if any."""
    match = _BAD_BMP.search(text)
    astral = _BAD_ASTRAL.search(text) if _ASTRAL.search(text) else None
    first = min((m for m in (match, astral) if m), key=lambda m: m.start(), default=None)
    return first.group() if first else None


def describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def raw_text_problems(text: str, path: str, first_line: int = 1) -> list[Problem]:
    """One E108 per line of YAML text that holds a forbidden character as is."""
    if first_bad(text) is None:
        return []
    problems = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        char = first_bad(line)
        if char:
            problems.append(Problem(path, number, "E108", _message(char)))
    return problems


def escape_problems(text: str, data: Any, path: str) -> list[Problem]:
    """One E108 per key or value of `data` (parsed from `text`, at any depth) holding a forbidden
    character written as an escape ("\\x01"). Only double-quoted YAML strings have escapes, and
    each starts with a backslash: text without one (most files) is not walked."""
    return value_problems(data, path) if "\\" in text else []


def value_problems(data: Any, path: str, line: int = 1) -> list[Problem]:
    """One E108 per key or value (at any depth) holding a forbidden character."""
    if isinstance(data, str):
        char = first_bad(data)
        return [Problem(path, line, "E108", _message(char))] if char else []
    problems: list[Problem] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            problems += value_problems(key, path, data.line_of(key))
            problems += value_problems(value, path, data.line_of(key))
    elif isinstance(data, Sequence):
        for index, value in enumerate(data):
            lines = data.lines
            problems += value_problems(value, path, lines[index] if index < len(lines) else data.line)
    return problems


def _message(char: str) -> str:
    return (f"含有不可见的控制字符 {describe(char)}（常见于从其他软件复制的文字）：请删除后重新输入，"
            "否则页面和订阅源会损坏")


ENTITY = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _bad_entity(match: re.Match[str]) -> bool:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return code == 0 or code > 0x10FFFF or first_bad(chr(code)) is not None


def clean_body(body: str, path: str, first_line: int) -> tuple[str, list[Problem]]:
    """`body` without forbidden characters, written as such or as character references
    (`&#1;`, which Markdown would turn into the character), and one W010 naming the first line
    that had any."""
    found = [(m.start(), m.end()) for m in bad_characters(body)]
    if "&#" in body:
        found += [(m.start(), m.end()) for m in ENTITY.finditer(body) if _bad_entity(m)]
    if not found:
        return body, []
    found.sort()
    line = first_line + body.count("\n", 0, found[0][0])
    first = body[found[0][0]:found[0][1]]
    shown = describe(first) if len(first) == 1 else first
    message = f"正文含有 {len(found)} 个不可见的控制字符（首个为 {shown}），已删除：请在原文中删除"
    kept, end = [], 0
    for start, stop in found:
        kept.append(body[end:start])
        end = stop
    return "".join(kept) + body[end:], [Problem(path, line, "W010", message)]

"""ASCII ids from Chinese names (pinyin initials, through pypinyin) and county-free unit names."""

from __future__ import annotations

import re

COUNTY_PREFIX = re.compile(r"^(?:[县区]|[\u4e00-\u9fa5]{2,6}?[县市区旗])(?=\S{2})")


def letters(text: str, limit: int) -> str:
    """The pinyin initials of the Chinese characters, and the ASCII letters and digits, lowercased."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take a moment to load

    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
    return "".join(c for c in initials if c.isascii() and c.isalnum())[:limit]


def unit_initials(name: str) -> str:
    """县民政局 -> mzj, 铜鼓县人民政府办公室 -> rmzfbgs: initials of the name without its county."""
    return letters(COUNTY_PREFIX.sub("", name, count=1), 12)


def county_free(name: str) -> str:
    """铜鼓县人民政府办公室 -> 县人民政府办公室: the county's own name dropped, for matching units."""
    return re.sub(r"^[\u4e00-\u9fa5]{1,6}?(?=[县市区旗])", "", name)


def unique(base: str, taken: set[str] | dict[str, str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate

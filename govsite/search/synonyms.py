"""Synonyms of common government abbreviations (synonyms.txt), applied to queries (never to the
index): a query part holding one member of a set also matches with that member replaced by each
other member.

A site adds its own sets under `search_synonyms:` in catalog.yaml; the browser gets the merged
list in meta.js, so `govsite search` and the search page expand a query alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from govsite.search.normal import normalize

BUILT_IN = Path(__file__).with_name("synonyms.txt")  # one set a line, words separated by spaces


def built_in() -> list[list[str]]:
    lines = BUILT_IN.read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


def merged(extra: Sequence[Sequence[str]]) -> list[list[str]]:
    """The built-in sets and a site's, normalised; members of fewer than two characters dropped."""
    out = []
    for group in [*built_in(), *extra]:
        members = list(dict.fromkeys(m for m in (normalize(t).strip() for t in group) if m))
        if len(members) > 1:
            out.append(members)
    return out


def variants(part: str, synonyms: Sequence[Sequence[str]]) -> list[str]:
    """`part` (normalised), then each form with one synonym replaced by another."""
    found = [part]
    for members in synonyms:
        for member in members:
            if member in part:
                found += [part.replace(member, other) for other in members if other != member]
    return list(dict.fromkeys(found))

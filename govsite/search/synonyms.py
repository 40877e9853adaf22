"""Synonyms of common government abbreviations, applied to queries (never to the index): a query
part holding one member of a set also matches with that member replaced by each other member.

A site adds its own sets under `search_synonyms:` in catalog.yaml; the browser gets the merged
list in meta.js, so `govsite search` and the search page expand a query alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from govsite.search.tokens import normalize

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("低保", "最低生活保障"),
    ("医保", "医疗保障", "医疗保险"),
    ("社保", "社会保险"),
    ("公租房", "公共租赁住房"),
    ("廉租房", "廉租住房"),
    ("放管服", "简政放权、放管结合、优化服务"),
    ("新农合", "新型农村合作医疗"),
    ("城乡居保", "城乡居民基本养老保险"),
    ("发改委", "发展改革委", "发展和改革委员会"),
    ("人社局", "人力资源和社会保障局"),
    ("市监局", "市场监管局", "市场监督管理局"),
    ("残联", "残疾人联合会"),
)


def merged(extra: Sequence[Sequence[str]]) -> list[list[str]]:
    """The built-in sets and a site's, normalised; members of fewer than two characters dropped."""
    out = []
    for group in [*SYNONYMS, *extra]:
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

"""The browser index's term entries, made whole (worker processes analyse a share of the
documents each, postings.py) or patched (only the terms whose postings changed in edited or newly
published documents, when every other document keeps its number), with a data-only cache between
builds: `browser.json`, signed JSON data (cache.save_json) checked on load and discarded with a
notice when it is not what this version writes. docs/search.md has the threat model."""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.cache import load_json, save_json
from govsite.search.browser import (
    FORMAT_VERSION,
    Lengths,
    Run,
    decode_entry,
    encode_entry,
    gaps,
    join_entry,
    merged,
)
from govsite.search.documents import FIELDS, Entry
from govsite.search.postings import field_postings
from govsite.search.tokens import scan, term_positions

CACHE_FILE = "browser.json"
VARINT_TEXT = re.compile(r"[0-9A-Za-z_-]*")
SCORED = ("title", "body")  # the fields whose lengths the browser reads
SHARE = 400  # documents analysed at once: the arrays take about 100 bytes a character


@dataclass
class Analysed:
    """The documents in number order, as indexed: their field texts and title/body lengths, and
    the term entries."""

    rels: list[str]
    fields: dict[str, dict[str, str]]
    lengths: Lengths
    entries: dict[str, str]


def analysed(docs: list[Entry], cache_dir: Path | None, workers: int,
             notices: list[str]) -> Analysed:
    """The entries of `docs` (in number order), from the cache when it holds them."""
    old = _load(cache_dir / CACHE_FILE, notices) if cache_dir else None
    rels = [doc.rel for doc in docs]
    if old and rels[: len(old.rels)] == old.rels:
        changed = [n for n, doc in enumerate(docs) if old.fields.get(doc.rel) != doc.fields]
        if not changed:
            return old
        result = _patched(old, docs, changed)
    else:
        result = whole(docs, workers)
    if cache_dir:
        _save(cache_dir / CACHE_FILE, result)
    return result


def whole(docs: list[Entry], workers: int) -> Analysed:
    """In shares of at most SHARE documents over `workers` processes, joined in document order."""
    bounds = _shares(len(docs), max(workers, -(-len(docs) // SHARE)))
    runs: dict[str, dict[int, Run]] = {}  # each share's runs merged in as it arrives
    lengths: Lengths = {field: [] for field in SCORED}
    shares = [docs[a:b] for a, b in bounds], [a for a, _ in bounds]
    with ProcessPoolExecutor(workers) if workers > 1 and len(bounds) > 1 else nullcontext() as pool:
        for part, part_lengths in (pool.map if pool else map)(_share_runs, *shares):
            for term, by_field in part.items():
                joined = runs.setdefault(term, {})
                for index, run in by_field.items():
                    joined[index] = merged(joined[index], run) if index in joined else run
            for field in SCORED:
                lengths[field] += part_lengths[field]
    return Analysed([doc.rel for doc in docs], {doc.rel: doc.fields for doc in docs}, lengths,
                    {term: join_entry(by_field) for term, by_field in runs.items()})


def _shares(count: int, workers: int) -> list[tuple[int, int]]:
    bounds = [count * n // workers for n in range(workers + 1)]
    return [(start, end) for start, end in itertools.pairwise(bounds) if end > start]


def _share_runs(docs: list[Entry], first: int) -> tuple[dict[str, dict[int, Run]], Lengths]:
    """A worker's share, numbered from `first`: {term: {field index: run}} and its lengths."""
    runs: dict[str, dict[int, Run]] = {}
    lengths: Lengths = {}
    for index, name in enumerate(FIELDS):
        postings = field_postings([doc.fields[name] for doc in docs])
        for term, run in postings.runs(first):
            runs.setdefault(term, {})[index] = run
        if name in SCORED:
            lengths[name] = postings.lengths.tolist()
    return runs, lengths


def _patched(old: Analysed, docs: list[Entry], changed: list[int]) -> Analysed:
    """`old` with the documents numbered `changed` edited or newly published."""
    now = {n: {field: term_positions(docs[n].fields[field]) for field in FIELDS} for n in changed}
    terms: set[str] = set()  # those whose postings differ (a typo fix touches a few)
    for n in changed:
        was_fields = old.fields.get(docs[n].rel, {})
        for field in FIELDS:
            was, found = term_positions(was_fields.get(field, "")), now[n][field]
            terms.update(t for t in was.keys() | found.keys() if was.get(t) != found.get(t))
    entries = dict(old.entries)
    for term in terms:
        by_field = decode_entry(entries.get(term, ""))
        for index, field in enumerate(FIELDS):
            postings = by_field.setdefault(index, {})
            for n in changed:
                if positions := now[n][field].get(term):
                    postings[n] = (len(positions), gaps(positions))
                else:
                    postings.pop(n, None)
        entries[term] = encode_entry(by_field)  # "" once no document holds it
    lengths = {}
    for field in SCORED:
        column = old.lengths[field] + [0] * (len(docs) - len(old.rels))
        counts = scan([docs[n].fields[field] for n in changed]).lengths.tolist()
        for n, count in zip(changed, counts, strict=True):
            column[n] = count
        lengths[field] = column
    return Analysed([doc.rel for doc in docs], {doc.rel: doc.fields for doc in docs}, lengths,
                    {term: entry for term, entry in entries.items() if entry})


def _load(path: Path, notices: list[str]) -> Analysed | None:
    if not path.exists():
        return None
    found = _valid(load_json(path))
    if found is None:
        notices.append(f"注意：{path}: 搜索索引缓存无法读取、未通过校验或格式不符，已重建")
    return found


def _valid(data: Any) -> Analysed | None:
    """The cache's content if it has the shape _save() gives it."""
    if not isinstance(data, dict) or data.get("format") != [FORMAT_VERSION, list(FIELDS)]:
        return None
    rels, fields, lengths, entries = (data.get(k) for k in ("rels", "fields", "lengths", "entries"))
    if not (isinstance(rels, list) and all(isinstance(r, str) for r in rels)
            and isinstance(fields, dict) and set(fields) == set(rels)
            and all(isinstance(f, dict) and set(f) == set(FIELDS)
                    and all(isinstance(t, str) for t in f.values()) for f in fields.values())
            and isinstance(lengths, dict) and set(lengths) == set(SCORED)
            and all(isinstance(c, list) and len(c) == len(rels)
                    and all(isinstance(n, int) and n >= 0 for n in c) for c in lengths.values())
            and isinstance(entries, dict)
            and all(isinstance(e, str) and VARINT_TEXT.fullmatch(e) for e in entries.values())):
        return None
    return Analysed(rels, fields, lengths, entries)


def _save(path: Path, result: Analysed) -> None:
    save_json(path, {"format": [FORMAT_VERSION, list(FIELDS)], "rels": result.rels,
                     "fields": result.fields, "lengths": result.lengths, "entries": result.entries})

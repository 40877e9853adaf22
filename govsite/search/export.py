"""The browser index (browser_index) and its term entries, made whole (worker processes analyse a
share of the documents each, postings.py) or patched (only the terms whose postings changed in
documents edited or newly published, when every other document keeps its number). Cached in
.govsite-cache/search/ as signed data (docs/search.md has the threat model): `browser.json`, each
document's path, digest and lengths; `shards.json`, the term shards last made (browser.py keeps
those an edit left alone); the memos `entries/`, by term, and `fields/`, the texts, read for
edited documents only."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.cache import Codec, Memo, load_json, save_json, usable_key
from govsite.search.browser import (
    FORMAT_VERSION,
    KnownShards,
    Lengths,
    Run,
    ShardLine,
    browser_files,
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
SHARDS_FILE = "shards.json"  # the term shards last made: first and last term, size, sha256
VARINT_TEXT = re.compile(r"[0-9A-Za-z_-]*")
SCORED = ("title", "body")  # the fields whose lengths the browser reads
SHARE = 400  # documents analysed at once: the arrays take about 100 bytes a character


@dataclass
class Analysed:
    """The documents in number order: digests (Entry.digest), title/body lengths; the term entries."""

    rels: list[str]
    digests: list[str]
    lengths: Lengths
    entries: dict[str, str]


@dataclass
class Change:
    """How an analysis differs from the cache's: the documents analysed again (by number),
    whether the cache's entries were `patched` (else made whole), and the `terms` whose entries
    differ (None when made whole: not known)."""

    documents: list[int]
    patched: bool
    terms: set[str] | None


def analysed(docs: list[Entry], store: Store | None, workers: int) -> tuple[Analysed, Change]:
    """The entries of `docs` (in number order), from the cache (`store`) when it holds them;
    Store.save keeps them."""
    old, rels = store and store.old, [doc.rel for doc in docs]
    changed, patched, was = list(range(len(docs))), False, {}
    if store and old and rels[: len(old.rels)] == old.rels:
        changed = [n for n, doc in enumerate(docs) if n >= len(old.rels) or old.digests[n] != doc.digest]
        if not changed and len(rels) == len(old.rels):
            return old, Change([], True, set())
        was = {n: store.fields.get(rels[n]) for n in changed if n < len(old.rels)}
        patched = None not in was.values()  # else an edited document's fields were not kept
    if old and patched:
        result, terms = _patched(old, docs, changed, was)
        return result, Change(changed, True, terms)
    return whole(docs, workers), Change(changed, False, None)


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
    return Analysed([doc.rel for doc in docs], [doc.digest for doc in docs], lengths,  # runs freed as joined
                    {term: join_entry(runs.pop(term)) for term in list(runs)})


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


def _patched(old: Analysed, docs: list[Entry], changed: list[int],
             was: dict[int, dict[str, str]]) -> tuple[Analysed, set[str]]:
    """`old` with the documents numbered `changed` edited (`was`: their fields before) or newly
    published; and the terms whose entries differ."""
    now = {n: {field: term_positions(docs[n].fields[field]) for field in FIELDS} for n in changed}
    terms: set[str] = set()  # those whose postings differ (a typo fix touches a few)
    for n in changed:
        for field in FIELDS:
            before, found = term_positions(was.get(n, {}).get(field, "")), now[n][field]
            terms.update(t for t in before.keys() | found.keys() if before.get(t) != found.get(t))
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
    return Analysed([doc.rel for doc in docs], [doc.digest for doc in docs], lengths,
                    {term: entry for term, entry in entries.items() if entry}), terms


def _checked(ok: bool, value: Any) -> Any:
    if not ok:
        raise ValueError("unexpected data in the search cache")
    return value


ENTRIES = Codec(f"search-entry/{FORMAT_VERSION}", str,
                lambda v: _checked(isinstance(v, str) and bool(VARINT_TEXT.fullmatch(v)), v))
TEXTS = Codec("search-fields/1", dict, lambda v: _checked(
    isinstance(v, dict) and list(v) == list(FIELDS) and all(isinstance(t, str) for t in v.values()), v))


def field_texts(folder: Path, key: bytes | None, *, lazy: bool = False, quiet: bool = False) -> Memo:
    """The cache's memo of each document's field texts, by path (`folder`: the search cache)."""
    return Memo(folder / "fields", TEXTS, key, lazy=lazy, quiet=quiet)


class Store:
    """The cache: `old`, the last analysis (None if unusable), `layout`, the term shards it made
    (empty if unusable), and the `fields` memo, whose texts are read when asked for, or
    `every_text` at once; `notices` of what it discarded."""

    def __init__(self, folder: Path, *, every_text: bool = False):
        self.file, self.old, key = folder / CACHE_FILE, None, usable_key()
        self.shards_file = folder / SHARDS_FILE
        self.layout: list[ShardLine] = []
        self.notices: list[str] = []
        self.entries = Memo(folder / "entries", ENTRIES, key, quiet=True)
        self.fields = field_texts(folder, key, lazy=not every_text, quiet=every_text)  # quiet: noticed here
        if self.file.exists() and not self.entries.refused:
            data = load_json(self.file)
            self.old = _valid(data, self.entries.entries)
            if self.old is not None:
                self.layout = _layout(load_json(self.shards_file), data.get("shards"))
        if ((self.file.exists() or self.entries.refused) and self.old is None) or self.fields.refused:
            self.notices.append(f"注意：{folder}: 搜索索引缓存无法读取、未通过校验或格式不符，已重建")

    def save(self, result: Analysed, docs: list[Entry], change: Change, layout: list[ShardLine]) -> None:
        """Keeps `result` and the `layout` of its term shards. The layout is written first and
        browser.json, naming the layout's digest, last: a layout whose digest browser.json does
        not name (a save cut short) is not used, so it always describes the entries kept."""
        if not change.documents and layout == self.layout:
            return
        save_json(self.shards_file, [list(line) for line in layout])
        self.entries.update_to(result.entries)
        if change.patched:
            for n in change.documents:
                self.fields.put(docs[n].rel, docs[n].fields)
        else:
            self.fields.reset({doc.rel: doc.fields for doc in docs})
        self.entries.save()
        self.fields.save()
        rows = [list(row) for row in zip(result.rels, result.digests, *map(result.lengths.get, SCORED), strict=True)]
        save_json(self.file, {"format": [FORMAT_VERSION, list(FIELDS)], "documents": rows,
                              "shards": _layout_digest(layout)})
        self.old, self.layout = result, layout


def _layout_digest(layout: list[ShardLine]) -> str:
    return hashlib.sha256(json.dumps(layout, ensure_ascii=False).encode()).hexdigest()


def _layout(data: Any, digest: Any) -> list[ShardLine]:
    """The term shards' layout in `data` (shards.json), if it is the one browser.json names."""
    if not isinstance(data, list) or not all(
            isinstance(line, list) and len(line) == 4 and isinstance(line[0], str)
            and isinstance(line[1], str) and type(line[2]) is int and isinstance(line[3], str)
            for line in data):
        return []
    layout = [(first, last, count, sha) for first, last, count, sha in data]
    return layout if digest == _layout_digest(layout) else []


def _valid(data: Any, entries: dict[str, str]) -> Analysed | None:
    """The cache's content if it has the shape Store.save() gives it: [path, digest, lengths…]."""
    rows = data.get("documents") if isinstance(data, dict) and data.get("format") == [
        FORMAT_VERSION, list(FIELDS)] else None
    if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == 2 + len(SCORED) and all(isinstance(v, str) for v in r[:2])
            and all(type(n) is int and n >= 0 for n in r[2:]) for r in rows):
        return None
    lengths = {field: [row[2 + n] for row in rows] for n, field in enumerate(SCORED)}
    return Analysed([row[0] for row in rows], [row[1] for row in rows], lengths, entries)


@dataclass
class BrowserIndex:
    files: dict[str, bytes]  # path under build/search/ -> bytes
    kept: dict[str, str]  # path -> sha256 of the files not made again: the output holds them
    digests: dict[str, str]  # path -> sha256 of every term shard, for the next build's `on_disk`
    version: str  # changes with any file: the search page asks for ?v=version
    notices: list[str]  # caches discarded on the way


def browser_index(docs: list[Entry], synonyms: list[list[str]], store: Store | None,
                  workers: int, on_disk: dict[str, str] | None = None) -> BrowserIndex:
    """The browser index of `docs` (index_input); `store` keeps its data between builds.
    `on_disk`: {path: sha256} of the term shards the output holds as the last build left
    them; those the new index has too are not made again (BrowserIndex.kept)."""
    found, change = analysed(docs, store, workers)
    known = KnownShards(store.layout, change.terms, on_disk) \
        if store and on_disk and change.terms is not None else None
    made = browser_files(docs, found.lengths, found.entries, synonyms, known)
    if store:
        store.save(found, docs, change, made.layout)
    digests = {f"t/{n}.js": line[3] for n, line in enumerate(made.layout)}
    return BrowserIndex(made.files, made.kept, digests, made.version, store.notices if store else [])

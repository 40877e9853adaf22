"""Persistent memo of pure functions (Markdown bodies, QR codes), keyed by a hash of the input.

Because the cached functions are pure and the key covers every input (and govsite's version),
an entry can never be stale; deleting .govsite-cache/ is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from govsite import __version__
from govsite.parallel import BODIES, workers

CACHE_DIR = ".govsite-cache"  # inside the site root; git-ignored; safe to delete at any time


def digest(*parts: object) -> str:
    data = "\0".join([__version__, *map(str, parts)]).encode()
    return hashlib.sha256(data).hexdigest()


def load_pickle(path: Path) -> Any | None:
    """A cache file's object; None if it is missing or unreadable (the cache is then rebuilt)."""
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError,
            TypeError):
        return None


def save_pickle(path: Path, value: Any) -> None:
    """Atomically: a reader never sees half a file, and concurrent writers never share a temp."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".tmp-{os.getpid()}")
    temp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temp, path)


class Memo:
    def __init__(self, file: Path | None):
        self.file = file
        loaded = load_pickle(file) if file else None
        self.entries: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        self.dirty = False

    def compute(self, function: Callable[..., Any], jobs: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
        """Results for every key of `jobs` (key -> args); missing ones are computed, in worker
        processes when there are many. Entries no longer asked for are dropped."""
        todo = [(key, args) for key, args in jobs.items() if key not in self.entries]
        count = workers(len(todo), BODIES)
        if count > 1:
            with ProcessPoolExecutor(count) as executor:
                results = list(executor.map(_call, [(function, a) for _, a in todo], chunksize=64))
        else:
            results = [function(*args) for _, args in todo]
        self.entries.update((key, result) for (key, _), result in zip(todo, results, strict=True))
        stale = self.entries.keys() - jobs.keys()
        for key in stale:
            del self.entries[key]
        self.dirty = self.dirty or bool(todo) or bool(stale)
        return {key: self.entries[key] for key in jobs}

    def save(self) -> None:
        if self.file and self.dirty:
            save_pickle(self.file, self.entries)
            self.dirty = False


def _call(job: tuple[Callable[..., Any], tuple[Any, ...]]) -> Any:
    function, args = job
    return function(*args)

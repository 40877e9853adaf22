"""How many worker processes a pool gets: one policy for every pool of govsite; and
forked_map(), the pool for per-document work.

A pool gets one process per `per_worker` jobs, at most as many as the cores this process may use:
all of them, or half once leave_half() was called (the background indexing process calls it, as
the build renders pages on the other half meanwhile).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

CORES = os.cpu_count() or 1
BODIES = 300  # documents read, Markdown bodies, QR codes, document pages: below this, one process is quicker
INDEXED = 1000  # documents analysed for the search index
_usable = CORES


def workers(jobs: int, per_worker: int) -> int:
    return max(1, min(_usable, jobs // per_worker))


def leave_half() -> None:
    global _usable
    _usable = max(1, CORES // 2)


_JOBS: list[tuple[Any, ...]] = []  # the arguments of forked_map's calls, inherited by its workers
_FUNCTION: Callable[..., Any] | None = None
CHUNK = 64  # calls sent to a worker at once


def forked_map(function: Callable[..., Any], calls: list[tuple[Any, ...]], per_worker: int) -> list[Any]:
    """function(*args) for each of `calls`, in forked worker processes when there are many. The
    workers inherit the arguments and are sent only their numbers: pickling a str would keep a
    UTF-8 copy of it inside the str for as long as it lives, more memory than the bodies of a
    whole site take."""
    global _JOBS, _FUNCTION
    count = workers(len(calls), per_worker)
    if count == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(*args) for args in calls]
    _JOBS, _FUNCTION = calls, function
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = pool.map(_run_jobs, [range(start, min(start + CHUNK, len(calls)))
                                         for start in range(0, len(calls), CHUNK)])
            return [result for part in parts for result in part]
    finally:
        _JOBS, _FUNCTION = [], None


def _run_jobs(numbers: range) -> list[Any]:
    assert _FUNCTION is not None
    return [_FUNCTION(*_JOBS[number]) for number in numbers]

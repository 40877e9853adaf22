"""How many worker processes a pool gets: one policy for every pool of govsite; forked_map() and
forked_results(), the pool for per-document work; and without_cycle_collection(), for the
commands whose objects live as long as they run.

A pool gets one process per `per_worker` jobs, at most as many as the cores this process may use:
all of them, or half once leave_half() was called (the background indexing process calls it, as
the build renders pages on the other half meanwhile).
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

CORES = os.cpu_count() or 1
BODIES = 300  # documents read, Markdown bodies, QR codes, document pages: below this, one process is quicker
INDEXED = 1000  # documents analysed for the search index
_usable = CORES


def workers(jobs: int, per_worker: int) -> int:
    return max(1, min(_usable, jobs // per_worker))


def leave_half() -> None:
    global _usable
    _usable = max(1, CORES // 2)


def without_cycle_collection(function: Callable[P, R]) -> Callable[P, R]:
    """`function` with Python's cycle collector paused while it runs (and in the processes it
    forks). A build's objects live as long as the build: the collector would walk them again
    and again (a tenth of a one-edit build at 10,000 documents), and in a forked worker its
    walk writes to the pages shared with the parent, which then get copied. Reference counting
    still frees everything that is not in a reference cycle; what is, waits for the collector's
    next run after the function returns."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


_JOBS: list[tuple[Any, ...]] = []  # the arguments of forked_map's calls, inherited by its workers
_FUNCTION: Callable[..., Any] | None = None
CHUNK = 64  # calls sent to a worker at once


def forked_map(function: Callable[..., Any], calls: list[tuple[Any, ...]], per_worker: int) -> list[Any]:
    """function(*args) for each of `calls`, in forked worker processes when there are many."""
    return list(forked_results(function, calls, per_worker))


def forked_results(function: Callable[..., Any], calls: list[tuple[Any, ...]],
                   per_worker: int) -> Iterator[Any]:
    """function(*args) for each of `calls`, in order, each as soon as it and those before it are
    done: a caller that lets go of each result never holds them all. The workers inherit the
    arguments and are sent only their numbers: pickling a str would keep a UTF-8 copy of it
    inside the str for as long as it lives, more memory than the bodies of a whole site take."""
    global _JOBS, _FUNCTION
    count = workers(len(calls), per_worker)
    if count == 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (function(*args) for args in calls)
        return
    _JOBS, _FUNCTION = calls, function
    try:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            for part in pool.map(_run_jobs, [range(start, min(start + CHUNK, len(calls)))
                                             for start in range(0, len(calls), CHUNK)]):
                yield from part
    finally:
        _JOBS, _FUNCTION = [], None


def _run_jobs(numbers: range) -> list[Any]:
    assert _FUNCTION is not None
    return [_FUNCTION(*_JOBS[number]) for number in numbers]

"""A build's processes end with it: no worker outlives a killed `govsite build` or `serve`.

The build forks worker processes (page rendering, Markdown conversion, search indexing, and
Whoosh's own writers). Two things make sure none is left behind:

- every process forked from here on asks Linux to kill it when its parent dies
  (prctl PR_SET_PDEATHSIG), which covers SIGKILL and the out-of-memory killer; the request is
  inherited through os.register_at_fork, so workers' own workers do the same;
- SIGTERM and SIGHUP raise SystemExit in the main process, so that its cleanup runs: the
  search process is stopped and the staging folder removed. An exception raised at an arbitrary
  point can leave a process pool waiting for ever as the interpreter exits, so the process is
  also ended, its unfinished output folders deleted, FORCED_EXIT_SECONDS later at the latest.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

PR_SET_PDEATHSIG = 1
_parent = 0  # the pid of the process about to fork
_installed = False
_unfinished: list[Path] = []  # output folders being written: deleted by a forced exit
FORCED_EXIT_SECONDS = 30.0  # more than a normal cleanup takes (serve joins its threads)


def _before_fork() -> None:
    global _parent
    _parent = os.getpid()


def _after_fork_in_child(prctl: Callable[..., int]) -> None:
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != _parent:  # the parent died before the request took effect
        os._exit(1)


def _exit_on_signal(number: int, _frame: FrameType | None) -> None:
    timer = threading.Timer(FORCED_EXIT_SECONDS, _force_exit, (128 + number,))
    timer.daemon = True
    timer.start()
    sys.exit(128 + number)


def _force_exit(status: int) -> None:
    for folder in list(_unfinished):
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(status)


@contextlib.contextmanager
def unfinished(folder: Path) -> Iterator[None]:
    """While the block runs, `folder` is deleted if the process has to be ended at once."""
    _unfinished.append(folder)
    try:
        yield
    finally:
        _unfinished.remove(folder)


def end_with_this_process() -> None:
    """Called by the commands that fork (build, serve) before they do; only the first call in
    a process does anything."""
    global _installed
    if _installed:
        return
    _installed = True
    if sys.platform.startswith("linux"):
        # looked up here: a forked child of a threaded process must not load libraries
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        os.register_at_fork(before=_before_fork,
                             after_in_child=lambda: _after_fork_in_child(prctl))
    for name in [n for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]:  # Windows: no SIGHUP
        # not in the main thread (a program embedding govsite), which handles signals itself
        with contextlib.suppress(ValueError):
            signal.signal(getattr(signal, name), _exit_on_signal)


"""Watching a site for edits: which file events matter, and one rebuild per burst of them.

The watchdog callback only records that something changed; a single build thread waits until
the events have stopped for a short quiet time, then rebuilds once (MkDocs livereload, Zola
`filter_events`). Builds never overlap, and events that arrive during a build give exactly one
follow-up build.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from govsite.cache import CACHE_DIR
from govsite.column.model import FOLDER as COLUMN_FOLDER
from govsite.load import CATALOG

QUIET_SECONDS = 0.1
WATCHED = ("content", "themes", COLUMN_FOLDER)  # folders whose files are site inputs

# Editor droppings: vim swap/backup files and its "4913" write test, emacs #autosave# and .#locks,
# JetBrains safe-write files, generic temp files.
_TEMP_NAME = re.compile(
    r"(\.sw[a-p]x?|~|\.tmp|\.bak|___jb_(tmp|old)___)$|^(#.*#|\.#.*|4913|\.DS_Store)$"
)
_IGNORED_DIRS = {".git", ".hg", ".svn", "__pycache__", CACHE_DIR, "node_modules"}
# Reading files (the build itself does) must never look like an edit.
_READ_EVENTS = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE}


def is_temp_name(name: str) -> bool:
    return bool(_TEMP_NAME.search(name))


class SiteFilter:
    """Decides whether a changed path can change the built site."""

    def __init__(self, root: Path, ignored: Iterable[Path] = ()):
        self.root = root.resolve()
        self.ignored = [p.resolve() for p in ignored]

    def __call__(self, path: str) -> bool:
        absolute = Path(path).resolve()
        if any(absolute.is_relative_to(p) for p in self.ignored):
            return False
        if not absolute.is_relative_to(self.root):
            return False
        parts = absolute.relative_to(self.root).parts
        if not parts or is_temp_name(parts[-1]) or _IGNORED_DIRS.intersection(parts):
            return False
        return parts[0] in WATCHED or parts == (CATALOG,)


class Debouncer:
    """Collects changed paths and releases them as one batch per quiet burst."""

    def __init__(self, quiet: float = QUIET_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.quiet = quiet
        self.clock = clock
        self._cond = threading.Condition()
        self._changed: set[str] = set()
        self._last_event: float | None = None
        self._stopped = False

    def notify(self, path: str) -> None:
        with self._cond:
            self._changed.add(path)
            self._last_event = self.clock()
            self._cond.notify_all()

    def pending(self) -> bool:
        """Whether changes are waiting (a rebuild in progress may skip its slow tail)."""
        with self._cond:
            return self._last_event is not None

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def wait(self) -> frozenset[str] | None:
        """Block until a burst has settled and return its paths; None once stopped."""
        with self._cond:
            while not self._stopped:
                if self._last_event is None:
                    self._cond.wait()
                    continue
                remaining = self._last_event + self.quiet - self.clock()
                if remaining <= 0:
                    changed = frozenset(self._changed)
                    self._changed.clear()
                    self._last_event = None
                    return changed
                self._cond.wait(remaining)
            return None


def run_builds(debouncer: Debouncer, rebuild: Callable[[frozenset[str]], None]) -> None:
    """The single build thread's loop: one rebuild per settled burst, never two at once."""
    while (changed := debouncer.wait()) is not None:
        rebuild(changed)


class ChangeHandler(FileSystemEventHandler):
    """The watchdog callback: records relevant changes and does nothing else."""

    def __init__(self, relevant: Callable[[str], bool], debouncer: Debouncer):
        self.relevant = relevant
        self.debouncer = debouncer

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _READ_EVENTS:
            return
        if event.is_directory and event.event_type == EVENT_TYPE_MODIFIED:
            return  # the files inside that changed are reported themselves
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path and self.relevant(str(path)):
                self.debouncer.notify(str(path))


def watch_site(root: Path, debouncer: Debouncer, relevant: Callable[[str], bool]) -> BaseObserver:
    """Start a watchdog observer on catalog.yaml and the WATCHED folders; the caller stops it."""
    observer = Observer()
    handler = ChangeHandler(relevant, debouncer)
    observer.schedule(handler, str(root), recursive=False)
    for sub in WATCHED:
        if (root / sub).is_dir():
            observer.schedule(handler, str(root / sub), recursive=True)
    observer.start()
    return observer

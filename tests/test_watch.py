"""The debouncer and event filter, driven by a fake event source instead of a real observer."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from govsite.watch import ChangeHandler, Debouncer, SiteFilter, is_temp_name, run_builds

# long enough that a test thread descheduled on a busy 2-core CI machine still counts as one burst
QUIET = 0.25


class Recorder:
    """A rebuild function that counts calls and can be made slow or paused."""

    def __init__(self) -> None:
        self.count = 0
        self.batches: list[frozenset[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, changed: frozenset[str]) -> None:
        self.count += 1
        self.batches.append(changed)
        self.started.set()
        self.release.wait(5)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content" / "d" / "i").mkdir(parents=True)
    (tmp_path / "build").mkdir()
    return tmp_path


@pytest.fixture
def running(site: Path):
    debouncer = Debouncer(quiet=QUIET)
    recorder = Recorder()
    thread = threading.Thread(target=run_builds, args=(debouncer, recorder), daemon=True)
    thread.start()
    handler = ChangeHandler(SiteFilter(site, [site / "out"]), debouncer)
    yield handler, recorder
    debouncer.stop()
    thread.join(5)
    assert not thread.is_alive()


def settle() -> None:
    time.sleep(QUIET * 6)


def test_burst_of_50_events_gives_one_rebuild(site: Path, running) -> None:
    handler, recorder = running
    doc = str(site / "content" / "d" / "i" / "a.md")
    for _ in range(50):
        handler.dispatch(FileModifiedEvent(doc))
        time.sleep(0.001)
    settle()
    assert recorder.count == 1


def test_vim_rename_dance_gives_one_rebuild(site: Path, running) -> None:
    handler, recorder = running
    doc = str(site / "content" / "d" / "i" / "a.md")
    for event in (
        FileCreatedEvent(doc.replace("a.md", "4913")),
        FileDeletedEvent(doc.replace("a.md", "4913")),
        FileMovedEvent(doc, doc + "~"),
        FileCreatedEvent(doc),
        FileModifiedEvent(doc),
        FileDeletedEvent(doc + "~"),
    ):
        handler.dispatch(event)
    settle()
    assert recorder.count == 1
    assert recorder.batches == [frozenset({doc})]


def test_event_during_build_gives_exactly_one_follow_up(site: Path, running) -> None:
    handler, recorder = running
    doc = str(site / "content" / "d" / "i" / "a.md")
    recorder.release.clear()
    handler.dispatch(FileModifiedEvent(doc))
    assert recorder.started.wait(2)
    for _ in range(10):
        handler.dispatch(FileModifiedEvent(doc))
    recorder.release.set()
    settle()
    assert recorder.count == 2


@pytest.mark.parametrize(
    "rel",
    [
        "build/index.html",
        "build.tmp-123/x/index.html",
        "out/index.html",
        ".git/index",
        "content/d/i/.a.md.swp",
        "content/d/i/a.md~",
        "content/d/i/#a.md#",
        "content/d/i/a.tmp",
        "content/d/i/4913",
        "content/.git/index",
        "themes/x/node_modules/y.js",
        "content/.govsite-cache/x",
        "README.md",
    ],
)
def test_irrelevant_writes_give_no_rebuild(site: Path, running, rel: str) -> None:
    handler, recorder = running
    for _ in range(5):
        handler.dispatch(FileModifiedEvent(str(site / rel)))
        handler.dispatch(FileCreatedEvent(str(site / rel)))
    settle()
    assert recorder.count == 0


def test_reads_and_directory_noise_give_no_rebuild(site: Path, running) -> None:
    handler, recorder = running
    doc = str(site / "content" / "d" / "i" / "a.md")
    handler.dispatch(FileOpenedEvent(doc))
    handler.dispatch(FileClosedNoWriteEvent(doc))
    handler.dispatch(DirModifiedEvent(str(site / "build")))
    handler.dispatch(DirModifiedEvent(str(site / "content" / "d")))  # comes with its files' events
    settle()
    assert recorder.count == 0


@pytest.mark.parametrize("rel", ["catalog.yaml", "themes/x/templates/base.html", "content/a.md",
                                 "zfxxgk/nb/2025.yaml"])
def test_site_inputs_are_relevant(site: Path, rel: str) -> None:
    assert SiteFilter(site)(str(site / rel))


def test_temp_names() -> None:
    assert all(map(is_temp_name, [".x.swp", "x~", "#x#", ".#x", "x.tmp", "4913", "a___jb_tmp___"]))
    assert not any(map(is_temp_name, ["x.md", "catalog.yaml", "swp.md", "49130.md"]))


def test_fake_clock_releases_only_after_quiet_time() -> None:
    now = [0.0]
    debouncer = Debouncer(quiet=0.1, clock=lambda: now[0])
    for step in range(50):
        now[0] = step * 0.002
        debouncer.notify(f"content/{step % 3}.md")
    released: list[frozenset[str] | None] = []
    waiter = threading.Thread(target=lambda: released.append(debouncer.wait()))
    waiter.start()
    waiter.join(0.3)  # real time passes; the clock still says the burst is not quiet yet
    assert released == [] and waiter.is_alive()
    now[0] = 0.098 + 0.1
    waiter.join(5)
    assert released == [{"content/0.md", "content/1.md", "content/2.md"}]
    debouncer.stop()
    assert debouncer.wait() is None


def test_stop_ends_an_idle_build_loop() -> None:
    debouncer = Debouncer(quiet=QUIET)
    recorder = Recorder()
    thread = threading.Thread(target=run_builds, args=(debouncer, recorder), daemon=True)
    thread.start()
    debouncer.stop()
    thread.join(2)
    assert not thread.is_alive()
    assert recorder.count == 0

"""Where a cold build's CPU time goes: wall seconds, and CPU seconds of the build's own process and
of its child processes (workers and the search process, counted once reaped), stage by stage.

    python3 benchmarks/cold_cpu.py SITE [--today 2026-11-28]

SITE's build/ and .govsite-cache/ are deleted first. On two cores a build cannot take less wall time
than half its CPU time: this is how docs/performance.md explains the cold build's ratio to the floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import resource
import shutil
import time
from pathlib import Path

from govsite.build import build
from govsite.cache import CACHE_DIR


def cpu_seconds() -> tuple[float, float]:
    """(this process, its reaped children): user + system seconds."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 28))
    args = parser.parse_args()
    for generated in (args.site / "build", args.site / CACHE_DIR):
        shutil.rmtree(generated, ignore_errors=True)
    marks = [("start", time.perf_counter(), *cpu_seconds())]

    def mark(stage: str) -> None:
        marks.append((stage, time.perf_counter(), *cpu_seconds()))

    build(args.site, today=args.today, progress=mark)
    mark("end")
    print("| stage | wall | main process CPU | child processes CPU |\n|---|---|---|---|")
    for (stage, wall, own, children), (_, wall2, own2, children2) in itertools.pairwise(marks):
        print(f"| {stage} | {wall2 - wall:.2f} s | {own2 - own:.2f} | {children2 - children:.2f} |")
    _, first, own, children = marks[0]
    _, last, own_end, children_end = marks[-1]
    print(f"| total | {last - first:.2f} s | {own_end - own:.2f} | {children_end - children:.2f} |")


if __name__ == "__main__":
    main()

"""govsite against the floor on realistic generated sites, in one invocation (issue 17).

    python3 benchmarks/realistic.py [--docs 2000,10000] [--huge] [--keep DIR] [--repeat 1]

For each size N it generates a site of N distinct documents (realistic_corpus.py; reused from
--keep when already there), then times, each as its own process started from the shell as a user
would (start-up included):

- the floor (floor.py: read + C YAML + Python-Markdown + a trivial Jinja2 template + write);
- govsite build, cold (no cache, no build/), search index included;
- govsite build again with nothing changed;
- govsite build after one document's body was edited;
- govsite check with nothing changed since that build, and after one more edit;

and prints each time as a ratio to the floor's time in the same run, with the peak memory of the
largest single process (wait4's ru_maxrss) and the sizes of .govsite-cache/ and build/ against
the floor's output. --huge adds N = 100,000 (about an hour and 15 GB on two cores: not run by
default). --repeat times each step that many times and reports the fastest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from realistic_corpus import edit, generate

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SEED = 17


@dataclass
class Run:
    seconds: float
    peak_mb: float
    status: int


def run(command: list[str]) -> Run:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{errors.decode()[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode)


def best(command: list[str], repeat: int, before: object = None) -> Run:
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(run(command))
    return min(runs, key=lambda r: r.seconds)


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure(folder: Path, docs: int, repeat: int) -> None:
    site, out, floor_out = folder / f"site-{docs}", folder / f"build-{docs}", folder / f"floor-{docs}"
    stamp = site / ".generated"
    if not stamp.exists() or stamp.read_text() != f"{docs} {SEED}\n":
        started = time.perf_counter()
        generate(site, docs, SEED)
        stamp.write_text(f"{docs} {SEED}\n")
        print(f"generated {docs} documents in {time.perf_counter() - started:.1f} s → {site}", flush=True)
    python = sys.executable
    build = [python, "-m", "govsite", "build", "--site", str(site), "--out", str(out), "--quiet"]
    check = [python, "-m", "govsite", "check", "--site", str(site)]  # today, as the build and a hook

    def clean() -> None:
        shutil.rmtree(site / ".govsite-cache", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)

    rounds = iter(range(1, 1000))
    figures: list[tuple[str, Run]] = []
    floor = best([python, str(HERE / "floor.py"), str(site), str(floor_out)], repeat)
    figures.append(("cold build", best(build, repeat, clean)))
    figures.append(("no-change build", best(build, repeat)))
    figures.append(("one-edit build", best(build, repeat, lambda: edit(site, next(rounds)))))
    figures.append(("check, nothing changed", best(check, repeat)))
    figures.append(("check after one edit", best(check, repeat, lambda: edit(site, next(rounds)))))
    run(build)  # leave build/ in step with the edited content

    print(f"\n{docs:,} documents (floor {floor.seconds:.2f} s, {floor.peak_mb:.0f} MB)")
    print(f"| {docs:,} documents | seconds | ratio to the floor | peak memory |")
    print("|---|---|---|---|")
    print(f"| floor | {floor.seconds:.2f} | 1.00× | {floor.peak_mb:.0f} MB |")
    for name, result in figures:
        print(f"| {name} | {result.seconds:.2f} | {result.seconds / floor.seconds:.2f}× "
              f"| {result.peak_mb:.0f} MB |")
    cache, built, floor_size = size_mb(site / ".govsite-cache"), size_mb(out), size_mb(floor_out)
    print(f"| cache / build/ (floor output {floor_size:.0f} MB) | {cache:.0f} MB / {built:.0f} MB "
          f"| {cache / floor_size:.2f}× / {built / floor_size:.2f}× | |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="2000,10000", help="comma-separated sizes")
    parser.add_argument("--huge", action="store_true", help="also 100,000 documents (very slow)")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the sites (reused)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(n) for n in args.docs.split(",")] + ([100_000] if args.huge else [])
    folder = args.keep or Path(tempfile.mkdtemp(prefix="govsite-realistic-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    try:
        for docs in sizes:
            measure(folder, docs, args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()

"""Edit-to-reload latency of `govsite serve`: the time from saving one document to the moment
the reload endpoint reports the new site (what the browser waits for), debounce included.

    python3 benchmarks/serve_rebuild.py [--docs 10000] [--rounds 3]

Runs on the real corpus (148 documents) and on a realistic generated site of --docs documents
(realistic_corpus.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

from realistic_corpus import REAL_CORPUS, generate

from govsite.serve import DevServer


def wait_version(server: DevServer, seen: int) -> int:
    url = f"{server.url}__govsite/wait?v={seen}"
    with urllib.request.urlopen(url, timeout=3600) as response:
        return json.loads(response.read())["version"]


def measure(label: str, site: Path, rounds: int, pause: float) -> None:
    started = time.perf_counter()
    server = DevServer(site, port=0)
    server.start()
    print(f"{label}: first build {time.perf_counter() - started:.2f} s", flush=True)
    try:
        document = sorted((site / "content").rglob("*.md"))[0]
        version = wait_version(server, -1)
        for round_number in range(1, rounds + 1):
            time.sleep(pause)  # let the previous rebuild's search-index update finish
            saved = time.perf_counter()
            with document.open("a", encoding="utf-8") as file:
                file.write(f"\n第 {round_number} 次修改。\n")
            version = wait_version(server, version)
            seconds = time.perf_counter() - saved
            print(f"{label}: edit {round_number} -> reload signal {seconds:.2f} s", flush=True)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds between edits (0: edit again as soon as the page reloads)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="govsite-serve-bench-"))
    try:
        small = folder / "small"
        shutil.copytree(REAL_CORPUS, small)
        measure("148 documents", small, args.rounds, args.pause)
        large = folder / "large"
        generate(large, args.docs)
        measure(f"{args.docs} documents", large, args.rounds, args.pause)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()

"""Full-build benchmark: the real corpus replicated to N documents (default 10,000).

    python3 benchmarks/build_bench.py [--docs 10000] [--keep DIR]

Prints cold build (empty cache), warm build (body cache filled) and the size of build/.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from govsite.build import CACHE_DIR, build

REAL_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "real-corpus"


def replicate(target: Path, documents: int) -> None:
    shutil.copytree(REAL_CORPUS / "content", target / "content")
    shutil.copyfile(REAL_CORPUS / "catalog.yaml", target / "catalog.yaml")
    sources = {path: path.read_text(encoding="utf-8")
               for path in sorted((target / "content").rglob("*.md"))}
    copies = 0
    while len(sources) * (copies + 1) < documents:
        copies += 1
        for index, (source, original) in enumerate(sources.items()):
            if len(sources) * copies + index >= documents:
                break
            text = original.replace("\nslug: ", f"\nslug: c{copies}-", 1)
            text = text.replace("\ntitle: ", f"\ntitle: （第{copies}批）", 1)
            source.with_name(f"{source.stem}-c{copies}.md").write_text(text, encoding="utf-8")


def timed(label: str, site: Path, out: Path) -> float:
    started = time.perf_counter()
    result = build(site, out)
    seconds = time.perf_counter() - started
    print(f"{label:<28} {seconds:7.2f} s  {result.published} documents, {result.pages} pages")
    for stage, stage_seconds in result.stage_seconds.items():
        print(f"    {stage:<24} {stage_seconds:7.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="govsite-bench-"))
    site = folder / "site"
    if not site.exists():
        replicate(site, args.docs)
    shutil.rmtree(site / CACHE_DIR, ignore_errors=True)
    timed("cold build (no cache)", site, folder / "out")
    timed("warm build (body cache)", site, folder / "out")
    size = sum(p.stat().st_size for p in (folder / "out").rglob("*") if p.is_file())
    print(f"{'build/ size':<28} {size / 1e6:7.1f} MB")
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()

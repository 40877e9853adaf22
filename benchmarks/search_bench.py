"""Search budgets on a generated 10,000-document Chinese site (issue 3). Not part of the tests.

    python3 benchmarks/search_bench.py [--docs 10000] [--seed 7] [--keep DIR]

Measures, and prints as a table:
- what indexing adds to a build: builds with the search index and without it (the index stubbed
  out), cold (empty cache; medians of five of each, alternating) and warm (nothing changed).
  Indexing runs alongside rendering and writing, so it is measured as the difference, not as a
  stage;
- re-making the browser index after one edited document (the cached entries patched), and with
  nothing to do; a build after one edit, and after publishing one new document (for these: how
  long the build waited for the index once its pages were written);
- `govsite search`'s Whoosh index: made from nothing (the first search), and brought up to date
  after the edit;
- for each query, on a cold page in Chromium over http: bytes of search JS + index files (raw,
  and gzip as a compressing server would send them); then, timed here, the page's whole search
  again (GovsiteSearch.run: matching, ranking, results and filters) with its files loaded
  (medians of nine cold page loads).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from search_corpus import generate

import govsite.build
from govsite.build import CACHE_DIR, Caches, analyse, build
from govsite.search.entries import index_input, site_entries
from govsite.search.export import Store, browser_index
from govsite.search.whoosh_index import updated

CHROMIUM = "/usr/bin/chromium"
QUERIES = [
    "政府信息公开", "安全生产专项整治", "乡村振兴", "部门预算", "海漂垃圾治理", "老旧小区改造",
    "防汛防台风", "耕地保护", "食品安全", "社会救助资金", "旅游市场秩序", "三公经费", "招标",
    "纳税人", "学校食堂", "房屋安全鉴定", "财政拨款", "金井片区", "苏平片区 公告", "平潭", "岚",
    "不存在的词语组合",
]


def lookups(site: Path) -> list[str]:
    """文号 (as typed with [] and with 〔〕, and a distinctive part) and a project code, taken from
    generated documents."""
    def field(n: int, key: str) -> str:
        path = next((site / "content").rglob(f"bench-{n:05d}.md"))
        text = path.read_text(encoding="utf-8")
        return next(line.split("：" if "：" in key else ": ", 1)[1]
                    for line in text.splitlines() if line.startswith(key))

    number, other = field(12, "doc_number: "), field(500, "doc_number: ")
    return [number, other.replace("〔", "[").replace("〕", "]"), number[1:].removesuffix("号"),
            field(70, "项目代码：")]
SEARCH_ASSETS = ("/static/search", "/search/")
RUNS = 9
COLD_ROUNDS = 5


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def timed_build(site: Path, out: Path) -> tuple[float, float]:
    """Seconds of the build, and of its wait for the search index after the pages were written."""
    result = build(site, out)
    return result.seconds, result.stage_seconds["搜索索引"]


class NoSearch:
    def result(self) -> tuple[list[str], list[str]]:
        return [], []

    def cancel(self) -> None:
        pass


@contextmanager
def without_search() -> Iterator[None]:
    real = govsite.build.BackgroundSearch
    govsite.build.BackgroundSearch = lambda *args, **kwargs: NoSearch()
    try:
        yield
    finally:
        govsite.build.BackgroundSearch = real


def cold_builds(site: Path, out: Path) -> tuple[list[float], list[float]]:
    """Cold builds with and without the index, alternating; the last one has it."""
    timings: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(COLD_ROUNDS):
        for indexed in (False, True):
            shutil.rmtree(site / CACHE_DIR, ignore_errors=True)
            if indexed:
                timings[True].append(timed_build(site, out)[0])
            else:
                with without_search():
                    timings[False].append(timed_build(site, out)[0])
    return timings[True], timings[False]


def reindex_one(site: Path) -> tuple[float, float]:
    """Edit one document on disk; time (ms) the browser index made again from the cache, and the
    same with nothing to do."""
    target = sorted((site / "content").rglob("*.md"))[100]
    target.write_text(target.read_text(encoding="utf-8") + "\n基准测试追加的一句话。\n",
                      encoding="utf-8")
    caches = Caches(site / CACHE_DIR)
    analysis = analyse(site, cache=caches)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        browser_index(*index_input(analysis.site, analysis.bodies, caches.text_by_path(analysis.site)),
                      Store(site / CACHE_DIR / "search"), 1)
        times.append((time.perf_counter() - started) * 1000)
    return times[0], times[1]


def whoosh_index(site: Path, folder: Path) -> tuple[float, float]:
    """Seconds to make `govsite search`'s index from nothing, then to update it after an edit."""
    times = []
    for edit in (False, True):
        if edit:
            target = sorted((site / "content").rglob("*.md"))[300]
            target.write_text(target.read_text(encoding="utf-8") + "\n又一句。\n", encoding="utf-8")
        caches = Caches(site / CACHE_DIR)
        analysis = analyse(site, cache=caches)
        started = time.perf_counter()
        updated(folder, site_entries(analysis.site, analysis.bodies, caches.text_by_path(analysis.site)),
                []).close()
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def publish_one(site: Path) -> None:
    """A new document dated today: one of the generated ones again, under another name."""
    source = sorted((site / "content").rglob("bench-*.md"))[200]
    today = dt.date.today().isoformat()
    lines = [f"{line.split(':')[0]}: {today}" if line.startswith(("date:", "published:", "reviewed:"))
             else line for line in source.read_text(encoding="utf-8").splitlines()]
    text = "\n".join(lines).replace("slug: bench-", "slug: new-bench-").replace("〕", "〕9", 1)
    (source.parent / f"new-{source.name}").write_text(text + "\n新发布的一句话。\n", encoding="utf-8")


def browser_rows(out: Path, queries: list[str]) -> list[tuple[str, int, int, int, float, int]]:
    """Per query, the median of RUNS cold page loads (a fresh browser context each: the shards,
    the JIT and the heap start cold every time)."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for query in queries:
            runs = sorted((cold_query(browser, base, out, query) for _ in range(RUNS)),
                          key=lambda run: run[3])
            rows.append((query, *runs[len(runs) // 2]))
        browser.close()
    server.shutdown()
    return rows


def cold_query(browser: Any, base: str, out: Path,
               query: str) -> tuple[int, int, int, float, int]:
    """Files, raw and gzip bytes of what the page fetched for search (from the page's resource
    timing, sized from the files served), the time of a second search, and results shown."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}search/index.html?q={quote(query)}")
    page.wait_for_function("() => window.GovsiteSearch && window.GovsiteSearch.done")
    page.evaluate("() => window.GovsiteSearch.done")
    count = page.locator("#search-results li").count()
    urls = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    again = page.evaluate("""async () => {
        const started = performance.now();
        await window.GovsiteSearch.run();
        return performance.now() - started;
    }""")
    context.close()
    files = [out / urlsplit(url).path.lstrip("/") for url in urls
             if any(asset in urlsplit(url).path for asset in SEARCH_ASSETS)]
    bodies = [file.read_bytes() for file in files]
    raw = sum(map(len, bodies))
    zipped = sum(len(gzip.compress(b, 6)) for b in bodies)
    return len(bodies), raw, zipped, again, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--queries-only", action="store_true",
                        help="only the browser queries, on the site kept by an earlier --keep run")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="govsite-search-bench-"))
    site, out = folder / "site", folder / "out"
    if args.queries_only:
        report_queries(browser_rows(out, QUERIES + lookups(site)))
        return
    if not (site / "catalog.yaml").exists():
        generate(site, args.docs, args.seed)
    cold, cold_without = cold_builds(site, out)
    warm = timed_build(site, out)[0]
    with without_search():
        warm_without = timed_build(site, out)[0]
    reindex_ms, check_ms = reindex_one(site)
    edited = timed_build(site, out)
    whoosh = whoosh_index(site, folder / "whoosh")
    publish_one(site)
    added = timed_build(site, out)
    rows = browser_rows(out, QUERIES + lookups(site))
    report(args.docs, {"cold": (cold, cold_without), "warm, no change": ([warm], [warm_without])},
           {"after one edit": edited, "after one new document": added},
           (reindex_ms, check_ms), whoosh, rows, out)
    if not args.keep:
        shutil.rmtree(folder)


def report(docs: int, compared: dict[str, tuple[list[float], list[float]]],
           waited: dict[str, tuple[float, float]], reindex: tuple[float, float],
           whoosh: tuple[float, float], rows: list[tuple[str, int, int, int, float, int]],
           out: Path) -> None:
    size = sum(p.stat().st_size for p in (out / "search").rglob("*") if p.is_file())
    files = sum(1 for p in (out / "search").rglob("*") if p.is_file())
    print(f"\n{docs} documents; build/search/: {files} files, {size / 1e6:.1f} MB")
    for label, (indexed, plain) in compared.items():
        with_index, without = statistics.median(indexed), statistics.median(plain)
        adds = with_index - without
        print(f"{label + ' build':<24} with the index {with_index:6.1f} s "
              f"({', '.join(f'{t:.1f}' for t in indexed)}), without {without:6.1f} s "
              f"({', '.join(f'{t:.1f}' for t in plain)}): indexing adds {adds:5.1f} s = "
              f"{adds / without:4.0%} of the build without it ({adds / with_index:4.0%} of the build)")
    for label, (total, wait) in waited.items():
        print(f"build {label:<24} {total:6.1f} s, of which {wait:5.2f} s waiting for the index "
              "after the pages were written")
    print(f"browser index after one edited document: {reindex[0]:.0f} ms; with nothing to do: "
          f"{reindex[1]:.0f} ms")
    print(f"govsite search's Whoosh index: {whoosh[0]:.1f} s from nothing, {whoosh[1]:.2f} s "
          "after one edit")
    report_queries(rows)


def report_queries(rows: list[tuple[str, int, int, int, float, int]]) -> None:
    print(f"\n{'query':<28}{'files':>6}{'raw KB':>9}{'gzip KB':>9}{'again ms':>10}{'shown':>7}")
    for query, count, raw, zipped, again, shown in rows:
        print(f"{query:<28}{count:>6}{raw / 1024:>9.1f}{zipped / 1024:>9.1f}{again:>10.1f}"
              f"{shown:>7}")
    raws, zips = [r[2] / 1024 for r in rows], [r[3] / 1024 for r in rows]
    agains = [r[4] for r in rows]
    print(f"\nfirst query, cold page ({len(rows)} queries): raw median {statistics.median(raws):.1f}"
          f" KB, max {max(raws):.1f} KB; gzip median {statistics.median(zips):.1f} KB, "
          f"max {max(zips):.1f} KB")
    print(f"the same search again, its files loaded (matching, ranking, results, filters): "
          f"median {statistics.median(agains):.1f} ms, max {max(agains):.1f} ms")


if __name__ == "__main__":
    main()

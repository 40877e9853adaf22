"""Session fixtures for the real-browser suite: built site, HTTP server, Chromium, axe, vnu."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from govsite.serve import QuietServer
from govsite.structure import FORM_SLUGS, form_page_path

from .browser_harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    SITE_ROOT,
    require_file,
    run_axe,
    run_vnu,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: real-browser tests (Chromium, axe-core, Nu Html Checker)")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], str]]:
    """Factory: publish a directory on one loopback HTTP server; returns its base URL.

    One server (one origin) for everything, so localStorage preferences carry across."""
    web_root = tmp_path_factory.mktemp("web")
    handler = partial(QuietHandler, directory=str(web_root))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"

    def publish(directory: Path) -> str:
        name = f"d{len(list(web_root.iterdir()))}"
        (web_root / name).symlink_to(directory.resolve(), target_is_directory=True)
        return f"{origin}{name}/"

    yield publish
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The site under test (the sample site by default), built once per session."""
    from govsite.build import build

    return build(SITE_ROOT, tmp_path_factory.mktemp("site") / "build")


@pytest.fixture(scope="session")
def built_site(site_build: Any) -> Path:
    return site_build.out


@pytest.fixture(scope="session")
def check_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`govsite check --format html` on the sample site; the report file (any exit status)."""
    report = tmp_path_factory.mktemp("check") / "report.html"
    command = [sys.executable, "-m", "govsite", "check", "--site", str(SITE_ROOT)]
    command += ["--format", "html", "--output", str(report)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if not report.is_file():
        pytest.fail(f"govsite check wrote no report (exit {proc.returncode}): {proc.stderr}")
    return report


@pytest.fixture(scope="session")
def site_url(serve: Callable[[Path], str], built_site: Path) -> str:
    return serve(built_site)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Chromium for this package's tests only: Playwright's sync API allows one running
    instance per process, and tests elsewhere start their own."""
    require_file(CHROMIUM, "Debian chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Factory: a page in a fresh context (own localStorage); closed after the test."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@pytest.fixture(scope="session")
def axe() -> Callable[[Any], list[str]]:
    return run_axe


@pytest.fixture(scope="session")
def vnu() -> Callable[[list[Path]], list[str]]:
    return run_vnu


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def write_extra_documents(folder: Path, count: int) -> None:
    """Plain public documents so that an item needs more than one list page."""
    for number in range(1, count + 1):
        day = f"2025-01-{number:02d}"
        (folder / f"browser-paging-{number:02d}.md").write_text(
            f"---\ntitle: 分页测试文件第{number}号\nissuer: 分页测试单位\ndate: {day}\n"
            f"published: {day}\ndisclosure: 主动公开\nreviewer: 测试员\nreviewed: {day}\n"
            f"kind: 工作动态\n---\n\n分页测试正文第{number}号。\n",
            encoding="utf-8",
        )


@pytest.fixture(scope="session")
def paginated_item(tmp_path_factory: pytest.TempPathFactory, site_build: Any) -> tuple[Path, str]:
    """(build dir, item page path) of an item whose document list has a second page.

    The sample site is used when one of its items paginates; otherwise a copy of it with
    extra generated documents in its fullest item."""
    pages = sorted(site_build.out.glob("*/*/index_2.html"))
    if pages:
        return site_build.out, pages[0].parent.relative_to(site_build.out).as_posix()
    from govsite.build import build

    site = site_build.site
    item = site.catalog.item(max(site.by_item, key=lambda i: (len(site.docs_of(i)), i)))
    root = tmp_path_factory.mktemp("paging")
    for name in ("catalog.yaml", "content", "themes", "zfxxgk"):
        source = SITE_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.is_file():
            shutil.copy2(source, root / name)
    write_extra_documents(root / item.path, 21)
    out = build(root, root / "build", use_cache=False).out
    return out, f"{item.domain_id}/{item.id}"


def first_url(site: Any, predicate: Callable[[Any], bool]) -> str | None:
    return next((site.urls[d.rel] for d in site.documents if predicate(d)), None)


@pytest.fixture(scope="session")
def page_urls(
    serve: Callable[[Path], str],
    site_build: Any,
    site_url: str,
    check_report: Path,
    paginated_item: tuple[Path, str],
) -> dict[str, str]:
    """Every page type to test in the browser: name -> URL."""
    site = site_build.site
    urls = {"home": "index.html", "catalog": "catalog/index.html", "404": "404.html"}
    urls["domain"] = site.catalog.item(site.documents[0].item_id).domain_id + "/index.html"
    urls["document"] = first_url(site, lambda d: d.attachments and site.interpretations.get(d.rel))
    urls["interpretation"] = first_url(site, lambda d: d.interprets)
    urls["document-table"] = first_url(site, lambda d: "\n|" in d.body)
    urls["library"] = "library/index.html"
    urls["library-filter"] = "library/validity/feizhi/index.html"
    urls["repealed-policy"] = first_url(site, lambda d: d.validity == "废止" and d.replaced_by)
    urls["projects"] = "projects/index.html"
    urls["project"] = site.catalog.projects[0].url if site.catalog.projects else None
    urls["orgs"] = "orgs/index.html"
    village = next((org for org in site.catalog.orgs if org.parent), None)
    urls["org"] = village and village.url
    urls["org-catalog"] = village and village.catalog_url
    urls["org-document"] = first_url(site, lambda d: site.catalog.item(d.item_id).org is not None)
    press = next((d for d in site.documents if d.interp_form == "新闻发布会"), None)
    urls["interp-form"] = press and form_page_path(site.catalog.item(press.item_id),
                                                   FORM_SLUGS["新闻发布会"])
    urls["interp-graphic"] = first_url(site, lambda d: d.interp_form == "图解")
    urls["interp-media"] = first_url(site, lambda d: any(a.captions for a in d.attachments))
    urls["search"] = "search/index.html"
    urls["search-results"] = "search/index.html?q=" + site.documents[0].title[:4]
    # the 政府信息公开 column (zfxxgk/): every page type it adds
    urls |= {"zfxxgk": "zfxxgk/index.html", "zfxxgk-guide": "zfxxgk/zn/index.html",
             "zfxxgk-rules": "zfxxgk/zd/index.html", "zfxxgk-reports": "zfxxgk/nb/index.html",
             "zfxxgk-report": "zfxxgk/nb/2025/index.html",
             "zfxxgk-decisions": "zfxxgk/zdjc/2026/index.html",
             "zfxxgk-decision": "zfxxgk/zdjc/2026/tcss/index.html",
             "replies": "hdhy/index.html", "replies-filtered": "hdhy/2026/zjj/index.html",
             "reply": "hdhy/dfs/2026-013/index.html"}
    missing = sorted(name for name, url in urls.items() if url is None)
    assert not missing, f"the sample site has no page for: {missing}"
    result = {name: site_url + url for name, url in urls.items()}
    paging_out, item_dir = paginated_item
    paging_base = site_url if paging_out == site_build.out else serve(paging_out)
    result["item"] = f"{paging_base}{item_dir}/index.html"
    result["item-page-2"] = f"{paging_base}{item_dir}/index_2.html"
    result["check-report"] = serve(check_report.parent) + check_report.name
    return result

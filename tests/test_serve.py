"""govsite serve against a real temporary site: live rebuilds, the error banner, recovery."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser.browser_harness import CHROMIUM, CHROMIUM_ARGS, require_file

from govsite.scaffold import WELCOME, init_site
from govsite.serve import DevServer

TODAY = dt.date(2026, 3, 2)
TIMEOUT = 15.0
QUIET = 0.25  # the debounce of the test servers


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def poll(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not check():
        assert time.monotonic() < deadline, "the served site did not change in time"
        time.sleep(0.05)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    init_site(root, "测试县", TODAY)
    return root


@pytest.fixture
def server(site: Path) -> Iterator[DevServer]:
    lines: list[str] = []
    # the events of one save must count as one burst even when the watcher thread is descheduled
    running = DevServer(site, port=0, report=lines.append, quiet=QUIET)
    running.lines = lines  # type: ignore[attr-defined]
    running.start()
    yield running
    running.stop()
    assert not running.temp.exists()
    assert not any(t.is_alive() for t in running.threads)


def test_edit_rebuilds_and_the_page_changes(site: Path, server: DevServer) -> None:
    status, home = fetch(server.url)
    assert status == 200 and "测试县政务公开网站开通运行" in home
    assert '<script src="/__govsite/reload.js" data-version="1">' in home
    assert "/__govsite/wait" in fetch(server.url + "__govsite/reload.js")[1]
    doc = site / WELCOME
    doc.write_text(doc.read_text("utf-8").replace("开通运行", "正式上线"), encoding="utf-8")
    poll(lambda: "测试县政务公开网站正式上线" in fetch(server.url)[1])
    on_disk = [p.read_text("utf-8") for p in server.live.out.rglob("*.html")]
    assert on_disk and not any("__govsite" in page for page in on_disk)


def test_broken_yaml_keeps_last_good_site_with_banner_then_recovers(
    site: Path, server: DevServer
) -> None:
    catalog = site / "catalog.yaml"
    good = catalog.read_text("utf-8")
    catalog.write_text(good + "  - id: [broken\n", encoding="utf-8")
    poll(lambda: "govsite-problems" in fetch(server.url)[1])
    status, page = fetch(server.url)
    assert status == 200
    assert "测试县政务公开网站开通运行" in page  # the last good page
    assert re.search(r"catalog\.yaml:\d+: E002", page)
    assert any("E002" in line for line in server.lines)  # type: ignore[attr-defined]
    catalog.write_text(good, encoding="utf-8")
    poll(lambda: "govsite-problems" not in fetch(server.url)[1])
    assert "测试县政务公开网站开通运行" in fetch(server.url)[1]


def test_missing_required_field_shows_the_document_problem(site: Path, server: DevServer) -> None:
    doc = site / WELCOME
    doc.write_text(re.sub(r"reviewer:.*\n", "", doc.read_text("utf-8")), encoding="utf-8")
    poll(lambda: "govsite-problems" in fetch(server.url)[1])
    assert "E006" in fetch(server.url)[1]


def test_reload_endpoint_reports_new_versions(site: Path, server: DevServer) -> None:
    wait = server.url + "__govsite/wait?v="
    version = json.loads(fetch(wait + "999")[1])["version"]
    (site / WELCOME).write_text((site / WELCOME).read_text("utf-8") + "\n补充一段。\n", "utf-8")
    assert json.loads(fetch(wait + str(version))[1])["version"] > version


def test_one_edit_gives_exactly_one_rebuild_and_builds_do_not_retrigger(
    site: Path, server: DevServer
) -> None:
    time.sleep(QUIET * 4)  # the first build read every file; reads must not count as edits
    assert server.live.version == 1
    doc = site / WELCOME
    doc.write_text(doc.read_text("utf-8") + "\n补充一段。\n", "utf-8")
    poll(lambda: server.live.version == 2)
    time.sleep(QUIET * 4)
    assert server.live.version == 2


def test_unknown_path_is_404_and_directories_redirect(server: DevServer) -> None:
    assert fetch(server.url + "no/such/page.html")[0] == 404
    host, port = server.httpd.server_address[:2]
    for path in ("/../../../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd"):
        connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 404 and b"root:" not in response.read()
        connection.close()
    request = urllib.request.Request(server.url + "catalog")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.url.endswith("/catalog/")


def test_a_site_broken_from_the_start_is_explained_then_served(site: Path) -> None:
    catalog = site / "catalog.yaml"
    good = catalog.read_text("utf-8")
    catalog.write_text(good.replace("domains:", "domains: [", 1), encoding="utf-8")
    running = DevServer(site, port=0, quiet=QUIET)
    running.start()
    try:
        status, page = fetch(running.url)
        assert status == 503 and "govsite-problems" in page and "E002" in page
        catalog.write_text(good, encoding="utf-8")
        poll(lambda: fetch(running.url)[0] == 200)
        assert "govsite-problems" not in fetch(running.url)[1]
    finally:
        running.stop()


def test_binds_loopback_by_default(site: Path) -> None:
    running = DevServer(site, port=0)
    try:
        assert running.httpd.server_address[0] == "127.0.0.1"
    finally:
        running.stop()


def test_cli_serve_exits_cleanly_on_ctrl_c(site: Path) -> None:
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "govsite", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert url, line
        assert fetch(url.group(0))[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0
        assert "Traceback" not in process.stderr.read()  # type: ignore[union-attr]
    finally:
        process.kill()


def test_browser_reloads_by_itself_and_shows_the_banner(site: Path, server: DevServer) -> None:
    from playwright.sync_api import sync_playwright

    chromium = require_file(CHROMIUM, "Debian chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.url)
            doc = site / WELCOME
            doc.write_text(doc.read_text("utf-8").replace("开通运行", "正式上线"), "utf-8")
            page.wait_for_function("document.body && document.body.innerText.includes('正式上线')", timeout=15000)
            catalog = site / "catalog.yaml"
            good = catalog.read_text("utf-8")
            catalog.write_text(good + "  - id: [broken\n", encoding="utf-8")
            page.wait_for_selector("#govsite-problems", state="visible", timeout=15000)
            assert "E002" in page.inner_text("#govsite-problems")
            catalog.write_text(good, encoding="utf-8")
            page.wait_for_selector("#govsite-problems", state="detached", timeout=15000)
        finally:
            browser.close()


def status_for_host(server: DevServer, host_header: str) -> int:
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    try:
        connection.request("GET", "/", headers={"Host": host_header})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_answers_only_requests_for_its_own_address(server: DevServer) -> None:
    """A DNS-rebinding guard: a page on another site whose name resolves to 127.0.0.1 sends
    its own name as Host, and must not read the preview (drafts, withheld documents' errors)."""
    host, port = server.httpd.server_address[:2]
    assert status_for_host(server, f"{host}:{port}") == 200
    assert status_for_host(server, f"localhost:{port}") == 200
    for foreign in (f"attacker.example:{port}", "attacker.example", f"{host}:{int(port) + 1}",
                    f"127.0.0.1.attacker.example:{port}", ""):
        assert status_for_host(server, foreign) == 421, foreign

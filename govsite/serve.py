"""`govsite serve`: build into a private temp folder, serve it on loopback, rebuild on edits.

The reload script and the error banner are added to HTML responses only: the files on disk are
the real build output. A failed rebuild keeps the last good site served and shows why.
"""

from __future__ import annotations

import html
import ipaddress
import json
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from govsite.problems import GovsiteError
from govsite.rebuild import SiteBuilder
from govsite.watch import QUIET_SECONDS, Debouncer, SiteFilter, run_builds, watch_site

WAIT_PATH = "/__govsite/wait"
LONG_POLL_SECONDS = 20.0
# Served as files, not inline, so that a theme's Content-Security-Policy of 'self' allows them.
RELOAD_JS = """/* govsite serve: live reload, not part of the built site */
(function () {
  var version = Number(document.currentScript.getAttribute("data-version"));
  function poll() {
    fetch("WAIT_PATH?v=" + version, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.version !== version) { location.reload(); } else { poll(); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
""".replace("WAIT_PATH", WAIT_PATH)
BANNER_CSS = """#govsite-problems { position: fixed; left: 0; right: 0; bottom: 0; z-index: 99999;
  max-height: 45vh; overflow: auto; margin: 0; padding: 1rem; background: #fff4f4; color: #1a1a1a;
  border-top: 4px solid #b00020; font: 1rem/1.5 sans-serif; }
#govsite-problems strong { color: #b00020; }
#govsite-problems pre { white-space: pre-wrap; margin: .5rem 0 0; font-size: .9rem; }
#govsite-scheduled { position: fixed; left: 0; right: 0; top: 0; z-index: 99999; margin: 0;
  padding: .5rem 1rem; background: #fff3cd; color: #1a1a1a; border-bottom: 4px solid #8a5a00;
  font: 1rem/1.5 sans-serif; }
"""
ASSETS = {
    "/__govsite/reload.js": ("text/javascript; charset=utf-8", RELOAD_JS.encode()),
    "/__govsite/banner.css": ("text/css; charset=utf-8", BANNER_CSS.encode()),
}
RELOAD_TAG = '<script src="/__govsite/reload.js" data-version="%d"></script>'
BANNER = """<link rel="stylesheet" href="/__govsite/banner.css"><div id="govsite-problems" role="alert">
<strong>构建失败，下面是上一次成功构建的页面。请修改后保存，页面会自动刷新。</strong>
<pre>%s</pre></div>"""
SCHEDULED = """<link rel="stylesheet" href="/__govsite/banner.css"><div id="govsite-scheduled" role="status">
<strong>待发布</strong>：本文发布日期为 %s，此前构建的网站中没有它（govsite serve --show-scheduled 预览）。</div>"""
NO_SITE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>govsite serve</title></head><body><h1>网站尚未构建成功</h1></body></html>"""

Reporter = Callable[[str], None]


class LiveSite:
    """The state the build thread publishes and the HTTP handlers read."""

    def __init__(self, root: Path, out: Path, report: Reporter, show_scheduled: bool = False):
        self.root = root
        self.out = out
        self.report = report
        self.version = 0
        self.messages: list[str] = []  # why the last build failed; empty when it succeeded
        self.built = False  # at least one build succeeded
        self.closed = False
        self.warned: set[str] = set()  # warnings already shown: each is printed once
        self._cond = threading.Condition()
        self.builder = SiteBuilder(root, out, show_scheduled)
        self.scheduled: dict[str, str] = {}  # output path of a scheduled document -> its date
        self.more_edits: Callable[[], bool] = lambda: False  # DevServer asks its debouncer

    def rebuild(self, changed: frozenset[str] = frozenset()) -> None:
        """Rebuild what the changed files (absolute paths from the watcher) affect."""
        published = self.version
        try:
            result = self.builder.rebuild(self.site_paths(changed), pages_ready=self._publish,
                                          more_edits=self.more_edits)
        except GovsiteError as error:
            self._finish([str(p) for p in error.problems], "构建失败，继续提供上一次成功构建的网站")
        except Exception:  # a bug must not kill the server; show it like an input problem
            self._finish(traceback.format_exc().splitlines(), "构建时发生内部错误")
        else:
            site = result.site
            self.scheduled = {site.urls[d.rel]: d.published.isoformat() for d in site.documents
                              if site.build_date and d.published > site.build_date}
            warnings = [str(p) for p in result.problems]
            for line in warnings:
                if line not in self.warned:
                    self.report(line)
            self.warned = set(warnings)
            for notice in result.notices:  # a cache discarded and rebuilt
                self.report(notice)
            summary = f"已重新构建：{result.published} 个文件，{len(warnings)} 个警告，用时 {result.seconds:.2f} 秒"
            if self.version == published:
                self._finish([], summary)
            else:  # pages were published before the search index caught up: no second reload
                self.report(summary)

    def site_paths(self, changed: frozenset[str]) -> list[str]:
        paths = [Path(p).absolute() for p in changed]
        return sorted(p.relative_to(self.root).as_posix() for p in paths if p.is_relative_to(self.root))

    def _publish(self) -> None:
        """The rebuilt pages are on disk: let the browsers reload."""
        self._announce([])

    def _finish(self, messages: list[str], summary: str) -> None:
        for line in messages:
            self.report(line)
        self.report(summary)
        self._announce(messages)

    def _announce(self, messages: list[str]) -> None:
        """A new version for the browsers: reload, or show `messages` (the build's errors)."""
        with self._cond:
            self.messages = messages
            self.built = self.built or not messages
            self.version += 1
            self._cond.notify_all()

    def wait_change(self, seen: int, timeout: float = LONG_POLL_SECONDS) -> int:
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        self.builder.close()

    def decorate(self, page: bytes, path: str = "") -> bytes:
        """The served form of an HTML page (`path`: its output path): reload script, the banner
        after a failure, the 待发布 banner on a scheduled document's page."""
        with self._cond:
            version, messages = self.version, list(self.messages)
        extra = (RELOAD_TAG % version).encode()
        if path in self.scheduled:
            extra = (SCHEDULED % self.scheduled[path]).encode() + extra
        if messages:
            extra = (BANNER % html.escape("\n".join(messages))).encode() + extra
        end = page.lower().rfind(b"</body")
        return page + extra if end < 0 else page[:end] + extra + page[end:]


def host_allowed(host_header: str | None, bound: str, port: int) -> bool:
    """A DNS-rebinding guard: the Host header must name this server — its port, and as host
    `localhost`, the address it listens on, or (listening on all addresses) an IP address.
    A page on another site that makes its own name resolve to us still sends its own name."""
    try:
        parts = urlsplit(f"//{host_header or ''}")
        name, given_port = parts.hostname, parts.port or 80
    except ValueError:
        return False
    if name is None or given_port != port:
        return False
    if name == "localhost" or name == bound.strip("[]").lower():
        return True
    if ipaddress.ip_address(bound.strip("[]")).is_unspecified:  # 0.0.0.0 or ::
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return False


class Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, live: LiveSite, **kwargs):  # type: ignore[no-untyped-def]
        self.live = live
        super().__init__(*args, directory=str(live.out), **kwargs)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        host, port = self.server.server_address[:2]
        if host_allowed(self.headers.get("Host"), str(host), int(port)):
            return True
        self.send_error(HTTPStatus.MISDIRECTED_REQUEST, None,
                        "请求的 Host 不是本预览服务器的地址（防 DNS 重绑定）：请用 govsite serve 显示的地址访问")
        return False

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == WAIT_PATH:
            return self.send_wait()
        if path in ASSETS:
            return self.send_bytes(HTTPStatus.OK, *ASSETS[path])
        if not self.live.built:
            return self.send_html(HTTPStatus.SERVICE_UNAVAILABLE, NO_SITE.encode())
        file = Path(self.translate_path(self.path))
        if file.is_dir():
            if not path.endswith("/"):
                return self.redirect(path + "/")
            file = file / "index.html"
        if file.is_file() and file.suffix == ".html":
            shown = file.relative_to(self.live.out).as_posix() \
                if file.is_relative_to(self.live.out) else ""
            return self.send_html(HTTPStatus.OK, file.read_bytes(), shown)
        if not file.exists():
            missing = self.live.out / "404.html"
            page = missing.read_bytes() if missing.is_file() else b"<h1>404</h1>"
            return self.send_html(HTTPStatus.NOT_FOUND, page)
        return super().do_GET()

    def send_wait(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        seen = int(query.get("v", ["-1"])[0]) if query.get("v", [""])[0].isdigit() else -1
        body = json.dumps({"version": self.live.wait_change(seen)}).encode()
        self.send_bytes(HTTPStatus.OK, "application/json", body)

    def send_html(self, status: HTTPStatus, page: bytes, path: str = "") -> None:
        self.send_bytes(status, "text/html; charset=utf-8", self.live.decorate(page, path))

    def send_bytes(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal shows builds and problems, not every request


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a closed tab is no error
            super().handle_error(request, client_address)


class DevServer:
    """Build, serve and watch one site until stop()."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000,
                 report: Reporter = lambda line: None, quiet: float = QUIET_SECONDS,
                 show_scheduled: bool = False):
        self.root = root.absolute()
        self.temp = Path(tempfile.mkdtemp(prefix="govsite-serve-"))
        self.live = LiveSite(self.root, self.temp / "site", report, show_scheduled)
        self.debouncer = Debouncer(quiet)
        self.live.more_edits = self.debouncer.pending
        try:
            self.httpd = QuietServer((host, port), partial(Handler, live=self.live))
        except OSError:
            shutil.rmtree(self.temp, ignore_errors=True)
            raise
        self.threads: list[threading.Thread] = []
        self.observer = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> None:
        self.observer = watch_site(self.root, self.debouncer, SiteFilter(self.root, [self.temp]))
        self.live.rebuild()
        for target, args in ((self.httpd.serve_forever, ()),
                             (run_builds, (self.debouncer, self.live.rebuild))):
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.debouncer.stop()
        self.live.close()
        if self.observer:
            self.observer.stop()
            self.observer.join(5)
        if self.threads:
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self.threads:
            thread.join(10)
        shutil.rmtree(self.temp, ignore_errors=True)

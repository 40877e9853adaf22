"""Stage 3, body: Markdown → sanitised HTML, plus the links and anchors it contains.

`convert` is a pure function of (document path, Markdown text), so its result can be cached and
computed in worker processes. Links between documents are written as `govsite:` placeholders and
turned into relative URLs by `link_html` once every document's URL is known.

Python-Markdown is quadratic on some input (thousands of unclosed `[`, `<a `) and recursive on
nesting, so a conversion has a budget: bodies nested deeper than MAX_DEPTH or with more than
MAX_OPEN_BRACKETS unclosed brackets in one block are refused before converting, and a conversion
that runs out of Python's stack or TIME_BUDGET seconds of CPU is abandoned. A refused body is a `Body`
whose `refused` holds the located problem, so `--keep-going` can skip that one document.
"""

from __future__ import annotations

import hashlib
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape, unescape
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension, slugify_unicode
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from govsite.cache import Codec
from govsite.paths import normalised

PLACEHOLDER = "govsite:"
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
BROKEN_SCHEME_RE = re.compile(r"^(https?|ftp)\s*[：:]\s*(?!//)|^(https?|ftp)：", re.IGNORECASE)
UNSAFE_RE = re.compile(
    r"<\s*(script|style|iframe|object|embed|form)\b|\son[a-z]+\s*=|javascript:|vbscript:",
    re.IGNORECASE,
)
TIME_BUDGET = 3.0  # CPU seconds for one body; the slowest of the real corpus's 148 takes 0.05 s
MAX_DEPTH = 50  # nested lists or quotes; real documents use 4 at most
MAX_OPEN_BRACKETS = 500  # unclosed `[` in one block: 1,000 take 0.1 s to convert, 8,000 take 8 s
_MARKER = r"(?:>|[*+-][ \t]|\d{1,9}[.)][ \t])"
# MAX_DEPTH markers on one line, or a marker after MAX_DEPTH tab stops of indentation
DEEP_RE = re.compile(rf"^(?:[ \t]*{_MARKER}){{{MAX_DEPTH}}}"
                     rf"|^(?: {{4}}| {{0,3}}\t){{{MAX_DEPTH}}}[ \t]*{_MARKER}", re.MULTILINE)
TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map", "header", "footer", "nav", "article", "aside"}
ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "td": {"colspan", "rowspan", "style"},
    "ol": {"start"},
    "abbr": {"title"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}


LINK_KINDS = frozenset({"page", "file", "anchor", "external", "absolute", "outside", "malformed"})


@dataclass(frozen=True)
class Link:
    target: str  # site-relative posix path, or the URL as written for external/bad links
    fragment: str
    kind: str  # page | file | anchor | external | absolute | outside | malformed
    line: int
    image: bool = False


@dataclass(frozen=True)
class Body:
    html: str | None  # sanitised; internal links as govsite: placeholders. None: in the HTML memo
    text: str | None  # plain text, for search. None: in the text memo (TEXT_CODEC)
    text_digest: str  # sha256 of the text: the search index's change check reads this
    anchors: frozenset[str]
    links: tuple[Link, ...]
    images_without_alt: tuple[int, ...]  # lines
    unsafe_line: int | None  # first line with raw HTML the sanitiser removed
    refused: tuple[int, str, str] | None = None  # (line, code, message): over budget, not converted


def _body_data(body: Body) -> list[Any] | None:
    if body.refused:  # not kept: whether a conversion runs out of time depends on the machine
        return None
    links = [[link.target, link.fragment, link.kind, link.line, link.image] for link in body.links]
    return [body.text_digest, sorted(body.anchors), links, list(body.images_without_alt), body.unsafe_line]


def _body_from_data(data: list[Any]) -> Body:
    """A kept body without its HTML and text (None): the HTML and text memos have them."""
    text_digest, anchors, links, no_alt, unsafe_line = data
    _expect(all(isinstance(v, str) for v in (text_digest, *anchors)))
    _expect(all(type(line) is int for line in no_alt) and type(unsafe_line) in (int, type(None)))
    parsed = []
    for target, fragment, kind, line, image in links:
        _expect(isinstance(target, str) and isinstance(fragment, str) and kind in LINK_KINDS
                and type(line) is int and type(image) is bool)
        parsed.append(Link(target, fragment, kind, line, image))
    return Body(None, None, text_digest, frozenset(anchors), tuple(parsed), tuple(no_alt),
                unsafe_line)


def _expect(condition: bool) -> None:
    if not condition:
        raise ValueError("unexpected data in the body cache")


def _text_from_data(data: Any) -> str:
    _expect(isinstance(data, str))
    return data


BODY_CODEC = Codec("body/7", _body_data, _body_from_data)  # bump when Body or convert changes
# A body's HTML and its plain text, kept apart: read only for the pages a build renders, and for
# the documents whose text the search index does not hold
HTML_CODEC = Codec("html/2", lambda html: html, _text_from_data)
TEXT_CODEC = Codec("text/1", lambda text: text, _text_from_data)


TEXT_BLOCKS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "td",
                         "th", "pre", "blockquote"})  # a newline before each in the plain text


# A start or end tag as the sanitiser writes them (html5ever's serialisation: every attribute
# value double-quoted, `"` escaped in values and `<` in text), and one attribute of a start tag
TAG_RE = re.compile(r'<(/?)([a-zA-Z][^\s/>]*)((?:\s+[^\s"\'>/=]+(?:="[^"]*")?)*)\s*/?>')
ATTRIBUTE_RE = re.compile(r'\s+([^\s"\'>/=]+)(?:="([^"]*)")?')


class _Links:
    """Every URL the sanitised HTML keeps (a href, img src), from Markdown or raw HTML alike:
    classified, and internal ones replaced by `govsite:` placeholders; and the plain text."""

    def __init__(self, rel: str, body: str, body_line: int):
        self.rel, self.lines, self.body_line = rel, body.split("\n"), body_line
        self.links: list[Link] = []
        self.no_alt: list[int] = []
        self.parts: list[str] = []  # the text, a newline before each block

    def scan(self, html: str) -> str:
        """`html` (sanitised) with each URL replaced by the one `_visit` chose."""
        pieces: list[str] = []
        at = 0
        for tag in TAG_RE.finditer(html):
            text = html[at : tag.start()]
            self.parts.append(unescape(text))
            pieces += [text, tag.group(0) if tag.group(1) else self._start_tag(tag)]
            at = tag.end()
        self.parts.append(unescape(html[at:]))
        return "".join([*pieces, html[at:]])

    def _start_tag(self, tag: re.Match[str]) -> str:
        name = tag.group(2).lower()
        if name in TEXT_BLOCKS:
            self.parts.append("\n")
        values = {attribute.group(1).lower(): attribute.group(2) and unescape(attribute.group(2))
                  for attribute in ATTRIBUTE_RE.finditer(tag.group(3))}
        if name == "img" and not (values.get("alt") or "").strip():
            self.no_alt.append(self._line_of(values.get("src") or ""))
        attribute = {"a": "href", "img": "src"}.get(name)
        url = values.get(attribute) if attribute else None
        if attribute is None or url is None:
            return tag.group(0)
        written = f' {attribute}="{escape(self._visit(url, image=name == "img"))}"'
        return re.sub(rf'\s{attribute}="[^"]*"', lambda _: written, tag.group(0), count=1)

    def text(self) -> str:
        """The plain text of what was scanned: for search and the body checks."""
        return re.sub(r"\n\s*\n+", "\n", "".join(self.parts)).strip()

    def _line_of(self, needle: str) -> int:
        for candidate in (needle, escape(needle)):
            for number, line in enumerate(self.lines):
                if candidate and candidate in line:
                    return self.body_line + number
        return self.body_line

    def _visit(self, url: str, image: bool) -> str:
        link = classify(self.rel, url, self._line_of(url), image)
        self.links.append(link)
        if link.kind in ("page", "file"):
            return f"{PLACEHOLDER}{link.target}#{link.fragment}"
        return "#" if link.kind == "malformed" else url


def classify(rel: str, url: str, line: int, image: bool = False) -> Link:
    url = url.strip()
    if url.startswith("#"):
        return Link(rel, unquote(url[1:]), "anchor", line, image)
    if BROKEN_SCHEME_RE.match(url) or "\\" in url or url.startswith(PLACEHOLDER):
        return Link(url, "", "malformed", line, image)
    if url.startswith("//") or SCHEME_RE.match(url):
        parts = urlsplit(url if not url.startswith("//") else "https:" + url)
        ok = parts.scheme not in ("http", "https") or (parts.netloc and "." in parts.netloc)
        return Link(url, "", "external" if ok else "malformed", line, image)
    if url.startswith("/"):
        return Link(url, "", "absolute", line, image)
    path, _, fragment = url.partition("#")
    path = unquote(path.split("?")[0])
    target = normalised(rel, path)
    if not target.startswith("content/"):
        return Link(url, fragment, "outside", line, image)
    kind = "page" if target.endswith(".md") else "file"
    return Link(target, unquote(fragment), kind, line, image)


def convert(rel: str, body: str, body_line: int) -> Body:
    refused = _over_budget(body, body_line)
    if refused:
        return _refused(refused)
    try:
        with _time_limit(TIME_BUDGET):
            return _convert(rel, body, body_line)
    except _OutOfTime:
        return _refused((body_line, "E022", f"正文转换超过 {TIME_BUDGET:g} 秒仍未完成，已中止："
                                            "请检查是否有大量未配对的“[”“<”或异常长的段落"))
    except RecursionError:
        return _refused((body_line, "E021", "正文嵌套过深，无法转换：请减少列表或引用的嵌套层数"))


def _over_budget(body: str, body_line: int) -> tuple[int, str, str] | None:
    """A cheap scan for input Python-Markdown would take too long or too deep to convert."""
    deep = DEEP_RE.search(body)
    if deep:
        return (body_line + body.count("\n", 0, deep.start()), "E021",
                f"列表或引用嵌套超过 {MAX_DEPTH} 层，无法转换：请减少嵌套层数")
    if body.count("[") <= MAX_OPEN_BRACKETS:
        return None
    line = body_line
    for block in re.split(r"(\n[ \t]*\n)", body):
        depth = 0
        for bracket in re.findall(r"[\[\]]", block):
            depth = depth + 1 if bracket == "[" else max(depth - 1, 0)
        if depth > MAX_OPEN_BRACKETS:
            return (line, "E023", f"这一段有 {depth} 个未配对的方括号“[”（上限 {MAX_OPEN_BRACKETS}），"
                                  "转换会极慢：请删除多余的“[”或写作“\\[”")
        line += block.count("\n")
    return None


def _refused(problem: tuple[int, str, str]) -> Body:
    return Body(html="", text="", text_digest=hashlib.sha256(b"").hexdigest(), anchors=frozenset(),
                links=(), images_without_alt=(), unsafe_line=None, refused=problem)


class _OutOfTime(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise _OutOfTime in the block once this process has spent `seconds` of CPU time in it
    (SIGPROF; the previous handler and timer are restored). CPU time, not wall time: a busy machine
    must not make a document fail. Signals reach only the main thread: elsewhere (govsite serve's
    rebuild thread) the block runs unbounded, guarded only by the scan and the recursion limit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _OutOfTime

    started = time.process_time()
    previous = signal.signal(signal.SIGPROF, expire)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_PROF, 0)
        finally:
            signal.signal(signal.SIGPROF, previous)
            if outer_delay:
                left = outer_delay - (time.process_time() - started)
                signal.setitimer(signal.ITIMER_PROF, max(left, 0.001), outer_interval)


# A character that can start inline Markdown (code, escape, link, image, autolink, raw HTML,
# entity, emphasis), a hard line break, or Python-Markdown's placeholder marker
INLINE_SYNTAX = re.compile(r"[\\`*_\[!<&\x02]|  \n")


class _PlainText(Treeprocessor):
    """Marks each block's text that holds no inline syntax as an AtomicString, which the inline
    pass (next) leaves as it is instead of trying its fifteen patterns on it: most paragraphs
    and table cells of a Chinese notice are plain text."""

    def run(self, root: Any) -> None:
        for element in root.iter():
            text = element.text
            if text and not isinstance(text, AtomicString) and not INLINE_SYNTAX.search(text):
                element.text = AtomicString(text)


class _PlainTextExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_PlainText(md), "govsite_plain_text", 21)  # inline is 20


_MARKDOWN: list[markdown.Markdown] = []  # this process's converter, reset for each body


def _markdown(body: str) -> str:
    """Python-Markdown with govsite's extensions; one instance per process (building one takes
    as long as converting a short body), dropped if a conversion is interrupted."""
    if not _MARKDOWN:
        _MARKDOWN.append(markdown.Markdown(extensions=[
            "tables", "fenced_code", "sane_lists", "attr_list",
            TocExtension(slugify=slugify_unicode, permalink=False), _PlainTextExtension(),
        ]))
    try:
        return _MARKDOWN[0].reset().convert(body)
    except BaseException:
        _MARKDOWN.clear()
        raise


def _convert(rel: str, body: str, body_line: int) -> Body:
    clean = sanitise(_markdown(body))
    links = _Links(rel, body, body_line)
    html = links.scan(clean)
    unsafe = UNSAFE_RE.search(body)
    text = links.text()
    return Body(
        html=html,
        text=text,
        text_digest=hashlib.sha256(text.encode()).hexdigest(),
        anchors=frozenset(re.findall(r'\sid="([^"]+)"', html)),
        links=tuple(links.links),
        images_without_alt=tuple(links.no_alt),
        unsafe_line=body_line + body[: unsafe.start()].count("\n") if unsafe else None,
    )


def sanitise(html: str) -> str:
    clean = nh3.clean(
        html, tags=TAGS, clean_content_tags={"script", "style"}, attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", PLACEHOLDER.rstrip(":")},
        filter_style_properties={"text-align"}, link_rel=None,
    )
    clean = clean.replace("<th>", '<th scope="col">')
    return re.sub(r"<table>(.*?)</table>", _wrap_table, clean, flags=re.DOTALL)


def _wrap_table(match: re.Match[str]) -> str:
    return ('<div class="table-wrap" role="region" aria-label="表格（可左右滚动）" tabindex="0">'
            f"<table>{match.group(1)}</table></div>")


def link_html(html: str, resolve: Any) -> str:
    """Replace `govsite:` placeholders with `resolve(target, fragment)`."""
    def replace(match: re.Match[str]) -> str:
        target, _, fragment = unescape(match.group(2)).partition("#")
        return f'{match.group(1)}="{escape(resolve(target, fragment))}"'

    return re.sub(r'(href|src)="govsite:([^"]*)"', replace, html)



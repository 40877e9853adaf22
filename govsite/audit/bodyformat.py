"""Body-format rules from county publishing norms (GB/T 9704 parts that the page already shows).

The page template prints the title, 文号, issuer and date from the publication record, so a body
that repeats them, or keeps the paper 版记, shows them twice. Checks read the Markdown text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath

from govsite.audit.context import Audit
from govsite.cache import Codec, digest
from govsite.model import Document
from govsite.problems import Problem

DOC_NUMBER = re.compile(r"^[\u4e00-\u9fa5]+\s*[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\s*第?\d+\s*号$")
_CN_NUM = r"[\d一二三四五六七八九十]{1,3}"
DATE = rf"(\d{{4}}|[〇○零一二三四五六七八九]{{4}})\s*年\s*{_CN_NUM}\s*月\s*{_CN_NUM}\s*日"
ISSUER_END = "政府|办公室|委员会|管委会|局|委|中心|办|院|所|站|队|会|部|处|厅|公司|镇|乡|街道|组|社区|村"
# An issuer name (no punctuation, ends like an agency) and the date, or the date alone.
SIGN_OFF = re.compile(rf"^([^，。：；,:;]{{0,40}}({ISSUER_END}))?{DATE}$")
NOTE = re.compile(r"^[（(].{1,30}[)）]$")  # 附注 such as （此件公开发布）
IMPRINT = re.compile(rf"^(抄送|抄报)\s*[：:]|{DATE}\s*印发$")
ATTACH_HEAD = re.compile(r"^附\s*件\s*\d*\s*[：:]\s*(.*)$")
NUMBERED = re.compile(r"^(\d+\s*[.．、]|[（(]\d+[)）])\s*(?=\S)")
# "1.甲表2.2016年乙表附件3：丙表" -> three names; "1.5亿元" stays whole
ENTRY_SPLIT = re.compile(r"(?<=\D)(?=\d{1,2}[.．、](?!\d{1,3}(?!\d)))|(?<=\S)(?=附件\d+[：:])")
HEADING = re.compile(r"^(#{1,6})(\s|$)")
FENCE = re.compile(r"^(```|~~~)")
MARKUP = re.compile(r"[*_`#>\\]+")  # with a list marker at the start, and whitespace
LIST_MARK = re.compile(r"^\s*[-+]\s")
LEADING_LINES = 3


def check_body_format(audit: Audit) -> list[Problem]:
    problems: list[Problem] = []
    for doc in audit.documents:
        problems += check_document(audit, doc)
    return problems


def check_document(audit: Audit, doc: Document) -> list[Problem]:
    found = audit.body_findings[doc.rel] if doc.rel in audit.body_findings else findings(doc)
    return [audit.doc_line_problem(doc, doc.body_line + n, code, msg) for n, code, msg in found]


Findings = tuple[tuple[int, str, str], ...]  # (line offset in the body, code, message)


@lru_cache(maxsize=1 << 16)  # govsite serve asks again for the documents it kept
def findings_key(doc: Document) -> str:
    """Of everything findings() reads: the build keeps its results by this key (cache.Memo)."""
    return digest(FINDINGS_CODEC.name, doc.title, doc.doc_number, doc.body_digest,
                  [(a.title, a.file) for a in doc.attachments])


def _findings_from_data(data: object) -> Findings:
    if not isinstance(data, list):
        raise TypeError("findings")
    found = tuple((n, code, message) for n, code, message in data)
    if not all(isinstance(n, int) and isinstance(code, str) and re.fullmatch(r"W\d{3}", code)
               and isinstance(message, str) for n, code, message in found):
        raise ValueError("findings")
    return found


FINDINGS_CODEC = Codec("bodyformat/1", list, _findings_from_data)  # bump when findings() changes


@lru_cache(maxsize=1 << 18)  # a pure function of the document: govsite serve re-checks only edits
def findings(doc: Document) -> Findings:
    lines = list(_text_lines(doc))
    if not lines:
        return ((0, "W307", "正文为空：请补充正文或内容概述（只有附件时，写明附件内容）"),)
    return (
        *_repeats_title(doc, lines),
        *_repeats_number(doc, lines),
        *_sign_off(lines),
        *_imprint(lines),
        *_attachments(doc, lines),
        *_heading_skips(doc),
    )


def _plain(text: str) -> str:
    return "".join(MARKUP.sub("", LIST_MARK.sub("", text, count=1)).split()).replace("&nbsp;", "")


def _text_lines(doc: Document) -> Iterator[tuple[int, str]]:
    """(offset from body_line, text without Markdown markup) for every non-blank line."""
    for offset, raw in enumerate(doc.body.splitlines()):
        plain = _plain(raw)
        if plain and not plain.startswith("<!--"):
            yield offset, plain


Found = Iterator[tuple[int, str, str]]


def _repeats_title(doc: Document, lines: list[tuple[int, str]]) -> Found:
    title = _plain(doc.title)
    for offset, text in lines[:LEADING_LINES]:
        if text == title:
            yield offset, "W301", "正文第一行重复了标题：页面已显示标题，请删除正文中的标题行"
            return


def _repeats_number(doc: Document, lines: list[tuple[int, str]]) -> Found:
    number = _plain(doc.doc_number or "")
    for offset, text in lines[:LEADING_LINES]:
        if text == number or DOC_NUMBER.match(text):
            message = (
                f"正文重复文号“{text}”：请写入发布意见单的 doc_number（文号），"
                "并删除正文中的这一行"
            )
            yield offset, "W302", message
            return


def _sign_off(lines: list[tuple[int, str]]) -> Found:
    """The 落款 at the body's end, before any 附注 and 版记 lines (W304 reports those)."""
    text = [line for line in lines if not NOTE.match(line[1]) and not IMPRINT.search(line[1])]
    tail = text[-3:]
    if tail and SIGN_OFF.match(tail[-1][1]) and not IMPRINT.search(tail[-1][1]):
        message = "正文末尾含落款（发文机关署名和成文日期）：页面已显示发文机关和成文日期，请删除"
        yield tail[-1][0], "W303", message


def _imprint(lines: list[tuple[int, str]]) -> Found:
    for offset, text in lines:  # IMPRINT, its unanchored date searched only where it can end
        if (text.startswith(("抄送", "抄报")) or text.endswith("印发")) and IMPRINT.search(text):
            yield offset, "W304", "正文含版记（抄送、印发）：网上公开时不发布版记，请删除这一行"


def _attachments(doc: Document, lines: list[tuple[int, str]]) -> Found:
    known = [_name(a.title) for a in doc.attachments] + [
        _name(PurePosixPath(a.file).stem) for a in doc.attachments
    ]
    missing: dict[int, list[str]] = {}
    for offset, name in _listed_attachments(lines):
        if not any(name in k or k in name for k in known if k):
            missing.setdefault(offset, []).append(_short(name))
    for offset, names in missing.items():
        message = (
            f"正文列出附件“{'”“'.join(names)}”，但发布意见单的 attachments 中没有对应文件："
            "请在 attachments 中登记（file 和 title），或删除这一行"
        )
        yield offset, "W305", message


def _short(name: str, limit: int = 30) -> str:
    return name if len(name) <= limit else name[:limit] + "…"


def _listed_attachments(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Names in '附件：1.… 2.…', or on the numbered lines right after a bare '附件：'."""
    listing = False  # on the numbered lines under a bare "附件："
    for offset, text in lines:
        head = ATTACH_HEAD.match(text)
        if head:
            listing = not head.group(1)
            entries = ENTRY_SPLIT.split(head.group(1))
        elif listing and NUMBERED.match(text):
            entries = ENTRY_SPLIT.split(text)
        else:
            listing = False
            continue
        yield from ((offset, _name(entry)) for entry in entries if _name(entry))


def _name(text: str) -> str:
    name = NUMBERED.sub("", re.sub(r"^附件\d+[：:]", "", _plain(text)))
    name = re.sub(r"\.(pdf|docx?|xlsx?|wps|et|ofd|zip|rar|jpg|png)$", "", name, flags=re.I)
    return name.strip("《》“”\"'：:。；;，,")


def _heading_skips(doc: Document) -> Found:
    level = 1  # the page's own <h1> is the title
    fenced = False
    for offset, raw in enumerate(doc.body.splitlines()):
        if FENCE.match(raw.strip()):
            fenced = not fenced
        heading = None if fenced else HEADING.match(raw)
        if heading:
            new = len(heading.group(1))
            if new > level + 1:
                wanted = "#" * (level + 1)
                message = f"标题层级跳级：{level} 级之后直接是 {new} 级，请改为 {wanted}"
                yield offset, "W306", message
            level = new

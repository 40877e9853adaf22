"""A Word or PDF 公文 as blocks (paragraphs and tables, in order) and images, read with
python-docx (.doc and .wps through LibreOffice, PDFs as plain paragraphs); and the body's blocks
as Markdown, headings found by the 公文 numbering or by Word's heading styles (importdocs.py finds
the 公文's parts in between)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsite.problems import Problem

if TYPE_CHECKING:
    from govsite.importdocs import Parts

SOURCES = (".docx", ".pdf", ".doc", ".wps")
# 公文 heading numbering, outermost first: 一、 （一） 1. （1）
LEVELS = (
    re.compile(r"^[一二三四五六七八九十]{1,3}、"),
    re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]"),
    re.compile(r"^\d{1,2}[.．](?!\d)"),
    re.compile(r"^[（(]\d{1,2}[)）]"),
)
HEADING_MAX = 40  # a numbered paragraph longer than this is text, unless its lead sentence is short
LEAD_MAX = 25
STYLE_LEVEL = re.compile(r"^(?:Heading|标题)\s*(\d)$", re.IGNORECASE)
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
NS_PIC = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
NS_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


@dataclass
class Para:
    text: str  # plain text, whitespace-trimmed
    markdown: str  # text with bold, italic and images as Markdown
    style_level: int | None = None  # Heading N of the Word style
    centered: bool = False


@dataclass
class Table:
    markdown: str


@dataclass
class Image:
    name: str
    data: bytes
    alt: str


# --- reading ------------------------------------------------------------------------------------


def sources(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to import: each PATH, or the importable files of a folder (sorted)."""
    found, problems = [], []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in SOURCES
                           and not p.name.startswith(("~$", ".")))
            if not files:
                problems.append(Problem(str(path), None, "E614", "目录中没有 .docx、.pdf、.doc 或 .wps 文件"))
            found += files
        elif not path.is_file():
            problems.append(Problem(str(path), None, "E614", "文件不存在"))
        elif path.suffix.lower() not in SOURCES:
            problems.append(Problem(str(path), None, "E614",
                                    f"不支持 {path.suffix or '无扩展名'} 文件：可导入 .docx、.pdf、.doc、.wps"))
        else:
            found.append(path)
    return found, problems


def docx_blocks(path: Path) -> tuple[list[Para | Table], list[Image]]:
    """The document's paragraphs and tables in order, and its images (named img1, img2, …)."""
    from docx import Document as open_docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.table import Table as DocxTable

    document = open_docx(str(path))
    images: list[Image] = []
    blocks: list[Para | Table] = []
    for block in document.iter_inner_content():
        if isinstance(block, DocxTable):
            blocks.append(Table(table_markdown(block)))
            continue
        style = STYLE_LEVEL.match(block.style.name if block.style is not None else "")
        alignment = block.alignment
        if alignment is None and block.style is not None:
            alignment = block.style.paragraph_format.alignment
        blocks.append(Para(
            text=clean(block.text),
            markdown=runs_markdown(block, document.part, images).strip(),
            style_level=int(style.group(1)) if style else None,
            centered=alignment == WD_ALIGN_PARAGRAPH.CENTER,
        ))
    return blocks, images


def clean(text: str) -> str:
    """Text without the spaces Word layouts use to spread short lines (标 题, 　　正文)."""
    text = text.replace("\u3000", " ").replace("\xa0", " ").strip()
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text)


def escape(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def runs_markdown(paragraph: Any, part: Any, images: list[Image]) -> str:
    """The paragraph as Markdown: runs grouped by bold/italic, images as ![alt](file), links."""
    from docx.text.hyperlink import Hyperlink

    pieces: list[tuple[str, bool, bool]] = []
    for run in paragraph.iter_inner_content():
        if isinstance(run, Hyperlink):
            text = escape(run.text.replace("\u3000", " "))
            url = run.url if run.address else ""
            pieces.append((f"[{text}]({url})" if url and text else text, False, False))
            continue
        for blip in run._r.iter(NS_PIC):  # python-docx has no public API for inline images' bytes
            rel = blip.get(NS_R)
            if rel and rel in part.related_parts:
                image_part = part.related_parts[rel]
                number = len(images) + 1
                ext = Path(image_part.partname).suffix.lower() or ".png"
                doc_pr = next(run._r.iter(NS_DOCPR), None)
                alt = clean(doc_pr.get("descr", "")) if doc_pr is not None else ""
                images.append(Image(f"img{number}{ext}", image_part.blob, alt))
                pieces.append((f"\x00{number}\x00", False, False))
        text = run.text.replace("\u3000", " ")
        if text:
            pieces.append((escape(text), bool(run.bold), bool(run.italic)))
    out: list[str] = []
    index = 0
    while index < len(pieces):
        text, bold, italic = pieces[index]
        index += 1
        while index < len(pieces) and pieces[index][1:] == (bold, italic):
            text += pieces[index][0]
            index += 1
        marker = ("**" if bold else "") + ("*" if italic else "")
        core = text.strip()
        if marker and core:
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            text = f"{lead}{marker}{core}{marker[::-1]}{trail}"
        out.append(text)
    return "".join(out)


def table_markdown(table: Any) -> str:
    """A pipe table, or an HTML table when cells span rows or columns (pipe tables cannot)."""
    grid: list[list[tuple[Any, int, str | None]]] = []
    for row in table._tbl.tr_lst:  # merged cells are only visible in the XML (gridSpan, vMerge)
        grid.append([(tc, tc.grid_span, tc.vMerge) for tc in row.tc_lst])
    starts: list[list[tuple[int, Any, int, str | None]]] = []  # (column, tc, colspan, vmerge)
    for row in grid:
        column, cells = 0, []
        for tc, span, vmerge in row:
            cells.append((column, tc, span, vmerge))
            column += span
        starts.append(cells)
    merged = any(span > 1 or vmerge for row in grid for _, span, vmerge in row)
    texts = [[cell_lines(tc) for _, tc, _, _ in row] for row in starts]
    if not merged:
        width = max(len(row) for row in texts)
        rows = [[*("<br>".join(escape(line) for line in cell) for cell in row), *[""] * (width - len(row))]
                for row in texts]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)
    out = ["<table>"]
    for r, row in enumerate(starts):
        cells = []
        for (column, _tc, span, vmerge), text in zip(row, texts[r], strict=True):
            if vmerge == "continue":
                continue
            rowspan = 1
            if vmerge == "restart":
                for below in starts[r + 1:]:
                    if not any(c == column and v == "continue" for c, _, _, v in below):
                        break
                    rowspan += 1
            tag = "th" if r == 0 else "td"
            attrs = (f' colspan="{span}"' if span > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
            cells.append(f"<{tag}{attrs}>{'<br>'.join(html.escape(line) for line in text)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def cell_lines(tc: Any) -> list[str]:
    from docx.table import _Cell

    return [line for line in (clean(p.text) for p in _Cell(tc, None).paragraphs) if line]


def pdf_paragraphs(path: Path) -> list[Para]:
    """The text layer's lines as paragraphs (no formatting); empty without a text layer."""
    from pypdf import PdfReader

    lines: list[Para] = []
    for page in PdfReader(str(path)).pages:
        for line in (page.extract_text() or "").splitlines():
            if clean(line):
                lines.append(Para(clean(line), escape(clean(line))))
    return lines


def converted_to_docx(path: Path, folder: Path) -> Path | str:
    """A .doc/.wps converted by LibreOffice into `folder`, or why it could not be."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return (f"{path.suffix} 文件需要 LibreOffice 转换：请安装（sudo apt install libreoffice-writer）"
                "后重试，或在 Word/WPS 中“另存为”.docx 后导入")
    try:
        subprocess.run([soffice, "--headless", "--convert-to", "docx", "--outdir", str(folder), str(path)],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as error:
        return f"LibreOffice 无法转换此文件（{error}）：请在 Word/WPS 中“另存为”.docx 后导入"
    out = folder / f"{path.stem}.docx"
    return out if out.is_file() else "LibreOffice 没有生成 .docx：请在 Word/WPS 中“另存为”.docx 后导入"


# --- the body -----------------------------------------------------------------------------------


def body_markdown(parts: Parts, images: list[Image], slug: str, drop: list[Para]) -> str:
    levels = heading_levels([b for b in parts.body if not any(b is a for a in parts.attachment_lines)])
    out: list[str] = []
    if parts.addressee is not None:
        out.append(parts.addressee.markdown)
    for block in parts.body:
        if isinstance(block, Table):
            out.append(block.markdown)
            continue
        if not block.markdown or any(block is d for d in drop):
            continue
        if any(block is line for line in parts.attachment_lines):  # kept: the list, not headings
            out.append("  \n".join(line.markdown for line in parts.attachment_lines)
                       if block is parts.attachment_lines[0] else "")
            continue
        out.append(paragraph_markdown(block, levels))
    text = "\n\n".join(piece for piece in out if piece)
    text = re.sub("\x00(\\d+)\x00", lambda m: image_link(images[int(m.group(1)) - 1], slug), text)
    return re.sub(r"\n{3,}", "\n\n", text)


def image_link(image: Image, slug: str) -> str:
    return f"\n\n![{escape(image.alt)}]({slug}-{image.name})\n\n"


def numbering(text: str) -> int | None:
    return next((level for level, pattern in enumerate(LEVELS) if pattern.match(text)), None)


def heading_levels(body: list[Para | Table]) -> dict[int, int]:
    """Markdown level of each numbering level used: ## for the outermost used, one more for each next.

    A 公文 that goes from 一、 straight to 1. gets ## and ### rather than a skipped level.
    """
    used = sorted({n for b in body if isinstance(b, Para) and (n := numbering(b.text)) is not None})
    return {n: 2 + rank for rank, n in enumerate(used)}


def paragraph_markdown(para: Para, levels: dict[int, int]) -> str:
    level = numbering(para.text)
    if level is not None:
        hashes = "#" * min(levels[level], 6)
        if len(para.text) <= HEADING_MAX and not para.text.endswith(("。", "；", ";", "，")):
            return f"{hashes} {strip_emphasis(para.markdown)}"
        lead = re.match(rf"^([^。；]{{2,{LEAD_MAX}}})。(.+)$", para.markdown)
        if lead and para.text.index("。") <= LEAD_MAX + 2:
            return f"{hashes} {strip_emphasis(lead.group(1))}\n\n{lead.group(2).strip()}"
        return para.markdown
    if para.style_level is not None and len(para.text) <= HEADING_MAX:
        return f"{'#' * min(para.style_level + 1, 6)} {strip_emphasis(para.markdown)}"
    return para.markdown


def strip_emphasis(text: str) -> str:
    """Headings are bold already: the ** a Word heading's bold runs would add is noise."""
    return re.sub(r"(?<!\\)\*+", "", text)

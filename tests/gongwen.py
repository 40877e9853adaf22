"""Generated 公文 (GB/T 9704-2012 layout) as .docx files, written with python-docx."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (grey pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def centered(document, text: str, size: int = 16, red: bool = False, bold: bool = False):  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.font.size, run.bold = Pt(size), bold
    if red:
        run.font.color.rgb = RGBColor(0xFF, 0, 0)
    return paragraph


def gongwen(path: Path, *, mast: str = "铜鼓县人民政府办公室文件", number: str = "铜府办发[2021]05号",
            title: tuple[str, ...] = ("铜鼓县人民政府办公室关于印发", "2021年防汛工作方案的通知"),
            addressee: str = "各乡镇人民政府，县政府各部门：", signer: str = "铜鼓县人民政府办公室",
            date: str = "2021年5月20日", note: str = "（此件公开发布）",
            attachments: tuple[str, ...] = ("防汛责任人名单", "应急物资清单"),
            image: bool = True, table: bool = True, styled_heading: bool = True) -> Path:
    """A full 公文: 版头, 文号, 标题 (two lines), 主送, headings, table, image, 附件说明, 落款, 附注, 版记."""
    document = Document()
    document.add_paragraph("000123")  # 份号
    centered(document, mast, 26, red=True)
    centered(document, number)
    for line in title:
        centered(document, line, 22, bold=True)
    document.add_paragraph(addressee)
    document.add_paragraph("　　为做好2021年防汛工作，现将有关事项通知如下。")
    if styled_heading:
        document.add_heading("一、总体要求", level=1)
    else:
        document.add_paragraph("一、总体要求")
    body = document.add_paragraph("　　坚持")
    body.add_run("人民至上").bold = True
    body.add_run("，落实")
    body.add_run("防汛责任制").italic = True
    body.add_run("。")
    document.add_paragraph("（一）加强组织领导。各乡镇要成立防汛工作领导小组，主要负责同志亲自抓。")
    document.add_paragraph("1.健全值班制度")
    document.add_paragraph("（1）汛期实行24小时值班")
    document.add_paragraph("二、工作措施")
    if table:
        grid = document.add_table(rows=3, cols=3)
        grid.cell(0, 0).text, grid.cell(0, 1).text, grid.cell(0, 2).text = "乡镇", "责任人", "电话"
        merged = grid.cell(1, 0).merge(grid.cell(2, 0))
        merged.text = "永宁镇"
        grid.cell(1, 1).text, grid.cell(1, 2).text = "张三", "0795-1111111"
        grid.cell(2, 1).text, grid.cell(2, 2).text = "李四", "0795-2222222"
    if image:
        document.add_paragraph().add_run().add_picture(io.BytesIO(png()), width=Cm(2))
    if attachments:
        document.add_paragraph(f"附件：1.{attachments[0]}")
        for number_, name in enumerate(attachments[1:], 2):
            document.add_paragraph(f"　　　{number_}.{name}")
    document.add_paragraph("")
    if signer:
        document.add_paragraph(signer).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if date:
        document.add_paragraph(date).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if note:
        document.add_paragraph(note)
    document.add_paragraph("抄送：县委办，县人大办，县政协办。")
    document.add_paragraph("铜鼓县人民政府办公室　　　　　　　2021年5月20日印发")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path



def text_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF whose text layer holds `lines` (a Type0 font, ToUnicode mapping CID = code point)."""
    content = "BT /F1 12 Tf 14 TL 50 780 Td " + " ".join(
        "<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj T*" for line in lines) + " ET"
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def "
            "1 begincodespacerange <0000> <FFFF> endcodespacerange "
            "1 beginbfrange <0000> <FFFF> <0000> endbfrange endcmap end end")
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        "/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out)
    return path

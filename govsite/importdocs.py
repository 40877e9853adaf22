"""`govsite import-docs`: Word 公文 (and PDFs) into Markdown documents of a catalogue item.

A 公文 (GB/T 9704-2012) is read as a sequence of blocks — paragraphs and tables, in order —
with python-docx (wordblocks.py). Its parts are then found by their form: the 版头 (发文机关标志) and 发文字号 before
the 标题, the 主送 after it, and from the end the 版记 (抄送, 印发), the 附注 (（此件公开发布）),
the 落款 (署名 and 成文日期) and the 附件说明. The record's fields come from those parts; the body is
what is left, with the 主送 as its first line, written as Markdown by wordblocks.py.

`reviewer`, `reviewed` and `published` are always left empty: the document cannot be built, hence
published, until someone has reviewed it (the 发布意见单).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from govsite.audit.bodyformat import ATTACH_HEAD, DATE, ENTRY_SPLIT, IMPRINT, ISSUER_END, NOTE, NUMBERED
from govsite.load import ID_RE
from govsite.model import KINDS, WITHHELD, Catalog, Item
from govsite.names import county_free, letters
from govsite.problems import Problem
from govsite.scaffold import KIND_PREFIXES, commented, find_item, scalar
from govsite.wordblocks import (
    Image,
    Para,
    Table,
    body_markdown,
    converted_to_docx,
    docx_blocks,
    pdf_paragraphs,
    sources,
)

NUMBER_RE = re.compile(r"([\u4e00-\u9fa5]{1,12})\s*([〔\[［(（【])\s*(\d{4})\s*([〕\]］)）】])\s*(第?)\s*0*(\d+)\s*号")
DATE_RE = re.compile(rf"^{DATE}$")
DATE_PARTS = re.compile(r"(\S{4})\s*年\s*(\S{1,3}?)\s*月\s*(\S{1,3}?)\s*日")
CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
COPY_TO = re.compile(r"^(抄送|抄报)")
APPENDIX = re.compile(r"^附\s*件\s*\d{0,2}$")  # the first line of an 附件 page
SIGNER = re.compile(rf"^.{{2,40}}({ISSUER_END})$")
INLINE_SIGN_OFF = re.compile(rf"^([^。；;，,]{{2,40}}?)\s*({DATE})$")  # 署名 and date on one line
MAST = re.compile(r"(文件|函|纪要|通报|简报)$")  # 发文机关标志 such as 某某县人民政府办公室文件
KIND_WORDS = (
    ("政策解读", ("解读", "图解", "问答")),
    ("报告", ("报告", "年报", "总结")),
    ("政策文件", ("印发", "办法", "规定", "意见", "方案", "决定", "批复", "规划", "细则", "条例", "实施")),
    ("通知公告", ("通知", "公告", "通告", "公示", "启事")),
)
NOTES = {"公开发布": "主动公开", "主动公开": "主动公开", "依申请公开": "依申请公开", "不予公开": WITHHELD}


@dataclass
class Imported:
    """One document to write, and what the editor still has to fill in."""

    source: Path
    fields: dict[str, Any]
    body: str
    images: list[Image] = field(default_factory=list)
    attachments: list[tuple[Path, str]] = field(default_factory=list)  # (file, title)
    todo: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Result:
    item: str = ""  # the item as staff know it: 名称（id）
    written: list[tuple[Path, list[str]]] = field(default_factory=list)  # (path, to fill in)
    problems: list[Problem] = field(default_factory=list)


# --- the 公文's parts ---------------------------------------------------------------------------


@dataclass
class Parts:
    title: str = ""
    number: str = ""
    number_raw: str = ""
    mast: str = ""  # 发文机关标志
    signer: str = ""  # 发文机关署名
    date: dt.date | None = None
    note: str = ""  # 附注
    attachments: list[str] = field(default_factory=list)  # 附件说明's names
    body: list[Para | Table] = field(default_factory=list)
    addressee: Para | None = None
    attachment_lines: list[Para] = field(default_factory=list)


def parse_date(text: str) -> dt.date | None:
    match = DATE_PARTS.search(text)
    if not match:
        return None
    try:
        year, month, day = (cn_number(part) for part in match.groups())
        return dt.date(year, month, day)
    except ValueError:
        return None


def cn_number(text: str) -> int:
    """2021, 二〇二一, 十二, 二十 as numbers."""
    if text.isdigit():
        return int(text)
    if len(text) == 4:  # a year: digit by digit
        return int("".join(str(CN_DIGITS[c]) for c in text))
    if "十" in text:
        tens, _, units = text.partition("十")
        return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)
    return CN_DIGITS[text]


def normalised_number(match: re.Match[str]) -> str:
    agency, _, year, _, _, serial = match.groups()
    return f"{agency}〔{year}〕{int(serial)}号"


def split_parts(blocks: list[Para | Table]) -> Parts:
    parts = Parts()
    paras = [(i, b) for i, b in enumerate(blocks) if isinstance(b, Para) and b.text]
    if not paras:
        return parts
    head = paras[:8]
    start = 0  # index in blocks where the title starts
    number_at = next((k for k, (_, p) in enumerate(head) if NUMBER_RE.search(p.text)
                      and len(p.text) < 40), None)
    if number_at is not None:
        match = NUMBER_RE.search(head[number_at][1].text)
        assert match
        parts.number_raw, parts.number = match.group(0), normalised_number(match)
        masts = [p.text for _, p in head[:number_at] if MAST.search(p.text) or p.centered]
        parts.mast = MAST.sub("", masts[-1]) if masts else ""
        start = head[number_at][0] + 1
    elif MAST.search(paras[0][1].text) and len(paras) > 1:
        parts.mast = MAST.sub("", paras[0][1].text)
        start = paras[0][0] + 1
    # the 标题: the first paragraph after the 版头, and the centred lines that continue it
    rest = [(i, p) for i, p in paras if i >= start]
    if not rest:
        return parts
    title_end = rest[0][0]
    title = [rest[0][1].text]
    for i, p in rest[1:]:
        if not (rest[0][1].centered and p.centered) or p.text.endswith(("：", ":")) or i != title_end + 1:
            break
        title.append(p.text)
        title_end = i
    parts.title = "".join(title)
    dropped = read_tail([(i, b) for i, b in enumerate(blocks) if i > title_end], parts)
    body = [b for i, b in enumerate(blocks) if i > title_end and i not in dropped]
    first = next((k for k, b in enumerate(body) if not (isinstance(b, Para) and not b.text)), None)
    if first is not None and isinstance(body[first], Para):
        candidate = body[first]
        assert isinstance(candidate, Para)
        if candidate.text.endswith(("：", ":")) and len(candidate.text) <= 80 and not ATTACH_HEAD.match(candidate.text):
            parts.addressee = candidate
            body = body[first + 1:]
    parts.attachments, parts.attachment_lines = attachment_list(body)
    parts.body = body
    return parts


def read_tail(tail: list[tuple[int, Para | Table]], parts: Parts) -> set[int]:
    """From the end: the 版记, then the 附件 pages if any (kept), then the 附注 and the 落款
    (成文日期, then 署名), read into `parts`; returns the indices of the blocks they were."""
    dropped: set[int] = set()

    def drop() -> None:
        dropped.add(tail.pop()[0])

    def drop_empty() -> None:
        while tail and isinstance(tail[-1][1], Para) and not tail[-1][1].text:
            drop()

    def take(pattern: re.Pattern[str]) -> Para | None:
        """The last block, dropped, when it is a paragraph matching `pattern`."""
        block = tail[-1][1] if tail else None
        if not (isinstance(block, Para) and pattern.search(block.text)):
            return None
        drop()
        drop_empty()
        return block

    drop_empty()
    while take(IMPRINT) or take(COPY_TO) or (tail and isinstance(tail[-1][1], Table)
                                             and imprint_table(tail[-1][1])):
        if tail and isinstance(tail[-1][1], Table):
            drop()
            drop_empty()
    pages = appendix_start(tail)
    if pages is not None:
        tail = tail[:pages]  # the 附件 pages stay in the body
        drop_empty()
    if note := take(NOTE):
        parts.note = note.text
    if date := take(DATE_RE):
        parts.date = parse_date(date.text)
        if signer := take(SIGNER):
            parts.signer = signer.text
    elif sign_off := take(INLINE_SIGN_OFF):
        inline = INLINE_SIGN_OFF.match(sign_off.text)
        assert inline
        parts.signer, parts.date = inline.group(1), parse_date(inline.group(2))
    return dropped


def appendix_start(tail: list[tuple[int, Para | Table]]) -> int | None:
    """Where the 附件 pages begin (a bare 附件1 line after the 落款), as a position in `tail`."""
    texts = [(k, b.text) for k, (_, b) in enumerate(tail) if isinstance(b, Para) and b.text]
    for n, (k, text) in enumerate(texts):
        if APPENDIX.match(text) and any(DATE_RE.match(before) or NOTE.match(before)
                                        for _, before in texts[max(0, n - 2):n]):
            return k
    return None


def imprint_table(table: Table) -> bool:
    return bool(re.search(r"抄送|印发", table.markdown)) and len(table.markdown) < 400


def attachment_list(body: list[Para | Table]) -> tuple[list[str], list[Para]]:
    """The 附件说明 (附件：1.名称 2.名称, or numbered lines under 附件：) near the body's end."""
    paras = [b for b in body if isinstance(b, Para) and b.text]
    for k, p in enumerate(paras):
        head = ATTACH_HEAD.match(p.text)
        if not head:
            continue
        lines, entries = [p], ENTRY_SPLIT.split(head.group(1)) if head.group(1) else []
        for q in paras[k + 1:]:
            if not NUMBERED.match(q.text):
                break
            lines.append(q)
            entries += ENTRY_SPLIT.split(q.text)
        names = [n for n in (attachment_name(e) for e in entries) if n]
        if names and k + len(lines) >= len(paras) - 1:  # only at the end: not a quoted 附件 elsewhere
            return names, lines
    return [], []


def attachment_name(text: str) -> str:
    name = NUMBERED.sub("", re.sub(r"^附件\d*[：:]", "", text.strip()))
    name = re.sub(r"\.(pdf|docx?|xlsx?|wps|et|ofd|zip|rar|jpg|png)$", "", name, flags=re.IGNORECASE)
    return name.strip("《》“”\"'：:。；;，, ")


# --- the record ---------------------------------------------------------------------------------


def issuer_of(name: str, catalog: Catalog) -> str:
    if not name:
        return ""
    for uid, unit in catalog.units.items():
        if name == unit or county_free(name) == county_free(unit):
            return uid
    return name


def guess_kind(title: str, has_number: bool) -> str:
    for kind, words in KIND_WORDS:
        if any(w in title for w in words):
            if kind == "通知公告" and has_number and "通知" in title:
                return "政策文件"
            return kind
    return "政策文件" if has_number else "其他"


def disclosure_of(note: str) -> str:
    return next((value for word, value in NOTES.items() if word in note), "")


def slug_for(source: Path, title: str, day: dt.date | None, kind: str) -> str:
    """The source's file name when it is a URL name, else the kind, date and title's initials."""
    stem = source.stem.lower()
    if ID_RE.match(stem):
        return stem
    initials = letters(title, 16)
    stamp = f"{day:%Y%m%d}" if day else "nodate"
    return "-".join(p for p in (KIND_PREFIXES.get(kind, "qt"), stamp, initials) if p)


def import_one(source: Path, catalog: Catalog, kind: str | None, keep_original: bool,
               reading: Path | None = None) -> Imported:
    """Read one 公文 (`reading` is the .docx to read when `source` was converted)."""
    path = reading or source
    pdf = path.suffix.lower() == ".pdf"
    if pdf:
        blocks: list[Para | Table] = list(pdf_paragraphs(path))
        images: list[Image] = []
    else:
        blocks, images = docx_blocks(path)
    parts = split_parts(blocks)
    rel = str(source)
    title = parts.title or source.stem
    signer = parts.signer or parts.mast
    fields = record_fields(source, parts, title, signer, kind, catalog)
    imported = Imported(source, fields, "", images, problems=recognition_problems(rel, parts, title),
                        todo=to_fill_in(fields, signer, catalog, images))
    found, missing = attachment_files(source, parts.attachments)
    imported.attachments = found
    for name in missing:
        imported.problems.append(Problem(rel, None, "W611",
                                         f"附件说明列出“{name}”，但源文件旁没有同名文件：请把附件放在文档旁并在 "
                                         "attachments 中登记"))
    if keep_original:
        imported.attachments.append((source, f"{title}（原件）"))
    if pdf:
        if not blocks:
            imported.problems.append(Problem(rel, None, "W613",
                                             "PDF 没有文字层（扫描件）：已作为附件，标题等请手工填写"))
            imported.todo.insert(0, "title（标题）")
        if not keep_original:
            imported.attachments.append((source, title))
        imported.body = f"{parts.addressee.markdown}\n\n全文见附件。" if parts.addressee else "全文见附件。"
        return imported
    drop = parts.attachment_lines if not missing else []
    imported.body = body_markdown(parts, images, fields["slug"], drop).strip()
    return imported


def recognition_problems(rel: str, parts: Parts, title: str) -> list[Problem]:
    """What the editor should know of how the 公文's parts were read."""
    problems = []
    if not parts.title:
        problems.append(Problem(rel, None, "W612", f"未识别出标题，已用文件名“{title}”：请核对 title"))
    if parts.number_raw and parts.number_raw != parts.number:
        problems.append(Problem(rel, None, "W610", f"发文字号“{parts.number_raw}”已规范为“{parts.number}”"
                                "（六角括号〔〕、不加“第”、不补零）"))
    return problems


def record_fields(source: Path, parts: Parts, title: str, signer: str, kind: str | None,
                  catalog: Catalog) -> dict[str, Any]:
    """The publication record's fields the 公文 gives, in the order they are written."""
    chosen = kind or guess_kind(title, bool(parts.number))
    fields: dict[str, Any] = {"title": title}
    if parts.number:
        fields["doc_number"] = parts.number
    fields["issuer"] = issuer_of(signer, catalog)
    fields["date"] = parts.date
    fields["disclosure"] = disclosure_of(parts.note)
    fields["kind"] = chosen
    fields["slug"] = slug_for(source, title, parts.date, chosen)
    return fields


def to_fill_in(fields: dict[str, Any], signer: str, catalog: Catalog, images: list[Image]) -> list[str]:
    """What the editor still has to fill in (the 发布意见单's review fields always)."""
    todo = []
    if not fields["issuer"]:
        todo.append("issuer（发文机关：未识别出署名）")
    elif fields["issuer"] not in catalog.units:
        todo.append(f"issuer（发文机关“{signer}”不是 catalog.yaml 中的单位：请改为单位 id 或核对名称）")
    if fields["date"] is None:
        todo.append("date（成文日期：未识别出落款日期）")
    if not fields["disclosure"]:
        todo.append("disclosure（公开属性：文件没有“（此件公开发布）”等附注）")
    elif fields["disclosure"] != "主动公开":
        todo.append("exempt_basis（不予公开依据）")
    todo += ["reviewer（审核人）", "reviewed（审核日期）", "published（发布日期）"]
    missing_alt = sum(not image.alt for image in images)
    if missing_alt:
        todo.append(f"{missing_alt} 张图片的替代文本（![替代文本](图片)）")
    return todo


def attachment_files(source: Path, names: list[str]) -> tuple[list[tuple[Path, str]], list[str]]:
    """Files beside the source named like each 附件说明 entry (名称.pdf, or 附件1.pdf for the first)."""
    beside = [p for p in sorted(source.parent.iterdir()) if p.is_file() and p != source
              and not p.name.startswith(("~$", "."))] if names else []
    found, missing = [], []
    for number, name in enumerate(names, 1):
        match = next((p for p in beside if attachment_name(p.stem) == name), None)
        match = match or next((p for p in beside if re.fullmatch(rf"附件\s*{number}", p.stem)), None)
        match = match or next((p for p in beside if name in p.stem and p.suffix.lower() != ".docx"), None)
        if match is None:
            missing.append(name)
        else:
            found.append((match, name))
    return found, missing


# --- writing ------------------------------------------------------------------------------------


def document_text(imported: Imported, attachment_names: list[tuple[str, str]]) -> str:
    f = imported.fields
    rows = [
        ("# 由 govsite import-docs 从公文导入：发布前请逐项核对，并填写审核人、审核日期和发布日期。", ""),
        (f"title: {scalar(f['title'])}", ""),
    ]
    if "doc_number" in f:
        rows.append((f"doc_number: {scalar(f['doc_number'])}", "文号"))
    rows += [
        (f"issuer: {scalar(f['issuer'])}" if f["issuer"] else "issuer:",
         "发文机关：单位 id（见 catalog.yaml 的 units）或单位全称"),
        (f"date: {f['date']}" if f["date"] else "date:", "成文日期（取自落款）"),
        ("published:", "发布日期：请填写（不得早于成文日期）"),
        (f"disclosure: {f['disclosure']}" if f["disclosure"] else "disclosure:",
         "公开属性（取自附注）：主动公开 | 依申请公开 | 不予公开"),
        ("reviewer:", "审核人：请填写审核人姓名（必填）"),
        ("reviewed:", "审核日期：请填写（不得晚于发布日期）"),
        (f"kind: {f['kind']}", "类型：" + " | ".join(KINDS)),
    ]
    if attachment_names:
        rows.append(("attachments:", ""))
        for file, title in attachment_names:
            rows += [(f"  - file: {scalar(file)}", ""), (f"    title: {scalar(title)}", "")]
    rows.append((f"slug: {f['slug']}", "网址别名，发布后请勿修改"))
    front = "\n".join(commented(text, note) for text, note in rows)
    return f"---\n{front}\n---\n\n{imported.body}\n"


def write(imported: Imported, folder: Path, root: Path) -> tuple[Path | None, list[Problem]]:
    """Write the document, its images and attachments; nothing when any target exists (E612)."""
    slug = imported.fields["slug"]
    target = folder / f"{slug}.md"
    files = {folder / f"{slug}-{image.name}": image.data for image in imported.images}
    copies = {folder / src.name: src for src, _ in imported.attachments}
    existing = [p for p in [target, *files, *copies] if p.exists()]
    if existing:
        names = "、".join(p.relative_to(root).as_posix() for p in existing)
        return None, [Problem(str(imported.source), None, "E612",
                              f"{names} 已存在，不会覆盖（已导入过？）：删除后重试，或把源文件改名为新的网址别名")]
    folder.mkdir(parents=True, exist_ok=True)
    for path, data in files.items():
        path.write_bytes(data)
    for path, src in copies.items():
        shutil.copyfile(src, path)
    names = [(src.name, title) for src, title in imported.attachments]
    target.write_text(document_text(imported, names), encoding="utf-8")
    return target, []


def import_docs(root: Path, paths: list[Path], item_id: str, kind: str | None = None,
                keep_original: bool = False) -> Result:
    """Import every 公文 in `paths` into the item's folder; a bad file is reported and skipped."""
    item: Item = find_item(root, item_id)
    from govsite.load import load_catalog

    catalog, _ = load_catalog(root)
    assert catalog is not None  # find_item has loaded it without errors
    folder = root / item.path
    result = Result(f"{item.name}（{item.id}）")
    files, result.problems = sources(paths)
    for source in files:
        for imported in read(source, catalog, kind, keep_original, result.problems):
            result.problems += imported.problems
            path, problems = write(imported, folder, root)
            result.problems += problems
            if path is not None:
                result.written.append((path, imported.todo))
    unit = catalog.unit_name(item.owner)
    result.problems = [replace(p, item=item.id, unit=unit) for p in result.problems]
    return result


def read(source: Path, catalog: Catalog, kind: str | None, keep_original: bool,
         problems: list[Problem]) -> Iterator[Imported]:
    try:
        if source.suffix.lower() in (".doc", ".wps"):
            with tempfile.TemporaryDirectory() as tmp:
                converted = converted_to_docx(source, Path(tmp))
                if isinstance(converted, str):
                    problems.append(Problem(str(source), None, "E615", converted))
                    return
                yield import_one(source, catalog, kind, keep_original, converted)
            return
        yield import_one(source, catalog, kind, keep_original)
    except Exception as error:  # any unreadable file is reported, and the others go on
        problems.append(Problem(str(source), None, "E614",
                                f"无法读取（{type(error).__name__}: {error}）：文件是否损坏，或不是 Word/PDF 文件？"))

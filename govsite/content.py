"""Stage 1, load (the documents): every Markdown file under content/ into the data model.

Nothing here writes. Every problem is collected with its file and line, and loading goes on after
one so that the editor sees all of them at once. Documents unchanged since an earlier build come
from the documents memo (docstore.py) without being parsed again, or read at all.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from govsite.bodyfacts import body_digest
from govsite.cache import Memo
from govsite.docstore import (
    FileState,
    Loaded,
    catalog_digest,
    content_digest,
    entry_key,
    file_state,
    record_of,
    settled,
    still_valid,
)
from govsite.load import ID_RE, decoded
from govsite.model import (
    DISCLOSURES,
    INTERP_FORMS,
    INTERP_TYPES,
    KINDS,
    PROJECT_STAGES,
    VALIDITIES,
    Attachment,
    Catalog,
    Document,
)
from govsite.parallel import BODIES, forked_map
from govsite.paths import normalised
from govsite.problems import GovsiteError, Problem, has_errors
from govsite.publication import hidden, output_file_name, resolved_source
from govsite.schema import Field, read_mapping, text
from govsite.state import Stamp, stamp
from govsite.textcheck import clean_body, escape_problems, raw_text_problems
from govsite.yamlio import Mapping, load_yaml

# the audio and video types browsers play in the page (a subset of publication.MEDIA)
MEDIA_SUFFIXES = (".mp4", ".m4v", ".webm", ".mp3", ".m4a", ".aac", ".ogg", ".wav")
DOC_FIELDS = (
    Field("title", required=True, alias="标题"),
    Field("doc_number", alias="文号"),
    Field("issuer", required=True, alias="发文机关"),
    Field("date", dt.date, required=True, alias="成文日期"),
    Field("published", dt.date, required=True, alias="发布日期"),
    Field("disclosure", required=True, alias="公开属性", choices=DISCLOSURES),
    Field("exempt_basis", alias="不予公开依据"),
    Field("reviewer", required=True, alias="审核人"),  # empty or blank: E006 (unreviewed)
    Field("reviewed", dt.date, required=True, alias="审核日期"),
    Field("index_no", alias="索引号"),
    Field("topic", alias="主题分类"),
    Field("validity", alias="有效性", choices=VALIDITIES),
    Field("kind", alias="类型", choices=KINDS),
    Field("interprets", alias="解读对象"),
    Field("interp_form", alias="解读形式", choices=INTERP_FORMS),
    Field("interp_type", alias="解读类型", choices=INTERP_TYPES),
    Field("project", alias="项目"),
    Field("replaced_by", alias="替代文件"),
    Field("attachments", list, alias="附件"),
    Field("source", alias="来源"),
    Field("slug", alias="别名"),
)
ATTACHMENT_FIELDS = (Field("file", required=True, alias="文件"), Field("title", alias="标题"),
                     Field("captions", alias="字幕"))
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def scan_content(root: Path) -> tuple[list[str], list[Problem]]:
    """The site-relative paths of every .md file under content/, sorted, skipping hidden names;
    a W011 for each Markdown file that is not a document only because of its suffix (X.MD,
    x.markdown). Paths stay strings: Path objects cost more than the walk."""
    found: list[str] = []
    problems: list[Problem] = []
    for folder, subfolders, files in os.walk(os.path.join(root, "content")):
        subfolders[:] = [d for d in subfolders if not hidden(d)]
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        for name in files:
            if hidden(name):
                continue
            if name.endswith(".md"):
                found.append(f"{prefix}/{name}")
            elif name.lower().endswith(MARKDOWN_SUFFIXES):
                problems.append(Problem(f"{prefix}/{name}", None, "W011", "文件扩展名不是小写 .md，不会作为文档发布："
                                        f"如是文档，请改名为 {name.rsplit('.', 1)[0]}.md"))
    return sorted(found), sorted(problems)


DocumentMemo = dict[str, tuple[Any, Document | None, list[Problem]]]


def load_documents(root: Path, catalog: Catalog, memo: DocumentMemo | None = None,
                   changed: set[str] | None = None, stored: Memo | None = None
                   ) -> tuple[list[Document], list[Problem]]:
    """Load every document. With a `memo` kept between calls (govsite serve), a file whose
    size and modification time are unchanged is not read again; given the site-relative paths
    that `changed` since the memo was filled, other files are not even looked at. With the
    `stored` memo kept between builds (docstore.py), a document read again is parsed and
    validated only if its bytes or the files it names changed."""
    documents: list[Document] = []
    fresh: DocumentMemo = {}
    every_file_read = not memo and changed is None  # then stored entries not asked for are stale
    rels, problems = _candidates(root, memo, changed)
    catalog_key = catalog_digest(catalog) if stored is not None else ""
    to_read: dict[str, tuple[int, int, Catalog] | None] = {}  # by path, its stat key
    for rel in rels:
        cached = memo.get(rel) if memo is not None else None
        unchanged = cached is not None and changed is not None and rel not in changed and cached[0][2] is catalog
        key = None if unchanged else _stat_key(root / rel, catalog)
        if cached is not None and (unchanged or (key is not None and cached[0] == key)):
            fresh[rel] = cached
        else:
            to_read[rel] = key
    read = _read_all(root, list(to_read), catalog, stored, catalog_key)
    for rel, key in to_read.items():
        fresh[rel] = (key, *assigned(rel, catalog, *read[rel]))
    for rel in rels:
        _, document, found = fresh[rel]
        problems += found
        if document:
            documents.append(document)
    if memo is not None:
        memo.clear()
        memo.update(fresh)
    if stored is not None and every_file_read:
        stored.drop_unasked()
    return documents, problems


def _stat_key(path: Path, catalog: Catalog) -> tuple[int, int, Catalog] | None:
    try:
        found = path.stat()
    except OSError:  # a dangling symlink or a loop: read_document reports it
        return None
    return found.st_mtime_ns, found.st_size, catalog


def _candidates(root: Path, memo: DocumentMemo | None,
                changed: set[str] | None) -> tuple[list[str], list[Problem]]:
    """The documents to load: a directory scan (with its warnings), or the memo's files
    updated by `changed`."""
    if memo is None or changed is None or not memo or not all(p.endswith(".md") for p in changed):
        return scan_content(root)
    rels = set(memo)
    for rel in changed:
        if rel.startswith("content/") and (root / rel).is_file() \
                and not any(hidden(part) for part in rel.split("/")[1:]):
            rels.add(rel)
        else:
            rels.discard(rel)
    return sorted(rels), []


def item_for(rel: str, catalog: Catalog) -> str | None:
    """The item whose folder holds `rel` (the deepest one, so nested item paths work)."""
    folder = rel
    while "/" in folder:
        folder = folder.rsplit("/", 1)[0]
        if item := catalog.item_by_path.get(folder):
            return item.id
    return None


def assigned(rel: str, catalog: Catalog, document: Document | None,
             problems: list[Problem]) -> tuple[Document | None, list[Problem]]:
    """The document's problems, load-stage ones included, carry its item and responsible unit
    (the issuer when the record could be read, else the item's owner), so that reports assign them."""
    item_id = item_for(rel, catalog)
    if item_id is None:
        return document, problems
    unit = catalog.unit_name(document.issuer if document else catalog.item(item_id).owner)
    return document, [replace(p, item=item_id, unit=unit) if p.item is None and p.path == rel else p
                      for p in problems]


Read = tuple[Document | None, list[Problem]]  # a document (None if it cannot be used), its problems
Known = dict[str, str]  # site-relative path -> the documents memo's key of its last stamped entry


@dataclass(frozen=True)
class Unparsed:
    """A document's text, to be parsed (it was not in the documents memo under `key`)."""

    content: str
    key: str
    digest: str  # content_digest of the file's bytes
    stamp: Stamp | None  # settled()


def _read_all(root: Path, rels: list[str], catalog: Catalog, stored: Memo | None,
              catalog_key: str) -> dict[str, Read]:
    """The documents at `rels`: from the `stored` memo when their bytes and the files they name
    are unchanged, else parsed, in forked worker processes when there are many."""
    read: dict[str, Read] = {}
    unparsed: list[tuple[str, Unparsed]] = []
    known = known_paths(stored)
    for rel in rels:
        found = read_document(root, rel, stored, catalog_key, known)
        if isinstance(found, Unparsed):
            unparsed.append((rel, found))
        else:
            read[rel] = found
    parsed = forked_map(_parse_new, [(root, rel, found.content, catalog) for rel, found in unparsed], BODIES)
    for (rel, found), (document, problems, files) in zip(unparsed, parsed, strict=True):
        loaded = Loaded(rel, None if document is None else record_of(document), problems, files,
                        found.digest, found.stamp)
        if stored is not None:
            stored.put(found.key, loaded)
        read[rel] = _restored(root, loaded, document and document.markdown)
    return read


def known_paths(stored: Memo | None) -> Known:
    """The documents memo's entries whose file's stamp was recorded, by path."""
    if stored is None:
        return {}
    return {loaded.rel: key for key, loaded in stored.entries.items() if loaded.stamp is not None}


def read_document(root: Path, rel: str, stored: Memo | None = None, catalog_key: str = "",
                  known: Known | None = None) -> Read | Unparsed:
    """The document at `rel` (site-relative) and the problems found reading it, from the
    `stored` memo (its catalogue's digest `catalog_key`) when its bytes and the files it names
    are unchanged, without reading it when its stamp is the one `known` recorded; else its
    text, to be parsed."""
    path = os.path.join(root, rel)
    source = resolved_source(root, rel)
    if source is None or any(hidden(part) for part in source.split("/")[1:]):
        return None, [Problem(rel, 1, "E312", "文件经符号链接指向 content/ 之外（或隐藏目录中），"
                              "不发布：请把文件本身放在事项目录中")]
    try:
        found = stamp(os.stat(path))
        if stored is not None and (kept := _unchanged(root, rel, found, stored, catalog_key, known)):
            return kept
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        if error.errno not in (errno.ELOOP, errno.ENOENT) or not os.path.islink(path):
            raise
        return None, [Problem(rel, 1, "E312", "文件是失效或循环的符号链接，不发布：请把文件本身放在事项目录中")]
    content, problems = decoded(data, rel)
    if content is None:
        return None, problems
    digest = content_digest(data) if stored is not None else ""
    key = entry_key(catalog_key, rel, digest) if stored is not None else ""
    loaded = stored.get(key) if stored is not None else None
    if stored is None or loaded is None or not still_valid(root, loaded):
        return Unparsed(content, key, digest, settled(found))
    if loaded.stamp != (now := settled(found)):
        stored.put(key, replace(loaded, stamp=now))
    return _restored(root, loaded)


def _unchanged(root: Path, rel: str, found: Stamp, stored: Memo, catalog_key: str,
               known: Known | None) -> Read | None:
    """The document at `rel` from the memo, if its file's stamp is the one recorded, under
    the same catalogue and govsite, and the files it names are unchanged."""
    key = (known or {}).get(rel)
    loaded = stored.peek(key) if key else None
    if loaded is None or loaded.stamp != found or key != entry_key(catalog_key, rel, loaded.content) \
            or not still_valid(root, loaded):
        return None
    stored.get(key)  # asked for: kept
    return _restored(root, loaded)


def _restored(root: Path, loaded: Loaded, body: str | None = None) -> Read:
    """A loaded document whose body is read from its file when asked for: the `body` just
    parsed is held until release_bodies()."""
    if loaded.record is None:
        return None, loaded.problems
    cleaned = any(p.code == "W010" for p in loaded.problems)
    reader = BodyFile(str(root), loaded.rel, cleaned, loaded.record["body_digest"], body)
    return Document(markdown=None, read_body=reader, **loaded.record), loaded.problems


class BodyFile:
    """Reads a loaded document's body (Document.body): the text loading parsed, while held, else
    from its file, as loading takes it (without the characters clean_body removes, if loading
    found any: `cleaned`). A body read from the file that is not the one loading recorded
    (`digest`) stops the build: the file changed while the build ran."""

    __slots__ = ("cleaned", "digest", "held", "rel", "root")

    def __init__(self, root: str, rel: str, cleaned: bool, digest: str, held: str | None = None):
        self.root, self.rel, self.cleaned, self.digest, self.held = root, rel, cleaned, digest, held

    def __call__(self) -> str:
        return self.held if self.held is not None else self.read()

    def read(self) -> str:
        try:
            with open(os.path.join(self.root, self.rel), "rb") as file:
                content = decoded(file.read(), self.rel)[0]
        except OSError:
            content = None
        split = split_front_matter(content) if content is not None else None
        body = split and (clean_body(split[1], self.rel, split[2])[0] if self.cleaned else split[1])
        if body is None or body_digest(body) != self.digest:
            raise GovsiteError([Problem(self.rel, None, "E010", "文件在构建过程中被修改：请重新运行构建")])
        return body


def release_bodies(documents: Iterable[Document]) -> None:
    """The bodies loading holds leave memory (they are read from the files if asked for again):
    called once they are converted and checked."""
    for doc in documents:
        if isinstance(doc.read_body, BodyFile):
            doc.read_body.held = None


def _parse_new(root: Path, rel: str, content: str, catalog: Catalog
               ) -> tuple[Document | None, list[Problem], dict[str, FileState]]:
    files: dict[str, FileState] = {}
    return (*_parse(root, root / rel, rel, content, catalog, files), files)


def _parse(root: Path, path: Path, rel: str, content: str, catalog: Catalog,
           files: dict[str, FileState]) -> tuple[Document | None, list[Problem]]:
    """The record and body of a document's `content`; `files` gets the state of each file it names."""
    split = split_front_matter(content)
    if split is None:
        message = "缺少 YAML 头部：文件须以“---”开头，列出发布意见单各项，再以“---”结束"
        return None, [Problem(rel, 1, "E009", message)]
    front, body, body_line = split
    problems = raw_text_problems(front, rel, first_line=2)
    if problems:
        return None, problems
    data, problems = load_yaml(front, rel, first_line=2)
    if data is None:
        return None, problems
    problems += escape_problems(front, data, rel)
    body, found = clean_body(body, rel, body_line)
    problems += found
    values, lines, found = read_mapping(data, DOC_FIELDS, rel, line=2)
    problems += found
    item_id = item_for(rel, catalog)
    if item_id is None:
        problems.append(Problem(rel, 1, "E207", "文件所在目录不属于标准目录中的任何事项："
                                "请移到事项目录（content/<领域>/<事项>/）或在 catalog.yaml 中设置 path"))
    if has_errors(problems) or item_id is None:
        return None, problems
    attachments, attachment_problems = _attachments(root, values.get("attachments") or [], rel,
                                                    files)
    problems += attachment_problems
    project, project_problems = _project_ref(rel, values, lines, catalog, item_id)
    problems += project_problems
    slug = text(values.get("slug")) or default_slug(path, rel)
    if not ID_RE.match(slug):
        problems.append(Problem(rel, lines.get("slug", 1), "E103",
                                f"slug“{slug}”须为小写字母、数字、-、_（用于网址）"))
    record = _record(rel, item_id, values, slug, attachments, project)
    return Document(markdown=body, body_line=body_line, lines=lines, **record), problems


def _record(rel: str, item_id: str, values: dict[str, Any], slug: str,
            attachments: tuple[Attachment, ...], project: str | None) -> dict[str, Any]:
    """A document's publication record, from its front matter's checked `values`."""
    def optional(key: str) -> str | None:
        return text(values.get(key)) or None

    return dict(
        rel=rel, item_id=item_id, title=text(values["title"]), issuer=text(values["issuer"]),
        date=values["date"], published=values["published"], disclosure=values["disclosure"],
        reviewer=text(values["reviewer"]), reviewed=values["reviewed"], slug=slug,
        index_no=text(values.get("index_no")), kind=optional("kind") or "其他",
        doc_number=optional("doc_number"), exempt_basis=optional("exempt_basis"),
        topic=optional("topic"), validity=optional("validity"),
        interprets=_resolve_rel(rel, text(values.get("interprets"))), interp_form=optional("interp_form"),
        origin=optional("source"), attachments=attachments, interp_type=optional("interp_type"),
        project=project, replaced_by=_replacement(rel, text(values.get("replaced_by"))),
    )


def _project_ref(rel: str, values: dict[str, Any], lines: dict[str, int], catalog: Catalog,
                 item_id: str) -> tuple[str | None, list[Problem]]:
    """A document names its project by id or by 项目代码; its item gives the category."""
    name = text(values.get("project"))
    if not name:
        return None, []
    project = catalog.project_by_id.get(name)
    if project is None:
        return None, [Problem(rel, lines["project"], "E851",
                              f"项目“{name}”未在 catalog.yaml 的 projects 中定义（可写项目 id 或项目代码）")]
    if catalog.item(item_id).stage is None:
        return None, [Problem(rel, lines["project"], "E852",
                              f"事项 {item_id} 不对应全链条信息类别（{'、'.join(PROJECT_STAGES)}）："
                              "请把文件放在相应事项中，或在 catalog.yaml 中为该事项设置 stage")]
    return project.id, []


def _replacement(rel: str, value: str) -> str | None:
    """replaced_by: the replacing policy's Markdown file (relative path), or its name as text."""
    if not value:
        return None
    return _resolve_rel(rel, value) if value.endswith(".md") else value


FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


def split_front_matter(content: str) -> tuple[str, str, int] | None:
    """(front matter, body, file line of the body's first line), or None without front matter.
    Only a line of "---" (or "...") at column 0 ends it, not an indented one in a block scalar."""
    first, newline, rest = content.partition("\n")
    if first.strip() != "---" or not newline:
        return None
    end = FRONT_MATTER_END.search(rest)
    if end is None:
        return None
    body_start = rest.find("\n", end.end())
    body = "" if body_start < 0 else rest[body_start + 1 :]
    return rest[: max(end.start() - 1, 0)], body, rest.count("\n", 0, end.start()) + 3


def default_slug(path: Path, rel: str) -> str:
    stem = path.stem.lower()
    if ID_RE.match(stem):
        return stem
    return "doc-" + hashlib.sha1(rel.encode()).hexdigest()[:10]


def _resolve_rel(rel: str, target: str) -> str | None:
    return normalised(rel, target) if target else None


def _attachments(root: Path, entries: list[Any], rel: str,
                 files: dict[str, FileState]) -> tuple[tuple[Attachment, ...], list[Problem]]:
    """The attachments as listed; whether each may be published is the publication rule's
    decision (govsite.publication), taken once the document's disclosure is known. `files`
    gets the state of each file named."""
    attachments: list[Attachment] = []
    problems: list[Problem] = []
    lines = getattr(entries, "lines", [])
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else 1
        if isinstance(entry, str):
            entry = Mapping({"file": entry})
            entry.line, entry.lines = line, {}
        if not isinstance(entry, Mapping):
            problems.append(Problem(rel, line, "E005", f"附件“{entry}”应写作 file: 文件名 和 title: 标题"))
            continue
        values, _, found = read_mapping(entry, ATTACHMENT_FIELDS, rel, "附件：")
        problems += found
        name = text(values.get("file"))
        if not name:
            continue
        source = normalised(rel, name)
        files[source] = file_state(root, source)
        size = max(files[source][1], 0)
        title = text(values.get("title")) or PurePosixPath(name).stem
        captions, found = _captions(root, rel, name, text(values.get("captions")), line, files)
        problems += found
        attachments.append(Attachment(
            name, title, source, output_file_name(name, index + 1), size, line, captions,
            captions and output_file_name(captions.rsplit("/", 1)[-1], index + 1, "captions")))
    return tuple(attachments), problems


def _captions(root: Path, rel: str, name: str, captions: str, line: int,
              files: dict[str, FileState]) -> tuple[str | None, list[Problem]]:
    """A video or audio attachment plays in the page only with WebVTT captions (<track>); without
    them it is a download and a warning. Whether the captions file may be published is the
    publication rule's decision, like any attachment's."""
    if not name.lower().endswith(MEDIA_SUFFIXES):
        return None, []
    if not captions:
        return None, [Problem(rel, line, "W852", f"音视频附件“{name}”没有字幕，只能下载、不在页面中播放："
                              "请用 captions 登记 WebVTT 字幕文件（.vtt），供听障读者使用")]
    source = normalised(rel, captions)
    files[source] = file_state(root, source)
    if not captions.lower().endswith(".vtt") or files[source][1] < 0:
        return None, [Problem(rel, line, "E857", f"字幕文件“{captions}”不存在或不是 content/ 内的 .vtt 文件")]
    return source, []

"""The publication rule for files: which files a document may put into build/.

Every file copied beside a document page — an attachment, or a file its body links to (Markdown
link or image, or an <a href>/<img src> in raw HTML) — is decided here, by `document_files`, and
the renderer copies only what it returns. A file is published only if:

- it is an attachment or linked file of a document that is published (主动公开, and its
  publication date has come);
- it lies under content/ once symlinks are resolved, and exists;
- it is not a Markdown document and no part of its path (as written or resolved) is hidden
  (a name starting with "." or "_");
- its type is in ALLOWED_TYPES (HTML, SVG, scripts and every other type are refused: they
  could run on the site's origin);
- it is not an attachment or linked file of a document that is not published (withheld, or
  scheduled for a later date);
- its output name, beside the page, is its own: not the page (index.html), not another file's.

The only other files copied are the theme's static files and the 党政机关网站标识 image
(`furniture_image`: a raster image of the site folder, outside content/). See docs/publication-rule.md.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from govsite.model import Catalog, Document, PublicFile, Site
from govsite.problems import Problem

if TYPE_CHECKING:  # load imports this module: a build that renders nothing loads no Markdown
    from govsite.body import Body, Link

SAFE_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
PAGE_NAME = "index.html"

OFFICE = (".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".rtf",
          ".wps", ".et", ".dps", ".ofd", ".pdf")
IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff")
ARCHIVES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz")
MEDIA = (".mp3", ".wav", ".m4a", ".aac", ".ogg", ".mp4", ".m4v", ".webm", ".mov", ".avi", ".wmv")
TEXT = (".txt", ".csv", ".vtt")  # .vtt: captions of a video or audio attachment
ALLOWED_TYPES = frozenset(OFFICE + IMAGES + ARCHIVES + MEDIA + TEXT)


@dataclass(frozen=True)
class Withheld:
    """A file belonging to a document that is not published: who owns it, and why."""

    owner: str  # the document's path
    scheduled: str | None  # its publication date, when it is 主动公开 but not yet published


def hidden(name: str) -> bool:
    """Files and folders under content/ whose name starts with "." or "_" are not published."""
    return name.startswith((".", "_"))


def output_file_name(name: str, number: int, prefix: str = "attachment") -> str:
    """ASCII file names in build/: keep safe names, else number them (the title keeps the name)."""
    base = PurePosixPath(name).name
    if SAFE_FILE_RE.match(base):
        return base
    suffix = PurePosixPath(base).suffix.lower()
    suffix = suffix if SAFE_FILE_RE.match(suffix.lstrip(".") or "x") else ""
    return f"{prefix}-{number}{suffix}"


def resolved_source(root: Path, target: str) -> str | None:
    """`target` with symlinks resolved, relative to the site root; None unless under content/
    (or on a symlink loop). On strings: it runs for every document and file of every build."""
    try:
        path = _real_path(os.path.join(root, target))
        content = _real_folder(os.path.join(root, "content"))
    except (OSError, ValueError):
        return None
    if path is None or not path.startswith(content + os.sep):
        return None
    return "content/" + path[len(content) + 1 :].replace(os.sep, "/")


_REAL_FOLDERS: dict[str, str] = {}  # os.path.realpath of folders, for one analysis


def forget_real_folders() -> None:
    """Called as an analysis starts: since the last one, a folder may have become a symlink."""
    _REAL_FOLDERS.clear()


def _real_folder(folder: str) -> str:
    real = _REAL_FOLDERS.get(folder)
    if real is None:
        real = _REAL_FOLDERS[folder] = os.path.realpath(folder)
    return real


def _real_path(path: str) -> str | None:
    """os.path.realpath(path), None on a symlink loop. A file that is not a symlink is in its
    folder's real path, which is worked out once per folder."""
    folder, name = os.path.split(path)
    if name not in ("", ".", ".."):
        try:
            if not stat.S_ISLNK(os.lstat(path).st_mode):
                return os.path.join(_real_folder(folder), name)
        except FileNotFoundError:
            return os.path.join(_real_folder(folder), name)
        except OSError:  # a loop in its folders, say: the long way tells
            pass
    real = os.path.realpath(path)
    try:
        os.stat(real)
    except OSError as error:  # realpath leaves a loop unresolved; a missing file is fine here
        if error.errno == errno.ELOOP:
            return None
    return real


def file_problem(root: Path, target: str, what: str) -> tuple[str, str] | None:
    """The rule for one file, apart from who owns it: None if it may be published, else the
    problem's code and message. `target` is site-relative and normalised, symlinks not followed."""
    if not target.startswith("content/"):
        return "E302", f"{what}“{target}”位于 content/ 之外，不允许引用"
    source = resolved_source(root, target)
    if source is None:
        return "E302", f"{what}“{target}”经符号链接指向 content/ 之外，不允许引用"
    if not (root / source).is_file():
        code = "E303" if what == "附件" else "E301"
        return code, f"{what}指向的文件 {target} 不存在：请把文件放在文档旁边"
    for path in (target, source):
        if any(hidden(part) for part in path.split("/")[1:]):
            return "E310", f"{what}“{target}”位于以 . 或 _ 开头的隐藏目录（或是隐藏文件），不发布"
    for path in (target, source):
        suffix = PurePosixPath(path).suffix.lower()
        if suffix in (".md", ".markdown"):
            return "E309", (f"{what}“{target}”是 Markdown 文档，不能作为文件发布：请链接它"
                            "（[标题](文件.md)），它按自己的公开属性发布")
        if suffix not in ALLOWED_TYPES:
            return "E309", (f"{what}“{target}”的类型“{suffix or '无扩展名'}”不允许发布：只发布办公文档、"
                            "PDF、图片（SVG 除外）、压缩包、音视频和纯文本，见 docs/publication-rule.md")
    return None


def furniture_image(root: Path, image: str) -> Path | None:
    """The site furniture's one configured file (the 党政机关网站标识 image): published only if it
    is a raster image (IMAGES) inside the site folder once symlinks are resolved, not under
    content/ (documents' files follow the rule above) and not hidden. None otherwise."""
    try:
        site = root.resolve()
        path = (root / image).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(site) or not path.is_file():
        return None
    parts = path.relative_to(site).parts
    if parts[0] == "content" or any(hidden(part) for part in (*PurePosixPath(image).parts, *parts)):
        return None
    return path if path.suffix.lower() in IMAGES else None


def withheld_files(root: Path, documents: Iterable[tuple[Document, Iterable[Link]]],
                   today: date) -> dict[str, Withheld]:
    """Every file (resolved source path) that a document not published refers to, as an
    attachment or a link in its body."""
    found: dict[str, Withheld] = {}
    for doc, links in documents:
        targets = [a.source for a in doc.attachments] + [k.target for k in links if k.kind == "file"]
        targets += [a.captions for a in doc.attachments if a.captions]
        scheduled = str(doc.published) if doc.is_public and doc.published > today else None
        for target in targets:
            source = resolved_source(root, target)
            if source is not None:
                found.setdefault(source, Withheld(doc.rel, scheduled))
    return found


def unreadable_files(root: Path, rels: Iterable[str]) -> dict[str, Withheld]:
    """Files that documents which could not be read (their disclosure is unknown) may own:
    every file under content/ whose name appears in such a document's text."""
    texts = {rel: (root / rel).read_bytes().decode("utf-8", "replace") for rel in sorted(rels)
             if resolved_source(root, rel) and (root / rel).is_file()}
    texts = {rel: text + "\n" + unquote(text) for rel, text in texts.items()}
    found: dict[str, Withheld] = {}
    for path in sorted((root / "content").rglob("*")) if texts else []:
        source = resolved_source(root, path.relative_to(root).as_posix())
        if source is None or not path.is_file():
            continue
        owner = next((rel for rel, text in texts.items() if path.name in text), None)
        if owner is not None:
            found.setdefault(source, Withheld(owner, None))
    return found


def document_files(root: Path, doc: Document, links: Iterable[Link], withheld: dict[str, Withheld],
                   catalog: Catalog) -> tuple[tuple[PublicFile, ...], list[Problem]]:
    """The files a published document puts into build/, and the problems that keep others out.

    Attachments keep the name chosen when they were loaded (the page lists them by it); a linked
    file keeps its own name if it is a safe ASCII name, else gets the first free file-N name."""
    problems: list[Problem] = []
    files: dict[str, PublicFile] = {}  # by target
    names: dict[str, str] = {PAGE_NAME: doc.rel}  # casefolded output name -> what took it

    def add(line: int, code: str, message: str) -> None:
        problems.append(Problem(doc.rel, line, code, message, doc.item_id,
                                catalog.unit_name(doc.issuer)))

    refs = [(a.source, a.line, "附件", a.out_name) for a in doc.attachments]
    refs += [(a.captions, a.line, "字幕", a.captions_out) for a in doc.attachments
             if a.captions and a.captions_out]
    refs += [(link.target, link.line, "图片" if link.image else "链接", None)
             for link in links if link.kind == "file"]
    for target, line, what, name in refs:
        if target in files:
            continue
        found = file_problem(root, target, what) or _owner_problem(withheld, target, what, root)
        if found:
            add(line, *found)
            continue
        if name is None:
            name = _link_name(target, names)
        taken = names.get(name.casefold())
        if taken is not None:
            page = "文档页面本身" if taken == doc.rel else f"“{taken}”"
            add(line, "E311", f"{what}“{target}”在网站上的文件名 {name} 与{page}相同：请改名")
            continue
        names[name.casefold()] = target
        files[target] = PublicFile(target, name, resolved_source(root, target) or "")
    return tuple(files.values()), problems


def _owner_problem(withheld: dict[str, Withheld], target: str, what: str,
                   root: Path) -> tuple[str, str] | None:
    owner = withheld.get(resolved_source(root, target) or "")
    if owner is None:
        return None
    if owner.scheduled:
        return "E313", (f"{what}“{target}”属于尚未发布的文件 {owner.owner}（发布日期 {owner.scheduled}）："
                        "公开页面不能提前发布它")
    return "E308", f"{what}“{target}”属于不发布的文件 {owner.owner}：公开页面不能发布它"


def _link_name(target: str, names: dict[str, str]) -> str:
    base = PurePosixPath(target).name
    if SAFE_FILE_RE.match(base):
        return base
    number = 1
    while (name := output_file_name(base, number, "file")).casefold() in names:
        number += 1
    return name


def publish_files(root: Path, site: Site, bodies: dict[str, Body], withheld: dict[str, Withheld]
                  ) -> tuple[Site, list[Problem]]:
    """The Site with the files of every document decided by `document_files`: `site.files` is
    all the renderer copies, and each document lists only the attachments admitted."""
    files: dict[str, tuple[PublicFile, ...]] = {}
    problems: list[Problem] = []
    documents = []
    for doc in site.documents:
        files[doc.rel], found = document_files(root, doc, bodies[doc.rel].links, withheld,
                                               site.catalog)
        problems += found
        admitted = {f.target for f in files[doc.rel]}
        kept = tuple(a if a.captions in admitted or not a.captions else
                     replace(a, captions=None, captions_out=None)  # no player without captions
                     for a in doc.attachments if a.source in admitted)
        documents.append(doc if kept == doc.attachments else replace(doc, attachments=kept))
    return replace(site, documents=tuple(documents), files=files), problems

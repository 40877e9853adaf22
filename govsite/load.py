"""Stage 1, load: read catalog.yaml and every Markdown document into the data model.

Nothing here writes. Every input problem is collected with its file and line; loading goes on
after a problem so that the editor sees all of them at once.
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import hashlib
import os
import posixpath
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
from govsite.model import (
    DISCLOSURES,
    INTERP_FORMS,
    INTERP_TYPES,
    KINDS,
    ORG_LEVELS,
    PROJECT_STAGES,
    VALIDITIES,
    Attachment,
    Catalog,
    Document,
    Domain,
    Item,
    Org,
    Project,
    SiteInfo,
)
from govsite.parallel import BODIES, forked_map
from govsite.problems import GovsiteError, Problem, has_errors
from govsite.publication import hidden, normalised, output_file_name, resolved_source
from govsite.schema import Field, read_mapping, text
from govsite.sections import RESERVED_NAMES
from govsite.state import Stamp, stamp
from govsite.textcheck import clean_body, escape_problems, raw_text_problems
from govsite.yamlio import Mapping, Sequence, load_yaml

CATALOG = "catalog.yaml"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
THEME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")  # a folder name under themes/, no path
BASE_URL_RE = re.compile(r"^https?://[^/\s?#]+", re.IGNORECASE)

SITE_FIELDS = (
    Field("title", required=True), Field("org", required=True), Field("base_url"),
    Field("language"), Field("site_code"), Field("icp"), Field("police_record"),
    Field("contact"), Field("index_prefix"), Field("theme"), Field("description"),
    Field("gov_mark_image"), Field("gov_mark_url"), Field("error_report_url"),
)
DOMAIN_FIELDS = (Field("id", required=True), Field("name", required=True),
                 Field("items", list, required=True), Field("org"))
ITEM_FIELDS = (
    Field("id", required=True), Field("l1", required=True), Field("l2"),
    Field("content", list), Field("basis", list), Field("time_limit"),
    Field("owner", required=True), Field("co_owners", list), Field("channels", dict),
    Field("audience", choices=("全社会", "特定群体", "特定群众")),
    Field("mode", choices=("主动", "依申请")), Field("levels", list), Field("path"),
    Field("update"), Field("seq", int), Field("note"), Field("org"),
    Field("stage", choices=PROJECT_STAGES),
)
ORG_FIELDS = (Field("id", required=True), Field("name", required=True),
              Field("level", choices=ORG_LEVELS), Field("parent"))
PROJECT_FIELDS = (
    Field("id", required=True), Field("name", required=True), Field("code", required=True),
    Field("owner", required=True), Field("location", required=True), Field("investment"),
    Field("start", dt.date), Field("end", dt.date), Field("notes", dict),
)
PROJECT_CODE_RE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")
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


def read_text(path: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Strict UTF-8 (a BOM is fine, CRLF becomes LF); never guess another encoding."""
    return decoded(path.read_bytes(), rel)


def decoded(data: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    try:  # as the utf-8-sig codec decodes, in a third less time
        content = (data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data).decode()
    except UnicodeDecodeError as error:
        line, name = data[: error.start].count(b"\n") + 1, posixpath.basename(rel)
        message = (f"文件不是 UTF-8 编码（第 {error.start} 字节）。请用编辑器“另存为 UTF-8”，"
                   f"或运行 iconv -f GB18030 -t UTF-8 {name} -o {name}.utf8")
        return None, [Problem(rel, line, "E001", message)]
    return (content.replace("\r\n", "\n").replace("\r", "\n") if "\r" in content else content), []


# --- catalog.yaml -------------------------------------------------------------------------


def load_catalog(root: Path) -> tuple[Catalog | None, list[Problem]]:
    path = root / CATALOG
    if not path.is_file():
        return None, [Problem(CATALOG, None, "E006", f"找不到 {CATALOG}：请在站点根目录创建")]
    content, problems = read_text(path, CATALOG)
    if content is None:
        return None, problems
    problems = raw_text_problems(content, CATALOG)
    if problems:
        return None, problems
    data, problems = load_yaml(content, CATALOG)
    if data is None:
        return None, problems
    problems += escape_problems(content, data, CATALOG)
    top, top_lines, top_problems = read_mapping(data, (
        Field("site", dict, required=True), Field("units", dict, required=True),
        Field("domains", list, required=True), Field("orgs", list), Field("projects", list),
        Field("search_synonyms", list),
    ), CATALOG)
    problems += top_problems
    if top_problems and not top:
        return None, problems
    site, site_problems = _site(top.get("site", Mapping()), root, top_lines.get("site", 1))
    units, unit_problems = _units(top.get("units", Mapping()))
    seen: dict[str, int] = {}
    orgs, org_problems = _orgs(top.get("orgs", Sequence()), seen)
    domains, domain_problems = _domains(top.get("domains", Sequence()), units,
                                        {org.id for org in orgs}, seen)
    projects, project_problems = _projects(top.get("projects", Sequence()), seen)
    synonyms, synonym_problems = _synonyms(top.get("search_synonyms") or Sequence())
    problems += site_problems + unit_problems + org_problems + domain_problems + project_problems
    problems += synonym_problems
    if site is None:
        return None, problems
    return Catalog(site=site, units=units, domains=domains, orgs=orgs,
                   projects=projects, synonyms=synonyms), problems


def _synonyms(data: Any) -> tuple[tuple[tuple[str, ...], ...], list[Problem]]:
    """search_synonyms: a list of sets, each a list of two or more words meaning the same."""
    found: list[tuple[str, ...]] = []
    problems: list[Problem] = []
    for n, entry in enumerate(data):
        words = [w.strip() for w in entry if isinstance(w, str) and w.strip()] \
            if isinstance(entry, list) else []
        if len(words) < 2 or len(words) != len(entry):
            line = data.lines[n] if n < len(getattr(data, "lines", [])) else data.line
            problems.append(Problem(CATALOG, line, "E120",
                                    f"search_synonyms 第 {n + 1} 项应为两个或更多词语的列表，如 [低保, 最低生活保障]"))
        else:
            found.append(tuple(words))
    return tuple(found), problems


def _orgs(data: Any, seen: dict[str, int]) -> tuple[tuple[Org, ...], list[Problem]]:
    """乡镇/街道 and their 村/社区; a parent must be declared before its children."""
    orgs: dict[str, Org] = {}
    problems: list[Problem] = []
    for entry in data:
        values, lines, found = read_mapping(entry, ORG_FIELDS, CATALOG, "乡镇/村：")
        problems += found
        if "id" not in values or "name" not in values:
            continue
        org_id, parent = text(values["id"]), text(values.get("parent")) or None
        problems += _check_id(org_id, lines["id"], seen, "乡镇/村")
        if parent is not None and parent not in orgs:
            problems.append(Problem(CATALOG, lines["parent"], "E853",
                                    f"上级“{parent}”不是前面 orgs 中定义的乡镇/街道 id"))
            parent = None
        elif parent is not None and orgs[parent].parent is not None:
            problems.append(Problem(CATALOG, lines["parent"], "E853",
                                    f"上级“{parent}”本身是村（居），村（居）只能属于乡镇/街道"))
            parent = None
        level = text(values.get("level")) or ("村" if parent else "乡镇")
        if level in ("村", "社区") and "parent" not in lines:
            problems.append(Problem(CATALOG, entry.line, "E853",
                                    f"{level}“{values['name']}”须用 parent 写明所属乡镇/街道"))
        elif level in ("乡镇", "街道") and parent is not None:
            problems.append(Problem(CATALOG, lines["parent"], "E853",
                                    f"{level}“{values['name']}”直属本县，不能设置 parent"))
            parent = None
        orgs[org_id] = Org(org_id, text(values["name"]), level, parent, entry.line)
    return tuple(orgs.values()), problems


def _projects(data: Any, seen: dict[str, int]) -> tuple[tuple[Project, ...], list[Problem]]:
    projects: list[Project] = []
    problems: list[Problem] = []
    for entry in data:
        values, lines, found = read_mapping(entry, PROJECT_FIELDS, CATALOG, "重大建设项目：")
        problems += found
        if not {"id", "name", "code", "owner", "location"} <= values.keys():
            continue
        project_id, code = text(values["id"]), text(values["code"])
        problems += _check_id(project_id, lines["id"], seen, "项目")
        if not PROJECT_CODE_RE.match(code):
            problems.append(Problem(CATALOG, lines["code"], "E850",
                                    f"项目代码“{code}”格式错误，应为 YYYY-NNNNNN-NN-NN-NNNNNN，"
                                    "如 2021-360926-48-01-004512"))
        elif f"项目代码:{code}" in seen:
            problems.append(Problem(CATALOG, lines["code"], "E850",
                                    f"项目代码“{code}”重复（第 {seen[f'项目代码:{code}']} 行已使用）"))
        else:
            seen[f"项目代码:{code}"] = lines["code"]
        notes = values.get("notes") or Mapping()
        for stage in notes:
            if stage not in PROJECT_STAGES:
                problems.append(Problem(CATALOG, notes.line_of(stage), "E852",
                                        f"notes 中的“{stage}”不是全链条信息类别之一："
                                        + "、".join(PROJECT_STAGES)))
        projects.append(Project(
            id=project_id, name=text(values["name"]), code=code, owner=text(values["owner"]),
            location=text(values["location"]), investment=text(values.get("investment")),
            start=values.get("start"), end=values.get("end"),
            notes=tuple((s, text(v)) for s, v in notes.items() if s in PROJECT_STAGES), line=entry.line))
    return tuple(projects), problems


def _site(data: Any, root: Path, line: int) -> tuple[SiteInfo | None, list[Problem]]:
    values, lines, problems = read_mapping(data, SITE_FIELDS, CATALOG, "site：")
    if "title" not in values or "org" not in values:
        return None, problems
    theme = text(values.get("theme"))
    if theme and not THEME_RE.match(theme):
        problems.append(Problem(CATALOG, lines["theme"], "E109",
                                f"主题“{theme}”须为 themes/ 下的文件夹名（字母、数字、-、_，不能含路径）"))
        values.pop("theme")
    elif theme and theme != "default" and not (root / "themes" / theme).is_dir():
        problems.append(Problem(CATALOG, lines["theme"], "E105", f"主题目录 themes/{theme}/ 不存在"))
    base_url = text(values.get("base_url"))
    if base_url and not BASE_URL_RE.match(base_url):
        problems.append(Problem(CATALOG, lines["base_url"], "E110",
                                f"base_url“{base_url}”须为 http:// 或 https:// 开头的网址，"
                                "如 https://www.example.gov.cn/"))
        values.pop("base_url")
    fields = {k: text(v) or None if k == "base_url" else text(v) for k, v in values.items()}
    return SiteInfo(**fields, lines={"site": line, **lines}), problems


def _units(data: Any) -> tuple[dict[str, str], list[Problem]]:
    units: dict[str, str] = {}
    problems: list[Problem] = []
    for unit_id, name in data.items():
        line = data.line_of(unit_id)
        if not isinstance(unit_id, str) or not ID_RE.match(unit_id):
            problems.append(Problem(CATALOG, line, "E103", f"单位 id“{unit_id}”须为小写字母、数字、-、_"))
        elif not isinstance(name, str) or not name.strip():
            problems.append(Problem(CATALOG, line, "E005", f"单位“{unit_id}”的名称应为文字"))
        else:
            units[unit_id] = name.strip()
    return units, problems


def _domains(data: Any, units: dict[str, str], orgs: set[str],
             seen: dict[str, int]) -> tuple[tuple[Domain, ...], list[Problem]]:
    domains: list[Domain] = []
    problems: list[Problem] = []
    for entry in data:
        values, lines, found = read_mapping(entry, DOMAIN_FIELDS, CATALOG, "领域：")
        problems += found
        if "id" not in values or "name" not in values:
            continue
        domain_id = text(values["id"])
        problems += _check_id(domain_id, lines["id"], seen, "领域")
        org, found = _org_ref(values, lines, orgs)
        problems += found
        items: list[Item] = []
        for item_data in values.get("items", []):
            item, item_problems = _item(item_data, domain_id, units, seen, orgs, org)
            problems += item_problems
            if item:
                items.append(item)
        domains.append(Domain(domain_id, text(values["name"]), tuple(items), entry.line, org))
    return tuple(domains), problems


def _check_id(ident: str, line: int, seen: dict[str, int], what: str) -> list[Problem]:
    if not ID_RE.match(ident):
        return [Problem(CATALOG, line, "E103", f"{what} id“{ident}”须为小写字母、数字、-、_（用于网址）")]
    if what == "领域" and ident in RESERVED_NAMES:  # a domain is a top-level folder of build/
        names = "、".join(sorted(RESERVED_NAMES))
        return [Problem(CATALOG, line, "E107", f"{what} id“{ident}”与网站自身的栏目或文件同名，"
                        f"会覆盖它们：请换一个 id（保留名：{names}）")]
    key = f"{what}:{ident}"
    if key in seen:
        return [Problem(CATALOG, line, "E102", f"{what} id“{ident}”重复（第 {seen[key]} 行已使用）")]
    seen[key] = line
    return []


def _org_ref(values: dict[str, Any], lines: dict[str, int],
             orgs: set[str]) -> tuple[str | None, list[Problem]]:
    org = text(values.get("org")) or None
    if org is None or org in orgs:
        return org, []
    return None, [Problem(CATALOG, lines["org"], "E854", f"org“{org}”不是 orgs 中定义的乡镇/村 id")]


def item_stage(l1: str) -> str | None:
    """The 全链条 category an item's 一级事项 names: 批准结果信息 → 批准结果."""
    return next((stage for stage in PROJECT_STAGES if l1.startswith(stage)), None)


def _item(data: Any, domain_id: str, units: dict[str, str], seen: dict[str, int],
          orgs: set[str], domain_org: str | None) -> tuple[Item | None, list[Problem]]:
    values, lines, problems = read_mapping(data, ITEM_FIELDS, CATALOG, "事项：")
    if not {"id", "l1", "owner"} <= values.keys():
        return None, problems
    org, found = _org_ref(values, lines, orgs)
    problems += found
    item_id = text(values["id"])
    problems += _check_id(item_id, lines["id"], seen, "事项")
    owner = text(values["owner"])
    if owner not in units:
        problems.append(Problem(CATALOG, lines["owner"], "E101",
                                f"公开主体“{owner}”不是 units 中定义的单位 id", item_id, owner))
    co_owners = _texts(values.get("co_owners"))
    for unit in co_owners:
        if unit not in units:
            problems.append(Problem(CATALOG, lines["co_owners"], "E101",
                                    f"共同公开主体“{unit}”不是 units 中定义的单位 id", item_id, unit))
    path = text(values.get("path")) or f"content/{domain_id}/{item_id}"
    normalized = os.path.normpath(path).replace(os.sep, "/")
    if not (normalized == "content" or normalized.startswith("content/")):
        problems.append(Problem(CATALOG, lines.get("path", data.line), "E104",
                                f"事项 path“{path}”必须位于 content/ 之内", item_id))
    channels = values.get("channels") or {}
    item = Item(
        id=item_id, domain_id=domain_id, l1=text(values["l1"]), l2=text(values.get("l2")) or None,
        content=_texts(values.get("content")), basis=_texts(values.get("basis")),
        time_limit=text(values.get("time_limit")), owner=owner, co_owners=co_owners,
        channels_required=_texts(channels.get("required")),
        channels_optional=_texts(channels.get("optional")),
        audience=text(values.get("audience")) or "全社会", mode=text(values.get("mode")) or "主动",
        levels=_texts(values.get("levels")), path=normalized.rstrip("/"),
        update=text(values.get("update")) or None, line=data.line, org=org or domain_org,
        stage=text(values.get("stage")) or item_stage(text(values["l1"])),
    )
    return item, problems


def _texts(values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values.strip(),)
    return tuple(text(v) for v in values if text(v))


# --- documents ------------------------------------------------------------------------------


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
LoadedCatalog = tuple[Catalog | None, list[Problem]]  # load_catalog's result


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
    document = Document(
        rel=rel, item_id=item_id, title=text(values["title"]), issuer=text(values["issuer"]),
        date=values["date"], published=values["published"], disclosure=values["disclosure"],
        reviewer=text(values["reviewer"]), reviewed=values["reviewed"], markdown=body,
        body_line=body_line, slug=slug, index_no=text(values.get("index_no")),
        kind=text(values.get("kind")) or "其他", doc_number=text(values.get("doc_number")) or None,
        exempt_basis=text(values.get("exempt_basis")) or None,
        topic=text(values.get("topic")) or None, validity=text(values.get("validity")) or None,
        interprets=_resolve_rel(rel, text(values.get("interprets"))),
        interp_form=text(values.get("interp_form")) or None,
        origin=text(values.get("source")) or None, attachments=attachments, lines=lines,
        interp_type=text(values.get("interp_type")) or None, project=project,
        replaced_by=_replacement(rel, text(values.get("replaced_by"))),
    )
    return document, problems


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

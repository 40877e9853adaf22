"""Stage 1, load: read catalog.yaml into the data model (content.py reads the documents).

Nothing here writes. Every input problem is collected with its file and line; loading goes on
after a problem so that the editor sees all of them at once.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import posixpath
import re
from pathlib import Path
from typing import Any

from govsite.model import (
    ORG_LEVELS,
    PROJECT_STAGES,
    Catalog,
    Domain,
    Item,
    Org,
    Project,
    SiteInfo,
)
from govsite.problems import Problem
from govsite.schema import Field, read_mapping, text
from govsite.sections import RESERVED_NAMES
from govsite.textcheck import escape_problems, raw_text_problems
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


LoadedCatalog = tuple[Catalog | None, list[Problem]]  # load_catalog's result

"""`govsite import-catalog`: a county's existing catalogue table (CSV or XLSX) -> catalog.yaml.

Real tables vary: one or two header rows ("公开对象" over "全社会 | 特定群体"), combined names
("公开对象-全社会"), √ ticks, ■/□ channel marks and merged cells, which arrive as blanks below
the first row of the merge, ☐/☑ and the Wingdings characters Word leaves for them (þ, ¨). Headers
are matched by keyword; merged blanks are filled from the row above for the columns that are merged
in practice (never for tick columns). Optional columns a table lacks (公开对象, 公开方式, 公开层级)
take a stated default, with a warning. A cell naming several units (县民政局；各乡镇人民政府) gives
the first as the owner and the others as co-owners; unit ids are the names' pinyin initials.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from govsite.names import unique, unit_initials
from govsite.problems import GovsiteError, Problem, has_errors
from govsite.scaffold import ensure_empty, init_site, site_lines, standard_domains
from govsite.tables import Sheet, read_table

# (key, header keywords), most specific first.
FIELDS = (
    ("seq", ("序号",)),
    ("domain", ("领域",)),
    ("l1", ("一级事项", "一级", "事项名称", "公开事项")),
    ("l2", ("二级事项", "二级")),
    ("content", ("公开内容", "内容")),
    ("basis", ("公开依据", "依据")),
    ("time_limit", ("公开时限", "时限")),
    ("owner", ("公开主体", "责任主体", "责任单位", "主体")),
    ("channels", ("公开渠道", "渠道", "载体")),
    ("audience", ("公开对象", "对象")),
    ("mode", ("公开方式", "方式")),
    ("levels", ("公开层级", "层级")),
)
AUDIENCES = {"全社会": "全社会", "特定群体": "特定群体", "特定群众": "特定群体"}
MODES = {"主动": "主动", "主动公开": "主动", "依申请": "依申请", "依申请公开": "依申请"}
TICKS = set("√✓✔☑●■是Yy")
FILLED = ("domain", "l1", "basis", "time_limit", "owner", "channels", "audience", "mode", "levels")
GENERAL = "政务公开工作"
STANDARD_ITEMS = (("工作动态", "gzdt"), ("通知公告", "tzgg"))
DOMAIN_ALIASES = {"扶贫": "xczx", "征地补偿": "ncjttdzs", "城市管理": "cszhzf"}
DEFAULTS = {"audience": "全社会", "mode": "主动"}  # and 公开层级: 乡级 for a township's table, else 县级
OPTIONAL = {"audience": "公开对象", "mode": "公开方式", "levels": "公开层级"}
# a township's own catalogue: its title names a 乡, 镇 or 街道 before the domain or 标准目录
TOWNSHIP = re.compile(r"(乡|镇|街道)(人民政府|办事处)?\S{0,12}?(领域|基层|标准目录|政务公开)")
OWNER_SPLIT = re.compile(r"\s*[；;、/／]\s*")
# numbered content: 1、… 2、…, 1. … 2. …, （1）… （2）…, ①…
CONTENT_NUMBER = re.compile(r"(?:^|\s*)(?:\d{1,2}\s*[、.．](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])\s*")
ITEM_ORDER = ("id", "seq", "l1", "l2", "content", "basis", "time_limit", "owner", "co_owners", "channels",
              "audience", "mode", "levels")
_SPACE = re.compile(r"\s+")
_MARKED = re.compile(r"([■□☑☐])\s*([^■□☑☐]+)")
_SPLIT = re.compile(r"[、，,；;\n]+")


@dataclass
class Column:
    index: int
    key: str
    tick: str | None = None  # for a √ sub-column: the value a tick stands for


@dataclass
class Imported:
    units: dict[str, str] = field(default_factory=dict)
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> domain
    problems: list[Problem] = field(default_factory=list)
    no_domain: set[str] = field(default_factory=set)  # sheets already told they lack a domain
    added: list[str] = field(default_factory=list)  # standard items the table lacked: "名称（id）"

    @property
    def item_count(self) -> int:
        return sum(len(d["items"]) for d in self.domains.values())


# --- headers -----------------------------------------------------------------------------------


def norm(text: str) -> str:
    return _SPACE.sub("", text)


def find_header(rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows):
        names = {norm(c) for c in row if c}
        if len(names) >= 3 and any(field_for(n) == "l1" for n in names):
            return index
    return None


def field_for(name: str) -> str | None:
    for key, words in FIELDS:
        if any(word in name for word in words):
            return key
    return None


def has_subheader(rows: list[list[str]], header: int) -> bool:
    """A second header row sits under merged parents: two filled cells under one parent."""
    if header + 1 >= len(rows):
        return False
    top, below = rows[header], rows[header + 1]
    if any(set(c) & TICKS for c in below):
        return False
    return any(below[c] and below[c + 1] and top[c] and top[c + 1] in ("", top[c])
               for c in range(min(len(top), len(below)) - 1))


def header_columns(rows: list[list[str]], header: int) -> tuple[list[Column], int]:
    """The recognised columns and the index of the first data row."""
    top = [norm(c) for c in rows[header]]
    two_rows = has_subheader(rows, header)
    below = [norm(c) for c in rows[header + 1]] if two_rows else [""] * len(top)
    columns: list[Column] = []
    parent = ""
    for index, name in enumerate(top):
        parent = name or (parent if two_rows else "")
        child = below[index] if index < len(below) else ""
        if not child:
            parent, _, child = split_combined(parent)
        column = classify(index, parent, child)
        if column:
            columns.append(column)
    return columns, header + (2 if two_rows else 1)


def split_combined(name: str) -> tuple[str, str, str]:
    """"公开对象-全社会" -> ("公开对象", "-", "全社会"); other names are left whole."""
    match = re.match(r"^(.+?)[-—_/／:：](.+)$", name)
    if match and is_sub_value(match.group(2)):
        return match.group(1), "-", match.group(2)
    return name, "", ""


def is_sub_value(name: str) -> bool:
    return name in AUDIENCES or name in MODES or (name.endswith("级") and len(name) <= 6)


def classify(index: int, parent: str, child: str) -> Column | None:
    if child and child != parent:
        if child in AUDIENCES:
            return Column(index, "audience", AUDIENCES[child])
        if child in MODES:
            return Column(index, "mode", MODES[child])
        if is_sub_value(child):
            return Column(index, "levels", child)
        key = field_for(child)
        if key:
            return Column(index, key)
    key = field_for(parent)
    return Column(index, key) if key else None


# --- rows --------------------------------------------------------------------------------------


def import_table(path: Path, domain: str | None = None) -> Imported:
    result = Imported()
    by_id = {d["id"]: d["name"] for d in standard_domains()["domains"]}
    domain = by_id.get(domain, domain) if domain else None
    for sheet in read_table(path):
        import_sheet(sheet, domain, result)
    if not result.domains and not result.problems:
        result.problems.append(Problem(str(path), None, "E601", "表格中没有找到任何事项"))
    return result


def import_sheet(sheet: Sheet, domain: str | None, result: Imported) -> None:
    header = find_header(sheet.rows)
    if header is None:
        result.problems.append(Problem(sheet.label, None, "E601",
                                       "找不到表头：表头须含“一级事项”（或“公开事项”）等列名"))
        return
    columns, first = header_columns(sheet.rows, header)
    keys = {c.key for c in columns}
    missing = [name for key, name in (("l1", "一级事项"), ("owner", "公开主体")) if key not in keys]
    if missing:
        result.problems.append(Problem(sheet.label, header + 1, "E601",
                                       f"表头缺少列：{'、'.join(missing)}"))
        return
    domain = domain or domain_in(sheet.rows[:header]) or domain_in([[sheet.title]])
    defaults = absent_defaults(sheet, header, keys, result)
    previous: dict[str, str] = {"domain": domain} if domain else {}
    for number, row in enumerate(sheet.rows[first:], start=first + 1):
        previous = import_row(sheet.label, number, row, columns, previous, result, defaults)


def absent_defaults(sheet: Sheet, header: int, keys: set[str], result: Imported) -> dict[str, Any]:
    """The values of optional columns the table lacks, each stated in a warning."""
    defaults: dict[str, Any] = {key: value for key, value in DEFAULTS.items() if key not in keys}
    if "levels" not in keys:
        title = sheet.title + "".join(c for row in sheet.rows[:header] for c in row)
        defaults["levels"] = ["乡级"] if TOWNSHIP.search(title) else ["县级"]
    for key, value in defaults.items():
        shown = "、".join(value) if isinstance(value, list) else value
        result.problems.append(Problem(sheet.label, header + 1, "W620",
                                       f"表格没有“{OPTIONAL[key]}”列：所有事项按“{shown}”导入，请核对"))
    return defaults


def domain_in(rows: list[list[str]]) -> str | None:
    """A standard domain named in a title row or section row (一、重大建设项目)."""
    for row in rows:
        for cell in row:
            for name in known_domains():
                if name in cell:
                    return name
    return None


@cache
def known_domains() -> dict[str, str]:
    data = standard_domains()
    names = {d["name"]: d["id"] for d in data["domains"]}
    return names | DOMAIN_ALIASES


def import_row(label: str, number: int, row: list[str], columns: list[Column],
               previous: dict[str, str], result: Imported, defaults: dict[str, Any]) -> dict[str, str]:
    """Read one data row into `result`; return the values later merged blanks inherit."""
    filled = [c for c in columns if c.index < len(row) and row[c.index]]
    if not filled or is_note(row) or repeats_header(row, columns):
        return previous
    values = {c.key: row[c.index] for c in reversed(filled) if c.tick is None}
    if set(values) <= {"domain", "seq"} and not any(c.tick for c in filled):
        section = domain_in([row])
        if section:
            return {"domain": section}
    if "domain" in values and values["domain"] != previous.get("domain"):
        previous = {}
    merged = {k: previous[k] for k in FILLED if k in previous} | values
    ticks: dict[str, list[str]] = {}
    for column in filled:
        if column.tick and set(row[column.index]) & TICKS:
            ticks.setdefault(column.key, []).append(column.tick)
    item, problem = build_item(merged, ticks, number, defaults)
    if problem:
        result.problems.append(Problem(label, number, "E602", problem))
        return merged
    if not merged.get("domain"):
        if label not in result.no_domain:
            result.no_domain.add(label)
            result.problems.append(Problem(label, number, "E604", "不知道从这一行起的事项属于哪个领域："
                                           "请加“领域”列或使用 --domain 领域名"))
        return merged
    add_item(result, merged["domain"], merged["owner"], item)
    return merged


def repeats_header(row: list[str], columns: list[Column]) -> bool:
    """Tables pasted from Word repeat the header on every page."""
    return any(c.key == "l1" and c.index < len(row) and norm(row[c.index]) in FIELDS[2][1]
               for c in columns)


def is_note(row: list[str]) -> bool:
    cells = [c for c in row if c]
    return len(cells) <= 2 and cells[0].startswith(("注", "备注", "说明", "填表说明"))


def build_item(values: dict[str, str], ticks: dict[str, list[str]], number: int,
               defaults: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    if not values.get("l1"):
        return {}, f"第 {number} 行缺少一级事项"
    if not values.get("owner"):
        return {}, f"第 {number} 行缺少公开主体"
    audience = one_of(ticks.get("audience"), values.get("audience"), AUDIENCES) or defaults.get("audience")
    mode = one_of(ticks.get("mode"), values.get("mode"), MODES) or defaults.get("mode")
    levels = ticks.get("levels") or split_levels(values.get("levels", "")) or defaults.get("levels")
    for name, value in (("公开对象", audience), ("公开方式", mode), ("公开层级", levels)):
        if not value:
            return {}, f"第 {number} 行的{name}未勾选或无法识别"
    required, optional = parse_channels(values.get("channels", ""))
    item: dict[str, Any] = {
        "seq": int(values["seq"]) if values.get("seq", "").isdigit() else None,
        "l1": values["l1"], "l2": values.get("l2") or None,
        "content": split_content(values.get("content", "")),
        "basis": split_basis(values.get("basis", "")),
        "time_limit": values.get("time_limit") or None,
        "channels": {"required": required, "optional": optional},
        "audience": audience, "mode": mode, "levels": levels,
    }
    return {k: v for k, v in item.items() if v is not None}, None


def one_of(ticked: list[str] | None, text: str | None, vocabulary: dict[str, str]) -> str | None:
    """The first choice: a ticked sub-column, else the first vocabulary word in a text cell."""
    if ticked:
        return ticked[0]
    if not text:
        return None
    found = [(text.find(word), value) for word, value in vocabulary.items() if word in text]
    return min(found)[1] if found else None


def split_levels(text: str) -> list[str]:
    return [part for part in re.split(r"[，,/／;；\s]+", text) if part]


def split_list(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def split_content(text: str) -> list[str]:
    """Numbered content (1、甲 2、乙；（1）…；①…) splits at its numbers, other content at 、，；."""
    if not CONTENT_NUMBER.match(text) or not re.match(r"^\s*(\d|[（(]\d|[①-⑳])", text):
        return split_list(text)
    parts = CONTENT_NUMBER.split(text)
    return [p.strip().rstrip("；;，,。") for p in parts if p.strip().rstrip("；;，,。")]


def split_basis(text: str) -> list[str]:
    text = re.sub(r"》\s*[、，,]?\s*《", "》\n《", text)
    return [part.strip() for part in re.split(r"[\n；;]+", text) if part.strip()]


def parse_channels(text: str) -> tuple[list[str], list[str]]:
    """■ (or ☑) = required, □ (or ☐) = optional; unmarked channels count as required.

    A cell whose marks are all □/☐ lists its channels with empty boxes, as tables drawn from a
    form do: the boxes are bullets there, not a choice, and the channels count as required.
    """
    marked = _MARKED.findall(text)
    if marked and all(mark in "□☐" for mark, _ in marked):
        return [n.strip() for _, names in marked for n in re.split(r"[、，,；;\s]+", names) if n.strip()], []
    if not marked:
        return split_list(text), []
    required, optional = [], []
    for mark, names in marked:
        target = required if mark in "■☑" else optional
        target += [n.strip() for n in re.split(r"[、，,；;\s]+", names) if n.strip()]
    return required, optional


# --- ids and output ----------------------------------------------------------------------------


def add_item(result: Imported, domain_name: str, owner: str, item: dict[str, Any]) -> None:
    domain = result.domains.get(domain_name)
    if domain is None:
        domain = {"id": domain_id(domain_name, result), "name": domain_name, "items": []}
        result.domains[domain_name] = domain
    item_id = f"{domain['id']}-{len(domain['items']) + 1:03d}"
    owners = [unit_id(name, result.units) for name in OWNER_SPLIT.split(owner) if name]
    full = item | {"id": item_id, "owner": owners[0]}
    if owners[1:]:
        full["co_owners"] = list(dict.fromkeys(o for o in owners[1:] if o != owners[0]))
    domain["items"].append({k: full[k] for k in ITEM_ORDER if k in full})


def domain_id(name: str, result: Imported) -> str:
    taken = {d["id"] for d in result.domains.values()}
    known = known_domains()
    base = known.get(name) or next((i for n, i in known.items() if n in name), None)
    base = base or ("zwgk" if name == GENERAL else None)
    base = base or f"ly{len(result.domains) + 1:02d}"
    return unique(base, taken)


def unit_id(name: str, units: dict[str, str]) -> str:
    for uid, existing in units.items():
        if existing == name:
            return uid
    uid = unique(unit_initials(name) or "unit", units)
    units[uid] = name
    return uid


def add_standard_items(result: Imported, county: str) -> None:
    """工作动态 and 通知公告, which every site publishes (the home page's W702), when the table lacks them."""
    names = [f"{i['l1']}{i.get('l2', '')}" for d in result.domains.values() for i in d["items"]]
    missing = [(name, suffix) for name, suffix in STANDARD_ITEMS if not any(name in n for n in names)]
    if not missing or not result.domains:
        return
    office = next((uid for uid, name in result.units.items() if name.endswith("人民政府办公室")), None)
    office = office or unit_id(f"{county}人民政府办公室", result.units)
    first = next(iter(result.domains.values()))["items"][0]
    domain = result.domains.setdefault(GENERAL, {"id": domain_id(GENERAL, result), "name": GENERAL, "items": []})
    taken = {i["id"] for d in result.domains.values() for i in d["items"]}
    for name, suffix in missing:
        item_id = unique(f"{domain['id']}-{suffix}", taken)
        domain["items"].append({
            "id": item_id, "l1": GENERAL, "l2": name, "content": [name],
            "basis": ["《中华人民共和国政府信息公开条例》"], "time_limit": "信息形成或者变更之日起20个工作日内",
            "owner": office, "channels": {"required": ["政府网站"], "optional": []},
            "audience": "全社会", "mode": "主动", "levels": first.get("levels", ["县级"]),
        })
        result.added.append(f"{name}（{item_id}）")


class _PlainDumper(yaml.SafeDumper):
    """Writes a value shared by several items out each time: govsite refuses YAML anchors (E020)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def catalog_yaml(result: Imported, county: str, source: str) -> str:
    units = yaml.dump({"units": result.units}, Dumper=_PlainDumper, allow_unicode=True,
                      sort_keys=False, default_flow_style=False, width=4096)
    domains = yaml.dump({"domains": list(result.domains.values())}, Dumper=_PlainDumper,
                        allow_unicode=True, sort_keys=False, default_flow_style=None, width=4096)
    header = [f"# 由 govsite import-catalog 从 {Path(source).name} 导入；请核对后补充 site 各项。",
              *site_lines(county)]
    return "\n".join(header) + "\n" + units + domains


def import_catalog(table: Path, output: Path, *, domain: str | None = None,
                   county: str = "某某县", force: bool = False) -> Imported:
    """Import `table` and write `output`; on any problem write nothing and raise."""
    if output.exists() and not force:
        raise GovsiteError([Problem(str(output), None, "E612",
                                    "文件已存在，不会覆盖：请换一个 -o 文件名，或加 --force")])
    result = catalog_from_table(table, domain, county)
    output.write_text(catalog_yaml(result, county, str(table)), encoding="utf-8")
    return result


def catalog_from_table(table: Path, domain: str | None, county: str) -> Imported:
    """The table imported, with the standard items it lacks; raises on any error."""
    result = import_table(table, domain)
    if has_errors(result.problems):
        raise GovsiteError(result.problems)
    add_standard_items(result, county)
    return result


def init_from_table(target: Path, table: Path, county: str, today: dt.date,
                    domain: str | None = None) -> Imported:
    """`govsite init DIR --catalog TABLE`: a new site whose catalogue is the office's own table,
    with each item's folder (kept in git by an empty .gitkeep) ready for its documents."""
    ensure_empty(target)
    result = catalog_from_table(table, domain, county)
    init_site(target, county, today, catalog_yaml(result, county, str(table)))
    for entry in result.domains.values():
        for item in entry["items"]:
            folder = target / "content" / entry["id"] / item["id"]
            folder.mkdir(parents=True)
            (folder / ".gitkeep").touch()
    return result

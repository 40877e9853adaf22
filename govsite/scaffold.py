"""`govsite init` (a new, buildable site) and `govsite new` (a document and its publication record).

Both write YAML by hand rather than with yaml.dump so that the files carry Chinese comments
telling the editor what to fill in.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from govsite.bodyfacts import PLACEHOLDER
from govsite.load import ID_RE, load_catalog
from govsite.model import INTERP_FORMS, INTERP_TYPES, KINDS, VALIDITIES, Item
from govsite.problems import GovsiteError, Problem

KIND_PREFIXES = {
    "政策文件": "zcwj",
    "政策解读": "zcjd",
    "通知公告": "tzgg",
    "工作动态": "gzdt",
    "报告": "bg",
    "其他": "qt",
}
WELCOME = "content/zwgk/zwgk-gzdt/welcome.md"
# the output, the staging folders a build writes beside it (govsite.output.staging) and the cache
GITIGNORE = "/build/\n/build.*/\n/.build.*/\n.govsite-cache/\n"


@cache
def standard_domains() -> dict[str, Any]:
    """The 26 pilot domains with two typical items each (templates_init/domains.yaml)."""
    text = resources.files("govsite").joinpath("templates_init/domains.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def scalar(value: str) -> str:
    """A YAML scalar for `value`: plain when it reads back unchanged, else double-quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok and value else json.dumps(value, ensure_ascii=False)


def flow(values: list[str]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


# --- govsite init -----------------------------------------------------------------------------


def ensure_empty(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise GovsiteError([Problem(str(target), None, "E613",
                                    "目录已存在且不是空目录：请指定一个新目录")])


def init_site(target: Path, county: str, today: dt.date, catalog: str | None = None,
              towns: list[tuple[str, str]] | None = None) -> list[Path]:
    """Create a new site in `target` (missing or empty); return the files written.

    Without `catalog` (catalog.yaml's text), the site has the standard example catalogue, with
    an org and the standard 村务 items for each of the `towns`, and a welcome document in its
    工作动态 item; with it, that catalogue alone.
    """
    ensure_empty(target)
    files = {"catalog.yaml": catalog or catalog_text(county, towns)}
    if catalog is None:
        files[WELCOME] = welcome_text(county, today)
    files["zfxxgk/guide.yaml"] = guide_text(county, today)
    files[".gitignore"] = GITIGNORE
    written = []
    for rel, content in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    (target / "themes").mkdir()
    return written


def guide_text(county: str, today: dt.date) -> str:
    """A filled-in 政府信息公开指南 (zfxxgk/guide.yaml): the column exists from the start."""
    return f"""# {county}人民政府政府信息公开指南（《中华人民共和国政府信息公开条例》第十二条）
# 请把示例改为本单位的实际信息；未写的部分（申请内容、答复期限、信息处理费、监督和救济）
# 使用条例和国办函〔2020〕109号的规定文字。年报放在 zfxxgk/nb/，格式见 docs/zfxxgk-column.md
office:
  name: {county}人民政府办公室
  address: {county}人民大道1号县行政中心（请改为实际地址）
  hours: 工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）
  phone: 0000-0000000（请改为实际电话）
  fax: 0000-0000001
  postcode: "000000"
channels:
  - 当面提交：到县政务服务中心政府信息公开申请受理窗口填写《政府信息公开申请表》
  - 信函提交：邮寄至县人民政府办公室，信封左下角注明“政府信息公开申请”
updated: {today.isoformat()}
# rules_item: 发布政府信息公开制度的事项 id（“政府信息公开制度”子栏目）
"""


def parse_towns(text: str) -> list[tuple[str, str]]:
    """--towns 大塅镇,永宁镇 (ids town1, town2) or dads=大塅镇,yn=永宁镇: [(id, name)]."""
    towns: list[tuple[str, str]] = []
    for number, entry in enumerate((e.strip() for e in text.replace("，", ",").split(",")), 1):
        if not entry:
            continue
        town_id, _, name = entry.rpartition("=")
        town_id = town_id.strip() or f"town{number}"
        if not ID_RE.match(town_id) or not name.strip():
            raise GovsiteError([Problem("--towns", None, "E103", f"乡镇“{entry}”应写作 名称 或 "
                                        "id=名称，id 须为小写字母、数字、-、_")])
        towns.append((town_id, name.strip()))
    return towns


def catalog_text(county: str, towns: list[tuple[str, str]] | None = None) -> str:
    towns = towns or []
    data = standard_domains()
    lines = [
        f"# {county}基层政务公开标准目录（由 govsite init 生成）",
        "# 各领域下的事项均为示例（note: 示例事项），请按本县实际修改、补充或删除。",
        *site_lines(county),
        "units:                   # 公开主体（责任单位）：id 用于网址和引用，名称请按实际修改",
    ]
    lines += [f"  {uid}: {scalar(name.replace('{county}', county))}"
              for uid, name in data["units"].items()]
    lines += [f"  {town_id}-zf: {scalar(name + '人民政府')}" for town_id, name in towns]
    if towns:
        lines.append("orgs:                    # 乡镇（街道）；村（居）写 parent: 乡镇 id")
        lines += [f"  - {{id: {town_id}, name: {scalar(name)}}}" for town_id, name in towns]
    lines.append("domains:")
    for domain in [*data["domains"], data["general"]]:
        lines += domain_lines(domain, data["defaults"], data["common_basis"])
    for town_id, name in towns:
        domain = {"id": town_id, "name": f"{name}政务公开", "owner": f"{town_id}-zf",
                  "items": [item | {"id": f"{town_id}-{item['id']}", "levels": ["乡级"]}
                            for item in data["village"]]}
        lines += domain_lines(domain | {"org": town_id}, data["defaults"], data["common_basis"])
    return "\n".join(lines) + "\n"


def site_lines(county: str) -> list[str]:
    """The `site:` section with the registrations left for the county to fill in."""
    return [
        "site:",
        f"  title: {scalar(county + '人民政府')}",
        f"  org: {scalar(county + '人民政府办公室')}        # 主办单位",
        "  language: zh-CN",
        '  site_code: ""          # 网站标识码（10 位数字或 bm 加 8 位数字），请填写',
        '  icp: ""                # ICP备案号，如 赣ICP备00000000号，请填写',
        '  police_record: ""      # 公安机关备案号，如 赣公网安备 36000000000000号，请填写',
        '  contact: ""            # 联系方式，如 联系电话 0000-0000000，请填写',
        '  index_prefix: ""       # 索引号前缀：组织机构代码或统一社会信用代码，请填写',
        "  # base_url: https://www.example.gov.cn/   # 网站正式地址，上线前填写",
    ]


def domain_lines(domain: dict[str, Any], defaults: dict[str, Any], common: str) -> list[str]:
    lines = [f"  - id: {domain['id']}", f"    name: {scalar(domain['name'])}"]
    lines += [f"    org: {domain['org']}"] if "org" in domain else []
    lines.append("    items:")
    for raw in domain["items"]:
        item = defaults | raw
        channels = item["channels"]
        lines += [
            f"      - id: {item['id']}",
            "        note: 示例事项，请按本县实际修改",
            f"        l1: {scalar(item['l1'])}",
            f"        l2: {scalar(item['l2'])}",
            f"        content: {flow(item['content'])}",
            f"        basis: {flow([common, *item['basis']])}",
            f"        time_limit: {scalar(item['time_limit'])}",
            f"        owner: {domain['owner']}",
            f"        channels: {{required: {flow(channels['required'])}, "
            f"optional: {flow(channels['optional'])}}}",
            f"        audience: {item['audience']}",
            f"        mode: {item['mode']}",
            f"        levels: {flow(item['levels'])}",
        ]
    return lines


def welcome_text(county: str, today: dt.date) -> str:
    return f"""---
title: {scalar(f"{county}政务公开网站开通运行")}
issuer: xzfb
date: {today}
published: {today}
disclosure: 主动公开
reviewer: 网站管理员      # 审核人：请改为实际审核人姓名
reviewed: {today}
kind: 工作动态
---

{county}人民政府政务公开网站今日开通运行。网站按照基层政务公开标准目录，分领域公开政府信息，\
欢迎社会各界查阅、监督。

网站内容由各公开主体（责任单位）按照标准目录维护，发布前均经审核。
"""


# --- govsite new ------------------------------------------------------------------------------


def new_document(root: Path, item_id: str, title: str, kind: str, today: dt.date,
                 slug: str | None = None) -> Path:
    """Write a document skeleton into the item's folder and return its path."""
    item = find_item(root, item_id)
    folder = root / item.path
    if not folder.resolve().is_relative_to((root / "content").resolve()):
        raise GovsiteError([Problem("catalog.yaml", item.line, "E104",
                                    f"事项 path“{item.path}”必须位于 content/ 之内", item.id)])
    if not title.strip():
        raise GovsiteError([Problem(item.path, None, "E006", "标题不能为空")])
    slug = slug or next_slug(folder, kind, today)
    if not ID_RE.match(slug):
        raise GovsiteError([Problem(item.path, None, "E103",
                                    f"slug“{slug}”须为小写字母、数字、-、_（用于网址）")])
    path = folder / f"{slug}.md"
    if path.exists():
        rel = path.relative_to(root).as_posix()
        raise GovsiteError([Problem(rel, None, "E612", "文件已存在，不会覆盖：请换一个 --slug")])
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(document_text(item, title.strip(), kind, today, slug), encoding="utf-8")
    return path


def find_item(root: Path, item_id: str) -> Item:
    catalog, problems = load_catalog(root)
    if catalog is None:
        raise GovsiteError(problems)
    if item_id in catalog.item_by_id:
        return catalog.item(item_id)
    close = difflib.get_close_matches(item_id, list(catalog.item_by_id), n=3)
    hint = f"（是否想用：{'、'.join(close)}？）" if close else "（事项 id 见 catalog.yaml）"
    raise GovsiteError([Problem("catalog.yaml", None, "E611",
                                f"标准目录中没有事项“{item_id}”{hint}")])


def next_slug(folder: Path, kind: str, today: dt.date) -> str:
    taken = {p.stem for p in folder.rglob("*.md")} if folder.is_dir() else set()
    stem = f"{KIND_PREFIXES.get(kind, 'qt')}-{today:%Y%m%d}"
    number = 1
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


def document_text(item: Item, title: str, kind: str, today: dt.date, slug: str) -> str:
    rows = [
        ("# 发布意见单：发布前请逐项核对。审核人未填写时网站无法构建。", ""),
        (f"title: {scalar(title)}", ""),
        (f"# doc_number: 某府办字〔{today.year}〕1号",
         "文号：有文号时去掉行首“# ”并填写，使用六角括号〔〕"),
        (f"issuer: {item.owner}", "发文机关：单位 id（见 catalog.yaml 的 units）或单位全称"),
        (f"date: {today}", "成文日期"),
        (f"published: {today}", "发布日期：不得早于成文日期"),
        ("disclosure: 主动公开",
         "公开属性：主动公开 | 依申请公开 | 不予公开（后两者不会发布，须填写 exempt_basis）"),
        ("reviewer:", "审核人：请填写审核人姓名（必填）"),
        (f"reviewed: {today}", "审核日期：不得晚于发布日期"),
        (f"kind: {kind}", "类型：" + " | ".join(KINDS)),
    ]
    if kind == "政策解读":
        rows += [("# interprets: ../xxx.md",
                  "解读对象：被解读政策文件的相对路径，填写后去掉行首“# ”"),
                 ("interp_form: 文字", "解读形式：" + " ".join(INTERP_FORMS)),
                 ("interp_type: 首次解读", "解读类型：" + " ".join(INTERP_TYPES))]
    if kind == "政策文件":
        rows += [("validity: 有效", "有效性：" + " | ".join(VALIDITIES)),
                 ("# replaced_by: ../xxx.md", "失效或废止时：替代它的现行文件（相对路径或名称）")]
    rows += [
        ("# topic: 综合政务", "主题分类（可选）"),
        ("# project: 项目 id 或项目代码", "重大建设项目的文件：所属项目（见 catalog.yaml 的 projects）"),
        ("# attachments:", "附件（可选）：文件放在本文档旁边"),
        ("#   - file: 附件1.pdf", ""),
        ("#     title: 附件名称", ""),
        (f"slug: {slug}", "网址别名（小写字母、数字、-），发布后请勿修改"),
    ]
    front = "\n".join(commented(text, note) for text, note in rows)
    return f"---\n{front}\n---\n\n{PLACEHOLDER}。\n"


def commented(text: str, note: str, column: int = 34) -> str:
    """`text` with `note` as a YAML comment aligned at `column` (CJK characters count double)."""
    if not note:
        return text
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return f"{text}{' ' * max(column - width, 1)}# {note}"

"""A deterministic, realistic govsite site of N distinct documents (issue 17). Not committed.

    python3 benchmarks/realistic_corpus.py DIR [--docs 10000] [--seed 17]

The catalogue: 25 of the 26 standard domains of govsite init (templates_init/domains.yaml), each
with its two standard items and four more (150 items). The documents follow the distributions of
a county site rather than the real corpus' short notices:

- bodies of 300-8,000 Chinese characters, log-normal with a median of about 3,000, written
  sentence by sentence: sentences of the 148 real documents (/work/shared/real-corpus) recombined,
  mixed with generated sentences (places, units, amounts, dates, 文号), so no two bodies repeat;
- sections (## 一、… and ### （一）…), lists, tables (about a third of the documents), links to
  earlier published documents (about half), attachments (one in seven, 2-60 KB);
- full publication records (文号 on policies, 索引号, 主题分类, 有效性, 来源); policy
  interpretations (政策解读) linked to their policy; 3 % 依申请公开 and 2 % 不予公开 (with
  their 依据), which the build must leave out.

The same N and seed give the same bytes; `edit()` changes one published document's body.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# ../shared/real-corpus beside the checkout (as CI lays it out), else the workspace's copy.
REAL_CORPUS = next((path for path in (ROOT.parent / "shared" / "real-corpus",
                                      Path("/work/shared/real-corpus")) if path.is_dir()),
                   ROOT.parent / "shared" / "real-corpus")
DOMAINS_FILE = ROOT / "govsite" / "templates_init" / "domains.yaml"
COUNTY = "青山县"
INDEX_PREFIX = "11360999MB1234567X"
DOMAIN_COUNT = 25
EXTRA_ITEMS = ("gzdt", "tzgg", "zcjd", "xxgk")
EXTRA_NAMES = ("工作动态", "通知公告", "政策解读", "信息公开")
PLACES = ["城关镇", "青溪镇", "石门乡", "白水乡", "龙潭镇", "清河乡", "东岭村", "西坪村", "南岗社区",
          "北湖社区", "高新区", "工业园区", "青山大道", "滨江路", "县城南片区"]
SUBJECTS = ["县财政局", "县发展和改革局", "县住房和城乡建设局", "县自然资源局", "县生态环境局",
            "县民政局", "县农业农村局", "县应急管理局", "县市场监督管理局", "县教育局",
            "县卫生健康委员会", "各乡镇人民政府", "县人力资源和社会保障局", "县交通运输局"]
ACTIONS = ["开展专项检查", "组织集中培训", "完成资金拨付", "推进项目建设", "落实整改措施",
           "召开专题会议", "印发实施方案", "开展入户核查", "组织联合执法", "完成年度考核",
           "开展政策宣传", "建立工作台账"]
OBJECTS = ["农村危房", "老旧小区", "食品生产企业", "低保家庭", "重点建设项目", "河道岸线",
           "校舍安全", "养老机构", "地质灾害隐患点", "高标准农田", "供水管网", "公共资源交易项目"]
TOPICS = ["财政、审计", "城乡建设、环境保护", "国土资源、能源", "农业、林业、水利", "民政、扶贫、救灾",
          "劳动、人事、监察", "卫生、体育", "教育", "安全生产监管", "市场监管"]
CODES = ["青府", "青府办", "青财预", "青发改", "青住建", "青自然资", "青环", "青民字", "青农字", "青应急"]
FORMS = ["通知", "实施方案", "工作方案", "批复", "公告", "公示", "报告", "意见", "管理办法", "工作要点"]
NUMERALS = "一二三四五六七八九十"


def sentences() -> list[str]:
    found: list[str] = []
    for path in sorted((REAL_CORPUS / "content").rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        found += [s.strip() + "。" for s in re.split(r"[。\n]", body)
                  if 10 <= len(s.strip()) <= 150 and not re.search(r"[#|\[\]<>*_`]", s)]
    if not found:
        raise SystemExit(f"the real corpus's sentences are needed and {REAL_CORPUS} has none")
    return found


def generated_sentence(rng: random.Random) -> str:
    day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2900))
    return rng.choice([
        f"{day.year}年{day.month}月{day.day}日，{rng.choice(SUBJECTS)}在{rng.choice(PLACES)}"
        f"{rng.choice(ACTIONS)}，涉及{rng.choice(OBJECTS)}{rng.randint(3, 480)}处。",
        f"截至{day.year}年{day.month}月底，全县累计投入资金{rng.randint(12, 9800)}.{rng.randint(10, 99)}"
        f"万元，惠及{rng.choice(OBJECTS)}{rng.randint(20, 6000)}户。",
        f"{rng.choice(SUBJECTS)}负责{rng.choice(OBJECTS)}的日常监管，发现问题于{rng.randint(2, 15)}个"
        f"工作日内书面报送{rng.choice(SUBJECTS)}。",
        f"{rng.choice(PLACES)}{rng.choice(OBJECTS)}项目总投资{rng.randint(100, 90000)}万元，"
        f"计划于{day.year + 1}年{day.month}月前完工。",
        f"对{rng.choice(ACTIONS)[2:]}中发现的{rng.randint(2, 60)}个问题，已整改{rng.randint(1, 40)}个，"
        f"其余问题明确了责任单位和完成时限。",
    ])


@dataclass
class Corpus:
    rng: random.Random
    pool: list[str]
    published: list[tuple[str, str]] = field(default_factory=list)  # (rel, kind) of public ones
    numbers: dict[tuple[str, int], int] = field(default_factory=dict)
    index: dict[int, int] = field(default_factory=dict)

    def sentence(self) -> str:
        return self.rng.choice(self.pool) if self.rng.random() < 0.7 else generated_sentence(self.rng)

    def paragraph(self) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def table(self) -> str:
        columns = self.rng.choice([["项目名称", "实施地点", "资金（万元）"],
                                   ["单位", "检查次数", "发现问题", "已整改"],
                                   ["序号", "村（社区）", "户数", "补助金额（元）"]])
        rows = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for number in range(1, self.rng.randint(4, 12)):
            cells = [str(number) if c == "序号" else self.rng.choice(PLACES) if "地" in c or "村" in c
                     else self.rng.choice(SUBJECTS) if c == "单位"
                     else self.rng.choice(OBJECTS) + "项目" if c == "项目名称"
                     else str(self.rng.randint(1, 9000)) for c in columns]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def listing(self) -> str:
        ordered = self.rng.random() < 0.5
        return "\n".join(f"{n}. {self.sentence()}" if ordered else f"- {self.sentence()}"
                         for n in range(1, self.rng.randint(3, 7)))

    def body(self, rel: str, length: int, attachment: str | None) -> str:
        parts: list[str] = []
        size, section = 0, 0
        links = [r for r, _ in self.published[-400:]]
        while size < length:
            if size == 0 or self.rng.random() < 0.18:
                parts.append(f"## {NUMERALS[section % 10]}、{self.rng.choice(ACTIONS)}")
                section += 1
            elif self.rng.random() < 0.12:
                parts.append(f"### （{NUMERALS[self.rng.randrange(10)]}）{self.rng.choice(OBJECTS)}")
            roll = self.rng.random()
            if roll < 0.08:
                parts.append(self.listing())
            elif roll < 0.13 and not any(p.startswith("|") for p in parts):
                parts.append(self.table())
            elif roll < 0.2 and links:
                target = self.rng.choice(links)
                parts.append(f"{self.paragraph()}详见[相关文件]({relative(rel, target)})。")
            else:
                parts.append(self.paragraph())
            size += len(parts[-1])
        if attachment:
            parts.append(f"具体内容见[附件]({attachment})。")
        return "\n\n".join(parts) + "\n"


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


def dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def relative(from_rel: str, to_rel: str) -> str:
    a, b = from_rel.split("/")[:-1], to_rel.split("/")
    common = 0
    while common < min(len(a), len(b) - 1) and a[common] == b[common]:
        common += 1
    return "/".join([".."] * (len(a) - common) + b[common:])


def catalog() -> tuple[dict, list[tuple[str, str, str]]]:
    """catalog.yaml's data, and (domain id, item id, kind of its documents) for every item."""
    source = yaml.safe_load(DOMAINS_FILE.read_text(encoding="utf-8").replace("{county}", COUNTY))
    defaults = source["defaults"]
    domains, items = [], []
    for domain in source["domains"][:DOMAIN_COUNT]:
        entries = []
        for item in domain["items"]:
            entries.append({**defaults, **item, "basis": item.get("basis") or [source["common_basis"]],
                            "owner": item.get("owner", domain["owner"])})
        for short, name in zip(EXTRA_ITEMS, EXTRA_NAMES, strict=True):
            entries.append({**defaults, "id": f"{domain['id']}-{short}", "l1": domain["name"], "l2": name,
                            "content": [name], "basis": [source["common_basis"]], "owner": domain["owner"]})
        for entry in entries:
            kind = {"zcjd": "政策解读", "gzdt": "工作动态", "tzgg": "通知公告", "xxgk": "报告"}.get(
                entry["id"].rsplit("-", 1)[1], "政策文件")
            items.append((domain["id"], entry["id"], kind))
        domains.append({"id": domain["id"], "name": domain["name"], "items": entries})
    site = {"title": f"{COUNTY}人民政府", "org": f"{COUNTY}人民政府办公室",
            "base_url": "https://www.qingshan.example.gov.cn/", "language": "zh-CN",
            "site_code": "3609990001", "icp": "赣ICP备12345678号",
            "police_record": "赣公网安备 36099902000001号", "contact": "联系电话 0795-1234567",
            "index_prefix": INDEX_PREFIX}
    return {"site": site, "units": source["units"], "domains": domains}, items


def document(corpus: Corpus, n: int, docs: int, item: tuple[str, str, str],
             units: list[str]) -> tuple[str, str, bytes | None]:
    """Document n of `docs`: written in order over 2019-01 to 2026-11, so that a 政策解读
    follows its policy by a few days."""
    rng = corpus.rng
    domain, item_id, kind = item
    rel = f"content/{domain}/{item_id}/doc-{n:06d}.md"
    written = dt.date(2019, 1, 1) + dt.timedelta(days=n * 2880 // docs)
    published = written + dt.timedelta(days=rng.randint(0, 6))
    roll = rng.random()
    disclosure = "主动公开" if roll < 0.95 else "依申请公开" if roll < 0.98 else "不予公开"
    corpus.index[written.year] = corpus.index.get(written.year, 0) + 1
    front = {"title": f"{rng.choice(PLACES)}关于{rng.choice(OBJECTS)}{rng.choice(ACTIONS)[2:]}的"
                      f"{rng.choice(FORMS)}（{n}）",
             "issuer": rng.choice(units), "date": written, "published": published,
             "disclosure": disclosure, "reviewer": rng.choice(["王海燕", "李建国", "张敏", "陈立新"]),
             "reviewed": published, "index_no": f"{INDEX_PREFIX}/{written.year}-{corpus.index[written.year]:05d}",
             "topic": rng.choice(TOPICS), "kind": kind, "source": rng.choice(SUBJECTS)}
    if disclosure != "主动公开":
        front["exempt_basis"] = rng.choice(["《中华人民共和国政府信息公开条例》第十四条",
                                            "《中华人民共和国政府信息公开条例》第十五条",
                                            "《中华人民共和国政府信息公开条例》第十六条"])
    if kind == "政策文件":
        code = rng.choice(CODES)
        corpus.numbers[(code, written.year)] = corpus.numbers.get((code, written.year), 0) + 1
        front["doc_number"] = f"{code}〔{written.year}〕{corpus.numbers[(code, written.year)]}号"
        front["validity"] = rng.choice(["有效", "有效", "有效", "失效", "废止"])
    policies = [(r, k) for r, k in corpus.published[-30:] if k == "政策文件"]
    if kind == "政策解读" and policies:
        target = rng.choice(policies)[0]
        front["interprets"] = relative(rel, target)
        front["interp_form"] = rng.choice(["文字", "图解", "政策问答"])
    attachment, data = None, None
    if rng.random() < 1 / 7:
        attachment = f"fujian-{n:06d}.pdf"
        front["attachments"] = [{"file": attachment, "title": f"附件{n}"}]
        data = rng.randbytes(rng.randint(2_000, 60_000))
    length = min(8000, max(300, int(math.exp(rng.gauss(math.log(3000), 0.55)))))
    body = corpus.body(rel, length, attachment)
    if disclosure == "主动公开":
        corpus.published.append((rel, kind))
    head = dump(front)
    return rel, f"---\n{head}---\n{body}", data


def generate(root: Path, docs: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    data, items = catalog()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "catalog.yaml").write_text(dump(data), encoding="utf-8")
    corpus = Corpus(rng, sentences())
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(items))]  # some items are busier
    order = items[:]
    rng.shuffle(order)
    units = list(data["units"])
    for n in range(docs):
        item = order[n] if n < len(order) else rng.choices(order, weights)[0]
        rel, text, attachment = document(corpus, n, docs, item, units)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if attachment is not None:
            (path.parent / f"fujian-{n:06d}.pdf").write_bytes(attachment)


def edit(root: Path, round_: int = 1) -> Path:
    """Append one sentence to the body of a published document in the middle of the site."""
    for path in sorted((root / "content").rglob("doc-*.md"))[len(list((root / "content").rglob("doc-*.md"))) // 2:]:
        text = path.read_text(encoding="utf-8")
        if "disclosure: 主动公开" in text:
            path.write_text(text + f"\n本文于第{round_}次修订时补充了说明。\n", encoding="utf-8")
            return path
    raise RuntimeError("no published document to edit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    generate(args.root, args.docs, args.seed)


if __name__ == "__main__":
    main()

"""A reproducible synthetic Chinese disclosure site for the search benchmarks (not committed).

    python3 benchmarks/search_corpus.py DIR [--docs 10000] [--seed 7]

Each document is written from one of the 148 real documents in /work/shared/real-corpus (seeded
choice): that document's sentences in a shuffled order, topped up with sentences of other real
documents of the same catalogue item until about 880 characters. Term frequencies therefore follow
real, topical government prose (a budget report reads like budget reports). Each document also
gets a generated title, a unique 文号 (also its body's first line), a date and, for one in seven,
a project code. (Sampling every sentence from one pool of all 148 documents instead makes common
bigrams far too frequent, e.g. 政府 in 92 % of documents against 32 % in the real corpus.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
from pathlib import Path

REAL_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "real-corpus"
KINDS = {  # kind of each real corpus item
    "zcwj/qgwhwj": "政策文件", "zcwj/qgwhbgswj": "政策文件", "zcwj/bmwj": "政策文件",
    "gsgg/gsgg": "通知公告", "czyjs/bmjs": "报告", "czyjs/bmys": "报告", "sthj/hjbh": "其他",
    "zdxm/zdxm": "其他", "spyp/spyp": "其他", "zfxxgk/ndbg": "报告",
}
UNITS = ["gwbgs", "xzspj", "zrzyst", "scjgj", "jjfzj", "nyncj", "ggzy", "jtjsj"]
CODES = ["岚综管综", "岚综管办", "岚财预", "岚发改", "岚自然资", "岚市监", "岚农", "岚交建"]
PLACES = ["平潭", "金井片区", "苏平片区", "君山片区", "海坛片区", "岚城乡", "芦洋乡", "流水镇", "敖东镇"]
TOPICS = ["政府信息公开工作", "安全生产专项整治", "乡村振兴示范村建设", "部门预算", "部门决算",
          "生态环境保护督察整改", "重点项目建设", "食品安全监督抽检", "农村人居环境整治",
          "城乡规划", "公共资源交易", "海漂垃圾治理", "防汛防台风", "耕地保护", "老旧小区改造",
          "义务教育经费保障", "社会救助资金发放", "国有土地上房屋征收", "旅游市场秩序整治"]
FORMS = ["通知", "实施方案", "工作方案", "批复", "公告", "公示", "报告", "意见", "管理办法"]


Source = tuple[str, list[str]]  # (item folder "domain/item", sentences)


def sources() -> list[Source]:
    found = []
    for path in sorted((REAL_CORPUS / "content").rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        lines = [s.strip() + "。" for s in re.split(r"[。\n]", body) if 8 <= len(s.strip()) <= 160]
        if lines:
            found.append((path.parent.relative_to(REAL_CORPUS / "content").as_posix(), lines))
    return found


def body_of(rng: random.Random, source: Source, same_item: list[Source]) -> list[str]:
    own = source[1][:]
    rng.shuffle(own)
    paragraphs: list[str] = []
    while sum(map(len, paragraphs)) < 880:
        take = [own.pop() for _ in range(min(len(own), rng.randint(1, 4)))]
        if not take:
            take = [rng.choice(rng.choice(same_item)[1])]
        paragraphs.append("".join(take))
    return paragraphs


def document(rng: random.Random, pool: list[Source], n: int, numbers: dict) -> tuple[str, str]:
    source = rng.choice(pool)
    folder = source[0]
    kind = KINDS[folder]
    year = rng.randint(2015, 2025)
    published = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 360))
    code = rng.choice(CODES)
    numbers[(code, year)] = numbers.get((code, year), 0) + 1
    doc_number = f"{code}〔{year}〕{numbers[(code, year)]}号"
    title = f"{rng.choice(PLACES)}关于{rng.choice(TOPICS)}的{rng.choice(FORMS)}"
    paragraphs = [doc_number]
    if n % 7 == 0:
        paragraphs.append(f"项目代码：{year}-350128-{n % 90 + 10}-01-{n:06d}")
    paragraphs += body_of(rng, source, [s for s in pool if s[0] == folder])
    front = (f"---\ntitle: {title}\nissuer: {rng.choice(UNITS)}\ndate: {published}\n"
             f"published: {published}\ndisclosure: 主动公开\nreviewer: 基准测试\n"
             f"reviewed: {published}\nkind: {kind}\ndoc_number: {doc_number}\n"
             f"slug: bench-{n:05d}\n---\n")
    return f"content/{folder}/bench-{n:05d}.md", front + "\n\n".join(paragraphs) + "\n"


def generate(root: Path, docs: int, seed: int) -> None:
    rng = random.Random(seed)
    pool = sources()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copyfile(REAL_CORPUS / "catalog.yaml", root / "catalog.yaml")
    numbers: dict = {}
    for n in range(docs):
        rel, text = document(rng, pool, n, numbers)
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.root, args.docs, args.seed)


if __name__ == "__main__":
    main()

"""A new user's path, timed: from an empty folder holding the office's catalogue table and three
Word 公文 to a built site whose `govsite check` is clean.

    python3 benchmarks/walkthrough.py

Each step runs the real command line (`python3 -m govsite …`) as an editor would type it; the
steps a person does by hand — the reviewer, review and publication dates, an image's alt text,
the site's registration numbers — are edits of the files the commands wrote. tests/test_walkthrough.py
runs the same walk in CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from gongwen import gongwen, png  # noqa: E402  (tests/gongwen.py writes the 公文)

TABLE = "\n".join([
    "铜鼓县安全生产领域基层政务公开标准目录,,,,,,,,,,,",
    "序号,领域,一级事项,二级事项,公开内容（要素）,公开依据,公开时限,公开主体,公开渠道和载体,公开对象,公开方式,公开层级",
    "1,安全生产,防汛抗旱,汛期安全检查,1、检查通知 2、检查结果,《中华人民共和国防洪法》,"
    "信息形成或者变更之日起20个工作日内,县应急管理局；县水利局,■政府网站 □两微一端,全社会,主动,县级",
    "2,安全生产,安全生产许可,许可办理,办理流程、办理结果,《安全生产许可证条例》,"
    "信息形成或者变更之日起20个工作日内,县应急管理局,■政务公开栏,全社会,主动,县级",
]) + "\n"
TODAY = "2026-11-28"
STEPS: list[tuple[str, float]] = []


def govsite(*args: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "govsite", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, check=False)
    STEPS.append((f"govsite {args[0]}", time.perf_counter() - started))
    if done.returncode not in ok:
        raise RuntimeError(f"govsite {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def office_folder(folder: Path) -> Path:
    """What the office has: its catalogue table and three Word 公文 (with one attachment)."""
    (folder / "标准目录.csv").write_text(TABLE, encoding="utf-8")
    gongwen(folder / "汛期检查" / "通知.docx", mast="铜鼓县应急管理局文件", number="铜应急字[2026]12号",
            title=("铜鼓县应急管理局关于开展汛期安全检查的通知",), addressee="各乡镇人民政府：",
            signer="铜鼓县应急管理局", date="2026年11月20日", attachments=("检查表",))
    (folder / "汛期检查" / "检查表.xlsx").write_bytes(b"PK\x03\x04 xlsx")
    gongwen(folder / "工作动态" / "会议.docx", mast="", number="", title=("我县召开防汛工作会议",),
            addressee="", signer="铜鼓县人民政府办公室", date="2026年11月21日", attachments=(),
            image=False, table=False)
    gongwen(folder / "公告" / "停水.docx", mast="", number="", title=("关于城区汛期临时停水的公告",),
            addressee="", signer="铜鼓县人民政府办公室", date="2026年11月22日", attachments=(),
            image=False, table=False)
    return folder


def fill_in(site: Path) -> None:
    """The person's part: reviewer and dates in each record, the image's alt text, the registrations
    the 党政机关网站标识 and 我为政府网站找错 links, the item holding the 政府信息公开制度."""
    for path in sorted((site / "content").rglob("*.md")):
        text = path.read_text("utf-8")
        for key, value in (("reviewer", "李明"), ("reviewed", "2026-11-24"), ("published", "2026-11-25")):
            text = re.sub(rf"^{key}:", f"{key}: {value}", text, flags=re.M)
        path.write_text(text.replace("![](", "![汛期值班安排图]("), "utf-8")
    catalog = site / "catalog.yaml"
    text = catalog.read_text("utf-8")
    for key, value in (("site_code", "3609260001"), ("icp", "赣ICP备12345678号"),
                       ("police_record", "赣公网安备 36092602000001号"), ("index_prefix", "11360926MB1234567X")):
        text = re.sub(rf'^  {key}: ""', f'  {key}: "{value}"', text, flags=re.M)
    marks = ("  gov_mark_image: zfxxgk/dzjg.png\n  gov_mark_url: https://bszs.conac.cn/sitename?id=3609260001\n"
             "  error_report_url: https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3609260001\n")
    text = re.sub(r"^(  index_prefix: .*\n)", lambda m: m.group(1) + marks, text, flags=re.M)
    catalog.write_text(text, "utf-8")
    (site / "zfxxgk" / "dzjg.png").write_bytes(png())
    guide = site / "zfxxgk" / "guide.yaml"  # the 政府信息公开 column's 制度: published as 通知公告 here
    guide.write_text(re.sub(r"^# rules_item:.*$", "rules_item: zwgk-tzgg", guide.read_text("utf-8"), flags=re.M),
                     "utf-8")


def walk(folder: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every step of the guide; returns each command's result by name."""
    STEPS.clear()
    office_folder(folder)
    site = folder / "网站"
    runs = {"init": govsite("init", str(site), "--name", "铜鼓县", "--catalog", "标准目录.csv", cwd=folder)}
    runs["import1"] = govsite("import-docs", "../汛期检查/通知.docx", "--item", "aqsc-001", "--kind", "通知公告",
                              cwd=site)
    runs["import2"] = govsite("import-docs", "../工作动态", "--item", "zwgk-gzdt", "--kind", "工作动态", cwd=site)
    runs["import3"] = govsite("import-docs", "../公告", "--item", "zwgk-tzgg", cwd=site)
    runs["check_before"] = govsite("check", "--today", TODAY, "--format", "json", cwd=site, ok=(1,))
    started = time.perf_counter()
    fill_in(site)
    STEPS.append(("(fill in the records)", time.perf_counter() - started))
    runs["check"] = govsite("check", "--today", TODAY, cwd=site)
    runs["build"] = govsite("build", cwd=site)
    return runs


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        runs = walk(Path(tmp))
        total = time.perf_counter() - started
    for name, seconds in STEPS:
        print(f"{name:28} {seconds:6.2f} s")
    print(f"{'total (files written too)':28} {total:6.2f} s")
    print(runs["check"].stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()

"""The README's path for a new user, end to end (benchmarks/walkthrough.py times the same walk):
catalogue table + three Word 公文 → site → only the person's fields left → clean check → build."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from walkthrough import walk

PERSON_FIELDS = ("reviewer", "reviewed", "published", "审核人", "审核日期", "发布日期")


def test_from_an_office_folder_to_a_published_site(tmp_path: Path) -> None:
    runs = walk(tmp_path)
    assert "已补充标准事项：工作动态（zwgk-gzdt）、通知公告（zwgk-tzgg）" in runs["init"].stdout
    for name in ("import1", "import2", "import3"):
        assert "已导入" in runs[name].stdout and "待填写：" in runs[name].stdout
    # before the person fills in the record: only what a person can decide is missing
    before = json.loads(runs["check_before"].stdout)
    errors = [p for p in before["problems"] if p["severity"] == "error"]
    assert before["summary"]["verdict"] == "不合格"
    assert {p["item"] for p in errors} == {"aqsc-001", "zwgk-gzdt", "zwgk-tzgg"}
    for problem in errors:
        assert problem["code"] == "E304" or any(f in problem["message"] for f in PERSON_FIELDS), problem
        assert problem["item"] and problem["unit"], problem
    # and what follows from it: the site's registrations and marks (W901, W902, W910, W911), the
    # 政府信息公开 column's 制度 with nothing published yet (W912),
    # items still blank (W501, W702)
    warnings = {p["code"] for p in before["problems"] if p["severity"] == "warning"}
    assert warnings <= {"W901", "W902", "W910", "W911", "W912", "W501", "W702"}, warnings
    # after: clean, and the site is built
    assert runs["check"].stdout.strip() == "0 个错误，0 个警告。检查结论：合格"
    assert "已发布 3 个文件" in runs["build"].stdout
    build = tmp_path / "网站" / "build"
    catalog = BeautifulSoup((build / "catalog/index.html").read_text("utf-8"), "html.parser")
    assert "县应急管理局、县水利局" in catalog.get_text()  # owner and co-owner
    pages = sorted(build.glob("*/*/*/index.html"))
    assert len(pages) == 3
    notice = next(p for p in pages if "aqsc-001" in str(p))
    soup = BeautifulSoup(notice.read_text("utf-8"), "html.parser")
    assert soup.find("h1").get_text(strip=True) == "铜鼓县应急管理局关于开展汛期安全检查的通知"
    assert "铜应急字〔2026〕12号" in soup.get_text()
    assert soup.find("img", alt="汛期值班安排图") is not None and soup.find("td", rowspan="2") is not None
    assert soup.find("a", download="检查表.xlsx") is not None or "检查表" in soup.get_text()

"""The 政府信息公开 column (zfxxgk/) end to end: the sample site's pages read back from the built
HTML, and the checks on deliberately wrong copies of its data."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from govsite.build import build, collect_problems
from govsite.column.annual_report import APPLICANTS, GROUPS
from govsite.problems import Problem

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 28)
REPORT = "zfxxgk/nb/2025.yaml"
MARK_LINE = 12  # gov_mark_image in catalog.yaml


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zfxxgk") / "build"
    build(ROOT, out, today=TODAY, use_cache=False)
    return out


def soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def copy_sample(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    for name in ("catalog.yaml", "content", "zfxxgk"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / name)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> int:
    """Replace `old` (once) in a file; return the line it is on."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def codes(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


# --- the column and its sub-columns ----------------------------------------------------------


def test_column_is_reached_from_home_and_catalogue(site: Path) -> None:
    for page in ("index.html", "catalog/index.html"):
        assert soup(site, page).select_one('main a[href$="zfxxgk/index.html"]'), page
    column = soup(site, "zfxxgk/index.html")
    links = {a.get_text(strip=True): a["href"] for a in column.select("main .zfxxgk-nav a")}
    assert links["政府信息公开指南"] == "zn/index.html"
    assert links["政府信息公开制度"] == "zd/index.html"
    assert links["法定主动公开内容"] == "../catalog/index.html"
    assert links["政府信息公开年报"] == "nb/index.html"
    assert column.select_one('nav.site-nav a[aria-current="page"]').get_text() == "政府信息公开"


def test_rules_sub_column_lists_its_item(site: Path) -> None:
    titles = [a.get_text() for a in soup(site, "zfxxgk/zd/index.html").select("main .doc-list a")]
    assert titles == ["青山县人民政府办公室关于印发青山县政府信息公开申请办理工作规范的通知"]


def test_guide_shows_the_office_the_law_and_the_fees(site: Path) -> None:
    page = soup(site, "zfxxgk/zn/index.html")
    office = dict(zip([dt_.get_text() for dt_ in page.select("dl dt")],
                      [dd.get_text() for dd in page.select("dl dd")], strict=True))
    data = yaml.safe_load((ROOT / "zfxxgk/guide.yaml").read_text(encoding="utf-8"))["office"]
    assert office["地址"] == data["address"] and office["电话"] == data["phone"]
    assert office["传真"] == data["fax"] and office["邮编"] == data["postcode"]
    text = page.main.get_text()
    assert "20个工作日内予以答复" in text and "最长不得超过20个工作日" in text  # defaults
    assert "国办函〔2020〕109号" in text and "行政复议" in text and "行政诉讼" in text
    fees = [[c.get_text() for c in tr.select("th, td")] for tr in page.select("table.fees tbody tr")]
    assert ["11—30件（含30件）", "100元/件"] in fees and ["200页以上", "40元/页"] in fees
    assert page.select_one("#request + h3 + ul li").get_text().startswith("当面提交")


def test_report_tables_match_the_data_file_cell_by_cell(site: Path) -> None:
    data = yaml.safe_load((ROOT / REPORT).read_text(encoding="utf-8"))
    page = soup(site, "zfxxgk/nb/2025/index.html")

    def cells(table: str, key: str) -> list[str]:
        row = page.select_one(f'table.{table} tr[data-key="{key}"]')
        return [td.get_text() for td in row.select("td")]

    for key, value in data["proactive"].items():
        expected = value if isinstance(value, list) else [value]
        assert cells("proactive", key) == [f"{v:g}" for v in expected], key
    rows = page.select("table.applications tbody tr[data-key]")
    assert len(rows) == 2 + 1 + 2 + sum(1 + len(r) for _, r in GROUPS.values()) + 2
    for key, value in data["applications"].items():
        if isinstance(value, dict):
            for reason, numbers in value.items():
                assert cells("applications", f"{key}.{reason}") == [str(n) for n in numbers]
        else:
            assert cells("applications", key) == [str(n) for n in value], key
    assert cells("applications", "不予公开.国家秘密") == ["0"] * len(APPLICANTS)  # omitted: zero
    heads = [th.get_text() for th in page.select("table.applications thead th")]
    assert heads[:3] == ["项目", "申请人情况", "自然人"] and "法律服务机构" in heads
    for key, value in data["reviews"].items():
        assert cells("reviews", key) == [str(n) for n in value]
    headings = [h.get_text() for h in page.select("main h2")]
    assert headings == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
                        "六、其他需要报告的事项"]
    assert page.select_one("[data-count]").get_text() == str(data["published_total"])


def test_report_list_and_sitemap(site: Path) -> None:
    listed = [a["href"] for a in soup(site, "zfxxgk/nb/index.html").select("main .doc-list a")]
    assert listed == ["2025/index.html", "2024/index.html"]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("zfxxgk/", "zfxxgk/zn/", "zfxxgk/zd/", "zfxxgk/nb/", "zfxxgk/nb/2024/"):
        assert f"https://www.qingshan.example.gov.cn/{path}</loc>" in sitemap, path


# --- 年报 checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "row_key", "words"), [
    ("新收: [18, 3, 0, 0, 1, 0, 22]", "新收: [18, 3, 0, 0, 1, 0, 23]", "新收",
     ["“一、本年新收政府信息公开申请数量”行", "总计 23 不等于各类申请人之和 22"]),
    ("予以公开: [9, 2, 0, 0, 1, 0, 12]", "予以公开: [9, 1, 0, 0, 1, 0, 11]", "总计",
     ["“（七）总计”行“商业企业”列：3 不等于（一）至（六）各项之和 2"]),
    ("行政复议: [1, 0, 0, 0, 1]", "行政复议: [1, 1, 0, 0, 1]", "行政复议", ["总计 1 不等于", "之和 2"]),
])
def test_wrong_tables_are_located(tmp_path: Path, old: str, new: str, row_key: str,
                                  words: list[str]) -> None:
    root = copy_sample(tmp_path)
    edit(root, REPORT, old, new)
    line = next(n for n, text in enumerate((root / REPORT).read_text("utf-8").splitlines(), 1)
                if text.strip().startswith(f"{row_key}:"))
    problems, _, _ = collect_problems(root, TODAY)
    wrong = codes(problems, "E902")
    assert [(p.path, p.line) for p in wrong][:1] == [(REPORT, line)]
    assert all(word in wrong[0].message for word in words), wrong[0].message
    assert wrong[0].unit == "青山县人民政府"


def test_carried_over_must_balance(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    line = edit(root, REPORT, "结转下年: [2, 0, 0, 0, 0, 0, 2]", "结转下年: [1, 0, 0, 0, 0, 0, 1]")
    problems, _, _ = collect_problems(root, TODAY)
    wrong = [p for p in codes(problems, "E902") if p.line == line]
    assert sorted(p.message.split("：")[0] for p in wrong) == ["2025年度报告“总计”列",
                                                              "2025年度报告“自然人”列"]
    assert any("本年新收 + 上年结转 = 19，不等于办理结果总计 + 结转下年度继续办理 = 18" in p.message
               for p in wrong)


def test_bad_cells_and_keys_are_located(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    short = edit(root, REPORT, "部分公开: [2, 0, 0, 0, 0, 0, 2]", "部分公开: [2, 0, 2]")
    typo = edit(root, REPORT, "    不掌握: [3", "    不掌握的: [3")
    problems, _, _ = collect_problems(root, TODAY)
    assert (REPORT, short, "E005") in [(p.path, p.line, p.code) for p in problems]
    assert (REPORT, typo, "E004") in [(p.path, p.line, p.code) for p in problems]


def test_report_deadline_and_the_sites_numbers(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    late = edit(root, REPORT, "published: 2026-03-27", "published: 2026-04-01")
    count = edit(root, REPORT, "published_total: 10", "published_total: 12")
    problems, _, _ = collect_problems(root, TODAY)
    (deadline,) = codes(problems, "W904")
    assert (deadline.path, deadline.line) == (REPORT, late) and "2026-03-31" in deadline.message
    (number,) = codes(problems, "W903")
    assert (number.path, number.line) == (REPORT, count)
    assert "12 条" in number.message and "为 10 条" in number.message


def test_missing_report_after_its_deadline(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    problems, _, _ = collect_problems(root, dt.date(2027, 3, 31))
    assert codes(problems, "W904") == []
    problems, _, _ = collect_problems(root, dt.date(2027, 4, 1))
    (missing,) = codes(problems, "W904")
    assert missing.path == "zfxxgk/nb" and "2026年政府信息公开工作年度报告未发布" in missing.message


# --- site furniture --------------------------------------------------------------------------


def test_every_page_carries_the_gov_mark_and_the_error_report_link(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        footer = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").footer
        mark = footer.select_one("a.gov-mark")
        assert mark["href"].startswith("https://bszs.conac.cn/"), path
        image = (path.parent / mark.img["src"]).resolve()
        assert image == (site / "zfxxgk/gov-mark.svg").resolve() and image.is_file()
        assert mark.img["alt"].startswith("党政机关网站标识")
        assert footer.select_one("a.error-report").get_text() == "我为政府网站找错"


def test_unconfigured_furniture_is_a_warning(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    edit(root, "catalog.yaml", "  gov_mark_url: https://bszs", "  # gov_mark_url: https://bszs")
    edit(root, "catalog.yaml", "  error_report_url:", "  # error_report_url:")
    problems, _, _ = collect_problems(root, TODAY)
    site_line = 2  # no key to point at: the site block
    assert [(p.path, p.line, p.code) for p in problems] == [("catalog.yaml", site_line, "W911"),
                                                            ("catalog.yaml", MARK_LINE, "W910")]


def test_missing_gov_mark_image_is_an_error(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    (root / "zfxxgk/dzjg.svg").unlink()
    problems, _, _ = collect_problems(root, TODAY)
    assert [(p.path, p.line, p.code) for p in problems] == [("catalog.yaml", MARK_LINE, "E907")]

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
from govsite.problems import GovsiteError, Problem
from govsite.publication import furniture_image

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 28)
REPORT = "zfxxgk/nb/2025.yaml"
MARK_LINE = 12  # gov_mark_image in catalog.yaml


def built_sample(factory: pytest.TempPathFactory, name: str, today: dt.date) -> Path:
    """The sample site built once for a test module (no cache: the tests share nothing)."""
    out = factory.mktemp(name) / "build"
    build(ROOT, out, today=today, use_cache=False)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_sample(tmp_path_factory, "zfxxgk", TODAY)


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
    for path in ("zfxxgk/", "zfxxgk/zn/", "zfxxgk/zd/", "zfxxgk/nb/", "zfxxgk/nb/2024/",
                 "zfxxgk/zdjc/", "zfxxgk/zdjc/2026/", "zfxxgk/zdjc/2026/lygh/", "hdhy/",
                 "hdhy/2026/zjj/", "hdhy/all/mzj/", "hdhy/dfs/2025-031/"):
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
    count = edit(root, REPORT, "published_total: 12", "published_total: 10")
    problems, _, _ = collect_problems(root, TODAY)
    (deadline,) = codes(problems, "W904")
    assert (deadline.path, deadline.line) == (REPORT, late) and "2026-03-31" in deadline.message
    (number,) = codes(problems, "W903")
    assert (number.path, number.line) == (REPORT, count)
    assert "写明主动公开 10 条" in number.message and "为 12 条" in number.message


def test_carried_over_matches_last_years_report(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    edit(root, "zfxxgk/nb/2024.yaml", "结转下年: [1, 0, 0, 0, 0, 0, 1]", "结转下年: [0, 1, 0, 0, 0, 0, 1]")
    edit(root, "zfxxgk/nb/2024.yaml", "总计: [11, 2, 0, 0, 0, 1, 14]", "总计: [12, 1, 0, 0, 0, 1, 14]")
    edit(root, "zfxxgk/nb/2024.yaml", "予以公开: [7, 1, 0, 0, 0, 1, 9]", "予以公开: [8, 0, 0, 0, 0, 1, 9]")
    problems, _, _ = collect_problems(root, TODAY)
    (found,) = problems
    line = edit(root, REPORT, "上年结转: [1, 0", "上年结转: [1, 0")
    assert (found.path, found.line, found.code) == (REPORT, line, "W913")
    assert "（1、0、0、0、0、0、1）与2024年度报告“结转下年度继续办理”（0、1、0、0、0、0、1）" in found.message


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
        assert image == (site / "zfxxgk/gov-mark.png").resolve() and image.is_file()
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


def test_missing_gov_mark_image_is_a_warning_and_no_broken_image(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    (root / "zfxxgk/dzjg.png").unlink()
    problems, _, _ = collect_problems(root, TODAY)
    assert [(p.path, p.line, p.code) for p in problems] == [("catalog.yaml", MARK_LINE, "W914")]
    out = build(root, tmp_path / "out", today=TODAY, use_cache=False).out
    footer = soup(out, "index.html").footer
    assert footer.select("img") == [] and footer.select_one("a.error-report")



@pytest.mark.parametrize("image", ["content/zcwj/zcwj-qtwj/mark.png", "zfxxgk/mark.svg", "../mark.png"])
def test_gov_mark_image_is_only_a_raster_image_outside_content(tmp_path: Path, image: str) -> None:
    root = copy_sample(tmp_path / "site")
    target = (root / image).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"CANARY-MARK-7f3a")
    line = edit(root, "catalog.yaml", "  gov_mark_image: zfxxgk/dzjg.png", f"  gov_mark_image: {image}")
    problems, _, _ = collect_problems(root, TODAY)
    assert [(p.path, p.line) for p in codes(problems, "E908")] == [("catalog.yaml", line)]
    with pytest.raises(GovsiteError):
        build(root, tmp_path / "out", today=TODAY, use_cache=False, keep_going=True)
    assert furniture_image(root, image) is None  # so the renderer would not copy it either
    assert not (tmp_path / "out").exists()

# --- 互动回应 ----------------------------------------------------------------------------------


def test_channels_are_links_or_phones_on_every_page_never_a_form(site: Path) -> None:
    for path in (site / "index.html", site / "zfxxgk/nb/2024/index.html", site / "404.html"):
        footer = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").footer
        links = {a.get_text(): a["href"] for a in footer.select(".channels a")}
        assert links["县长信箱"] == "mailto:xzxx@qingshan.example.gov.cn"
        assert links["12345"] == "tel:12345"
    for path in (site / "hdhy").rglob("*.html"):
        assert BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select(
            "main form") == [], path


def test_replies_list_filters_and_dates(site: Path) -> None:
    data = yaml.safe_load((ROOT / "zfxxgk/interaction.yaml").read_text(encoding="utf-8"))
    replies = {r["id"]: r for r in data["replies"]}
    page = soup(site, "hdhy/index.html")
    listed = [a["href"] for a in page.select("main .replies a")]
    assert listed == ["dfs/2026-014/index.html", "dfs/2026-013/index.html",
                      "dfs/2026-009/index.html", "dfs/2025-031/index.html"]
    filters = {a.get_text(): a["href"] for a in page.select("nav.filters a")}
    assert filters["2025年"] == "2025/index.html"
    assert filters["青山县住房和城乡建设局"] == "all/zjj/index.html"
    both = soup(site, "hdhy/2026/zjj/index.html")
    assert [a.get_text() for a in both.select("main .replies a")] == [
        replies["2026-014"]["title"], replies["2026-009"]["title"]]
    assert [s.get_text() for s in both.select('nav.filters [aria-current="page"]')] == [
        "2026年", "青山县住房和城乡建设局"]
    assert soup(site, "hdhy/2025/index.html").select("main .replies a")[0].get_text() == \
        replies["2025-031"]["title"]
    for ident, reply in replies.items():
        detail = soup(site, f"hdhy/dfs/{ident}/index.html")
        meta = {th.get_text(): td.get_text() for th, td in
                zip(detail.select(".reply-meta th"), detail.select(".reply-meta td"), strict=True)}
        assert meta["留言日期"] == reply["received"].isoformat()
        assert meta["答复日期"] == (reply["answered"].isoformat() if "answered" in reply else "办理中")
        assert reply["question"] in detail.main.get_text()


def test_late_and_unanswered_replies(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    rel = "zfxxgk/interaction.yaml"
    late = edit(root, rel, "answered: 2026-04-22", "answered: 2026-04-28")
    problems, _, _ = collect_problems(root, TODAY)
    (found,) = codes(problems, "W908")
    assert (found.path, found.line, found.unit) == (rel, late, "青山县住房和城乡建设局")
    assert "应于 2026-04-24 前答复" in found.message  # Sun 04-12: Mon 04-13 is working day 1
    assert codes(problems, "W909") == []
    problems, _, _ = collect_problems(root, dt.date(2027, 2, 17))
    (veto,) = codes(problems, "W909")
    assert veto.line == edit(root, rel, "  - id: 2026-014", "  - id: 2026-014") and \
        "单项否决" in veto.message


def test_unanswered_reply_is_a_veto_in_the_html_report(tmp_path: Path) -> None:
    from govsite.audit.report import render
    root = copy_sample(tmp_path)
    today = dt.date(2027, 2, 17)
    problems, catalog, documents = collect_problems(root, today)
    html = BeautifulSoup(render("html", problems, catalog, documents, today), "html.parser")
    veto = html.select_one("#veto-interaction")
    assert veto is not None and "青山大道人行道破损何时维修" in veto.get_text()
    assert "青山县住房和城乡建设局" in veto.get_text()
    assert "单项否决（互动回应差）：1 条留言" in html.select_one(".verdict").get_text()
    by_unit = [h.get_text() for h in html.select("#column ~ h3")]
    assert "青山县住房和城乡建设局（0 个错误，1 个警告）" in by_unit


# --- 重大行政决策 ------------------------------------------------------------------------------


def test_decision_catalogue_and_stages(site: Path) -> None:
    catalogue = soup(site, "zfxxgk/zdjc/2026/index.html")
    rows = {tr["data-id"]: [c.get_text() for c in tr.select("th, td")]
            for tr in catalogue.select("table.decisions tbody tr")}
    assert rows["tcss"][2:] == ["青山县住房和城乡建设局", "《重大行政决策程序暂行条例》《青山县重大行政决策程序规定》",
                                "2026年6月", "已决策"]
    assert rows["lygh"][-1] == "进行中"
    assert soup(site, "zfxxgk/zdjc/index.html").select("table.decisions tbody tr")
    page = soup(site, "zfxxgk/zdjc/2026/tcss/index.html")
    stages = {tr["data-stage"]: [c.get_text() for c in tr.select("td")]
              for tr in page.select("table.stages tbody tr")}
    assert list(stages) == ["公众参与", "专家论证", "风险评估", "合法性审查", "集体讨论决定"]
    assert stages["专家论证"][:2] == ["已完成", "2026-05-12"]
    assert stages["合法性审查"] == ["已完成", "2026-05-20", ""]  # its 不予公开 document is not shown
    assert "（共 30 日）" in page.select_one(".consultation").get_text()
    adoption = page.select_one("a.adoption")
    assert adoption.get_text().endswith("意见采纳情况")
    assert adoption["href"] == "../../../../zcwj/zcwj-zdjc/tcss-yjcn/index.html"
    assert (site / "zcwj/zcwj-zdjc/tcss-yjcn/index.html").is_file()
    progress = soup(site, "zfxxgk/zdjc/2026/lygh/index.html")
    assert [tr.select("td")[0].get_text() for tr in progress.select("table.stages tbody tr")] == [
        "已完成", "进行中", "未启动", "未启动", "未启动"]


def test_decision_checks(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    rel = "zfxxgk/zdjc/2026.yaml"
    short = edit(root, rel, "      closes: 2026-11-18", "      closes: 2026-11-10")
    edit(root, rel, "    adoption: content/zcwj/zcwj-zdjc/tcss-yjcn.md\n", "")
    edit(root, rel, "  - unit: zjj\n", "  - unit: fgj\n")
    problems, _, _ = collect_problems(root, TODAY)
    (period,) = codes(problems, "W905")
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    consultation = max(n for n, text in enumerate(lines[:short], 1) if text == "    consultation:")
    assert (period.path, period.line) == (rel, consultation)
    assert "2026-10-20 至 2026-11-10 共 22 日" in period.message
    (adoption,) = codes(problems, "W906")
    assert adoption.unit == "青山县住房和城乡建设局"
    (attendance,) = codes(problems, "W907")
    assert attendance.unit == "青山县住房和城乡建设局"
    edit(root, rel, "      closes: 2026-11-10\n", "      closes: 2026-11-10\n      reason: 规划须在年内报批\n")
    problems, _, _ = collect_problems(root, TODAY)
    assert codes(problems, "W905") == []


# --- the boundary ------------------------------------------------------------------------------


def test_withheld_documents_referenced_by_the_column_never_reach_build(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    canary = "CANARY-ZFXXGK-5e1d"
    withheld = "content/zcwj/zcwj-zdjc/tcss-hfxsc.md"
    edit(root, withheld, "title: 青山县城区", f"title: {canary}-TITLE 青山县城区")
    edit(root, withheld, "合法性审查过程稿（内部）。", f"{canary}-BODY")
    on_request = root / "content/zcwj/zcwj-zdjc/tcss-fxpg.md"
    text = (root / withheld).read_text(encoding="utf-8")
    on_request.write_text(text.replace("不予公开", "依申请公开").replace(canary, canary + "-REQ"),
                          encoding="utf-8")
    edit(root, "zfxxgk/zdjc/2026.yaml", "风险评估: {status: 已完成, date: 2026-05-15}",
         "风险评估: {status: 已完成, date: 2026-05-15, documents: [content/zcwj/zcwj-zdjc/tcss-fxpg.md]}")
    edit(root, "zfxxgk/zdjc/2026.yaml", "    adoption: content/zcwj/zcwj-zdjc/tcss-yjcn.md",
         "    adoption: content/zcwj/zcwj-zdjc/tcss-fxpg.md")
    result = build(root, tmp_path / "out", today=TODAY, use_cache=False)
    assert result.withheld == 5
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), path
            assert b"tcss-fxpg" not in path.read_bytes() and b"tcss-hfxsc" not in path.read_bytes()
    page = soup(tmp_path / "out", "zfxxgk/zdjc/2026/tcss/index.html")
    assert page.select_one("a.adoption") is None
    assert "意见采纳情况尚未公开" in page.main.get_text()
    assert codes(result.problems, "W906")  # not published: as if there were none


def test_init_writes_a_filled_in_guide_and_the_column_builds(tmp_path: Path) -> None:
    from govsite.scaffold import init_site
    root = tmp_path / "new"
    init_site(root, "测试县", TODAY)
    out = build(root, tmp_path / "out", today=TODAY, use_cache=False).out
    office = [dd.get_text() for dd in soup(out, "zfxxgk/zn/index.html").select("dl dd")]
    assert office[0] == "测试县人民政府办公室" and "测试县人民大道1号" in office[1]
    assert soup(out, "index.html").select_one('main a[href="zfxxgk/index.html"]')


def test_serve_rebuild_after_a_column_edit_matches_a_full_build(tmp_path: Path) -> None:
    from test_build import tree_digest

    from govsite.rebuild import SiteBuilder
    root = copy_sample(tmp_path)
    builder = SiteBuilder(root, tmp_path / "served")
    builder.rebuild()
    edit(root, "zfxxgk/interaction.yaml", "  - name: 县长信箱", "  - name: 县长信箱（新）")
    builder.rebuild(["zfxxgk/interaction.yaml"])
    served = tmp_path / "served"
    document = next(p for p in (served / "zcwj/zcwj-qtwj").rglob("index.html") if p.parent.name != "zcwj-qtwj")
    assert "县长信箱（新）" in document.read_text(encoding="utf-8")
    build(root, tmp_path / "fresh", use_cache=False)
    assert tree_digest(served) == tree_digest(tmp_path / "fresh")


def test_a_domain_cannot_take_the_columns_folder(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    line = edit(root, "catalog.yaml", "  - id: jy\n", "  - id: hdhy\n")
    problems, _, _ = collect_problems(root, TODAY)
    assert [(p.path, p.line) for p in codes(problems, "E107")] == [("catalog.yaml", line)]


def test_search_pages_of_the_column(site: Path) -> None:
    from govsite.build import analyse
    from govsite.column.pages import search_pages
    pages = {page.url: page for page in search_pages(analyse(ROOT, today=TODAY).site)}
    for path, page in pages.items():
        assert (site / path).is_file(), path
        assert page.title in (site / path).read_text(encoding="utf-8")
    assert "信息处理费" in pages["zfxxgk/zn/index.html"].text
    assert "灵活就业" in pages["hdhy/dfs/2026-013/index.html"].text
    assert pages["zfxxgk/nb/2025/index.html"].title == "青山县人民政府2025年政府信息公开工作年度报告"
    assert not any("过程稿" in page.text for page in pages.values())


def test_govsite_search_finds_the_columns_pages(site: Path) -> None:
    from search_helpers import searcher

    search = searcher(ROOT)
    assert "zfxxgk/zn/index.html" in [r["url"] for r in search("信息处理费", 10)]
    assert "hdhy/dfs/2026-013/index.html" in [r["url"] for r in search("灵活就业", 10)]
    first = search("2025年政府信息公开工作年度报告", 10)[0]
    assert first["url"] == "zfxxgk/nb/2025/index.html"


def test_what_is_dated_after_the_build_day_is_left_out(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    day = dt.date(2026, 9, 25)  # before the 2026-013 answer (09-29) and the 2026-014 message
    out = build(root, tmp_path / "out", today=day, use_cache=False).out
    assert (out / "hdhy/dfs/2026-013/index.html").is_file()
    assert not (out / "hdhy/dfs/2026-014").exists()
    reply = soup(out, "hdhy/dfs/2026-013/index.html")
    assert "办理中" in reply.select_one(".reply-meta").get_text()
    assert "政务服务中心二楼" not in reply.main.get_text()
    assert b"2026-014" not in (out / "sitemap.xml").read_bytes()
    out = build(root, tmp_path / "early", today=dt.date(2026, 3, 26), use_cache=False).out
    assert [a["href"] for a in soup(out, "zfxxgk/nb/index.html").select("main .doc-list a")] == [
        "2024/index.html"]
    assert not (out / "zfxxgk/nb/2025").exists()
    out = build(root, tmp_path / "january", today=dt.date(2026, 1, 5), use_cache=False).out
    assert not (out / "zfxxgk/zdjc").exists()  # the 2026 事项目录 is published on 02-10

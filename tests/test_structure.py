"""The catalogue's own structure: 政策文件库, 重大建设项目 全链条, 乡镇/村 sections, 解读 by form.

Page tests read the HTML written for the sample site (青山县); check and boundary tests build
small sites of their own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import front_matter, make_site
from test_zfxxgk import built_sample, soup

from govsite.build import build, collect_problems
from govsite.model import PROJECT_STAGES

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 28)
OLD_POLICY = "zcwj/zcwj-gfxwj/dbbz-ssxz-2019/index.html"
NEW_POLICY = "zcwj/zcwj-gfxwj/dbbz-ssbf-2026/index.html"
EXPIRED_POLICY = "zcwj/zcwj-gfxwj/zxqy-fy-2020/index.html"
INTERPRETATIONS = "zcwj/zcwj-zcjd/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_sample(tmp_path_factory, "structure", TODAY)


def target(site: Path, page: str, href: str) -> Path:
    return (site / page).parent.joinpath(href.split("#")[0]).resolve()


def crumbs(page: BeautifulSoup) -> list[str]:
    return [li.get_text(strip=True) for li in page.select("nav.breadcrumb li")]


# --- 政策文件库 -------------------------------------------------------------------------------


def test_library_lists_every_policy_with_its_metadata(site: Path) -> None:
    page = soup(site, "library/index.html")
    table = page.select_one("table.library-table")
    assert table.caption.get_text() == "共 15 件政策文件"
    headers = [th.get_text() for th in table.select("thead th")]
    assert headers == ["标题", "文号", "发文机关", "成文日期", "有效性", "主题分类"]
    assert all(th["scope"] == "col" for th in table.select("thead th"))
    rows = table.select("tbody tr")
    assert len(rows) == 15
    for row in rows:
        assert row.th["scope"] == "row"
        assert target(site, "library/index.html", row.th.a["href"]).is_file()
    by_title = {row.th.get_text(strip=True): [td.get_text() for td in row.select("td")]
                for row in rows}
    assert by_title["青山县人民政府关于印发青山县城乡居民最低生活保障工作实施细则的通知"] == [
        "青府发〔2019〕12号", "青山县人民政府", "2019年5月20日", "废止", "民政、扶贫、救灾"]


@pytest.mark.parametrize(("path", "expected"), [
    ("library/validity/feizhi/index.html", {"废止"}),
    ("library/validity/shixiao/index.html", {"失效"}),
])
def test_validity_filter_pages_hold_only_their_value(site: Path, path: str, expected: set[str]) -> None:
    rows = soup(site, path).select("table.library-table tbody tr")
    assert len(rows) == 1
    assert {row.select("td")[3].get_text() for row in rows} == expected


def test_year_issuer_and_topic_pages_work_without_javascript(site: Path) -> None:
    index = soup(site, "library/index.html")
    links = {a.get_text(strip=True): a["href"] for a in index.select("nav.facet a")}
    assert links["2019年（1）"] == "year/2019/index.html"
    assert links["青山县财政局（1）"] == "issuer/czj/index.html"
    year = soup(site, "library/year/2026/index.html")
    dates = [row.select("td")[2].time["datetime"] for row in year.select("tbody tr")]
    assert dates and all(d.startswith("2026-") for d in dates)
    current = year.select_one('nav.facet [aria-current="page"]')
    assert current is not None and current.get_text().startswith("2026年")
    topics = [a for a in index.select("nav.facet a") if a.get_text().startswith("城乡建设")]
    topic_page = soup(site, "library/" + topics[0]["href"])
    cells = {row.select("td")[4].get_text() for row in topic_page.select("tbody tr")}
    assert cells == {"城乡建设、环境保护"}
    # the client-side narrowing form is hidden until the script shows it
    form = index.select_one("form[data-library-filter]")
    assert form.has_attr("hidden") and index.find("script", src="../static/library.js")
    row = index.select_one("tbody tr")
    assert {"data-year", "data-issuer", "data-topic", "data-validity"} <= set(row.attrs)


def test_repealed_policy_shows_a_banner_naming_its_replacement(site: Path) -> None:
    banner = soup(site, OLD_POLICY).select_one(".validity-banner")
    assert banner is not None and "本文件已废止" in banner.get_text()
    link = banner.select_one("a")
    assert target(site, OLD_POLICY, link["href"]) == (site / NEW_POLICY).resolve()
    expired = soup(site, EXPIRED_POLICY).select_one(".validity-banner")
    assert "本文件已失效" in expired.get_text() and expired.select_one("a") is None
    assert soup(site, NEW_POLICY).select_one(".validity-banner") is None
    listed = soup(site, "zcwj/zcwj-gfxwj/index.html").select("ul.doc-list .tag.invalid")
    assert sorted(tag.get_text() for tag in listed) == ["失效", "废止"]


# --- 重大建设项目 -----------------------------------------------------------------------------


def test_projects_matrix_is_an_accessible_table(site: Path) -> None:
    page = soup(site, "projects/index.html")
    table = page.select_one("table.project-matrix")
    assert table.caption.get_text() == "重大建设项目全链条信息公开情况"
    headers = [th.get_text() for th in table.select("thead th")]
    assert headers == ["项目", "项目代码", *PROJECT_STAGES]
    rows = {tr["id"]: tr for tr in table.select("tbody tr")}
    assert set(rows) == {"project-wscl2q", "project-dery"}
    full = [td.get_text() for td in rows["project-wscl2q"].select("td")][1:]
    assert full[0] == "暂无（已说明）" and all("条" in cell for cell in full[1:])
    gaps = [td.get_text() for td in rows["project-dery"].select("td")][1:]
    assert gaps[4:] == ["暂无（已说明）", "暂无", "暂无", "暂无"]
    link = rows["project-dery"].select_one("td a")
    assert link["href"] == "dery/index.html#stage-2"


def test_project_page_shows_the_eight_categories_in_order(site: Path) -> None:
    page = soup(site, "projects/dery/index.html")
    titles = [h3.get_text() for h3 in page.select("ol.project-chain h3")]
    assert titles == [f"{stage}信息" for stage in PROJECT_STAGES]
    assert "2026-360999-84-01-004567" in page.select_one("dl.project-meta").get_text()
    construction = page.select_one("#stage-6 .stage-empty").get_text()
    assert construction.startswith("暂无") and "应公开：施工许可" in construction
    change = page.select_one("#stage-5 .stage-empty").get_text()
    assert "说明：项目处于勘察设计招标阶段" in change
    approvals = page.select("#stage-2 ul.doc-list a")
    assert [a.get_text() for a in approvals] == ["关于青山县第二人民医院迁建工程项目建议书的批复",
                                                  "关于青山县第二人民医院迁建工程可行性研究报告的批复"]
    doc = soup(site, "zdjsxm/zdjsxm-pzjg/ery-kybg/index.html")
    cell = doc.select_one(".doc-meta a[href$='projects/dery/index.html']")
    assert cell is not None and cell.get_text() == "青山县第二人民医院迁建工程"


# --- 解读 by form, 公开属性 ---------------------------------------------------------------------


def test_interpretation_column_has_sub_lists_and_filter_pages_by_form(site: Path) -> None:
    page = soup(site, INTERPRETATIONS)
    groups = [h2.get_text() for h2 in page.select("section.form-group h2")]
    assert groups[:3] == ["文字（6 条）", "图解（1 条）", "音视频（1 条）"]
    links = {a.get_text(strip=True): a["href"] for a in page.select("nav.interp-forms a")}
    assert links["新闻发布会（2）"] == "index_fabuhui.html"
    press = soup(site, "zcwj/zcwj-zcjd/index_fabuhui.html")
    titles = [a.get_text() for a in press.select("ul.doc-list a")]
    assert len(titles) == 2 and all("新闻发布会" in t for t in titles)
    assert crumbs(press)[-2:] == ["政策解读", "新闻发布会"]


def test_audio_plays_in_the_page_with_captions_and_graphics_show_their_text(site: Path) -> None:
    path = "zcwj/zcwj-zcjd/jd-aqsc-jbjl-2024/index.html"
    audio = soup(site, path).select_one("figure.media audio")
    track = audio.select_one("track")
    assert track["kind"] == "captions" and (site / path).parent.joinpath(track["src"]).is_file()
    assert (site / path).parent.joinpath(audio["src"]).is_file()
    graphic = soup(site, "zcwj/zcwj-zcjd/jd-qnjy-cs-2026/index.html").select_one("figure.graphic")
    assert graphic.img["alt"] == graphic.select_one("details p").get_text()
    follow_up = soup(site, "zcwj/zcwj-zcjd/jd-xjzj-xm-2026-gz/index.html")
    meta = [td.get_text() for td in follow_up.select(".doc-meta td")]
    assert "文字" in meta and "跟踪解读" in meta


def test_home_page_reaches_every_new_section_and_sitemap_lists_them(site: Path) -> None:
    links = {a["href"] for a in soup(site, "index.html").select("section.home-topics a")}
    assert links == {"library/index.html", "projects/index.html", "orgs/index.html"}
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("library/validity/feizhi/", "projects/dery/", "orgs/dads-sm/catalog/",
                 "zcwj/zcwj-zcjd/index_tujie.html"):
        assert path in sitemap, path


# --- 乡镇/村 ---------------------------------------------------------------------------------


def test_county_catalogue_links_every_org_catalogue(site: Path) -> None:
    page = soup(site, "catalog/index.html")
    links = {a.get_text(): a["href"] for a in page.select("section ul.org-list a")}
    assert links == {"大塅镇标准目录": "../orgs/dads/catalog/index.html",
                     "石门村标准目录": "../orgs/dads-sm/catalog/index.html",
                     "永宁镇标准目录": "../orgs/ynz/catalog/index.html"}
    rows = {tr["id"] for tr in page.select("table.catalog-table tbody tr")}
    assert "item-dads-sm-cwsz" not in rows and "item-czyjs-zfys" in rows


def test_village_has_its_own_home_catalogue_and_breadcrumbs(site: Path) -> None:
    home = soup(site, "orgs/dads-sm/index.html")
    assert crumbs(home) == ["首页", "基层政务公开", "大塅镇", "石门村"]
    assert len(home.select("ul.item-list li")) == 5
    catalogue = soup(site, "orgs/dads-sm/catalog/index.html")
    table = catalogue.select_one("table.catalog-table")
    assert table.caption.get_text() == "石门村村务公开领域标准目录"
    assert [th.get_text() for th in table.select("tbody th[scope=row]")] == [
        "集体资产管理", "财务收支", "乡村振兴", "养老服务", "社会救助"]
    document = soup(site, "dads-sm/dads-sm-cwsz/cwsz-2026q3/index.html")
    assert crumbs(document) == ["首页", "基层政务公开", "大塅镇", "石门村", "标准目录",
                                "石门村村务公开", "财务收支明细", "正文"]
    links = [a["href"] for a in document.select("nav.breadcrumb a")]
    assert all(target(site, "dads-sm/dads-sm-cwsz/cwsz-2026q3/index.html", h).is_file()
               for h in links)
    town = soup(site, "orgs/dads/index.html")
    assert [a.get_text() for a in town.select("#villages-title + ul a")] == ["石门村"]


def test_check_counts_empty_and_stale_columns_per_org(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from govsite.cli import cli

    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["init", str(site), "--name", "青山县",
                                      "--towns", "dads=大塅镇,永宁镇"])
    assert result.exit_code == 0, result.output
    text = (site / "catalog.yaml").read_text(encoding="utf-8")
    assert "orgs:" in text and "  - id: town2\n    name: 永宁镇政务公开\n    org: town2" in text
    out = tmp_path / "out"
    build(site, out, today=TODAY, use_cache=False)
    assert crumbs(soup(out, "dads/dads-cwsz/index.html"))[:3] == ["首页", "基层政务公开", "大塅镇"]
    checked = CliRunner().invoke(cli, ["check", "--site", str(site), "--today", "2026-11-28"])
    assert "  大塅镇：空白栏目 5 个，更新不及时 0 个" in checked.output
    assert "  永宁镇：空白栏目 5 个" in checked.output
    report = tmp_path / "report.html"
    CliRunner().invoke(cli, ["check", "--site", str(site), "--today", "2026-11-28",
                             "--format", "html", "--output", str(report)])
    tables = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser").select("table")
    rows = next(t for t in tables if t.caption.get_text().startswith("各乡镇")).select("tbody tr")
    cells = {tr.th.get_text(): [td.get_text() for td in tr.select("td")] for tr in rows}
    assert cells["大塅镇"][2:] == ["5", "0", "是"]
    assert set(cells) == {"县本级", "大塅镇", "永宁镇"}


# --- checks -----------------------------------------------------------------------------------

CATALOG = """\
site: {title: 测试县人民政府, org: 测试县人民政府办公室}
units: {bgs: 测试县人民政府办公室, xzfb: 测试县人民政府办公室, fgj: 测试县发展和改革局}
projects:
  - id: road
    name: 测试大道工程
    code: @code
    owner: fgj
    location: 城北
@notes
domains:
  - id: zdjsxm
    name: 重大建设项目
    items:
      - {id: pzjg, l1: 批准结果信息, owner: fgj, time_limit: 20个工作日}
      - {id: sgxx, l1: 施工有关信息, owner: fgj, time_limit: 20个工作日}
  - id: zcwj
    name: 政策文件
    items:
      - {id: gfxwj, l1: 规范性文件, owner: bgs, time_limit: 20个工作日}
"""
CODE = "2026-360999-48-01-004512"


def project_site(root: Path, docs: dict[str, str | bytes], code: str = CODE, notes: str = "") -> Path:
    catalog = CATALOG.replace("@code", code).replace("@notes\n", notes and notes + "\n")
    files: dict[str, str | bytes] = {"catalog.yaml": catalog}
    return make_site(root, files | {f"content/{rel}": text for rel, text in docs.items()})


def codes(root: Path) -> list[tuple[str, str]]:
    problems, _, _ = collect_problems(root, TODAY)
    return [(p.code, p.path) for p in problems if p.code.startswith(("E85", "W85"))]


def test_construction_without_approval_warns_unless_explained(tmp_path: Path) -> None:
    docs = {"zdjsxm/sgxx/xk.md": front_matter(title="施工许可", project="road") + "许可内容。\n"}
    assert codes(project_site(tmp_path / "a", docs)) == [("W850", "catalog.yaml")]
    explained = "    notes: {批准结果: 由省发展改革委审批，见省投资项目在线审批监管平台}"
    assert codes(project_site(tmp_path / "b", docs, notes=explained)) == []
    by_code = {"zdjsxm/sgxx/xk.md": front_matter(title="施工许可", project=CODE) + "许可。\n",
               "zdjsxm/pzjg/pf.md": front_matter(title="批复", project="road") + "批复。\n"}
    assert codes(project_site(tmp_path / "c", by_code)) == []


def test_project_code_and_reference_errors(tmp_path: Path) -> None:
    assert codes(project_site(tmp_path / "a", {}, code="2026-3609-48-01-4512")) == \
        [("E850", "catalog.yaml")]
    docs = {"zdjsxm/pzjg/pf.md": front_matter(title="批复", project="bridge") + "批复。\n",
            "zcwj/gfxwj/wj.md": front_matter(title="文件", project="road") + "正文。\n"}
    assert sorted(codes(project_site(tmp_path / "b", docs))) == [
        ("E851", "content/zdjsxm/pzjg/pf.md"), ("E852", "content/zcwj/gfxwj/wj.md")]


def policy(title: str, published: str, **fields: object) -> str:
    return front_matter(title=title, kind="政策文件", date=published, published=published,
                        reviewed=published, **fields)


def test_newer_page_citing_a_repealed_policy_as_valid_warns(tmp_path: Path) -> None:
    docs = {
        "zcwj/gfxwj/old.md": policy("旧办法", "2024-03-01", validity="废止",
                                    replaced_by="new.md") + "旧办法正文。\n",
        "zcwj/gfxwj/new.md": policy("新办法", "2026-06-01", validity="有效")
        + "原[旧办法](old.md)同时废止。\n",
        "zcwj/gfxwj/cites.md": policy("某通知", "2026-08-01")
        + "根据[旧办法](old.md)的规定，现通知如下。\n",
        "zcwj/gfxwj/early.md": policy("早前通知", "2025-01-05")
        + "根据[旧办法](old.md)的规定，现通知如下。\n",
    }
    root = project_site(tmp_path / "a", docs)
    problems, _, _ = collect_problems(root, TODAY)
    found = [(p.code, p.path, p.line) for p in problems if p.code == "W851"]
    assert found == [("W851", "content/zcwj/gfxwj/cites.md", 11)]


def test_replaced_by_must_name_a_published_policy_and_media_need_captions(tmp_path: Path) -> None:
    docs = {
        "zcwj/gfxwj/old.md": policy("旧办法", "2024-03-01", validity="废止",
                                    replaced_by="missing.md") + "正文。\n",
        "zcwj/gfxwj/talk.md": policy("音频", "2026-03-01", attachments="[{file: talk.mp3}]")
        + "正文。\n",
        "zcwj/gfxwj/talk.mp3": b"ID3",
    }
    assert sorted(codes(project_site(tmp_path / "a", docs))) == [
        ("E855", "content/zcwj/gfxwj/old.md"), ("W852", "content/zcwj/gfxwj/talk.md")]


# --- the disclosure boundary -------------------------------------------------------------------


def test_withheld_documents_reach_no_project_org_or_library_page(tmp_path: Path) -> None:
    secret = "CANARY-STRUCTURE-91c2"
    orgs = "orgs:\n  - {id: town, name: 测试镇}\n  - {id: village, name: 测试村, parent: town}\n"
    catalog = CATALOG.replace("@code", CODE).replace("@notes\n", "").replace("domains:\n", orgs + "domains:\n") + """\
  - id: cwgk
    name: 村务公开
    org: village
    items:
      - {id: cwsz, l1: 财务收支, owner: bgs, time_limit: 20个工作日}
"""
    hidden = {"disclosure": "不予公开", "exempt_basis": "第十六条", "doc_number": "测府发〔2026〕99号"}
    docs = {
        "zdjsxm/sgxx/secret.md": front_matter(title=f"施工{secret}", project="road", **hidden)
        + f"{secret}\n",
        "zcwj/gfxwj/secret.md": policy(f"政策{secret}", "2026-06-01", validity="废止",
                                       **hidden | {"doc_number": "测府发〔2026〕98号"})
        + f"{secret}\n",
        "cwgk/cwsz/secret.md": front_matter(title=f"账目{secret}", disclosure="依申请公开",
                                            exempt_basis="第十五条") + f"{secret}\n",
        "zdjsxm/pzjg/public.md": front_matter(title="公开批复", project="road") + "批复。\n",
        "cwgk/cwsz/public.md": front_matter(title="公开账目") + "账目。\n",
        "zcwj/gfxwj/public.md": policy("公开政策", "2026-06-01") + "正文。\n",
    }
    root = make_site(tmp_path / "site", {"catalog.yaml": catalog} |
                     {f"content/{rel}": text for rel, text in docs.items()})
    out = tmp_path / "out"
    result = build(root, out, today=TODAY, use_cache=False)
    assert (result.published, result.withheld) == (3, 3)
    for name in ("projects/road/index.html", "library/index.html", "orgs/village/index.html",
                 "orgs/village/catalog/index.html", "projects/index.html"):
        assert (out / name).is_file(), name
    for path in sorted(out.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            for needle in (secret, "测府发〔2026〕99号", "测府发〔2026〕98号", "secret"):
                assert needle.encode() not in data, (needle, path)
    cells = [td.get_text() for td in soup(out, "projects/index.html").select("tbody td")]
    assert cells[2] == "1 条：测试大道工程批准结果信息" and cells[6] == "暂无"  # 施工 is withheld
    assert soup(out, "library/index.html").caption.get_text() == "共 1 件政策文件"


def test_org_declarations_are_checked_where_written(tmp_path: Path) -> None:
    orgs = """orgs:
  - {id: town, name: 测试镇}
  - {id: village, name: 测试村, parent: nowhere}
  - {id: hamlet, name: 测试组, level: 村}
  - {id: sub, name: 子村, parent: town}
  - {id: deeper, name: 更深, parent: sub}
"""
    catalog = CATALOG.replace("@code", CODE).replace("@notes\n", "").replace(
        "domains:\n", orgs + "domains:\n") + "    org: nowhere\n"
    root = make_site(tmp_path / "site", {"catalog.yaml": catalog})
    problems, _, _ = collect_problems(root, TODAY)
    lines = {(p.code, p.line) for p in problems if p.code in ("E853", "E854")}
    text = catalog.splitlines()
    line_of = {key: next(n for n, line in enumerate(text, 1) if key in line)
               for key in ("parent: nowhere", "id: hamlet", "parent: sub", "org: nowhere")}
    assert lines == {("E853", line_of["parent: nowhere"]), ("E853", line_of["id: hamlet"]),
                     ("E853", line_of["parent: sub"]), ("E854", line_of["org: nowhere"])}


def test_captions_must_be_a_vtt_file_beside_the_document(tmp_path: Path) -> None:
    docs = {
        "zcwj/gfxwj/talk.md": policy("视频", "2026-03-01",
                                     attachments="[{file: talk.webm, captions: talk.srt}]")
        + "正文。\n",
        "zcwj/gfxwj/talk.webm": b"\x1aE\xdf\xa3",
        "zcwj/gfxwj/talk.srt": "1\n00:00:00,000 --> 00:00:01,000\n字幕\n",
    }
    assert codes(project_site(tmp_path / "a", docs)) == [("E857", "content/zcwj/gfxwj/talk.md")]


def test_serve_rerenders_the_library_only_when_a_policy_changes(tmp_path: Path) -> None:
    from govsite.rebuild import SiteBuilder

    docs = {"zcwj/gfxwj/a.md": policy("甲办法", "2026-06-01") + "正文。\n",
            "zdjsxm/pzjg/b.md": front_matter(title="批复", project="road") + "批复。\n"}
    root = project_site(tmp_path / "site", docs)
    builder = SiteBuilder(root, tmp_path / "out")
    builder.rebuild()
    first = (tmp_path / "out/library/index.html").read_bytes()
    builder.rebuild({"content/zdjsxm/pzjg/b.md"})
    assert (tmp_path / "out/library/index.html").read_bytes() == first
    policy_file = root / "content/zcwj/gfxwj/a.md"
    policy_file.write_text(policy_file.read_text(encoding="utf-8").replace("甲办法", "乙办法"),
                           encoding="utf-8")
    builder.rebuild({"content/zcwj/gfxwj/a.md"})
    assert "乙办法" in soup(tmp_path / "out", "library/index.html").select_one("tbody th").get_text()
    builder.close()


def test_a_project_code_puts_the_project_page_first_in_search() -> None:
    from search_helpers import searcher

    from govsite.build import analyse
    from govsite.structure import project_search_pages

    pages = {p.code: p for p in project_search_pages(analyse(ROOT, today=TODAY).site)}
    page = pages["2026-360999-84-01-004567"]
    assert page.url == "projects/dery/index.html" and page.title == "青山县第二人民医院迁建工程"
    assert "关于青山县第二人民医院迁建工程可行性研究报告的批复" in page.text
    found = searcher(ROOT)("2026-360999-84-01-004567", 10)
    assert found[0]["url"] == "projects/dery/index.html"
    assert len(found) > 1  # the project's documents follow

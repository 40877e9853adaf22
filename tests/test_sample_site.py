"""End to end on the bundled sample site: build it once, then read the HTML that was written."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import segno
from bs4 import BeautifulSoup

from govsite.build import build
from govsite.load import load_catalog
from govsite.qr import qr_svg

ROOT = Path(__file__).resolve().parents[1]
POLICY = "zcwj/zcwj-qtwj/ljxq-sndxd/index.html"
INTERPRETATION = "zcwj/zcwj-zcjd/jd-ljxq-sndxd/index.html"
WITH_ATTACHMENT = "ggzyjy/ggzyjy-cggg/jsjzm-zbgg/index.html"
META_SITE = ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "build"
    build(ROOT, out, today=dt.date(2026, 11, 28), use_cache=False)
    return out


def soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_catalogue_table_has_one_row_per_item(site: Path) -> None:
    catalog, _ = load_catalog(ROOT)
    assert catalog is not None
    page = soup(site, "catalog/index.html")
    rows = page.select("table.catalog-table tbody tr")
    county = [item for item in catalog.items if item.org is None]  # 乡镇/村 have their own
    assert [r["id"] for r in rows] == [f"item-{item.id}" for item in county]
    headers = [th.get_text() for th in page.select("table.catalog-table thead th")]
    assert headers[:11] == ["序号", "一级事项", "二级事项", "公开内容（要素）", "公开依据", "公开时限",
                            "公开主体", "公开渠道和载体", "公开对象", "公开方式", "公开层级"]
    for row in rows:
        link = row.select_one("td:last-child a")
        assert link is not None and (site / "catalog" / link["href"]).resolve().is_file()


def test_every_page_has_language_footer_date_and_meta(site: Path) -> None:
    for path in html_pages(site):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert page.html is not None and page.html["lang"] == "zh-CN", path
        footer = page.select_one("footer").get_text()
        for needed in ("青山县人民政府办公室", "3609990001", "赣ICP备12345678号",
                       "赣公网安备 36099902000001号", "0795-1234567"):
            assert needed in footer, (path, needed)
        metas = {m["name"]: m["content"] for m in page.select("meta[name]")}
        for name in META_SITE:
            assert name in metas, (path, name)
        assert metas["SiteIDCode"] == "3609990001"


def test_document_page_breadcrumb_metadata_and_meta(site: Path) -> None:
    page = soup(site, POLICY)
    crumbs = [li.get_text(strip=True) for li in page.select("nav.breadcrumb li")]
    assert crumbs[:2] == ["首页", "标准目录"] and crumbs[-1] == "正文"
    labels = [th.get_text() for th in page.select(".doc-meta th")]
    assert labels == ["索引号", "主题分类", "发文机关", "成文日期", "文号", "发布日期", "有效性", "来源",
                      "公开属性", "类型"]
    assert page.select_one(".doc-meta td.disclosure").get_text() == "主动公开"
    metas = {m["name"]: m["content"] for m in page.select("meta[name]")}
    assert metas["ArticleTitle"] == page.h1.get_text()
    assert metas["PubDate"].startswith("2026-")
    assert "ContentSource" in metas
    assert page.select_one(".qr svg") is not None


def test_the_qr_code_is_segnos_drawing_of_the_page_url(site: Path) -> None:
    """govsite draws the SVG itself (qr_svg): the page's is what segno's own SVG writer makes
    of the page's address, and a short address still gets a full QR code, not a Micro QR."""
    base = load_catalog(ROOT)[0].site.base_url.rstrip("/")
    page = (site / POLICY).read_text(encoding="utf-8")
    drawn = re.search(r'<svg width="\d+" height="\d+" class="segno">.*?</svg>', page)
    url = f"{base}/{POLICY.removesuffix('index.html')}"
    code = segno.make(url, error="m", mask=0)
    assert drawn and drawn.group(0) == code.svg_inline(scale=3, title="本页二维码", dark="#000",
                                                       light="#fff")
    short = qr_svg("https://a.cn/")
    assert segno.make("https://a.cn/").is_micro and short.startswith('<svg width="87" height="87"')


def test_policy_and_interpretation_link_both_ways(site: Path) -> None:
    policy = soup(site, POLICY)
    to_interp = [a["href"] for a in policy.select("section.related a")]
    assert (site / POLICY).parent.joinpath(to_interp[0]).resolve() == (site / INTERPRETATION).resolve()
    interp = soup(site, INTERPRETATION)
    back = [a["href"] for a in interp.select("section.related a")]
    assert (site / INTERPRETATION).parent.joinpath(back[0]).resolve() == (site / POLICY).resolve()


def test_attachments_are_listed_and_copied(site: Path) -> None:
    page = soup(site, WITH_ATTACHMENT)
    links = page.select("section.attachments a")
    assert links
    for link in links:
        target = (site / WITH_ATTACHMENT).parent / link["href"]
        assert target.is_file() and target.stat().st_size > 0
        assert link["href"].isascii()
    assert "PDF" in page.select_one("section.attachments").get_text()


def test_item_pages_list_newest_first_with_dates(site: Path) -> None:
    page = soup(site, "sthj/sthj-kqzl/index.html")
    dates = [t["datetime"] for t in page.select("ul.doc-list time")]
    assert len(dates) >= 11 and dates == sorted(dates, reverse=True)


def test_home_links_catalogue_and_latest(site: Path) -> None:
    page = soup(site, "index.html")
    assert page.select_one(".catalog-entrance a[href='catalog/index.html']") is not None
    assert len(page.select("ul.doc-list time")) >= 10


def test_no_non_public_marker_anywhere(site: Path) -> None:
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            for marker in (b"LEAK-CANARY", "临时救助审批表".encode(), "过程稿".encode()):
                assert marker not in data, f"{marker!r} leaked into {path}"


def test_sitemap_feed_and_robots(site: Path) -> None:
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://www.qingshan.example.gov.cn/" in locs
    assert len(locs) == len(set(locs)) > 89
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 50
    assert "Sitemap: https://www.qingshan.example.gov.cn/sitemap.xml" in (site / "robots.txt").read_text()


def test_no_external_resources(site: Path) -> None:
    for path in html_pages(site):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src")):
            for element in page.select(f"{tag}[{attribute}]"):
                if tag == "link" and element.get("rel") == ["canonical"]:
                    continue
                assert not element[attribute].startswith(("http:", "https:", "//")), (path, element)


def test_the_scheduled_notice_is_not_built_before_its_date(site: Path) -> None:
    """content/jy/jy-zph/jyyzy-zph-2026-12.md is published 2026-12-15; the site is built for
    2026-11-28: neither its page, nor its attachment, nor its title anywhere."""
    assert not (site / "jy/jy-zph/jyyzy-zph-2026-12").exists()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        assert "冬季“就业援助月”".encode() not in path.read_bytes(), path

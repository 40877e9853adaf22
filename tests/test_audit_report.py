"""Report formats: text, JSON, GitHub annotations and the self-contained HTML report."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from govsite.audit.report import format_github, format_html, format_json, format_text, render
from govsite.model import Catalog, Document, Domain, Item, SiteInfo
from govsite.problems import Problem

TODAY = date(2026, 11, 28)
AXE_JS = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")


def item(ident: str, domain: str, owner: str = "czj") -> Item:
    return Item(ident, domain, "事项" + ident, None, (), (), "20个工作日", owner, ("政府网站",), (),
                "全社会", "主动", ("县级",), f"content/{domain}/{ident}", line=10)


CATALOG = Catalog(
    SiteInfo("测试县人民政府", "测试县人民政府办公室"),
    {"czj": "测试县财政局", "bgs": "测试县人民政府办公室"},
    (Domain("czyjs", "财政预决算", tuple(item(f"ys{n}", "czyjs") for n in range(6))),
     Domain("zcwj", "政策文件", (item("gfxwj", "zcwj", "bgs"),))),
)


def document(rel: str, item_id: str, published: date) -> Document:
    return Document(rel, item_id, "标题<b>", "bgs", published, published, "主动公开", "张三",
                    published, "正文", 8, rel.rsplit("/", 1)[-1][:-3], "")


DOCUMENTS = [document("content/zcwj/gfxwj/a.md", "gfxwj", date(2026, 11, 1)),
             document("content/zcwj/gfxwj/b.md", "gfxwj", date(2026, 11, 2))]
LATE = Problem("content/zcwj/gfxwj/a.md", 5, "W601", "超过公开时限, 请及时发布\n第二行",
               "gfxwj", "测试县人民政府办公室")
BROKEN = Problem("content/zcwj/gfxwj/b.md", 12, "E301", "链接指向不存在的文件 <x.md>", "gfxwj",
                 "测试县人民政府办公室")
EMPTY = [Problem("catalog.yaml", 10 + n, "W501", f"空白栏目 ys{n}", f"ys{n}", "测试县财政局")
         for n in range(5)]


def test_text_lists_problems_and_totals():
    assert format_text([BROKEN, LATE]).splitlines() == [
        "content/zcwj/gfxwj/b.md:12: E301 链接指向不存在的文件 <x.md>",
        "content/zcwj/gfxwj/a.md:5: W601 超过公开时限, 请及时发布",
        "第二行",
        "1 个错误，1 个警告。检查结论：不合格",
    ]


def test_json_has_exactly_the_contract_keys():
    records = json.loads(format_json([BROKEN, LATE]))["problems"]
    assert records[0] == {"path": "content/zcwj/gfxwj/b.md", "line": 12, "code": "E301",
                          "severity": "error", "message": "链接指向不存在的文件 <x.md>",
                          "item": "gfxwj", "unit": "测试县人民政府办公室"}
    assert records[1]["severity"] == "warning"


def test_github_annotations_escape_newlines_and_properties():
    odd = Problem("content/a,b:c.md", None, "W307", "正文为空", "x", "y")
    assert format_github([LATE, odd]).splitlines() == [
        "::warning file=content/zcwj/gfxwj/a.md,line=5,title=W601::W601 超过公开时限, "
        "请及时发布%0A第二行",
        "::warning file=content/a%2Cb%3Ac.md,title=W307::W307 正文为空",
    ]


def test_render_sorts_by_location():
    text = render("text", [LATE, BROKEN, LATE], CATALOG, DOCUMENTS, TODAY)
    assert text.index("a.md:5") < text.index("b.md:12")
    assert text.count("a.md:5") == 1


def html_report(problems: list[Problem]) -> str:
    return format_html(problems, CATALOG, DOCUMENTS, TODAY)


def test_html_is_self_contained_and_structured():
    html = html_report([BROKEN, LATE])
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert "<title>政务公开检查报告 - 测试县人民政府</title>" in html
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<link" not in html and "<script" not in html
    assert html.count("<caption>") == html.count("<table") > 3
    assert '<th scope="col">责任单位</th>' in html
    assert 'role="img"' in html and "<title id=\"chart-units-title\">" in html
    assert "链接指向不存在的文件 &lt;x.md&gt;" in html  # escaped, never raw HTML


def test_html_verdict_and_unit_tables():
    html = html_report([BROKEN, LATE])
    assert "检查结论：不合格" in html and "有 1 个错误" in html
    assert "单项否决" not in html
    assert "<code>content/zcwj/gfxwj/b.md:12</code>" in html
    assert "测试县人民政府办公室（1 个错误，1 个警告）" in html
    # 政策文件: 2 published, 1 late -> 50% on time, drawn and tabulated.
    assert "政策文件 50%" in html
    assert '<td class="num">50%</td>' in html


def test_late_documents_not_yet_published_do_not_lower_the_on_time_rate():
    scheduled = [document(f"content/zcwj/gfxwj/later{n}.md", "gfxwj", date(2026, 12, n + 1))
                 for n in range(2)]
    late = [Problem(doc.rel, 5, "W601", "超过公开时限", "gfxwj", "测试县人民政府办公室")
            for doc in scheduled]
    html = format_html(late, CATALOG, DOCUMENTS + scheduled, TODAY)
    # 2 published on time; the 2 late ones are not published yet (a rate of -100% before)
    assert "政策文件 100%" in html
    assert '<td class="num">100%</td>' in html


def test_html_single_veto_with_five_empty_items():
    html = html_report(EMPTY)
    assert "检查结论：不合格" in html
    assert "单项否决：5 个栏目空白或更新不及时" in html
    assert "事项ys0（ys0）、事项ys1（ys1）、事项ys2（ys2）、事项ys3（ys3）、事项ys4（ys4）" in html
    assert "<td>事项ys0（ys0）</td>" in html  # the problem table names the item too
    passing = html_report(EMPTY[:4])
    assert "检查结论：合格" in passing and "单项否决：" not in passing


def test_text_and_json_give_the_html_reports_verdict():
    """0 errors but 5 blank items: 不合格 by 单项否决 in every format, the items by name."""
    text = render("text", EMPTY, CATALOG, DOCUMENTS, TODAY).splitlines()[-1]
    assert text.startswith("0 个错误，5 个警告。检查结论：不合格；单项否决：5 个栏目空白或更新不及时")
    assert "事项ys0（ys0）" in text
    summary = json.loads(render("json", EMPTY, CATALOG, DOCUMENTS, TODAY))["summary"]
    assert summary["verdict"] == "不合格" and summary["veto"] and not summary["passed"]
    assert summary["veto_items"][0] == {"id": "ys0", "name": "事项ys0"}
    assert summary["reasons"][0].startswith("单项否决：5 个栏目")
    assert "检查结论：不合格" in format_html(EMPTY, CATALOG, DOCUMENTS, TODAY)
    assert json.loads(render("json", EMPTY[:4], CATALOG, DOCUMENTS, TODAY))["summary"]["verdict"] == "合格"


def test_html_without_catalog():
    html = format_html([BROKEN], None, [], TODAY)
    assert "catalog.yaml 无法读取" in html and "E301" in html


@pytest.fixture(scope="module")
def chromium_page():
    if not CHROMIUM.is_file() or not AXE_JS.is_file():
        pytest.fail(f"needs {CHROMIUM} and {AXE_JS} (run scripts/test)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield browser.new_page(locale="zh-CN")
        browser.close()


def test_html_report_passes_axe(chromium_page, tmp_path):
    report = tmp_path / "report.html"
    report.write_text(html_report([BROKEN, LATE, *EMPTY]), encoding="utf-8")
    chromium_page.goto(report.as_uri())
    chromium_page.add_script_tag(path=str(AXE_JS))
    violations = chromium_page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => r.violations)"
    )
    assert [(v["id"], v["nodes"][0]["target"]) for v in violations] == []
    assert chromium_page.locator("svg[role=img]").count() == 2

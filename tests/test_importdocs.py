"""govsite import-docs: generated 公文 (.docx, .pdf) become documents, part by part."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from docx import Document as new_docx
from gongwen import gongwen, text_pdf

from govsite import importdocs
from govsite.build import build, collect_problems
from govsite.cli import cli
from govsite.content import split_front_matter
from govsite.importdocs import import_docs
from govsite.scaffold import init_site

ITEM = "zwgk-gzdt"
FOLDER = "content/zwgk/zwgk-gzdt"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    init_site(root, "铜鼓县", dt.date(2021, 5, 1))
    return root


def front_and_body(path: Path) -> tuple[dict, str]:
    parts = split_front_matter(path.read_text("utf-8"))
    assert parts
    return yaml.safe_load(parts[0]), parts[1]


def imported(site: Path, *paths: Path, **options) -> tuple[dict, str, importdocs.Result]:
    result = import_docs(site, list(paths), ITEM, **options)
    assert len(result.written) == 1, result.problems
    front, body = front_and_body(result.written[0][0])
    return front, body, result


def codes(result: importdocs.Result) -> list[str]:
    return [p.code for p in result.problems]


def test_record_comes_from_the_gongwen_parts(site: Path, tmp_path: Path) -> None:
    front, _, result = imported(site, gongwen(tmp_path / "in" / "fx.docx"))
    assert front["title"] == "铜鼓县人民政府办公室关于印发2021年防汛工作方案的通知"  # two centred lines
    assert front["doc_number"] == "铜府办发〔2021〕5号"
    assert front["issuer"] == "xzfb"  # 铜鼓县人民政府办公室 is the unit 铜鼓县人民政府办公室
    assert front["date"] == dt.date(2021, 5, 20)
    assert front["disclosure"] == "主动公开"  # from （此件公开发布）
    assert front["kind"] == "政策文件"  # 印发 … 通知 with a 文号
    assert front["slug"] == "fx"
    # left for the editor: the document cannot be published before it is reviewed
    assert front["reviewer"] is None and front["reviewed"] is None and front["published"] is None
    assert "W610" in codes(result)  # [2021]05 -> 〔2021〕5
    todo = result.written[0][1]
    assert any(t.startswith("reviewer") for t in todo) and any("替代文本" in t for t in todo)


def test_body_keeps_the_text_and_drops_the_paper_parts(site: Path, tmp_path: Path) -> None:
    _, body, _ = imported(site, gongwen(tmp_path / "in" / "fx.docx"))
    first = body.strip().splitlines()[0]
    assert first == "各乡镇人民政府，县政府各部门："  # the 主送 is the first line
    for paper in ("000123", "铜鼓县人民政府办公室文件", "铜府办发", "关于印发", "2021年5月20日",
                  "此件公开发布", "抄送", "印发"):
        assert paper not in body, paper
    assert "**人民至上**" in body and "*防汛责任制*" in body


@pytest.mark.parametrize("styled", [True, False])
def test_headings_follow_the_numbering_with_or_without_word_styles(site: Path, tmp_path: Path,
                                                                   styled: bool) -> None:
    _, body, _ = imported(site, gongwen(tmp_path / "in" / "fx.docx", styled_heading=styled))
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings == ["## 一、总体要求", "### （一）加强组织领导", "#### 1.健全值班制度",
                        "##### （1）汛期实行24小时值班", "## 二、工作措施"]
    assert "各乡镇要成立防汛工作领导小组" in body.split("### （一）加强组织领导")[1].splitlines()[2]


def test_a_skipped_numbering_level_does_not_skip_a_heading_level(site: Path, tmp_path: Path) -> None:
    document = new_docx()
    for text in ("关于测试的通知", "各单位：", "一、总体要求", "1.具体事项", "正文。", "2026年1月5日"):
        document.add_paragraph(text)
    document.save(str(tmp_path / "skip.docx"))
    _, body, _ = imported(site, tmp_path / "skip.docx")
    assert [line for line in body.splitlines() if line.startswith("#")] == ["## 一、总体要求", "### 1.具体事项"]


def test_tables_merged_cells_as_html_plain_tables_as_pipes(site: Path, tmp_path: Path) -> None:
    _, body, _ = imported(site, gongwen(tmp_path / "in" / "fx.docx"))
    table = BeautifulSoup(body, "html.parser").find("table")
    assert table is not None
    assert table.find("td", rowspan="2").get_text() == "永宁镇"
    assert [th.get_text() for th in table.find_all("th")] == ["乡镇", "责任人", "电话"]
    document = new_docx()
    document.add_paragraph("关于名单的公告")
    grid = document.add_table(rows=2, cols=2)
    grid.cell(0, 0).text, grid.cell(0, 1).text = "姓名", "金额"
    grid.cell(1, 0).text, grid.cell(1, 1).text = "王五", "300"
    document.add_paragraph("2026年1月5日")
    document.save(str(tmp_path / "plain.docx"))
    _, body, _ = imported(site, tmp_path / "plain.docx")
    assert "| 姓名 | 金额 |\n|---|---|\n| 王五 | 300 |" in body


def test_images_are_extracted_and_the_build_asks_for_their_alt_text(site: Path, tmp_path: Path) -> None:
    _, body, result = imported(site, gongwen(tmp_path / "in" / "fx.docx"))
    assert "![](fx-img1.png)" in body
    assert (site / FOLDER / "fx-img1.png").read_bytes().startswith(b"\x89PNG")
    path = result.written[0][0]
    fill(path)
    problems, _, _ = collect_problems(site, dt.date(2021, 5, 22))
    assert any(p.code == "E304" and p.path.endswith("fx.md") for p in problems)
    path.write_text(path.read_text("utf-8").replace("![](", "![防汛值班图]("), "utf-8")
    result_build = build(site, site / "build")
    page = next((site / "build").glob("zwgk/zwgk-gzdt/fx/index.html"))
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    assert soup.find("img", alt="防汛值班图") is not None
    assert soup.find("td", rowspan="2") is not None
    assert result_build.published >= 1


def fill(path: Path, day: str = "2021-05-21") -> None:
    text = path.read_text("utf-8")
    for key, value in (("reviewer", "李四"), ("reviewed", day), ("published", day)):
        text = re.sub(rf"^{key}:", f"{key}: {value}", text, flags=re.M)
    path.write_text(text, "utf-8")


def test_attachments_beside_the_source_are_registered(site: Path, tmp_path: Path) -> None:
    source = gongwen(tmp_path / "in" / "fx.docx")
    (tmp_path / "in" / "防汛责任人名单.xlsx").write_bytes(b"xlsx")
    (tmp_path / "in" / "附件2.pdf").write_bytes(b"%PDF-1.4")
    front, body, result = imported(site, source)
    assert front["attachments"] == [{"file": "防汛责任人名单.xlsx", "title": "防汛责任人名单"},
                                    {"file": "附件2.pdf", "title": "应急物资清单"}]
    assert (site / FOLDER / "附件2.pdf").read_bytes() == b"%PDF-1.4"
    assert "附件" not in body  # the 附件说明 is now the page's attachment list
    assert "W611" not in codes(result)


def test_missing_attachments_are_named_one_warning_each(site: Path, tmp_path: Path) -> None:
    _, body, result = imported(site, gongwen(tmp_path / "in" / "fx.docx"))
    messages = [p.message for p in result.problems if p.code == "W611"]
    assert len(messages) == 2 and "防汛责任人名单" in messages[0] and "应急物资清单" in messages[1]
    assert "附件：1.防汛责任人名单  \n2.应急物资清单" in body  # kept, so check's W305 keeps asking


def test_keep_original_attaches_the_docx(site: Path, tmp_path: Path) -> None:
    front, _, _ = imported(site, gongwen(tmp_path / "in" / "fx.docx", attachments=()), keep_original=True)
    assert front["attachments"] == [{"file": "fx.docx", "title": f"{front['title']}（原件）"}]
    assert (site / FOLDER / "fx.docx").is_file()


def test_issuer_name_not_in_units_and_kind_override(site: Path, tmp_path: Path) -> None:
    source = gongwen(tmp_path / "bj.docx", mast="铜鼓县扶贫办文件", number="铜扶字(2021)3号",
                     title=("关于做好帮扶工作的通知",), signer="铜鼓县扶贫开发办公室",
                     date="二〇二一年六月十日", note="（此件依申请公开）", attachments=(), image=False)
    front, _, result = imported(site, source, kind="通知公告")
    assert front["issuer"] == "铜鼓县扶贫开发办公室"
    assert front["date"] == dt.date(2021, 6, 10)
    assert front["disclosure"] == "依申请公开"
    assert front["kind"] == "通知公告"
    assert front["doc_number"] == "铜扶字〔2021〕3号"
    todo = "；".join(result.written[0][1])
    assert "不是 catalog.yaml 中的单位" in todo and "exempt_basis" in todo


def test_no_note_leaves_disclosure_for_the_editor(site: Path, tmp_path: Path) -> None:
    front, _, result = imported(site, gongwen(tmp_path / "a.docx", note="", attachments=(), image=False))
    assert front["disclosure"] is None
    assert any(t.startswith("disclosure") for t in result.written[0][1])


def test_guessed_kinds() -> None:
    assert importdocs.guess_kind("《2021年防汛方案》政策解读", False) == "政策解读"
    assert importdocs.guess_kind("关于开展低保年审的公告", False) == "通知公告"
    assert importdocs.guess_kind("关于召开会议的通知", True) == "政策文件"
    assert importdocs.guess_kind("2021年政府信息公开工作年度报告", False) == "报告"


def test_never_overwrites_and_goes_on_past_a_bad_file(site: Path, tmp_path: Path) -> None:
    first = gongwen(tmp_path / "in" / "fx.docx", attachments=())
    assert import_docs(site, [first], ITEM).written
    bad = tmp_path / "in" / "broken.docx"
    bad.write_bytes(b"not a zip")
    gongwen(tmp_path / "in" / "hy.docx", attachments=(), image=False)
    before = (site / FOLDER / "fx.md").read_bytes()
    result = import_docs(site, [tmp_path / "in"], ITEM)  # the folder: broken, fx (again), hy
    assert [p.name for p, _ in result.written] == ["hy.md"]
    by_code = {p.code: p for p in result.problems}
    assert by_code["E614"].path.endswith("broken.docx")
    assert (by_code["E614"].item, by_code["E614"].unit) == (ITEM, "铜鼓县人民政府办公室")
    assert by_code["E612"].path.endswith("fx.docx") and "fx.md" in by_code["E612"].message
    assert (site / FOLDER / "fx.md").read_bytes() == before


def test_doc_without_libreoffice_says_how(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importdocs.shutil, "which", lambda name: None)
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    result = import_docs(site, [old], ITEM)
    assert not result.written
    [problem] = result.problems
    assert problem.code == "E615" and "libreoffice" in problem.message and "另存为" in problem.message


def test_pdf_with_a_text_layer(site: Path, tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "gg.pdf", ["铜鼓县人民政府办公室文件", "铜府办字〔2022〕3号", "关于开展低保年审的公告",
                                          "各乡镇人民政府：", "请做好年审工作。", "铜鼓县人民政府办公室",
                                          "2022年3月1日", "（此件公开发布）"])
    front, body, _ = imported(site, pdf)
    assert front["title"] == "关于开展低保年审的公告"
    assert front["doc_number"] == "铜府办字〔2022〕3号"
    assert front["issuer"] == "xzfb" and front["date"] == dt.date(2022, 3, 1)
    assert front["attachments"] == [{"file": "gg.pdf", "title": "关于开展低保年审的公告"}]
    assert "全文见附件" in body


def test_pdf_without_text_layer(site: Path, tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "scan.pdf", [])
    front, _, result = imported(site, pdf)
    assert front["title"] == "scan" and "W613" in codes(result)


def test_cli_prints_each_path_and_what_to_fill(site: Path, tmp_path: Path) -> None:
    source = gongwen(tmp_path / "fx.docx", attachments=())
    run = CliRunner().invoke(cli, ["import-docs", str(source), "--item", ITEM, "--site", str(site)])
    assert run.exit_code == 0, run.output
    assert "fx.md（事项：工作动态（zwgk-gzdt））" in run.output
    assert "待填写" in run.output and "reviewer（审核人）" in run.output
    again = CliRunner().invoke(cli, ["import-docs", str(source), "--item", ITEM, "--site", str(site)])
    assert again.exit_code == 1 and "E612" in again.output
    unknown = CliRunner().invoke(cli, ["import-docs", str(source), "--item", "nope", "--site", str(site)])
    assert unknown.exit_code == 1 and "E611" in unknown.output


def add_hyperlink(paragraph, text: str, url: str) -> None:  # type: ignore[no-untyped-def]
    """python-docx reads hyperlinks but has no call to write one: the XML it reads."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    node = OxmlElement("w:t")
    node.text = text
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def test_links_multi_line_cells_and_a_closing_formula(site: Path, tmp_path: Path) -> None:
    document = new_docx()
    document.add_paragraph("关于报名的公告")
    paragraph = document.add_paragraph("详见")
    add_hyperlink(paragraph, "报名系统", "https://example.gov.cn/bm")
    paragraph.add_run("。")
    grid = document.add_table(rows=2, cols=2)
    grid.cell(0, 0).merge(grid.cell(0, 1)).text = "报名<时间>"
    grid.cell(1, 0).text = "上午"
    grid.cell(1, 0).add_paragraph("下午")
    grid.cell(1, 1).text = "8:00"
    document.add_paragraph("特此公告")
    document.add_paragraph("2026年1月5日")
    document.save(str(tmp_path / "bm.docx"))
    front, body, _ = imported(site, tmp_path / "bm.docx")
    assert "详见[报名系统](https://example.gov.cn/bm)。" in body
    assert '<th colspan="2">报名&lt;时间&gt;</th>' in body and "<td>上午<br>下午</td>" in body
    assert "特此公告" in body and front["issuer"] is None  # a closing formula is not a 署名
    assert front["kind"] == "通知公告"


def test_attachment_pages_between_the_sign_off_and_the_imprint(site: Path, tmp_path: Path) -> None:
    """GB/T 9704 puts the 附件 pages after the 落款 and 附注, before the 版记: they stay in the body."""
    document = new_docx()
    for text in ("铜鼓县人民政府办公室文件", "铜府办字〔2026〕7号", "关于做好防汛值班的通知", "各乡镇：",
                 "请按附件做好值班。", "附件：值班表", "", "铜鼓县人民政府办公室", "2026年6月1日",
                 "（此件公开发布）", "附件", "值班表", "6月1日至6月30日，每日两人值班。",
                 "抄送：县委办。", "铜鼓县人民政府办公室 2026年6月1日印发"):
        document.add_paragraph(text)
    document.save(str(tmp_path / "zb.docx"))
    front, body, _ = imported(site, tmp_path / "zb.docx")
    assert (front["date"], front["issuer"], front["disclosure"]) == (dt.date(2026, 6, 1), "xzfb", "主动公开")
    assert "每日两人值班" in body and "值班表" in body
    assert "2026年6月1日" not in body and "此件公开发布" not in body and "抄送" not in body


def test_doc_and_wps_go_through_libreoffice(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in `soffice` on PATH: called as LibreOffice is, it writes the .docx into --outdir."""
    converted = gongwen(tmp_path / "made.docx", attachments=(), image=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text('#!/bin/sh\n[ "$1 $2 $3" = "--headless --convert-to docx" ] || exit 3\n'
                    f'stem=$(basename "$6"); cp "{converted}" "$5/${{stem%.*}}.docx"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    old = tmp_path / "old.wps"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    front, body, _ = imported(site, old, keep_original=True)
    assert front["doc_number"] == "铜府办发〔2021〕5号" and "## 一、总体要求" in body
    assert front["slug"] == "old" and front["attachments"][0]["file"] == "old.wps"

"""govsite import-catalog: realistic tables in, a catalog.yaml that builds and checks clean out."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from govsite.build import build, collect_problems
from govsite.cli import cli
from govsite.importer import import_catalog, import_table
from govsite.load import ID_RE, load_catalog
from govsite.problems import GovsiteError, has_errors

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 3, 2)
HEADER = "序号,一级事项,二级事项,公开内容,公开依据,公开时限,公开主体,公开渠道和载体,公开对象,公开方式,公开层级\n"
ROW = ("{n},就业服务,招聘信息{n},招聘单位、岗位,《中华人民共和国就业促进法》,及时公开,"
       "县人力资源和社会保障局,■政府网站,全社会,主动,县级\n")


def items_of(path: Path, domain: str | None = None) -> dict[str, dict]:
    result = import_table(path, domain)
    assert result.problems == []
    return {i["l2"]: i | {"domain": d["id"]} for d in result.domains.values() for i in d["items"]}


def write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_two_header_rows_merged_blanks_ticks_and_channel_marks() -> None:
    result = import_table(FIXTURES / "catalog-zdjsxm.csv")
    assert result.problems == [] and result.item_count == 10
    items = items_of(FIXTURES / "catalog-zdjsxm.csv")
    merged = items["相关法律法规"]  # 一级事项, 公开时限 and 公开主体 left blank under a merge
    assert merged["l1"] == "批准服务信息"
    assert merged["time_limit"] == "信息形成或者变更之日起20个工作日内"
    assert merged["channels"] == {"required": ["政府网站"], "optional": ["政务服务中心"]}
    assert result.units[merged["owner"]] == "县发展和改革局"
    first = items["申报要求"]
    assert first["channels"] == {"required": ["政府网站", "投资项目在线审批监管平台"],
                                 "optional": ["两微一端"]}
    assert first["basis"] == ["《中华人民共和国政府信息公开条例》", "《企业投资项目核准和备案管理条例》"]
    assert first["content"] == ["申报材料", "申报程序", "办理时限", "咨询方式"]
    land = items["征地批复"]
    assert (land["audience"], land["mode"], land["levels"]) == ("特定群体", "主动", ["县级", "乡级"])
    assert items["审批结果"]["basis"][1] == "《政府投资条例》（国务院令第712号）"
    assert {i["domain"] for i in items.values()} == {"zdjsxm"}  # from the title row
    assert all(ID_RE.match(uid) for uid in result.units)


def test_combined_headers_domain_column_and_aliases() -> None:
    items = items_of(FIXTURES / "catalog-multi.csv")
    assert items["政府决算"]["domain"] == "czyjs"  # 领域 blank under a merge
    assert items["政府决算"]["l1"] == "政府预决算"
    assert items["低保对象名单"]["levels"] == ["县级", "乡级"]
    assert items["低保对象名单"]["audience"] == "特定群体"
    assert items["救助供养标准"]["domain"] == "shjz"
    assert items["扶贫项目库"]["domain"] == "xczx"  # 扶贫, the old name of 乡村振兴
    assert items["资金使用情况"]["mode"] == "依申请"
    assert items["政府预算"]["basis"] == ["《中华人民共和国预算法》", "《中华人民共和国政府信息公开条例》"]


def test_xlsx_sheets_and_real_merged_cells() -> None:
    items = items_of(FIXTURES / "catalog-two-sheets.xlsx")
    assert {i["domain"] for i in items.values()} == {"ywjy", "wsjk"}  # from the sheet titles
    zoned = items["划片范围"]  # ticks and 一级事项 merged vertically with the row above
    assert (zoned["l1"], zoned["audience"], zoned["mode"], zoned["levels"]) == (
        "招生入学", "全社会", "主动", ["县级"])
    assert items["中小学校名录"]["levels"] == ["县级", "乡级"]


@pytest.mark.parametrize("table", ["catalog-zdjsxm.csv", "catalog-multi.csv",
                                   "catalog-two-sheets.xlsx"])
def test_round_trip_import_build_check(tmp_path: Path, table: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    result = import_catalog(FIXTURES / table, site / "catalog.yaml", county="测试县")
    catalog, problems = load_catalog(site)
    assert problems == [] and catalog is not None
    assert len(catalog.items) == result.item_count
    assert build(site, tmp_path / "out", today=TODAY).pages > result.item_count
    found, _, _ = collect_problems(site, TODAY)
    assert not has_errors(found), [str(p) for p in found]


def test_unreadable_rows_are_reported_with_row_numbers_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    text = (FIXTURES / "catalog-multi.csv").read_text("utf-8").splitlines(keepends=True)
    text[2] = text[2].replace("√,,√,,", ",,,,")  # row 3: no 公开对象 / 公开方式 ticked
    text[5] = ",救灾,,灾情发布,灾情,,,县应急管理局,■政府网站,√,,√,,县级\n"  # new domain, no 一级事项
    table = write(tmp_path, "".join(text))
    out = tmp_path / "catalog.yaml"
    with pytest.raises(GovsiteError) as error:
        import_catalog(table, out)
    got = [str(p) for p in error.value.problems]
    assert got[0] == f"{table}:3: E602 第 3 行的公开对象未勾选或无法识别"
    assert got[1] == f"{table}:6: E602 第 6 行缺少一级事项"
    assert len(got) == 2 and not out.exists()


def test_domain_option_section_rows_repeated_headers_and_notes(tmp_path: Path) -> None:
    table = write(tmp_path, HEADER + ROW.format(n=1) + HEADER + ROW.format(n=2)
                  + "二、社会救助,,,,,,,,,,\n" + ROW.format(n=3) + "备注：■为必选,,,,,,,,,,\n")
    result = import_table(table, "就业")
    assert result.problems == []
    assert [(d["id"], len(d["items"])) for d in result.domains.values()] == [("jy", 2), ("shjz", 1)]
    assert result.units == {"rlzyhshbzj": "县人力资源和社会保障局"}  # pinyin initials


def test_missing_domain_and_missing_columns(tmp_path: Path) -> None:
    result = import_table(write(tmp_path, HEADER + ROW.format(n=1)))
    assert [(p.line, p.code) for p in result.problems] == [(2, "E604")]
    result = import_table(write(tmp_path, "序号,一级事项,公开内容\n1,a,b\n", "b.csv"))
    assert [(p.line, p.code) for p in result.problems] == [(1, "E601")]
    assert "公开主体" in result.problems[0].message


def test_gbk_csv_and_unsupported_files(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes((HEADER + ROW.format(n=1)).encode("gbk"))
    with pytest.raises(GovsiteError) as error:
        import_table(gbk, "就业")
    assert error.value.problems[0].code == "E001" and "UTF-8" in error.value.problems[0].message
    with pytest.raises(GovsiteError) as error:
        import_table(write(tmp_path, "x", "t.xls"))
    assert error.value.problems[0].code == "E603"


def test_xlsx_without_openpyxl_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(GovsiteError) as error:
        import_table(FIXTURES / "catalog-two-sheets.xlsx")
    assert "pip install 'govsite[xlsx]'" in error.value.problems[0].message


def test_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    out = write(tmp_path, "keep", "catalog.yaml")
    with pytest.raises(GovsiteError) as error:
        import_catalog(FIXTURES / "catalog-multi.csv", out)
    assert error.value.problems[0].code == "E612" and out.read_text() == "keep"
    import_catalog(FIXTURES / "catalog-multi.csv", out, force=True)
    assert len(yaml.safe_load(out.read_text("utf-8"))["domains"]) == 3 + 1  # + 政务公开工作


def test_cli_import_catalog(tmp_path: Path) -> None:
    table = tmp_path / "目录.csv"
    shutil.copy(FIXTURES / "catalog-zdjsxm.csv", table)
    runner = CliRunner()
    out = tmp_path / "catalog.yaml"
    result = runner.invoke(cli, ["import-catalog", str(table), "-o", str(out), "--name", "测试县"])
    assert result.exit_code == 0, result.output
    added = "已补充标准事项：工作动态（zwgk-gzdt）、通知公告（zwgk-tzgg）"
    assert f"2 个领域、12 个事项、5 个单位；{added}" in result.output
    assert yaml.safe_load(out.read_text("utf-8"))["site"]["title"] == "测试县人民政府"
    result = runner.invoke(cli, ["import-catalog", str(table), "-o", str(out)])
    assert result.exit_code == 1 and f"{out}:-: E612" in result.output


def test_township_table_without_optional_columns(tmp_path: Path) -> None:
    """A 乡镇 catalogue as published: no 公开对象/方式/层级 columns, ☐ boxes, numbered content."""
    result = import_table(FIXTURES / "catalog-township.csv")
    warnings = [p for p in result.problems if p.code == "W620"]
    assert not has_errors(result.problems) and len(warnings) == 3
    assert "“全社会”" in warnings[0].message and "“主动”" in warnings[1].message
    assert "“乡级”" in warnings[2].message  # a 镇 table
    files, subsidy = result.domains["涉农补贴"]["items"]
    assert files["content"] == ["中央及地方政府下发涉农资金相关文件", "我镇涉农资金相关文件"]
    assert subsidy["content"] == ["补贴对象名单", "补贴标准"]
    assert files["channels"] == {"required": ["政府网站", "政务公开栏"], "optional": []}  # ☐ as bullets
    assert subsidy["channels"] == {"required": ["政府网站"], "optional": ["两微一端"]}  # þ ☑, ¨ ☐
    assert (files["audience"], files["mode"], files["levels"]) == ("全社会", "主动", ["乡级"])
    # unit ids are the names' pinyin initials: 镇级人民政府 is not 民政局's mzj
    assert result.units == {"zjrmzf": "镇级人民政府", "nyncj": "县农业农村局", "czj": "县财政局"}
    assert files["owner"] == "zjrmzf" and "co_owners" not in files
    assert subsidy["owner"] == "nyncj" and subsidy["co_owners"] == ["zjrmzf", "czj"]


def test_init_from_the_office_catalogue(tmp_path: Path) -> None:
    """One step: the site holds the office's own items, 工作动态/通知公告 added, and no welcome document."""
    site = tmp_path / "site"
    run = CliRunner().invoke(cli, ["init", str(site), "--name", "某某镇",
                                   "--catalog", str(FIXTURES / "catalog-township.csv")])
    assert run.exit_code == 0, run.output
    assert "W620" in run.output and "已补充标准事项：工作动态（zwgk-gzdt）、通知公告（zwgk-tzgg）" in run.output
    assert not list((site / "content").rglob("*.md"))  # no welcome document
    assert (site / "content/snbt/snbt-001/.gitkeep").is_file()  # each item's folder, ready
    catalog, problems = load_catalog(site)
    assert catalog is not None and not has_errors(problems)
    assert [i.name for i in catalog.items] == ["资金文件", "补贴对象", "工作动态", "通知公告"]
    assert catalog.unit_name(catalog.item("zwgk-gzdt").owner) == "某某镇人民政府办公室"
    problems, _, _ = collect_problems(site, TODAY)
    assert not has_errors(problems) and "E207" not in {p.code for p in problems}
    build(site, site / "build")
    from bs4 import BeautifulSoup

    page = BeautifulSoup((site / "build/catalog/index.html").read_text("utf-8"), "html.parser")
    row = page.find("tr", id="item-snbt-002")
    assert row is not None and "县农业农村局、镇级人民政府、县财政局" in row.get_text()
    again = CliRunner().invoke(cli, ["init", str(site), "--catalog", str(FIXTURES / "catalog-township.csv")])
    assert again.exit_code == 1 and "E613" in again.output

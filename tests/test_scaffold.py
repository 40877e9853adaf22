"""govsite init and govsite new: the generated files load, build and check clean."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from govsite.bodyfacts import PLACEHOLDER
from govsite.build import build, collect_problems
from govsite.cli import cli
from govsite.content import load_documents
from govsite.load import ID_RE, load_catalog
from govsite.problems import GovsiteError, has_errors
from govsite.scaffold import WELCOME, init_site, new_document

TODAY = dt.date(2026, 3, 2)
# ../shared/domain.md §1 (扶贫 is now 乡村振兴).
STANDARD = [
    "重大建设项目", "公共资源交易", "财政预决算", "税收管理", "安全生产", "救灾",
    "生态环境", "城乡规划", "农村集体土地征收", "国有土地上房屋征收与补偿", "保障性住房", "农村危房改造",
    "城市综合执法", "市政服务", "乡村振兴", "社会救助", "养老服务", "户籍管理",
    "涉农补贴", "就业", "社会保险", "食品药品监管", "公共法律服务", "义务教育",
    "卫生健康", "公共文化服务",
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    init_site(root, "测试县", TODAY)
    return root


def fill_reviewer(path: Path) -> None:
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"^reviewer:", "reviewer: 李四", text, flags=re.M), "utf-8")


def test_init_has_the_26_standard_domains_with_marked_example_items(site: Path) -> None:
    catalog, problems = load_catalog(site)
    assert catalog is not None and problems == []
    names = [d.name for d in catalog.domains]
    assert len(STANDARD) == 26 and names[:26] == STANDARD
    assert all(len(d.items) >= 2 for d in catalog.domains)
    assert all(ID_RE.match(d.id) for d in catalog.domains)
    raw = yaml.safe_load((site / "catalog.yaml").read_text("utf-8"))
    assert all(i["note"].startswith("示例事项") for d in raw["domains"] for i in d["items"])
    assert catalog.site.title == "测试县人民政府"
    assert (site / "themes").is_dir()


def test_init_site_builds_and_checks_without_errors(site: Path, tmp_path: Path) -> None:
    result = build(site, tmp_path / "out", today=TODAY)
    assert result.published == 1
    welcome = list((tmp_path / "out").rglob("welcome/index.html"))
    assert welcome and "测试县政务公开网站开通运行" in welcome[0].read_text("utf-8")
    problems, _, _ = collect_problems(site, TODAY)
    assert not has_errors(problems), [str(p) for p in problems]


def test_init_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(GovsiteError) as error:
        init_site(tmp_path, "测试县", TODAY)
    assert error.value.problems[0].code == "E613"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_new_document_loads_once_the_reviewer_is_filled(site: Path, tmp_path: Path) -> None:
    path = new_document(site, "czyjs-zfys", "测试县2026年政府预算公开", "报告", TODAY)
    assert path == site / "content/czyjs/czyjs-zfys/bg-20260302-1.md"
    catalog, _ = load_catalog(site)
    assert catalog is not None
    _, problems = load_documents(site, catalog)
    lines = path.read_text("utf-8").split("\n")
    reviewer = next(n for n, line in enumerate(lines, 1) if line.startswith("reviewer:"))
    placeholder = next(n for n, line in enumerate(lines, 1) if PLACEHOLDER in line)
    assert [str(p) for p in problems] == [
        f"content/czyjs/czyjs-zfys/bg-20260302-1.md:{reviewer}: E006 缺少审核人：“reviewer”未填写"
        "（空白不算填写），请填写审核人"
    ]
    fill_reviewer(path)
    documents, problems = load_documents(site, catalog)
    assert problems == []
    with pytest.raises(GovsiteError) as error:  # the placeholder body still blocks publication
        build(site, tmp_path / "out", today=TODAY)
    assert [str(p).split(" ", 2)[:2] for p in error.value.problems if p.severity == "error"] == [
        [f"content/czyjs/czyjs-zfys/bg-20260302-1.md:{placeholder}:", "E209"]]
    path.write_text(path.read_text("utf-8").replace(PLACEHOLDER, "本级政府预算如下"), "utf-8")
    doc = next(d for d in documents if d.rel.endswith("bg-20260302-1.md"))
    assert (doc.title, doc.issuer, doc.kind, doc.reviewer) == (
        "测试县2026年政府预算公开", "czj", "报告", "李四")
    assert doc.date == doc.published == doc.reviewed == TODAY
    assert doc.disclosure == "主动公开" and doc.slug == "bg-20260302-1"
    result = build(site, tmp_path / "out", today=TODAY)
    assert result.published == 2


def test_new_document_comments_are_chinese_instructions(site: Path) -> None:
    text = new_document(site, "czyjs-zfys", "标题", "政策文件", TODAY).read_text("utf-8")
    assert "# 审核人：请填写审核人姓名（必填）" in text
    assert "# 发文机关" in text and "# 成文日期" in text


def test_new_numbers_slugs_and_never_overwrites(site: Path) -> None:
    first = new_document(site, "jy-zpxx", "招聘一", "通知公告", TODAY)
    second = new_document(site, "jy-zpxx", "招聘二", "通知公告", TODAY)
    assert (first.stem, second.stem) == ("tzgg-20260302-1", "tzgg-20260302-2")
    before = first.read_text("utf-8")
    with pytest.raises(GovsiteError) as error:
        new_document(site, "jy-zpxx", "招聘三", "通知公告", TODAY, slug="tzgg-20260302-1")
    assert error.value.problems[0].code == "E612"
    assert first.read_text("utf-8") == before


def test_new_rejects_unknown_item_with_a_suggestion(site: Path) -> None:
    with pytest.raises(GovsiteError) as error:
        new_document(site, "czyjs-zfy", "标题", "其他", TODAY)
    problem = error.value.problems[0]
    assert problem.code == "E611" and "czyjs-zfys" in problem.message


def test_new_rejects_a_non_ascii_slug(site: Path) -> None:
    with pytest.raises(GovsiteError) as error:
        new_document(site, "czyjs-zfys", "标题", "其他", TODAY, slug="预算")
    assert error.value.problems[0].code == "E103"


@pytest.mark.parametrize("title", ['含冒号: 和 #井号', "- 以短横开头", '"引号"与\'单引号\'', "yes"])
def test_new_keeps_awkward_titles_exactly(site: Path, title: str) -> None:
    path = new_document(site, "czyjs-zfys", title, "政策解读", TODAY)
    fill_reviewer(path)
    catalog, _ = load_catalog(site)
    documents, problems = load_documents(site, catalog)  # type: ignore[arg-type]
    assert problems == []
    assert any(d.title == title and d.kind == "政策解读" for d in documents)


def test_cli_init_then_new(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(tmp_path / "s"), "--name", "某县"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s" / WELCOME).is_file()
    result = runner.invoke(cli, ["new", "ywjy-zsrx", "2026年招生方案", "--kind", "通知公告",
                                 "--site", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "s/content/ywjy/ywjy-zsrx").glob("tzgg-*-1.md"))
    result = runner.invoke(cli, ["new", "nope", "x", "--site", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "catalog.yaml:-: E611" in result.output
    result = runner.invoke(cli, ["init", str(tmp_path / "s")])
    assert result.exit_code == 1 and "E613" in result.output


def test_pre_commit_hook_runs_govsite_check() -> None:
    hooks = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text("utf-8"))
    hook = next(h for h in hooks if h["id"] == "govsite-check")
    assert (hook["entry"], hook["language"], hook["pass_filenames"], hook["always_run"]) == (
        "govsite check", "python", False, True)
    assert "check" in cli.commands

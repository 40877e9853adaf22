"""Editor-facing messages: YAML slips in Chinese, empty registrations, the 落款 before a 版记,
and problems found while loading a document that name its item and unit."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import COUNTY_ITEMS, COUNTY_SITE, notice

from govsite.build import build, collect_problems
from govsite.cli import cli
from govsite.yamlio import load_yaml

TODAY = dt.date(2026, 11, 28)
SiteFactory = Callable[[dict[str, str | bytes]], Path]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("attachments:\n  - file: a.pdf\n    title: 甲\n - file: b.pdf\n", 4, "缩进"),
    ("title: 甲\n  date: 2026-01-01\n", 2, "多缩进"),
    ("title: 关于: 通知\n", 1, "引号"),
    ("title: 甲\n\tdate: 2026-01-01\n", 2, "Tab"),
    ('title: "甲\ndate: 1\n', 3, "引号没有配对"),
    ("content: [甲, 乙\nx: 1\n", 2, "方括号"),
    ("title: @甲\n", 1, "“@”"),
    ("title: *甲*\n", 1, "“*”"),
    ('path: "C:\\q"\n', 1, "转义"),
])
def test_yaml_syntax_errors_are_explained_in_chinese(text: str, line: int, words: str) -> None:
    _, [problem] = load_yaml(text, "a.md")
    assert (problem.code, problem.line) == ("E002", line)
    assert problem.message.startswith("YAML 语法错误：") and words in problem.message
    assert not any(english in problem.message for english in ("expected", "found", "while", "mapping"))


def county(site_factory: SiteFactory, site_extra: str = "", docs: dict[str, str] | None = None) -> Path:
    catalog = COUNTY_SITE.replace('  index_prefix: "11360999MB1234567X"\n', site_extra) + COUNTY_ITEMS
    return site_factory({"catalog.yaml": catalog, **(docs or {"content/zwgk/tzgg/a.md": notice()})})


def test_empty_index_prefix_is_a_warning_naming_the_field(site_factory: SiteFactory) -> None:
    root = county(site_factory, '  index_prefix: ""\n')
    problems, _, _ = collect_problems(root, TODAY)
    [w902] = [p for p in problems if p.code == "W902"]
    assert "site.index_prefix" in w902.message and "未填写" in w902.message and w902.line


def test_footer_omits_empty_registrations(site_factory: SiteFactory) -> None:
    root = county(site_factory, '  index_prefix: "11360999MB1234567X"\n')
    catalog = root / "catalog.yaml"
    text = catalog.read_text("utf-8")
    text = text.replace('site_code: "3609990001"', 'site_code: ""').replace(
        "police_record: 赣公网安备 36099902000001号", 'police_record: ""')
    catalog.write_text(text, "utf-8")
    problems, _, _ = collect_problems(root, TODAY)
    fields = sorted(p.message.split("（")[1].split("）")[0] for p in problems if p.code == "W901")
    assert fields == ["site.police_record", "site.site_code"]
    build(root, root / "build")
    soup = BeautifulSoup((root / "build/index.html").read_text("utf-8"), "html.parser")
    footer = soup.find("footer").get_text()
    assert "网站标识码" not in footer and "公网安备" not in footer and "赣ICP备12345678号" in footer
    assert soup.find("meta", attrs={"name": "SiteIDCode"}) is None


@pytest.mark.parametrize("imprint", ["", "\n抄送：县委办，县人大办。\n\n测试县人民政府办公室 2026年11月2日印发\n"])
def test_sign_off_is_found_with_or_without_an_imprint_after_it(site_factory: SiteFactory, imprint: str) -> None:
    body = "请各单位做好防火工作。\n\n测试县人民政府办公室\n\n2026年11月2日\n\n（此件公开发布）\n" + imprint
    root = county(site_factory, '  index_prefix: "11360999MB1234567X"\n',
                  {"content/zwgk/tzgg/a.md": notice(body)})
    problems, _, _ = collect_problems(root, TODAY)
    codes = [p.code for p in problems]
    assert "W303" in codes
    assert ("W304" in codes) == bool(imprint)


def test_load_stage_problems_carry_item_and_unit(site_factory: SiteFactory) -> None:
    """A record without a reviewer fails while loading; 通报 still assigns it to a unit."""
    root = county(site_factory, '  index_prefix: "11360999MB1234567X"\n',
                  {"content/zwgk/tzgg/a.md": notice(reviewer=None),
                   "content/zwgk/tzgg/b.md": "---\ntitle: 甲\n  date: 2026-11-02\n---\n正文\n"})
    run = CliRunner().invoke(cli, ["check", "--site", str(root), "--format", "json", "--today", "2026-11-28"])
    records = {r["code"]: r for r in json.loads(run.output)["problems"]}
    for code in ("E006", "E002"):
        assert records[code]["item"] == "tzgg" and records[code]["unit"] == "测试县人民政府办公室", records[code]
    html = CliRunner().invoke(cli, ["check", "--site", str(root), "--format", "html", "--today", "2026-11-28"])
    soup = BeautifulSoup(html.output, "html.parser")
    row = next(tr for tr in soup.find_all("tr") if tr.find("td", string="E006"))
    assert "通知公告（tzgg）" in row.get_text()


def test_check_states_a_veto_and_strict_fails_on_it(site_factory: SiteFactory) -> None:
    items = "".join(f"""
      - id: lm{n}
        l1: 栏目{n}
        time_limit: 信息形成之日起20个工作日内
        owner: bgs
        channels: {{required: [政府网站]}}
""" for n in range(5))
    root = site_factory({"catalog.yaml": COUNTY_SITE + COUNTY_ITEMS + items,
                         "content/zwgk/tzgg/a.md": notice()})
    run = CliRunner().invoke(cli, ["check", "--site", str(root), "--today", "2026-11-28"])
    assert run.exit_code == 0  # warnings only: the verdict is stated, the pre-commit hook passes
    last = run.output.splitlines()[-1]
    assert last.startswith("0 个错误，") and "检查结论：不合格；单项否决：5 个栏目" in last and "栏目0（lm0）" in last
    strict = CliRunner().invoke(cli, ["check", "--site", str(root), "--today", "2026-11-28", "--strict"])
    assert strict.exit_code == 1 and strict.output.splitlines()[-1] == last

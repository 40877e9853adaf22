"""`govsite check`: formats, exit codes, --strict, --today, and the sample and real sites."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import COUNTY_ITEMS, COUNTY_SITE, REAL_CORPUS, notice

from govsite.cli import cli

REPO = Path(__file__).resolve().parents[1]

CATALOG = COUNTY_SITE + COUNTY_ITEMS


def check(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["check", "--site", str(root), *args], env=env)


@pytest.fixture
def site(site_factory: Callable[[dict[str, str | bytes]], Path]) -> Callable[[str], Path]:
    def make(reviewed: str = "2026-11-19") -> Path:
        return site_factory({"catalog.yaml": CATALOG, "dzjg.png": b"\x89PNG mark",
                             "content/zwgk/tzgg/a.md": notice(reviewed=reviewed)})

    return make


def test_clean_site_exits_zero(site):
    result = check(site(), "--today", "2026-11-28")
    assert result.exit_code == 0, result.output
    assert result.output == "0 个错误，0 个警告。检查结论：合格\n"


def test_warnings_fail_only_with_strict(site):
    late = ("--today", "2026-12-20")  # the home page is now older than 2 weeks
    result = check(site(), *late)
    assert result.exit_code == 0
    assert "catalog.yaml:1: W702 " in result.output
    assert check(site(), *late, "--strict").exit_code == 1


def test_errors_exit_one_with_location(site):
    result = check(site(reviewed="2026-11-21"), "--today", "2026-11-28")
    assert result.exit_code == 1
    assert "content/zwgk/tzgg/a.md:8: E201 " in result.output
    assert result.output.endswith("1 个错误，0 个警告。检查结论：不合格\n")


def test_json_format(site):
    result = check(site(reviewed="2026-11-21"), "--format", "json", "--today", "2026-12-20")
    data = json.loads(result.output)
    records = data["problems"]
    assert all(list(r) == ["path", "line", "code", "severity", "message", "item", "unit"]
               for r in records)
    assert data["summary"] | {"reasons": []} == {
        "verdict": "不合格", "passed": False, "errors": 1, "warnings": 1, "veto": False,
        "veto_threshold": 5, "veto_items": [], "reasons": []}
    by_code = {r["code"]: r for r in records}
    assert by_code["E201"]["severity"] == "error"
    assert by_code["E201"]["unit"] == "测试县人民政府办公室"
    assert by_code["W702"] == by_code["W702"] | {
        "path": "catalog.yaml", "line": 1, "severity": "warning", "item": None,
        "unit": "测试县人民政府办公室",
    }


def test_github_format(site):
    result = check(site(reviewed="2026-11-21"), "--format", "github", "--today", "2026-12-20")
    lines = result.output.splitlines()
    assert "::error file=content/zwgk/tzgg/a.md,line=8,title=E201::E201 " in lines[-1]
    assert lines[0].startswith("::warning file=catalog.yaml,line=1,title=W702::W702 ")


def test_html_report_to_file(site, tmp_path):
    out = tmp_path / "report.html"
    result = check(site(), "--format", "html", "--output", str(out), "--today", "2026-12-20")
    assert result.exit_code == 0
    assert f"报告已写入 {out}：0 个错误，1 个警告。检查结论：合格" in result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    assert "检查结论：合格" in html
    assert "首页超过两周未更新" in html


def test_today_from_source_date_epoch(site):
    stale = check(site(), env={"SOURCE_DATE_EPOCH": "1797724800"})  # 2026-12-20
    assert "W702" in stale.output
    fresh = check(site(), env={"SOURCE_DATE_EPOCH": "1795910400"})  # 2026-11-29
    assert "W702" not in fresh.output


def test_missing_catalog_is_an_error_not_a_traceback(tmp_path):
    result = check(tmp_path, "--today", "2026-11-28")
    assert result.exit_code == 1
    assert "catalog.yaml" in result.output
    assert "Traceback" not in result.output


def test_a_cache_that_cannot_be_written_still_gives_the_verdict(site):
    """check writes the bodies' HTML to its memo as it converts them; a cache folder it cannot
    write (here a file where the memo's folder goes) leaves the HTML in memory, and the check
    reports as on any site."""
    root = site()
    (root / ".govsite-cache").mkdir()
    (root / ".govsite-cache/html").write_text("not a folder", encoding="utf-8")
    result = check(root, "--today", "2026-11-28")
    assert result.exception is None, result.output
    assert result.exit_code == 0 and result.output.endswith("检查结论：合格\n"), result.output


def test_bad_today_is_a_usage_error(site):
    result = check(site(), "--today", "2026/11/28")
    assert result.exit_code == 2
    assert "--today" in result.output


# Every warning the sample site has on 2026-11-28 is deliberate: a planted example of what the
# audit finds. Update this list together with content/ when a warning is added or fixed.
SAMPLE_WARNINGS: Counter[str] = Counter()


def test_sample_site_checks_clean():
    result = check(REPO, "--format", "json", "--today", "2026-11-28")
    records = json.loads(result.stdout)["problems"]  # stderr lists the scheduled notice
    assert "content/jy/jy-zph/jyyzy-zph-2026-12.md:5: 待发布 2026-12-15" in result.stderr
    assert [r for r in records if r["severity"] == "error"] == []
    assert result.exit_code == 0
    assert Counter(r["code"] for r in records) == SAMPLE_WARNINGS, records


def test_real_corpus_runs_without_crashing(tmp_path: Path) -> None:
    corpus = tmp_path / "real-corpus"  # check keeps its caches in the site: never in ../shared
    shutil.copytree(REAL_CORPUS, corpus, ignore=shutil.ignore_patterns(".govsite-cache"))
    result = check(corpus, "--format", "json", "--today", "2026-11-28")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    codes = Counter(r["code"] for r in json.loads(result.output)["problems"])
    assert 100 < sum(codes.values()) < 600
    assert codes["W801"] == 59  # 59 policies, the archive has no interpretations
    assert codes["W302"] >= 30  # most bodies start with their 文号

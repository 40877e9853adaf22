"""Each audit check on a minimal site that triggers it: code, path, line, item and unit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from conftest import COUNTY_ITEMS, COUNTY_SITE, NOTICE_RECORD, notice

from govsite.audit import run_checks
from govsite.content import load_documents
from govsite.load import load_catalog
from govsite.problems import Problem

TODAY = date(2026, 11, 28)
UNITS = {"bgs": "测试县人民政府办公室", "czj": "测试县财政局", "fgj": "测试县发展和改革局"}

CATALOG = COUNTY_SITE + """\
  czj: 测试县财政局
  fgj: 测试县发展和改革局
""" + COUNTY_ITEMS + """\
      - id: zcwj
        l1: 政策文件
        time_limit: 信息形成之日起3个工作日内
        owner: fgj
        channels: {required: [政府网站]}
        mode: 主动
        update: 不定期
      - id: zcjd
        l1: 政策解读
        time_limit: 政策文件发布后3个工作日内
        owner: fgj
        channels: {required: [政府网站]}
        mode: 主动
        update: 不定期
      - id: yjs
        l1: 预决算
        time_limit: 本级人大批准后20日内
        owner: czj
        channels: {required: [政府网站]}
        mode: 主动
        update: 不定期
"""
FRESH = "content/zwgk/tzgg/fresh.md"  # keeps the home page and 通知公告 up to date


def doc(title: str = NOTICE_RECORD["title"], body: str = "请各单位做好防火工作。",
        **fields: str) -> str:
    return notice(body, title=title, **fields)


@pytest.fixture
def audit(site_factory: Callable[[dict[str, str | bytes]], Path]):
    """Write a site (catalogue + a fresh notice + the given files) and return its warnings."""

    def run(files: dict[str, str | bytes], today: date = TODAY,
            catalog: str = CATALOG) -> tuple[Path, list[Problem]]:
        fresh = doc("秋季防火通知", date="2026-11-20", reviewed="2026-11-20")
        folders = {f"content/zwgk/{item}/.keep": "" for item in ("zcwj", "zcjd", "yjs")}
        root = site_factory({"catalog.yaml": catalog, FRESH: fresh, "dzjg.png": b"\x89PNG mark",
                             **folders, **files})
        loaded, problems = load_catalog(root)
        assert loaded is not None, problems
        documents, problems = load_documents(root, loaded)
        assert problems == []
        return root, run_checks(loaded, documents, today, root=root)

    return run


def line_of(root: Path, rel: str, start: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(start))


def only(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


def single(problems: list[Problem], code: str) -> Problem:
    found = only(problems, code)
    assert len(found) == 1, problems
    return found[0]


def assert_at(problem: Problem, path: str, line: int | None, item: str | None, unit: str) -> None:
    assert (problem.path, problem.line, problem.item, problem.unit) == (path, line, item, unit)


def test_clean_site_has_no_warnings(audit):
    _, problems = audit({})
    assert {p.code for p in problems} == {"W501"}  # zcwj, zcjd and yjs have no documents
    assert sorted(p.item for p in problems) == ["yjs", "zcjd", "zcwj"]


@pytest.mark.parametrize("number", ["测府办字[2021]31号", "测府办字(2021)31号",
                                    "测府办字〔2021〕第31号", "测府办字〔2021〕031号"])
def test_doc_number_style(audit, number):
    rel = "content/zwgk/tzgg/a.md"
    root, problems = audit({rel: doc(doc_number=number)})
    problem = single(problems, "W201")
    assert_at(problem, rel, line_of(root, rel, "doc_number:"), "tzgg", UNITS["bgs"])
    assert "测府办字〔2021〕31号" in problem.message


def test_standard_doc_number_is_fine(audit):
    _, problems = audit({"content/zwgk/tzgg/a.md": doc(doc_number="测府办字〔2021〕31号")})
    assert only(problems, "W201") == []


@pytest.mark.parametrize(("code", "body", "marker"), [
    ("W301", "关于做好秋季防火工作的通知\n\n请各单位做好防火工作。", "关于做好"),
    ("W302", "测府办字〔2026〕12号\n\n请各单位做好防火工作。", "测府办字"),
    ("W303", "请各单位做好防火工作。\n\n测试县人民政府办公室\n2026年11月2日\n\n（此件公开发布）",
     "2026年11月2日"),
    ("W304", "请各单位做好防火工作。\n\n抄送：县委办公室。", "抄送"),
    ("W304", "请各单位做好防火工作。\n\n测试县人民政府办公室 2026年11月2日印发", "测试县"),
    ("W305", "请各单位做好防火工作。\n\n附件：1.防火责任表 2.值班表", "附件"),
    ("W305", "请各单位做好防火工作。\n\n附件：\n\n1. 防火责任表", "1. 防火"),
    ("W306", "## 一、总体要求\n\n正文。\n\n#### （一）目标\n\n正文。", "####"),
], ids=["title", "number", "sign-off", "cc", "printed", "attachments", "attachment-list",
        "heading"])
def test_body_format(audit, code, body, marker):
    rel = "content/zwgk/tzgg/a.md"
    root, problems = audit({rel: doc(body=body, doc_number="测府办字〔2026〕12号")})
    found = [p for p in problems if p.path == rel]
    assert [p.code for p in found] == [code]
    assert_at(found[0], rel, line_of(root, rel, marker), "tzgg", UNITS["bgs"])


def test_empty_body(audit):
    rel = "content/zwgk/tzgg/a.md"
    root, problems = audit({rel: doc(body="")})
    assert_at(single(problems, "W307"), rel, line_of(root, rel, "kind:") + 2, "tzgg", UNITS["bgs"])


def test_registered_attachment_and_normal_body_pass(audit):
    body = ("请各单位做好防火工作。\n\n附件：1.防火责任表\n\n## 二、要求\n\n"
            "测试县人民政府办公室负责解释。\n\n报名截止日期为2026年12月1日")
    attachment = "\n  - file: zrb.pdf\n    title: 防火责任表"
    files = {"content/zwgk/tzgg/a.md": doc(body=body, attachments=attachment),
             "content/zwgk/tzgg/zrb.pdf": b"%PDF-1.4\n"}
    _, problems = audit(files)
    assert [p.code for p in problems if p.path.endswith("a.md")] == []


def test_duplicate_title_in_one_item(audit):
    first, second = "content/zwgk/tzgg/a.md", "content/zwgk/tzgg/b.md"
    root, problems = audit({first: doc(), second: doc(issuer="czj", published="2026-11-21")})
    problem = single(problems, "W401")
    assert_at(problem, second, line_of(root, second, "title:"), "tzgg", UNITS["czj"])
    assert first in problem.message


def test_empty_item_and_missing_folder(audit):
    withheld = doc(disclosure="不予公开", exempt_basis="条例第十四条", kind="政策文件")
    catalog = CATALOG.replace(
        "      - id: zcjd\n", "      - id: zcjd\n        path: content/jd\n"
    ).replace("channels: {required: [政府网站]}\n        mode: 主动\n        update: 不定期\n"
              "      - id: yjs", "channels: {required: [公开查阅点]}\n        mode: 主动\n"
              "      - id: yjs")
    root, problems = audit({"content/zwgk/zcwj/secret.md": withheld}, catalog=catalog)
    empty = {p.item: p for p in only(problems, "W501")}
    assert set(empty) == {"zcwj", "yjs"}  # a withheld document does not fill an item
    line = line_of(root, "catalog.yaml", "      - id: zcwj")
    assert_at(empty["zcwj"], "catalog.yaml", line, "zcwj", UNITS["fgj"])
    missing = single(problems, "W502")
    line = line_of(root, "catalog.yaml", "      - id: zcjd")
    assert_at(missing, "catalog.yaml", line, "zcjd", UNITS["fgj"])


@pytest.mark.parametrize(("published", "late"), [("2026-02-25", False), ("2026-02-26", True)])
def test_time_limit_in_working_days_across_spring_festival(audit, published, late):
    # 3 working days after Fri 2026-02-13: Sat 02-14 (调休 workday), then the holiday
    # 02-15..23, then Tue 02-24 and Wed 02-25.
    rel = "content/zwgk/zcwj/a.md"
    policy = doc("关于促进消费的若干措施", issuer="fgj", kind="政策文件", date="2026-02-13",
                 reviewed="2026-02-13", published=published)
    root, problems = audit({rel: policy}, today=date(2026, 3, 1))
    found = only(problems, "W601")
    assert len(found) == late
    if late:
        assert_at(found[0], rel, line_of(root, rel, "published:"), "zcwj", UNITS["fgj"])
        assert "2026-02-25" in found[0].message


@pytest.mark.parametrize(("published", "late"), [("2026-01-21", False), ("2026-01-22", True)])
def test_time_limit_in_calendar_days(audit, published, late):
    rel = "content/zwgk/yjs/a.md"
    budget = doc("2026年县级预算", issuer="czj", kind="报告", date="2026-01-01",
                 reviewed="2026-01-01", published=published)
    _, problems = audit({rel: budget}, today=date(2026, 2, 1))
    assert len(only(problems, "W601")) == late


@pytest.mark.parametrize(("dated", "published", "late"), [
    ("2026-01-05", "2026-03-20", False),  # read as "31 days" this on-time report was late
    ("2026-03-25", "2026-04-10", True),  # and this late one was on time
    ("2026-03-25", "2026-03-31", False),
])
def test_time_limit_as_a_calendar_date(audit, dated, published, late):
    catalog = CATALOG.replace("本级人大批准后20日内", "每年3月31日前")
    rel = "content/zwgk/yjs/a.md"
    report = doc("2025年度报告", issuer="czj", kind="报告", date=dated, reviewed=dated,
                 published=published)
    root, problems = audit({rel: report}, today=date(2026, 6, 1), catalog=catalog)
    found = only(problems, "W601")
    assert len(found) == late
    assert only(problems, "W602") == []
    if late:
        assert_at(found[0], rel, line_of(root, rel, "published:"), "yjs", UNITS["czj"])
        assert "2026-03-31" in found[0].message


def test_unparseable_time_limit(audit):
    catalog = CATALOG.replace("信息形成之日起20个工作日内", "及时公开")
    root, problems = audit({}, catalog=catalog)
    line = line_of(root, "catalog.yaml", "      - id: tzgg")
    assert_at(single(problems, "W602"), "catalog.yaml", line, "tzgg", UNITS["bgs"])


def test_year_outside_the_calendar_falls_back_to_weekdays(audit):
    rel = "content/zwgk/zcwj/a.md"
    policy = doc("关于2031年工作的通知", issuer="fgj", kind="政策文件", date="2031-01-03",
                 reviewed="2031-01-03", published="2031-01-08")
    root, problems = audit({rel: policy}, today=date(2031, 1, 10))
    assert_at(single(problems, "W603"), rel, line_of(root, rel, "published:"), "zcwj",
              UNITS["fgj"])
    assert only(problems, "W601") == []  # Mon 06, Tue 07, Wed 08: 3 working days


def test_stale_item_with_explicit_cadence(audit):
    catalog = CATALOG.replace("        mode: 主动\n      - id: zcwj",
                              "        mode: 主动\n        update: 2周\n      - id: zcwj")
    root, problems = audit({}, catalog=catalog, today=date(2026, 12, 5))
    problem = single(problems, "W701")
    assert_at(problem, "catalog.yaml", line_of(root, "catalog.yaml", "      - id: tzgg"),
              "tzgg", UNITS["bgs"])
    assert "2026-12-04" in problem.message


def test_stale_item_by_default_cadence_of_its_kind(audit):
    _, fresh = audit({}, today=date(2027, 5, 20))
    assert only(fresh, "W701") == []  # 通知公告: 6 months
    _, stale = audit({}, today=date(2027, 5, 21))
    assert [p.item for p in only(stale, "W701")] == ["tzgg"]


def test_unparseable_cadence(audit):
    catalog = CATALOG.replace("update: 不定期", "update: 经常", 1)
    root, problems = audit({}, catalog=catalog)
    line = line_of(root, "catalog.yaml", "      - id: zcwj")
    assert_at(single(problems, "W703"), "catalog.yaml", line, "zcwj", UNITS["fgj"])


def test_home_page_not_updated(audit):
    root, problems = audit({}, today=date(2026, 12, 5))
    problem = single(problems, "W702")
    assert_at(problem, "catalog.yaml", line_of(root, "catalog.yaml", "site:"), None,
              "测试县人民政府办公室")
    _, fresh = audit({}, today=date(2026, 12, 4))
    assert only(fresh, "W702") == []


POLICY = "content/zwgk/zcwj/cx.md"


def policy_and_interpretation(published: str) -> dict[str, str | bytes]:
    policy = doc("关于促进消费的若干措施", issuer="fgj", kind="政策文件", date="2025-09-30",
                 reviewed="2025-09-30", published="2025-09-30")
    interp = doc("《关于促进消费的若干措施》政策解读", issuer="fgj", kind="政策解读",
                 date=published, reviewed=published, published=published,
                 interprets="../zcwj/cx.md", interp_form="文字")
    return {POLICY: policy, "content/zwgk/zcjd/jd.md": interp}


def test_policy_without_interpretation(audit):
    files = policy_and_interpretation("2025-10-09")
    del files["content/zwgk/zcjd/jd.md"]
    root, problems = audit(files)
    assert_at(single(problems, "W801"), POLICY, line_of(root, POLICY, "title:"), "zcwj",
              UNITS["fgj"])


@pytest.mark.parametrize(("published", "code"), [
    ("2025-09-29", "W802"),  # before the policy
    ("2025-10-09", None),  # 国庆 holiday 10-01..08: only 1 working day later
    ("2025-10-11", None),  # 10-09, 10-10 and Sat 10-11 (调休 workday): 3 working days
    ("2025-10-13", "W803"),
], ids=["before", "after-holiday", "third-workday", "fourth-workday"])
def test_interpretation_timing(audit, published, code):
    rel = "content/zwgk/zcjd/jd.md"
    root, problems = audit(policy_and_interpretation(published))
    codes = [p.code for p in problems if p.code in ("W801", "W802", "W803")]
    assert codes == ([code] if code else [])
    if code:
        assert_at(problems[[p.code for p in problems].index(code)], rel,
                  line_of(root, rel, "published:"), "zcjd", UNITS["fgj"])


@pytest.mark.parametrize(("key", "value"), [
    ("site_code", '"36099900"'), ("icp", "ICP备12345678号"),
    ("police_record", "赣公网安备 3609990200000号"), ("site_code", '""'),
])
def test_site_identity(audit, key, value):
    catalog = "\n".join(
        f"  {key}: {value}" if line.startswith(f"  {key}:") else line
        for line in CATALOG.splitlines()
    )
    root, problems = audit({}, catalog=catalog)
    problem = single(problems, "W901")
    assert_at(problem, "catalog.yaml", line_of(root, "catalog.yaml", f"  {key}:"), None,
              "测试县人民政府办公室")


def test_index_prefix(audit):
    catalog = CATALOG.replace('"11360999MB1234567X"', '"3601"')
    root, problems = audit({}, catalog=catalog)
    assert_at(single(problems, "W902"), "catalog.yaml",
              line_of(root, "catalog.yaml", "  index_prefix:"), None, "测试县人民政府办公室")


def test_body_format_findings_come_from_the_cache_when_bodies_are_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build keeps each body's format findings (.govsite-cache/bodyformat/, keyed by what they read):
    a later check reports the same problems without running the checks on unchanged bodies,
    and runs them on an edited one."""
    from search_helpers import REPO_ROOT, copy_site

    import govsite.audit.bodyformat as bodyformat
    from govsite.build import collect_problems

    root = copy_site(REPO_ROOT, tmp_path / "site")
    first, _, _ = collect_problems(root, TODAY)
    assert any((root / ".govsite-cache" / "bodyformat").glob("*.json"))
    checked: list[str] = []
    real = bodyformat.findings.__wrapped__
    monkeypatch.setattr(bodyformat, "findings", lambda doc: checked.append(doc.rel) or real(doc))
    again, _, _ = collect_problems(root, TODAY, documents=True)
    assert again == first and checked == []
    edited = root / "content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n抄送：县委办公室。\n", encoding="utf-8")
    third, _, _ = collect_problems(root, TODAY, documents=True)
    assert checked == ["content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"]
    assert [p.code for p in third if p.path == "content/zcwj/zcwj-gfxwj/qnjy-cs-2026.md"
            and p.code == "W304"] == ["W304"]

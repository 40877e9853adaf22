"""One test per bad input: the exact code at the exact path:line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI_CATALOG, front_matter, mini_site

from govsite.build import collect_problems

BODY = "## 正文\n\n内容段落。\n"


def problems_of(root: Path) -> list[str]:
    problems, _, _ = collect_problems(root)
    return [str(p) for p in problems if p.severity == "error"]


def assert_problem(root: Path, expected: str) -> None:
    found = problems_of(root)
    assert any(p.startswith(expected) for p in found), f"{expected!r} not in {found}"


def test_gbk_file_is_reported_with_fix(tmp_path: Path) -> None:
    text = front_matter(title="国标编码文件") + BODY
    root = mini_site(tmp_path, {})
    target = root / "content/zcwj/zcwj-qtwj/gbk.md"
    target.parent.mkdir(parents=True)
    target.write_bytes(text.encode("gb18030"))
    found = problems_of(root)
    assert found[0].startswith("content/zcwj/zcwj-qtwj/gbk.md:2: E001")
    assert "iconv -f GB18030 -t UTF-8" in found[0]


def test_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    text = "\ufeff" + (front_matter() + BODY).replace("\n", "\r\n")
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/bom.md": text})
    problems, _, documents = collect_problems(root)
    assert [p for p in problems if p.severity == "error"] == []
    assert documents[0].title == "测试文件"
    assert documents[0].body_line == 11 and "\r" not in documents[0].body


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"titel": "错字"}, "content/zcwj/zcwj-qtwj/x.md:10: E004"),
        ({"reviewer": None}, "content/zcwj/zcwj-qtwj/x.md:2: E006"),
        ({"date": "2026年6月1日"}, "content/zcwj/zcwj-qtwj/x.md:4: E008"),
        ({"disclosure": "公开"}, "content/zcwj/zcwj-qtwj/x.md:6: E007"),
        ({"attachments": "[1, 2]"}, "content/zcwj/zcwj-qtwj/x.md:10: E005"),
        ({"reviewed": "2026-06-05"}, "content/zcwj/zcwj-qtwj/x.md:8: E201"),
        ({"disclosure": "不予公开"}, "content/zcwj/zcwj-qtwj/x.md:6: E202"),
        ({"disclosure": "依申请公开", "exempt_basis": "内部规定"}, "content/zcwj/zcwj-qtwj/x.md:10: E203"),
        ({"doc_number": "青府办字2026年12号"}, "content/zcwj/zcwj-qtwj/x.md:10: E204"),
        ({"index_no": "abc"}, "content/zcwj/zcwj-qtwj/x.md:10: E205"),
        ({"issuer": "nosuchunit"}, "content/zcwj/zcwj-qtwj/x.md:3: E101"),
        ({"interprets": "../missing.md"}, "content/zcwj/zcwj-qtwj/x.md:10: E206"),
        ({"slug": "../build-evil/x"}, "content/zcwj/zcwj-qtwj/x.md:10: E103"),
    ],
)
def test_publication_record_problems(tmp_path: Path, fields: dict[str, object],
                                     expected: str) -> None:
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": front_matter(**fields) + BODY})
    assert_problem(root, expected)


def test_missing_field_is_reported_even_when_another_message_names_it(tmp_path: Path) -> None:
    text = front_matter(reviewer=None, disclosure="reviewer") + BODY
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": text})
    assert_problem(root, "content/zcwj/zcwj-qtwj/x.md:6: E007")
    assert_problem(root, "content/zcwj/zcwj-qtwj/x.md:2: E006")


def test_duplicate_key_reported_at_second_occurrence(tmp_path: Path) -> None:
    text = front_matter() + BODY
    text = text.replace("kind: 其他\n", "kind: 其他\ntitle: 又一个标题\n")
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": text})
    assert_problem(root, "content/zcwj/zcwj-qtwj/x.md:10: E003")


def test_chinese_and_english_key_for_one_field(tmp_path: Path) -> None:
    text = front_matter(**{"标题": "中文标题"}) + BODY
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": text})
    assert_problem(root, "content/zcwj/zcwj-qtwj/x.md:10: E003")


def test_chinese_keys_are_accepted(tmp_path: Path) -> None:
    text = ("---\n标题: 中文键文件\n发文机关: xzfb\n成文日期: 2026-06-01\n发布日期: 2026-06-02\n"
            "公开属性: 主动公开\n审核人: 王建国\n审核日期: 2026-06-01\n类型: 通知公告\n---\n" + BODY)
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": text})
    problems, _, documents = collect_problems(root)
    assert [p for p in problems if p.severity == "error"] == []
    assert (documents[0].title, documents[0].kind) == ("中文键文件", "通知公告")


def test_full_width_colon_front_matter(tmp_path: Path) -> None:
    text = "---\n标题：通知\n---\n" + BODY
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": text})
    assert_problem(root, "content/zcwj/zcwj-qtwj/x.md:2: E005")


def test_yaml_syntax_error_line(tmp_path: Path) -> None:
    text = front_matter().replace("kind: 其他", "kind: [其他") + BODY
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": text})
    found = problems_of(root)
    assert found and found[0].startswith("content/zcwj/zcwj-qtwj/x.md:") and " E002 " in found[0]


def test_missing_front_matter(tmp_path: Path) -> None:
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": BODY})
    assert_problem(root, "content/zcwj/zcwj-qtwj/x.md:1: E009")


def test_document_outside_any_item(tmp_path: Path) -> None:
    root = mini_site(tmp_path, {"zcwj/other/x.md": front_matter() + BODY})
    assert_problem(root, "content/zcwj/other/x.md:1: E207")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("owner: czj", "owner: nobody", ["catalog.yaml:24: E101"]),
        ("id: zcwj-qtwj", "id: czyjs-zfys", ["catalog.yaml:32: E102"]),
        ("  org: 测试县", "  orgg: 测试县", ["catalog.yaml:3: E004", "catalog.yaml:2: E006"]),
        ("  org: 测试县", "  \u3000org: 测试县", ["catalog.yaml:3: E004", "catalog.yaml:2: E006"]),
        ("  czj: 县财政局\n", "  czj: 县财政局\n  czj: 财政局\n", ["catalog.yaml:14: E003"]),
        ("  org: 测试县", "  org：测试县", ["catalog.yaml:3: E002"]),
    ],
)
def test_catalog_problems(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    root = mini_site(tmp_path, {})
    (root / "catalog.yaml").write_text(MINI_CATALOG.replace(old, new, 1), encoding="utf-8")
    for problem in expected:
        assert_problem(root, problem)


def test_links_and_attachments(tmp_path: Path) -> None:
    body = ("见[缺失](../../zcwj/zcwj-qtwj/missing.md)。\n\n"
            "[越界](../../../../etc/passwd)\n\n"
            "[锚点](#no-such-anchor)\n\n"
            "![](chart.png)\n\n"
            "[本站](/zwgk/index.html)\n\n"
            "[坏链](http:\\\\www.example.gov.cn)\n")
    text = front_matter(attachments='[{file: "../../../../etc/passwd"}, {file: 无此附件.pdf}]') + body
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": text, "zcwj/zcwj-qtwj/chart.png": "png"})
    rel = "content/zcwj/zcwj-qtwj/x.md"
    found = problems_of(root)
    for expected in (f"{rel}:10: E302", f"{rel}:10: E303"):
        assert any(p.startswith(expected) for p in found), (expected, found)


def test_body_link_problems(tmp_path: Path) -> None:
    body = ("见[缺失](missing.md)。\n\n[越界](../../../../etc/passwd)\n\n[锚点](#no-such-anchor)\n\n"
            "![](chart.png)\n\n[本站](/zwgk/index.html)\n\n[坏链](http：//www.example.gov.cn)\n")
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": front_matter() + body,
                                "zcwj/zcwj-qtwj/chart.png": "png"})
    rel = "content/zcwj/zcwj-qtwj/x.md"
    found = problems_of(root)
    for expected in (f"{rel}:11: E301", f"{rel}:13: E302", f"{rel}:15: E305", f"{rel}:17: E304",
                     f"{rel}:19: E306", f"{rel}:21: E307"):
        assert any(p.startswith(expected) for p in found), (expected, found)


def test_symlinked_attachment_outside_content(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/x.md": front_matter(attachments="[{file: link.txt}]") + BODY})
    (root / "content/zcwj/zcwj-qtwj/link.txt").symlink_to(secret)
    assert_problem(root, "content/zcwj/zcwj-qtwj/x.md:10: E302")


def test_percent_encoded_traversal_link(tmp_path: Path) -> None:
    body = "[x](%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd)\n"
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/x.md": front_matter() + body})
    assert_problem(root, "content/zcwj/zcwj-qtwj/x.md:11: E302")


def test_duplicates_doc_number_and_url(tmp_path: Path) -> None:
    one = front_matter(doc_number="青府办字〔2026〕1号", slug="same") + BODY
    two = front_matter(doc_number="青府办字〔2026〕1号", slug="same", title="另一个") + BODY
    root = mini_site(tmp_path, {"zcwj/zcwj-qtwj/a.md": one, "zcwj/zcwj-qtwj/b.md": two})
    assert_problem(root, "content/zcwj/zcwj-qtwj/b.md:10: E402")
    assert_problem(root, "content/zcwj/zcwj-qtwj/b.md:11: E401")


def test_cli_reports_all_problems_without_traceback(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", {
        "zcwj/zcwj-qtwj/a.md": front_matter(reviewer=None) + BODY,
        "zcwj/zcwj-qtwj/b.md": front_matter(date="2026-13-01") + BODY,
    })
    result = subprocess.run([sys.executable, "-m", "govsite", "build", "--site", str(root),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/zcwj/zcwj-qtwj/a.md:2: E006" in result.stderr
    assert "content/zcwj/zcwj-qtwj/b.md:" in result.stderr and "E00" in result.stderr
    assert not (tmp_path / "out").exists()

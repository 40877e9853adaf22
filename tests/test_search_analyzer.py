"""The search analyzer: shared vectors run by Python and by node, plus the rules behind them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from govsite.search.query import query_groups
from govsite.search.synonyms import built_in, merged
from govsite.search.tokens import TAIL, Unit, tokens

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "search_vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["tokens"], ids=lambda c: c["text"][:20])
def test_python_tokens_match_vectors(case: dict) -> None:
    assert [list(t) for t in tokens(case["text"])] == case["tokens"]


@pytest.mark.parametrize("case", VECTORS["queries"], ids=lambda c: c["query"][:20])
def test_python_queries_match_vectors(case: dict) -> None:
    groups = [[[[u.text, u.mode] for u in phrase] for phrase in group]
              for group in query_groups(case["query"], VECTORS["synonyms"])]
    assert groups == case["groups"]


def test_javascript_analyzer_matches_vectors() -> None:
    node = shutil.which("node")
    assert node, "node is required for the JS analyzer test"
    proc = subprocess.run([node, str(ROOT / "tests" / "js" / "analyzer_test.js")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    total = len(VECTORS["tokens"]) + len(VECTORS["queries"])
    assert f"{total}/{total} vectors pass" in proc.stdout


def test_vectors_cover_the_rules() -> None:
    texts = {case["text"] for case in VECTORS["tokens"]}
    assert {"铜府办字〔2021〕31号", "铜府办字[2021]31号", "铜府办字(2021)31号"} <= texts
    assert any("２" in t for t in texts) and any(ord(c) > 0xFFFF for t in texts for c in t)


def test_cjk_runs_become_bigrams_with_a_tail() -> None:
    assert tokens("政府信息") == [("政府", 0), ("府信", 1), ("信息", 2), (TAIL + "息", 2)]
    assert tokens("政") == [("政", 0)]


def test_brackets_and_full_width_forms_give_the_same_tokens() -> None:
    expected = tokens("铜府办字〔2021〕31号")
    for variant in ("铜府办字[2021]31号", "铜府办字(2021)31号", "铜府办字（２０２１）３１号"):
        assert tokens(variant) == expected


def test_latin_words_and_digit_runs_are_lowercase_tokens() -> None:
    assert tokens("ＨＨＣＲ-2023 Café") == [("hhcr", 0), ("2023", 1), ("café", 2)]


def test_lone_query_characters_say_where_they_stand() -> None:
    assert query_groups("府") == [[[Unit("府", "any")]]]
    assert query_groups("31号") == [[[Unit("31"), Unit("号", "prefix")]]]
    assert query_groups("号31") == [[[Unit("号", "suffix"), Unit("31")]]]
    assert query_groups("x号y") == [[[Unit("x"), Unit("号"), Unit("y")]]]


def test_whitespace_separates_groups_punctuation_does_not() -> None:
    assert len(query_groups("政府 信息\u3000公开")) == 3
    assert len(query_groups("政府，信息")) == 1
    assert query_groups("〔〕、，。") == []


def test_synonyms_expand_a_query_part_both_ways() -> None:
    synonyms = merged([["一网通办", "一网通办平台"]])
    assert [len(group) for group in query_groups("低保 标准", synonyms)] == [2, 1]
    texts = {phrase[0].text + "".join(u.text[-1] for u in phrase[1:])
             for phrase in query_groups("城乡低保", synonyms)[0]}
    assert texts == {"城乡低保", "城乡最低生活保障"}
    assert len(query_groups("最低生活保障金", synonyms)[0]) == 2
    assert len(query_groups("一网通办", synonyms)[0]) == 2  # a site's own set
    assert len(query_groups("低保", [])[0]) == 1


def test_the_built_in_synonyms_cover_the_common_abbreviations() -> None:
    abbreviations = {group[0] for group in built_in()}
    assert {"低保", "医保", "社保", "公租房", "放管服"} <= abbreviations

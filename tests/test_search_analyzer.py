"""The search analyzer: shared vectors run by Python and by node, plus the rules behind them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REAL_CORPUS
from whoosh.formats import Positions

from govsite.search.analyzer import TAIL, GovPositions, GovTokenizer, Unit, query_groups, tokens

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "search_vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", VECTORS["tokens"], ids=lambda c: c["text"][:20])
def test_python_tokens_match_vectors(case: dict) -> None:
    assert [list(t) for t in tokens(case["text"])] == case["tokens"]


@pytest.mark.parametrize("case", VECTORS["queries"], ids=lambda c: c["query"][:20])
def test_python_queries_match_vectors(case: dict) -> None:
    groups = [[[u.text, u.mode] for u in group] for group in query_groups(case["query"])]
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
    assert query_groups("府") == [[Unit("府", "any")]]
    assert query_groups("31号") == [[Unit("31"), Unit("号", "prefix")]]
    assert query_groups("号31") == [[Unit("号", "suffix"), Unit("31")]]
    assert query_groups("x号y") == [[Unit("x"), Unit("号"), Unit("y")]]


def test_whitespace_separates_groups_punctuation_does_not() -> None:
    assert len(query_groups("政府 信息\u3000公开")) == 3
    assert len(query_groups("政府，信息")) == 1
    assert query_groups("〔〕、，。") == []


REAL_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(REAL_CORPUS.rglob("*.md"))[:3]]


@pytest.mark.parametrize("text", [c["text"] for c in VECTORS["tokens"]] + REAL_TEXTS,
                         ids=lambda text: text[:20])
def test_index_format_holds_what_whoosh_positions_would(text: str) -> None:
    """GovPositions skips Whoosh's Token loop and stores positions as the browser index does; its
    terms, frequencies, weights and positions must still be Whoosh's own."""
    ours = sorted(GovPositions().word_values(text, GovTokenizer()))
    whoosh = sorted(Positions().word_values(text, GovTokenizer()))
    assert [row[:3] for row in ours] == [row[:3] for row in whoosh]
    assert any(frequency > 1 for _, frequency, _, _ in ours) or len(text) < 200
    for (_, frequency, _, value), (_, _, _, theirs) in zip(ours, whoosh, strict=True):
        assert GovPositions().decode_positions(value) == Positions().decode_positions(theirs)
        assert GovPositions().decode_frequency(value) == frequency

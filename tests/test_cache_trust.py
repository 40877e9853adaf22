"""The cache (.govsite-cache/) is data only and authenticated: a planted or forged file can neither
run code nor put unsanitised HTML in build/; an unreadable one is rebuilt with a one-line notice."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pickle
import shutil
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REAL_CORPUS, front_matter, mini_site
from test_build import tree_digest

import govsite.body as body_module
from govsite import __version__
from govsite.body import BODY_CODEC
from govsite.build import Caches, build
from govsite.cache import CACHE_DIR, Memo, key_file, shard_of
from govsite.qr import QR_CODEC, qr_svg
from govsite.search.whoosh_index import whoosh_dir

PAYLOAD = "<script>alert('cache-poisoned')</script>"
DOCS = {
    "zcwj/zcwj-qtwj/a.md": front_matter(title="甲文件", slug="a")
    + "## 第一节\n\n见[乙文件](b.md#要点)与[本节](#第一节)。\n\n| 项目 | 金额 |\n|---|---|\n| 甲 | 1 |\n",
    "zcwj/zcwj-qtwj/b.md": front_matter(title="乙文件", slug="b") + "## 要点\n\n正文段落。\n",
}


class Planted:
    """Unpickling this opens (creates) `path`: proof that a cache file ran code."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (self.path, "w")


def govsite(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govsite", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def build_cli(root: Path, out: Path, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    return govsite("build", "--site", str(root), "--out", str(out), "--quiet", env=env)


def notices(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("注意：")]


def cache_files(root: Path) -> list[Path]:
    """The shard files of the body, HTML and QR memos (the build state has its own test in
    tests/test_build_state.py, the search caches at the end of this file)."""
    return sorted(p for name in ("bodies", "html", "qr") for p in (root / CACHE_DIR / name).glob("*.json"))


def forge(path: Path) -> None:
    """What someone without the key can do to a memo file: put a script into every body (and a
    QR code), re-signing with a key of their own."""
    if path.suffix == ".pickle":  # the format before data-only caches
        entries = pickle.loads(path.read_bytes())
        path.write_bytes(pickle.dumps({k: replace(v, html=v.html + PAYLOAD) if hasattr(v, "html")
                                       else v + PAYLOAD for k, v in entries.items()}))
        return
    memo = json.loads(path.read_bytes().partition(b"\n")[2])
    memo["entries"] = {k: [v[0] + PAYLOAD, *v[1:]] if isinstance(v, list) else v + PAYLOAD
                       for k, v in memo["entries"].items()}
    payload = json.dumps(memo, ensure_ascii=False).encode()
    path.write_bytes(hmac.new(b"attacker's own key", payload, hashlib.sha256).hexdigest().encode()
                     + b"\n" + payload)


def no_payload(folder: Path) -> bool:
    return all(b"cache-poisoned" not in p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_a_planted_pickle_runs_no_code(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", DOCS)
    assert build_cli(root, tmp_path / "clean").returncode == 0
    canary = tmp_path / "CODE-RAN"
    planted = ["bodies.pickle", "qr.pickle", "bodies.json", "qr.json"]  # where they once were
    for name in [*planted, *(p.relative_to(root / CACHE_DIR) for p in cache_files(root))]:
        (root / CACHE_DIR / name).write_bytes(pickle.dumps({"x": Planted(canary)}))
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert not canary.exists()
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")
    assert not any((root / CACHE_DIR / name).exists() for name in planted)  # removed unread


def test_a_forged_body_cannot_bypass_the_sanitiser(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", DOCS)
    assert build_cli(root, tmp_path / "clean").returncode == 0
    for path in cache_files(root):
        forge(path)
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert no_payload(tmp_path / "out")
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")
    lines = notices(result)
    assert len(lines) == 3 and all("未通过校验" in line and "已丢弃" in line for line in lines)


def test_a_forged_document_record_cannot_publish_a_withheld_document(tmp_path: Path) -> None:
    """The documents memo holds each record, disclosure included: an entry re-signed by anyone
    without the key is discarded, so a withheld document stays withheld."""
    withheld = front_matter(title="内部CANARYREC0RD", slug="w", disclosure="不予公开",
                            exempt_basis="《中华人民共和国政府信息公开条例》第十四条") + "CANARYREC0RD\n"
    root = mini_site(tmp_path / "site", {**DOCS, "zcwj/zcwj-qtwj/w.md": withheld})
    assert build_cli(root, tmp_path / "clean").returncode == 0
    shards = sorted((root / CACHE_DIR / "documents").glob("*.json"))
    assert shards
    for path in shards:
        memo = json.loads(path.read_bytes().partition(b"\n")[2])
        for entry in memo["entries"].values():
            if entry["document"]:
                entry["document"]["disclosure"] = "主动公开"
        payload = json.dumps(memo, ensure_ascii=False).encode()
        path.write_bytes(hmac.new(b"attacker's own key", payload, hashlib.sha256).hexdigest().encode()
                         + b"\n" + payload)
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert [line for line in notices(result) if "documents" in line and "未通过校验" in line]
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")
    assert all(b"CANARYREC0RD" not in p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())


def test_a_cache_from_another_key_is_rebuilt(tmp_path: Path) -> None:
    """A CI cache restored from an untrusted run was written with another key."""
    root = mini_site(tmp_path / "site", DOCS)
    assert build_cli(root, tmp_path / "a", {"GOVSITE_CACHE_KEY": "k" * 40}).returncode == 0
    other = build_cli(root, tmp_path / "b", {"GOVSITE_CACHE_KEY": "x" * 40})
    assert other.returncode == 0 and len(notices(other)) == 7  # bodies, HTML, texts, QR, body format, documents, search
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    again = build_cli(root, tmp_path / "c", {"GOVSITE_CACHE_KEY": "x" * 40})
    assert again.returncode == 0 and notices(again) == []  # rewritten with this key


def test_a_restored_cache_with_the_same_key_is_used(tmp_path: Path) -> None:
    """The CI case: a fresh machine (no key file) with the key in GOVSITE_CACHE_KEY."""
    root = mini_site(tmp_path / "site", DOCS)
    env = {"GOVSITE_CACHE_KEY": "ci-secret-" + "0" * 32, "XDG_CACHE_HOME": str(tmp_path / "one")}
    assert build_cli(root, tmp_path / "a", env).returncode == 0
    written = {p.relative_to(root).as_posix(): p.read_bytes() for p in cache_files(root)}
    env["XDG_CACHE_HOME"] = str(tmp_path / "two")
    result = build_cli(root, tmp_path / "b", env)
    assert result.returncode == 0 and notices(result) == []
    assert {p.relative_to(root).as_posix(): p.read_bytes() for p in cache_files(root)} == written
    assert not (tmp_path / "two").exists()  # the key came from the environment


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_an_unreadable_cache_is_rebuilt_with_a_notice(tmp_path: Path, damage: str) -> None:
    root = mini_site(tmp_path / "site", DOCS)
    assert build_cli(root, tmp_path / "clean").returncode == 0
    bodies = next((root / CACHE_DIR / "bodies").glob("*.json"))  # one shard file
    data = bodies.read_bytes()
    bodies.write_bytes({"truncate": data[: len(data) // 2], "garbage": os.urandom(300),
                        "empty": b""}[damage])
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 0
    [notice] = notices(result)
    assert f"{CACHE_DIR}/bodies 中 1 个文件" in notice and notice.endswith("已丢弃，本次重新生成")
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")
    assert notices(build_cli(root, tmp_path / "again")) == []


def write_memo(path: Path, key: bytes, memo: object) -> None:
    payload = json.dumps(memo, ensure_ascii=False).encode()
    path.write_bytes(hmac.new(key, payload, hashlib.sha256).hexdigest().encode() + b"\n" + payload)


@pytest.mark.parametrize(("change", "reason"), [
    ({"govsite": "0.0.1"}, "由另一版本的 govsite（0.0.1）写入"),
    ({"codec": "body/1"}, "由另一版本的 govsite"),
    ({"entries": {"k": ["x", "d", [], [["t", "", "no-such-kind", 1, False]], [], None]}},
     "内容格式不符"),
    ({"entries": {"k": [1, 2]}}, "内容格式不符"),
    ({"entries": []}, "内容格式不符"),
])
def test_validly_signed_data_of_the_wrong_shape_or_version_is_discarded(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, change: dict[str, object],
        reason: str) -> None:
    key = b"k" * 32
    memo = {"format": "govsite-memo/1", "govsite": __version__, "codec": BODY_CODEC.name,
            "entries": {}} | change
    (tmp_path / "bodies").mkdir()
    write_memo(tmp_path / "bodies" / f"{shard_of('k')}.json", key, memo)  # the shard of its key
    with caplog.at_level(logging.WARNING):
        loaded = Memo(tmp_path / "bodies", BODY_CODEC, key)
    assert loaded.entries == {} and loaded.dirty == {shard_of("k")}
    assert len(caplog.records) == 1
    assert f"注意：缓存 {tmp_path / 'bodies'} 中 1 个文件{reason}" in caplog.text


def test_an_entry_in_another_keys_shard_is_discarded(tmp_path: Path) -> None:
    """Each shard holds only the keys that hash to it, so a build rewriting a shard cannot
    leave a stale copy of an entry in another."""
    key = b"k" * 32
    memo = {"format": "govsite-memo/1", "govsite": __version__, "codec": QR_CODEC.name,
            "entries": {"k": qr_svg("https://example.gov.cn/")}}
    (tmp_path / "qr").mkdir()
    write_memo(tmp_path / "qr" / f"{shard_of('k')}.json", key, memo)
    assert set(Memo(tmp_path / "qr", QR_CODEC, key).entries) == {"k"}
    other = next(f"{n:02x}" for n in range(256) if f"{n:02x}" != shard_of("k"))
    (tmp_path / "qr" / f"{shard_of('k')}.json").rename(tmp_path / "qr" / f"{other}.json")
    assert Memo(tmp_path / "qr", QR_CODEC, key).entries == {}


def test_a_forged_qr_code_is_refused_even_when_signed(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """QR codes go into pages as markup: the cache holds only what qr_svg writes."""
    root = mini_site(tmp_path / "site", DOCS)
    key = b"q" * 32
    os.environ["GOVSITE_CACHE_KEY"] = key.decode()
    try:
        build(root, tmp_path / "clean")
        for qr in (root / CACHE_DIR / "qr").glob("*.json"):
            memo = json.loads(qr.read_bytes().partition(b"\n")[2])
            memo["entries"] = {k: v.replace("</g>", f"</g>{PAYLOAD}")
                               for k, v in memo["entries"].items()}
            write_memo(qr, key, memo)
        with caplog.at_level(logging.WARNING):
            build(root, tmp_path / "out")
    finally:
        del os.environ["GOVSITE_CACHE_KEY"]
    assert f"{CACHE_DIR}/qr 中" in caplog.text and "内容格式不符" in caplog.text
    assert no_payload(tmp_path / "out")
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")


def test_the_key_file_is_created_private_outside_the_site(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = mini_site(tmp_path / "site", DOCS)
    build(root, tmp_path / "out")
    key = key_file()
    assert key == tmp_path / "xdg/govsite/cache-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) == 64
    first = key.read_bytes()
    build(root, tmp_path / "out")
    assert key.read_bytes() == first


def test_without_a_usable_key_the_build_runs_uncached(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    root = mini_site(tmp_path / "site", DOCS)
    with caplog.at_level(logging.WARNING):
        build(root, tmp_path / "out")
    assert "无法读取或创建缓存密钥" in caplog.text and "本次构建不读写缓存" in caplog.text
    assert not (root / CACHE_DIR / "bodies").exists()
    assert (tmp_path / "out/zcwj/zcwj-qtwj/a/index.html").is_file()


def test_bodies_read_from_the_cache_build_the_same_bytes(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    shutil.copytree(REAL_CORPUS, site)
    build(site, tmp_path / "cold")
    cached = Caches(site / CACHE_DIR)
    assert len(cached.bodies.entries) > 140 and cached.qr.unread and cached.html.unread  # lazy: unread yet

    def no_conversion(*args: object) -> None:
        raise AssertionError("a body was converted again")

    monkeypatch.setattr(body_module, "convert", no_conversion)  # build.py imports it when it runs
    build(site, tmp_path / "warm")
    assert tree_digest(tmp_path / "warm") == tree_digest(tmp_path / "cold")


# --- the search caches: the browser index's entries, and the Whoosh index Whoosh unpickles ------


def test_a_planted_search_pickle_runs_no_code(tmp_path: Path) -> None:
    root = mini_site(tmp_path / "site", DOCS)
    assert build_cli(root, tmp_path / "clean").returncode == 0
    canary = tmp_path / "CODE-RAN"
    (root / CACHE_DIR / "search" / "browser.json").write_bytes(pickle.dumps(Planted(canary)))
    result = build_cli(root, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert not canary.exists()
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")


def test_a_planted_whoosh_index_runs_no_code(tmp_path: Path) -> None:
    """govsite search's index lives in the user's cache; a table of contents planted there (a
    pickle that runs code when Whoosh opens it) fails the signed manifest and is rebuilt."""
    root = mini_site(tmp_path / "site", DOCS)
    assert govsite("search", "甲文件", "--site", str(root)).returncode == 0
    toc = next(whoosh_dir(root).glob("*.toc"))
    canary = tmp_path / "CODE-RAN"
    toc.write_bytes(pickle.dumps(Planted(canary)))
    found = govsite("search", "甲文件", "--site", str(root), "--json")
    assert found.returncode == 0 and "甲文件" in found.stdout
    assert not canary.exists()
    assert any("搜索索引无法使用" in line for line in notices(found))

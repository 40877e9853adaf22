"""Shared fixtures: tiny sites written from a {path: text} dict."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# ../shared/real-corpus beside the checkout (CI lays it there); the workspace copy otherwise.
REAL_CORPUS = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "real-corpus",
                                Path("/work/shared/real-corpus")) if p.is_dir()),
                   Path(__file__).resolve().parents[2] / "shared" / "real-corpus")


def make_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write each file under root (text is dedented, UTF-8); return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(autouse=True, scope="session")
def cache_key_outside_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds create their cache key (and `govsite search` its Whoosh index) under
    $XDG_CACHE_HOME: the tests' own, not the user's, and one for all xdist workers of a run, since
    several of them build the sample site's cache."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "xdg-cache"
    folder.mkdir(exist_ok=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(folder))
    mp.delenv("GOVSITE_CACHE_KEY", raising=False)
    yield
    mp.undo()


@pytest.fixture
def site_factory(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """make_site bound to this test's tmp_path: `root = site_factory({...})`."""
    return lambda files: make_site(tmp_path / "site", files)


MINI_CATALOG = """\
site:
  title: 测试县人民政府
  org: 测试县人民政府办公室
  base_url: https://www.test.example.gov.cn/
  language: zh-CN
  site_code: "3600000001"
  icp: 赣ICP备00000000号
  police_record: 赣公网安备 36000000000000号
  contact: 联系电话 0795-0000000
  index_prefix: "11360000MB0000000X"
units:
  xzfb: 县人民政府办公室
  czj: 县财政局
domains:
  - id: czyjs
    name: 财政预决算
    items:
      - id: czyjs-zfys
        l1: 政府预决算
        l2: 政府预算
        content: [一般公共预算]
        basis: ["《中华人民共和国预算法》"]
        time_limit: 本级人大或其常委会批准后20日内
        owner: czj
        channels: {required: [政府网站]}
        audience: 全社会
        mode: 主动
        levels: [县级]
  - id: zcwj
    name: 政策文件
    items:
      - id: zcwj-qtwj
        l1: 其他政策文件
        time_limit: 信息形成或者变更之日起20个工作日内
        owner: xzfb
        channels: {required: [政府网站]}
        mode: 主动
        levels: [县级]
"""


def front_matter(**fields: object) -> str:
    """A complete, valid publication record; keyword arguments override or (None) remove keys."""
    record: dict[str, object] = {
        "title": "测试文件", "issuer": "xzfb", "date": "2026-06-01", "published": "2026-06-02",
        "disclosure": "主动公开", "reviewer": "王建国", "reviewed": "2026-06-01", "kind": "其他",
    }
    record.update(fields)
    lines = [f"{key}: {value}" for key, value in record.items() if value is not None]
    return "---\n" + "\n".join(lines) + "\n---\n"


# A county with one item (通知公告, kept by the 办公室) for the audit and `govsite check` tests:
# COUNTY_SITE, then any more units, then COUNTY_ITEMS, then any more items.
COUNTY_SITE = """\
site:
  title: 测试县人民政府
  org: 测试县人民政府办公室
  site_code: "3609990001"
  icp: 赣ICP备12345678号
  police_record: 赣公网安备 36099902000001号
  index_prefix: "11360999MB1234567X"
  gov_mark_image: dzjg.png
  gov_mark_url: https://bszs.conac.cn/sitename?method=show&id=3600000001
  error_report_url: https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3600000001
units:
  bgs: 测试县人民政府办公室
"""
COUNTY_ITEMS = """\
domains:
  - id: zwgk
    name: 政务公开
    items:
      - id: tzgg
        l1: 通知公告
        time_limit: 信息形成之日起20个工作日内
        owner: bgs
        channels: {required: [政府网站]}
        mode: 主动
"""
NOTICE_RECORD = {
    "title": "关于做好秋季防火工作的通知", "issuer": "bgs", "date": "2026-11-02",
    "published": "2026-11-20", "disclosure": "主动公开", "reviewer": "张三",
    "reviewed": "2026-11-19", "kind": "通知公告",
}


def notice(body: str = "请各单位做好防火工作。", **fields: object) -> str:
    """A valid 通知公告 of the county site; keyword arguments override record fields."""
    return front_matter(**NOTICE_RECORD | fields) + body + "\n"


def real_corpus_copy(root: Path) -> Path:
    """A copy of the real corpus at `root`, without its cache or output."""
    shutil.copytree(REAL_CORPUS, root, ignore=shutil.ignore_patterns(".govsite-cache", "build"))
    return root


def mini_site(root: Path, docs: dict[str, str] | None = None) -> Path:
    """A two-domain site; `docs` maps paths under content/ to whole file texts."""
    files: dict[str, str | bytes] = {"catalog.yaml": MINI_CATALOG}
    files |= {f"content/{rel}": text for rel, text in (docs or {}).items()}
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def record_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str,
                 note: Callable[[tuple, object], object]) -> list:
    """Wraps `owner.name` so that each call still runs and appends note(args, result) to the
    list returned (a method's args start with self)."""
    calls: list = []
    real = getattr(owner, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)
        calls.append(note(args, result))
        return result

    monkeypatch.setattr(owner, name, wrapper)
    return calls

"""What the last build read and wrote, kept as plain data (JSON) in .govsite-cache/build-state.json.

From file sizes and change times alone (no file is read), the next build can tell that nothing
changed (and report the last build's problems without doing anything), and which of build/'s pages
it need not render again: a page whose key (everything it shows, see render.Renderer) has the same
digest, and whose file in build/ is exactly as govsite left it, is hard-linked into the new output.

The file holds digests, paths and numbers only: it is parsed as JSON, never executed or unpickled,
and anything unexpected in it (another format, a damaged file) makes the build start afresh.
Deleting it is always safe. This module imports nothing heavy: a build or check that finds
nothing changed never imports Markdown, Jinja2, Whoosh or numpy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from govsite import __version__
from govsite.cache import CacheError, seal, unseal, usable_key
from govsite.problems import Problem
from govsite.sections import ZFXXGK

STATE_FILE = "build-state.json"
FORMAT = 1
PACKAGE = Path(__file__).resolve().parent
Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: any write changes ctime


def stamp(stat: os.stat_result) -> Stamp:
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def walk(folder: Path, prefix: str = "") -> Iterator[tuple[str, Stamp, bool]]:
    """(relative path, stamp, is a directory) of everything under `folder`, in a stable order:
    each folder's entries by name, a folder's contents right after it. One loop over a stack of
    folders, not a generator per folder: build/ holds a folder per page."""
    pending = [_entries(folder, prefix)]
    while pending:
        for rel, entry in pending[-1]:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                value = stamp(entry.stat(follow_symlinks=False))
            except OSError:
                continue
            yield rel, value, is_dir
            if is_dir:
                pending.append(_entries(entry.path, rel + "/"))
                break
        else:
            pending.pop()


def _entries(folder: str | Path, prefix: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return iter(())
    return ((prefix + entry.name, entry) for entry in entries)


def _feed(sha: Any, folder: Path, prefix: str) -> None:
    for rel, value, is_dir in walk(folder, prefix):
        if not is_dir and "/__pycache__/" not in rel:  # written by Python itself on first import
            sha.update(f"{rel}\0{value}\n".encode())


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Of govsite's own modules (their stamps), as this process found them: in the build state's
    key, and in that of memos whose entries depend on how govsite validates (the documents)."""
    sha = hashlib.sha256(__version__.encode())
    _feed(sha, PACKAGE, "govsite/")
    return sha.hexdigest()


@dataclass(frozen=True)
class Inputs:
    """Digests of the stamps of everything a build reads: `site` covers catalog.yaml, content/,
    themes/ and zfxxgk/; `code` covers govsite itself (its modules and packaged theme); `pages` what every page
    depends on besides its key (templates, catalogue, govsite)."""

    site: str
    pages: str

    def key(self, **options: object) -> str:
        data = json.dumps([FORMAT, self.site, options], sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()


def scan_inputs(root: Path) -> Inputs:
    code = hashlib.sha256(f"{code_digest()}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
    _feed(code, PACKAGE.parent / "themes", "package-themes/")
    pages = code.copy()
    catalog = root / "catalog.yaml"
    with contextlib.suppress(OSError):
        pages.update(f"catalog.yaml\0{stamp(catalog.stat())}\n".encode())
    _feed(pages, root / "themes", "themes/")
    _feed(pages, root / ZFXXGK, ZFXXGK + "/")  # the column's data: its pages and every footer
    site = pages.copy()
    _feed(site, root / "content", "content/")
    return Inputs(site.hexdigest(), pages.hexdigest())


def output_stamps(out: Path) -> dict[str, Stamp]:
    """Every file and folder in build/ (folders end with "/": adding a file changes its folder)."""
    return {rel + "/" if is_dir else rel: value for rel, value, is_dir in walk(out)}


def patched_stamps(out: Path, before: dict[str, Stamp], touched: set[str]) -> dict[str, Stamp]:
    """output_stamps(out) after the `touched` paths (files, and folders ending with "/") of a
    build/ whose stamps were `before` were changed in place: those paths and their folders
    stamped again, without walking the rest."""
    stamps = dict(before)
    again = set(touched)
    for path in touched:
        parts = path.rstrip("/").split("/")[:-1]
        again |= {"/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)}
    for path in again:
        try:
            stamps[path] = stamp(os.lstat(out / path))
        except OSError:
            stamps.pop(path, None)
    return dict(sorted(stamps.items()))


@dataclass
class Recorded:
    """The outcome of a build or check, as the CLI reports it."""

    problems: list[Problem]
    published: int = 0
    withheld: int = 0
    pages: int = 0
    withheld_invalid: list[str] = field(default_factory=list)
    scheduled: int = 0  # 主动公开 documents published after the build's or check's day


@dataclass
class BuildState:
    file: Path | None
    data: dict[str, Any] = field(default_factory=dict)
    key: bytes | None = None

    @classmethod
    def load(cls, folder: Path | None) -> BuildState:
        key = usable_key() if folder is not None else None
        if folder is None or key is None:
            return cls(None)
        file = folder / STATE_FILE
        try:  # signed like the other caches (docs/cache.md): a forged state is never trusted
            data = json.loads(unseal(key, file.read_bytes()))
        except (OSError, ValueError, CacheError):
            data = {}
        return cls(file, data if isinstance(data, dict) and data.get("format") == FORMAT else {}, key)

    # --- builds ---------------------------------------------------------------------------

    def unchanged_build(self, key: str, current: dict[str, Stamp], intact: set[str]) -> Recorded | None:
        """The last build's outcome, if it had the same inputs and options and build/ is still
        exactly what it wrote (`current`: its stamps now, `intact`: self.intact); else None."""
        build = self.data.get("build") or {}
        if build.get("key") != key or self.untouched(current, intact) is None:
            return None
        return self._recorded(build)

    def untouched(self, current: dict[str, Stamp], intact: set[str]) -> set[str] | None:
        """The files of build/ if it is exactly as the last build left it (the same files and
        folders, each with the same stamp): a build may then change it in place."""
        files = (self.data.get("build") or {}).get("files", {})
        if not current or len(current) != len(files) or len(intact) != len(files):
            return None
        return {path for path in files if not path.endswith("/")}

    def intact(self, out: Path, current: dict[str, Stamp]) -> set[str]:
        """Paths of build/ (files and folders) exactly as the last build left them, `current`
        being their stamps now."""
        build = self.data.get("build") or {}
        files = build.get("files", {}) if build.get("out") == str(out) else {}
        return {path for path, value in current.items() if files.get(path) == list(value)}

    def reusable_pages(self, intact: set[str], pages_key: str) -> dict[str, str]:
        """{path: key digest} of the last build's pages that are `intact` in build/, if the
        templates, catalogue and govsite are unchanged; else {}."""
        build = self.data.get("build") or {}
        if build.get("pages_key") != pages_key:
            return {}
        return {path: digest for path, digest in build.get("page_keys", {}).items() if path in intact}

    def reusable_copies(self, intact: set[str]) -> dict[str, tuple[str, list[int]]]:
        """{path: (source, source stamp)} of copied files `intact` in build/."""
        build = self.data.get("build") or {}
        return {path: (source, value) for path, (source, value) in build.get("copies", {}).items()
                if path in intact}

    def record_build(self, key: str, out: Path, recorded: Recorded, *, pages_key: str,
                     page_keys: dict[str, str], copies: dict[str, Path], files: dict[str, Stamp]) -> None:
        """`files`: build/'s stamps as the build left it (output_stamps or patched_stamps)."""
        self.data["build"] = {
            "key": key, "out": str(out), "pages_key": pages_key, "page_keys": page_keys,
            "copies": {path: (str(source), list(stamp(source.stat()))) for path, source in copies.items()},
            "files": {path: list(value) for path, value in files.items()},
            **self._rows(recorded),
        }

    # --- checks ---------------------------------------------------------------------------

    def unchanged_check(self, key: str) -> list[Problem] | None:
        """The recorded problems of a check with the same inputs and day, if it found no
        scheduled document (check lists those from the documents themselves)."""
        check = self.data.get("check") or {}
        if check.get("key") != key or check.get("scheduled", 1):
            return None
        return self._recorded(check).problems

    def record_check(self, key: str, problems: list[Problem], scheduled: int) -> None:
        self.data["check"] = {"key": key, **self._rows(Recorded(problems, scheduled=scheduled))}

    # --- file -----------------------------------------------------------------------------

    @staticmethod
    def _rows(recorded: Recorded) -> dict[str, Any]:
        return {"problems": [p.row() for p in recorded.problems], "published": recorded.published,
                "withheld": recorded.withheld, "pages": recorded.pages,
                "withheld_invalid": recorded.withheld_invalid, "scheduled": recorded.scheduled}

    @staticmethod
    def _recorded(data: dict[str, Any]) -> Recorded:
        return Recorded([Problem.from_row(row) for row in data.get("problems", [])], data.get("published", 0),
                        data.get("withheld", 0), data.get("pages", 0), data.get("withheld_invalid", []),
                        data.get("scheduled", 0))

    def save(self) -> None:
        if self.file is None or self.key is None:
            return
        self.data["format"] = FORMAT
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temp = self.file.with_name(f".{self.file.name}.tmp-{os.getpid()}")
        payload = json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()
        temp.write_bytes(seal(self.key, payload))
        os.replace(temp, self.file)

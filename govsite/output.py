"""Stage 7, write: the only stage that touches the output folder.

The site is written to a temporary folder beside the output and committed only when complete,
so a failed build leaves the previous site exactly as it was: swapped in whole, or, for a small
change to an output folder that is exactly as the last build left it, file by file in place
(each file replaced atomically, the replacements undone if one fails).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from govsite.lifetime import unfinished

MARKER = ".govsite-output"
MARKER_TEXT = "govsite build output; safe to delete\n"


@dataclass
class Output:
    """A site as files: rendered pages, and source files copied as they are."""

    pages: dict[str, bytes] = field(default_factory=dict)
    copies: dict[str, Path] = field(default_factory=dict)  # output path -> source file
    reused: set[str] = field(default_factory=set)  # pages kept as the previous build wrote them
    written: set[str] = field(default_factory=set)  # pages already written as they were rendered
    keys: dict[str, str] = field(default_factory=dict)  # output path -> digest of the page's key


class OutputError(Exception):
    """The output folder is unsafe to replace (usage error, not an input problem)."""


def check_output_dir(out: Path, root: Path) -> None:
    out, root = out.resolve(), root.resolve()
    if out == root or root.is_relative_to(out):
        raise OutputError(f"输出目录 {out} 包含站点本身，拒绝覆盖")
    if out.is_relative_to(root / "content") or out.is_relative_to(root / "themes"):
        raise OutputError(f"输出目录 {out} 位于 content/ 或 themes/ 之内，拒绝写入")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(f"输出目录 {out} 已存在且不是 govsite 生成的目录，拒绝覆盖（请换一个目录或先清空）")


def _safe(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not path:
        raise OutputError(f"unsafe output path {path!r}")
    return path


def publish(output: Output, out: Path) -> None:
    with staging(out) as stage:
        write_tree(output, stage)


def staging_folders(out: Path, pid: int) -> tuple[Path, Path]:
    """The new site's folder while it is written, and the previous site's while it is swapped:
    `.build.tmp-PID` and `.build.old-PID` beside build/, which the .gitignore of this repository
    and of `govsite init` (pattern /.build.*/) keep out of version control."""
    return out.parent / f".{out.name}.tmp-{pid}", out.parent / f".{out.name}.old-{pid}"


def remove_stale_staging(out: Path) -> None:
    """Staging folders left by builds that were killed (their process is gone). If a build
    died between its two renames, its `.old-PID` folder is the previous site: it is put back."""
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(tmp|old)-(\d+)$")
    for folder in sorted(out.parent.iterdir()) if out.parent.is_dir() else []:
        match = pattern.match(folder.name)
        if not match or _alive(int(match.group(2))) or not (folder / MARKER).is_file():
            continue
        if match.group(1) == "old" and not out.exists():
            os.replace(folder, out)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


IN_PLACE_AT_MOST = (100, 0.1)  # files, share of the site's files: a bigger change is swapped in


class Staging:
    """The new site while it is written: its new and changed files in `folder`, and the paths of
    the files it keeps from the `previous` site (when that is intact) in `kept`."""

    def __init__(self, folder: Path, previous: Path | None):
        self.folder, self.previous = folder, previous
        self.written: set[str] = set()
        self.kept: set[str] = set()
        self.touched: set[str] | None = None  # after a commit in place: the paths it changed
        self._made: set[Path] = set()  # folders made: one mkdir each, not one per file

    def write(self, path: str, data: bytes) -> None:
        """A file of the new site: kept if the previous site (when intact) has the same bytes."""
        if self.previous is not None and _same_bytes(self.previous / _safe(path), data):
            self.kept.add(path)
            return
        _in_folder(self.folder / _safe(path), self._made).write_bytes(data)
        self.written.add(path)

    def copy(self, path: str, source: Path) -> None:
        shutil.copyfile(source, _in_folder(self.folder / _safe(path), self._made))
        self.written.add(path)

    def changes(self, previous: set[str]) -> tuple[set[str], set[str]]:
        """What committing in place does to a folder holding the files `previous`: the files
        it writes, and those it deletes."""
        return self.written, previous - self.written - self.kept - {MARKER}

    def link_kept(self, out: Path) -> None:
        """The kept files, hard-linked from `out` (copied where the file system has no hard
        links). Once `out` is deleted, each file again has a single link: editing a file of
        build/ in place changes nothing else."""
        for path in sorted(self.kept - self.written):
            _keep(out / _safe(path), _in_folder(self.folder / path, self._made))


@contextmanager
def staging(out: Path, in_place: set[str] | None = None) -> Iterator[Staging]:
    """A new, empty folder for the new site's files. When the block completes, the site is
    committed: with `in_place` (the files of `out`, which is exactly as the last build left
    it), each written file replaces its namesake in `out` and the files the site no longer has
    are deleted, if they are few; otherwise the kept files are linked into the new folder, which
    is swapped in for `out`. If the block raises, `out` is left as it was, and so it is if
    committing in place fails: the files already replaced are put back. Either way no staging
    folder is left."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out)
    temp, old = staging_folders(out, os.getpid())
    shutil.rmtree(temp, ignore_errors=True)
    try:
        temp.mkdir()
        (temp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        with unfinished(temp):
            stage = Staging(temp, out if in_place is not None else None)
            yield stage
            written, gone = stage.changes(in_place or set())
            most, share = IN_PLACE_AT_MOST
            site_files = len(stage.written | stage.kept)
            if in_place is not None and len(written) + len(gone) <= max(most, share * site_files):
                stage.touched = _patch(out, temp, old, written, gone)
                return
            stage.link_kept(out)
        if out.exists():
            os.replace(out, old)
        os.replace(temp, out)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def _patch(out: Path, temp: Path, aside: Path, written: set[str], gone: set[str]) -> set[str]:
    """Moves the `gone` files of `out` aside, then each `written` file from `temp` into `out`
    (its previous version aside too); if any step fails, undoes the steps done. The paths
    changed (written, deleted, and the folders made or removed)."""
    aside.mkdir()
    (aside / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    done: list[tuple[str, str]] = []  # ("aside" | "placed", path), in order
    folders: set[str] = set()
    try:
        for path in sorted(gone):
            _move(out / path, aside / path)
            done.append(("aside", path))
        for path in gone:
            folders |= _remove_empty_parents((out / path).parent, out)
        for path in sorted(written):
            target = out / path
            if os.path.lexists(target):
                _move(target, aside / path)
                done.append(("aside", path))
            folders |= _make_folders(out, path)
            os.replace(temp / path, target)
            done.append(("placed", path))
    except BaseException:
        for step, path in reversed(done):
            if step == "placed":
                (out / path).unlink()
            else:
                _move(aside / path, out / path)
        for path in written:
            _remove_empty_parents((out / path).parent, out)
        raise
    return written | gone | folders


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _make_folders(out: Path, path: str) -> set[str]:
    """The folders of `path` that did not exist in `out`, made."""
    made = set()
    for folder in PurePosixPath(path).parents:
        if folder.name and not (out / folder).is_dir():
            made.add(folder.as_posix() + "/")
    (out / path).parent.mkdir(parents=True, exist_ok=True)
    return made


def write_tree(output: Output, stage: Staging, unchanged_copies: frozenset[str] = frozenset()) -> None:
    """`output` into the new site: pages written, pages in output.reused kept from the previous
    site (state.py checks each file's size, times and inode before offering it, so a file edited
    in build/ is never kept), copies kept if named in `unchanged_copies`, else copied."""
    for path, content in sorted(output.pages.items()):
        stage.write(path, content)
    stage.kept |= output.reused
    for path, source in sorted(output.copies.items()):
        if path in unchanged_copies:
            stage.kept.add(path)
        else:
            stage.copy(path, source)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _in_folder(target: Path, made: set[Path]) -> Path:
    """`target`, once its folder exists (`made`: the folders already known to exist)."""
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    return target


def _keep(old: Path, new: Path) -> None:
    try:
        os.link(old, new)
    except OSError:
        shutil.copyfile(old, new)


def publish_changes(previous: Output, output: Output, out: Path) -> None:
    """Turn a folder holding `previous` into one holding `output`, writing only what differs.

    For govsite serve's private folder, where a rebuild after one edit must be fast; `publish`
    (temporary folder, then swap) remains the way build/ is written.
    """
    gone = (previous.pages.keys() | previous.copies.keys()) - (output.pages.keys() | output.copies.keys())
    for path in sorted(gone):
        target = out / _safe(path)
        target.unlink(missing_ok=True)
        _remove_empty_parents(target.parent, out)
    for path, content in output.pages.items():
        if previous.pages.get(path) is not content and previous.pages.get(path) != content:
            target = out / _safe(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    for path, source in output.copies.items():
        target = out / _safe(path)
        stat = source.stat()
        if previous.copies.get(path) != source or not target.exists() or \
                target.stat().st_mtime_ns < stat.st_mtime_ns:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _remove_empty_parents(folder: Path, out: Path) -> set[str]:
    """`folder` and the folders above it inside `out`, removed while empty: their paths in
    `out` ("a/b/")."""
    removed = set()
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        removed.add(folder.relative_to(out).as_posix() + "/")
        folder = folder.parent
    return removed

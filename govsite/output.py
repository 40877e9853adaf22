"""Stage 7, write: the only stage that touches the output folder.

The site is written to a temporary folder beside the output and swapped in only when complete,
so a failed build leaves the previous site exactly as it was.
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
    with staging(out) as temp:
        write_tree(output, temp)


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


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A new, empty output folder, swapped in for `out` when the block completes and deleted if
    it raises: `out` is either the previous site or the whole new one."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out)
    temp, old = staging_folders(out, os.getpid())
    shutil.rmtree(temp, ignore_errors=True)
    try:
        temp.mkdir()
        (temp / MARKER).write_text("govsite build output; safe to delete\n", encoding="utf-8")
        with unfinished(temp):
            yield temp
        if out.exists():
            os.replace(out, old)
        os.replace(temp, out)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def write_tree(output: Output, folder: Path, previous: Path | None = None,
               unchanged_copies: frozenset[str] = frozenset()) -> None:
    """Write `output` into the new `folder`. Pages in output.reused, and the copies named in
    `unchanged_copies`, are the `previous` build's files: they are hard-linked from it (copied
    where the file system has no hard links). Once the new folder is swapped in and the
    previous one deleted, each file again has a single link: editing a file of build/ in place
    changes nothing else, and a file edited in build/ is never linked (state.py checks each
    file's size, times and inode before offering it)."""
    made: set[Path] = set()  # folders made: one mkdir each, not one per file
    for path, content in sorted(output.pages.items()):
        write_page(folder, path, content, made)
    for path in sorted(output.reused):
        assert previous is not None
        _keep(previous / _safe(path), _in_folder(folder / path, made))
    for path, source in sorted(output.copies.items()):
        target = _in_folder(folder / _safe(path), made)
        if path in unchanged_copies and previous is not None:
            _keep(previous / path, target)
        else:
            shutil.copyfile(source, target)


def write_page(folder: Path, path: str, data: bytes, made: set[Path] | None = None) -> None:
    """One page into the new `folder` (pages written as they are rendered, and by write_tree)."""
    _in_folder(folder / _safe(path), made).write_bytes(data)


def _in_folder(target: Path, made: set[Path] | None) -> Path:
    """`target`, once its folder exists (`made`: the folders already known to exist)."""
    if made is None or target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
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


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent

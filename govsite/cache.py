"""Persistent memo of pure functions (Markdown bodies, QR codes), keyed by a hash of the input.

Because the cached functions are pure and the key covers every input (and govsite's version),
an entry can never be stale; deleting .govsite-cache/ is always safe.

A memo file holds data only (JSON, checked against the expected shape when read) and starts with
an HMAC of the rest, keyed by a secret kept outside the site folder (docs/cache.md): a file that
cannot be read, verified, validated or matched to this govsite version is discarded with a
one-line notice (logged as a warning) and rebuilt. Nothing in it can run code, and only a holder
of the key can make govsite take a body's HTML from it without sanitising it again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite import __version__
from govsite.parallel import BODIES, forked_map

CACHE_DIR = ".govsite-cache"  # inside the site root; git-ignored; safe to delete at any time
KEY_ENV = "GOVSITE_CACHE_KEY"  # the key itself, e.g. from a CI secret
FORMAT = "govsite-memo/1"

log = logging.getLogger(__name__)


class CacheError(Exception):
    """Why a memo file, or the key, cannot be used (the notice's text)."""


def digest(*parts: object) -> str:
    data = "\0".join([__version__, *map(str, parts)]).encode()
    return hashlib.sha256(data).hexdigest()


def key_file() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "govsite" / "cache-key"


def cache_key() -> bytes:
    """$GOVSITE_CACHE_KEY, else the key file, created (0600) on first use. Raises CacheError."""
    secret = os.environ.get(KEY_ENV, "")
    if secret:
        return secret.encode()
    path = key_file()
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temp = path.with_name(f".cache-key.{os.getpid()}")
            temp.unlink(missing_ok=True)
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32))
            try:
                os.link(temp, path)  # never replaces a key another process created meanwhile
            except FileExistsError:
                pass
            finally:
                temp.unlink()
        key = path.read_bytes().strip()
    except OSError as error:
        raise CacheError(f"无法读取或创建缓存密钥 {path}（{error.strerror or error}）") from error
    if len(key) < 32:
        raise CacheError(f"缓存密钥 {path} 不足 32 个字符")
    return key


def usable_key() -> bytes | None:
    """cache_key(), or None with a notice: the build then neither reads nor writes the cache."""
    try:
        return cache_key()
    except CacheError as error:
        log.warning("注意：%s，本次构建不读写缓存", error)
        return None


@dataclass(frozen=True)
class Codec:
    """How a memo's values are written as JSON data and read back. `decode` raises ValueError,
    TypeError, KeyError or IndexError on data of the wrong shape; `encode` returns None for a value
    that is not to be kept."""

    name: str  # with a version: a change of the data's shape changes it
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


class Memo:
    """The results of one pure function, by key, kept in `folder` as up to 256 shard files
    (`00.json` … `ff.json`, by a hash of the key): a build that computes a few new results
    rewrites only their shards. A `lazy` memo reads a shard only when a key in it is asked for;
    a `quiet` one leaves the notice of shards it refused (`refused`) to its caller."""

    def __init__(self, folder: Path | None, codec: Codec, key: bytes | None = None, *,
                 lazy: bool = False, quiet: bool = False):
        self.folder, self.codec, self.key, self.quiet = folder, codec, key, quiet
        self.entries: dict[str, Any] = {}
        self.dirty: set[str] = set()  # shards to write again
        self.asked: set[str] = set()  # keys read or written since it was loaded
        self.unread: set[str] = set()  # shard files not read yet
        self.refused = 0  # shard files that could not be used (one notice per memo)
        if not (folder and key and folder.is_dir()):
            return
        self.unread = {file.stem for file in folder.glob("*.json")}
        if not lazy:
            self._read_shards(self.unread)

    def _read_shards(self, names: Collection[str]) -> None:
        if not (self.folder and self.key):
            return
        refused: list[CacheError] = []
        for name in sorted(names):
            self.unread.discard(name)
            try:
                self.entries.update(self._read(self.folder / f"{name}.json", self.key))
            except CacheError as error:
                refused.append(error)
                self.dirty.add(name)  # replace it even if nothing is computed
        if refused and not self.quiet and not self.refused:
            log.warning("注意：缓存 %s 中 %d 个文件%s，已丢弃，本次重新生成", self.folder, len(refused),
                        refused[0])
        self.refused += len(refused)

    def _shard(self, key: str) -> str:
        """The shard of `key`, read if it was not."""
        name = shard_of(key)
        if name in self.unread:
            self._read_shards([name])
        return name

    def _read(self, file: Path, key: bytes) -> dict[str, Any]:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CacheError(f"无法读取（{error.strerror or error}）") from error
        payload = unseal(key, data)
        try:
            memo = json.loads(payload)
            header = (memo["format"], memo["govsite"], memo["codec"])
            if header != (FORMAT, __version__, self.codec.name):
                raise CacheError(f"由另一版本的 govsite（{memo['govsite']}）写入")
            entries, name = memo["entries"], file.stem
            if not isinstance(entries, dict) or any(shard_of(k) != name for k in entries):
                raise TypeError("entries")
            return {key: self.codec.decode(value) for key, value in entries.items()}
        except (ValueError, TypeError, KeyError, IndexError) as error:
            raise CacheError("内容格式不符") from error

    def compute(self, function: Callable[..., Any], jobs: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
        """Results for every key of `jobs` (key -> args); missing ones are computed, in worker
        processes when there are many. Entries no longer asked for are dropped."""
        self._read_shards(set(self.unread))
        todo = [(key, args) for key, args in jobs.items() if key not in self.entries]
        results = forked_map(function, [args for _, args in todo], BODIES)
        for (key, _), result in zip(todo, results, strict=True):
            self.put(key, result)
        self.keep_only(jobs.keys())
        return {key: self.entries[key] for key in jobs}

    def get(self, key: str) -> Any | None:
        self.asked.add(key)
        return self.peek(key)

    def peek(self, key: str) -> Any | None:
        """get(), but not counted as asked for (drop_unasked drops it if nothing else asks)."""
        self._shard(key)
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        self.asked.add(key)
        self.dirty.add(self._shard(key))
        self.entries[key] = value

    def take(self, key: str) -> Any | None:
        """get(), and the entry leaves memory (not the file): for a memo saved by unload()."""
        self.asked.add(key)
        self._shard(key)
        return self.entries.pop(key, None)

    def unload(self) -> bool:
        """Save, then let go of every entry: a lazy memo reads a shard again when asked for a key
        in it. False, keeping the entries, when the memo has no folder to read them from or
        cannot write it (a read-only site is still checked)."""
        return self.flush(self.dirty | {shard_of(key) for key in self.entries})

    def flush(self, names: Collection[str]) -> bool:
        """Save the shards `names` and let go of their entries: a lazy memo reads a shard again
        when asked for a key in it. False, keeping them, as unload()."""
        if not (self.folder and self.key):
            return False
        try:
            self._save_shards(self.dirty & set(names))
        except OSError:
            return False
        for key in [key for key in self.entries if shard_of(key) in names]:
            del self.entries[key]
        self.unread |= {name for name in names if (self.folder / f"{name}.json").exists()}
        return True

    def delete(self, key: str) -> None:
        self.dirty.add(self._shard(key))
        self.entries.pop(key, None)

    def reset(self, entries: dict[str, Any]) -> None:
        """Replace every entry (the shards not read are not needed any more)."""
        self.dirty |= self.unread | {shard_of(key) for key in self.entries} | {shard_of(k) for k in entries}
        self.unread, self.entries = set(), dict(entries)

    def update_to(self, entries: dict[str, Any]) -> None:
        """Hold exactly `entries`: only the shards whose entries differ are written again."""
        self._read_shards(set(self.unread))
        self.dirty |= {shard_of(key) for key in self.entries.keys() | entries.keys()
                       if self.entries.get(key) != entries.get(key)}
        self.entries = dict(entries)

    def keep_only(self, keys: Collection[str]) -> None:
        """Drop the entries whose key is not in `keys` (no longer asked for)."""
        self._read_shards(set(self.unread))
        for key in self.entries.keys() - keys:
            del self.entries[key]
            self.dirty.add(shard_of(key))

    def drop_unasked(self) -> None:
        """Drop the entries neither read (get) nor written (put) since the memo was loaded."""
        self.keep_only(self.asked)

    def save(self) -> None:
        if self.folder and self.key and self.dirty:
            self._save_shards(self.dirty)

    def _save_shards(self, names: Collection[str]) -> None:
        assert self.folder and self.key
        shards: dict[str, list[str]] = {name: [] for name in names}
        for key in self.entries:
            if (name := shard_of(key)) in shards:
                shards[name].append(key)
        for name, keys in sorted(shards.items()):  # encoded a shard at a time: the whole would be a copy
            entries = {key: data for key in keys if (data := self.codec.encode(self.entries[key])) is not None}
            file = self.folder / f"{name}.json"
            if not entries:
                file.unlink(missing_ok=True)
                continue
            memo = {"format": FORMAT, "govsite": __version__, "codec": self.codec.name,
                    "entries": entries}
            payload = json.dumps(memo, ensure_ascii=False, separators=(",", ":")).encode()
            _write_atomically(file, seal(self.key, payload))
        self.dirty -= shards.keys()


def shard_of(key: str) -> str:
    """The shard file (two hex digits) that keeps `key`."""
    return hashlib.blake2s(key.encode(), digest_size=1).hexdigest()


def seal(key: bytes, payload: bytes) -> bytes:
    """A cache file's bytes: the payload's HMAC on the first line, then the payload."""
    return _mac(key, payload) + b"\n" + payload


def unseal(key: bytes, data: bytes) -> bytes:
    """The payload of a file written by `seal` with this key; CacheError if it was not."""
    mac, _, payload = data.partition(b"\n")
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise CacheError("未通过校验（不是用本机的缓存密钥或 GOVSITE_CACHE_KEY 写入的）")
    return payload


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).hexdigest().encode()


def _write_atomically(path: Path, data: bytes) -> None:
    """A reader never sees half a file, and concurrent writers never share a temp."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, path)


def load_json(path: Path) -> Any | None:
    """A signed JSON cache file's data (written by save_json); None if it is missing, unsigned or
    unreadable (the caller then rebuilds it). Callers validate the shape they expect."""
    key = usable_key()
    try:
        return json.loads(unseal(key, path.read_bytes())) if key else None
    except (OSError, CacheError, ValueError):
        return None


def save_json(path: Path, value: Any) -> None:
    key = usable_key()
    if key:
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        _write_atomically(path, seal(key, payload))

"""Page keys' digests: a CLI build keeps a page of the previous build/ whose key (everything it
shows, see render.Renderer) has the same digest as then (state.py records them)."""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any

from govsite.model import Document


@dataclass
class Reuse:
    """What a CLI build may keep of the previous one: {path: digest of the page's key} of the
    previous build's pages still intact in build/, and `salt`, a digest of what every page
    depends on besides its key (templates, catalogue, govsite itself)."""

    pages: dict[str, str]
    salt: str
    parts: dict[int, tuple[Any, str]] = field(default_factory=dict)  # id -> (object, digest)
    groups: dict[str, tuple[int, list[str]]] | None = None  # digest -> (size, intact paths)

    def digest(self, key: Any) -> str:
        return hashlib.sha256(f"{self.salt}\0{self._text(key)}".encode()).hexdigest()

    def group(self, digest: str) -> list[str] | None:
        """The paths of a group of pages (Renderer.group) written under `digest`, if all are intact."""
        if self.groups is None:
            self.groups = {}
            for path, recorded in sorted(self.pages.items()):
                group, _, size = recorded.partition("/")
                if size.isdigit():
                    self.groups.setdefault(group, (int(size), []))[1].append(path)
        size, paths = self.groups.get(digest, (0, []))
        return paths if paths and len(paths) == size else None

    def _text(self, value: Any) -> str:
        """A key's text: its repr, each dataclass in it (a document, an item) replaced by the
        digest of its repr, worked out once per object although many pages show it."""
        kind = type(value)
        if kind is tuple:
            return "(" + ",".join(map(self._text, value)) + ")"
        if kind in PLAIN:
            return repr(value)
        known = self.parts.get(id(value))
        if known is None:
            if not is_dataclass(value):
                return repr(value)
            text = _document_text(value) if kind is Document else repr(value)
            # kept with its digest, so that its id is not reused
            known = self.parts[id(value)] = (value, hashlib.sha256(text.encode()).hexdigest())
        return known[1]


PLAIN = frozenset({str, int, bool, type(None), date})  # in keys, shown by their repr
# a document's fields, its body by sha256 (body_digest): repr() of a long Chinese text costs more
# than hashing it, and what else is made of the body (citations…) follows from that digest
DOCUMENT_VALUES = operator.attrgetter(*(f.name for f in fields(Document) if f.name not in (
    "markdown", "read_body", "citations", "placeholder_line")))


def _document_text(doc: Document) -> str:
    return repr(("Document", *DOCUMENT_VALUES(doc)))

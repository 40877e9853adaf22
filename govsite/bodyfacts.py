"""What the checks need of a document's Markdown body, worked out once when the body is read.

A document loaded unchanged from the documents memo (docstore.py) carries these facts without
its body, so that a build after one edit neither reads nor scans the other bodies.
"""

from __future__ import annotations

import hashlib
import re

from govsite.paths import normalised

PLACEHOLDER = "在此处撰写正文（删除本段）"  # the body `govsite new` writes; blocks publication
MD_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>#]+\.md)>?(?:#[^)\s]*)?(?:\s+\"[^\"]*\")?\s*\)")

Citation = tuple[int, str, str]  # file line number, the line, the linked document's site path


def body_digest(body: str) -> str:
    """sha256 of a body: the caches' keys and the page keys use it."""
    return hashlib.sha256(body.encode()).hexdigest()


def citations(rel: str, body: str, body_line: int) -> tuple[Citation, ...]:
    """Each Markdown link to a .md file in the body of the document at `rel` (whose body starts
    on line `body_line`): only the lines that hold ".md" are matched."""
    found: list[Citation] = []
    number, counted, at = body_line, 0, body.find(".md")
    while at >= 0:
        start = body.rfind("\n", 0, at) + 1
        end = body.find("\n", at)
        end = len(body) if end < 0 else end
        number += body.count("\n", counted, start)
        counted = start
        line = body[start:end]
        found += [(number, line, normalised(rel, target)) for target in MD_LINK_RE.findall(line)]
        at = body.find(".md", end)
    return tuple(found)


def placeholder_line(body: str, body_line: int) -> int:
    """The file line of `govsite new`'s placeholder text in the body, 0 if there is none."""
    at = body.find(PLACEHOLDER)
    return 0 if at < 0 else body_line + body.count("\n", 0, at)

"""Site-relative paths as documents write them (a leaf module: the model and every stage use it)."""

from __future__ import annotations

import posixpath


def normalised(rel: str, name: str) -> str:
    """`name`, written in the document `rel`, as a site-relative posix path."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), name))

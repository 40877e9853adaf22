"""Helpers shared by the search tests: copies of the sample site and the real corpus, and
`govsite search` as a function."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from conftest import REAL_CORPUS  # noqa: F401 (re-exported for the search tests)

from govsite.build import analyse
from govsite.content import load_documents
from govsite.load import load_catalog
from govsite.model import Document
from govsite.search.whoosh_index import search

REPO_ROOT = Path(__file__).resolve().parents[1]
Search = Callable[..., list[dict]]


def copy_site(source: Path, target: Path) -> Path:
    """catalog.yaml, content/ and the zfxxgk/ column: the cache and build/ stay out of the copy."""
    target.mkdir(parents=True)
    shutil.copyfile(source / "catalog.yaml", target / "catalog.yaml")
    for folder in ("content", "zfxxgk"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder)
    return target


def all_documents(root: Path) -> list[Document]:
    catalog, problems = load_catalog(root)
    assert catalog is not None, problems
    documents, _ = load_documents(root, catalog)
    return documents


def searcher(root: Path) -> Search:
    """search(query, limit=20) as `govsite search` answers it, over the site as it is now."""
    analysis = analyse(root)

    def query(text: str, limit: int = 20) -> list[dict]:
        notices: list[str] = []
        found = search(root, analysis.site, analysis.bodies, text, limit, notices)
        assert notices == [], notices
        return found

    return query

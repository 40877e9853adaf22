"""Helpers shared by the search tests: copies of the sample site and the real corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REAL_CORPUS  # noqa: F401 (re-exported for the search tests)
from whoosh.index import Index

from govsite.load import load_catalog, load_documents
from govsite.model import Document
from govsite.search.indexer import open_index

REPO_ROOT = Path(__file__).resolve().parents[1]


def copy_site(source: Path, target: Path) -> Path:
    """catalog.yaml and content/ only: the cache and build/ stay out of the copy."""
    target.mkdir(parents=True)
    shutil.copyfile(source / "catalog.yaml", target / "catalog.yaml")
    shutil.copytree(source / "content", target / "content")
    return target


def all_documents(root: Path) -> list[Document]:
    catalog, problems = load_catalog(root)
    assert catalog is not None, problems
    documents, _ = load_documents(root, catalog)
    return documents


def opened(cache: Path) -> Index:
    """The Whoosh index of a search cache folder, which must hold one."""
    ix = open_index(cache, create=False)
    assert ix is not None, cache
    return ix

"""Offline search: a static browser index for build/search/, and `govsite search`.
export.browser_index() makes the browser's files (the build runs it beside rendering, see
indexing.py) from entries.index_input(); whoosh_index.search() answers the CLI from a Whoosh
index kept in the user's cache. Both rank alike: the page shows what `govsite search` prints, in
the same order. The package itself imports nothing: the build makes the entries without loading
numpy or Whoosh.
"""

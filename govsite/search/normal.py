"""How the tokenizer and the synonym sets normalise text: NFKC, then lower case. Apart from
tokens.py, so that the synonym sets are read without loading numpy."""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()

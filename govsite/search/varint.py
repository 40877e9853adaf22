"""Base-64 varints: the number encoding of the browser index and of positions in the Whoosh index.

Five bits a digit, least significant first; digits 32-63 say "more follows". Text, not bytes, so
a browser reads it straight out of a script, and what Whoosh stores for a document's positions is
already what the browser index stores for them.
"""

from __future__ import annotations

from collections.abc import Iterable

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
DIGITS = {char: value for value, char in enumerate(ALPHABET)}


def _encode(value: int) -> str:
    out = []
    while value >= 32:
        out.append(ALPHABET[32 + (value & 31)])
        value >>= 5
    out.append(ALPHABET[value])
    return "".join(out)


SMALL = [_encode(value) for value in range(1024)]  # every value of one or two digits


def varints(values: Iterable[int]) -> str:
    return "".join([SMALL[v] if v < 1024 else _encode(v) for v in values])


def decode(text: str) -> list[int]:
    numbers, value, shift = [], 0, 0
    for char in text:
        digit = DIGITS[char]
        if digit >= 32:
            value |= (digit - 32) << shift
            shift += 5
        else:
            numbers.append(value | digit << shift)
            value, shift = 0, 0
    return numbers

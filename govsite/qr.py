"""The QR code of a page's URL, as inline SVG (document pages show one when base_url is set);
kept in .govsite-cache/qr/ as data that must match what qr_svg writes."""

from __future__ import annotations

import re

import segno

from govsite.cache import Codec


def _qr_from_data(data: str) -> str:
    """A cached QR code is put in pages as markup, so it must be exactly what qr_svg writes."""
    if not (isinstance(data, str) and QR_SVG_RE.fullmatch(data)):
        raise ValueError("not a QR code")
    return data


QR_SVG_RE = re.compile(r'<svg width="\d+" height="\d+" class="segno"><title>本页二维码</title>'
                       r'<g transform="scale\(3\)"><path fill="#fff" d="[Mhvz0-9 -]+"/>'
                       r'<path class="qrline" stroke="#000" d="[Mmhv0-9. -]+"/></g></svg>')
QR_CODEC = Codec("qr/2", lambda svg: svg, _qr_from_data)


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG: what segno's svg_inline(scale=3, title="本页二维码",
    dark="#000", light="#fff") writes, byte for byte, in less than half the time. Always a full
    QR code: phones' scanners seldom read the Micro QR segno would choose for a short URL."""
    # A fixed mask is 3x faster than segno's best-mask search and still scans reliably.
    matrix = segno.make(url, error="m", mask=0, micro=False).matrix
    size = len(matrix) + 2 * QR_BORDER
    return (f'<svg width="{3 * size}" height="{3 * size}" class="segno"><title>本页二维码</title>'
            f'<g transform="scale(3)"><path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
            f'<path class="qrline" stroke="#000" d="{_dark_lines(matrix)}"/></g></svg>')


QR_BORDER = 4  # light modules around the code
DARK_RUN = re.compile(b"\x01+")


def _dark_lines(matrix: tuple[bytearray, ...]) -> str:
    """A horizontal line through each run of dark modules, row by row, each line's start
    relative to where the previous one ended (the first's absolute)."""
    width = len(matrix[0]) + 1  # the rows joined, a light module between them
    moves: list[str] = []
    at_x, at_row = 0, -1
    for run in DARK_RUN.finditer(b"\x00".join(map(bytes, matrix))):
        row, start = divmod(run.start(), width)
        length = run.end() - run.start()
        moves.append(f"M{start + QR_BORDER} {row + QR_BORDER + 0.5}h{length}" if at_row < 0 else
                     f"m{start + QR_BORDER - at_x} {row - at_row}h{length}")
        at_x, at_row = start + QR_BORDER + length, row
    return "".join(moves)

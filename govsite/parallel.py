"""How many worker processes a pool gets: one policy for every pool of govsite.

A pool gets one process per `per_worker` jobs, at most as many as the cores this process may use:
all of them, or half once leave_half() was called (the background indexing process calls it, as
the build renders pages on the other half meanwhile).
"""

from __future__ import annotations

import os

CORES = os.cpu_count() or 1
BODIES = 300  # Markdown bodies, QR codes, document pages: below this, one process is quicker
INDEXED = 1000  # documents analysed for the search index
_usable = CORES


def workers(jobs: int, per_worker: int) -> int:
    return max(1, min(_usable, jobs // per_worker))


def leave_half() -> None:
    global _usable
    _usable = max(1, CORES // 2)

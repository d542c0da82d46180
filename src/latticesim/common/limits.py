"""The limits on what an input file may ask for, in one place (docs/limits.md lists them).

A file of a few hundred bytes can ask for unbounded work (a YAML alias that expands
into itself a billion times, a range with a step of 1e-10, a horizon in year 9999).
Each limit is checked before the work it bounds, so a file beyond it is refused in a
fraction of a second with the usual one-line message, not after minutes or a MemoryError.
The limits are far above what any shipped scenario or sweep uses.
"""

from __future__ import annotations

__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "MAX_CSV_BYTES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NAME",
    "MAX_RUNS",
    "MAX_TEXT",
    "MAX_UPLOADS",
    "UPLOAD_CHECKS_AT_ONCE",
    "UPLOAD_MEMORY_BYTES",
    "UPLOAD_SECONDS",
]

MAX_FILE_BYTES = 1_000_000
"""Largest scenario or sweep file read (the largest shipped scenario is 27 KB)."""
MAX_DEPTH = 20
"""Deepest nesting of mappings and lists in a YAML file (scenarios need 6)."""
MAX_TEXT = 10_000
"""Longest text value in a YAML file (a description of a few pages)."""
MAX_NAME = 100
"""Longest name of a scenario or sweep, which becomes a folder name."""
EARLIEST_YEAR = 1950
"""Earliest year a scenario may start in (the packaged world is of the forums since 1949)."""
LATEST_YEAR = 2100
"""Latest year a scenario may end in."""
MAX_RUNS = 1_000_000
"""Most runs a sweep plans (points times replications) without ``--allow-large``."""
MAX_CSV_BYTES = 1_000_000
"""Largest blocs CSV file read (a landscape of a few hundred actors)."""
UPLOAD_SECONDS = 10.0
"""Longest the dashboard spends checking one uploaded scenario (a shipped one takes 0.2 s)."""
UPLOAD_MEMORY_BYTES = 512 * 2**20
"""Memory the check of one uploaded scenario may take beyond what its process starts with."""
UPLOAD_CHECKS_AT_ONCE = 2
"""Uploaded scenarios checked at the same time; more wait (at most a budget) for a turn."""
MAX_UPLOADS = 200
"""Uploaded scenarios one dashboard server keeps (each is a few hundred KB in memory)."""

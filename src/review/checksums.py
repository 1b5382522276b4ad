"""The checksum of a file: one SHA-256 function for every module that records or checks one
(the input files ingest reads, the sample's SYNTHETIC.json, the run's cache and manifest).

Standard library only: the quick check of a re-run with nothing changed (review.runner.cache)
hashes the data and the published outputs before pandas is imported, so this module must stay
light and import nothing of review's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# hashlib releases the GIL while it hashes a large block, so two threads use two cores
WORKERS = 4


def sha256_file(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def sha256_files(paths: Iterable[Path | str]) -> list[str]:
    """The SHA-256 of each file, in the order given, hashed side by side."""
    paths = list(paths)
    if len(paths) < 2:
        return [sha256_file(p) for p in paths]
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sha256") as pool:
        return list(pool.map(sha256_file, paths))

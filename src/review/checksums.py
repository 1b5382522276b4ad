"""The checksum of a file: one SHA-256 function for every module that records or checks one
(the input files ingest reads, the sample's SYNTHETIC.json, the run's cache and manifest).

Standard library only: the quick check of a re-run with nothing changed (review.runner.cache)
hashes the data and the published outputs before pandas is imported, so this module must stay
light and import nothing of review's.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# hashlib releases the GIL while it hashes a large block, so two threads use two cores
WORKERS = 4


# Inside `remembered()`: each file's checksum by its identity and change times (see there).
_remembered: dict[tuple, str] | None = None


def sha256_file(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, as hex (inside `remembered()`, hashed once)."""
    if _remembered is None:
        return _hash(path)
    stat = os.stat(path)
    key = (os.path.realpath(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if key not in _remembered:
        _remembered[key] = _hash(path)
    return _remembered[key]


def _hash(path: Path | str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@contextlib.contextmanager
def remembered() -> Iterator[None]:
    """Within this block a file is hashed once however often its checksum is asked for, unless it
    changed in between (another inode, size or modification or change time; any write sets the
    change time). Reading a data folder asks twice: the sample's proof (review.inputs.sample), then
    each file as it is read, and a national year is 3 GB. Only around one reading of the inputs,
    where a file is not expected to change: outside the block every call hashes the file."""
    global _remembered
    outer = _remembered
    _remembered = {} if outer is None else outer
    try:
        yield
    finally:
        _remembered = outer


def sha256_files(paths: Iterable[Path | str]) -> list[str]:
    """The SHA-256 of each file, in the order given, hashed side by side."""
    paths = list(paths)
    if len(paths) < 2:
        return [sha256_file(p) for p in paths]
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sha256") as pool:
        return list(pool.map(sha256_file, paths))

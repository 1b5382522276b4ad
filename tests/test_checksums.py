"""Checksums (review.checksums): a data folder's files are hashed once per reading, and a file
that changes is hashed again."""

from __future__ import annotations

import hashlib
import os
import time

from review import checksums
from review.checksums import remembered, sha256_file


def _counting(monkeypatch) -> list[str]:
    hashed: list[str] = []
    real = checksums._hash

    def counted(path):
        hashed.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(checksums, "_hash", counted)
    return hashed


def test_inside_remembered_a_file_is_hashed_once_until_it_changes(tmp_path, monkeypatch):
    hashed = _counting(monkeypatch)
    f = tmp_path / "posts.csv"
    f.write_bytes(b"post_id\np1\n")
    with remembered():
        first = sha256_file(f)
        assert sha256_file(str(f)) == first == hashlib.sha256(b"post_id\np1\n").hexdigest()
        assert hashed == ["posts.csv"]
        # the same size, and the modification time put back: the change time still tells
        stat = f.stat()
        time.sleep(0.02)
        f.write_bytes(b"post_id\np2\n")
        os.utime(f, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert sha256_file(f) == hashlib.sha256(b"post_id\np2\n").hexdigest()
        assert hashed == ["posts.csv"] * 2
        with remembered():  # nested: the same memory
            sha256_file(f)
        assert len(hashed) == 2
    sha256_file(f)  # outside: hashed every time
    sha256_file(f)
    assert len(hashed) == 4


def test_reading_the_sample_hashes_each_file_once(sample_s, monkeypatch):
    """The sample's proof and the reading of its files ask for each checksum; it is taken once,
    and the proof still holds (the folder is recognised as the synthetic sample)."""
    from review.inputs.ingest import read_folder

    hashed = _counting(monkeypatch)
    raw, meta = read_folder(sample_s.data)
    assert meta["synthetic"] is not None
    assert {r.sha256 for r in raw} <= {hashlib.sha256(p.read_bytes()).hexdigest() for p in sample_s.data.iterdir()}
    assert sorted(hashed) == sorted(set(hashed)) and len(hashed) >= len({r.path for r in raw})

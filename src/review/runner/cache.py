"""Incremental re-runs: reuse the data-quality and clause stages when nothing they read changed.

The team's year has a loop: run, read the recommendations, edit the decisions file, run again.
Only the recommendations (P6) and the board report read the decisions, so a re-run after
editing them need not read, validate and compute everything again. After a full run the
products of the first two waves (canonical tables, rejected rows, ingest record, the P1-P5 and
P7 clause artifacts and their executed notebooks) are kept beside the output folder, in
`.<out>.cache/`, under a key made of everything those stages read:

- the checksum (SHA-256) of every file in the data folder, with its path;
- the config file's checksum and the parsed config; the year and the run's parameters;
- the checksum of last year's register file, which joins the canonical recommendations table;
- a one-way digest of the pseudonymisation key, which makes the pseudonyms in the tables;
- the checksum of this package's code and notebooks, so that a changed formula is never
  answered from a cache of the old one.

The decisions file is deliberately not in the key: the run applies it again to the data
folder's own register (kept as artifacts/data-register.parquet), exactly as the data-quality
stage does, and re-runs P6 and the report, which read it.

A cache is never trusted: every cached file's checksum is checked before use, and a missing or
changed file, or a different key, means a full run (which writes a fresh cache). The published
outputs of a run that reused the cache are the same, byte for byte, as a full run's.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from review import __version__
from review.runner import artifacts
from review.runner.outdir import MARKER
from review.paths import PACKAGE_DIR

FORMAT = 1  # bump when the layout or the key changes
ENTRY = "entry.json"
# per-run records, not products; the marker is the staging folder's own (review.runner.outdir)
_SKIP = {Path("artifacts") / "timings", Path(MARKER)}


@dataclass
class CacheState:
    """What a run did with the cache, for the manifest and the CLI."""

    key: str
    status: str = "miss"  # "hit"; "miss", then "saved" once the run wrote a new cache; "off"
    reason: str = ""  # why a cache was not used (missing, different key, a changed file)
    reused: list[str] = field(default_factory=list)  # notebooks not run again

    def as_dict(self) -> dict:
        return {"status": self.status, "key": self.key, "reason": self.reason, "reused_notebooks": self.reused}


def cache_dir(out: Path) -> Path:
    return Path(out).parent / f".{Path(out).name}.cache"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_digest(notebook_dir: Path) -> str:
    """One checksum over the package's Python files and the run's notebooks."""
    digest = hashlib.sha256()
    files = sorted(PACKAGE_DIR.rglob("*.py")) + sorted(Path(notebook_dir).glob("*.ipynb"))
    for path in files:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def data_files(data_dir: Path) -> list[dict]:
    """Every file in the data folder (hidden files too: the reader may read them), with its
    checksum; the same listing in the same order for the same folder."""
    data_dir = Path(data_dir)
    return [
        {"path": p.relative_to(data_dir).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(data_dir.rglob("*"))
        if p.is_file()
    ]


def compute_key(
    data_dir: Path, config, config_path: Path | None, params: dict, previous_register: Path | None, notebook_dir: Path
) -> str:
    """The key of everything the reusable stages read (see the module docstring)."""
    payload = {
        "format": FORMAT,
        "review_version": __version__,
        "code": code_digest(notebook_dir),
        "data": {"folder": str(Path(data_dir).resolve()), "files": data_files(data_dir)},
        "config": {"file": sha256_file(config_path) if config_path else None, "parsed": config.model_dump(mode="json")},
        "params": {k: v for k, v in sorted(params.items()) if k != "output_dir"},
        "previous_register": sha256_file(previous_register) if previous_register else None,
        "pseudonym_key": _pseudonym_key_digest(),
    }
    return _digest(payload) + "." + ".".join(f"{part}={_digest(payload[part])[:12]}" for part in KEY_PARTS)


# The parts of the key named in it, so that a miss can say what changed.
KEY_PARTS = ("code", "data", "config", "params", "previous_register", "pseudonym_key")


def _pseudonym_key_digest() -> str | None:
    """A one-way digest of the pseudonymisation key (review.inputs.pseudonym), never the key: a new key
    changes every pseudonym in the canonical tables, so it must change the cache key."""
    from review.errors import ReviewError
    from review.inputs.pseudonym import find_key

    try:
        found = find_key()
    except ReviewError as exc:  # a key too short: the data-quality stage reports it, if it needs one
        return f"unusable: {exc}"
    return None if found is None else hashlib.sha256(b"policy-review cache key|" + found[0]).hexdigest()


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _changed_parts(old: str, new: str) -> list[str]:
    parts = lambda key: dict(p.split("=", 1) for p in key.split(".")[1:] if "=" in p)  # noqa: E731
    before, after = parts(old), parts(new)
    return [part for part in KEY_PARTS if before.get(part) != after.get(part)]


def _cached_files(staging: Path) -> list[Path]:
    return sorted(
        p.relative_to(staging)
        for p in staging.rglob("*")
        if p.is_file() and not any(p.relative_to(staging).is_relative_to(s) for s in _SKIP)
    )


def save(staging: Path, out: Path, key: str, notebooks: list[str]) -> None:
    """Keep the staging folder's files as they are now (after `notebooks`, the ones a re-run may
    skip: review.runner.run.REUSABLE_NOTEBOOKS) as the cache for `key`, replacing any older cache. Written beside and
    renamed into place, so a killed run leaves no half-written cache that looks whole."""
    final = cache_dir(out)
    building = final.with_name(final.name + ".tmp")
    shutil.rmtree(building, ignore_errors=True)
    files = {}
    for relative in _cached_files(staging):
        target = building / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(staging / relative, target)
        files[relative.as_posix()] = sha256_file(target)
    artifacts.write_json(building / ENTRY, {"format": FORMAT, "key": key, "notebooks": list(notebooks), "files": files})
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    building.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def restore(out: Path, key: str, staging: Path) -> CacheState:
    """Copy a valid cache for `key` into the staging folder. Anything wrong with the cache (no
    cache, another key, a missing or changed file) gives a "miss" with the reason, removes the
    bad cache and copies nothing that could be trusted by mistake."""
    state = CacheState(key)
    folder = cache_dir(out)
    entry_path = folder / ENTRY
    if not entry_path.exists():
        state.reason = "no cache yet"
        return state
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        files = entry["files"]
    except (OSError, ValueError, KeyError, TypeError):
        state.reason = "the cache record is unreadable"
        shutil.rmtree(folder, ignore_errors=True)
        return state
    if entry.get("format") != FORMAT or entry.get("key") != key:
        changed = _changed_parts(str(entry.get("key", "")), key) or ["the key"]
        state.reason = "changed since the cached run: " + ", ".join(changed)
        return state
    for relative, expected in files.items():
        path = folder / "files" / relative
        if not path.is_file() or sha256_file(path) != expected:
            state.reason = f"cached file {relative} is missing or changed"
            shutil.rmtree(folder, ignore_errors=True)
            return state
    for relative in files:
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "files" / relative, target)
    state.status = "hit"
    state.reused = list(entry["notebooks"])
    return state


def refresh_register(year: int, config_path: str | None, output_dir: str | os.PathLike) -> None:
    """Apply the decisions file and last year's register again to the data folder's own
    register, as the data-quality stage does (review.evidence.pipeline.ingest_stage), and record the
    files used in artifacts/ingest.json: the one part of that stage that reads the decisions."""
    import pandas as pd

    from review.evidence.pipeline import DATA_REGISTER, parse_params
    from review.evidence.register import prepare

    config = parse_params(year, config_path)
    out = Path(output_dir)
    data_register = pd.read_parquet(out / DATA_REGISTER)
    tables, inputs = prepare({"recommendations": data_register}, config, Path(config_path) if config_path else None, out)
    artifacts.write_frame(out / "canonical" / "recommendations.parquet", tables["recommendations"])
    ingest_path = out / "artifacts" / "ingest.json"
    ingest = artifacts.read_json(ingest_path)
    ingest["register"] = inputs.as_record()
    artifacts.write_json(ingest_path, ingest)

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
  answered from a cache of the old one;
- the versions of the installed libraries that shape the outputs (LIBRARIES): an upgraded pandas
  or DuckDB could compute another figure from the same data.

The decisions file is deliberately not in the key: the run applies it again to the data
folder's own register (kept as artifacts/data-register.parquet), exactly as the data-quality
stage does, and re-runs P6 and the report, which read it.

A cache is never trusted: every cached file's checksum is checked before use, and a missing or
changed file, or a different key, means a full run (which writes a fresh cache). The published
outputs of a run that reused the cache are the same, byte for byte, as a full run's.

A re-run with nothing changed at all goes further: it reuses the published outputs whole, with
no kernel started (`unchanged`). The manifest of every run with the cache records `run_digest`, a digest of
everything the outputs depend on (the cache key's parts, plus the templates folder and the
decisions file's checksum: RunInputs), and the checksum of every file the run published. When
the next run's digest is the same, and every recorded file is there with the same checksum and
no other file has been added, there is nothing to do. This check runs before pandas, papermill
or any kernel is started, so this module imports only light modules at its top (pandas and the
artifacts are imported inside the functions that need them), and finds the decisions file, last
year's register and the pseudonymisation key through the light modules the stages use
(review.config, review.inputs.pseudonym_key).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from review import __version__
from review.checksums import sha256_file, sha256_files
from review.runner.outdir import MARKER
from review.config import decisions_path, previous_register_path
from review.paths import PACKAGE_DIR, TEMPLATE_DIR

FORMAT = 2  # bump when the layout or the key changes
# The installed libraries whose version can change a published byte: the tables and figures
# (pandas, numpy, pyarrow, DuckDB, Spark, pandera, pydantic for the config, PyYAML), the
# executed notebooks and their HTML copies, the charts, the PDF and the workbook.
LIBRARIES = (
    "pandas", "numpy", "pyarrow", "duckdb", "pyspark", "pandera", "pydantic", "pyyaml", "papermill",
    "nbformat", "nbconvert", "nbclient", "ipykernel", "matplotlib", "jinja2", "markupsafe", "weasyprint",
    "pydyf", "fonttools", "textstat", "openpyxl", "xlsxwriter",
)
MANIFEST = "manifest.json"
UNCHANGED = "unchanged"  # CacheState.status of a run that reused the published outputs whole
ENTRY = "entry.json"
# per-run records, not products; the marker is the staging folder's own (review.runner.outdir)
_SKIP = {Path("artifacts") / "timings", Path(MARKER)}


@dataclass
class CacheState:
    """What a run did with the cache, for the manifest and the CLI."""

    key: str
    status: str = "miss"  # "hit"; "miss", then "saved" once the run wrote a new cache; "off"; UNCHANGED
    reason: str = ""  # why a cache was not used (missing, different key, a changed file)
    reused: list[str] = field(default_factory=list)  # notebooks not run again
    outputs: str = ""  # why the published outputs were not reused whole (or, UNCHANGED, why they were)

    def as_dict(self) -> dict:
        return {"status": self.status, "key": self.key, "reason": self.reason, "reused_notebooks": self.reused,
                "outputs": self.outputs}


def cache_dir(out: Path) -> Path:
    return Path(out).parent / f".{Path(out).name}.cache"


def _tree(folder: Path, pattern: str = "*") -> list[Path]:
    """The files under `folder` matching `pattern`, in a fixed order, caches of Python left out."""
    return sorted(p for p in Path(folder).rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def _files_digest(folder: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def code_digest(notebook_dir: Path) -> str:
    """One checksum over the package's files (its Python, and the files beside it the code reads)
    and the run's notebooks."""
    notebook_dir = Path(notebook_dir)
    package = [p for p in _tree(PACKAGE_DIR) if p.suffix not in {".pyc", ".pyo"}]
    return _digest([_files_digest(PACKAGE_DIR, package), _files_digest(notebook_dir, sorted(notebook_dir.glob("*.ipynb")))])


def templates_digest(folder: Path = TEMPLATE_DIR) -> str:
    """One checksum over the report's templates, styles, fonts and assets (the force's logo)."""
    return _files_digest(Path(folder), _tree(folder))


def library_versions() -> dict[str, str | None]:
    """Python's version and each of LIBRARIES' installed version (None: not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def data_files(data_dir: Path) -> list[dict]:
    """Every file in the data folder (hidden files too: the reader may read them), with its
    checksum; the same listing in the same order for the same folder."""
    data_dir = Path(data_dir)
    paths = [p for p in sorted(data_dir.rglob("*")) if p.is_file()]
    return [
        {"path": p.relative_to(data_dir).as_posix(), "bytes": p.stat().st_size, "sha256": sha}
        for p, sha in zip(paths, sha256_files(paths))
    ]


def key_payload(data_dir: Path, config, config_path: Path | None, params: dict, previous_register: Path | None,
                notebook_dir: Path, hash_data: bool = True) -> dict:
    """Everything the reusable stages read (see the module docstring), hashed; without
    `hash_data`, the data files are left for later (RunInputs.hash_data)."""
    return {
        "format": FORMAT,
        "review_version": __version__,
        "code": code_digest(notebook_dir),
        "libraries": library_versions(),
        "data": {"folder": str(Path(data_dir).resolve()), "files": data_files(data_dir) if hash_data else None},
        "config": {"file": sha256_file(config_path) if config_path else None, "parsed": config.model_dump(mode="json")},
        "params": {k: v for k, v in sorted(params.items()) if k != "output_dir"},
        "previous_register": sha256_file(previous_register) if previous_register else None,
        "pseudonym_key": pseudonym_key_digest(),
    }


def compute_key(
    data_dir: Path, config, config_path: Path | None, params: dict, previous_register: Path | None, notebook_dir: Path
) -> str:
    """The key of everything the reusable stages read (see the module docstring)."""
    return _key(key_payload(data_dir, config, config_path, params, previous_register, notebook_dir), KEY_PARTS)


# The parts of the key named in it, so that a miss can say what changed.
KEY_PARTS = ("code", "libraries", "data", "config", "params", "previous_register", "pseudonym_key")
# The parts of a run's digest (RunInputs): the key's, and what only the recommendations and the
# report read.
RUN_PARTS = KEY_PARTS + ("templates", "decisions")


def _key(payload: dict, parts: tuple[str, ...]) -> str:
    return _digest(payload) + "." + ".".join(f"{part}={_digest(payload[part])[:12]}" for part in parts)


def pseudonym_key_digest() -> str | None:
    """A one-way digest of the pseudonymisation key, never the key: a new key changes every
    pseudonym in the canonical tables, so it must change the key. Found by the data-quality
    stage's rule (review.inputs.pseudonym_key); None when there is none. A key too short is
    digested too: the data-quality stage refuses it, if it needs one."""
    from review.inputs.pseudonym_key import key_text

    found = key_text()
    if found is None:
        return None
    return hashlib.sha256(b"policy-review cache key|" + found[0].encode("utf-8")).hexdigest()


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _changed_parts(old: str, new: str) -> list[str]:
    parts = lambda key: dict(p.split("=", 1) for p in key.split(".")[1:] if "=" in p)  # noqa: E731
    before, after = parts(old), parts(new)
    return [part for part in dict.fromkeys([*after, *before]) if before.get(part) != after.get(part)]


@dataclass
class RunInputs:
    """Everything a run's outputs depend on, read and hashed once at the start of the run: the
    cache key's parts (key_payload), the templates and the decisions file. `key` is the cache's
    key (no decisions in it); `digest` is the whole run's, recorded in the manifest."""

    payload: dict
    templates: str
    decisions: str | None
    data_dir: Path
    decisions_path: Path | None = None
    previous_register: Path | None = None
    why: str = ""  # why the published outputs were not reused whole (review.runner.run)
    changed: list[str] = field(default_factory=list)  # the parts changed since the last run (unchanged())

    @classmethod
    def read(cls, data_dir: Path, config, config_path: Path, params: dict, out: Path,
             notebook_dir: Path, hash_data: bool = True) -> RunInputs:
        """Without `hash_data`, everything but the data files, whose checksums (most of the
        time here) wait for hash_data(): a run that finds another part changed starts its
        first kernel before hashing them."""
        config_path = Path(config_path).resolve()
        decisions = decisions_path(config, config_path)
        previous = previous_register_path(config, config_path, out, must_exist=False)
        if previous is not None and not previous.is_file():
            previous = None  # named in the config but missing: the run says so
        payload = key_payload(data_dir, config, config_path, params, previous, notebook_dir, hash_data)
        return cls(payload=payload, templates=templates_digest(),
                   decisions=sha256_file(decisions) if decisions is not None and decisions.is_file() else None,
                   data_dir=Path(data_dir), decisions_path=decisions, previous_register=previous)

    def hash_data(self) -> None:
        if self.payload["data"]["files"] is None:
            self.payload["data"]["files"] = data_files(self.data_dir)

    @property
    def key(self) -> str:
        self.hash_data()
        return _key(self.payload, KEY_PARTS)

    @property
    def digest(self) -> str:
        self.hash_data()
        return self._digest()

    def _digest(self) -> str:
        return _key(self.payload | {"templates": self.templates, "decisions": self.decisions}, RUN_PARTS)

    @property
    def evidence_likely_reused(self) -> bool:
        """Whether the last run's checked data and clause evidence will probably be reused: only
        what the recommendations and the report read (the decisions, the templates) changed, as
        far as is known before the data files are hashed. A guess, for starting the right kernels
        first; what is reused is decided by the cache's key (restore)."""
        return bool(self.changed) and not set(self.changed) & set(KEY_PARTS)

    def changed_since(self, recorded: str) -> list[str]:
        """The parts changed since a run with digest `recorded`, the data's only once hashed: a
        change found elsewhere is reason enough to run, without hashing them first."""
        hashed = self.payload["data"]["files"] is not None
        changed = _changed_parts(recorded, self._digest())
        return changed if hashed else [part for part in changed if part != "data"]


def published_files(folder: Path) -> list[str]:
    """Every file a run published into `folder` (links too, not followed), as relative POSIX
    paths: all but the manifest, which records the others, and the folder's marker
    (review.runner.outdir), which lists them."""
    found = []
    for top, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            found.append(Path(os.path.join(top, name)).relative_to(folder).as_posix())
    return sorted(f for f in found if f not in {MANIFEST, MARKER})


def published_checksums(folder: Path) -> dict[str, str]:
    """Each published file's checksum (published_files), for the manifest."""
    names = published_files(folder)
    return dict(zip(names, sha256_files(Path(folder) / n for n in names)))


def unchanged(out: Path, inputs: RunInputs) -> tuple[bool, str]:
    """Whether `out` holds, whole and untouched, the outputs of a run of the same `inputs`:
    (True, why) or (False, what differs), checked from its manifest without reading anything
    else of the run's. The data files are hashed only when nothing else has changed."""
    try:
        manifest = json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False, "no earlier outputs"
    except (OSError, ValueError):
        return False, "the last run's manifest.json is unreadable"
    recorded, files = (manifest.get("run_digest"), manifest.get("outputs")) if isinstance(manifest, dict) else (None, None)
    if not isinstance(recorded, str) or not isinstance(files, dict):
        return False, "the last run recorded no digest of its inputs (it ran with --no-cache or without a config file)"
    changed = inputs.changed_since(recorded)
    if not changed and recorded != inputs.digest:
        changed = inputs.changed_since(recorded) or ["the digest's format"]
    inputs.changed = changed
    if changed:
        return False, "changed since the last run: " + ", ".join(changed)
    found = published_files(out)
    missing = sorted(set(files) - set(found))
    if missing:
        return False, f"a published file is missing: {_some(missing)}"
    extra = sorted(set(found) - set(files))
    if extra:
        return False, f"a file was added to the outputs: {_some(extra)}"
    names = sorted(files)
    links = [n for n in names if os.path.islink(Path(out) / n)]
    if links:
        return False, f"a published file was replaced by a link: {_some(links)}"
    sums = sha256_files(Path(out) / n for n in names)
    edited = [n for n, sha in zip(names, sums) if sha != files[n]]
    if edited:
        return False, f"a published file was changed: {_some(edited)}"
    return True, (f"nothing changed since the last run (data, config, decisions, last year's register, code, "
                  f"templates and libraries), and its {len(names)} published files are as it wrote them")


def _some(names: list[str], shown: int = 3) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


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
    from review.runner import artifacts

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
    from review.runner import artifacts
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

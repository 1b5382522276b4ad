"""Seeded synthetic sample data: two years of a fictional force's social media, for demos,
tests and benchmarks.

`generate_sample(size, year, seed)` returns one frame per canonical table (exactly the
contract's columns and dtypes) for the calendar years `year - 1` and `year`, so year-on-year
comparisons have something to compare. `write_sample` writes them as canonical CSVs plus a
`SYNTHETIC.json` marker, byte-identical for the same seed. `build_sample` does both in one pass
and streams the contacts, which is how size L (about 31 million contacts) fits in memory;
`python -m review.inputs.sample --size S --year 2025 --out data/sample` runs it. One module per
table or group of tables (`posts`, `contacts`, `incidents`, `audience`, `registers`) on `world` (the
invented force and its accounts), `text` and `hours`; this module puts them together and writes them.

The force is "Northshire Police", invented. Size L models a national review of 43 invented
forces; their names appear in `owner_unit` and handles, never in an extra column.

Decisions worth knowing (they shape what the report will show):
- Every table draws from its own random stream (`default_rng([seed, stream, ...])`), so changing
  one table's recipe does not reshuffle the others.
- Timestamps are whole seconds. Nothing is dated after 31 December of `year`: a reply that would
  land after it is left empty (still open at export), as is a critical incident still running.
- Platform quirks, kept consistent: X, Nextdoor, YouTube, LinkedIn, TikTok and the blog ("Other") report
  no reach per post, as their real exports do;
  Nextdoor reports no shares or link clicks; Instagram, YouTube and TikTok report no link clicks;
  the blog reports no shares. `engagements` is the sum of the reported parts (a missing part
  counts as zero). `video_views` is set only for video posts.
- Year on year: more posts (+7%) and contacts (+8%), higher impressions per post, better alt
  text and captions, less jargon, fewer lower-case hashtags, faster replies in staffed hours
  and slower ones out of hours (less overnight cover).
- Response model: in staffed hours (the config default, 08:00-20:00 Europe/London) a reply takes
  minutes (lognormal, median about 25-30); out of hours most messages wait for the desk to open,
  a share is picked up by overnight cover. Neighbourhood and specialist pages answer slower, and a
  dormant page mostly not at all.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from review.checksums import sha256_files
from review.errors import ReviewError
from review.inputs.contracts import TABLES
from review.inputs.raw import sha256_of
from review.inputs.sample.audience import _audience, _audience_demographics, _population
from review.inputs.sample.contacts import _contacts, _iter_contact_chunks
from review.inputs.sample.incidents import _critical_incidents, _incidents
from review.inputs.sample.posts import _posts
from review.inputs.sample.registers import _compliance_checks, _recommendations, _training
from review.inputs.sample.world import GENERATOR, SIZES, SizeSpec, _CSV_CHUNK_ROWS, _build_world

# The years a sample can be made for. The invented accounts open in fixed years up to 2021
# (Nextdoor), so every one is open before the review year from 2022; training certificates run
# two years on, and validation rejects dates after review.inputs.validate.LATEST (2100).
SAMPLE_YEARS = range(2022, 2098 + 1)


def check_sample_year(year: int) -> None:
    if year not in SAMPLE_YEARS:
        raise ReviewError(f"--year {year}: the sample can be made for {SAMPLE_YEARS[0]} to {SAMPLE_YEARS[-1]} "
                          f"(its invented accounts open in fixed years up to {SAMPLE_YEARS[0] - 1})")


def _generate(size: str | SizeSpec, year: int, seed: int, *, with_contacts: bool,
              force: int = 0) -> tuple[dict[str, pd.DataFrame], object]:
    """Every table but (optionally) contacts, plus a callable that yields the contacts a month at a time.

    `size` is a name in SIZES or a SizeSpec of one's own (review.outputs.national varies the volumes per
    force); `force` is the index in _FORCES of the first force generated."""
    if not isinstance(size, SizeSpec) and size not in SIZES:
        raise ValueError(f"unknown sample size {size!r}; choose one of {', '.join(SIZES)}")
    check_sample_year(year)
    world = _build_world(size if isinstance(size, SizeSpec) else SIZES[size], year, seed, first_force=force)
    critical, ci_posts = _critical_incidents(world)
    tables = {
        "accounts": world.acc,
        "posts": _posts(world, ci_posts),
        "audience": _audience(world),
        "incidents": _incidents(world),
        "critical_incidents": critical,
        "compliance_checks": _compliance_checks(world),
        "training": _training(world),
        "recommendations": _recommendations(world),
        "audience_demographics": _audience_demographics(world),
        "population": _population(world),
    }
    # The team's register of which posts answered which critical incident (platform exports carry
    # no incident id; review.evidence.metrics.incidents.link_posts reads this register).
    linked = tables["posts"][tables["posts"]["critical_incident_id"].notna()]
    tables["incident_posts"] = linked[["post_id", "critical_incident_id"]]
    if with_contacts:
        tables["contacts"] = _contacts(world, critical)
    out = {name: _conform(name, tables[name]) for name in TABLES if name in tables}
    return out, lambda: (_conform("contacts", chunk) for chunk in _iter_contact_chunks(world, critical))


def _conform(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Exactly the contract's columns, in order, with text as pandas `str`."""
    frame = frame[TABLES[name].columns].reset_index(drop=True)
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype("str")
    return frame


def generate_sample(size: str | SizeSpec, year: int, seed: int = 2025, *, force: int = 0) -> dict[str, pd.DataFrame]:
    """Return one frame per canonical table for `year - 1` and `year`, seeded and synthetic.

    Each frame has exactly its contract's columns, in contract order and dtype, and passes
    `TABLES[name].model.validate`. Same arguments, same frames. Size L holds about 31 million
    contacts in memory (about 5 GB in all); to write size L to disk use `build_sample`, which
    streams the contacts a month at a time. `force` (an index into the 43 invented forces, 0 for
    Northshire) names a one-force sample after another force.
    """
    tables, _ = _generate(size, year, seed, with_contacts=True, force=force)
    return tables


def _csv_column(s: pd.Series) -> pd.Series:
    """One column as the text the CSV holds: ISO UTC timestamps, dates, true/false, plain integers."""
    empty = s.isna().to_numpy()
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        values = np.datetime_as_string(s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("M8[s]"), unit="s")
        values = np.strings.add(values, "Z")
    elif pd.api.types.is_datetime64_dtype(s.dtype):
        values = np.datetime_as_string(s.to_numpy("M8[D]"), unit="D")
    elif isinstance(s.dtype, pd.BooleanDtype):
        values = np.where(s.fillna(False).to_numpy(bool), "true", "false")
    elif pd.api.types.is_integer_dtype(s.dtype):
        values = s.fillna(0).to_numpy("int64").astype(str)
    else:
        return s
    return pd.Series(np.where(empty, None, values.astype(object)), index=s.index, dtype="str")


def _write_csv(frames, path: Path, columns: list[str]) -> None:
    """Write frames one after another as one CSV, a bounded number of rows at a time. The bytes
    do not depend on how the rows were split into frames."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(columns) + "\n")
        for frame in frames:
            frame = frame[columns]
            for lo in range(0, len(frame), _CSV_CHUNK_ROWS):
                chunk = frame.iloc[lo : lo + _CSV_CHUNK_ROWS]
                text = pd.DataFrame({c: _csv_column(chunk[c]) for c in chunk.columns})
                text.to_csv(fh, index=False, header=False, lineterminator="\n", na_rep="")


MARKER = "SYNTHETIC.json"
MARKER_FORMAT = 2  # 2: the marker lists the checksum of every file the generator wrote


def _write_marker(out_dir: Path, written: list[Path], *, size: str, year: int, seed: int) -> Path:
    """SYNTHETIC.json, written last: what made the folder and the SHA-256 of each file it wrote,
    so that `proven_sample` can tell this folder from real data with a copied marker."""
    marker = out_dir / MARKER
    meta = {"synthetic": True, "generator": GENERATOR, "format": MARKER_FORMAT, "size": size, "year": year,
            "seed": seed, "files": {p.name: sha256_of(p) for p in written}}
    marker.write_text(json.dumps(meta, sort_keys=True, indent=2) + "\n", encoding="utf-8", newline="\n")
    return marker


def proven_sample(folder: Path, table_files: list[Path]) -> tuple[dict | None, str | None]:
    """Whether `folder` is the generator's sample, untouched: returns (marker, None) when it is,
    else (None, why not); why is None when there is no marker at all.

    The sample's person values are hashed with the published sample key and its paper is marked
    SAMPLE DATA, so the marker must prove itself, never be taken on its word: it must be this
    generator's (format, `synthetic: true`), and `table_files` (every table file read from the
    folder) must be exactly the files it lists, each with the checksum it records. A marker
    copied beside real data, an edited or added file, an empty or `false` marker: real data.
    """
    path = Path(folder) / MARKER
    if not path.is_file():
        return None, None
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        return None, f"{path}: not a marker the sample generator wrote ({type(exc).__name__}: {exc})"
    if not (isinstance(marker, dict) and marker.get("synthetic") is True and marker.get("generator") == GENERATOR
            and marker.get("format") == MARKER_FORMAT and isinstance(marker.get("files"), dict)):
        return None, (f"{path}: not a marker this version of the sample generator wrote (it must say synthetic: true "
                      "and list the checksum of every file it wrote)")
    listed = {str(name): str(digest) for name, digest in marker["files"].items()}
    read = {p.relative_to(folder).as_posix(): p for p in map(Path, table_files)}
    if set(read) - set(listed):
        return None, f"{path}: the folder holds {', '.join(sorted(set(read) - set(listed)))}, which the generator did not write"
    missing = sorted(set(listed) - set(read))
    if missing:
        return None, f"{path}: lists {missing[0]}, which is not in the folder"
    names = sorted(listed)
    for name, digest in zip(names, sha256_files(read[name] for name in names)):  # side by side
        if digest != listed[name]:
            return None, f"{path}: {name} is not the file the generator wrote (its checksum differs)"
    return marker, None


def write_sample(
    tables: dict[str, pd.DataFrame], out_dir: Path, *, size: str, year: int, seed: int
) -> list[Path]:
    """Write `<table>.csv` for each table and `SYNTHETIC.json`; return the paths written.

    UTF-8, `\\n` line endings, the canonical header, ISO 8601 UTC timestamps (`...T17:05:00Z`),
    dates as `YYYY-MM-DD`, `true`/`false`, integers without decimals, empty fields for nulls.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in TABLES.items():
        path = out_dir / f"{name}.csv"
        _write_csv([tables[name]], path, table.columns)
        paths.append(path)
    paths.append(_write_marker(out_dir, paths, size=size, year=year, seed=seed))
    return paths


def build_sample(size: str, year: int, out_dir: Path, *, seed: int = 2025) -> list[Path]:
    """Generate and write a sample in one pass, streaming the contacts a month at a time.

    The files are byte-identical to `write_sample(generate_sample(size, year, seed), ...)`, but
    the contacts never all sit in memory, so size L fits in about 3 GB.
    """
    tables, contact_chunks = _generate(size, year, seed, with_contacts=False)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in TABLES.items():
        path = out_dir / f"{name}.csv"
        _write_csv(contact_chunks() if name == "contacts" else [tables[name]], path, table.columns)
        paths.append(path)
    paths.append(_write_marker(out_dir, paths, size=size, year=year, seed=seed))
    return paths


def main(argv: list[str] | None = None) -> None:
    """`python -m review.inputs.sample --size S --year 2025 --out data/sample`"""
    parser = argparse.ArgumentParser(description="Write seeded synthetic sample data (two calendar years).")
    parser.add_argument("--size", choices=list(SIZES), default="S")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from review.runner import outdir  # the one rule for outputs: replace only a sample folder this wrote

    for path in outdir.build(args.out, "sample", lambda staging: build_sample(args.size, args.year, staging, seed=args.seed)):
        print(args.out / path.name)

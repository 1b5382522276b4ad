"""What a data folder is not: a year's folder as `review init` makes it. Standard library only,
so that `review run` refuses one before pandas is imported and its first kernel is started."""

from __future__ import annotations

from pathlib import Path

from review.errors import ReviewError

# What `review ingest` writes beside its checked tables (review.inputs.ingest): its report.
INGEST_REPORT = "ingest-report.json"


def refuse_year_folder(folder: Path) -> None:
    """A year's folder (as `review init` makes it: config.yml beside inputs/, and the checked/
    folder ingest wrote) is not a data folder: read whole, ingest's own rejected-rows.csv would be
    refused as an unknown table. Say which of its folders to give instead."""
    checked = sorted(p.parent for p in folder.glob(f"*/{INGEST_REPORT}"))
    inputs = folder / "inputs"
    if not checked and not (inputs.is_dir() and (folder / "config.yml").is_file()):
        return
    use = [f"{c} (as review ingest checked them)" for c in checked] + ([f"{inputs} (as they came)"] if inputs.is_dir() else [])
    raise ReviewError(f"{folder}: this is a year's folder, not a folder of data files; give the files {' or '.join(use)}")

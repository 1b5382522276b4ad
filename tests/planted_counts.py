"""One real review run over the size S sample with a year of few conduct cases in every breakdown.

Shared by tests/test_small_counts.py (cached for the session, like tests/sample_run.py):
`review sample --size S`, then incidents.csv replaced by the plan below, then the real
`review run`. The review year has 16 cases: 1 to 4 in every category, severity, outcome, capacity
and role cell, some cells 0; 4 discrimination cases; 2 still open. The year before has 7 cases, 5
of them from personal use, so the work-capacity rest (2) is small and must not be worked out by
subtraction. Every count of 1-4 that a reader could see or work out is a plant.
"""

from __future__ import annotations

import atexit
import csv
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sample_run import ROOT, YEAR, SampleRun, generate, review_run

HEADER = ["incident_id", "opened_date", "closed_date", "category", "capacity", "severity", "role", "outcome"]
# (category, capacity, severity, role, outcome) for each case of the review year.
PLAN = [
    ("inappropriate_content", "work", "low", "officer", "no_further_action"),
    ("inappropriate_content", "work", "low", "staff", "management_action"),
    ("inappropriate_content", "personal", "medium", "officer", "reflective_practice"),
    ("inappropriate_content", "personal", "low", "volunteer", "written_warning"),
    ("disclosure_of_information", "work", "high", "officer", "final_written_warning"),
    ("disclosure_of_information", "work", "low", "staff", "dismissal"),
    ("disclosure_of_information", "personal", "low", "special_constable", "resigned_or_retired"),
    ("harassment_or_abuse", "personal", "medium", "officer", "open"),
    ("harassment_or_abuse", "personal", "low", "staff", "no_further_action"),
    ("discriminatory_content", "personal", "high", "officer", "management_action"),
    ("discriminatory_content", "personal", "low", "officer", "reflective_practice"),
    ("discriminatory_content", "work", "medium", "staff", "open"),
    ("discriminatory_content", "personal", "low", "volunteer", "written_warning"),
    ("political_activity", "personal", "low", "officer", "final_written_warning"),
    ("misuse_of_force_account", "work", "medium", "staff", "dismissal"),
    ("other", "personal", "high", "officer", "resigned_or_retired"),
]
PRIOR = [  # the year before: 7 cases, 5 personal, none open, none about discrimination
    ("inappropriate_content", "personal", "low", "officer", "no_further_action"),
    ("inappropriate_content", "personal", "low", "staff", "management_action"),
    ("harassment_or_abuse", "personal", "medium", "officer", "reflective_practice"),
    ("other", "personal", "low", "officer", "written_warning"),
    ("political_activity", "personal", "low", "staff", "no_further_action"),
    ("disclosure_of_information", "work", "high", "officer", "management_action"),
    ("misuse_of_force_account", "work", "low", "staff", "no_further_action"),
]


@dataclass(frozen=True)
class PlantedCounts(SampleRun):
    """A sample run whose conduct cases are the plan above."""


def incident_rows() -> list[list[str]]:
    rows = []
    for year, plan in ((YEAR, PLAN), (YEAR - 1, PRIOR)):
        for n, (category, capacity, severity, role, outcome) in enumerate(plan, start=1):
            opened = f"{year}-{1 + n % 11:02d}-{10 + n % 15:02d}"
            closed = "" if outcome == "open" else f"{year}-12-{15 + n % 10:02d}"
            rows.append([f"PSD-{year}-P{n:03d}", opened, closed, category, capacity, severity, role, outcome])
    return rows


@functools.cache
def planted_counts() -> PlantedCounts:
    """Generate, plant and run once per session; the folder is removed at exit."""
    base = Path(tempfile.mkdtemp(prefix="policy-review-counts-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    data, out = base / "data", base / "reports" / str(YEAR)
    config = ROOT / "config" / f"{YEAR}.yml"
    generate(data)
    with (data / "incidents.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([HEADER, *incident_rows()])
    review_run(data, out, config)
    return PlantedCounts(base=base, data=data, config=config, out=out)

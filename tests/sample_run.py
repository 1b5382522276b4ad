"""One real review run on the seeded sample, shared by the report tests in a pytest session.

`sample_run()` runs `review sample --size S` and `review run` once (about 15 seconds) with the
year's config plus the placeholder crest as the force's logo, and returns the output folder.
Later calls in the same session return the same folder, so the PDF, browser and plain-English
tests pay for one run between them. The folder is removed when the session ends.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
LOGO = "crest.svg"
REVIEW = [sys.executable, "-m", "review.cli"]


@dataclass(frozen=True)
class SampleRun:
    base: Path  # the temporary folder holding everything below
    data: Path  # the sample CSVs
    config: Path  # the config used: config/2025.yml with force.logo set
    out: Path  # the run's output folder (reports/2025 in a real project)

    @property
    def pdf(self) -> Path:
        return self.out / f"annual-review-{YEAR}.pdf"

    @property
    def html(self) -> Path:
        return self.out / f"annual-review-{YEAR}.html"

    @property
    def workbook(self) -> Path:
        return self.out / f"metrics-{YEAR}.xlsx"


@functools.cache
def sample_run(size: str = "S") -> SampleRun:
    """Run the whole review once on a seeded sample of `size`; the result is cached per session."""
    base = Path(tempfile.mkdtemp(prefix=f"policy-review-{size}-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    raw = yaml.safe_load((ROOT / "config" / f"{YEAR}.yml").read_text(encoding="utf-8"))
    raw.setdefault("force", {})["logo"] = LOGO
    config = base / f"{YEAR}.yml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    data, out = base / "data", base / "reports" / str(YEAR)
    generate(data, size)
    review_run(data, out, config)
    return SampleRun(base=base, data=data, config=config, out=out)


def generate(data: Path, size: str = "S") -> None:
    """`review sample`: the seeded synthetic year into `data`."""
    subprocess.run([*REVIEW, "sample", "--size", size, "--year", str(YEAR), "--out", str(data)],
                   check=True, capture_output=True, cwd=ROOT)  # fmt: skip


def review_run(data: Path, out: Path, config: Path) -> subprocess.CompletedProcess:
    """The real `review run` command; a failed run raises with the end of its output."""
    done = subprocess.run(
        [*REVIEW, "run", "--data", str(data), "--year", str(YEAR), "--out", str(out), "--config", str(config)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"review run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done

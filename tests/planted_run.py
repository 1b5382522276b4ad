"""One real review run over the size S sample with hostile text and people's names planted in it.

Shared by tests/test_privacy.py and tests/test_security.py (cached for the session, like
tests/sample_run.py): `review sample --size S`, then the plants below, then the real
`review run` command. Planted:

* names in the person column (training.person_ref), in extra columns a register should not carry
  (incidents: officer name, free-text notes; contacts: sender, message body);
* posts whose text is HTML, a script, CSS, `file://` and `http://` references and a spreadsheet
  formula, with the most impressions of the year so they land in the report's top posts table;
* a post whose text holds control characters: NULs, terminal escapes, a bidirectional override;
* a rejected row whose bad cell starts a formula (for rejected-rows.csv);
* account and critical incident names starting with each formula trigger (for the workbook);
* a missing-person appeal naming a child, the post shown most often of the year.
"""

from __future__ import annotations

import atexit
import csv
import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sample_run import REVIEW, ROOT, YEAR, SampleRun

# Names no generator or template would write; each must appear nowhere in the outputs.
PERSON_NAMES = ["Zebedee Quartermaine-Fotheringay", "Ophelia Wintergreen-Stroud"]
OFFICER_NAME = "Barnaby Quillfeather"
NOTE = "Complaint from Marigold Thistlewood-Pryce about a post"
SENDER = "Peregrine Ashworth-Blenkinsop"
MESSAGE = "Hello, my name is Cordelia Farnsworth-Vane and my address is 12 Acacia Avenue"
PLANTED_NAMES = [*PERSON_NAMES, OFFICER_NAME, "Thistlewood-Pryce", SENDER, "Farnsworth-Vane", "Acacia Avenue"]

# Each at most 89 characters: the top posts table cuts longer text.
HOSTILE_POSTS = {
    "hostile-script": "<script>alert('planted-script')</script> Road closure update",
    "hostile-img": '<img src="file:///etc/passwd" alt="planted-img"> Road closure',
    "hostile-link": '<link rel="stylesheet" href="http://127.0.0.1:9/planted.css"> Update',
    "hostile-style": '<style>@import url("http://127.0.0.1:9/i.css");body{display:none}</style>',
    "hostile-attr": '" onmouseover="alert(1)" data-planted="x',
    "hostile-formula": '=HYPERLINK("http://127.0.0.1:9/planted","Click for details")',
}
FORMULA_VALUE = "=cmd|' /C calc'!A0"
# A missing-person appeal (name and age of a child), the post shown most often of the year: by
# default no output may reprint its words (config content.withhold_text).
APPEAL_NAME, APPEAL_AGE = "Tobias Wrenfield-Ashdown", "aged 14"
APPEAL = f"MISSING: have you seen {APPEAL_NAME}, {APPEAL_AGE}? Last seen in Northtown"
# Names that a spreadsheet would run, one per formula trigger: accounts (the channel view lists
# every account) and the year's critical incidents (the P2 table lists each), so each reaches the
# workbook. No "planted" in them: they are rightly in the charts' alt text too.
FORMULA_ACCOUNT_NAMES = ['=HYPERLINK("https://example.invalid/x","Formula")', "+Formula plus", "-Formula minus",
                         "@Formula at"]
# Ingest strips the tab (a carriage return inside a quoted field splits the row at ingest, and is
# left to tests/test_workbook.py and the CSV tests of tests/test_security.py).
FORMULA_INCIDENT_NAMES = ["\t=Formula tab"]
FORMULA_NAMES = FORMULA_ACCOUNT_NAMES + FORMULA_INCIDENT_NAMES
# Control characters in post text (issue 15): NULs, a terminal escape, a bidirectional override.
CONTROL_POSTS = {
    "hostile-controls": "Road closure\x00\x00 on the A1 \x1b[2J\x1b[31m \u202eLAICIFFO\u202c diversion in place",
}


@dataclass(frozen=True)
class PlantedRun(SampleRun):
    """A sample run over planted data, with the run's own output (for its messages)."""

    result: subprocess.CompletedProcess


def _rewrite(path: Path, change) -> None:
    """Read a CSV as rows of text, let `change(header, rows)` edit them in place, write it back."""
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    change(header, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def plant(data: Path) -> None:
    """Add the names and hostile text above to a sample folder."""

    def training(header, rows):
        i = header.index("person_ref")
        rows[0][i], rows[1][i], rows[2][i] = PERSON_NAMES[0], PERSON_NAMES[1], PERSON_NAMES[0].upper()

    def incidents(header, rows):
        header += ["officer_name", "notes"]
        for n, row in enumerate(rows):
            row += [OFFICER_NAME, NOTE] if n < 3 else ["", ""]

    def contacts(header, rows):
        header += ["sender", "message"]
        for n, row in enumerate(rows):
            row += [SENDER, MESSAGE] if n % 1000 == 0 else ["", ""]

    def accounts(header, rows):
        i = header.index("name")
        for row, name in zip(rows, FORMULA_ACCOUNT_NAMES, strict=False):
            row[i] = name

    def critical_incidents(header, rows):
        i, when = header.index("name"), header.index("declared_at")
        for row, name in zip([r for r in rows if r[when].startswith(str(YEAR))], FORMULA_INCIDENT_NAMES, strict=False):
            row[i] = name

    def posts(header, rows):
        template = dict(zip(header, next(r for r in rows if r[header.index("published_at")].startswith(str(YEAR)))))
        appeal = template | {"post_id": "planted-appeal", "text": APPEAL, "impressions": "95000000",
                             "published_at": f"{YEAR}-05-02T09:00:00Z"}
        rows.append([appeal[c] for c in header])
        for n, (post_id, text) in enumerate((HOSTILE_POSTS | CONTROL_POSTS).items()):
            row = template | {"post_id": post_id, "text": text, "impressions": str(90_000_000 - n),
                              "published_at": f"{YEAR}-06-{10 + n:02d}T12:00:00Z"}
            rows.append([row[c] for c in header])
        bad = template | {"post_id": "bad-formula-row", "published_at": FORMULA_VALUE}  # rejected: not a date
        rows.append([bad[c] for c in header])

    _rewrite(data / "training.csv", training)
    _rewrite(data / "accounts.csv", accounts)
    _rewrite(data / "critical_incidents.csv", critical_incidents)
    _rewrite(data / "incidents.csv", incidents)
    _rewrite(data / "contacts.csv", contacts)
    _rewrite(data / "posts.csv", posts)


@functools.cache
def planted_run() -> PlantedRun:
    """Generate, plant and run once per session; the folder is removed at exit."""
    base = Path(tempfile.mkdtemp(prefix="policy-review-planted-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    data, out = base / "data", base / "reports" / str(YEAR)
    config = ROOT / "config" / f"{YEAR}.yml"
    subprocess.run([*REVIEW, "sample", "--size", "S", "--year", str(YEAR), "--out", str(data)],
                   check=True, capture_output=True, cwd=ROOT)  # fmt: skip
    plant(data)
    done = subprocess.run(
        [*REVIEW, "run", "--data", str(data), "--year", str(YEAR), "--out", str(out), "--config", str(config)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"review run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return PlantedRun(base=base, data=data, config=config, out=out, result=done)


@functools.cache
def pdf_text(path: Path) -> str:
    """The text of a PDF as pypdf extracts it (slow: read once per session)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)

"""Pseudonymise person identifiers at ingest, with a keyed hash the force holds.

A training register names people (a warrant number, a payroll number, sometimes a name). The
review only needs to tell one person from another, so every value of a person column
(`PERSON_COLUMNS`, read from the contracts) is replaced before validation by

    ps-<first 16 hex digits of HMAC-SHA256(key, value stripped and case-folded)>

Decisions:

* **Keyed, not a plain hash.** A plain SHA-256 of a warrant number can be reversed by hashing
  every possible number; without the key it cannot. The same key gives the same pseudonym every
  year, so a person can be followed from year to year without being named.
* **The key lives outside the repository**: the environment variable `REVIEW_PSEUDONYM_KEY`,
  else a file `.review-key` in the current folder or the project folder (git-ignored). Every
  command follows this one rule from the folder it is run in: `review run` finds the key itself
  and hands it to its kernels (`kernel_environment`), which start in `notebooks/`. A run
  over real data with person values to hash and no key stops with a clear error; it never falls
  back to a known key.
* **Synthetic data** always uses the fixed, published `SAMPLE_KEY`, so the sample year is
  byte-identical on every machine. It protects nothing, and needs not to: the sample has no real
  people. Synthetic means proven (`review.inputs.sample.proven_sample`): the folder holds exactly the
  files the generator wrote, each with the checksum its `SYNTHETIC.json` records. A marker that
  is empty, `false`, copied beside other data or left beside an edited file proves nothing: the
  data are real, a key is required, and the message says why the marker was not believed.
* **Already pseudonymised values are kept** only when they have exactly the keyed format
  (`ps-` and 16 lower-case hex digits), so re-ingesting the toolkit's own canonical tables does
  not hash twice; anything else (`p-1234`, a name) is hashed.
* 64 bits of the digest: collisions are negligible for a force's few thousand people.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import pandas as pd

from review.inputs.contracts import TABLES
from review.errors import ReviewError
from review.inputs.pseudonym_key import KEY_ENV, KEY_FILE, MIN_KEY_BYTES, find_key, kernel_environment  # noqa: F401  (the key's rule)

# Published on purpose (docs/guide.md): it is only ever used for the synthetic sample.
SAMPLE_KEY = b"policy-review synthetic sample key: not for real data"
PSEUDONYM = re.compile(r"ps-[0-9a-f]{16}")

# table -> columns that identify a person, from the contracts' `personal` flag.
PERSON_COLUMNS: dict[str, list[str]] = {
    name: [c for c in table.columns if (table.model.to_schema().columns[c].metadata or {}).get("personal")]
    for name, table in TABLES.items()
}
PERSON_COLUMNS = {name: columns for name, columns in PERSON_COLUMNS.items() if columns}


def pseudonym(value: str, key: bytes) -> str:
    """The pseudonym of one identifier: stable for the same key, unreadable without it."""
    digest = hmac.new(key, value.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"ps-{digest[:16]}"


def is_pseudonym(value: object) -> bool:
    return isinstance(value, str) and PSEUDONYM.fullmatch(value) is not None


def pseudonymise_column(series: pd.Series, key: bytes) -> pd.Series:
    """Hash every non-empty value that is not already a keyed pseudonym; blanks stay blank."""

    def one(value: object) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return value
        text = str(value)
        if not text.strip() or is_pseudonym(text.strip()):
            return text.strip() or value
        return pseudonym(text, key)

    return series.map(one).astype(object)


def needs_key(frame: pd.DataFrame, columns: list[str]) -> bool:
    """True when some person value in `frame` is not yet a keyed pseudonym."""
    for column in columns:
        for value in frame[column].dropna():
            text = str(value).strip()
            if text and not is_pseudonym(text):
                return True
    return False


def pseudonymise_files(raw_files: list, synthetic: bool, doubts: list[str] = ()) -> None:
    """Replace person identifiers in each raw file's frame, in place, before validation.

    `raw_files` are `review.inputs.raw.RawFile`s; `synthetic` only for the proven sample. Raises
    ReviewError naming the first file that holds person identifiers when the input is real and
    no key is set up, with `doubts` (why a SYNTHETIC.json marker was not believed) after it.
    """
    todo = [r for r in raw_files if r.table in PERSON_COLUMNS and len(r.frame)]
    todo = [r for r in todo if needs_key(r.frame, PERSON_COLUMNS[r.table])]
    if not todo:
        return
    if synthetic:
        key = SAMPLE_KEY
    else:
        found = find_key()
        if found is None:
            first = todo[0]
            raise ReviewError(
                f"{first.rel or first.path}: column(s) {', '.join(PERSON_COLUMNS[first.table])} identify people and "
                f"must be pseudonymised, but no key is set up: set {KEY_ENV} or write a key to {KEY_FILE} "
                f"in the project folder (see docs/guide.md, 'The pseudonymisation key')"
                + "".join(f"\n{why}, so the data are taken as real (for the sample itself, write it again with review sample)" for why in doubts)
            )
        key = found[0]
    for raw in todo:
        for column in PERSON_COLUMNS[raw.table]:
            raw.frame[column] = pseudonymise_column(raw.frame[column], key)
        raw.notes.append(f"pseudonymised: {', '.join(PERSON_COLUMNS[raw.table])} (keyed hash)")

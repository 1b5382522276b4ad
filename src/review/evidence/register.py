"""The recommendation register: the team's decisions, and what is carried from year to year.

Three inputs meet here:
- the rules' recommendations for this year (review.evidence.recommend);
- the register so far: the `recommendations` table in the data folder (the team's own register)
  and last year's `recommendations-YEAR.yml` written by last year's run (newer, so it wins);
- the team's decisions for this year, `decisions-YEAR.yml` beside the year's config. For this
  year's recommendations: accept, reject (with a reason), reword, owner, due date. For earlier
  ones: a new status and note.

Out comes the register to carry into next year (`recommendations-YEAR.yml`), the
recommendations the Board sees, and a list of decisions that match nothing, which is reported,
never dropped: a rule that no longer fires leaves its decision visible for the team to tidy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from review.config import ReviewConfig, decisions_path, previous_register_path  # noqa: F401  (also read from here)
from review.context import BoardOption, Recommendation
from review.inputs.contracts import REC_STATUSES, TABLES
from review.errors import ReviewError
from review.evidence.recommend import PRIORITY_ORDER, in_board_order, judge
from review.values import fmt_date
from review.yamlfile import YamlDocument, read_yaml, read_yaml_document

LIVE = ("open", "in_progress")


class Option(BaseModel):
    """One option the team puts to the Board (a decisions-file entry's `options`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    option: str = Field(..., description="What the Board would agree to, in a line.")
    cost: str | None = Field(None, description="Its cost in money, with the period (£46,000 a year); "
                             "left out, the paper says the cost is not yet known.")
    resources: str | None = Field(None, description="The staff and time it needs (two more desk officers).")
    trade_off: str | None = Field(None, description="What the Board gives up or risks by choosing it.")


class Decision(BaseModel):
    """The team's decision on one recommendation (keyed by its id in the decisions file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: Literal["accept", "reject"] | None = Field(
        None, description="For this year's recommendations: accept it for the Board, or reject it."
    )
    reason: str | None = Field(None, description="Why it was rejected (required when rejecting).")
    title: str | None = Field(None, description="A reworded title.")
    text: str | None = Field(None, description="Reworded text; keep the numbers it cites.")
    owner: str | None = Field(None, description="Who is accountable for it.")
    due_date: dt.date | None = Field(
        None, description="When it is due: for this year's, at least rules.due_after_meeting_days after the "
        "Board meeting; for earlier ones, a new date.")
    priority: Literal["high", "medium", "low"] | None = Field(
        None, description="High, medium or low; a high-priority recommendation goes to the Board for decision "
        "unless for_decision says false.")
    status: Literal["open", "in_progress", "implemented", "rejected", "superseded"] | None = Field(
        None, description="For earlier recommendations: where it stands now."
    )
    status_note: str | None = Field(None, description="For earlier recommendations: a line on progress.")
    for_decision: bool | None = Field(
        None, description="For this year's recommendations: true puts it to the Board for decision, false "
        "for noting, over the rule's own judgement (what needs the Board: resources, authority, or the "
        "risk of a high-priority item).",
    )
    options: tuple[Option, ...] = Field(
        (), description="For this year's recommendations: the options the Board can choose between, each "
        "with its cost, resources and trade-off. The paper prints them.",
    )
    cost: str | None = Field(
        None, description="For this year's recommendations: what it costs (with no options, or over all of "
        "them). With no cost here or on an option, the paper says the cost is not yet known.",
    )
    resources: str | None = Field(None, description="For this year's recommendations: the staff and time it needs.")

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> "Decision":
        if self.decision == "reject" and not self.reason:
            raise ValueError("a rejection needs a reason")
        return self


@dataclass
class RegisterResult:
    for_board: list[Recommendation]  # this year's, accepted or not yet decided, not rejected
    rejected: list[Recommendation]  # this year's, rejected by the team (reason in status_note)
    register: pd.DataFrame  # every recommendation, earlier and new, with status and is_overdue
    unmatched_decisions: list[str] = field(default_factory=list)  # ids decided but not found
    did_you_mean: dict[str, str] = field(default_factory=dict)  # unmatched id -> the closest id there is
    decisions_file: Path | None = None
    previous_register_file: Path | None = None
    # Earlier recommendations as they stood at the period end, for the paper's register: with
    # is_overdue, check (CHECKS, or None) and raised_again_as (this year's id that repeats it).
    earlier: pd.DataFrame | None = None


def read_decisions(path: Path | None) -> dict[str, Decision]:
    """The decisions file as {recommendation id: Decision}; no file means no decisions yet."""
    if path is None:
        return {}
    try:
        doc = read_yaml_document(path)
    except FileNotFoundError:
        raise ReviewError(f"{path}: decisions file not found") from None
    raw = doc.data or {}
    if not isinstance(raw, dict):
        raise ReviewError(f"{path}: expected recommendation ids as keys, each with its decision")
    decisions = {}
    for rec_id, body in raw.items():
        try:
            decisions[str(rec_id)] = Decision.model_validate(body or {})
        except ValidationError as exc:
            raise ReviewError(f"{path}: {doc.problems(exc.errors(), within=(rec_id,))}") from None
    return decisions


def read_register_yaml(path: Path) -> pd.DataFrame:
    """A register written by `write_register`, as rows of the recommendations contract. A bad
    entry is one error naming the file, the entry, its line and the field."""
    try:
        doc = read_yaml_document(path)
    except FileNotFoundError:
        raise ReviewError(f"{path}: register file not found") from None
    entries = doc.data.get("recommendations") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        raise ReviewError(f"{path}: expected a 'recommendations' list, as written by review run")
    columns = TABLES["recommendations"].columns
    rows = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ReviewError(f"{path}: {doc.where(['recommendations', i])}: expected a recommendation "
                              f"(rec_id, title, status, ...), got {type(entry).__name__} {entry!r:.60}")
        rows.append({c: _register_field(entry, c, doc, ["recommendations", i, c]) for c in columns})
    frame = pd.DataFrame(rows, columns=columns)
    frame["year_raised"] = frame["year_raised"].astype("Int64")
    frame["due_date"] = pd.to_datetime(frame["due_date"]).astype("datetime64[ns]")
    for column in ["rec_id", "clause", "title", "owner", "priority", "status", "status_note", "rule", "supersedes"]:
        frame[column] = frame[column].astype("str").where(frame[column].notna())
    try:
        return TABLES["recommendations"].model.validate(frame, lazy=True)
    except Exception as exc:  # pandera SchemaErrors: name the file, not a traceback
        raise ReviewError(f"{path}: the register does not match the recommendations contract: {exc}") from None


def _register_field(entry: dict, column: str, doc: YamlDocument, loc: list) -> object:
    """One field of a register entry, a year a whole number and a date a date (ISO text allowed)."""
    value = entry.get(column)
    if value is None:
        return None
    name = f"{doc.path}: {doc.where(loc)} (recommendation {entry.get('rec_id', '?')!r})"
    if column == "year_raised" and type(value) is not int:
        raise ReviewError(f"{name}: expected a year like 2024, got {value!r:.40}")
    if column == "due_date" and not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ReviewError(f"{name}: expected a date like 2025-06-30, got {value!r:.40}") from None
    return value


def carry_forward(table: pd.DataFrame, previous: pd.DataFrame | None, decisions: dict[str, Decision]) -> pd.DataFrame:
    """The register so far, with this year's status updates applied: the data folder's
    recommendations table, overlaid by last year's register file (newer), then the decisions
    that name earlier recommendations. Runs before the metrics, so P6 counts today's statuses."""
    frames = [table] + ([previous] if previous is not None else [])
    register = pd.concat(frames, ignore_index=True).drop_duplicates("rec_id", keep="last")
    register = register.sort_values(["year_raised", "rec_id"], kind="stable").reset_index(drop=True)
    for i, rec_id in enumerate(register["rec_id"]):
        d = decisions.get(rec_id)
        if d is None:
            continue
        for column in ["status", "status_note", "owner", "priority", "title"]:
            if getattr(d, column) is not None:
                register.loc[i, column] = getattr(d, column)
        if d.due_date is not None:
            register.loc[i, "due_date"] = pd.Timestamp(d.due_date)
    return TABLES["recommendations"].model.validate(register)


def decide(
    recommendations: list[Recommendation],
    register_so_far: pd.DataFrame,
    config: ReviewConfig,
    *,
    decisions: dict[str, Decision],
    period_end: dt.date,
) -> RegisterResult:
    """Apply the decisions to this year's recommendations and add them to the register.

    Each of this year's recommendations is first set against the earlier one for the same rule
    (the register's `rule`, or an id ending in the rule's key): one still open is repeated, so
    the Board sees it as that one, still open, with this year's evidence, and the register
    marks the old one superseded (`supersedes` on the new one), leaving one live entry per rule;
    one marked implemented is flagged, since the evidence does not show it yet. So is an
    overdue entry whose note says it is on track (CHECKS)."""
    used = set(decisions) & set(register_so_far["rec_id"])
    end = pd.Timestamp(period_end)
    new_ids = [r.rec_id for r in recommendations]
    earlier = register_so_far[~register_so_far["rec_id"].isin(new_ids)].copy()
    earlier = earlier.sort_values(["year_raised", "rec_id"], kind="stable").reset_index(drop=True)
    earlier["is_overdue"] = earlier["status"].isin(LIVE) & earlier["due_date"].notna() & (earlier["due_date"] < end)
    earlier["check"] = pd.Series([OVERDUE_ON_TRACK if overdue and ON_TRACK.search(str(note or "")) else None
                                  for overdue, note in zip(earlier["is_overdue"], earlier["status_note"])],
                                 index=earlier.index, dtype="object")
    earlier["raised_again_as"] = pd.Series(None, index=earlier.index, dtype="object")
    for i in earlier.index[(earlier["status"] == "implemented") & (earlier["clause"] == "P3")]:
        earlier.loc[i, "check"] = _desk_hours_check(earlier.loc[i, "title"], config) or earlier.loc[i, "check"]
    current = _latest_by_rule(earlier, _rules_of(earlier))
    for_board, rejected = [], []
    for rec in recommendations:
        i = current.get(rec.rule)
        if i is not None and earlier.loc[i, "status"] == "implemented":
            earlier.loc[i, "check"] = earlier.loc[i, "check"] or IMPLEMENTED_NOT_SHOWN
        if i is not None and earlier.loc[i, "status"] in (*LIVE, "implemented"):
            rec = _as_repeat(rec, earlier, i)
        d = decisions.get(rec.rec_id)
        if d is not None:
            used.add(rec.rec_id)
            _check_due(rec.rec_id, d, config)
            rec = replace(
                rec,
                title=d.title or rec.title,
                text=d.text or rec.text,
                owner=d.owner or rec.owner,
                priority=d.priority or rec.priority,
                due_date=d.due_date or rec.due_date,
                status="rejected" if d.decision == "reject" else (d.status or "open"),
                options=tuple(BoardOption(**o.model_dump()) for o in d.options),
                cost=d.cost,
                resources=d.resources,
            )
        team = d.for_decision if d is not None and d.for_decision is not None else config.rules.for_decision.get(rec.rule)
        rec = judge(rec, team)
        if d is not None and d.decision == "reject":
            # the earlier one stays as it is: nothing replaces it
            rejected.append(replace(rec, supersedes=None, first_raised=None, history=None))
        else:
            if rec.supersedes is not None:
                earlier.loc[i, "raised_again_as"] = rec.rec_id
            for_board.append(rec)
    for_board = in_board_order(for_board)
    new_rows = pd.DataFrame(
        [
            {
                "rec_id": r.rec_id,
                "year_raised": config.year,
                "clause": r.clause,
                "title": r.title,
                "owner": r.owner,
                "priority": r.priority,
                "status": r.status,
                "due_date": pd.Timestamp(r.due_date) if r.due_date else pd.NaT,
                "status_note": _note(decisions.get(r.rec_id)),
                "rule": r.rule,
                "supersedes": r.supersedes,
            }
            for r in for_board + rejected
        ],
        columns=TABLES["recommendations"].columns,
    ).astype(register_so_far.dtypes.to_dict())
    # The register for next year: an open entry repeated this year is superseded by the new one.
    after = earlier.copy()
    repeated = after["raised_again_as"].notna() & after["status"].isin(LIVE)
    after.loc[repeated, "status"] = "superseded"
    after.loc[repeated, "status_note"] = [
        f"Not done by the end of {config.period_label}; raised again in the {config.period_label} review as "
        f"{new_id}, which replaces it." for new_id in after.loc[repeated, "raised_again_as"]]
    new_rows = new_rows.assign(is_overdue=False, check=None, raised_again_as=None)
    register = pd.concat([after, new_rows], ignore_index=True)
    register = register.sort_values(["year_raised", "rec_id"], kind="stable").reset_index(drop=True)
    register["is_overdue"] = register["is_overdue"].astype(bool)
    unmatched = sorted(set(decisions) - used)
    return RegisterResult(
        for_board=for_board,
        rejected=rejected,
        register=register,
        unmatched_decisions=unmatched,
        did_you_mean=closest_ids(unmatched, register["rec_id"].tolist()),
        earlier=earlier[earlier["year_raised"] < config.year].reset_index(drop=True),
    )


# Where the register and this year's evidence disagree: what the paper says beside the entry.
IMPLEMENTED_NOT_SHOWN = "Marked implemented; the evidence does not show it yet."
OVERDUE_ON_TRACK = "Marked overdue, though its note says it is on track."
CHECKS = (IMPLEMENTED_NOT_SHOWN, OVERDUE_ON_TRACK)
ON_TRACK = re.compile(r"\bon (track|schedule|time|target)\b|\bahead of\b", re.IGNORECASE)
CLOCK = re.compile(r"\b([01]?\d|2[0-4]):00\b")  # a time of day in a title: 22:00
RULE_OF_ID = re.compile(r"^R\d{4}-(P\d-.+)$")  # the id a rule gives: R2024-P5-mfa


def _desk_hours_check(title: str, config: ReviewConfig) -> str | None:
    """An implemented P3 entry that names a time ("Extend desk cover to 22:00") later than the
    hour the desk closes in this review's settings: the evidence does not show it."""
    hours = config.staffed_hours
    named = [int(h) for h in CLOCK.findall(str(title))]
    if not named or max(named) <= hours.end_hour:
        return None
    return (f"{IMPLEMENTED_NOT_SHOWN} The desk is staffed from {hours.start_hour:02d}:00 to "
            f"{hours.end_hour:02d}:00 in this review.")


def _rules_of(register: pd.DataFrame) -> pd.Series:
    """Each entry's rule: its `rule` column, else the rule key in an id the rules gave it."""
    from_id = register["rec_id"].str.extract(RULE_OF_ID, expand=False)
    return register["rule"].where(register["rule"].notna(), from_id)


def _latest_by_rule(register: pd.DataFrame, rules: pd.Series) -> dict[str, int]:
    """Rule key -> row of the latest entry for it that no other entry supersedes."""
    replaced = set(register["supersedes"].dropna())
    latest: dict[str, int] = {}
    for i in register.index:  # sorted by year raised and id: later rows win
        if pd.notna(rules[i]) and register.loc[i, "rec_id"] not in replaced:
            latest[rules[i]] = i
    return latest


def _first_raised(register: pd.DataFrame, i: int) -> int:
    """The year the chain of `supersedes` links ending at row i began."""
    by_id = register.set_index("rec_id")
    rec_id, year, seen = register.loc[i, "rec_id"], int(register.loc[i, "year_raised"]), set()
    while rec_id in by_id.index and pd.notna(by_id.loc[rec_id, "supersedes"]) and rec_id not in seen:
        seen.add(rec_id)
        rec_id = by_id.loc[rec_id, "supersedes"]
        if rec_id in by_id.index:
            year = min(year, int(by_id.loc[rec_id, "year_raised"]))
    return year


def _as_repeat(rec: Recommendation, earlier: pd.DataFrame, i: int) -> Recommendation:
    """This year's recommendation as the earlier one it repeats (row i): that one's title and
    owner, the higher of the two priorities, a link to it and a sentence on its history; this
    year's text, evidence and due date."""
    old = earlier.loc[i]
    first = _first_raised(earlier, i)
    if old["status"] == "implemented":  # the team's word stands; the paper flags the disagreement
        return replace(rec, supersedes=old["rec_id"], first_raised=first, history=_history(old, first))
    priority = min(rec.priority, old["priority"], key=PRIORITY_ORDER.__getitem__)
    return replace(rec, title=old["title"], owner=old["owner"], priority=priority, supersedes=old["rec_id"],
                   first_raised=first, history=_history(old, first))


def _history(old: pd.Series, first: int) -> str:
    due = "with no due date" if pd.isna(old["due_date"]) else f"due {fmt_date(old['due_date'].date())}"
    if old["status"] == "implemented":
        return (f"The register marks {old['rec_id']} (raised in {int(old['year_raised'])}) implemented; this year's "
                "evidence does not show it yet.")
    since = f"First raised in {first}" + (f"; last raised in {int(old['year_raised'])} as" if first != old["year_raised"] else " as")
    return f"{since} {old['rec_id']}, {due}, and still {'in progress' if old['status'] == 'in_progress' else 'open'}."


def _check_due(rec_id: str, d: Decision, config: ReviewConfig) -> None:
    if d.due_date is not None and d.due_date < config.earliest_due_date:
        raise ReviewError(
            f"decisions file: {rec_id}: due_date {d.due_date.isoformat()} is less than "
            f"{config.rules.due_after_meeting_days} days after the Board meeting on {config.meeting_date.isoformat()} "
            f"(rules.due_after_meeting_days); give {config.earliest_due_date.isoformat()} or later")


def closest_ids(unmatched: list[str], known: list[str]) -> dict[str, str]:
    """For each decision id that matches nothing, the most similar id the review knows (this
    year's and earlier recommendations), when one is close: a typing slip in the decisions file."""
    import difflib

    close = {rec_id: difflib.get_close_matches(rec_id, known, n=1, cutoff=0.75) for rec_id in unmatched}
    return {rec_id: found[0] for rec_id, found in close.items() if found}


def unmatched_words(unmatched: list[str], did_you_mean: dict[str, str]) -> list[str]:
    """Each unmatched decision id as shown to the team: `R2025-P1-dormant-acounts (did you mean
    R2025-P1-dormant-accounts?)`."""
    return [f"{rec_id} (did you mean {did_you_mean[rec_id]}?)" if rec_id in did_you_mean else rec_id
            for rec_id in unmatched]


def _note(d: Decision | None) -> str | None:
    if d is None or d.decision is None:
        return (d.status_note if d else None) or "Awaiting the team's decision."
    if d.decision == "reject":
        return f"Rejected by the team: {d.reason}"
    return d.status_note or "Accepted by the team."


def write_register(path: Path, result: RegisterResult, config: ReviewConfig, evidence: dict[str, dict]) -> None:
    """Write the register for next year's review (YAML, stable order, no timestamps)."""
    entries = []
    for row in result.register.itertuples(index=False):
        entry = {
            "rec_id": row.rec_id,
            "year_raised": int(row.year_raised),
            "clause": row.clause,
            "title": row.title,
            "owner": row.owner,
            "priority": row.priority,
            "status": row.status,
            "due_date": None if pd.isna(row.due_date) else row.due_date.date().isoformat(),
            "status_note": None if pd.isna(row.status_note) else row.status_note,
            "rule": None if pd.isna(row.rule) else row.rule,
            "supersedes": None if pd.isna(row.supersedes) else row.supersedes,
            # past due and still open at this period's end; next year's run works it out afresh
            "is_overdue": bool(row.is_overdue),
        }
        if isinstance(row.check, str):  # the register and this year's evidence disagree
            entry["check"] = row.check
        if row.rec_id in evidence:
            entry["evidence"] = evidence[row.rec_id]
        entries.append(entry)
    payload = {
        "force": config.force.name,
        "review_year": config.year,
        "statuses": list(REC_STATUSES),
        "recommendations": entries,
        "unmatched_decisions": result.unmatched_decisions,
    }
    header = (
        f"# The recommendation register after the {config.period_label} review.\n"
        f"# Next year's run reads it (as reports/{config.year}/recommendations-{config.year}.yml, or set\n"
        "# previous_register in the config). Update statuses in next year's decisions file, not here.\n"
    )
    path.write_text(header + yaml.safe_dump(payload, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


@dataclass
class RegisterInputs:
    decisions: dict[str, Decision]
    decisions_file: Path | None
    previous_register_file: Path | None
    data_rows: int = 0  # rows of the data folder's own recommendations table
    previous_rows: int = 0  # rows of last year's register file

    def as_record(self) -> dict:
        """What the run used, for artifacts/ingest.json and the manifest: each file with its
        checksum, so a changed decisions file or register is visible (and can key a cache)."""
        return {
            "decisions_file": _file_record(self.decisions_file),
            "decisions": len(self.decisions),
            "previous_register_file": _file_record(self.previous_register_file),
            "previous_register_rows": self.previous_rows,
            "data_register_rows": self.data_rows,
        }


def _file_record(path: Path | None) -> dict | None:
    if path is None:
        return None
    return {"path": str(path), "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()}


def prepare(
    tables: dict[str, pd.DataFrame], config: ReviewConfig, config_path: Path | None, out: Path
) -> tuple[dict[str, pd.DataFrame], RegisterInputs]:
    """Read the decisions and last year's register; return the tables with the register so far
    (statuses updated) in place of the data's recommendations table. Call before the metrics."""
    decisions_file = decisions_path(config, config_path)
    decisions = read_decisions(decisions_file)
    previous_file = previous_register_path(config, config_path, Path(out))
    previous = read_register_yaml(previous_file) if previous_file else None
    so_far = carry_forward(tables["recommendations"], previous, decisions)
    inputs = RegisterInputs(decisions, decisions_file, previous_file, data_rows=len(tables["recommendations"]),
                            previous_rows=0 if previous is None else len(previous))
    return {**tables, "recommendations": so_far}, inputs


def evidence_of(recommendations: list[Recommendation]) -> dict[str, dict]:
    return {r.rec_id: dict(r.evidence) for r in recommendations}


# --- the run's record of what the decisions did: artifacts/decisions.json -----------------------

OUTCOME_FILE = Path("artifacts") / "decisions.json"
APPLIED_TO = {
    "new": "this year's recommendation",
    "earlier": "an earlier recommendation",
    "none": "nothing this year: reported, not applied",
}


def outcome_record(
    result: RegisterResult, decisions: dict[str, Decision], inputs: dict | None, register_file: Path
) -> dict:
    """What the team's decisions did in this run, for the notebook and the report: each decision
    and what it was applied to, the rejected recommendations with the team's reason, the
    decisions that matched nothing (kept in view, never dropped) and the files read and written.
    `inputs` is RegisterInputs.as_record() as the data-quality stage wrote it."""
    new_ids = {r.rec_id for r in result.for_board + result.rejected}
    unmatched = set(result.unmatched_decisions)
    applied = [
        {
            "rec_id": rec_id,
            "applied_to": "none" if rec_id in unmatched else ("new" if rec_id in new_ids else "earlier"),
            **d.model_dump(mode="json", exclude_none=True),
        }
        for rec_id, d in sorted(decisions.items())
    ]
    inputs = inputs or {}
    return {
        "decisions_file": (inputs.get("decisions_file") or {}).get("path"),
        "previous_register_file": (inputs.get("previous_register_file") or {}).get("path"),
        "register_file": Path(register_file).name,
        "decisions": applied,
        "rejected": [
            {"rec_id": r.rec_id, "clause": r.clause, "title": r.title, "reason": decisions[r.rec_id].reason}
            for r in result.rejected
        ],
        "unmatched_decisions": result.unmatched_decisions,
        "did_you_mean": result.did_you_mean,
    }


def read_decisions_used(used: dict) -> dict[str, Decision]:
    """The decisions file recorded by the data-quality stage (RegisterInputs.as_record()), read
    again for this year's recommendations. A file changed since that stage would mix two
    versions of the team's decisions in one report, so that is an error: run again."""
    record = used.get("decisions_file")
    if not record:
        return {}
    path = Path(record["path"])
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != record["sha256"]:
        raise ReviewError(f"{path}: the decisions file changed during the run; run the review again")
    return read_decisions(path)


def read_register_evidence(used: dict) -> dict[str, dict]:
    """Each earlier recommendation's evidence from last year's register file, so the new
    register keeps it (the recommendations table holds no evidence column)."""
    record = used.get("previous_register_file")
    if not record:
        return {}
    raw = read_yaml(Path(record["path"])) or {}
    return {e["rec_id"]: e["evidence"] for e in raw.get("recommendations", []) if e.get("evidence")}

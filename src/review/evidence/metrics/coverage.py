"""Coverage: what the data can support, so a figure it cannot support is *not measured*, never 0.

Every registered metric declares its inputs (`Metric.needs` in review.evidence.metrics.registry): tables
(`"contacts"`) and columns (`"posts.has_alt_text"`). An input is missing when

* its table was not supplied: no input file fed it (`supplied_tables`, from the ingest record);
* its column is empty for every row of the period (no export or register in the period records it:
  X reports no reach per post, no platform export records alt text);
* for the link between posts and critical incidents: no post carries an incident id, there is no
  post-to-incident register, and the config sets no linking rule.

The rule for zero. A table that was supplied but holds no rows for the period gives real zeros:
"0 conduct cases" means the conduct register was read and had none. A table that was not supplied
gives *not measured*: nobody looked, so nothing can be counted. A zero is only ever a count of
things that were looked for and not found.

A metric with a missing input has no value (None), is Not rated, has no year-on-year change and
fires no recommendation; `reason` says why in plain words. A metric whose inputs are all there but
which has nothing to divide or rank (a share of image posts when there were none) is also without a
value, and says so (`Metric.none_reason`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from review.inputs.contracts import PLATFORMS, TABLES

# What each table is, in the words a reason uses: "not measured: no inbound messages were supplied".
TABLE_WORDS: dict[str, str] = {
    "accounts": "no account register was supplied",
    "posts": "no posts were supplied",
    "audience": "no follower figures were supplied",
    "audience_demographics": "no audience demographics (age and sex of followers) were supplied",
    "population": "no population register (the force area's people by age and sex) was supplied",
    "contacts": "no inbound messages were supplied",
    "incidents": "no register of conduct cases was supplied",
    "critical_incidents": "no register of critical incidents was supplied",
    "incident_posts": "no register linking posts to critical incidents was supplied",
    "compliance_checks": "no register of audit checks was supplied",
    "training": "no training register was supplied",
    "recommendations": "no register of earlier recommendations was supplied",
}
# Plain names of the tables, for the coverage section.
TABLE_TITLES: dict[str, str] = {
    "accounts": "Account register",
    "posts": "Posts (platform exports or a posts file)",
    "audience": "Follower figures",
    "audience_demographics": "Audience demographics",
    "population": "Population of the force area",
    "contacts": "Inbound messages",
    "incidents": "Conduct cases",
    "critical_incidents": "Critical incidents",
    "incident_posts": "Posts linked to critical incidents",
    "compliance_checks": "Audit checks",
    "training": "Training register",
    "recommendations": "Earlier recommendations",
}
# The pseudo-input of P2's post-based measures: which posts are about which critical incident.
INCIDENT_LINK = "critical_incident_link"
INCIDENT_LINK_REASON = (
    "nothing links posts to critical incidents (no incident id on the posts, no register of posts "
    "by incident and no linking rule in the config)"
)
UNREGISTERED = "Not in the account register"


def supplied_tables(ingest: dict) -> frozenset[str]:
    """The tables an input file fed, from a run's ingest record (artifacts/ingest.json).

    A file that fed a table supplies it even when it holds no rows (a register with only its
    header row: the team looked and found nothing). The register of earlier recommendations is
    also supplied by last year's register file."""
    tables = {f["table"] for f in ingest.get("files", []) if f.get("table")}
    if (ingest.get("register") or {}).get("previous_register_file"):
        tables.add("recommendations")
    return frozenset(tables)


def tables_with_rows(tables: dict[str, pd.DataFrame]) -> frozenset[str]:
    """The tables that hold any row, in any year: what counts as supplied when no ingest record
    says (a frame with no rows carries no sign that anyone looked)."""
    return frozenset(name for name, frame in tables.items() if len(frame))


def platform_of(account_ids: pd.Series, accounts: pd.DataFrame) -> pd.Series:
    """Each account's platform: from the account register; for an account not in it, from the
    `<platform>:<handle>` id that ingest gives an export's account it could not match (x:rOpenSci);
    otherwise UNREGISTERED."""
    registered = accounts.drop_duplicates("account_id").set_index("account_id")["platform"]
    known = {p.lower(): p for p in PLATFORMS}
    # Each distinct id is looked up once (size L: 1.2 million posts a year from 7,000 accounts).
    codes, distinct = pd.factorize(account_ids)
    distinct = pd.Series(distinct, dtype=account_ids.dtype)
    prefix = distinct.astype("string").str.split(":", n=1).str[0].str.lower().map(known)
    platforms = distinct.map(registered).fillna(prefix).fillna(UNREGISTERED).to_numpy(dtype=object)
    found = platforms[codes] if len(platforms) else np.full(len(codes), UNREGISTERED, dtype=object)
    return pd.Series(np.where(codes >= 0, found, UNREGISTERED), index=account_ids.index, name=account_ids.name, dtype=object)


def names(values: Iterable[str], last: str = "and") -> str:
    """"X", "X and YouTube", "Facebook, X and YouTube" (or "X or YouTube" after a "no")."""
    values = sorted(set(values))
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + f" {last} " + values[-1]


# What a column records, in the words "no post in the period records ..." takes.
COLUMN_WORDS = {
    ("posts", "has_alt_text"): "whether its images have alt text",
    ("posts", "has_captions"): "whether its video has captions",
    ("posts", "was_approved"): "whether it was approved before publishing",
    ("posts", "text"): "its words",
}


def _column_title(table: str, column: str) -> str:
    return COLUMN_WORDS.get((table, column)) or TABLES[table].field(column)["title"].lower()


def missing_input(needs: tuple[str, ...], period) -> str | None:
    """Why the inputs `needs` are not all there for `period` (a PeriodData), in plain words;
    None when they are. Tables are checked before their columns, in the order given."""
    for need in needs:
        if need == INCIDENT_LINK:
            if not _incidents_linked(period):
                return INCIDENT_LINK_REASON
            continue
        table, _, column = need.partition(".")
        if not period.is_supplied(table):
            return TABLE_WORDS[table]
        if column:
            reason = _empty_column(period, table, column)
            if reason:
                return reason
    return None


def _empty_column(period, table: str, column: str) -> str | None:
    frame = getattr(period, table)
    if column not in frame.columns or not len(frame) or frame[column].notna().any():
        return None
    noun = {"posts": "post", "audience": "follower figure", "contacts": "message"}.get(table, "row")
    where = ""
    if "account_id" in frame.columns and len(period.accounts.columns):
        platforms = set(platform_of(frame["account_id"], period.accounts)) - {UNREGISTERED}
        if platforms:
            where = f" (posts from {names(platforms)})" if table == "posts" else f" ({names(platforms)})"
    return f"no {noun} in the period records {_column_title(table, column)}{where}"


def _incidents_linked(period) -> bool:
    links = period.config.incident_links
    if links.hashtags or links.window_minutes:
        return True
    if period.is_supplied("incident_posts"):
        return True  # a register supplied, even with no rows: no post was about an incident
    posts = period.posts
    return "critical_incident_id" in posts.columns and bool(posts["critical_incident_id"].notna().any())


# --- ids that look like a known id ------------------------------------------------------------


def _confusables() -> dict[str, str]:
    """Each character that looks like an ASCII one (Unicode's confusables data, as shipped by
    confusable_homoglyphs), mapped to the smallest ASCII character of its group: Cyrillic Ѕ and
    Latin S both become S; O and 0 both become 0."""
    import json
    from importlib.resources import files

    data = json.loads(files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8"))
    out = {}
    for char, glyphs in data.items():
        group = {char, *(g["c"] for g in glyphs)}
        ascii_ = sorted(c for c in group if len(c) == 1 and c.isascii())
        if ascii_:
            out[char] = ascii_[0]
    return out


_SKELETON: dict[str, str] | None = None


def skeleton(text: str) -> str:
    """The form two look-alike ids share: Unicode compatibility forms folded (NFKC), spaces
    removed, look-alike characters mapped to one ASCII character, case ignored."""
    global _SKELETON
    if _SKELETON is None:
        _SKELETON = _confusables()
    folded = "".join(unicodedata.normalize("NFKC", str(text)).split())
    return "".join(_SKELETON.get(c, c) for c in folded).casefold()


def resembling(unknown: Iterable[str], known: Iterable[str]) -> dict[str, str]:
    """Each id of `unknown` that is not in `known` but looks like one of it (other case, spaces,
    look-alike Unicode such as a Cyrillic Ѕ for S), mapped to the id it resembles."""
    known = list(dict.fromkeys(known))
    by_skeleton: dict[str, str] = {}
    for k in known:
        by_skeleton.setdefault(skeleton(k), k)
    known_set = set(known)
    return {u: by_skeleton[skeleton(u)] for u in dict.fromkeys(unknown)
            if u not in known_set and skeleton(u) in by_skeleton}


# --- what this review covers: the report's section and the workbook's sheets --------------------

# What the coverage summary reads (review.evidence.metrics.period.read_period): every table's rows in both
# periods, the accounts of posts, messages and follower figures, and the post columns that
# platforms report unevenly.
PARTIAL_COLUMNS = {  # column -> (which posts it applies to, or None for all; words)
    "impressions": (None, "Impressions"),
    "reach": (None, "Reach"),
    "engagements": (None, "Engagements"),
    "has_alt_text": ("image", "Alt text on image posts"),
    "has_captions": ("video", "Captions on video posts"),
}


def coverage_needs() -> dict[str, object]:
    from review.evidence.metrics.period import IN_PARQUET

    needs: dict[str, object] = {name: [t.period_column or t.columns[0]] for name, t in TABLES.items()}
    needs.update({"accounts": None, "contacts": IN_PARQUET, "audience": ["account_id", "date"],
                  "posts": ["account_id", "published_at", "media_type", *PARTIAL_COLUMNS]})
    return needs


def _account_rows(period, table: str) -> pd.Series:
    """Rows of `table` in the period per account."""
    if not period.is_supplied(table):
        return pd.Series(dtype="int64")
    source = period.source(table)
    if isinstance(source, pd.DataFrame):
        return source["account_id"].value_counts()
    import duckdb

    with duckdb.connect() as con:
        counts = con.execute(f"SELECT account_id, count(*) AS n FROM ({source.sql}) GROUP BY 1").df()
    return counts.set_index("account_id")["n"]


def summarise(current, prior, headlines: list, ingest: dict) -> dict:
    """What this review covers, as plain data (artifacts/coverage.json): the inputs supplied, the
    accounts and platforms with posts in each year, the measures not measured and why, the post
    figures only some platforms report, and the ids missing from the account register (with the
    registered id each one resembles). `current` and `prior` are read with `coverage_needs()`."""
    files = {}
    for f in ingest.get("files", []):
        if f.get("table"):
            files[f["table"]] = files.get(f["table"], 0) + 1
    inputs = [
        {"table": name, "title": TABLE_TITLES[name], "supplied": current.is_supplied(name),
         "files": files.get(name, 0),
         "rows": current.rows(name) if current.is_supplied(name) else None,
         "rows_prior": (prior.rows(name) if TABLES[name].period_column else None) if current.is_supplied(name) else None}
        for name in TABLES
    ]
    accounts = current.accounts if current.is_supplied("accounts") else current.accounts.iloc[0:0]
    registered = set(accounts["account_id"])
    counts = {(year, table): _account_rows(p, table) for year, p in (("now", current), ("prior", prior))
              for table in ("posts", "contacts", "audience")}
    ids = sorted(set().union(*(set(c.index) for c in counts.values())))
    ids_series = pd.Series(ids, dtype=object)
    plat = dict(zip(ids, platform_of(ids_series, accounts))) if ids else {}
    resembles = resembling([i for i in ids if i not in registered], registered) if registered else {}
    account_rows = [
        {"account_id": i, "platform": plat[i], "registered": i in registered, "resembles": resembles.get(i),
         # None for an input that was not supplied, or for the year before when it has no data
         # (has_prior): nobody counted, so it is not 0.
         **{f"{table}_{year}": int(counts[(year, table)].get(i, 0))
            if current.is_supplied(table) and (year == "now" or prior.has_data) else None
            for year in ("now", "prior") for table in ("posts", "contacts", "audience")}}
        for i in ids
    ]
    measures = [
        {"clause": h.clause, "metric_id": h.metric_id, "title": h.title, "reason": h.not_measured_reason,
         "comparison": h.comparison}
        for h in headlines
    ]
    return {
        "inputs": inputs,
        "accounts": account_rows,
        "measures": measures,
        "partial": _partial(current, accounts) if current.is_supplied("posts") else [],
        "has_register": bool(current.is_supplied("accounts")),
        # No post or message falls in the year before: its counts are not measured, never 0.
        "has_prior": bool(prior.has_data),
    }


def _partial(period, accounts: pd.DataFrame) -> list[dict]:
    """Post figures that only some of the period's posts record, and the platforms none of whose
    posts records them: the measures over them cover those posts only."""
    posts = period.posts
    out = []
    for column, (media, words) in PARTIAL_COLUMNS.items():
        if column not in posts.columns:
            continue
        scope = posts if media is None else posts[posts["media_type"] == media]
        recorded = scope[column].notna()
        if not len(scope) or recorded.all() or not recorded.any():
            continue  # all of them, or none (then the measure is not measured and says so)
        platforms = platform_of(scope["account_id"], accounts)
        without = sorted(set(platforms) - set(platforms[recorded]))
        out.append({"column": column, "words": words, "recorded": int(recorded.sum()), "of": int(len(scope)),
                    "platforms_without": without})
    return out

"""Year on year, like for like: a change compares only the accounts both years cover.

A measure built from posts, inbound messages or follower figures (its first input in the registry
is one of those tables) changes from last year over the accounts that have rows of that table in
both years. When the two years cover the same accounts, that is the whole of both years. When they
do not, both years are computed again over the shared accounts, and the headline says so ("last
year covers 1 of the 5 platforms; the change compares YouTube only"). With no shared account, or
fewer rows last year than `coverage.min_rows_for_change` in the config, the change is *not comparable*.

Measures from the registers (conduct cases, training, critical incidents, the account register)
are force-wide: they change over the whole of both years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from review.evidence.metrics.coverage import names, platform_of

EVENT_TABLES = ("posts", "contacts", "audience")
NOUNS = {"posts": "posts", "contacts": "inbound messages", "audience": "follower figures"}


@dataclass
class Comparison:
    """What one clause's year-on-year changes compare."""

    values: dict[str, float | None] = field(default_factory=dict)  # this year, shared accounts only
    prior_values: dict[str, float | None] = field(default_factory=dict)  # last year, the same accounts
    notes: dict[str, str] = field(default_factory=dict)  # metric id -> how the change was made
    not_comparable: dict[str, str] = field(default_factory=dict)  # metric id -> why there is no change


def compared_table(metric) -> str | None:
    """The event table a metric is compared on (its first input's table), or None (force-wide)."""
    if not metric.needs:
        return None
    table = metric.needs[0].partition(".")[0]
    return table if table in EVENT_TABLES else None


@dataclass(frozen=True)
class Scope:
    """The accounts of one event table in each year, and the note a restricted change carries."""

    table: str
    now: frozenset[str]
    before: frozenset[str]
    note: str | None  # None: both years cover the same accounts
    rows_before: int  # rows of the table last year, over the shared accounts

    @property
    def shared(self) -> frozenset[str]:
        return self.now & self.before


def scope(table: str, current, prior) -> Scope:
    """Which accounts a change over `table` compares, and how to say so."""
    now, before = current.account_ids(table), prior.account_ids(table)
    shared = now & before
    if now == before:
        return Scope(table, now, before, None, prior.rows(table))
    noun = NOUNS[table]
    accounts = current.accounts if len(current.accounts.columns) else prior.accounts
    plat = lambda ids: set(platform_of(_series(ids), accounts)) if ids else set()  # noqa: E731
    p_now, p_before, p_shared = plat(now), plat(before), plat(shared)
    if not shared:
        note = (f"no account has {noun} in both years (this year: {names(p_now) or 'none'}; "
                f"last year: {names(p_before) or 'none'})")
    elif p_now != p_before:
        note = (f"last year covers {len(p_before & p_now)} of the {len(p_now)} platforms; "
                f"the change compares {names(p_shared)} only")
    else:
        note = (f"the change compares the {len(shared):,} accounts with {noun} in both years "
                f"({len(now):,} this year, {len(before):,} last year)")
    rows = prior.rows_of(table, shared) if shared else 0
    return Scope(table, now, before, note, rows)


def _series(ids):
    import pandas as pd

    return pd.Series(sorted(ids), dtype=object)

"""P7's equality lens: does the audience look like the people the force serves?

Each age band's share of an audience (by sex where the platform splits it) against its share of
the force area's population (the `population` register), as a representation index: 100 means the
band is as large a part of the audience as of the area, 25 that it is a quarter as large.

Bands are aligned honestly. Platforms report their own age bands (`18-24` ... `65+`; TikTok ends
at `55+`); the census counts five-year (or single-year) bands. The population is cut to the ages
the platform reports (no one under its youngest band) and its bands are summed into the
platform's; a census band that straddles a platform boundary (`15-19` against `18-24`) is split
in proportion to the years on each side, as if people were spread evenly across its ages, and the
note says so. Channels are combined on the bands they all share (Meta's `55-64` and `65+` become
`55+` beside TikTok), weighting each account's shares by its followers.

A band with fewer followers than `coverage.min_band_followers` is not measured (None, never 0): a
share of a handful of people says nothing about a group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

ALL_CHANNELS = "All channels"
SEX_WORDS = {"female": "Women", "male": "Men"}
_BAND = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$|^\s*(\d+)\s*(?:\+|and over)\s*$", re.IGNORECASE)


def parse_band(text: object) -> tuple[int, int | None] | None:
    """`18-24` → (18, 24); `65+` → (65, None); anything else → None."""
    match = _BAND.match(str(text))
    if not match:
        return None
    if match.group(3) is not None:
        return int(match.group(3)), None
    return int(match.group(1)), int(match.group(2))


def band_words(band: tuple[int, int | None]) -> str:
    lo, hi = band
    return f"{lo}+" if hi is None else f"{lo}-{hi}"


def people_words(band: tuple[int, int | None], sex: str | None = None) -> str:
    """`people aged 65 and over`, `women aged 18 to 24`."""
    lo, hi = band
    who = {"female": "women", "male": "men"}.get(sex or "", "people")
    return f"{who} aged {lo} and over" if hi is None else f"{who} aged {lo} to {hi}"


def align(population: dict[tuple[int, int | None], float], bands: list[tuple[int, int | None]]) -> tuple[dict, bool]:
    """The people of `population` (census bands → people) in each of `bands` (a platform's, in order,
    the last maybe open), and whether a census band had to be split between two bands (pro rata by
    years). Census bands wholly below the first band are left out (the platform does not report them)."""
    out = {b: 0.0 for b in bands}
    split = False
    top = 120  # an open census band (85+) is taken to run to this age when it must be split
    for (a, b), people in population.items():
        hi_a = top if b is None else b
        for lo, hi in bands:
            hi_t = top if hi is None else hi
            overlap = min(hi_a, hi_t) - max(a, lo) + 1
            if overlap <= 0:
                continue
            part = overlap / (hi_a - a + 1)
            split |= part < 1
            out[(lo, hi)] += people * part
    return out, split


def common_bands(band_sets: list[list[tuple[int, int | None]]]) -> list[tuple[int, int | None]]:
    """The bands every set can be summed into: the lower bounds they share, from the highest of
    their youngest ages; the last band open."""
    start = max(min(lo for lo, _ in bands) for bands in band_sets)
    lows = sorted(set.intersection(*({lo for lo, _ in bands if lo >= start} for bands in band_sets)))
    return [(lo, (lows[i + 1] - 1) if i + 1 < len(lows) else None) for i, lo in enumerate(lows)]


def merge_into(shares: dict, bands: list[tuple[int, int | None]]) -> dict | None:
    """Shares by a platform's bands summed into coarser `bands`; None when a band of the platform
    falls across two of them (it cannot be split without inventing an age spread)."""
    out = {b: 0.0 for b in bands}
    for (lo, hi), value in shares.items():
        home = next((b for b in bands if b[0] <= lo and (b[1] is None or lo <= b[1])), None)
        if home is None:
            if lo < bands[0][0]:
                continue  # younger than every common band: left out, as the population is
            return None
        if home[1] is not None and (hi is None or hi > home[1]):
            return None
        out[home] += value
    return out


@dataclass
class View:
    """One audience (a platform's accounts, or all channels) against the population, band by band."""

    platform: str
    by_sex: bool  # bands split by sex (Meta's Age & gender)
    rows: list[dict] = field(default_factory=list)  # band, sex, followers, audience_share, population_share, index
    followers: float = 0.0  # followers of the accounts in the view
    accounts: int = 0
    split: bool = False  # a census band was split pro rata between two bands

    @property
    def dissimilarity(self) -> float | None:
        """Half the sum of the gaps between audience and population shares (0 = the audience mirrors
        the area, 1 = no overlap), in percentage points; None with no rows."""
        if not self.rows:
            return None
        return 50 * sum(abs(r["audience_share"] - r["population_share"]) for r in self.rows)


def latest_followers(audience: pd.DataFrame) -> dict[str, int]:
    """Each account's last follower figure in the period."""
    if audience.empty:
        return {}
    last = audience.sort_values(["account_id", "date"], kind="stable").groupby("account_id").tail(1)
    return {a: int(f) for a, f in zip(last["account_id"], last["followers"]) if pd.notna(f)}


def population_by_age(population: pd.DataFrame) -> dict[str | None, dict]:
    """People by census age band, per sex (`female`, `male`) and for both (None), summed over areas."""
    ages = population[(population["dimension"] == "age")]
    out: dict[str | None, dict] = {None: {}}
    for band, sex, people in zip(ages["band"], ages["sex"], ages["people"]):
        parsed = parse_band(band)
        if parsed is None or pd.isna(people):
            continue
        for key in ({None, sex} if isinstance(sex, str) else {None}):
            out.setdefault(key, {})
            out[key][parsed] = out[key].get(parsed, 0.0) + float(people)
    return out


def account_age_shares(demographics: pd.DataFrame, followers: dict[str, int]) -> dict[str, dict]:
    """Per account with age figures: {"by_sex": bool, "shares": {(band, sex): share}}; shares from
    counts when the export gives counts."""
    ages = demographics[demographics["dimension"] == "age"]
    out = {}
    for account, rows in ages.groupby("account_id", sort=True):
        by_sex = rows["sex"].isin(list(SEX_WORDS)).all()
        shares = {}
        for band, sex, share, count in zip(rows["band"], rows["sex"], rows["share"], rows["count"]):
            parsed = parse_band(band)
            if parsed is None:
                continue
            if pd.isna(share) and pd.notna(count) and followers.get(account):
                share = float(count) / followers[account]
            if pd.isna(share):
                continue
            key = (parsed, sex if by_sex else None)
            shares[key] = shares.get(key, 0.0) + float(share)
        if shares:
            out[account] = {"by_sex": bool(by_sex), "shares": shares}
    return out


def _collapse_sex(shares: dict) -> dict:
    out: dict = {}
    for (band, _), value in shares.items():
        out[(band, None)] = out.get((band, None), 0.0) + value
    return out


def build_view(platform: str, accounts: dict[str, dict], followers: dict[str, int], pop: dict, min_band: int,
               bands: list | None = None) -> View | None:
    """The view of `accounts` (those with age figures and a follower figure) on `bands` (default:
    their own, when they all share them), by sex when every account splits by sex."""
    weighted = {a: s for a, s in accounts.items() if followers.get(a)}
    if not weighted:
        return None
    by_sex = all(s["by_sex"] for s in weighted.values())
    per_account = {a: (s["shares"] if by_sex else _collapse_sex(s["shares"])) for a, s in weighted.items()}
    if bands is None:
        bands = common_bands([sorted({b for b, _ in shares}) for shares in per_account.values()])
    sexes = list(SEX_WORDS) if by_sex else [None]
    totals: dict = {(b, s): 0.0 for b in bands for s in sexes}
    base = 0.0
    for account, shares in per_account.items():
        merged = {}
        for sex in sexes:
            part = merge_into({b: v for (b, s), v in shares.items() if s == sex}, bands)
            if part is None:
                merged = None
                break
            merged.update({(b, sex): v for b, v in part.items()})
        if merged is None:
            continue
        n = followers[account]
        base += n
        for key, value in merged.items():
            totals[key] += value * n
    if not base:
        return None
    view = View(platform, by_sex, followers=base, accounts=len(per_account))
    people = {}
    for sex in sexes:
        aligned, split = align(pop.get(sex, {}), bands)
        view.split |= split
        people.update({(b, sex): v for b, v in aligned.items()})
    everyone = sum(people.values())
    for (band, sex), in_band in totals.items():
        audience_share = in_band / base
        population_share = people[(band, sex)] / everyone if everyone else None
        measured = in_band >= min_band and population_share
        view.rows.append({
            "band": band, "sex": sex, "followers": in_band, "audience_share": audience_share,
            "population_share": population_share or 0.0,
            "index": 100 * audience_share / population_share if measured else None,
        })
    return view


def account_sex_shares(demographics: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per account with a breakdown by sex only (TikTok Studio's FollowerGender): sex → share."""
    rows = demographics[(demographics["dimension"] == "sex") & demographics["band"].isin(list(SEX_WORDS))]
    return {account: dict(zip(g["band"], g["share"].astype(float))) for account, g in rows.groupby("account_id", sort=True)
            if g["share"].notna().all()}


def build_sex_view(platform: str, accounts: dict[str, dict[str, float]], followers: dict[str, int], pop: dict,
                   min_band: int, youngest: int = 18) -> View | None:
    """Women and men among the followers of accounts whose export gives sex but no age, against
    women and men among residents aged `youngest` and over (the platform reports no younger)."""
    weighted = {a: s for a, s in accounts.items() if followers.get(a)}
    if not weighted:
        return None
    base = sum(followers[a] for a in weighted)
    band = (youngest, None)
    people = {sex: align(pop.get(sex, {}), [band])[0][band] for sex in SEX_WORDS}
    everyone = sum(people.values())
    view = View(platform, by_sex=True, followers=base, accounts=len(weighted))
    for sex in SEX_WORDS:
        in_band = sum(s.get(sex, 0.0) * followers[a] for a, s in weighted.items())
        share = people[sex] / everyone if everyone else None
        view.rows.append({"band": band, "sex": sex, "followers": in_band, "audience_share": in_band / base,
                          "population_share": share or 0.0,
                          "index": 100 * (in_band / base) / share if share and in_band >= min_band else None})
    return view

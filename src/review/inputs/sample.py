"""Seeded synthetic sample data: two years of a fictional force's social media, for demos,
tests and benchmarks.

`generate_sample(size, year, seed)` returns one frame per canonical table (exactly the
contract's columns and dtypes) for the calendar years `year - 1` and `year`, so year-on-year
comparisons have something to compare. `write_sample` writes them as canonical CSVs plus a
`SYNTHETIC.json` marker, byte-identical for the same seed. `build_sample` does both in one pass
and streams the contacts, which is how size L (about 31 million contacts) fits in memory;
`python -m review.inputs.sample --size S --year 2025 --out data/sample` runs it.

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
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from review.config import StaffedHours
from review.inputs.contracts import TABLES
from review.errors import ReviewError
from review.inputs.raw import sha256_of

FORCE_NAME = "Northshire Police"
TIMEZONE = "Europe/London"
GENERATOR = "review.sample"  # written into SYNTHETIC.json: the generator's name, kept when the module moved

_NS_SECOND = 10**9
_NS_MINUTE = 60 * _NS_SECOND
_NS_HOUR = 60 * _NS_MINUTE
_NS_DAY = 24 * _NS_HOUR
_NAT = np.iinfo(np.int64).min  # NaT as int64 nanoseconds
_PRIOR_POSTS = 0.93  # posts in year - 1 relative to year
_PRIOR_CONTACTS = 0.92
_CSV_CHUNK_ROWS = 500_000

# One stream id per table, so each table's draws are independent of the others'.
_STREAM = {
    "accounts": 1,
    "audience": 2,
    "critical_incidents": 3,
    "posts": 4,
    "contacts": 5,
    "incidents": 6,
    "compliance_checks": 7,
    "training": 8,
    "recommendations": 9,
    "audience_demographics": 10,
    "population": 11,
}


@dataclass(frozen=True)
class SizeSpec:
    """What a named sample size models, and its volumes per year."""

    name: str
    models: str
    accounts: int
    posts_per_year: int
    contacts_per_year: int
    forces: int
    critical_incidents_per_force_year: tuple[int, int]  # inclusive range, drawn per force and year
    conduct_cases_per_year: tuple[int, int]  # inclusive range, across all forces
    overnight_cover_share: float  # share of out-of-hours messages picked up before the desk opens


SIZES: dict[str, SizeSpec] = {
    "S": SizeSpec("S", "a small force, few corporate accounts", 6, 4_000, 60_000, 1, (3, 6), (6, 12), 0.10),
    "M": SizeSpec(
        "M",
        "a large force with a 24/7 digital desk and neighbourhood pages",
        70,
        30_000,
        400_000,
        1,
        (8, 14),
        (20, 40),
        0.55,
    ),
    "L": SizeSpec("L", "a national review, 43 forces", 2_500, 1_200_000, 16_000_000, 43, (4, 10), (450, 650), 0.25),
}

# --------------------------------------------------------------------------------------------
# The force and its accounts
# --------------------------------------------------------------------------------------------

_FORCES = [
    "Northshire", "Southmoor", "Eastvale", "Westmarch", "Avonmere", "Brackenshire", "Caldermoor",
    "Dunholm", "Elmshire", "Fenvale", "Greywater", "Harrowdale", "Ironmoor", "Kestrelshire",
    "Lakemere", "Marchford", "Netherdale", "Oakvale", "Pennmoor", "Ravensdale", "Saltmarsh",
    "Thornshire", "Wealdmoor", "Wyvernshire", "Ashdale", "Blackmoor", "Coldharbour", "Downshire",
    "Eskvale", "Farndale", "Glenmere", "Highmoor", "Ingleshire", "Kingsmere", "Longdale",
    "Millshire", "Northmarch", "Oxvale", "Portmere", "Queensdale", "Riverdale", "Stonemoor",
    "Tynevale",
]  # fmt: skip
assert len(_FORCES) == 43

_NORTHSHIRE_AREAS = [
    "Aldermoor", "Brambleton", "Calderbridge", "Dunsmere", "Elderfield", "Foxley", "Greystone",
    "Hartley Bay", "Kettlewick", "Lindenford", "Marshbrook", "Netherby", "Oakhurst", "Pendle Cross",
    "Ravensholme", "Stanwick", "Thornbury Vale", "Wickham Moor", "Ashby Green", "Birchley",
    "Colebrook", "Deanfield", "Fernhill", "Northshire City",
]  # fmt: skip
_AREA_PREFIX = ["Alder", "Bramble", "Calder", "Dun", "Elder", "Fox", "Grey", "Hart", "Kettle", "Linden",
                "Marsh", "Nether", "Oak", "Pen", "Raven", "Stan", "Thorn", "Wick", "Ash", "Birch", "Cole",
                "Dean", "Ember", "Fern"]  # fmt: skip
_AREA_SUFFIX = ["moor", "ton", "bridge", "mere", "field", "ley", "stone", "ford", "by", "wick", "ham", "dale"]
_DISTRICTS = ["North", "South", "East", "West", "Central"]

# platform, handle pattern, base followers (a large force), posts weight, contact propensity,
# yearly follower growth, opened between these years
_CORPORATE = [
    ("X", "@{F}Police", 150_000, 2800, 1.0, -0.02, (2009, 2011)),
    ("Facebook", "facebook.com/{F}Police", 230_000, 2400, 1.6, 0.05, (2010, 2012)),
    ("Instagram", "@{f}police", 42_000, 600, 0.5, 0.15, (2015, 2017)),
    ("YouTube", "youtube.com/@{F}Police", 8_500, 70, 0.15, 0.08, (2009, 2012)),
    ("Nextdoor", "nextdoor.co.uk/agency-detail/{f}-police", 65_000, 900, 0.6, 0.12, (2019, 2021)),
    ("LinkedIn", "linkedin.com/company/{f}-police", 21_000, 220, 0.15, 0.11, (2013, 2016)),
]
_TIKTOK = ("TikTok", "@{f}police", 26_000, 150, 0.8, 0.9, None)  # opened in the year before
_BLOG = ("Other", "{f}.police.uk/blog", 4_000, 40, 0.3, 0.03, (2012, 2013))
_RECRUITMENT = [
    ("X", "@Join{F}Police", 9_000, 250, 0.3, 0.04),
    ("Facebook", "facebook.com/Join{F}Police", 14_000, 250, 0.5, 0.08),
    ("Instagram", "@join{f}police", 8_000, 180, 0.4, 0.12),
]
# owner unit, display name, platform, handle pattern, base followers, posts weight, theme profile, unit words
_SPECIALIST = [
    ("Roads Policing Unit", "Roads Policing", "X", "@{F}Roads", 38_000, 600, "roads", "roads policing officers"),
    ("Roads Policing Unit", "Roads Policing", "Facebook", "facebook.com/{F}RoadsPolicing", 24_000, 350, "roads",
     "roads policing officers"),
    ("Dog Section", "Dogs", "X", "@{F}PoliceDogs", 30_000, 300, "dogs", "dog handlers"),
    ("Dog Section", "Dogs", "Instagram", "@{f}policedogs", 26_000, 200, "dogs", "dog handlers"),
    ("Marine Unit", "Marine Unit", "X", "@{F}Marine", 6_000, 120, "unit", "marine unit"),
    ("Mounted Section", "Mounted Section", "X", "@{F}Mounted", 9_000, 150, "unit", "mounted officers"),
    ("Rural Crime Team", "Rural Crime", "X", "@{F}Rural", 7_500, 260, "unit", "rural crime team"),
    ("Rural Crime Team", "Rural Crime", "Facebook", "facebook.com/{F}RuralCrime", 11_000, 240, "unit",
     "rural crime team"),
    ("Drone Unit", "Drone Unit", "X", "@{F}Drones", 5_000, 90, "unit", "drone team"),
    ("Economic Crime Unit", "Fraud Prevention", "X", "@{F}Fraud", 3_500, 150, "prevention", "fraud team"),
    ("Cyber Crime Unit", "Cyber Protect", "X", "@{F}Cyber", 4_000, 140, "prevention", "cyber crime team"),
    ("Special Constabulary", "Specials", "X", "@{F}Specials", 3_000, 110, "unit", "special constables"),
    ("Citizens in Policing", "Cadets", "Instagram", "@{f}cadets", 2_500, 90, "unit",
     "police cadets"),
]  # fmt: skip


_MAX_FORCE_ACCOUNTS = 140  # 24 corporate, recruitment and specialist + 58 areas x 2


def _area_names(force_index: int, seed: int) -> list[str]:
    """Places in a force area. Northshire's are fixed; other forces' are drawn from made-up parts."""
    if force_index == 0:
        return list(_NORTHSHIRE_AREAS)
    combos = [p + s for p in _AREA_PREFIX for s in _AREA_SUFFIX]
    picks = np.random.default_rng([seed, _STREAM["accounts"], 100 + force_index]).choice(len(combos), 58, replace=False)
    return [combos[i] for i in picks]


def _force_sizes(spec: SizeSpec, rng: np.random.Generator) -> np.ndarray:
    """Accounts per force, summing to the size's total: Northshire has 70, the rest vary."""
    if spec.forces == 1:
        return np.array([spec.accounts])
    w = rng.lognormal(0, 0.5, spec.forces - 1)
    rest = spec.accounts - 70
    sizes = np.clip(np.floor(w / w.sum() * rest), 20, _MAX_FORCE_ACCOUNTS).astype(int)
    order = np.argsort(-w, kind="stable")
    while sizes.sum() != rest:  # hand out (or take back) the remainder, largest forces first
        step = 1 if sizes.sum() < rest else -1
        for i in order if step == 1 else order[::-1]:
            if sizes.sum() == rest:
                break
            if 20 <= sizes[i] + step <= _MAX_FORCE_ACCOUNTS:
                sizes[i] += step
    return np.concatenate([[70], sizes])


def _force_rows(
    force_index: int, n: int, scale: float, year: int, multi: bool, areas: list[str], rng: np.random.Generator,
    name_index: int | None = None,
) -> list[dict]:
    """The accounts of one force, n of them: corporate first, then the rest as n allows.

    `name_index` picks the force's name and code from _FORCES (default: `force_index`), so a
    one-force sample can be any of the 43 invented forces (national samples, review.outputs.national)."""
    named = force_index if name_index is None else name_index
    short = _FORCES[named]
    code = "NSP" if named == 0 else f"F{named:02d}"
    fmt = {"F": short, "f": short.lower()}
    unit_prefix = f"{short} Police " if multi else ""
    rows: list[dict] = []

    def add(platform, handle, name, owner, purpose, followers, weight, contact, growth, opened, profile, unit):
        rows.append(
            dict(
                force=force_index, force_short=short, force_code=code, platform=platform,
                handle=handle.format(**fmt), name=name, owner_unit=unit_prefix + owner, purpose=purpose,
                followers_end=followers, post_weight=weight, contact_weight=contact, growth=growth,
                opened=opened, profile=profile, unit_words=unit, area=None,
            )
        )  # fmt: skip

    def year_in(lo: int, hi: int) -> pd.Timestamp:
        days = (pd.Timestamp(f"{hi}-12-31") - pd.Timestamp(f"{lo}-01-01")).days
        return pd.Timestamp(f"{lo}-01-01") + pd.Timedelta(days=int(rng.integers(0, days + 1)))

    corporate = list(_CORPORATE)
    if n >= 30:
        corporate.append(_TIKTOK)
    if n >= 40:
        corporate.append(_BLOG)
    for platform, handle, followers, weight, contact, growth, opened in corporate[:n]:
        if opened is None:
            opened_at = pd.Timestamp(f"{year - 1}-03-01") + pd.Timedelta(days=int(rng.integers(0, 100)))
        else:
            opened_at = year_in(*opened)
        name = f"{short} Police" + (" blog" if platform == "Other" else "")
        add(platform, handle, name, "Corporate Communications", "corporate",
            followers * scale * rng.lognormal(0, 0.1), weight, contact, growth + rng.normal(0, 0.015),
            opened_at, "corporate", "officers")  # fmt: skip
    rest = n - len(rows)
    if rest <= 0:
        return rows
    n_recruit = 1 if n < 30 else (2 if n < 50 else 3)
    for platform, handle, followers, weight, contact, growth in _RECRUITMENT[: min(n_recruit, rest)]:
        add(platform, handle, f"Join {short} Police", "People Services - Recruitment", "recruitment",
            followers * scale * rng.lognormal(0, 0.2), weight, contact, growth, year_in(2016, 2020),
            "recruitment", "recruitment team")  # fmt: skip
    rest = n - len(rows)
    n_spec = min(len(_SPECIALIST), round(n * 0.19), rest)
    for owner, name, platform, handle, followers, weight, profile, unit in _SPECIALIST[:n_spec]:
        add(platform, handle, f"{short} Police {name}", owner, "specialist",
            followers * scale * rng.lognormal(0, 0.3), weight, 0.5, rng.normal(0.05, 0.04),
            year_in(2011, 2018), profile, unit)  # fmt: skip
    rest = n - len(rows)
    n_areas = min(len(areas), (rest + 1) // 2)
    # Facebook pages for every area first, then X accounts while places remain.
    slots = [("Facebook", i) for i in range(n_areas)] + [("X", i) for i in range(n_areas)]
    for platform, i in slots[:rest]:
        area = areas[i]
        district = _DISTRICTS[i % len(_DISTRICTS)]
        tag = area.replace(" ", "")
        if platform == "Facebook":
            handle, followers, weight = f"facebook.com/{tag}Police", rng.lognormal(np.log(4_500), 0.6), 330
        else:
            handle, followers, weight = f"@{code}_{tag}", rng.lognormal(np.log(2_200), 0.6), 260
        new = rng.random() < 0.04
        opened_at = year_in(year - 1, year - 1) if new else year_in(2012, 2019)
        add(platform, handle, f"{area} Neighbourhood Policing Team", f"{short} {district} Neighbourhood Team",
            "neighbourhood", followers * scale, weight * rng.lognormal(0, 0.3), 1.2,
            rng.normal(0.06 if platform == "Facebook" else -0.01, 0.03), opened_at, "neighbourhood",
            f"{area} neighbourhood team")  # fmt: skip
        rows[-1]["area"] = area
    return rows


@dataclass
class _World:
    """Everything the tables share: the calendar, the hour grid and the hidden account facts."""

    spec: SizeSpec
    year: int
    seed: int
    start: pd.Timestamp  # 1 Jan of year - 1, UTC
    end: pd.Timestamp  # 1 Jan of year + 1, UTC: nothing on or after this
    n_days: int
    year_start_day: np.ndarray  # day index of 1 Jan for [year - 1, year]
    hour_ns: np.ndarray  # UTC start of each hour of the grid (a few days beyond the end)
    hour_local: np.ndarray
    weekday_local: np.ndarray
    month_local: np.ndarray
    staffed: np.ndarray
    next_open_ns: np.ndarray  # for each hour, when the desk next opens at or after it
    acc: pd.DataFrame  # accounts with hidden columns
    followers: np.ndarray  # accounts x days, followers at the end of each day
    areas: dict[int, list[str]]

    @property
    def n_hours(self) -> int:
        return self.n_days * 24

    def rng(self, table: str, *keys: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, _STREAM[table], *keys])

    def year_of_day(self, day: np.ndarray) -> np.ndarray:
        return np.where(day >= self.year_start_day[1], self.year, self.year - 1)


def _rng(seed: int, table: str) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAM[table]])


def _build_world(spec: SizeSpec, year: int, seed: int, first_force: int = 0) -> _World:
    start = pd.Timestamp(f"{year - 1}-01-01", tz="UTC")
    end = pd.Timestamp(f"{year + 1}-01-01", tz="UTC")
    n_days = (end - start).days
    grid = pd.date_range(start, periods=n_days * 24 + 24 * 10, freq="h").as_unit("ns")
    local = grid.tz_convert(TIMEZONE)
    hours = StaffedHours()
    hour_local = local.hour.to_numpy()
    weekday = local.day_of_week.to_numpy()
    staffed = (hour_local >= hours.start_hour) & (hour_local < hours.end_hour) & np.isin(weekday, hours.weekdays)
    opens = np.flatnonzero(staffed & ~np.concatenate([[False], staffed[:-1]]))
    hour_ns = grid.asi8
    nxt = np.searchsorted(opens, np.arange(len(grid)))
    next_open = np.where(nxt < len(opens), hour_ns[opens[np.minimum(nxt, len(opens) - 1)]], hour_ns[-1])

    rng = _rng(seed, "accounts")
    sizes = _force_sizes(spec, rng)
    scales = [0.35] if spec.accounts <= 10 else np.clip(sizes / 70, 0.3, 2.0)
    rows: list[dict] = []
    areas = {f: _area_names(first_force + f, seed) for f in range(spec.forces)}
    for f, (n, scale) in enumerate(zip(sizes, scales)):
        rows.extend(_force_rows(f, int(n), float(scale), year, spec.forces > 1, areas[f], rng, first_force + f))
    acc = pd.DataFrame(rows)
    n = len(acc)
    if n != spec.accounts:
        raise AssertionError(f"built {n} accounts for size {spec.name}, expected {spec.accounts}")
    codes = acc["force_code"].to_numpy()
    seq = acc.groupby("force").cumcount().to_numpy() + 1
    acc["account_id"] = [f"{c}-{s:03d}" for c, s in zip(codes, seq)]
    day0 = pd.Timestamp(f"{year - 1}-01-01")
    acc["opened_day"] = ((pd.to_datetime(acc["opened"]) - day0).dt.days).to_numpy()
    corporate = acc["purpose"].eq("corporate").to_numpy()
    big = spec.accounts >= 20

    # Gaps the review should find: closed, dormant, unapproved, no MFA, overdue reviews.
    closed = big & ~corporate & (rng.random(n) < 0.05) & (acc["opened_day"].to_numpy() < 0)
    closed_day = np.where(closed, rng.integers(30, n_days - 30, n), n_days + 10_000)
    dormant = big & ~corporate & ~closed & (rng.random(n) < 0.07)
    if not big:
        dormant |= acc["platform"].eq("YouTube").to_numpy()
    last_post_day = np.where(dormant, n_days - rng.integers(100, 280, n), n_days + 10_000)
    approved = ~(big & ~corporate & (rng.random(n) < 0.07))
    mfa = ~(big & ~corporate & (rng.random(n) < 0.11))
    if not big:
        approved &= ~acc["platform"].eq("LinkedIn").to_numpy()
        mfa &= ~acc["platform"].eq("LinkedIn").to_numpy()
    year_end_day = n_days - 1
    u = rng.random(n)
    reviewed_day = np.where(u < 0.78, year_end_day - rng.integers(10, 340, n), year_end_day - rng.integers(400, 900, n))
    never = u > 0.95
    if not big:
        nextdoor = acc["platform"].eq("Nextdoor").to_numpy()
        reviewed_day = np.where(nextdoor, year_end_day - 610, reviewed_day)
        never &= ~nextdoor
    opened_day = acc["opened_day"].to_numpy()
    never |= reviewed_day < opened_day  # opened since: not reviewed yet
    reviewed_day = np.minimum(reviewed_day, closed_day)
    admins = np.where(
        corporate & acc["platform"].isin(["X", "Facebook"]).to_numpy(),
        rng.integers(6, 10, n),
        np.where(corporate, rng.integers(3, 6, n), rng.integers(1, 6, n)),
    )
    admins = np.where(closed & (rng.random(n) < 0.8), 0, admins)

    acc["closed_day"] = closed_day
    acc["last_post_day"] = last_post_day
    acc["is_dormant"] = dormant
    base = np.datetime64(f"{year - 1}-01-01")
    acc["opened_date"] = _dates(opened_day, base)
    acc["closed_date"] = _dates(np.where(closed, closed_day, -(10**9)), base, null=~closed)
    acc["is_approved"] = pd.array(approved, dtype="boolean")
    acc["has_mfa"] = pd.array(mfa, dtype="boolean")
    acc["admin_count"] = pd.array(admins, dtype="Int64")
    acc["last_reviewed_date"] = _dates(reviewed_day, base, null=never)

    followers = _follower_paths(acc, n_days, rng)
    return _World(
        spec=spec, year=year, seed=seed, start=start, end=end, n_days=n_days,
        year_start_day=np.array([0, (pd.Timestamp(f"{year}-01-01") - day0).days]),
        hour_ns=hour_ns, hour_local=hour_local, weekday_local=weekday,
        month_local=local.month.to_numpy(), staffed=staffed, next_open_ns=next_open,
        acc=acc, followers=followers, areas=areas,
    )  # fmt: skip


def _dates(day: np.ndarray, base: np.datetime64, null: np.ndarray | None = None) -> pd.Series:
    """Day offsets from `base` as naive midnight dates (datetime64[ns]); `null` marks empties."""
    values = (base + np.asarray(day).astype("timedelta64[D]")).astype("datetime64[ns]")
    if null is not None:
        values = np.where(null, np.datetime64("NaT", "ns"), values)
    return pd.Series(values, dtype="datetime64[ns]")


def _utc(ns: np.ndarray) -> pd.Series:
    """int64 nanoseconds (NaT as int64 min) as a tz-aware UTC series."""
    return pd.Series(np.asarray(ns, dtype=np.int64).view("M8[ns]")).dt.tz_localize("UTC")


def _ns(ts: pd.Series) -> np.ndarray:
    """A UTC timestamp series as int64 nanoseconds, NaT as _NAT (astype would refuse NaT)."""
    return ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("M8[ns]").view(np.int64)


def _follower_paths(acc: pd.DataFrame, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Followers at the end of each day: steady growth (or decline), daily noise, a few jumps."""
    n = len(acc)
    t = np.arange(n_days)
    end = acc["followers_end"].to_numpy(float)
    rate = np.log1p(np.maximum(acc["growth"].to_numpy(float), -0.5)) / 365
    steps = rng.normal(0, 0.0012, (n, n_days))
    steps += (rng.random((n, n_days)) < 0.003) * rng.exponential(0.012, (n, n_days))
    walk = np.cumsum(steps, axis=1)
    log_f = np.log(end)[:, None] - rate[:, None] * (n_days - 1 - t)[None, :] + walk - walk[:, -1:]
    # New accounts climb from a few hundred on the day they open.
    opened = acc["opened_day"].to_numpy()
    new = opened > 0
    if new.any():
        span = np.maximum(n_days - 1 - opened[new], 1)
        frac = np.clip((t[None, :] - opened[new, None]) / span[:, None], 0, 1)
        start = np.log(rng.uniform(80, 400, new.sum()))
        log_f[new] = start[:, None] + (np.log(end[new]) - start)[:, None] * np.sqrt(frac) + walk[new] - walk[new, -1:]
    return np.maximum(np.round(np.exp(log_f)), 0)


# --------------------------------------------------------------------------------------------
# Post text: templates per theme, plain and jargon versions
# --------------------------------------------------------------------------------------------

_THEMES = ["appeal", "missing", "prevention", "recruitment", "event", "reassurance", "road", "result", "info", "unit",
           "dogs"]
_THEME_MIX = {  # share of each theme by account profile
    "corporate": [0.20, 0.12, 0.14, 0.05, 0.06, 0.08, 0.09, 0.16, 0.10, 0.00, 0.00],
    "neighbourhood": [0.12, 0.05, 0.22, 0.00, 0.18, 0.30, 0.05, 0.08, 0.00, 0.00, 0.00],
    "roads": [0.15, 0.00, 0.10, 0.00, 0.00, 0.00, 0.60, 0.15, 0.00, 0.00, 0.00],
    "unit": [0.05, 0.00, 0.10, 0.02, 0.15, 0.15, 0.00, 0.08, 0.00, 0.45, 0.00],
    "dogs": [0.03, 0.00, 0.05, 0.02, 0.10, 0.05, 0.00, 0.05, 0.00, 0.20, 0.50],
    "prevention": [0.05, 0.00, 0.75, 0.00, 0.10, 0.00, 0.00, 0.05, 0.05, 0.00, 0.00],
    "recruitment": [0.00, 0.00, 0.00, 0.85, 0.15, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00],
}
# The web page a post's link points to, by theme.
_THEME_PATHS = ["ro/report", "news", "advice", "careers", "your-area", "your-area", "news", "news", "ro/report",
                "news", "news"]
# How far each theme travels (impressions) and draws people in (engagement rate).
_THEME_REACH = np.array([1.8, 3.0, 0.9, 0.8, 0.7, 0.8, 1.3, 1.4, 0.6, 1.2, 1.5])
_THEME_ENGAGE = np.array([1.3, 1.6, 0.8, 0.8, 0.9, 1.0, 1.0, 1.3, 0.6, 1.5, 2.0])

_TEMPLATES: dict[str, tuple[list[str], list[str]]] = {  # theme: (plain, jargon)
    "appeal": (
        [
            "We're appealing for witnesses after {crime} on {street}, {place}, {day}. Did you see anything? "
            "Call 101 and quote log {log}, or report online: {url}",
            "Can you help? We want to hear from anyone who saw {crime} in {place} {day}. "
            "Dashcam or doorbell footage could help us. {url}",
            "Do you know this man? We'd like to speak to him about {crime} in {place}. Call 101, quote log {log}.",
            "Did you see what happened on {street} in {place} {day}? We want to talk to anyone who was there.",
        ],
        [
            "Officers are appealing for witnesses following a report of {crime} which occurred on {street}, "
            "{place} at approximately {jtime} on {jdate}. The suspect is described as an {jdesc}. Enquiries are "
            "ongoing and anyone with information is asked to contact police on 101 quoting log {log} of {jdate} "
            "or alternatively contact @CrimestoppersUK anonymously.",
            "Police were called at {jtime} to reports of {crime} at a residential address in {place}. Officers "
            "were in attendance and a male was conveyed to hospital with injuries not believed to be life "
            "threatening. Enquiries are ongoing. Anyone with information should call 101 quoting log {log}.",
            "Following an incident in {place} in which a vehicle failed to stop for officers, the occupants "
            "alighted and proceeded on foot. A male has been detained. Witnesses are asked to call 101 quoting log {log}.",
            "Enquiries are ongoing following {crime} in {place}. Suspect described as {jdesc}. Info to 101 log {log}.",
        ],
    ),
    "missing": (
        [
            "Have you seen {mname}? He's {age} and was last seen in {place} {day}, wearing {clothes}. "
            "If you see him, call 999 and quote log {log}.",
            "Can you help us find {fname}? She's {age} and has not been seen since {day} in {place}. "
            "Please share. If you have seen her, call 101 and quote log {log}.",
            "Update: {mname}, who was missing from {place}, has been found safe and well. Thank you for sharing.",
            "{fname} has been found. Thank you to everyone who shared our appeal.",
        ],
        [
            "Police are concerned for the welfare of missing {place} male {mname}, aged {age}, who was last seen "
            "at {jtime} on {jdate}. He is described as an {jdesc}, wearing {clothes}. Anyone who has seen him or "
            "has information as to his whereabouts is asked to contact police on 101 quoting log {log}.",
            "Update - missing female {fname} has been located safe and well. Police would like to thank members "
            "of the public for their assistance.",
            "MISSING: {fname}, {age}, from {place}. Last seen {jtime}. Concern for welfare. Call 101 log {log}.",
        ],
    ),
    "prevention": (
        [
            "Thieves are targeting {item} in {place}. Lock it, mark it and keep it out of sight. Free advice: {url}",
            "Going away? Use timer switches, cancel deliveries and ask a neighbour to keep an eye on your home. {url}",
            "Fraudsters are calling people in {place} pretending to be police officers. We will never ask for your "
            "bank details or send a courier to collect cash. Hang up and tell us: {url}",
            "Lock your car. Take your valuables with you. It only takes seconds for a thief to try the door.",
            "Your bike is easier to get back if it's marked and registered. Come to one of our free events. {url}",
        ],
        [
            "Officers have received a number of reports of {scam} in the {place} area. Members of the public are "
            "reminded to remain vigilant and not to divulge personal or financial details to unknown persons. "
            "Should you receive a suspicious call please terminate the call and report the matter to police on 101.",
            "Following a spate of thefts of {item} from outbuildings in the {place} area, residents are advised to "
            "ensure premises are adequately secured and that property is security marked.",
            "Residents are advised to ensure vehicles are secured and valuables removed following a number of "
            "thefts from vehicles in the {place} area overnight.",
        ],
    ),
    "recruitment": (
        [
            "Want a job that makes a difference? We're recruiting police officers now. Find out more and apply: {url}",
            "New police staff jobs are open: call handlers, detectives, analysts and more. Apply by Friday: {url}",
            "Meet {fname}, one of our new student officers. She joined from retail and hasn't looked back. "
            "Could you do it too? {url}",
            "Join our Special Constabulary. Give at least 16 hours a month and we'll give you full training. {url}",
        ],
        [
            "{force} Police is currently accepting applications for the role of Police Constable via the Police "
            "Constable Degree Apprenticeship (PCDA) and Degree Holder Entry Programme (DHEP) entry routes. "
            "Candidates must meet the eligibility criteria. For further information and to apply please visit {url}",
            "Applications are now open for the role of Police Community Support Officer (PCSO). Successful "
            "candidates will be deployed to neighbourhood policing teams across the force area. {url}",
        ],
    ),
    "event": (
        [
            "Come and meet your local officers at {event} at {venue}, {place}, {when}. The kettle will be on!",
            "We're at {venue} in {place} {when} for {event}. Pop along and say hello.",
            "Thank you to everyone who came to {event} in {place}. It was good to meet so many of you.",
        ],
        [
            "The {team} will be holding {event} at {venue}, {place} {when}. Officers will be in attendance to "
            "provide crime prevention advice and to discuss any issues of concern within the local community.",
        ],
    ),
    "reassurance": (
        [
            "Officers are on patrol in {place} town centre tonight. If you need us, come and talk to us.",
            "You may see more officers in {place} today. We're working to stop anti-social behaviour. "
            "There is no need to worry.",
            "Thank you to everyone who talked to us at {venue} in {place} {day}. Speeding on {street} is now one "
            "of our priorities.",
            "Quiet night in {place}. We stopped two cars and spoke to a group of young people near {venue}.",
        ],
        [
            "Officers from the {team} have been conducting high visibility patrols in the {place} area following "
            "recent reports of anti-social behaviour. A number of youths were spoken to and words of advice were "
            "given. Patrols will continue in the area.",
            "An increased police presence will be in place in {place} following an incident on {street} {day}. "
            "This is to provide reassurance to the local community. Enquiries are ongoing.",
            "Officers attended {street} at {jtime} following reports of youths causing ASB. Area searched, "
            "no trace. Patrols to continue.",
        ],
    ),
    "road": (
        [
            "The {road} is closed both ways near {place} after a crash. Please avoid the area and use another route.",
            "Slow down. Speeding was a factor in many of the serious crashes on our roads last year.",
            "The {road} near {place} has now reopened. Thank you for your patience.",
            "Don't drink and drive. One more could cost you your licence, or a life.",
        ],
        [
            "Officers are in attendance at an RTC on the {road} at {place} involving two vehicles. The carriageway "
            "is currently closed in both directions. Motorists are advised to seek alternative routes and to "
            "expect delays.",
            "Please be advised that following a serious RTC on the {road} at approximately {jtime} a male has been "
            "conveyed to hospital. Collision investigators are in attendance and road closures will be in situ "
            "for some time. Any witnesses or those with dashcam footage are asked to contact 101 quoting log {log}.",
            "{vehicle} was stopped on the {road} by officers. The driver failed a roadside breath test and was "
            "subsequently arrested on suspicion of drink driving.",
            "RTC {road} j/w {street}, {place}. Vehicle recovery en route. Expect delays.",
        ],
    ),
    "result": (
        [
            "A man from {place} has been jailed for {sentence} for {offence}. Thank you to everyone who helped.",
            "We've charged a {age}-year-old woman with {offence} after an incident in {place} {day}. "
            "She will appear at {place} Magistrates' Court next week.",
            "Two people have been arrested after a drugs raid in {place} this morning. If you have concerns about "
            "drugs where you live, tell us: {url}",
        ],
        [
            "A {age} year old male from {place} has been charged with {offence} and has been remanded in custody "
            "to appear before magistrates. This follows an incident on {street} on {jdate}.",
            "Following a warrant executed at an address in {place} this morning, a quantity of suspected class A "
            "drugs and cash were seized. Two males were arrested and remain in police custody at this time.",
        ],
    ),
    "info": (
        [
            "You can report crime that is not an emergency online, any time: {url} In an emergency, always call 999.",
            "Need us? Call 101, use our website or send us a message here. We aim to reply within an hour between "
            "8am and 8pm.",
            "Our front counter in {place} is open from 9am to 5pm, Monday to Friday.",
        ],
        [
            "Members of the public are reminded that this account is not monitored 24/7. In an emergency always "
            "dial 999. For non-emergency matters please contact police via 101 or utilise the online reporting "
            "facility available at {url}",
        ],
    ),
    "unit": (
        [
            "Our {unit} were out on patrol around {place} today. Say hello if you see us.",
            "A busy shift for our {unit}: three arrests and a stolen car found in {place}.",
            "Ever wondered what our {unit} do? Here's a day in the life, from briefing to the end of the shift.",
        ],
        [
            "The {unit} were deployed to {place} following reports of a vulnerable person. The male was located "
            "and conveyed to a place of safety.",
            "Officers from the {unit} conducted patrols of the {place} area during the hours of darkness in "
            "response to intelligence received regarding criminality in the locality.",
        ],
    ),
    "dogs": (
        [
            "{dog} had a busy night, tracking a suspect through gardens in {place} to a garden shed. Good dog!",
            "Meet {dog}, our newest police dog. Training starts next week.",
            "{dog} found a missing man in woods near {place} last night. He's now safe and warm.",
        ],
        [
            "Last night {dog} was deployed following a burglary at a commercial premises in {place}. {dog} "
            "conducted a track and located a male who was subsequently arrested on suspicion of burglary.",
            "{dog} was deployed at {jtime} to a report of a vehicle which had failed to stop. The occupants "
            "decamped from the vehicle and {dog} located one male a short distance away.",
        ],
    ),
}
_CRITICAL_TEMPLATES: dict[str, tuple[list[str], list[str]]] = {  # stage: (plain, jargon)
    "first": (
        ["We're dealing with {ci_what} in {place}. Please avoid the area. We'll post updates here.",
         "Please stay away from {place}. We're dealing with {ci_what}. More soon."],
        ["Emergency services are currently in attendance at {ci_what} in the {place} area. Members of the public "
         "are asked to avoid the vicinity whilst the incident is dealt with. Further updates will follow in due course."],
    ),
    "update": (
        ["Update on {ci_what} in {place}: {ci_update}. Thank you for your patience.",
         "Latest from {place}: {ci_update}. Please share our updates, not rumours."],
        ["Update: Cordons remain in situ in {place} and officers remain in attendance. {ci_update}."],
    ),
    "rumour": (
        ["We've seen posts online about the incident in {place} that are not true. Please only share information "
         "from official accounts. We'll update you as soon as we can."],
        ["We are aware of speculation circulating on social media in relation to the ongoing incident in {place}. "
         "Members of the public are asked to refrain from sharing unverified information."],
    ),
    "standdown": (
        ["The incident in {place} is over and the roads have reopened. Thank you for your help and patience."],
        ["The incident in {place} has now been stood down and all cordons have been lifted. Police would like to "
         "thank the public for their co-operation."],
    ),
}  # fmt: skip

_VOCAB: dict[str, list[str]] = {
    "street": ["High Street", "Station Road", "Church Lane", "Mill Lane", "Victoria Road", "Queen Street",
               "Market Place", "Park Avenue", "School Lane", "the Parade", "Bridge Street", "North Road"],
    "road": ["A169", "A619", "A6108", "B6265", "A684", "A1079", "B1249", "A57"],
    "day": ["on Saturday", "yesterday", "on Monday evening", "last night", "this morning", "on Friday afternoon",
            "on Sunday", "on Tuesday night", "earlier today"],
    "when": ["this Saturday from 10am", "next Tuesday, 2pm to 4pm", "on Friday morning", "tomorrow from 11am",
             "on Thursday evening"],
    "jtime": ["1430hrs", "0215hrs", "2310hrs", "1705hrs", "0940hrs", "1955hrs", "0020hrs"],
    "jdate": ["04/03", "12/06", "21/09", "30/11", "17/01", "08/08", "25/04"],
    "jdesc": ["IC1 male, approximately 5'10\", of medium build", "IC1 male, slim build, aged in his 20s",
              "IC3 male, of stocky build, wearing dark clothing", "IC1 female, approx 5'4\", with long dark hair"],
    "crime": ["a burglary", "a robbery", "an assault", "criminal damage to cars", "a theft from a shop",
              "an attempted burglary", "a hit and run", "a break-in at a garage"],
    "item": ["bikes", "catalytic converters", "power tools", "quad bikes", "garden machinery", "vans", "tractors"],
    "scam": ["courier fraud", "romance scams", "fake HMRC calls", "ticket fraud", "doorstep crime"],
    "event": ["a community drop-in", "a bike marking event", "a beat surgery", "a cuppa with a copper",
              "a crime prevention stall"],
    "venue": ["the library", "the community centre", "the market square", "the leisure centre",
              "the village hall", "the supermarket"],
    "mname": ["Liam", "Jack", "Connor", "Daniel", "Tyler", "Kieran", "Harry", "Michael", "Josh"],
    "fname": ["Jodie", "Chloe", "Amy", "Emily", "Sophie", "Leah", "Megan", "Grace", "Hannah"],
    "age": [str(a) for a in (13, 14, 15, 15, 16, 17, 19, 23, 28, 34, 41, 47, 56, 68, 74, 81)],
    "clothes": ["a black coat, grey joggers and white trainers", "a blue school uniform",
                "a red hooded top and jeans", "a green parka and black boots"],
    "sentence": ["two years and four months", "18 months", "three years", "a 12-month community order", "six years"],
    "offence": ["burglary", "dangerous driving", "carrying a knife", "assault", "drug supply", "stalking"],
    "vehicle": ["A silver Ford Focus", "A black Audi A3", "A white Transit van", "A grey BMW 3 Series"],
    "dog": ["PD Max", "PD Bruno", "PD Luna", "PD Ted", "PD Nala", "PD Sherlock"],
    "ci_update": ["roads around the area remain closed", "there is no wider risk to the public",
                  "people living nearby should keep windows and doors shut", "a rest centre is open at the leisure centre",
                  "officers will stay in the area overnight", "the cordon has been made smaller"],
    "tag_appeal": ["#CanYouHelp", "#Appeal", "#Witnesses"],
    "tag_missing": ["#MissingPerson", "#Missing", "#PleaseShare"],
    "tag_prevention": ["#CrimePrevention", "#ScamAware", "#LockItOrLoseIt"],
    "tag_recruitment": ["#JoinUs", "#PoliceRecruitment", "#PoliceJobs"],
    "tag_event": ["#MeetYourTeam", "#Community", "#CuppaWithACopper"],
    "tag_reassurance": ["#Patrols", "#Neighbourhood", "#ASB"],
    "tag_road": ["#RoadSafety", "#Fatal4", "#RoadClosed"],
    "tag_result": ["#Charged", "#Jailed", "#Justice"],
    "tag_info": ["#ReportOnline", "#Emergency999", "#Call101"],
    "tag_unit": ["#OnPatrol", "#TeamWork", "#DayInTheLife"],
    "tag_dogs": ["#PoliceDogs", "#GoodDog", "#DogsOfInstagram"],
    "tag_critical": ["#StaySafe", "#RoadClosure", "#Update"],
    "national_mention": ["@CrimestoppersUK", "@ActionFraudUK", "@MissingPeople"],
}  # fmt: skip
_SHORT_LINK_CHARS = np.array(list(string.ascii_letters + string.digits))

_PLATFORM_MEDIA = {  # text, image, video, link
    "X": [0.25, 0.45, 0.12, 0.18],
    "Facebook": [0.12, 0.55, 0.13, 0.20],
    "Instagram": [0.0, 0.75, 0.25, 0.0],
    "YouTube": [0.0, 0.0, 1.0, 0.0],
    "Nextdoor": [0.45, 0.40, 0.0, 0.15],
    "LinkedIn": [0.15, 0.50, 0.10, 0.25],
    "TikTok": [0.0, 0.0, 1.0, 0.0],
    "Other": [0.30, 0.0, 0.0, 0.70],
}
# platform: impressions per follower (median), engagement rate (median),
# share of engagements as reactions, comments, shares, link clicks (0 = not reported)
_PLATFORM_METRICS = {
    "X": (0.06, 0.012, [0.55, 0.10, 0.20, 0.15]),
    "Facebook": (0.22, 0.028, [0.55, 0.15, 0.20, 0.10]),
    "Instagram": (0.18, 0.045, [0.85, 0.08, 0.07, 0.0]),
    "YouTube": (1.5, 0.05, [0.80, 0.10, 0.10, 0.0]),
    "Nextdoor": (0.25, 0.015, [0.75, 0.25, 0.0, 0.0]),
    "LinkedIn": (0.09, 0.025, [0.60, 0.08, 0.10, 0.22]),
    "TikTok": (0.8, 0.06, [0.80, 0.08, 0.12, 0.0]),
    "Other": (0.3, 0.01, [0.2, 0.3, 0.0, 0.5]),
}
_NO_REACH = {"X", "Nextdoor", "YouTube", "LinkedIn", "TikTok", "Other"}
_PLATFORMS = list(_PLATFORM_MEDIA)


def _template_fields(template: str) -> list[tuple[str, str | None]]:
    return [(lit, field) for lit, field, _, _ in string.Formatter().parse(template)]


def _fill(templates: list[str], choice: np.ndarray, slots: dict[str, np.ndarray]) -> np.ndarray:
    """Fill template `choice[i]` for each row from the per-row slot arrays, vectorised per template."""
    out = np.empty(len(choice), dtype=object)
    for t, template in enumerate(templates):
        rows = np.flatnonzero(choice == t)
        if rows.size == 0:
            continue
        acc = np.full(rows.size, "", dtype=object)
        for literal, field in _template_fields(template):
            acc = acc + literal
            if field is not None:
                acc = acc + slots[field][rows]
        out[rows] = acc
    return out


def _pick(rng: np.random.Generator, values: list[str], n: int) -> np.ndarray:
    return np.array(values, dtype=object)[rng.integers(0, len(values), n)]


def _short_links(rng: np.random.Generator, n: int) -> np.ndarray:
    chars = _SHORT_LINK_CHARS[rng.integers(0, len(_SHORT_LINK_CHARS), (n, 6))]
    return np.strings.add("https://orlo.uk/", chars.view("U6").ravel()).astype(object)


def _text_slots(
    world: _World, acc_idx: np.ndarray, url_path: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Per-row values for every template slot; the account decides the force, place and team."""
    n = len(acc_idx)
    acc = world.acc
    slots = {k: _pick(rng, v, n) for k, v in _VOCAB.items() if not k.startswith(("tag_", "url_"))}
    force = acc["force_short"].to_numpy(object)[acc_idx]
    area = acc["area"].to_numpy(object)[acc_idx]
    force_idx = acc["force"].to_numpy()[acc_idx]
    n_areas = np.array([len(world.areas[f]) for f in range(max(world.areas) + 1)])
    width = int(n_areas.max())
    area_table = np.array([world.areas[f] + [""] * (width - len(world.areas[f])) for f in range(len(n_areas))], dtype=object)
    random_area = area_table[force_idx, (rng.random(n) * n_areas[force_idx]).astype(int)]
    slots["force"] = force
    slots["place"] = np.where(pd.isna(area), random_area, area).astype(object)  # fmt: skip
    no_area = pd.isna(area)
    area_text = np.where(no_area, "", area).astype(object)
    slots["team"] = np.where(
        no_area, acc["name"].to_numpy(object)[acc_idx], area_text + " neighbourhood team"
    ).astype(object)
    slots["unit"] = acc["unit_words"].to_numpy(object)[acc_idx]
    domain = np.strings.add(np.strings.add("https://www.", np.strings.lower(force.astype(str))), ".police.uk/")
    long_url = np.strings.add(domain, url_path.astype(str)).astype(object)
    slots["url"] = np.where(rng.random(n) < 0.45, _short_links(rng, n), long_url)
    local = np.array(["Fire", "Council", "PCC", "Roads"], dtype=object)[rng.integers(0, 4, n)]
    slots["mention"] = np.where(
        rng.random(n) < 0.6, "@" + force + local, _pick(rng, _VOCAB["national_mention"], n)
    ).astype(object)
    slots["log"] = np.char.zfill(rng.integers(1, 2400, n).astype(str), 4).astype(object)
    return slots


def _hashtags(rng, theme_names: np.ndarray, force: np.ndarray, lower_share: np.ndarray, platform: np.ndarray):
    """0-3 hashtags per post, some in lower case (harder for screen readers), on a new line sometimes."""
    n = len(theme_names)
    tags = np.full(n, "", dtype=object)
    count = rng.choice(4, size=n, p=[0.3, 0.42, 0.23, 0.05])
    first = rng.integers(0, 3, n)  # each list has three tags: take them in turn, never twice
    for k in range(3):
        has = count > k
        pick = np.empty(n, dtype=object)
        for theme in np.unique(theme_names):
            rows = theme_names == theme
            options = np.array(_VOCAB[f"tag_{theme}"], dtype=object)
            pick[rows] = options[(first[rows] + k) % len(options)]
        if k == 0:  # the force tag sometimes takes the first place
            pick = np.where(rng.random(n) < 0.25, "#" + force, pick)
        lower = rng.random(n) < lower_share
        pick = np.where(lower, np.char.lower(pick.astype(str)).astype(object), pick)
        tags = np.where(has, tags + " " + pick, tags)
    newline = np.isin(platform, ["Facebook", "Instagram"]) & (rng.random(n) < 0.3)
    return np.where(newline & (count > 0), "\n\n" + np.char.strip(tags.astype(str)).astype(object), tags)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------

def _hour_weights(world: _World, by_hour: list[float], by_month: list[float], by_weekday: list[float]) -> np.ndarray:
    w = (
        np.asarray(by_hour)[world.hour_local]
        * np.asarray(by_month)[world.month_local - 1]
        * np.asarray(by_weekday)[world.weekday_local]
    )
    w[world.n_hours :] = 0  # nothing on or after 1 January after the review year
    return np.concatenate([[0.0], np.cumsum(w)])


_POST_HOURS = [0.02, 0.01, 0.01, 0.01, 0.01, 0.03, 0.15, 0.6, 1.1, 1.3, 1.15, 1.0,
               0.95, 0.9, 0.95, 1.0, 1.1, 1.25, 1.2, 1.0, 0.8, 0.55, 0.3, 0.08]  # fmt: skip
_POST_MONTHS = [0.9, 0.88, 0.95, 1.0, 1.05, 1.12, 1.18, 1.15, 1.0, 1.0, 1.02, 1.15]
_POST_WEEKDAYS = [1.1, 1.1, 1.1, 1.1, 1.05, 0.8, 0.75]
_CONTACT_HOURS = [0.45, 0.3, 0.2, 0.15, 0.12, 0.15, 0.3, 0.6, 0.9, 1.0, 1.0, 1.0,
                  1.05, 1.0, 1.0, 1.05, 1.1, 1.25, 1.4, 1.55, 1.6, 1.5, 1.2, 0.8]  # fmt: skip
_CONTACT_MONTHS = [0.92, 0.9, 0.95, 0.98, 1.02, 1.08, 1.12, 1.1, 1.0, 1.0, 1.0, 1.08]
_CONTACT_WEEKDAYS = [1.0, 0.98, 0.97, 0.98, 1.05, 1.08, 1.0]


def _sample_hours(rng, cum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """An hour index in [lo, hi) for each row, in proportion to the hour weights."""
    u = cum[lo] + rng.random(len(lo)) * (cum[hi] - cum[lo])
    h = np.searchsorted(cum, u, side="right") - 1
    return np.clip(h, lo, hi - 1)


def _critical_incidents(world: _World) -> tuple[pd.DataFrame, dict]:
    """Declared critical incidents, and the burst of posts each one produced."""
    rng = world.rng("critical_incidents")
    kinds = [
        ("Flooding in {place}", "flooding"),
        ("Missing child, {place}", "a search for a missing child"),
        ("Serious collision on the {road}", "a serious collision on the {road}"),
        ("Fire at {place} industrial estate", "a large fire at an industrial estate"),
        ("Firearms incident, {place}", "a firearms incident"),
        ("Disorder in {place} town centre", "disorder in the town centre"),
        ("Suspicious package at {place} station", "a suspicious package at the railway station"),
        ("Search for missing walker near {place}", "a search for a missing walker"),
        ("Gas explosion, {place}", "a gas explosion"),
        ("Chemical leak, {place}", "a chemical leak"),
    ]
    acc = world.acc
    rows, posts = [], {"acc": [], "ns": [], "ci": [], "stage": [], "place": [], "what": []}
    end_ns = world.end.value
    for force in range(world.spec.forces):
        corp = acc[(acc["force"] == force) & acc["purpose"].eq("corporate")]
        by_platform = dict(zip(corp["platform"], corp.index))
        code = acc.loc[acc["force"] == force, "force_code"].iloc[0]
        for y_i, y in enumerate([world.year - 1, world.year]):
            lo, hi = world.year_start_day[y_i], (world.year_start_day[1] if y_i == 0 else world.n_days)
            k = int(rng.integers(world.spec.critical_incidents_per_force_year[0],
                                 world.spec.critical_incidents_per_force_year[1] + 1))  # fmt: skip
            days = np.sort(rng.integers(lo, hi, k))
            kind_order = rng.permutation(len(kinds))  # no two alike in a year
            place_order = rng.permutation(len(world.areas[force]))
            for j, day in enumerate(days):
                name, what = kinds[kind_order[j % len(kinds)]]
                place = world.areas[force][place_order[j % len(place_order)]]
                road = _VOCAB["road"][int(rng.integers(len(_VOCAB["road"])))]
                declared = world.start.value + int(day) * _NS_DAY + int(rng.integers(0, 86_400)) * _NS_SECOND
                hours = float(np.clip(rng.lognormal(np.log(14), 0.9), 2, 168))
                stood = declared + int(hours * 3600) * _NS_SECOND
                ci_id = f"{code}-CI-{y}-{j + 1:02d}"
                rows.append(
                    dict(critical_incident_id=ci_id, name=name.format(place=place, road=road), declared_at=declared,
                         stood_down_at=stood if stood < end_ns else _NAT)
                )  # fmt: skip
                first = declared + int(np.clip(rng.lognormal(np.log(35), 0.7), 10, 120) * 60) * _NS_SECOND
                n_upd = int(min(3 + rng.poisson(min(hours, 48) / 3), 25))
                span = max(stood - first, 30 * _NS_MINUTE)
                updates = first + np.sort(rng.beta(0.6, 1.6, n_upd) * span).astype(np.int64)
                times = [first, *updates.tolist()]
                stages = ["first"] + ["update"] * n_upd
                if rng.random() < 0.5:
                    times.append(first + int(rng.uniform(0.3, 6) * _NS_HOUR))
                    stages.append("rumour")
                times.append(stood + int(rng.uniform(5, 40) * _NS_MINUTE))
                stages.append("standdown")
                for t, stage in zip(times, stages):
                    targets = [("X", 0)]
                    if "Facebook" in by_platform and rng.random() < 0.85:
                        targets.append(("Facebook", int(rng.uniform(0, 15) * 60)))
                    if "Nextdoor" in by_platform and rng.random() < 0.3:
                        targets.append(("Nextdoor", int(rng.uniform(2, 30) * 60)))
                    for platform, lag_s in targets:
                        ts = t + lag_s * _NS_SECOND
                        if platform in by_platform and ts < end_ns:
                            posts["acc"].append(by_platform[platform])
                            posts["ns"].append(ts - ts % _NS_SECOND)
                            posts["ci"].append(ci_id)
                            posts["stage"].append(stage)
                            posts["place"].append(place)
                            posts["what"].append(what.format(road=road))
    frame = pd.DataFrame(rows)
    frame["declared_at"] = _utc(frame["declared_at"].to_numpy(np.int64) // _NS_SECOND * _NS_SECOND)
    frame["stood_down_at"] = _utc(
        np.where(frame["stood_down_at"] == _NAT, _NAT, frame["stood_down_at"] // _NS_SECOND * _NS_SECOND)
    )
    frame["critical_incident_id"] = frame["critical_incident_id"].astype("str")
    frame["name"] = frame["name"].astype("str")
    return frame, {k: np.array(v) for k, v in posts.items()}


def _posts(world: _World, ci_posts: dict) -> pd.DataFrame:
    rng = world.rng("posts")
    acc = world.acc
    cum = _hour_weights(world, _POST_HOURS, _POST_MONTHS, _POST_WEEKDAYS)
    ci_year = world.year_of_day((ci_posts["ns"] - world.start.value) // _NS_DAY)
    acc_parts, hour_parts = [], []
    for y_i, y in enumerate([world.year - 1, world.year]):
        target = world.spec.posts_per_year * (_PRIOR_POSTS if y_i == 0 else 1.0)
        n = max(int(round(target)) - int((ci_year == y).sum()), 0)
        lo_day = world.year_start_day[y_i]
        hi_day = world.year_start_day[1] if y_i == 0 else world.n_days
        start = np.maximum(acc["opened_day"].to_numpy(), lo_day)
        stop = np.minimum.reduce([acc["closed_day"].to_numpy(), acc["last_post_day"].to_numpy() + 1,
                                  np.full(len(acc), hi_day)])  # fmt: skip
        active = np.clip(stop - start, 0, None) / (hi_day - lo_day)
        growth = np.where(acc["platform"].eq("TikTok"), 1.0 if y_i else 0.5, 1.0)
        w = acc["post_weight"].to_numpy(float) * active * growth
        counts = rng.multinomial(n, w / w.sum())
        a = np.repeat(np.arange(len(acc)), counts)
        acc_parts.append(a)
        hour_parts.append(_sample_hours(rng, cum, start[a] * 24, stop[a] * 24))
    a = np.concatenate(acc_parts)
    ns = world.hour_ns[np.concatenate(hour_parts)] + rng.integers(0, 3600, len(a)) * _NS_SECOND
    n_reg = len(a)
    a = np.concatenate([a, ci_posts["acc"].astype(int)])
    ns = np.concatenate([ns, ci_posts["ns"].astype(np.int64)])
    n = len(a)
    is_ci = np.arange(n) >= n_reg
    order = np.lexsort((np.arange(n), ns))
    a, ns, is_ci = a[order], ns[order], is_ci[order]
    ci_index = np.where(is_ci, order - n_reg, -1)
    day = (ns - world.start.value) // _NS_DAY
    this_year = world.year_of_day(day) == world.year

    platform = acc["platform"].to_numpy(object)[a]
    purpose = acc["purpose"].to_numpy(object)[a]
    profile = acc["profile"].to_numpy(object)[a]
    corporate = purpose == "corporate"

    # Theme, then plain or jargon wording; long templates never go on X.
    theme = np.zeros(n, dtype=int)
    for prof, mix in _THEME_MIX.items():
        rows = profile == prof
        theme[rows] = rng.choice(len(_THEMES), size=int(rows.sum()), p=np.asarray(mix) / sum(mix))
    jargon_p = np.where(corporate, 0.32, 0.45) - np.where(this_year, 0.07, 0.0)
    jargon = rng.random(n) < jargon_p
    theme_name = np.where(is_ci, "critical", np.array(_THEMES, dtype=object)[theme])

    # Media type by platform; missing-person appeals carry a photo.
    probs = np.array([_PLATFORM_MEDIA[p] for p in _PLATFORMS])
    p_idx = _index(platform, _PLATFORMS)
    u = rng.random(n)
    media = (u[:, None] > np.cumsum(probs[p_idx], axis=1)[:, :-1]).sum(axis=1)
    photo = (theme_name == "missing") & (probs[p_idx, 1] > 0) & (rng.random(n) < 0.8)
    media = np.where(photo, 1, media)
    media_name = np.array(["text", "image", "video", "link"], dtype=object)[media]

    # Text a chunk at a time: size L's millions of Python strings never all exist at once.
    text_parts, has_url = [], np.zeros(n, dtype=bool)
    ci_ref = np.maximum(ci_index, 0)
    for lo in range(0, n, _TEXT_CHUNK_ROWS):
        r = slice(lo, min(lo + _TEXT_CHUNK_ROWS, n))
        chunk_text, has_url[r] = _post_text(
            world, rng, a[r], theme[r], theme_name[r], jargon[r], platform[r], media[r], this_year[r],
            is_ci[r], {k: v[ci_ref[r]] if len(v) else v for k, v in ci_posts.items()},
        )  # fmt: skip
        text_parts.append(chunk_text)
    text = pd.concat(text_parts, ignore_index=True) if text_parts else pd.Series([], dtype="str")

    # Accessibility and approval.
    acc_offset = rng.normal(0, 0.06, len(acc))[a]
    alt_base = np.select([corporate, purpose == "recruitment", purpose == "specialist"], [0.88, 0.84, 0.70], 0.63)
    alt_p = np.clip(alt_base + acc_offset - np.where(this_year, 0.0, 0.08), 0.2, 0.99)
    cap_base = np.where(corporate, 0.80, 0.52) + np.isin(platform, ["YouTube", "TikTok"]) * 0.12
    cap_p = np.clip(cap_base + acc_offset - np.where(this_year, 0.0, 0.1), 0.1, 0.99)
    has_alt = pd.array(np.where(media == 1, rng.random(n) < alt_p, False), dtype="boolean")
    has_alt[media != 1] = pd.NA
    has_cap = pd.array(np.where(media == 2, rng.random(n) < cap_p, False), dtype="boolean")
    has_cap[media != 2] = pd.NA
    appr_base = np.select([corporate | is_ci, purpose == "recruitment", purpose == "specialist"], [0.97, 0.93, 0.9], 0.86)
    approved = rng.random(n) < appr_base - np.where(this_year, 0.0, 0.03)

    # Performance: impressions scale with the audience on the day.
    followers = world.followers[a, np.minimum(day, world.n_days - 1)]
    ratio_med = np.array([_PLATFORM_METRICS[p][0] for p in _PLATFORMS])[p_idx]
    theme_i = np.where(is_ci, 0, theme)
    reach_mult = np.where(is_ci, 4.5, _THEME_REACH[theme_i]) * np.select([media == 2, media == 0], [1.3, 0.7], 1.0)
    impressions = np.floor(followers * ratio_med * reach_mult * rng.lognormal(0, 0.8, n)).astype(np.int64)
    impressions += rng.integers(0, 40, n)
    reach = np.floor(impressions * rng.uniform(0.55, 0.92, n)).astype(np.int64)
    rate_med = np.array([_PLATFORM_METRICS[p][1] for p in _PLATFORMS])[p_idx]
    rate = np.clip(rate_med * np.where(is_ci, 1.4, _THEME_ENGAGE[theme_i]) * rng.lognormal(0, 0.6, n), 0, 0.4)
    total = rng.binomial(impressions, rate)
    split = np.array([_PLATFORM_METRICS[p][2] for p in _PLATFORMS])[p_idx].copy()
    split[:, 3] *= np.select([media == 3, ~has_url], [3.0, 0.2], 1.0)
    split[:, 2] *= np.where(np.isin(theme_name, ["missing", "appeal", "critical"]), 2.0, 1.0)
    split /= split.sum(axis=1, keepdims=True)
    parts = rng.multinomial(total, split)
    reported = np.array([_PLATFORM_METRICS[p][2] for p in _PLATFORMS])[p_idx] > 0
    engagements = (parts * reported).sum(axis=1)
    view_share = np.select(
        [platform == "YouTube", platform == "TikTok", platform == "Instagram"],
        [rng.uniform(0.04, 0.12, n), rng.uniform(0.85, 1.0, n), rng.uniform(0.4, 0.8, n)],
        rng.uniform(0.25, 0.6, n),
    )
    views = np.floor(impressions * view_share).astype(np.int64)

    def count(values, present):
        out = pd.array(values, dtype="Int64")
        out[~present] = pd.NA
        return out

    frame = pd.DataFrame(
        {
            "post_id": _post_ids(world, a, ns, platform),
            "account_id": pd.Series(acc["account_id"].to_numpy(object)[a], dtype="str"),
            "published_at": _utc(ns),
            "text": text,
            "media_type": pd.Series(media_name, dtype="str"),
            "has_alt_text": has_alt,
            "has_captions": has_cap,
            "was_approved": pd.array(approved, dtype="boolean"),
            "critical_incident_id": pd.Series(
                np.where(is_ci, ci_posts["ci"][np.maximum(ci_index, 0)] if len(ci_posts["ci"]) else None, None), dtype="str"
            ),
            "impressions": count(impressions, np.full(n, True)),
            "reach": count(reach, ~np.isin(platform, list(_NO_REACH))),
            "engagements": count(engagements, np.full(n, True)),
            "reactions": count(parts[:, 0], reported[:, 0]),
            "comments": count(parts[:, 1], reported[:, 1]),
            "shares": count(parts[:, 2], reported[:, 2]),
            "link_clicks": count(parts[:, 3], reported[:, 3]),
            "video_views": count(views, media == 2),
        }
    )
    return frame


_TEXT_CHUNK_ROWS = 250_000


def _post_text(world, rng, a, theme, theme_name, jargon, platform, media, this_year, is_ci, ci):
    """The words of each post: a template for its theme (plain or jargon), then a link where the
    post is a link, a thank-you mention now and then, and hashtags. Returns (text, has a URL)."""
    n = len(a)
    url_path = np.where(is_ci, "news", np.array(_THEME_PATHS, dtype=object)[theme])
    slots = _text_slots(world, a, url_path, rng)
    text = np.empty(n, dtype=object)
    is_x = platform == "X"
    for t_i, t in enumerate(_THEMES):
        for j in (0, 1):
            templates = _TEMPLATES[t][j]
            for x in (False, True):  # long templates never go on X
                usable = [k for k, tpl in enumerate(templates) if not x or len(tpl) < 230]
                if not usable:
                    usable = [int(np.argmin([len(tpl) for tpl in templates]))]
                rows = np.flatnonzero(~is_ci & (theme == t_i) & (jargon == j) & (is_x == x))
                if rows.size:
                    choice = np.array(usable)[rng.integers(0, len(usable), rows.size)]
                    text[rows] = _fill(templates, choice, {k: v[rows] for k, v in slots.items()})
    ci_rows = np.flatnonzero(is_ci)
    if ci_rows.size:
        ci_slots = {k: v[ci_rows] for k, v in slots.items()}
        ci_slots["place"] = ci["place"][ci_rows].astype(object)
        ci_slots["ci_what"] = ci["what"][ci_rows].astype(object)
        stage = ci["stage"][ci_rows]
        ci_text = np.empty(ci_rows.size, dtype=object)
        for st, (plain, jar) in _CRITICAL_TEMPLATES.items():
            for j, templates in enumerate((plain, jar)):
                rows = np.flatnonzero((stage == st) & (jargon[ci_rows] == j))
                if rows.size:
                    ci_text[rows] = _fill(
                        templates, rng.integers(0, len(templates), rows.size), {k: v[rows] for k, v in ci_slots.items()}
                    )
        text[ci_rows] = ci_text
    has_url = pd.Series(text, dtype="str").str.contains("http", regex=False).to_numpy(bool, copy=True)
    needs_link = (media == 3) & ~has_url
    text = np.where(needs_link, text + " " + slots["url"], text)
    has_url |= needs_link
    thanks = np.isin(theme_name, ["road", "critical", "event"]) & (rng.random(n) < 0.15)
    text = np.where(thanks, text + " Thanks to " + slots["mention"] + " for their help.", text)
    lower_share = np.where(this_year, 0.18, 0.3)
    text = text + _hashtags(rng, theme_name, slots["force"], lower_share, platform)
    text = np.where((media == 1) & (rng.random(n) < 0.003), None, text)  # image-only posts
    return pd.Series(text, dtype="str"), has_url


def _index(values: np.ndarray, universe: list[str]) -> np.ndarray:
    lookup = {v: i for i, v in enumerate(universe)}
    codes, uniques = pd.factorize(values)
    return np.array([lookup[u] for u in uniques], dtype=int)[codes]


def _mix64(x: np.ndarray, salt: int) -> np.ndarray:
    """A bijection on uint64 (splitmix64 finaliser): distinct inputs give distinct ids."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(salt)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _post_ids(world: _World, a: np.ndarray, ns: np.ndarray, platform: np.ndarray) -> pd.Series:
    """Identifiers shaped like each platform's own, unique by construction (a bijection of the row)."""
    ids = np.empty(len(a), dtype=object)
    b64 = np.array(list(string.ascii_letters + string.digits + "-_"))
    for p in _PLATFORMS:
        rows = np.flatnonzero(platform == p)
        if rows.size == 0:
            continue
        mixed = _mix64(rows.astype(np.uint64), world.seed)
        digits = (mixed % np.uint64(10**16)).astype(str)
        if p == "X":  # a snowflake: milliseconds since X's epoch, the row in the low bits
            ms = ns[rows] // 1_000_000 - 1_288_834_974_657
            values = ((ms.astype(np.int64) << 22) | (rows & 0x3FFFFF)).astype(str)
        elif p == "Facebook":  # page id _ post id
            page = (10**14 + (_mix64(a[rows].astype(np.uint64), 7) % np.uint64(9 * 10**14))).astype(str)
            values = np.strings.add(np.strings.add(page, "_10"), digits)
        elif p == "YouTube":  # 11 characters of base64
            shifts = (np.arange(11, dtype=np.uint64) * np.uint64(6))[None, :]
            chars = b64[((mixed[:, None] >> shifts) & np.uint64(63)).astype(int)]
            values = np.ascontiguousarray(chars).view("U11").ravel()
        else:
            prefix = {"Instagram": "17", "Nextdoor": "nd-", "LinkedIn": "urn:li:share:7", "TikTok": "73",
                      "Other": "blog-"}[p]  # fmt: skip
            values = np.strings.add(prefix, digits)
        ids[rows] = values
    return pd.Series(ids, dtype="str")


def _audience(world: _World) -> pd.DataFrame:
    acc = world.acc
    days = np.arange(world.n_days)
    valid = (days[None, :] >= acc["opened_day"].to_numpy()[:, None]) & (days[None, :] < acc["closed_day"].to_numpy()[:, None])
    a, d = np.nonzero(valid)
    return pd.DataFrame(
        {
            "account_id": pd.Series(acc["account_id"].to_numpy(object)[a], dtype="str"),
            "date": _dates(d, np.datetime64(f"{world.year - 1}-01-01")),
            "followers": pd.array(world.followers[a, d].astype(np.int64), dtype="Int64"),
        }
    )


# The force area's people (the population register) and who follows each account (audience
# demographics). Invented numbers shaped like an English county's census profile, NOT census data:
# thousands of residents per five-year band, women then men.
_AGE_BANDS = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54",
              "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+"]
_RESIDENTS = {
    "female": [31, 33, 34, 33, 34, 37, 38, 37, 35, 38, 41, 42, 37, 33, 32, 24, 17, 16],
    "male": [33, 35, 36, 35, 36, 37, 37, 36, 34, 37, 40, 41, 36, 31, 29, 21, 13, 9],
}
POPULATION_SOURCE = "synthetic: invented for the sample force (shaped like ONS Census 2021 TS009, not census data)"
# Followers by Meta's age bands (18-24 ... 65+), per cent, women then men; TikTok by its own bands.
_META_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
_FOLLOWER_MIX = {
    "Facebook": {"female": [3.5, 13, 17, 15, 9, 3.5], "male": [2.5, 9, 11, 9, 5, 2.5]},
    "Instagram": {"female": [9, 18, 12, 7, 2.5, 0.5], "male": [8, 16, 11, 8, 3, 1]},
}
_TIKTOK_BANDS = ["18-24", "25-34", "35-44", "45-54", "55+"]
_TIKTOK_AGES = [34, 33, 17, 10, 6]
_TIKTOK_SEXES = {"female": 55, "male": 43, "other": 2}


def _population(world: _World) -> pd.DataFrame:
    rng = world.rng("population")
    rows = []
    for force in sorted(set(world.acc["force_short"])):
        for sex, thousands in _RESIDENTS.items():
            people = np.round(np.array(thousands) * 1000 * rng.uniform(0.97, 1.03, len(thousands))).astype(np.int64)
            rows += [{"area": force, "dimension": "age", "band": band, "sex": sex, "people": int(n),
                      "source": POPULATION_SOURCE} for band, n in zip(_AGE_BANDS, people)]
    frame = pd.DataFrame(rows, columns=TABLES["population"].columns)
    return frame.astype({"people": "Int64"})


def _shares(rng: np.random.Generator, percent: list[float]) -> np.ndarray:
    """Per-cent mix with a little noise per account, as fractions summing to 1 (to 3 places)."""
    mix = np.array(percent, dtype=float) * rng.uniform(0.85, 1.15, len(percent))
    return np.round(mix / mix.sum(), 3)


def _audience_demographics(world: _World) -> pd.DataFrame:
    """Meta's Age & gender for Facebook and Instagram accounts, TikTok's ages and sexes, as at the
    end of each year: no other platform's export gives them."""
    acc = world.acc
    rows = []
    for year in (world.year - 1, world.year):
        as_of = pd.Timestamp(f"{year}-12-31")
        for i, (account, platform) in enumerate(zip(acc["account_id"], acc["platform"])):
            rng = world.rng("audience_demographics", year, i)
            base = {"account_id": account, "as_of": as_of, "count": pd.NA}
            if platform in _FOLLOWER_MIX:
                mix = _FOLLOWER_MIX[platform]
                shares = _shares(rng, mix["female"] + mix["male"])
                for j, share in enumerate(shares):
                    sex = "female" if j < len(_META_BANDS) else "male"
                    rows.append(base | {"dimension": "age", "band": _META_BANDS[j % len(_META_BANDS)], "sex": sex,
                                        "share": float(share)})
            elif platform == "TikTok":
                rows += [base | {"dimension": "age", "band": b, "sex": None, "share": float(v)}
                         for b, v in zip(_TIKTOK_BANDS, _shares(rng, _TIKTOK_AGES))]
                rows += [base | {"dimension": "sex", "band": b, "sex": None, "share": float(v)}
                         for b, v in zip(_TIKTOK_SEXES, _shares(rng, list(_TIKTOK_SEXES.values())))]
    frame = pd.DataFrame(rows, columns=TABLES["audience_demographics"].columns)
    return frame.astype({"as_of": "datetime64[ns]", "share": "float64", "count": "Int64"})


# Contacts: kinds by platform (comment, mention, direct_message, forum_post, blog_comment)
_CONTACT_KINDS = ["comment", "mention", "direct_message", "forum_post", "blog_comment"]
_KIND_MIX = {
    "X": [0.30, 0.55, 0.15, 0, 0],
    "Facebook": [0.75, 0.03, 0.22, 0, 0],
    "Instagram": [0.80, 0.05, 0.15, 0, 0],
    "YouTube": [1.0, 0, 0, 0, 0],
    "Nextdoor": [0.55, 0, 0.10, 0.35, 0],
    "LinkedIn": [0.75, 0.15, 0.10, 0, 0],
    "TikTok": [0.90, 0, 0.10, 0, 0],
    "Other": [0, 0, 0, 0, 1.0],
}
_NEEDS_RESPONSE = np.array([0.5, 0.6, 0.92, 0.7, 0.4])
_OUTCOMES = ["answered", "signposted_101", "signposted_999", "incident_created", "crime_reported"]
_OUTCOME_MIX = np.array(
    [
        [0.875, 0.105, 0.001, 0.001, 0.018],  # comment
        [0.875, 0.105, 0.001, 0.001, 0.018],  # mention
        [0.620, 0.250, 0.012, 0.012, 0.106],  # direct message
        [0.820, 0.140, 0.002, 0.003, 0.035],  # forum post
        [0.950, 0.050, 0.000, 0.000, 0.000],  # blog comment
    ]
)
_CONTACT_MONTH_CHUNKS = 24


def _contacts(world: _World, critical: pd.DataFrame) -> pd.DataFrame:
    """Inbound messages, generated a month at a time so size L stays within memory."""
    chunks = [chunk for chunk in _iter_contact_chunks(world, critical)]
    return pd.concat(chunks, ignore_index=True)


def _iter_contact_chunks(world: _World, critical: pd.DataFrame):
    acc = world.acc
    cum = _hour_weights(world, _CONTACT_HOURS, _CONTACT_MONTHS, _CONTACT_WEEKDAYS)
    platform = acc["platform"].to_numpy(object)
    p_idx = _index(platform, _PLATFORMS)
    kind_cum = np.cumsum(np.array([_KIND_MIX[p] for p in _PLATFORMS]), axis=1)[:, :-1]
    weight = acc["contact_weight"].to_numpy(float) * acc["followers_end"].to_numpy(float) ** 0.75
    slow = np.where(acc["purpose"].eq("corporate").to_numpy(), 1.0, 1.8)
    corporate_x = {
        f: acc.index[(acc["force"] == f) & acc["purpose"].eq("corporate") & acc["platform"].isin(["X", "Facebook"])]
        .to_numpy() for f in range(world.spec.forces)
    }  # fmt: skip
    ci_force = critical["critical_incident_id"].str.slice(0, 3).map(
        dict(zip(acc["force_code"], acc["force"]))
    ).to_numpy()
    ci_declared = _ns(critical["declared_at"])
    ci_stood = _ns(critical["stood_down_at"])  # NaT (still running) becomes _NAT
    month_starts = pd.date_range(world.start, periods=_CONTACT_MONTH_CHUNKS + 1, freq="MS").as_unit("ns").asi8
    month_hours = (month_starts - world.start.value) // _NS_HOUR
    plan = world.rng("contacts")
    per_month = []
    for y_i in (0, 1):
        target = world.spec.contacts_per_year * (_PRIOR_CONTACTS if y_i == 0 else 1.0)
        m = month_hours[12 * y_i : 12 * y_i + 13]
        w = cum[m[1:]] - cum[m[:-1]]
        per_month.extend(plan.multinomial(int(round(target)), w / w.sum()).tolist())
    offset = 0
    for month in range(_CONTACT_MONTH_CHUNKS):
        rng = world.rng("contacts", month + 1)
        this_year = month >= 12
        h_lo, h_hi = month_hours[month], month_hours[month + 1]
        d_lo, d_hi = h_lo // 24, h_hi // 24
        open_ = (acc["opened_day"].to_numpy() < d_hi) & (acc["closed_day"].to_numpy() > d_lo)
        w = weight * open_
        n = per_month[month]
        a = rng.choice(len(acc), size=n, p=w / w.sum())
        hours = _sample_hours(rng, cum, np.full(n, h_lo), np.full(n, h_hi))
        ns = world.hour_ns[hours] + rng.integers(0, 3600, n) * _NS_SECOND
        # A critical incident brings a wave of mentions and comments to the corporate accounts.
        in_month = np.flatnonzero((ci_declared >= month_starts[month]) & (ci_declared < month_starts[month + 1]))
        extra_a, extra_ns = [], []
        for c in in_month:
            targets = corporate_x[int(ci_force[c])]
            k = int(rng.poisson(world.spec.contacts_per_year / 365 / world.spec.forces * 0.6))
            stop = ci_stood[c] if ci_stood[c] != _NAT else world.end.value
            t = ci_declared[c] + np.minimum(rng.exponential(4 * _NS_HOUR, k), stop - ci_declared[c]).astype(np.int64)
            keep = t < world.end.value
            extra_a.append(targets[rng.integers(0, len(targets), k)][keep])
            extra_ns.append(t[keep] - t[keep] % _NS_SECOND)
        if extra_a:
            a = np.concatenate([a, *extra_a])
            ns = np.concatenate([ns, *extra_ns])
            hours = (ns - world.start.value) // _NS_HOUR
        n = len(a)
        order = np.lexsort((np.arange(n), ns))
        a, ns, hours = a[order], ns[order], hours[order]

        kind = (rng.random(n)[:, None] > kind_cum[p_idx[a]]).sum(axis=1)
        needs = rng.random(n) < _NEEDS_RESPONSE[kind]
        staffed = world.staffed[hours]
        in_med = (26.0 if this_year else 30.0) * slow[a]
        backlog_med = (60.0 if this_year else 45.0) * slow[a]
        overnight = rng.random(n) < world.spec.overnight_cover_share * (0.85 if this_year else 1.0)
        delay_in = ns + (rng.lognormal(np.log(in_med), 0.85) * _NS_MINUTE).astype(np.int64)
        delay_overnight = ns + (rng.lognormal(np.log(80), 0.7, n) * _NS_MINUTE).astype(np.int64)
        delay_wait = world.next_open_ns[hours] + (rng.lognormal(np.log(backlog_med), 0.8) * _NS_MINUTE).astype(np.int64)
        first = np.where(staffed, delay_in, np.where(overnight, delay_overnight, delay_wait))
        first -= first % _NS_SECOND
        day = (ns - world.start.value) // _NS_DAY
        dormant = (day > acc["last_post_day"].to_numpy()[a])
        christmas = this_year & (day >= world.n_days - 12)
        p_missing = np.where(dormant, 0.6, np.where(staffed, 0.025, 0.05) + christmas * 0.12 + (slow[a] > 1) * 0.04)
        answered = needs & (rng.random(n) >= p_missing) & (first < world.end.value)
        first = np.where(answered, first, _NAT)
        out_cum = np.cumsum(_OUTCOME_MIX, axis=1)[:, :-1]
        outcome_i = (rng.random(n)[:, None] > out_cum[kind]).sum(axis=1)
        outcome = np.array(_OUTCOMES, dtype=object)[outcome_i]
        outcome = np.where(needs, np.where(answered, outcome, None), "no_response_needed")

        ids = np.strings.add("C", np.strings.zfill((np.arange(n) + offset + 1).astype(str), 9))
        offset += n
        yield pd.DataFrame(
            {
                "contact_id": pd.Series(ids, dtype="str"),
                "account_id": pd.Series(acc["account_id"].to_numpy(str)[a], dtype="str"),
                "received_at": _utc(ns),
                "kind": pd.Series(np.array(_CONTACT_KINDS)[kind], dtype="str"),
                "needs_response": pd.array(needs, dtype="boolean"),
                "first_response_at": _utc(first),
                "outcome": pd.Series(outcome, dtype="str"),
            }
        )


def _incidents(world: _World) -> pd.DataFrame:
    rng = world.rng("incidents")
    counts = [int(rng.integers(*world.spec.conduct_cases_per_year, endpoint=True)) for _ in (0, 1)]
    counts[0] = int(round(counts[0] * 0.9))
    day = np.concatenate(
        [rng.integers(world.year_start_day[0], world.year_start_day[1], counts[0]),
         rng.integers(world.year_start_day[1], world.n_days, counts[1])]
    )  # fmt: skip
    day.sort()
    n = len(day)
    categories = ["inappropriate_content", "disclosure_of_information", "harassment_or_abuse",
                  "discriminatory_content", "political_activity", "misuse_of_force_account", "other"]  # fmt: skip
    cat = rng.choice(len(categories), n, p=[0.28, 0.18, 0.14, 0.12, 0.05, 0.10, 0.13])
    work = np.where(cat == 5, True, rng.random(n) < 0.26)
    sev_p = np.where((cat == 3)[:, None] | (cat == 1)[:, None], [0.2, 0.45, 0.35], [0.5, 0.36, 0.14])
    severity = (rng.random(n)[:, None] > np.cumsum(sev_p, axis=1)[:, :-1]).sum(axis=1)
    role = rng.choice(4, n, p=[0.62, 0.28, 0.06, 0.04])
    outcomes = ["no_further_action", "management_action", "reflective_practice", "written_warning",
                "final_written_warning", "dismissal", "resigned_or_retired"]  # fmt: skip
    out_p = np.array(
        [[0.20, 0.36, 0.30, 0.10, 0.02, 0.01, 0.01],  # low
         [0.12, 0.28, 0.26, 0.18, 0.08, 0.04, 0.04],  # medium
         [0.06, 0.08, 0.12, 0.22, 0.22, 0.17, 0.13]]  # high
    )  # fmt: skip
    outcome = (rng.random(n)[:, None] > np.cumsum(out_p[severity], axis=1)[:, :-1]).sum(axis=1)
    duration = np.ceil(rng.lognormal(np.log(np.array([60, 120, 210])[severity]), 0.6)).astype(int)
    closed_day = day + duration
    still_open = closed_day >= world.n_days
    outcome_name = np.where(still_open, "open", np.array(outcomes, dtype=object)[outcome])
    base = np.datetime64(f"{world.year - 1}-01-01")
    year_of = world.year_of_day(day)
    seq = pd.Series(year_of).groupby(year_of).cumcount().to_numpy() + 1
    return pd.DataFrame(
        {
            "incident_id": pd.Series([f"PSD-{y}-{s:04d}" for y, s in zip(year_of, seq)], dtype="str"),
            "opened_date": _dates(day, base),
            "closed_date": _dates(closed_day, base, null=still_open),
            "category": pd.Series(np.array(categories)[cat], dtype="str"),
            "capacity": pd.Series(np.where(work, "work", "personal"), dtype="str"),
            "severity": pd.Series(np.array(["low", "medium", "high"])[severity], dtype="str"),
            "role": pd.Series(np.array(["officer", "staff", "special_constable", "volunteer"])[role], dtype="str"),
            "outcome": pd.Series(outcome_name, dtype="str"),
        }
    )


def _compliance_checks(world: _World) -> pd.DataFrame:
    """Monthly audits of each open account: quality, approval and accessibility every month,
    brand and security every quarter. Gaps in the register show up as failed checks."""
    rng = world.rng("compliance_checks")
    acc = world.acc
    months = pd.date_range(world.start.tz_localize(None), periods=24, freq="MS")
    month_day = ((months - world.start.tz_localize(None)).days).to_numpy()
    types = ["post_quality", "approval", "brand_and_bio", "accessibility", "security"]
    every = np.array([1, 1, 3, 1, 3])
    a_i, m_i, t_i = np.meshgrid(np.arange(len(acc)), np.arange(24), np.arange(5), indexing="ij")
    a_i, m_i, t_i = a_i.ravel(), m_i.ravel(), t_i.ravel()
    check_day = month_day[m_i] + rng.integers(2, 26, len(a_i))
    open_ = (acc["opened_day"].to_numpy()[a_i] <= check_day) & (acc["closed_day"].to_numpy()[a_i] > check_day)
    due = (m_i % every[t_i]) == (a_i % every[t_i])
    keep = open_ & due & (rng.random(len(a_i)) < 0.95)
    a_i, m_i, t_i, check_day = a_i[keep], m_i[keep], t_i[keep], check_day[keep]
    n = len(a_i)
    this_year = m_i >= 12
    p_pass = np.where(this_year, 0.94, 0.90) - (acc["purpose"].to_numpy()[a_i] == "neighbourhood") * 0.05
    p_pass = np.where(t_i == 4, np.where(acc["has_mfa"].to_numpy(bool)[a_i], 0.97, 0.1), p_pass)
    p_pass = np.where(t_i == 1, np.where(acc["is_approved"].to_numpy(bool)[a_i], p_pass, 0.2), p_pass)
    p_pass = np.where((t_i == 0) & (check_day > acc["last_post_day"].to_numpy()[a_i]), 0.3, p_pass)
    passed = rng.random(n) < p_pass
    order = np.lexsort((t_i, a_i, check_day))
    a_i, t_i, check_day, passed = a_i[order], t_i[order], check_day[order], passed[order]
    year_of = world.year_of_day(check_day)
    seq = pd.Series(year_of).groupby(year_of).cumcount().to_numpy() + 1
    return pd.DataFrame(
        {
            "check_id": pd.Series([f"QA-{y}-{s:05d}" for y, s in zip(year_of, seq)], dtype="str"),
            "check_date": _dates(check_day, np.datetime64(f"{world.year - 1}-01-01")),
            "account_id": pd.Series(acc["account_id"].to_numpy(str)[a_i], dtype="str"),
            "check_type": pd.Series(np.array(types)[t_i], dtype="str"),
            "result": pd.Series(np.where(passed, "pass", "fail"), dtype="str"),
        }
    )


def _training(world: _World) -> pd.DataFrame:
    """Course completions of the people who run accounts. Most hold an in-date 'Social media
    user' completion; some have lapsed, some lapse soon, a few were never trained (not listed)."""
    rng = world.rng("training")
    acc = world.acc
    admins = acc["admin_count"].to_numpy(int)
    extra = np.where(acc["purpose"].eq("neighbourhood"), rng.integers(2, 6, len(acc)), 0)
    extra = extra + np.where(world.spec.accounts <= 10, 3, 0)  # officers who send content in
    people_per_acc = admins + extra
    a_all = np.repeat(np.arange(len(acc)), people_per_acc)
    trained = rng.random(len(a_all)) < 0.93
    a, never = a_all[trained], a_all[~trained]  # the rest were never trained: listed, no completion
    n = len(a)
    corporate = acc["purpose"].to_numpy()[a] == "corporate"
    refs = np.unique(rng.integers(0, 2**32, int(n * 1.2), dtype=np.uint64))
    refs = rng.permutation(refs)[:n]
    person = np.array([f"p-{int(r):08x}" for r in refs], dtype=object)
    role = np.where(corporate, rng.choice(4, n, p=[0.15, 0.85, 0, 0]), rng.choice(4, n, p=[0.78, 0.12, 0.07, 0.03]))
    year_end_day = world.n_days - 1
    last = year_end_day - np.floor(rng.uniform(0, 1, n) ** 1.3 * 900).astype(int)  # days before year end
    rows_p, rows_c, rows_d = [person], [np.zeros(n, int)], [last]
    # Earlier completions two years before the latest, for people who renewed.
    renewed = rng.random(n) < 0.45
    rows_p.append(person[renewed])
    rows_c.append(np.zeros(renewed.sum(), int))
    rows_d.append(last[renewed] - 730 - rng.integers(0, 60, renewed.sum()))
    ci_course = corporate & (rng.random(n) < 0.6)
    rows_p.append(person[ci_course])
    rows_c.append(np.ones(ci_course.sum(), int))
    rows_d.append(year_end_day - rng.integers(20, 1000, ci_course.sum()))
    legacy = ~corporate & (rng.random(n) < 0.2)
    rows_p.append(person[legacy])
    rows_c.append(np.full(legacy.sum(), 2))
    rows_d.append(year_end_day - rng.integers(1200, 2600, legacy.sum()))
    index = np.concatenate([np.arange(n), np.flatnonzero(renewed), np.flatnonzero(ci_course), np.flatnonzero(legacy)])
    person_all, course, done = np.concatenate(rows_p), np.concatenate(rows_c), np.concatenate(rows_d)
    order = np.lexsort((course, person_all, done))
    person_all, course, done, index = person_all[order], course[order], done[order], index[order]
    base = np.datetime64(f"{world.year - 1}-01-01")
    completed = _dates(done, base)
    expires = (completed + pd.DateOffset(years=2)).astype("datetime64[ns]")
    expires[course == 2] = pd.NaT
    units = acc["owner_unit"].to_numpy(object)[a][index]
    courses = np.array(["Social media user", "Social media for critical incidents",
                        "Social media awareness (e-learning)"], dtype=object)  # fmt: skip
    roles = np.array(["officer", "staff", "special_constable", "volunteer"])
    done_rows = pd.DataFrame(
        {
            "person_ref": pd.Series(person_all, dtype="str"),
            "role": pd.Series(roles[role[index]], dtype="str"),
            "unit": pd.Series(units, dtype="str"),
            "course": pd.Series(courses[course], dtype="str"),
            "completed_date": completed,
            "expires_date": pd.Series(expires, dtype="datetime64[ns]"),
        }
    )
    # People on an account's user list who never did the course: a row with no completion.
    nrng = world.rng("training", 1)
    never_refs = [f"p-{int(r):08x}" for r in nrng.integers(0, 2**32, len(never), dtype=np.uint64)]
    never_rows = pd.DataFrame(
        {
            "person_ref": pd.Series(never_refs, dtype="str"),
            "role": pd.Series(roles[nrng.choice(4, len(never), p=[0.7, 0.2, 0.07, 0.03])], dtype="str"),
            "unit": pd.Series(acc["owner_unit"].to_numpy(object)[never], dtype="str"),
            "course": pd.Series(["Social media user"] * len(never), dtype="str"),
            "completed_date": pd.Series(pd.NaT, index=range(len(never)), dtype="datetime64[ns]"),
            "expires_date": pd.Series(pd.NaT, index=range(len(never)), dtype="datetime64[ns]"),
        }
    )
    return pd.concat([done_rows, never_rows], ignore_index=True)


_RECOMMENDATIONS = [
    # clause, title, owner, priority, months after the year raised that it is due, and the rule
    # (review.evidence.recommend) it answers, so that the review checks its status against the evidence
    # (a recommendation about neighbourhood pages or TikTok only suits a force that has them)
    ("P3", "Extend digital desk cover to 22:00 on Fridays and Saturdays", "Contact Centre Manager", "high", 9, "P3-out-of-hours-response"),
    ("P4", "Retire police jargon from neighbourhood posts, using a plain-English word list", "Head of Digital", "medium", 6, "P4-plain-english"),
    ("P5", "Turn on multi-factor authentication for every force account", "Head of Information Security", "high", 3, "P5-mfa"),
    ("P7", "Add alt text to every image post and captions to every video", "Head of Digital", "high", 6, "P7-alt-text"),
    ("P5", "Close or hand over neighbourhood accounts with no posts for 90 days", "Neighbourhood Policing Lead", "medium", 6, "P1-dormant-accounts"),
    ("P2", "Post the first update within 60 minutes of declaring a critical incident", "Head of Corporate Communications", "high", 4, "P2-first-post"),
    ("P5", "Refresh social media training for everyone who posts for the force", "Learning and Development Manager", "medium", 12, "P5-training"),
    ("P1", "Test a force TikTok account with a six-month evaluation", "Head of Digital", "low", 12, None),
    ("P3", "Publish reply times for each channel on the force website", "Contact Centre Manager", "low", 8, None),
    ("P6", "Keep one recommendation register and report progress to the Board each quarter", "Director of Strategic Corporate Communications", "medium", 3, None),
    ("P7", "Compare our audience with the force area population and close the gaps", "Head of Corporate Communications", "low", 12, "P7-audience-reach"),
]  # fmt: skip
# A line on progress that agrees with the status and with whether the item is overdue at the
# review period's end (an overdue item is never "on track"; review.evidence.register.CHECKS).
_STATUS_NOTES = {
    ("open", False): ["Not started yet. Planned for the next quarter.", "Waiting for budget approval."],
    ("open", True): ["Not started: waiting for budget approval. The owner will ask the Board for a new date."],
    ("in_progress", False): ["About half done. On track to finish by the due date."],
    ("in_progress", True): ["Work started; the supplier is late. The owner will report a new date."],
    ("implemented", False): ["Done and checked in the quarterly audit.", "Done, and confirmed by the owner."],
    ("rejected", False): ["The Board decided the cost was too high for the benefit."],
    ("undated", None): ["No due date set yet: the owner will propose one to the Board."],
}


def _recommendations(world: _World) -> pd.DataFrame:
    """The team's register of earlier reviews' recommendations, coherent with the sample year:
    an item that answers one of the review's rules is never marked implemented, since the sample
    plants the very gap each rule looks for (accounts without MFA, a desk closed at 20:00, ...),
    and a note never says "on track" of an item that is overdue at the period's end."""
    rng = world.rng("recommendations")
    prev, older = world.year - 1, world.year - 2
    period_end = pd.Timestamp(f"{world.year + 1}-01-01")
    small = world.spec.accounts < 20
    pool = [i for i, r in enumerate(_RECOMMENDATIONS) if not (small and ("neighbourhood" in r[1] or "TikTok" in r[1]))]
    raised = [older, older] + [prev] * int(rng.integers(6, min(10, len(pool) - 2) + 1))
    picks = np.array(pool)[rng.permutation(len(pool))[: len(raised)]]
    rows = []
    seq = {older: 0, prev: 0}
    for y, k in zip(raised, picks):
        clause, title, owner, priority, due_months, rule = _RECOMMENDATIONS[k]
        seq[y] += 1
        statuses, p = ["open", "in_progress", "implemented", "rejected"], [0.1, 0.3, 0.55, 0.05] if y == older else [0.3, 0.4, 0.25, 0.05]
        if rule is not None:  # never implemented: the sample year still shows the gap
            statuses, p = statuses[:2] + statuses[3:], [0.3, 0.6, 0.1]
        status = str(rng.choice(statuses, p=p))
        due = pd.Timestamp(f"{y + 1}-01-01") + pd.DateOffset(months=due_months) - pd.Timedelta(days=1)
        due = due if rng.random() > 0.05 else pd.NaT
        live = status in ("open", "in_progress")
        notes = _STATUS_NOTES[("undated", None) if live and pd.isna(due) else (status, live and due < period_end)]
        rows.append(
            dict(rec_id=f"R{y}-{seq[y]:02d}", year_raised=y, clause=clause, title=title, owner=owner,
                 priority=priority, status=status, due_date=due,
                 status_note=notes[int(rng.integers(len(notes)))] if rng.random() > 0.1 else None,
                 rule=rule, supersedes=None)
        )  # fmt: skip
    frame = pd.DataFrame(rows)
    for col in ["rec_id", "clause", "title", "owner", "priority", "status", "status_note", "rule", "supersedes"]:
        frame[col] = frame[col].astype("str").where(frame[col].notna())
    frame["year_raised"] = frame["year_raised"].astype("Int64")
    frame["due_date"] = pd.to_datetime(frame["due_date"]).astype("datetime64[ns]")
    return frame


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

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
    for name, digest in sorted(listed.items()):
        if name not in read:
            return None, f"{path}: lists {name}, which is not in the folder"
        if sha256_of(read[name]) != digest:
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


if __name__ == "__main__":
    main()

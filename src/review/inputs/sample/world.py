"""The invented force: sizes, forces and their accounts, the random streams, dates as nanoseconds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from review.config import StaffedHours


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

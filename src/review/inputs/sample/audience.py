"""The audience (followers per account and day), the area's population and audience demographics."""

from __future__ import annotations

import numpy as np
import pandas as pd

from review.inputs.contracts import TABLES
from review.inputs.sample.world import _World, _dates


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

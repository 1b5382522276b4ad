"""The critical incidents (with the posts made about them) and the incidents register."""

from __future__ import annotations

import numpy as np
import pandas as pd

from review.inputs.sample.text import _VOCAB
from review.inputs.sample.world import _NAT, _NS_DAY, _NS_HOUR, _NS_MINUTE, _NS_SECOND, _World, _dates, _utc


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

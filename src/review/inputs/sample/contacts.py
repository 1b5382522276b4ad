"""The contacts table (comments, mentions, messages), streamed a month at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from review.inputs.sample.hours import (
    _CONTACT_HOURS, _CONTACT_MONTHS, _CONTACT_WEEKDAYS, _hour_weights, _sample_hours,
)
from review.inputs.sample.posts import _index
from review.inputs.sample.text import _PLATFORMS
from review.inputs.sample.world import (
    _NAT, _NS_DAY, _NS_HOUR, _NS_MINUTE, _NS_SECOND, _PRIOR_CONTACTS, _World, _ns, _utc,
)

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

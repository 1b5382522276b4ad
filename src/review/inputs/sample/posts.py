"""The posts table: one row per post, with its reach, engagement and text."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from review.inputs.sample.hours import _POST_HOURS, _POST_MONTHS, _POST_WEEKDAYS, _hour_weights, _sample_hours
from review.inputs.sample.text import (
    _CRITICAL_TEMPLATES, _NO_REACH, _PLATFORMS, _PLATFORM_MEDIA, _PLATFORM_METRICS, _TEMPLATES,
    _THEMES, _THEME_ENGAGE, _THEME_MIX, _THEME_PATHS, _THEME_REACH, _fill, _hashtags, _text_slots,
)
from review.inputs.sample.world import _NS_DAY, _NS_SECOND, _PRIOR_POSTS, _World, _utc


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

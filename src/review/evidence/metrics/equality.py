"""P7: equality impact, the Human Rights Act, no discrimination — accessible posts for everyone."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.evidence.metrics import representation as rep
from review.evidence.metrics.coverage import platform_of
from review.evidence.metrics.period import ClauseResult, PeriodData, pct
from review.evidence.plain_english import hashtag_counts
from review.values import Column, round_half_up

CLAUSE = "P7"
LONG_HASHTAG = 8  # letters; shorter tags are mostly one word, where camel case does not apply
# What P7 reads (review.evidence.metrics.period.read_period): table -> columns (None: all).
TABLES_NEEDED = {
    "accounts": None,
    "posts": ["account_id", "published_at", "text", "media_type", "has_alt_text", "has_captions"],
    "incidents": None,
    "audience": ["account_id", "date", "followers"],
    "audience_demographics": None,
    "population": None,
}


def is_camel_case(tag: str) -> bool:
    """#MissingPerson is camel case; #missingperson and #MISSINGPERSON are not."""
    return any(c.islower() for c in tag) and any(c.isupper() for c in tag[1:])


def compute(p: PeriodData) -> ClauseResult:
    # The platform by lookup, not a merge: a merge would copy every post's text (size L: 1.2
    # million posts a year), the lookup adds one column. Same rows, same order.
    if not p.accounts["account_id"].is_unique:
        raise ValueError("accounts: account_id is not unique")
    # Without the text from here on: selecting rows copies every column (size L: ~300 MB of text).
    # Posts of accounts missing from the register count under their export's platform.
    posts = p.posts[["account_id", "media_type", "has_alt_text", "has_captions"]].assign(
        platform=platform_of(p.posts["account_id"], p.accounts))
    images = posts[posts["media_type"] == "image"]
    videos = posts[posts["media_type"] == "video"]
    # Each distinct tag judged once, with its uses (size L: 2.4 million uses of 158 tags).
    long_tags = camel_tags = 0
    for tag, uses in hashtag_counts(p.posts["text"]).items():
        if sum(c.isalpha() for c in tag) >= LONG_HASHTAG:
            long_tags += uses
            camel_tags += uses * is_camel_case(tag)
    # Over the posts that record it: a post whose export does not say is not a post without it.
    values = {
        "p7_alt_text_pct": _share(images["has_alt_text"]),
        "p7_captions_pct": _share(videos["has_captions"]),
        "p7_camel_case_hashtags_pct": pct(camel_tags, long_tags),
        "p7_discrimination_cases": int((p.incidents["category"] == "discriminatory_content").sum()),
    }
    rows = []
    for platform, group in posts.groupby("platform", sort=True):
        img = group[group["media_type"] == "image"]
        vid = group[group["media_type"] == "video"]
        rows.append(
            {
                "platform": platform,
                "image_posts": len(img),
                "alt_text_pct": _r(_share(img["has_alt_text"])),
                "video_posts": len(vid),
                "captions_pct": _r(_share(vid["has_captions"])),
            }
        )
    table = pd.DataFrame(rows, columns=["platform", "image_posts", "alt_text_pct", "video_posts", "captions_pct"]).astype(
        {"image_posts": "int64", "video_posts": "int64", "alt_text_pct": "float64", "captions_pct": "float64"})
    columns = {
        "platform": Column("Platform"),
        "image_posts": Column("Image posts", "count", unit="posts"),
        "alt_text_pct": Column("With alt text (%)", "pct", places=1, unit="% of image posts"),
        "video_posts": Column("Video posts", "count", unit="posts"),
        "captions_pct": Column("With captions (%)", "pct", places=1, unit="% of video posts"),
    }
    lens = equality_lens(p)
    values.update(lens.values)
    return ClauseResult(
        values=values,
        tables=[MetricTable("p7_accessibility", CLAUSE, "Accessible posts by platform", table, columns=columns),
                *lens.tables],
        series={"p7_alt_text_by_platform": table[["platform", "alt_text_pct"]].dropna(), **lens.series},
    )


# --- the equality lens: the audience against the force area's population ------------------------------


class Lens:
    def __init__(self):
        self.values: dict[str, float | None] = {
            "p7_lowest_representation_pct": None, "p7_underreached_groups": None,
            "p7_audience_gap_pts": None, "p7_best_channel_gap_pts": None}
        self.tables: list[MetricTable] = []
        self.series: dict[str, pd.DataFrame] = {}


REPRESENTATION_COLUMNS = {
    "platform": Column("Channel"),
    "group": Column("Group"),
    "audience_pct": Column("Audience (%)", "pct", places=1, unit="% of followers"),
    "population_pct": Column("Population (%)", "pct", places=1, unit="% of residents of those ages"),
    "representation": Column("Representation", "number", places=0, unit="audience share / population share × 100",
                             missing="too few followers"),
}


def equality_lens(p: PeriodData) -> Lens:
    """Each channel's audience (and all channels together) by age band, by sex where every account
    splits it, against the force area's population (review.evidence.metrics.representation)."""
    lens = Lens()
    # Always the table, so that a force without the inputs gets it as not measured, with the reason
    # (review.evidence.metrics.measure), and one with nothing to compare gets it empty, saying why.
    nothing = MetricTable("p7_representation", CLAUSE, "Audience against the force area's population, by age and sex",
                          pd.DataFrame({c: pd.Series(dtype="float64" if REPRESENTATION_COLUMNS[c].kind != "text"
                                                     else "object") for c in REPRESENTATION_COLUMNS}),
                          columns=REPRESENTATION_COLUMNS,
                          note="No account has both age figures and a follower figure in the period, or the "
                          "population register has no age bands.")
    lens.tables.append(nothing)
    if not (p.is_supplied("audience_demographics") and p.is_supplied("population") and p.is_supplied("audience")):
        return lens
    demographics, population = p.audience_demographics, p.population
    if demographics.empty or population.empty:
        return lens
    followers = rep.latest_followers(p.audience)
    pop = rep.population_by_age(population)
    shares = rep.account_age_shares(demographics, followers)
    if not pop[None]:
        return lens
    minimum = p.config.coverage.min_band_followers
    by_platform = _by_platform(shares, p.accounts)
    views = [v for name, accounts in sorted(by_platform.items())
             if (v := rep.build_view(name, accounts, followers, pop, minimum)) is not None]
    combined = rep.build_view(rep.ALL_CHANNELS, shares, followers, pop, minimum) if len(views) > 1 else None
    # Channels whose exports give sex but no age (TikTok Studio): women and men against adults of the
    # ages the other channels report (18 and over when none does).
    youngest = min((r["band"][0] for v in views for r in v.rows), default=18)
    sex_only = _by_platform(rep.account_sex_shares(demographics[~demographics["account_id"].isin(list(shares))]),
                            p.accounts)
    sex_views = [v for name, accounts in sorted(sex_only.items()) if name not in by_platform
                 and (v := rep.build_sex_view(name, accounts, followers, pop, minimum, youngest)) is not None]
    if not views and not sex_views:
        return lens
    lens.tables.clear()
    if views:
        overall = combined or views[0]
        measured = [r for r in overall.rows if r["index"] is not None]
        tolerance = p.config.targets.representation_min_pct
        if measured:
            # Unrounded, as every headline is: rated on the figure that counts the under-reached
            # groups, so a lowest group of 74.96 is short of a 75 tolerance in both.
            lens.values["p7_lowest_representation_pct"] = min(r["index"] for r in measured)
            lens.values["p7_underreached_groups"] = sum(r["index"] < tolerance for r in measured)
        lens.values["p7_audience_gap_pts"] = _r(overall.dissimilarity)
        # Each channel on the bands of the combined view, so the gaps compare like with like.
        singles = [rep.build_view(v.platform, by_platform[v.platform], followers, pop, minimum,
                                  bands=sorted({r["band"] for r in overall.rows})) for v in views] if combined else []
        gaps = [v.dissimilarity for v in singles if v is not None and v.by_sex == overall.by_sex]
        lens.values["p7_best_channel_gap_pts"] = _r(min(gaps)) if gaps else None
    rows = [_row(v, r) for v in ([combined] if combined else []) + views + sex_views for r in v.rows]
    frame = pd.DataFrame(rows, columns=list(REPRESENTATION_COLUMNS) + ["band", "sex", "followers"]).astype(
        {"audience_pct": "float64", "population_pct": "float64", "representation": "float64", "followers": "float64"})
    note = _note(views, combined, minimum) if views else (
        f"Representation 100 = the group is as large a part of the audience as of the area. Groups with fewer than "
        f"{minimum:,} followers are not measured.")
    if sex_views:
        note += (f" {', '.join(v.platform for v in sex_views)}: the export gives sex but not age, so women and men "
                 f"are compared with residents aged {youngest} and over.")
    lens.tables.append(MetricTable(
        "p7_representation", CLAUSE, "Audience against the force area's population, by age and sex",
        frame[list(REPRESENTATION_COLUMNS)], columns=REPRESENTATION_COLUMNS, note=note))
    shown = (combined or views[0]).platform if views else sex_views[0].platform
    lens.series["p7_representation"] = frame[frame["platform"] == shown][
        ["group", "audience_pct", "population_pct", "representation"]].reset_index(drop=True)
    return lens


def _by_platform(per_account: dict, accounts: pd.DataFrame) -> dict[str, dict]:
    """Per-account figures grouped by the accounts' platforms."""
    platforms = platform_of(pd.Series(sorted(per_account), dtype=object), accounts)
    out: dict[str, dict] = {}
    for account, platform in zip(sorted(per_account), platforms):
        out.setdefault(platform, {})[account] = per_account[account]
    return out


def _row(view: rep.View, r: dict) -> dict:
    sex = rep.SEX_WORDS.get(r["sex"] or "", "")
    return {"platform": view.platform, "group": f"{sex} {rep.band_words(r['band'])}".strip(),
            "audience_pct": round_half_up(100 * r["audience_share"], 1),
            "population_pct": round_half_up(100 * r["population_share"], 1),
            "representation": None if r["index"] is None else int(round_half_up(r["index"])),
            "band": rep.band_words(r["band"]), "sex": r["sex"], "followers": r["followers"]}


def _note(views: list[rep.View], combined: rep.View | None, minimum: int) -> str:
    youngest = min(r["band"][0] for v in views for r in v.rows)
    parts = [f"Population: residents aged {youngest} and over (the platforms report no younger followers), "
             "from the census register, summed into each channel's own age bands. Audience exports without a date "
             "are taken as the followers at the end of the period."]
    if any(v.split for v in views) or (combined and combined.split):
        parts.append("A census band that straddles a platform band (15-19 against 18-24) is split in proportion to "
                     "its years, as if ages were spread evenly within it.")
    if combined:
        parts.append(f"All channels: the accounts' shares weighted by their followers, on the bands every channel "
                     f"reports{' (by sex)' if combined.by_sex else ''}; a person following two channels counts twice.")
    parts.append(f"Representation 100 = the group is as large a part of the audience as of the area. Groups with "
                 f"fewer than {minimum:,} followers are not measured.")
    return " ".join(parts)


def _share(flags: pd.Series) -> float | None:
    """Share of True over the rows that record a value; None when none does (not measured)."""
    known = flags.dropna()
    return pct(known.astype(bool).sum(), len(known))


def _r(value: float | None) -> float | None:
    return None if value is None else round_half_up(value, 1)

"""P7: equality impact, the Human Rights Act, no discrimination — accessible posts for everyone."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.metrics.coverage import platform_of
from review.metrics.period import ClauseResult, PeriodData, pct
from review.plain_english import hashtags
from review.values import Column

CLAUSE = "P7"
LONG_HASHTAG = 8  # letters; shorter tags are mostly one word, where camel case does not apply
# What P7 reads (review.metrics.period.read_period): table -> columns (None: all).
TABLES_NEEDED = {
    "accounts": None,
    "posts": ["account_id", "published_at", "text", "media_type", "has_alt_text", "has_captions"],
    "incidents": None,
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
    tags = [t for text in p.posts["text"].dropna() for t in hashtags(text) if sum(c.isalpha() for c in t) >= LONG_HASHTAG]
    # Over the posts that record it: a post whose export does not say is not a post without it.
    values = {
        "p7_alt_text_pct": _share(images["has_alt_text"]),
        "p7_captions_pct": _share(videos["has_captions"]),
        "p7_camel_case_hashtags_pct": pct(sum(map(is_camel_case, tags)), len(tags)),
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
    return ClauseResult(
        values=values,
        tables=[MetricTable("p7_accessibility", CLAUSE, "Accessible posts by platform", table, columns=columns)],
        series={"p7_alt_text_by_platform": table[["platform", "alt_text_pct"]].dropna()},
    )


def _share(flags: pd.Series) -> float | None:
    """Share of True over the rows that record a value; None when none does (not measured)."""
    known = flags.dropna()
    return pct(known.astype(bool).sum(), len(known))


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)

"""P7: equality impact, the Human Rights Act, no discrimination — accessible posts for everyone."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.metrics.period import ClauseResult, PeriodData, pct
from review.plain_english import hashtags

CLAUSE = "P7"
LONG_HASHTAG = 8  # letters; shorter tags are mostly one word, where camel case does not apply


def is_camel_case(tag: str) -> bool:
    """#MissingPerson is camel case; #missingperson and #MISSINGPERSON are not."""
    return any(c.islower() for c in tag) and any(c.isupper() for c in tag[1:])


def compute(p: PeriodData) -> ClauseResult:
    posts = p.posts.merge(p.accounts[["account_id", "platform"]], on="account_id", how="left", validate="m:1")
    images = posts[posts["media_type"] == "image"]
    videos = posts[posts["media_type"] == "video"]
    tags = [t for text in posts["text"].dropna() for t in hashtags(text) if sum(c.isalpha() for c in t) >= LONG_HASHTAG]
    values = {
        "p7_alt_text_pct": pct(images["has_alt_text"].fillna(False).sum(), len(images)),
        "p7_captions_pct": pct(videos["has_captions"].fillna(False).sum(), len(videos)),
        "p7_camel_case_hashtags_pct": pct(sum(map(is_camel_case, tags)), len(tags)),
        "p7_discrimination_cases": int((p.incidents["category"] == "discriminatory_content").sum()),
    }
    rows = []
    for platform, group in posts.groupby("platform", sort=True):
        img = group[group["media_type"] == "image"]
        vid = group[group["media_type"] == "video"]
        rows.append(
            {
                "Platform": platform,
                "Image posts": len(img),
                "With alt text (%)": _r(pct(img["has_alt_text"].fillna(False).sum(), len(img))),
                "Video posts": len(vid),
                "With captions (%)": _r(pct(vid["has_captions"].fillna(False).sum(), len(vid))),
            }
        )
    table = pd.DataFrame(rows, columns=["Platform", "Image posts", "With alt text (%)", "Video posts", "With captions (%)"])
    return ClauseResult(
        values=values,
        tables=[MetricTable("p7_accessibility", CLAUSE, "Accessible posts by platform", table)],
        series={"p7_alt_text_by_platform": table[["Platform", "With alt text (%)"]].dropna()},
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)

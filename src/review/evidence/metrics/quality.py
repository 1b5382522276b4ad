"""P4: quality control, consistency and corporacy; simple, jargon-free language."""

from __future__ import annotations

import numpy as np
import pandas as pd

from review.context import MetricTable
from review.evidence.metrics.period import ClauseResult, PeriodData, label_accounts, pct
from review.evidence.plain_english import jargon_list, jargon_uses, score_texts
from review.values import Column, round_half_up_column

CLAUSE = "P4"
# What P4 reads (review.evidence.metrics.period.read_period): table -> columns (None: all).
TABLES_NEEDED = {"accounts": None, "posts": ["account_id", "published_at", "text", "was_approved"],
                 "compliance_checks": None}


# compute(values_only=True) leaves the tables out (review.evidence.metrics.measure).
VALUES_ONLY = True


def compute(p: PeriodData, values_only: bool = False) -> ClauseResult:
    """`values_only`: the values alone, without the tables by account and month (the like-for-like
    comparison)."""
    target = p.config.targets.reading_ease_min
    jargon = jargon_list(p.config.plain_english.jargon_extra, p.config.plain_english.jargon_ignore)
    posts = p.posts
    # A missing or empty text has no scores, so is not among the scored posts.
    scores = p.per_row("posts", f"plain-english {sorted(jargon.items())}", lambda t: score_texts(t["text"], jargon))
    scored = posts[["account_id", "published_local"]].join(scores)
    scored = scored[scored["reading_ease"].notna()]
    scored["meets"] = scored["reading_ease"] >= target
    # Only the posts that use jargon are searched again for which words they use.
    hits = jargon_uses(posts.loc[scored.index[scored["jargon"].to_numpy() > 0], "text"], jargon)
    checks = p.compliance_checks
    approved = p.posts["was_approved"].dropna()
    values = {
        "p4_plain_english_pct": pct(scored["meets"].sum(), len(scored)),
        "p4_jargon_per_100_posts": pct(sum(hits.values()), len(scored)),
        "p4_audit_pass_pct": pct((checks["result"] == "pass").sum(), len(checks)),
        "p4_approval_pct": pct(approved.sum(), len(approved)),
    }
    if values_only:
        return ClauseResult(values=values, tables=[], series={})
    per_account = (
        scored.groupby("account_id")
        .agg(
            posts=("meets", "size"),
            meets=("meets", "mean"),
            ease_median=("reading_ease", "median"),
            wps=("words_per_sentence", "median"),
            grade=("reading_grade", "median"),
            jargon=("jargon", "sum"),
        )
        .join(group_quantiles(scored["reading_ease"], scored["account_id"], {"ease_p10": 0.1, "ease_p90": 0.9}))
        .reset_index()
        .pipe(lambda d: d.assign(name=label_accounts(d["account_id"], p.accounts)))
        .sort_values(["meets", "name"], kind="stable")
    )
    account_table = pd.DataFrame(
        {
            "account": per_account["name"],
            "posts_scored": per_account["posts"].astype("int64"),
            "plain_english_pct": (100 * per_account["meets"]).pipe(round_half_up_column, 1),
            "reading_ease_median": per_account["ease_median"].pipe(round_half_up_column, 0),
            "reading_ease_p10": per_account["ease_p10"].pipe(round_half_up_column, 0),
            "reading_ease_p90": per_account["ease_p90"].pipe(round_half_up_column, 0),
            "reading_grade_median": per_account["grade"].pipe(round_half_up_column, 1),
            "words_per_sentence": per_account["wps"].pipe(round_half_up_column, 1),
            "jargon_uses": per_account["jargon"].astype("int64"),
        }
    ).reset_index(drop=True)
    jargon_table = pd.DataFrame(
        [{"term": term, "uses": n, "plain_alternative": jargon[term]} for term, n in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:12]],
        columns=["term", "uses", "plain_alternative"],
    ).astype({"uses": "int64"})
    passed = checks["result"].eq("pass").astype("int64")
    by_check = pd.DataFrame(
        {"checks": checks.groupby("check_type").size(), "passed": passed.groupby(checks["check_type"]).sum()}
    ).reset_index()
    audit_table = pd.DataFrame(
        {
            "check_type": by_check["check_type"].astype(str),
            "checks": by_check["checks"].astype("int64"),
            "passed_pct": (100 * by_check["passed"] / by_check["checks"]).pipe(round_half_up_column, 1),
        }
    )
    month = scored.assign(month=scored["published_local"].dt.to_period("M").dt.to_timestamp()).groupby(["account_id", "month"]).agg(
        posts=("meets", "size"), meets=("meets", "mean"), ease=("reading_ease", "median"),
        grade=("reading_grade", "median"), wps=("words_per_sentence", "median"),
        words=("words", "sum"), sentences=("sentences", "sum"),
    ).reset_index()
    account_month = pd.DataFrame(
        {
            "account": label_accounts(month["account_id"], p.accounts),
            "month": month["month"],
            "posts_scored": month["posts"].astype("int64"),
            "words": month["words"].astype("int64"),
            "sentences": month["sentences"].astype("int64"),
            "plain_english_pct": (100 * month["meets"]).pipe(round_half_up_column, 1),
            "reading_ease_median": month["ease"].pipe(round_half_up_column, 0),
            "reading_grade_median": month["grade"].pipe(round_half_up_column, 1),
            "words_per_sentence": month["wps"].pipe(round_half_up_column, 1),
        }
    ).sort_values(["account", "month"], kind="stable").reset_index(drop=True)
    return ClauseResult(
        values=values,
        tables=[
            MetricTable("p4_by_account", CLAUSE, "Plain English by account", account_table,
                        note=f"A post is in plain English when its Flesch reading ease is {target:g} or more, "
                        "after links, @mentions and hashtags are taken out. Scores of short posts vary a lot, "
                        "so the middle 80% of scores is shown too.",
                        columns={"account": Column("Account"), **SCORE_COLUMNS,
                                 "reading_ease_p10": Column("Reading ease, 10th percentile", "number", places=0,
                                                            unit="Flesch reading ease", group="Reading ease, middle 80%"),
                                 "reading_ease_p90": Column("Reading ease, 90th percentile", "number", places=0,
                                                            unit="Flesch reading ease", group="Reading ease, middle 80%"),
                                 "jargon_uses": Column("Jargon uses", "count", unit="uses")}),
            MetricTable("p4_jargon", CLAUSE, "Police jargon used most", jargon_table,
                        columns={"term": Column("Word or phrase"), "uses": Column("Uses", "count", unit="uses"),
                                 "plain_alternative": Column("Plain alternative")}),
            MetricTable("p4_account_month", CLAUSE, "Plain English by account and month", account_month,
                        note="Scores for one account's month pool many short posts, so they vary less than "
                        "single-post scores.",
                        columns={"account": Column("Account"), "month": Column("Month", "month"),
                                 **{k: v for k, v in SCORE_COLUMNS.items() if k == "posts_scored"},
                                 "words": Column("Words", "count", unit="words"),
                                 "sentences": Column("Sentences", "count", unit="sentences"),
                                 **{k: v for k, v in SCORE_COLUMNS.items() if k != "posts_scored"}}),
            MetricTable("p4_audits", CLAUSE, "Quality and compliance audits", audit_table,
                        columns={"check_type": Column("Check", "category"), "checks": Column("Checks", "count", unit="checks"),
                                 "passed_pct": Column("Passed (%)", "pct", places=1, unit="% of checks")}),
        ],
        series={"p4_by_account": per_account[["name", "meets"]].assign(meets=lambda d: 100 * d["meets"])},
    )


def group_quantiles(values: pd.Series, keys: pd.Series, quantiles: dict[str, float]) -> pd.DataFrame:
    """Each named quantile of `values` within each key (no missing values or keys), indexed by the
    sorted keys as a groupby is: numpy's np.quantile on each group's values, which is what
    Series.quantile computes, so the figures are the same to the last bit. A groupby's quantile
    interpolates its own way (last-bit differences), and a lambda per group built a pandas Series
    for each of a national year's 7,000 accounts (size L: about 1 s of P4's 35 s)."""
    codes, uniques = pd.factorize(keys, sort=True)
    order = np.argsort(codes, kind="stable")
    sorted_values = values.to_numpy(dtype="float64")[order]
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    qs = np.array(list(quantiles.values()), dtype="float64")
    found = np.array([np.quantile(sorted_values[a:b], qs) for a, b in zip(bounds[:-1], bounds[1:])]).reshape(-1, len(qs))
    return pd.DataFrame(found, index=pd.Index(uniques, name=keys.name), columns=list(quantiles))


# The plain-English scores, as the tables by account and by account and month show them.
SCORE_COLUMNS = {
    "posts_scored": Column("Posts scored", "count", unit="posts"),
    "plain_english_pct": Column("In plain English (%)", "pct", places=1, unit="% of posts scored"),
    "reading_ease_median": Column("Reading ease, median", "number", places=0, unit="Flesch reading ease"),
    "reading_grade_median": Column("Reading grade, median", "number", places=1, unit="school grade"),
    "words_per_sentence": Column("Words per sentence", "number", places=1, unit="words, median"),
}

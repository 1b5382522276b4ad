"""P4: quality control, consistency and corporacy; simple, jargon-free language."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.metrics.period import ClauseResult, PeriodData, label_accounts, pct
from review.plain_english import jargon_list, jargon_uses, score_texts

CLAUSE = "P4"
# What P4 reads (review.metrics.period.read_period): table -> columns (None: all).
TABLES_NEEDED = {"accounts": None, "posts": ["account_id", "published_at", "text", "was_approved"],
                 "compliance_checks": None}


def compute(p: PeriodData) -> ClauseResult:
    target = p.config.targets.reading_ease_min
    jargon = jargon_list(p.config.plain_english.jargon_extra, p.config.plain_english.jargon_ignore)
    posts = p.posts[p.posts["text"].notna()]
    scores = score_texts(posts["text"], jargon)
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
    per_account = (
        scored.groupby("account_id")
        .agg(
            posts=("meets", "size"),
            meets=("meets", "mean"),
            ease_median=("reading_ease", "median"),
            ease_p10=("reading_ease", lambda s: s.quantile(0.1)),
            ease_p90=("reading_ease", lambda s: s.quantile(0.9)),
            wps=("words_per_sentence", "median"),
            grade=("reading_grade", "median"),
            jargon=("jargon", "sum"),
        )
        .reset_index()
        .pipe(lambda d: d.assign(name=label_accounts(d["account_id"], p.accounts)))
        .sort_values(["meets", "name"], kind="stable")
    )
    account_table = pd.DataFrame(
        {
            "Account": per_account["name"],
            "Posts scored": per_account["posts"],
            "In plain English (%)": (100 * per_account["meets"]).round(1),
            "Reading ease, median": per_account["ease_median"].round(0),
            "Reading ease, middle 80%": per_account["ease_p10"].round(0).astype("Int64").astype(str)
            + " to "
            + per_account["ease_p90"].round(0).astype("Int64").astype(str),
            "Reading grade, median": per_account["grade"].round(1),
            "Words per sentence": per_account["wps"].round(1),
            "Jargon uses": per_account["jargon"],
        }
    ).reset_index(drop=True)
    jargon_table = pd.DataFrame(
        [{"Word or phrase": term, "Uses": n, "Plain alternative": jargon[term]} for term, n in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:12]],
        columns=["Word or phrase", "Uses", "Plain alternative"],
    )
    passed = checks["result"].eq("pass").astype("int64")
    by_check = pd.DataFrame(
        {"checks": checks.groupby("check_type").size(), "passed": passed.groupby(checks["check_type"]).sum()}
    ).reset_index()
    audit_table = pd.DataFrame(
        {
            "Check": by_check["check_type"].str.replace("_", " ").str.capitalize(),
            "Checks": by_check["checks"],
            "Passed (%)": (100 * by_check["passed"] / by_check["checks"]).round(1),
        }
    )
    month = scored.assign(month=scored["published_local"].dt.to_period("M").astype(str)).groupby(["account_id", "month"]).agg(
        posts=("meets", "size"), meets=("meets", "mean"), ease=("reading_ease", "median"),
        grade=("reading_grade", "median"), wps=("words_per_sentence", "median"),
        words=("words", "sum"), sentences=("sentences", "sum"),
    ).reset_index()
    account_month = pd.DataFrame(
        {
            "Account": label_accounts(month["account_id"], p.accounts),
            "Month": month["month"],
            "Posts scored": month["posts"],
            "Words": month["words"],
            "Sentences": month["sentences"],
            "In plain English (%)": (100 * month["meets"]).round(1),
            "Reading ease, median": month["ease"].round(0),
            "Reading grade, median": month["grade"].round(1),
            "Words per sentence": month["wps"].round(1),
        }
    ).sort_values(["Account", "Month"], kind="stable").reset_index(drop=True)
    return ClauseResult(
        values=values,
        tables=[
            MetricTable("p4_by_account", CLAUSE, "Plain English by account", account_table,
                        note=f"A post is in plain English when its Flesch reading ease is {target:g} or more, "
                        "after links, @mentions and hashtags are taken out. Scores of short posts vary a lot, "
                        "so the middle 80% of scores is shown too."),
            MetricTable("p4_jargon", CLAUSE, "Police jargon used most", jargon_table),
            MetricTable("p4_account_month", CLAUSE, "Plain English by account and month", account_month,
                        note="Scores for one account's month pool many short posts, so they vary less than "
                        "single-post scores."),
            MetricTable("p4_audits", CLAUSE, "Quality and compliance audits", audit_table),
        ],
        series={"p4_by_account": per_account[["name", "meets"]].assign(meets=lambda d: 100 * d["meets"])},
    )

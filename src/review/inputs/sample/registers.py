"""The registers a force keeps by hand: compliance checks, training and recommendations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from review.inputs.sample.world import _World, _dates


def _compliance_checks(world: _World) -> pd.DataFrame:
    """Monthly audits of each open account: quality, approval and accessibility every month,
    brand and security every quarter. Gaps in the register show up as failed checks."""
    rng = world.rng("compliance_checks")
    acc = world.acc
    months = pd.date_range(world.start.tz_localize(None), periods=24, freq="MS")
    month_day = ((months - world.start.tz_localize(None)).days).to_numpy()
    types = ["post_quality", "approval", "brand_and_bio", "accessibility", "security"]
    every = np.array([1, 1, 3, 1, 3])
    a_i, m_i, t_i = np.meshgrid(np.arange(len(acc)), np.arange(24), np.arange(5), indexing="ij")
    a_i, m_i, t_i = a_i.ravel(), m_i.ravel(), t_i.ravel()
    check_day = month_day[m_i] + rng.integers(2, 26, len(a_i))
    open_ = (acc["opened_day"].to_numpy()[a_i] <= check_day) & (acc["closed_day"].to_numpy()[a_i] > check_day)
    due = (m_i % every[t_i]) == (a_i % every[t_i])
    keep = open_ & due & (rng.random(len(a_i)) < 0.95)
    a_i, m_i, t_i, check_day = a_i[keep], m_i[keep], t_i[keep], check_day[keep]
    n = len(a_i)
    this_year = m_i >= 12
    p_pass = np.where(this_year, 0.94, 0.90) - (acc["purpose"].to_numpy()[a_i] == "neighbourhood") * 0.05
    p_pass = np.where(t_i == 4, np.where(acc["has_mfa"].to_numpy(bool)[a_i], 0.97, 0.1), p_pass)
    p_pass = np.where(t_i == 1, np.where(acc["is_approved"].to_numpy(bool)[a_i], p_pass, 0.2), p_pass)
    p_pass = np.where((t_i == 0) & (check_day > acc["last_post_day"].to_numpy()[a_i]), 0.3, p_pass)
    passed = rng.random(n) < p_pass
    order = np.lexsort((t_i, a_i, check_day))
    a_i, t_i, check_day, passed = a_i[order], t_i[order], check_day[order], passed[order]
    year_of = world.year_of_day(check_day)
    seq = pd.Series(year_of).groupby(year_of).cumcount().to_numpy() + 1
    return pd.DataFrame(
        {
            "check_id": pd.Series([f"QA-{y}-{s:05d}" for y, s in zip(year_of, seq)], dtype="str"),
            "check_date": _dates(check_day, np.datetime64(f"{world.year - 1}-01-01")),
            "account_id": pd.Series(acc["account_id"].to_numpy(str)[a_i], dtype="str"),
            "check_type": pd.Series(np.array(types)[t_i], dtype="str"),
            "result": pd.Series(np.where(passed, "pass", "fail"), dtype="str"),
        }
    )


def _training(world: _World) -> pd.DataFrame:
    """Course completions of the people who run accounts. Most hold an in-date 'Social media
    user' completion; some have lapsed, some lapse soon, a few were never trained (not listed)."""
    rng = world.rng("training")
    acc = world.acc
    admins = acc["admin_count"].to_numpy(int)
    extra = np.where(acc["purpose"].eq("neighbourhood"), rng.integers(2, 6, len(acc)), 0)
    extra = extra + np.where(world.spec.accounts <= 10, 3, 0)  # officers who send content in
    people_per_acc = admins + extra
    a_all = np.repeat(np.arange(len(acc)), people_per_acc)
    trained = rng.random(len(a_all)) < 0.93
    a, never = a_all[trained], a_all[~trained]  # the rest were never trained: listed, no completion
    n = len(a)
    corporate = acc["purpose"].to_numpy()[a] == "corporate"
    refs = np.unique(rng.integers(0, 2**32, int(n * 1.2), dtype=np.uint64))
    refs = rng.permutation(refs)[:n]
    person = np.array([f"p-{int(r):08x}" for r in refs], dtype=object)
    role = np.where(corporate, rng.choice(4, n, p=[0.15, 0.85, 0, 0]), rng.choice(4, n, p=[0.78, 0.12, 0.07, 0.03]))
    year_end_day = world.n_days - 1
    last = year_end_day - np.floor(rng.uniform(0, 1, n) ** 1.3 * 900).astype(int)  # days before year end
    rows_p, rows_c, rows_d = [person], [np.zeros(n, int)], [last]
    # Earlier completions two years before the latest, for people who renewed.
    renewed = rng.random(n) < 0.45
    rows_p.append(person[renewed])
    rows_c.append(np.zeros(renewed.sum(), int))
    rows_d.append(last[renewed] - 730 - rng.integers(0, 60, renewed.sum()))
    ci_course = corporate & (rng.random(n) < 0.6)
    rows_p.append(person[ci_course])
    rows_c.append(np.ones(ci_course.sum(), int))
    rows_d.append(year_end_day - rng.integers(20, 1000, ci_course.sum()))
    legacy = ~corporate & (rng.random(n) < 0.2)
    rows_p.append(person[legacy])
    rows_c.append(np.full(legacy.sum(), 2))
    rows_d.append(year_end_day - rng.integers(1200, 2600, legacy.sum()))
    index = np.concatenate([np.arange(n), np.flatnonzero(renewed), np.flatnonzero(ci_course), np.flatnonzero(legacy)])
    person_all, course, done = np.concatenate(rows_p), np.concatenate(rows_c), np.concatenate(rows_d)
    order = np.lexsort((course, person_all, done))
    person_all, course, done, index = person_all[order], course[order], done[order], index[order]
    base = np.datetime64(f"{world.year - 1}-01-01")
    completed = _dates(done, base)
    expires = (completed + pd.DateOffset(years=2)).astype("datetime64[ns]")
    expires[course == 2] = pd.NaT
    units = acc["owner_unit"].to_numpy(object)[a][index]
    courses = np.array(["Social media user", "Social media for critical incidents",
                        "Social media awareness (e-learning)"], dtype=object)  # fmt: skip
    roles = np.array(["officer", "staff", "special_constable", "volunteer"])
    done_rows = pd.DataFrame(
        {
            "person_ref": pd.Series(person_all, dtype="str"),
            "role": pd.Series(roles[role[index]], dtype="str"),
            "unit": pd.Series(units, dtype="str"),
            "course": pd.Series(courses[course], dtype="str"),
            "completed_date": completed,
            "expires_date": pd.Series(expires, dtype="datetime64[ns]"),
        }
    )
    # People on an account's user list who never did the course: a row with no completion.
    nrng = world.rng("training", 1)
    never_refs = [f"p-{int(r):08x}" for r in nrng.integers(0, 2**32, len(never), dtype=np.uint64)]
    never_rows = pd.DataFrame(
        {
            "person_ref": pd.Series(never_refs, dtype="str"),
            "role": pd.Series(roles[nrng.choice(4, len(never), p=[0.7, 0.2, 0.07, 0.03])], dtype="str"),
            "unit": pd.Series(acc["owner_unit"].to_numpy(object)[never], dtype="str"),
            "course": pd.Series(["Social media user"] * len(never), dtype="str"),
            "completed_date": pd.Series(pd.NaT, index=range(len(never)), dtype="datetime64[ns]"),
            "expires_date": pd.Series(pd.NaT, index=range(len(never)), dtype="datetime64[ns]"),
        }
    )
    return pd.concat([done_rows, never_rows], ignore_index=True)


_RECOMMENDATIONS = [
    # clause, title, owner, priority, months after the year raised that it is due, and the rule
    # (review.evidence.recommend) it answers, so that the review checks its status against the evidence
    # (a recommendation about neighbourhood pages or TikTok only suits a force that has them)
    ("P3", "Extend digital desk cover to 22:00 on Fridays and Saturdays", "Contact Centre Manager", "high", 9, "P3-out-of-hours-response"),
    ("P4", "Retire police jargon from neighbourhood posts, using a plain-English word list", "Head of Digital", "medium", 6, "P4-plain-english"),
    ("P5", "Turn on multi-factor authentication for every force account", "Head of Information Security", "high", 3, "P5-mfa"),
    ("P7", "Add alt text to every image post and captions to every video", "Head of Digital", "high", 6, "P7-alt-text"),
    ("P5", "Close or hand over neighbourhood accounts with no posts for 90 days", "Neighbourhood Policing Lead", "medium", 6, "P1-dormant-accounts"),
    ("P2", "Post the first update within 60 minutes of declaring a critical incident", "Head of Corporate Communications", "high", 4, "P2-first-post"),
    ("P5", "Refresh social media training for everyone who posts for the force", "Learning and Development Manager", "medium", 12, "P5-training"),
    ("P1", "Test a force TikTok account with a six-month evaluation", "Head of Digital", "low", 12, None),
    ("P3", "Publish reply times for each channel on the force website", "Contact Centre Manager", "low", 8, None),
    ("P6", "Keep one recommendation register and report progress to the Board each quarter", "Director of Strategic Corporate Communications", "medium", 3, None),
    ("P7", "Compare our audience with the force area population and close the gaps", "Head of Corporate Communications", "low", 12, "P7-audience-reach"),
]  # fmt: skip
# A line on progress that agrees with the status and with whether the item is overdue at the
# review period's end (an overdue item is never "on track"; review.evidence.register.CHECKS).
_STATUS_NOTES = {
    ("open", False): ["Not started yet. Planned for the next quarter.", "Waiting for budget approval."],
    ("open", True): ["Not started: waiting for budget approval. The owner will ask the Board for a new date."],
    ("in_progress", False): ["About half done. On track to finish by the due date."],
    ("in_progress", True): ["Work started; the supplier is late. The owner will report a new date."],
    ("implemented", False): ["Done and checked in the quarterly audit.", "Done, and confirmed by the owner."],
    ("rejected", False): ["The Board decided the cost was too high for the benefit."],
    ("undated", None): ["No due date set yet: the owner will propose one to the Board."],
}


def _recommendations(world: _World) -> pd.DataFrame:
    """The team's register of earlier reviews' recommendations, coherent with the sample year:
    an item that answers one of the review's rules is never marked implemented, since the sample
    plants the very gap each rule looks for (accounts without MFA, a desk closed at 20:00, ...),
    and a note never says "on track" of an item that is overdue at the period's end."""
    rng = world.rng("recommendations")
    prev, older = world.year - 1, world.year - 2
    period_end = pd.Timestamp(f"{world.year + 1}-01-01")
    small = world.spec.accounts < 20
    pool = [i for i, r in enumerate(_RECOMMENDATIONS) if not (small and ("neighbourhood" in r[1] or "TikTok" in r[1]))]
    raised = [older, older] + [prev] * int(rng.integers(6, min(10, len(pool) - 2) + 1))
    picks = np.array(pool)[rng.permutation(len(pool))[: len(raised)]]
    rows = []
    seq = {older: 0, prev: 0}
    for y, k in zip(raised, picks):
        clause, title, owner, priority, due_months, rule = _RECOMMENDATIONS[k]
        seq[y] += 1
        statuses, p = ["open", "in_progress", "implemented", "rejected"], [0.1, 0.3, 0.55, 0.05] if y == older else [0.3, 0.4, 0.25, 0.05]
        if rule is not None:  # never implemented: the sample year still shows the gap
            statuses, p = statuses[:2] + statuses[3:], [0.3, 0.6, 0.1]
        status = str(rng.choice(statuses, p=p))
        due = pd.Timestamp(f"{y + 1}-01-01") + pd.DateOffset(months=due_months) - pd.Timedelta(days=1)
        due = due if rng.random() > 0.05 else pd.NaT
        live = status in ("open", "in_progress")
        notes = _STATUS_NOTES[("undated", None) if live and pd.isna(due) else (status, live and due < period_end)]
        rows.append(
            dict(rec_id=f"R{y}-{seq[y]:02d}", year_raised=y, clause=clause, title=title, owner=owner,
                 priority=priority, status=status, due_date=due,
                 status_note=notes[int(rng.integers(len(notes)))] if rng.random() > 0.1 else None,
                 rule=rule, supersedes=None)
        )  # fmt: skip
    frame = pd.DataFrame(rows)
    for col in ["rec_id", "clause", "title", "owner", "priority", "status", "status_note", "rule", "supersedes"]:
        frame[col] = frame[col].astype("str").where(frame[col].notna())
    frame["year_raised"] = frame["year_raised"].astype("Int64")
    frame["due_date"] = pd.to_datetime(frame["due_date"]).astype("datetime64[ns]")
    return frame

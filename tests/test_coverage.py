"""Coverage: a figure the data cannot support is not measured (with the reason), never 0.

Hand-made tables, expected answers worked out in each test; the property test at the end checks on
generated inputs that every headline equals the sum of its breakdown.
"""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.config import ReviewConfig
from review.inputs.contracts import TABLES
from review.evidence.metrics import compute_metrics
from review.evidence.metrics.coverage import resembling, supplied_tables
from review.evidence.recommend import recommend
from tables_fixture import account, contact, post, tables

CONFIG = ReviewConfig(year=2025)
SMALL = ReviewConfig(year=2025, coverage={"min_rows_for_change": 1})


def headline(m, metric_id):
    return m.headline(metric_id)


def labelled(table) -> pd.DataFrame:
    """A metric table's typed frame under the labels readers see, category codes as words."""
    frame = table.frame.copy()
    for name in frame.columns:
        if table.column(name).kind == "category":
            frame[name] = frame[name].map(table.column(name).word)
    return frame.rename(columns={name: table.label(name) for name in frame.columns})


def frame_of(m, table_id: str) -> pd.DataFrame:
    return labelled(next(x for x in m.tables if x.table_id == table_id))


def test_a_table_not_supplied_is_not_measured_but_an_empty_one_counts_zero():
    t = tables(accounts=[account("a1")], posts=[post("p1", "a1", "2025-02-01T10:00:00Z")])
    missing = compute_metrics(t, CONFIG, supplied=frozenset({"accounts", "posts"}))
    h = headline(missing, "p3_contacts")
    assert h.value is None and h.rag == "Not rated" and h.change_pct is None
    assert h.not_measured_reason == "no inbound messages were supplied"
    assert headline(missing, "p5_conduct_cases").not_measured_reason == "no register of conduct cases was supplied"
    # The same tables, the registers supplied with only their header row: real zeros.
    empty = compute_metrics(t, CONFIG, supplied=frozenset(TABLES))
    assert headline(empty, "p3_contacts").value == 0 and headline(empty, "p3_contacts").not_measured_reason is None
    assert headline(empty, "p5_conduct_cases").value == 0
    # Without a record of what was supplied, a table with no row at all was not supplied.
    assert headline(compute_metrics(t, CONFIG), "p3_contacts").not_measured_reason == "no inbound messages were supplied"


def test_supplied_tables_come_from_the_files_that_fed_them():
    ingest = {"files": [{"table": "posts"}, {"table": None}, {"table": "contacts"}],
              "register": {"previous_register_file": {"path": "r.yml"}}}
    assert supplied_tables(ingest) == {"posts", "contacts", "recommendations"}


def test_a_column_no_post_records_is_not_measured_and_fires_no_recommendation():
    # Image and video posts from an export that records neither alt text nor captions.
    t = tables(
        accounts=[account("a1", platform="TikTok")],
        posts=[post(f"p{i}", "a1", "2025-02-01T10:00:00Z", media_type="image" if i % 2 else "video",
                    impressions=None, reach=None) for i in range(6)],
    )
    m = compute_metrics(t, CONFIG)
    for metric_id in ("p7_alt_text_pct", "p7_captions_pct", "p1_impressions", "p1_reach"):
        h = headline(m, metric_id)
        assert h.value is None and h.rag == "Not rated", metric_id
        assert "(posts from TikTok)" in h.not_measured_reason, h.not_measured_reason
    assert headline(m, "p7_alt_text_pct").not_measured_reason.startswith("no post in the period records whether its images have alt text")
    ids = [r.rec_id for r in recommend(m)]
    assert not [i for i in ids if "alt-text" in i or "captions" in i]
    # The breakdown shows no 0% and no 0 impressions for what no post records.
    access = frame_of(m, "p7_accessibility").set_index("Platform")
    assert access.loc["TikTok", "Image posts"] == 3 and pd.isna(access.loc["TikTok", "With alt text (%)"])
    by_platform = frame_of(m, "p1_by_platform").set_index("Platform")
    assert pd.isna(by_platform.loc["TikTok", "Impressions"])


def test_shares_count_only_the_posts_that_record_the_figure():
    t = tables(
        accounts=[account("a1")],
        posts=[
            post("p1", "a1", "2025-02-01T10:00:00Z", media_type="image", has_alt_text=True),
            post("p2", "a1", "2025-02-01T11:00:00Z", media_type="image", has_alt_text=False),
            post("p3", "a1", "2025-02-01T12:00:00Z", media_type="image", has_alt_text=None),  # not recorded
        ],
    )
    assert headline(compute_metrics(t, CONFIG), "p7_alt_text_pct").value == pytest.approx(50)


def test_like_for_like_compares_only_the_accounts_in_both_years():
    # Last year: YouTube only (2 posts, 100 impressions each). This year: YouTube (3 posts, 100
    # each) and X (5 posts, 1,000 each). The change compares YouTube with YouTube: 200 -> 300.
    posts = [post(f"y{i}", "yt", f"2024-03-0{i + 1}T10:00:00Z", impressions=100) for i in range(2)]
    posts += [post(f"n{i}", "yt", f"2025-03-0{i + 1}T10:00:00Z", impressions=100) for i in range(3)]
    posts += [post(f"x{i}", "x1", f"2025-04-0{i + 1}T10:00:00Z", impressions=1000) for i in range(5)]
    t = tables(accounts=[account("yt", platform="YouTube"), account("x1", platform="X")], posts=posts)
    h = headline(compute_metrics(t, SMALL), "p1_impressions")
    assert h.value == 5300
    assert (h.prior_value, h.compared_value) == (200, 300)
    assert h.change_pct == pytest.approx(50)
    assert h.comparison == "last year covers 1 of the 2 platforms; the change compares YouTube only"
    # With the default minimum (30 posts last year) two posts are too few to compare.
    h = headline(compute_metrics(t, CONFIG), "p1_impressions")
    assert h.change_pct is None and h.prior_value is None
    assert h.comparison == "not comparable: last year's figure rests on 2 posts, fewer than the 30 a change needs"


def test_no_shared_account_is_not_comparable():
    t = tables(
        accounts=[account("yt", platform="YouTube"), account("x1", platform="X")],
        posts=[post("a", "yt", "2024-03-01T10:00:00Z"), post("b", "x1", "2025-03-01T10:00:00Z")],
    )
    h = headline(compute_metrics(t, SMALL), "p1_posts")
    assert h.value == 1 and h.change_pct is None
    assert h.comparison.startswith("not comparable: no account has posts in both years")


def test_posts_and_messages_of_unregistered_accounts_are_counted_in_the_breakdowns():
    t = tables(
        accounts=[account("NSP-001", platform="X")],
        posts=[post("p1", "NSP-001", "2025-02-01T10:00:00Z", impressions=10),
               post("p2", "x:someone", "2025-02-02T10:00:00Z", impressions=20),
               post("p3", "mystery", "2025-02-03T10:00:00Z", impressions=30)],
        contacts=[contact("c1", "2025-02-01T10:00:00Z", 5, account_id="NSP-001"),
                  contact("c2", "2025-02-01T11:00:00Z", 5, account_id="N\u0405P-001")],
    )
    m = compute_metrics(t, CONFIG)
    by_platform = frame_of(m, "p1_by_platform").set_index("Platform")
    assert by_platform["Posts"].sum() == headline(m, "p1_posts").value == 3
    assert by_platform.loc["X", "Posts"] == 2 and by_platform.loc["Not in the account register", "Posts"] == 1
    assert by_platform["Impressions"].sum() == headline(m, "p1_impressions").value == 60
    kinds = frame_of(m, "p3_by_channel")
    assert kinds["Total"].sum() == headline(m, "p3_contacts").value == 2


@pytest.mark.parametrize("lookalike", ["nsp-001", " NSP-001", "NSP -001", "N\u0405P-001", "NSP-OO1"])
def test_an_id_that_looks_like_a_registered_one_is_flagged_with_it(lookalike):
    assert resembling([lookalike, "NSP-009"], ["NSP-001", "NSP-002"]) == {lookalike: "NSP-001"}


def test_p2_post_measures_need_a_link_between_posts_and_incidents():
    incident = {"critical_incident_id": "CI-1", "name": "Flood", "declared_at": "2025-03-01T10:00:00Z",
                "stood_down_at": None}
    posts = [post("p1", "a1", "2025-03-01T10:30:00Z", text="Roads closed #Flood2025"),
             post("p2", "a1", "2025-03-01T12:00:00Z", text="Our cadets")]
    t = tables(accounts=[account("a1")], posts=posts, critical_incidents=[incident])
    m = compute_metrics(t, CONFIG)
    assert headline(m, "p2_critical_incidents").value == 1  # the register is there: counted
    for metric_id in ("p2_first_post_median_minutes", "p2_missed_target", "p2_rumour_corrections"):
        assert headline(m, metric_id).not_measured_reason.startswith("nothing links posts to critical incidents"), metric_id
    assert not [r for r in recommend(m) if r.clause == "P2"]
    # A register of posts by incident links p2: 120 minutes after declaration.
    linked = compute_metrics({**t, "incident_posts": _links([("p2", "CI-1")])}, CONFIG)
    assert headline(linked, "p2_first_post_median_minutes").value == pytest.approx(120)
    # A hashtag rule in the config links p1: 30 minutes.
    by_tag = ReviewConfig(year=2025, incident_links={"hashtags": {"CI-1": ["#flood2025"]}})
    assert headline(compute_metrics(t, by_tag), "p2_first_post_median_minutes").value == pytest.approx(30)
    # A time window: every post within 60 minutes of the declaration (p1 only).
    window = ReviewConfig(year=2025, incident_links={"window_minutes": 60})
    result = compute_metrics(t, window)
    assert headline(result, "p2_first_post_median_minutes").value == pytest.approx(30)
    table = frame_of(result, "p2_incidents")
    assert table["Posts"].tolist() == [1]


def _links(rows):
    frame = pd.DataFrame(rows, columns=["post_id", "critical_incident_id"]).astype(str)
    return TABLES["incident_posts"].model.validate(frame)


def test_follower_figures_from_a_partial_file_give_no_growth():
    # Two weeks of spring figures: nothing near the start or end of the year.
    audience = [{"account_id": "a1", "date": f"2025-03-{d:02d}", "followers": 100 + d} for d in range(1, 15)]
    t = tables(accounts=[account("a1")], posts=[post("p1", "a1", "2025-03-01T10:00:00Z")], audience=audience)
    m = compute_metrics(t, CONFIG)
    for metric_id in ("p1_followers_start", "p1_followers_end", "p1_follower_growth_pct"):
        assert headline(m, metric_id).value is None and headline(m, metric_id).not_measured_reason, metric_id
    # A figure in the first and last month of the year: measured.
    audience += [{"account_id": "a1", "date": "2025-01-03", "followers": 100},
                 {"account_id": "a1", "date": "2025-12-20", "followers": 150}]
    m = compute_metrics(tables(accounts=[account("a1")], posts=[post("p1", "a1", "2025-03-01T10:00:00Z")],
                               audience=audience), CONFIG)
    assert headline(m, "p1_follower_growth_pct").value == pytest.approx(50)


# --- every headline equals the sum of its breakdown, on any input -------------------------------

ACCOUNTS = ["NSP-001", "NSP-002", "x:unmatched", "stray"]
REGISTER = [account("NSP-001", platform="X"), account("NSP-002", platform="Facebook")]


@st.composite
def years(draw):
    n_posts = draw(st.integers(0, 25))
    posts = [
        post(f"p{i}", draw(st.sampled_from(ACCOUNTS)),
             f"2025-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}T{draw(st.integers(0, 23)):02d}:00:00Z",
             impressions=draw(st.none() | st.integers(0, 10_000)), engagements=draw(st.none() | st.integers(0, 500)),
             media_type=draw(st.sampled_from(["text", "image", "video", "link"])))
        for i in range(n_posts)
    ]
    contacts = [
        contact(f"c{i}", f"2025-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}T{draw(st.integers(0, 23)):02d}:00:00Z",
                draw(st.none() | st.integers(0, 3000)), needs_response=draw(st.booleans()),
                account_id=draw(st.sampled_from(ACCOUNTS)))
        for i in range(draw(st.integers(0, 25)))
    ]
    return tables(accounts=REGISTER, posts=posts or [post("p-only", "NSP-001", "2025-06-01T10:00:00Z")],
                  contacts=contacts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(years())
def test_every_headline_equals_the_sum_of_its_breakdown(t):
    m = compute_metrics(t, CONFIG, supplied=frozenset(TABLES))
    frames = {x.table_id: labelled(x) for x in m.tables}
    posts = headline(m, "p1_posts").value
    assert frames["p1_by_platform"]["Posts"].sum() == posts
    assert frames["p1_channels"]["Posts"].sum() == posts
    assert frames["p1_by_month"]["Posts"].sum() == posts
    assert frames["p1_content_mix"]["Posts"].sum() == posts
    impressions = headline(m, "p1_impressions").value
    if impressions is not None:
        assert frames["p1_by_platform"]["Impressions"].sum() == impressions
        assert frames["p1_by_month"]["Impressions"].sum() == impressions
    access = frames["p7_accessibility"]
    assert access["Image posts"].sum() == sum(1 for _ in t["posts"].itertuples() if _.media_type == "image"
                                              and _.published_at.year == 2025)
    contacts = headline(m, "p3_contacts").value
    assert frames["p3_by_channel"]["Total"].sum() == contacts
    assert frames["p3_outcomes"]["Messages"].sum() == contacts
    assert frames["p3_by_platform"]["Messages"].sum() == contacts
    staffed = frames["p3_staffed_hours"].set_index("When the message arrived")["Messages"]
    assert staffed["Staffed hours"] + staffed["Out of hours"] == staffed["All"] == contacts


def test_a_platform_whose_posts_report_no_impressions_is_not_measured_beside_an_idle_account():
    # Facebook: one account whose 2 posts report no impressions, one that posted nothing (0).
    # The platform's impressions are not measured, not 0; X's are the sum of its posts.
    t = tables(
        accounts=[account("fb1", platform="Facebook"), account("fb2", platform="Facebook"), account("x1")],
        posts=[post("f1", "fb1", "2025-02-01T10:00:00Z", impressions=None),
               post("f2", "fb1", "2025-02-02T10:00:00Z", impressions=None),
               post("x1", "x1", "2025-02-02T10:00:00Z", impressions=40)],
    )
    m = compute_metrics(t, CONFIG)
    by_platform = frame_of(m, "p1_by_platform").set_index("Platform")
    assert pd.isna(by_platform.loc["Facebook", "Impressions"]) and by_platform.loc["Facebook", "Posts"] == 2
    assert by_platform.loc["X", "Impressions"] == 40 == headline(m, "p1_impressions").value


# --- a year with no account beyond the shared ones is not measured again ------------------------


@st.composite
def two_years(draw):
    def posts(year, accounts, prefix):
        return [post(f"{prefix}{i}", draw(st.sampled_from(accounts)),
                     f"{year}-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}T10:00:00Z",
                     impressions=draw(st.none() | st.integers(0, 10_000)), engagements=draw(st.none() | st.integers(0, 500)))
                for i in range(draw(st.integers(1, 40)))]

    now = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=4, unique=True))
    before = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=4, unique=True))
    return tables(accounts=REGISTER, posts=posts(2025, now, "n") + posts(2024, before, "b"))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_years())
def test_skipping_a_year_that_restriction_leaves_whole_changes_no_figure(t):
    import review.evidence.metrics as metrics

    def figures(m):
        return [(h.metric_id, h.value, h.prior_value, h.compared_value, h.change_pct, h.comparison) for h in m.headlines]

    shortcut = figures(compute_metrics(t, SMALL))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(metrics, "_all_shared", lambda *args: False)  # always measure both years again
        again = figures(compute_metrics(t, SMALL))
    assert shortcut == again


@pytest.mark.parametrize("dtype", ["object", "str", "string[python]", "string[pyarrow]", "category"])
def test_platform_of_looks_each_id_up_as_the_row_by_row_formula_does(dtype):
    """platform_of looks each distinct id up once; each row gets what the row-by-row formula
    gives: the register's platform, else the `<platform>:<handle>` prefix in any case, else
    UNREGISTERED (also for a missing id); the index and order are the caller's."""
    from review.evidence.metrics.coverage import UNREGISTERED, platform_of
    from review.inputs.contracts import PLATFORMS

    accounts = pd.DataFrame({"account_id": ["a1", "a2", "a1"], "platform": ["Facebook", "X", "Facebook"]})
    ids = pd.Series(["a2", "x:rOpenSci", "a1", "YOUTUBE:chan", "nope:h", "a9", None, "a2", "Facebook:page", "a1"] * 3,
                    index=range(100, 130)[::-1], dtype=dtype, name="account_id")
    registered = accounts.drop_duplicates("account_id").set_index("account_id")["platform"]
    known = {p.lower(): p for p in PLATFORMS}
    prefix = ids.astype("string").str.split(":", n=1).str[0].str.lower().map(known)
    expected = ids.map(registered).fillna(prefix).fillna(UNREGISTERED).astype(object)
    got = platform_of(ids, accounts)
    pd.testing.assert_series_equal(got, expected, check_categorical=False)
    assert list(got[:6]) == ["X", "X", "Facebook", "YouTube", UNREGISTERED, UNREGISTERED]
    assert platform_of(pd.Series([None, None], dtype=dtype), accounts).tolist() == [UNREGISTERED] * 2
    assert platform_of(ids.iloc[:0], accounts).tolist() == []


def _covered(t, config=CONFIG):
    from review.evidence.metrics import slice_periods
    from review.evidence.metrics.coverage import summarise
    from review.outputs.narrative import coverage

    current, prior = slice_periods(t, config)
    return coverage(summarise(current, prior, compute_metrics(t, config).headlines, {}))


def test_a_year_without_data_for_the_year_before_prints_no_zeros_for_it():
    # The sample reviewed for 2024 (its first year): the summary said "There is no data for the
    # year before", while Table 1 gave every platform 0 accounts and 0 posts last year, and the
    # coverage said "Last year's come from no account": zeros for a year nobody measured.
    t = tables(accounts=[account("a1"), account("a2", "Facebook")],
               posts=[post("p1", "a1", "2025-02-01T10:00:00Z"), post("p2", "a2", "2025-03-01T10:00:00Z")])
    covered = _covered(t)
    words = " ".join(covered.summary)
    assert "There is no data for last year" in words and "no account" not in words
    table = next(x for x in covered.tables if x.table_id == "coverage_platforms")
    assert table.frame["accounts_with_posts_prior"].isna().all() and table.frame["posts_prior"].isna().all()
    assert {table.figure(i, "posts_prior").cell() for i in range(len(table.frame))} == {"no data"}
    assert table.frame["posts"].sum() == 2  # this year's counts as they were
    accounts = next(x for x in covered.tables if x.table_id == "coverage_accounts")
    assert accounts.frame["posts_prior"].isna().all() and accounts.frame["posts_now"].sum() == 2
    assert accounts.figure(0, "posts_prior").cell() == "no data"


def test_a_year_before_with_data_but_no_posts_on_a_platform_counts_zero():
    # The year before has data (a post on X), so Facebook's empty year is a count: 0.
    t = tables(accounts=[account("a1"), account("a2", "Facebook")],
               posts=[post("p0", "a1", "2024-02-01T10:00:00Z"), post("p1", "a1", "2025-02-01T10:00:00Z"),
                      post("p2", "a2", "2025-03-01T10:00:00Z")])
    covered = _covered(t)
    table = next(x for x in covered.tables if x.table_id == "coverage_platforms").frame.set_index("platform")
    assert table.loc["Facebook", "posts_prior"] == 0 and table.loc["X", "posts_prior"] == 1
    assert "Last year's come from 1 account on 1 platform (X)" in " ".join(covered.summary)

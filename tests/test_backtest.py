"""Back-tests: metric tables for the sample year against numbers computed here independently.

The expected values come from the sample CSVs read with the csv module and plain Python
(datetime, zoneinfo, statistics): none of the pandas, DuckDB or pandera code under test.
"""

import csv
import datetime as dt
import statistics
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest

import review
from review.inputs.sample import build_sample

LONDON = ZoneInfo("Europe/London")
YEAR = 2025


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    data = tmp_path_factory.mktemp("backtest")
    build_sample("S", YEAR, data, seed=7)
    return data, review.load(data, YEAR)


def rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def stamp(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def local(text):
    return stamp(text).astimezone(LONDON)


def platforms(data):
    return {r["account_id"]: r["platform"] for r in rows(data / "accounts.csv")}


def test_by_platform_posts_and_impressions(sample):
    data, year = sample
    plat = platforms(data)
    posts, impressions = Counter(), Counter()
    for r in rows(data / "posts.csv"):
        if local(r["published_at"]).year == YEAR:
            posts[plat[r["account_id"]]] += 1
            impressions[plat[r["account_id"]]] += int(r["impressions"] or 0)
    table = year.table("p1_by_platform").set_index("platform")
    assert table["posts"].to_dict() == dict(posts)
    assert table["impressions"].to_dict() == dict(impressions)
    # Counts are integers; impressions may be missing for a platform that reports none (Int64).
    assert table["posts"].dtype == "int64" and str(table["impressions"].dtype) in ("int64", "Int64")


def test_response_times_in_and_out_of_staffed_hours(sample):
    data, year = sample
    minutes = defaultdict(list)
    for r in rows(data / "contacts.csv"):
        received = local(r["received_at"])
        if received.year != YEAR or r["needs_response"] != "true" or not r["first_response_at"]:
            continue
        staffed = 8 <= received.hour < 20  # config/2025.yml and the defaults: 08:00-20:00, every day
        wait = (stamp(r["first_response_at"]) - stamp(r["received_at"])).total_seconds() / 60
        minutes["Staffed hours" if staffed else "Out of hours"].append(wait)
    table = year.table("p3_staffed_hours").set_index("when")
    for label, values in minutes.items():
        assert table.loc[label, "median_minutes"] == round(statistics.median(values))
    assert year.metrics.value("p3_out_of_hours_median_minutes") == pytest.approx(statistics.median(minutes["Out of hours"]))
    assert year.metrics.value("p3_in_hours_median_minutes") == pytest.approx(statistics.median(minutes["Staffed hours"]))


def test_first_post_minutes_per_critical_incident(sample):
    data, year = sample
    declared = {r["critical_incident_id"]: (r["name"], stamp(r["declared_at"])) for r in rows(data / "critical_incidents.csv")
                if local(r["declared_at"]).year == YEAR}
    first = {}
    for r in rows(data / "posts.csv"):
        cid = r["critical_incident_id"]
        if cid in declared:
            after = (stamp(r["published_at"]) - declared[cid][1]).total_seconds() / 60
            if after >= 0:
                first[cid] = min(first.get(cid, after), after)
    table = year.table("p2_incidents").set_index("incident")
    for cid, (name, _) in declared.items():
        assert table.loc[name, "first_post_minutes"] == round(first[cid])
    assert year.metrics.value("p2_first_post_median_minutes") == pytest.approx(statistics.median(first.values()))


def test_training_status_by_unit(sample):
    data, year = sample
    end = dt.date(YEAR + 1, 1, 1)
    latest = {}
    for r in rows(data / "training.csv"):
        done = dt.date.fromisoformat(r["completed_date"]) if r["completed_date"] else None
        if done is not None and done >= end:
            continue
        key = (done is not None, done or dt.date.min)
        if r["person_ref"] not in latest or key >= latest[r["person_ref"]][0]:
            latest[r["person_ref"]] = (key, r)
    status = Counter()
    for (_, r) in latest.values():
        if not r["completed_date"]:
            s = "Never"
        elif not r["expires_date"] or dt.date.fromisoformat(r["expires_date"]) >= end:
            s = "In date"
        else:
            s = "Expired"
        status[(r["unit"], s)] += 1
    table = year.table("p5_training_by_unit").set_index("unit")
    column = {"In date": "in_date", "Expired": "expired", "Never": "never"}
    for (unit, s), n in status.items():
        assert table.loc[unit, column[s]] == n, (unit, s)
    assert table["people"].sum() == len(latest)


def test_accessibility_by_platform(sample):
    data, year = sample
    plat = platforms(data)
    images, alt = Counter(), Counter()
    for r in rows(data / "posts.csv"):
        if local(r["published_at"]).year == YEAR and r["media_type"] == "image":
            images[plat[r["account_id"]]] += 1
            alt[plat[r["account_id"]]] += r["has_alt_text"] == "true"
    table = year.table("p7_accessibility").set_index("platform")
    for platform, n in images.items():
        assert table.loc[platform, "image_posts"] == n
        assert table.loc[platform, "alt_text_pct"] == round(100 * alt[platform] / n, 1)


def test_conduct_cases_by_category_hold_true_counts_and_print_suppressed(sample):
    """The typed table holds the true counts (counted here from incidents.csv); printed, through
    the protected table, a count of 1-4 reads "<5" and a shown one its number."""
    from review.disclosure import protect

    data, year = sample
    counts = Counter()
    for r in rows(data / "incidents.csv"):
        if dt.date.fromisoformat(r["opened_date"]).year == YEAR:
            counts[(r["category"], r["capacity"])] += 1
    table = year.table("p5_cases").set_index("category")
    for (category, capacity), n in counts.items():
        assert table.loc[category, capacity] == n
    _, tables = protect(year.metrics.headlines, year.metrics.tables, 5)
    printed = next(t for t in tables if t.table_id == "p5_cases")
    for row, category in enumerate(printed.frame["category"]):
        for capacity in ("work", "personal"):
            n = counts[(category, capacity)]
            text = printed.figure(row, capacity).cell()
            assert text == "<5" if 0 < n < 5 else text in (f"{n:,}", "[c]"), (category, capacity, n, text)
"""P2's timeline chart agrees with P2's table and headlines on any year: one row per incident (two
incidents of one name are two rows), every incident of the year there (one with no post, one
whose first post came after the chart's six hours), and a year of many incidents drawn as its
slowest, with the caption and the alt text saying so."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from review.config import ReviewConfig
from review.evidence.metrics import compute_metrics
from review.outputs.charts.clauses import TIMELINE_ROWS, draw_charts
from tables_fixture import account, post, tables

CONFIG = ReviewConfig(year=2025)


def incident(cid: str, name: str, declared: str) -> dict:
    return {"critical_incident_id": cid, "name": name, "declared_at": declared, "stood_down_at": None}


def year(incidents: list[dict], posts: list[dict]):
    t = tables(accounts=[account("a1")], posts=posts, critical_incidents=incidents)
    m = compute_metrics(t, CONFIG)
    timeline = m.series["p2_timeline"]
    chart = draw_charts("P2", CONFIG, {"p2_timeline": timeline}, False)[0]
    table = next(t for t in m.tables if t.table_id == "p2_incidents").frame
    return m, timeline, chart, table


def value(m, metric_id):
    return next(h for h in m.headlines if h.metric_id == metric_id).value


def linked(post_id: str, cid: str, at: str) -> dict:
    return post(post_id, "a1", at, critical_incident_id=cid)


def test_the_timeline_has_every_incident_once_with_the_tables_first_post():
    incidents = [
        incident("CI-1", "Flooding in Foxley", "2025-03-01T10:00:00Z"),
        incident("CI-2", "Flooding in Foxley", "2025-06-01T10:00:00Z"),  # the same name, in summer time
        incident("CI-3", "Flooding in Foxley", "2025-06-01T14:30:00Z"),  # the same name and day
        incident("CI-4", "Riot", "2025-07-01T09:00:00Z"),  # no post at all
    ]
    posts = [
        linked("p1", "CI-1", "2025-03-01T10:30:00Z"), linked("p2", "CI-1", "2025-03-01T11:30:00Z"),
        linked("p3", "CI-2", "2025-06-01T18:20:00Z"),  # 500 minutes: after the chart's six hours
        linked("p4", "CI-2", "2025-06-01T19:00:00Z"),
        linked("p5", "CI-3", "2025-06-01T14:45:00Z"),
        linked("p6", "CI-3", "2025-06-01T13:00:00Z"),  # before its declaration: not a response
    ]
    m, timeline, chart, table = year(incidents, posts)
    assert timeline["name"].drop_duplicates().tolist() == [
        "Flooding in Foxley, 1 Mar", "Flooding in Foxley, 1 Jun 11:00", "Flooding in Foxley, 1 Jun 15:30", "Riot"]
    first = timeline.groupby("name", sort=False)["minutes_after"].min()
    # The chart's first post of each incident is the table's, row for row (declaration order).
    assert len(first) == len(table) == value(m, "p2_critical_incidents") == 4
    np.testing.assert_array_equal(first.round().to_numpy(), table["first_post_minutes"].astype("float64").to_numpy())
    assert first.tolist()[:3] == [30.0, 500.0, 15.0] and np.isnan(first.iloc[3])
    # Only the first post is kept from after the six hours; a post before the declaration never.
    assert sorted(timeline["minutes_after"].dropna()) == [15.0, 30.0, 90.0, 500.0]
    # The alt text counts what the headline counts: the late one and the silent one missed.
    assert value(m, "p2_missed_target") == 2
    assert "2 of 4 incidents missed the 60-minute target" in chart.alt
    assert "No post was made for Riot" in chart.alt
    assert "slowest" not in chart.caption + chart.alt
    # The chart's data (the workbook's Figure sheet) says "no post" for Riot, never 0.
    riot = chart.data.frame[chart.data.frame["name"] == "Riot"]
    assert riot["minutes_after"].isna().all() and chart.data.columns["minutes_after"].missing == "no post"


@pytest.mark.parametrize("extra", [0, 7])
def test_a_year_of_many_incidents_draws_the_slowest(extra):
    count = TIMELINE_ROWS + extra
    incidents, posts = [], []
    for i in range(count):
        day = pd.Timestamp("2025-02-01T12:00:00Z") + pd.Timedelta(days=i)
        incidents.append(incident(f"CI-{i}", f"Incident {i}", day.isoformat()))
        wait = (i * 37) % 200 + 5  # a first post 5 to 204 minutes after, in no order
        posts.append(linked(f"p{i}", f"CI-{i}", (day + pd.Timedelta(minutes=wait)).isoformat()))
    m, timeline, chart, _ = year(incidents, posts)
    assert timeline["name"].nunique() == count  # the series keeps them all
    drawn = chart.data.frame
    assert drawn["name"].nunique() == TIMELINE_ROWS
    firsts = timeline.groupby("name")["minutes_after"].min()
    slowest = set(firsts.sort_values(ascending=False, kind="stable").index[:TIMELINE_ROWS])
    assert set(drawn["name"]) == slowest
    assert drawn["name"].drop_duplicates().tolist() == [n for n in timeline["name"].drop_duplicates() if n in slowest]
    # What the picture shows: a row label for each of those, and no other incident's.
    texts = {t.text for t in ET.fromstring(chart.svg).iter("{http://www.w3.org/2000/svg}text")}
    assert {n for n in timeline["name"] if n in texts} == slowest
    missed = int(value(m, "p2_missed_target"))
    assert f"{missed} of {count} incidents missed" in chart.alt  # every incident, not only those drawn
    if extra:
        assert chart.alt.endswith(f"The chart shows the {TIMELINE_ROWS} with the slowest first posts.")
        assert f"The {TIMELINE_ROWS} incidents with the slowest first posts, of {count}, are shown" in chart.caption
    else:
        assert "slowest" not in chart.caption + chart.alt

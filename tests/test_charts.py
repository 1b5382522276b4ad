"""The chart builders: accessible, inlinable, deterministic SVG with alt text from the data.

Expected alt-text figures are worked out here by hand or with plain Python on the same small
frames, not with the module's own helpers, so a formatting slip shows up as a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from review.outputs import charts
from review.config import Force
from review.context import Chart

SVG_NS = "{http://www.w3.org/2000/svg}"
PALETTE = Force().palette  # the configured default, Okabe-Ito
COMMON = {"clause": "P1", "title": "A title", "caption": "A caption.", "source": "Source: test"}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# --- small hand-made frames -------------------------------------------------------------------


def impressions_frame() -> pd.DataFrame:
    this_year = [1_200_000, 1_300_000, 1_250_000, 1_400_000, 1_500_000, 1_600_000,
                 2_100_000, 1_700_000, 1_750_000, 1_800_000, 1_850_000, 1_900_000]  # fmt: skip
    last_year = [1_000_000, 1_050_000, 1_100_000, 1_150_000, 1_200_000, 1_250_000,
                 1_300_000, 1_320_000, 1_350_000, 1_400_000, 1_450_000, 1_500_000]  # fmt: skip
    return pd.DataFrame(
        {
            "month": MONTHS * 2,
            "year": ["2025"] * 12 + ["2024"] * 12,
            "impressions_count": this_year + last_year,
        }
    )


def reach_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account": ["Northshire Police X", "Northshire Police Facebook",
                        "Northshire Police TikTok", "Roads Policing Unit"],  # fmt: skip
            "reach_people": [880_000, 2_300_000, 12_000, 45_250],
        }
    )


def contacts_frame() -> pd.DataFrame:
    rows = [(day, hour, 10 + day + hour) for day in range(7) for hour in range(24)]
    frame = pd.DataFrame(rows, columns=["weekday", "hour", "contacts_count"])
    frame.loc[(frame.weekday == 6) & (frame.hour == 20), "contacts_count"] = 1234
    frame.loc[(frame.weekday == 2) & (frame.hour == 4), "contacts_count"] = 3
    return frame


def incidents_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident": ["Flood"] * 2 + ["Missing child"] + ["Road closure"] + ["Fire"] * 3
            + ["Firearms"],
            "minutes_after": [12, 40, 95, 60, 61, 90, 200, 30],
        }
    )


def build_line(frame=None, **kw) -> Chart:
    args = dict(x="month", y="impressions_count", series="year", chart_id="p1_impressions",
                y_label="Impressions", unit="count", palette=PALETTE, **COMMON)  # fmt: skip
    args.update(kw)
    return charts.line_chart(impressions_frame() if frame is None else frame, **args)


def build_bar(frame=None, **kw) -> Chart:
    args = dict(category="account", value="reach_people", chart_id="p1_reach",
                value_label="Reach (people)", unit="people", palette=PALETTE, noun="accounts",
                **COMMON)  # fmt: skip
    args.update(kw)
    return charts.bar_chart(reach_frame() if frame is None else frame, **args)


def build_heatmap(frame=None, **kw) -> Chart:
    args = dict(row="weekday", col="hour", value="contacts_count", chart_id="p3_contacts",
                value_label="contacts", palette=PALETTE, **COMMON)  # fmt: skip
    args.update(kw)
    return charts.heatmap(contacts_frame() if frame is None else frame, **args)


def build_timeline(frame=None, **kw) -> Chart:
    args = dict(incident="incident", minutes="minutes_after", target_minutes=60,
                chart_id="p5_incidents", palette=PALETTE, **COMMON)  # fmt: skip
    args.update(kw)
    return charts.timeline_chart(incidents_frame() if frame is None else frame, **args)


BUILDERS = {"line": build_line, "bar": build_bar, "heatmap": build_heatmap,
            "timeline": build_timeline}  # fmt: skip


@pytest.fixture(scope="module")
def built() -> dict[str, Chart]:
    return {name: build() for name, build in BUILDERS.items()}


# --- the SVG is inlinable and accessible ------------------------------------------------------


@pytest.mark.parametrize("name", BUILDERS)
def test_svg_is_inlinable_xml_with_role_label_and_title(built, name):
    chart = built[name]
    assert chart.svg.startswith("<svg ")
    assert "<?xml" not in chart.svg and "<!DOCTYPE" not in chart.svg
    assert "<style" not in chart.svg  # an inline <style> would leak into the whole page
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == chart.alt
    assert root.get("width") == "100%"
    assert "height" not in root.attrib  # the viewBox sets the aspect ratio
    assert len(root.get("viewBox").split()) == 4
    first = root[0]
    assert first.tag == f"{SVG_NS}title" and first.text == chart.alt
    assert chart.chart_id and chart.clause == "P1" and chart.title == "A title"


@pytest.mark.parametrize("name", BUILDERS)
def test_every_id_is_prefixed_and_every_reference_resolves(built, name):
    chart = built[name]
    ids = re.findall(r'\bid="([^"]+)"', chart.svg)
    assert ids and len(ids) == len(set(ids))
    assert all(i.startswith(f"{chart.chart_id}-") for i in ids)
    refs = re.findall(r'(?:href="#|url\(#)([^")]+)', chart.svg)
    assert refs and set(refs) <= set(ids)


def test_ids_of_different_charts_never_collide(built):
    seen: dict[str, str] = {}
    for name, chart in built.items():
        for i in re.findall(r'\bid="([^"]+)"', chart.svg):
            assert i not in seen, f"{i} is in both {seen[i]} and {name}"
            seen[i] = name
    # the same chart drawn twice under two ids (e.g. two years on one page) differs too
    other = build_line(chart_id="p1_impressions_prior")
    first = set(re.findall(r'\bid="([^"]+)"', built["line"].svg))
    assert first.isdisjoint(re.findall(r'\bid="([^"]+)"', other.svg))


def test_chart_id_that_cannot_prefix_an_id_is_refused():
    with pytest.raises(ValueError, match="chart_id"):
        build_line(chart_id="p1 impressions")


# --- the palette is used --------------------------------------------------------------------


def test_configured_palette_colours_appear_in_the_svg():
    palette = ("#123456", "#a1b2c3", "#00ff7f")
    svgs = {name: build(palette=palette).svg.lower() for name, build in BUILDERS.items()}
    assert "#123456" in svgs["line"] and "#a1b2c3" in svgs["line"]  # one colour per series
    assert "#123456" in svgs["bar"]
    assert "#123456" in svgs["heatmap"]  # the outline of the busiest cell
    assert "#123456" in svgs["timeline"] and "#a1b2c3" in svgs["timeline"]  # met and missed
    for svg in svgs.values():
        assert "#0072b2" not in svg  # nothing falls back to the default palette


def test_too_few_colours_for_the_series_is_an_error():
    with pytest.raises(ValueError, match="palette"):
        build_line(palette=("#0072B2",))


def test_highlighted_bar_keeps_the_palette_colour_and_the_rest_go_grey():
    svg = build_bar(highlight="Roads Policing Unit", palette=("#123456",)).svg.lower()
    assert svg.count("fill: #123456") == 1
    assert svg.count("fill: #bfc1c3") == 3


# --- alt text carries the numbers -----------------------------------------------------------


def test_line_alt_text_names_start_end_and_peak_of_each_series():
    frame = impressions_frame()
    this = frame[frame.year == "2025"].reset_index()
    peak = this.loc[this.impressions_count.idxmax()]
    assert (peak.month, peak.impressions_count) == ("Jul", 2_100_000)
    alt = build_line(frame).alt
    assert alt == (
        "Impressions in 2025 rose from 1.2 million in January to 1.9 million in December, "
        "peaking at 2.1 million in July; in 2024 the figures ran from 1 million in January "
        "to 1.5 million in December."
    )


def test_bar_alt_text_names_highest_lowest_and_count():
    frame = reach_frame()
    ordered = sorted(zip(frame.reach_people, frame.account, strict=True), reverse=True)
    (hi_value, hi_name), (lo_value, lo_name) = ordered[0], ordered[-1]
    assert (hi_value, lo_value) == (2_300_000, 12_000)
    alt = build_bar(frame).alt
    assert alt == (
        f"Highest: {hi_name} with 2.3 million; lowest: {lo_name} with 12,000; "
        f"{len(frame)} accounts in all."
    )


def test_bar_alt_text_ranks_a_highlighted_middle_bar():
    alt = build_bar(highlight="Roads Policing Unit").alt
    assert alt.endswith("Roads Policing Unit: 45,250, 3rd of 4.")


def test_heatmap_alt_text_names_busiest_and_quietest_slots():
    frame = contacts_frame()
    busiest = frame.loc[frame.contacts_count.idxmax()]
    quietest = frame.loc[frame.contacts_count.idxmin()]
    assert (busiest.weekday, busiest.hour) == (6, 20)  # Sunday, 0 = Monday
    assert (quietest.weekday, quietest.hour) == (2, 4)
    total = int(frame.contacts_count.sum())
    assert build_heatmap(frame).alt == (
        "Busiest: Sunday 20:00 with 1,234 contacts; quietest: Wednesday 04:00 with 3. "
        f"{total:,} contacts in all."
    )


def test_heatmap_accepts_weekday_names_and_missing_cells_count_as_zero():
    frame = pd.DataFrame(
        {"weekday": ["Sun", "Wednesday", "mon"], "hour": [20, 4, 9], "contacts_count": [50, 7, 9]}
    )
    alt = build_heatmap(frame).alt
    # 168 slots, three with contacts: the rest are zero, the first of them Monday 00:00
    assert alt.startswith("Busiest: Sunday 20:00 with 50 contacts; ")
    assert "quietest: Monday 00:00 and 164 other hours with 0." in alt


def test_timeline_alt_text_gives_first_post_range_and_misses():
    frame = incidents_frame()
    firsts = frame.groupby("incident", sort=False).minutes_after.min()
    assert (firsts.min(), firsts.max()) == (12, 95)
    missed = int((firsts > 60).sum())  # 60 exactly meets the target
    assert missed == 2
    assert build_timeline(frame).alt == (
        f"First posts came 12 to 95 minutes after declaration; {missed} of {len(firsts)} "
        "incidents missed the 60-minute target."
    )


def test_timeline_counts_an_incident_with_no_post_as_missed():
    frame = pd.concat(
        [incidents_frame(), pd.DataFrame({"incident": ["Riot"], "minutes_after": [np.nan]})]
    )
    alt = build_timeline(frame).alt
    assert "3 of 6 incidents missed the 60-minute target." in alt
    assert alt.endswith("No post was made for Riot.")


# --- empty, missing and single values -------------------------------------------------------


@pytest.mark.parametrize("name", BUILDERS)
def test_empty_frame_gives_a_no_data_chart_not_an_error(name):
    for frame in (pd.DataFrame(), pd.DataFrame(columns=["a"])):
        chart = BUILDERS[name](frame)
        assert chart.alt == "No data for this period."
        root = ET.fromstring(chart.svg)
        assert root.get("aria-label") == chart.alt


@pytest.mark.parametrize("name", BUILDERS)
def test_all_missing_values_give_a_no_data_chart(name):
    frames = {
        "line": impressions_frame().assign(impressions_count=np.nan),
        "bar": reach_frame().assign(reach_people=np.nan),
        "heatmap": contacts_frame().assign(contacts_count=np.nan),
        "timeline": incidents_frame().iloc[:0],
    }
    assert BUILDERS[name](frames[name]).alt == "No data for this period."


def test_line_with_gaps_and_a_single_point():
    frame = impressions_frame().query("year == '2025'").drop(columns="year")
    frame.loc[frame.month.isin(["Mar", "Apr"]), "impressions_count"] = np.nan
    alt = build_line(frame, series=None).alt
    assert alt.startswith("Impressions rose from 1.2 million in January to 1.9 million")
    assert "(no figure for March and April)" in alt
    single = build_line(frame.iloc[:1], series=None)
    assert single.alt == "Impressions: 1.2 million in January."
    assert "<path" in single.svg  # the lone point is drawn as a dot


def test_line_with_monthly_dates_names_the_months():
    frame = pd.DataFrame(
        {"month": pd.date_range("2025-01-01", periods=3, freq="MS"),
         "impressions_count": [10_000, 12_500, 9_000]}  # fmt: skip
    )
    assert build_line(frame, series=None).alt == (
        "Impressions fell from 10,000 in January to 9,000 in March, "
        "peaking at 12,500 in February."
    )


def test_bar_with_a_missing_value_and_a_single_bar():
    frame = reach_frame()
    frame.loc[frame.account == "Roads Policing Unit", "reach_people"] = np.nan
    assert build_bar(frame).alt.endswith("4 accounts in all. No figure for Roads Policing Unit.")
    one = build_bar(frame.iloc[:1])
    assert one.alt == "Northshire Police X: 880,000; 1 account in all."


def test_heatmap_cell_given_as_nan_has_no_figure():
    frame = contacts_frame()
    frame.loc[(frame.weekday == 0) & (frame.hour == 0), "contacts_count"] = np.nan
    assert build_heatmap(frame).alt.endswith("No figure for 1 hour.")


def test_single_incident_timeline():
    frame = pd.DataFrame({"incident": ["Flood"], "minutes_after": [45.0]})
    assert build_timeline(frame).alt == (
        "The first post came 45 minutes after declaration, within the 60-minute target."
    )


# --- number formatting ----------------------------------------------------------------------


def test_tick_labels_use_one_scale_per_axis():
    f = charts.format_tick_labels
    assert f([0, 500_000, 1_000_000, 1_500_000], "count") == ["0", "0.5m", "1.0m", "1.5m"]
    assert f([0, 20_000, 40_000], "people") == ["0", "20k", "40k"]
    assert f([0, 2_500, 5_000], "count") == ["0", "2,500", "5,000"]
    assert f([0, 25, 50], "pct") == ["0%", "25%", "50%"]
    assert f([0, 0.5, 1.0], "rate") == ["0", "0.5", "1.0"]


def test_values_read_as_words_and_as_short_labels():
    f = charts.format_value
    assert f(1_234, "count") == "1,234"
    assert f(941_084, "count") == "941,000"
    assert f(2_345_678, "people") == "2.3 million"
    assert f(2_345_678, "people", style="short") == "2.3m"
    assert f(45_250, "count", style="short") == "45k"
    assert f(45.26, "pct") == "45.3%"
    assert f(1, "minutes") == "1 minute"
    assert f(95.0, "minutes", style="short") == "95 min"
    assert f(3.456, "rate") == "3.46"
    with pytest.raises(ValueError, match="unit"):
        f(1, "kg")


def test_chart_labels_round_halves_as_the_tables_do():
    """A bar labelled "79.2%" beside a table cell of "79.3%" for the same share: Python rounds
    an exact half to even; the report's tables and sentences round it up (review.values)."""
    from review.values import fmt_minutes, fmt_pct

    f = charts.format_value
    for share in (79.25, 0.125 * 100, 60.45, 2.25, 33.35):
        assert f(share, "pct") == fmt_pct(share) == f(share, "pct", style="short")
    assert f(12.5, "minutes") == fmt_minutes(12.5) == "13 minutes"
    assert f(2.25, "count") == "2.3" and f(150.5, "count") == "151"
    assert f(12_500, "count", style="short") == "13k"


# --- determinism and thread safety ----------------------------------------------------------


def test_same_input_gives_identical_bytes(built):
    for name, build in BUILDERS.items():
        assert build().svg == built[name].svg, name


_CHILD = """
import hashlib, json, sys
sys.path.insert(0, {tests!r})
import test_charts as t
digest = {{n: hashlib.sha256(b().svg.encode()).hexdigest() for n, b in t.BUILDERS.items()}}
print(json.dumps(digest))
"""


def test_identical_bytes_in_a_fresh_process_with_another_hash_seed(built):
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    code = _CHILD.format(tests=os.path.dirname(__file__))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, timeout=60)  # fmt: skip
    child = json.loads(out.stdout.strip().splitlines()[-1])
    here = {n: hashlib.sha256(c.svg.encode()).hexdigest() for n, c in built.items()}
    assert child == here


def test_house_style_does_not_leak_into_global_rcparams():
    import matplotlib as mpl

    before = {k: repr(v) for k, v in mpl.rcParams.items()}
    build_heatmap()
    assert {k: repr(v) for k, v in mpl.rcParams.items()} == before


def test_building_from_threads_gives_the_same_bytes(built):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda name: (name, BUILDERS[name]().svg), list(BUILDERS) * 2))
    for name, svg in results:
        assert svg == built[name].svg, name


def test_counts_in_captions_and_alt_text_have_thousands_separators():
    # Size L's Figure 2 read "The 8 accounts with the most impressions of 2405 are shown."
    from review.outputs.charts.bar import _ordinal
    from review.outputs.charts.clauses import _shown

    assert _shown(pd.DataFrame({"x": range(2405)}), "accounts with the most impressions") == (
        " The 8 accounts with the most impressions of 2,405 are shown.")
    assert _ordinal(1234) == "1,234th" and _ordinal(11) == "11th" and _ordinal(2) == "2nd"

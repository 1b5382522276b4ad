"""P7's equality lens: audience demographics from the platforms' own exports, the population
register, and the representation index, checked against figures computed here from the files with
the csv module (never by the code under test)."""

import csv
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

import export_fixtures as fx
from review.config import ReviewConfig
from review.inputs.ingest import read_inputs
from review.evidence.metrics import compute_clause, compute_metrics, slice_periods
from review.evidence.metrics.coverage import TABLE_WORDS
from review.evidence.metrics.equality import equality_lens
from review.evidence.metrics.period import slice_period
from review.inputs.sample import generate_sample
from review.inputs.validate import validate_files

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"
FIXTURES = Path(__file__).parent / "fixtures"
POPULATION = FIXTURES / "population" / "population.csv"
PERIOD = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))


def _ingest(files: list[Path], folder: Path | None = None):
    raw, _ = read_inputs([folder] if folder else files, PERIOD)
    return validate_files(raw, folder)


def _accounted(result):
    for f in result.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected + f.rows_merged + f.rows_unused, f.path


# --- ingest: the real TikTok exports and the block-style Meta fixtures --------------------------------


@pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/exports is not beside the repo")
@pytest.mark.parametrize("name, dimension", [("tiktok_studio_follower_gender.csv", "sex"),
                                             ("tiktok_studio_follower_top_territories.csv", "country")])
def test_real_tiktok_follower_exports_feed_audience_demographics(name, dimension):
    with (EXPORTS / name).open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))[1:]
    result = _ingest([EXPORTS / name])
    _accounted(result)
    (report,) = result.files
    assert (report.table, report.rows_read, report.rows_accepted) == ("audience_demographics", len(records), len(records))
    table = result.tables["audience_demographics"]
    assert set(table["dimension"]) == {dimension}
    expected = {(band.lower() if dimension == "sex" else band): float(share) for band, share in records}
    assert dict(zip(table["band"], table["share"])) == pytest.approx(expected)
    # undated in the file: taken as the end of the review period, and said so
    assert set(table["as_of"].dt.date) == {dt.date(2025, 12, 31)}
    assert any("carries no date" in n for n in report.notes)


@pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/exports is not beside the repo")
def test_real_tiktok_viewers_carry_no_demographics():
    result = _ingest([EXPORTS / "tiktok_studio_viewers.csv"])
    (report,) = result.files
    assert report.table is None and report.rows_unused == report.rows_read
    assert result.tables["audience_demographics"].empty


def _meta_blocks_by_csv(path: Path, encoding: str, delimiter: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """The titled blocks of a Meta Audience file, read with the csv module (title, header, rows)."""
    text = path.read_bytes().decode(encoding)
    lines = [line for line in text.splitlines() if not line.startswith("sep=")]
    blocks, current = [], []
    for cells in csv.reader(lines, delimiter=delimiter):
        cells = [c for c in cells if c.strip()]
        if not cells:
            if current:
                blocks.append(current)
            current = []
            continue
        current.append(cells)
    if current:
        blocks.append(current)
    return [(b[0][0], b[1], b[2:]) for b in blocks]


def test_meta_audience_utf16_blocks_become_one_row_per_figure():
    path = FIXTURES / "exports" / "mbs_audience_utf16.csv"
    blocks = _meta_blocks_by_csv(path, "utf-16", ",")
    expected = {}
    for title, header, rows in blocks:
        dimension = {"Age & gender": "age", "Top towns/cities": "town", "Top countries": "country"}[title]
        for row in rows:
            for column, value in zip(header[1:], row[1:]):
                sex = {"Women": "female", "Men": "male"}.get(column) if dimension == "age" else None
                expected[(dimension, row[0], sex)] = float(value) / 100
    result = _ingest([path])
    _accounted(result)
    (report,) = result.files
    lines = sum(len(rows) for _, _, rows in blocks)  # a line with women and men is one record, two rows
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (lines, lines, 0)
    assert len(result.tables["audience_demographics"]) == len(expected)
    table = result.tables["audience_demographics"]
    got = {(d, b, s if isinstance(s, str) else None): v for d, b, s, v in
           zip(table["dimension"], table["band"], table["sex"], table["share"])}
    assert got == pytest.approx(expected)


def test_meta_audience_resaved_by_russian_excel_rejects_the_shares_turned_into_dates():
    """cp1251, `;`-separated: `41,2` reads as 0.412; `04.янв` (4.1 made a date) is rejected and logged."""
    path = FIXTURES / "exports" / "mbs_audience_cp1251_semicolon.csv"
    blocks = _meta_blocks_by_csv(path, "cp1251", ";")
    dated, readable, lines = [], {}, 0
    for _, header, rows in blocks:
        for row in rows:
            lines += 1
            damaged = [v for v in row[1:] if re.fullmatch(r"\d\d\.\D+", v)]
            if damaged:  # the whole line is rejected, naming its damaged cells
                dated.append("; ".join(damaged))
            else:
                readable[row[0]] = float(row[1].replace(",", ".")) / 100
    result = _ingest([path])
    _accounted(result)
    (report,) = result.files
    assert report.rows_read == lines == len(dated) + len(readable)
    assert (report.rows_accepted, report.rows_rejected) == (len(readable), len(dated))
    assert sorted(result.rejected["value"]) == sorted(dated)
    assert result.rejected["reason"].str.contains("turned into a date by Excel").all()
    table = result.tables["audience_demographics"]
    assert dict(zip(table["band"], table["share"])) == pytest.approx(readable)


def test_tiktok_business_audience_blocks():
    path = FIXTURES / "exports" / "tiktok_business_audience.csv"
    result = _ingest([path])
    _accounted(result)
    table = result.tables["audience_demographics"]
    assert table.groupby("dimension").size().to_dict() == {"sex": 3, "age": 5, "country": 3}
    assert table[table["dimension"] == "age"]["share"].sum() == pytest.approx(1.0)


def test_population_register_is_checked():
    """The synthetic register (18 five-year bands, women and men) is read as the population table."""
    result = _ingest([POPULATION])
    assert result.files[0].rows_accepted == 36 and result.rejected.empty


def test_population_age_band_in_words_is_rejected(tmp_path):
    """An age band the lens cannot read (`Aged 15 to 19`) is rejected at ingest, naming the rule."""
    bad = tmp_path / "population.csv"
    bad.write_text("area,dimension,band,sex,people,source\nNorthshire,age,Aged 15 to 19,female,100,x\n"
                   "Northshire,age,20-24,female,120,x\n", encoding="utf-8")
    result = _ingest([], tmp_path)
    assert result.files[0].rows_rejected == 1
    assert result.rejected.iloc[0]["line"] == 2 and "age band in years" in result.rejected.iloc[0]["reason"]


# --- the representation index, back-tested -------------------------------------------------------------


ACCOUNT = "NSP-002"


def _lens_folder(tmp_path: Path, followers: int) -> Path:
    """A Facebook account with the Meta Audience fixture (in a folder named after it), its follower
    figure at the end of the year, and the population register."""
    folder = tmp_path / "data"
    (folder / ACCOUNT).mkdir(parents=True)
    shutil.copy(FIXTURES / "exports" / "mbs_audience_utf16.csv", folder / ACCOUNT / "audience.csv")
    shutil.copy(POPULATION, folder / "population.csv")
    (folder / "accounts.csv").write_text(
        "account_id,platform,handle,name,owner_unit,purpose,opened_date,closed_date,is_approved,has_mfa,admin_count,"
        f"last_reviewed_date\n{ACCOUNT},Facebook,facebook.com/NorthshirePolice,Northshire Police,Corporate,corporate,"
        "2010-01-01,,true,true,3,2025-06-01\n", encoding="utf-8")
    (folder / "audience.csv").write_text(f"account_id,date,followers\n{ACCOUNT},2025-12-31,{followers}\n", encoding="utf-8")
    return folder


def _lens(folder: Path):
    result = _ingest([], folder)
    assert result.rejected.empty, result.rejected
    config = ReviewConfig(year=2025)
    period = slice_period(result.tables, config, frozenset(f.table for f in result.files if f.table))
    return equality_lens(period), config


def _plain_index() -> dict[str, tuple[float, float]]:
    """Plain Python from the files, per group: (its share of followers, its representation index).
    Meta's Age & gender shares; the census bands spread evenly over their single years (85+ over
    85 to 120), summed into Meta's bands, over residents aged 18 and over."""
    audience = {}
    for title, header, rows in _meta_blocks_by_csv(FIXTURES / "exports" / "mbs_audience_utf16.csv", "utf-16", ","):
        if title == "Age & gender":
            for row in rows:
                audience[f"Women {row[0]}"] = float(row[1]) / 100
                audience[f"Men {row[0]}"] = float(row[2]) / 100
    per_year = {"Women": [0.0] * 121, "Men": [0.0] * 121}
    with POPULATION.open(encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle):
            lo, hi = (int(rec["band"][:-1]), 120) if rec["band"].endswith("+") else map(int, rec["band"].split("-"))
            who = "Women" if rec["sex"] == "female" else "Men"
            for age in range(lo, hi + 1):
                per_year[who][age] += int(rec["people"]) / (hi - lo + 1)
    adults = sum(sum(years[18:]) for years in per_year.values())
    out = {}
    for group, share in audience.items():
        who, band = group.split()
        lo, hi = (int(band[:-1]), 120) if band.endswith("+") else map(int, band.split("-"))
        out[group] = (share, 100 * share / (sum(per_year[who][lo:hi + 1]) / adults))
    return out


def _expected_index(followers: int, minimum: int) -> dict[str, float | None]:
    """The index as the table prints it (whole numbers); None for a group under the minimum."""
    return {g: (None if share * followers < minimum else round(index)) for g, (share, index) in _plain_index().items()}


def test_representation_index_matches_a_plain_computation(tmp_path):
    lens, config = _lens(_lens_folder(tmp_path, followers=230_000))
    frame = lens.tables[0].frame
    got = dict(zip(frame["group"], frame["representation"]))
    expected = _expected_index(230_000, config.coverage.min_band_followers)
    assert got == expected
    assert set(frame["platform"]) == {"Facebook"}
    exact = [index for _, index in _plain_index().values()]
    assert lens.values["p7_lowest_representation_pct"] == pytest.approx(min(exact), abs=0.05)
    assert lens.values["p7_underreached_groups"] == sum(v < config.targets.representation_min_pct for v in exact)
    # the lowest group is short of the tolerance exactly when a group is counted under-reached
    lowest = lens.values["p7_lowest_representation_pct"]
    assert (lowest < config.targets.representation_min_pct) == (lens.values["p7_underreached_groups"] > 0)
    assert lowest == min(exact) or lowest == pytest.approx(min(exact), rel=1e-9)  # not rounded to 0.1
    assert "split in proportion to its years" in lens.tables[0].note  # 15-19 against 18-24


def test_small_bands_are_not_measured_not_zero(tmp_path):
    """1,500 followers: Meta's 2.0% of men 65+ is 30 people, under the 50 minimum: no index, not 0."""
    lens, config = _lens(_lens_folder(tmp_path, followers=1_500))
    frame = lens.tables[0].frame
    expected = _expected_index(1_500, config.coverage.min_band_followers)
    missing = sorted(g for g, v in expected.items() if v is None)
    assert missing and sorted(frame.loc[frame["representation"].isna(), "group"]) == missing
    assert (frame["representation"].dropna() > 0).all()
    measured = [g for g, v in expected.items() if v is not None]
    assert lens.values["p7_lowest_representation_pct"] == pytest.approx(
        min(_plain_index()[g][1] for g in measured), abs=0.05)


# --- coverage: a force with no demographics ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return generate_sample("S", 2025)


P7_LENS = ("p7_lowest_representation_pct", "p7_underreached_groups", "p7_audience_gap_pts", "p7_best_channel_gap_pts")


def test_sample_year_has_demographics_and_population(sample):
    assert not sample["population"].empty and not sample["audience_demographics"].empty
    m = compute_metrics(sample, ReviewConfig(year=2025))
    for metric_id in P7_LENS:
        assert m.value(metric_id) is not None, metric_id
    assert any(t.table_id == "p7_representation" for t in m.tables)


def test_no_demographics_is_not_measured_with_a_reason(sample):
    tables = dict(sample)
    tables["audience_demographics"] = tables["audience_demographics"].iloc[0:0]
    supplied = frozenset(name for name, frame in tables.items() if len(frame))
    m = compute_metrics(tables, ReviewConfig(year=2025), supplied)
    for metric_id in P7_LENS:
        h = m.headline(metric_id)
        assert h.value is None and h.not_measured_reason == TABLE_WORDS["audience_demographics"], metric_id
    assert not any(t.table_id == "p7_representation" for t in m.tables)
    assert "p7_representation" not in m.series
    clause = compute_clause("P7", *slice_periods(tables, ReviewConfig(year=2025), supplied))
    assert clause.table("p7_representation").iloc[0, 0] == TABLE_WORDS["audience_demographics"]


# --- the recommendation ----------------------------------------------------------------------------------


def test_rule_names_the_least_reached_group_with_its_shares(sample):
    from review.evidence.recommend import recommend

    m = compute_metrics(sample, ReviewConfig(year=2025))
    frame = next(t.frame for t in m.tables if t.table_id == "p7_representation")
    overall = frame[frame["platform"] == "All channels"].dropna(subset=["representation"])
    worst = overall.loc[overall["representation"].idxmin()]
    same = frame[(frame["group"] == worst["group"]) & (frame["platform"] != "All channels")].dropna(subset=["representation"])
    channel = same.loc[same["representation"].idxmin()]
    assert m.headline("p7_lowest_representation_pct").rag == "Red"  # 65+ are far below the 75% tolerance
    (rec,) = [r for r in recommend(m) if r.rec_id.endswith("P7-audience-reach")]
    sex, band = worst["group"].split()
    who = f"{sex} aged {band[:-1]} and over" if band.endswith("+") else f"{sex} aged {band.replace('-', ' to ')}"
    shown = lambda v: f"{v:.0f}%" if v >= 10 else f"{v:.1f}%"  # noqa: E731
    assert rec.text.startswith(f"{who} are {shown(worst['population_pct'])} of Northshire's residents aged 18 and over "
                               f"and {shown(channel['audience_pct'])} of our {channel['platform']} audience.")
    assert rec.evidence["p7_underreached_groups"] == int((overall["representation"] < 75).sum())


def test_no_demographics_no_recommendation(sample):
    from review.evidence.recommend import recommend

    tables = dict(sample)
    tables["population"] = tables["population"].iloc[0:0]
    m = compute_metrics(tables, ReviewConfig(year=2025), frozenset(n for n, f in tables.items() if len(f)))
    assert m.headline("p7_lowest_representation_pct").not_measured_reason == TABLE_WORDS["population"]
    assert not [r for r in recommend(m) if r.rec_id.endswith("P7-audience-reach")]


def test_two_audience_files_of_one_page_merge_line_by_line(tmp_path):
    """The same Page's Audience export twice (as downloaded, and re-saved by a Russian Excel): every
    line of the re-saved copy is rejected (a share made a date) or merged into the other copy's."""
    for name in ("mbs_audience_utf16.csv", "mbs_audience_cp1251_semicolon.csv"):
        shutil.copy(FIXTURES / "exports" / name, tmp_path / name)
    damaged = sum(any(re.fullmatch(r"\d\d\.\D+", v) for v in row[1:])
                  for _, _, rows in _meta_blocks_by_csv(tmp_path / "mbs_audience_cp1251_semicolon.csv", "cp1251", ";")
                  for row in rows)
    lines = sum(len(rows) for _, _, rows in _meta_blocks_by_csv(tmp_path / "mbs_audience_utf16.csv", "utf-16", ","))
    result = _ingest([], tmp_path)
    _accounted(result)
    files = {f.path: f for f in result.files}
    resaved, original = files["mbs_audience_cp1251_semicolon.csv"], files["mbs_audience_utf16.csv"]
    assert (resaved.rows_read, resaved.rows_rejected, resaved.rows_merged, resaved.rows_accepted) == (
        lines, damaged, lines - damaged, 0)
    assert (original.rows_read, original.rows_accepted) == (lines, lines)


def test_share_chart_alt_text_comes_from_the_data():
    import pandas as pd

    from review.outputs.charts import describe_shares

    frame = pd.DataFrame({"group": ["18-24", "25-34", "65+"], "audience_pct": [10.0, 40.0, 5.0],
                          "population_pct": [12.0, 20.0, 25.0]})
    text = describe_shares(frame, category="group", value="audience_pct", reference="population_pct",
                           value_words="followers", reference_words="residents")
    assert text == ("3 groups compared. Furthest below: 65+, 5.0% of followers against 25.0% of residents; "
                    "18-24, 10.0% of followers against 12.0% of residents. "
                    "Furthest above: 25-34, 40.0% of followers against 20.0% of residents.")


@pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/exports is not beside the repo")
def test_real_tiktok_gender_export_against_adults(tmp_path):
    """TikTok Studio gives sex but no age: women and men among followers against women and men
    aged 18 and over, from the files with the csv module."""
    folder = tmp_path / "data"
    (folder / "NSP-007").mkdir(parents=True)
    shutil.copy(EXPORTS / "tiktok_studio_follower_gender.csv", folder / "NSP-007" / "FollowerGender.csv")
    shutil.copy(POPULATION, folder / "population.csv")
    (folder / "accounts.csv").write_text(
        "account_id,platform,handle,name,owner_unit,purpose,opened_date,closed_date,is_approved,has_mfa,admin_count,"
        "last_reviewed_date\nNSP-007,TikTok,@northshirepolice,Northshire Police TikTok,Corporate,corporate,"
        "2024-03-01,,true,true,2,2025-06-01\n", encoding="utf-8")
    (folder / "audience.csv").write_text("account_id,date,followers\nNSP-007,2025-12-31,26000\n", encoding="utf-8")
    with (EXPORTS / "tiktok_studio_follower_gender.csv").open(encoding="utf-8-sig", newline="") as handle:
        share = {row["Gender"].lower(): float(row["Distribution"]) for row in csv.DictReader(handle)}
    adults = {"female": 0.0, "male": 0.0}
    with POPULATION.open(encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle):
            lo, hi = (int(rec["band"][:-1]), 120) if rec["band"].endswith("+") else map(int, rec["band"].split("-"))
            adults[rec["sex"]] += int(rec["people"]) * len([a for a in range(lo, hi + 1) if a >= 18]) / (hi - lo + 1)
    lens, _ = _lens(folder)
    frame = lens.tables[0].frame
    expected = {f"{w} 18+": round(100 * share[s] / (adults[s] / sum(adults.values())))
                for s, w in (("female", "Women"), ("male", "Men"))}
    assert dict(zip(frame["group"], frame["representation"])) == expected
    assert set(frame["platform"]) == {"TikTok"}
    assert lens.values["p7_lowest_representation_pct"] is None  # no age figures: the age measures are not measured

"""The synthetic sample generator: contracts, determinism, volumes and the patterns the report relies on."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from review.inputs.contracts import TABLES
from review.inputs.sample import SAMPLE_YEARS, SIZES, build_sample, generate_sample, write_sample

YEAR = 2025
SEED = 2025
YEAR_START = pd.Timestamp(f"{YEAR}-01-01", tz="UTC")
YEAR_END = pd.Timestamp(f"{YEAR + 1}-01-01", tz="UTC")  # first instant after the review year
PRIOR_START = pd.Timestamp(f"{YEAR - 1}-01-01", tz="UTC")


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate_sample("S", YEAR, seed=SEED)


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample-s")
    write_sample(sample, out, size="S", year=YEAR, seed=SEED)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _in_year(ts: pd.Series) -> pd.Series:
    return (ts >= YEAR_START) & (ts < YEAR_END)


def test_sizes_match_the_design():
    assert {k: (v.accounts, v.posts_per_year, v.contacts_per_year) for k, v in SIZES.items()} == {
        "S": (6, 4_000, 60_000),
        "M": (70, 30_000, 400_000),
        "L": (2_500, 1_200_000, 16_000_000),
    }
    assert SIZES["L"].forces == 43


def test_unknown_size_is_refused():
    with pytest.raises(ValueError, match="unknown sample size"):
        generate_sample("XL", YEAR)


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_validates_against_its_contract(sample, name):
    frame = sample[name]
    assert list(frame.columns) == TABLES[name].columns
    assert len(frame) > 0
    TABLES[name].model.validate(frame, lazy=True)
    for column, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            assert str(dtype) == "datetime64[ns, UTC]", column
        elif pd.api.types.is_datetime64_dtype(dtype):
            assert str(dtype) == "datetime64[ns]", column
            assert (frame[column].dropna() == frame[column].dropna().dt.normalize()).all(), column
        else:
            assert str(dtype) in {"str", "boolean", "Int64", "float64"}, (column, dtype)


def test_same_seed_gives_byte_identical_files(sample, written, tmp_path):
    again = generate_sample("S", YEAR, seed=SEED)
    write_sample(again, tmp_path, size="S", year=YEAR, seed=SEED)
    assert _digests(tmp_path) == _digests(written)


def test_streaming_build_writes_the_same_bytes(written, tmp_path):
    # build_sample streams contacts a month at a time (for size L); the files must not change.
    paths = build_sample("S", YEAR, tmp_path, seed=SEED)
    assert [p.name for p in paths] == [f"{name}.csv" for name in TABLES] + ["SYNTHETIC.json"]
    assert _digests(tmp_path) == _digests(written)


def test_different_seed_gives_different_data(written, tmp_path):
    other = generate_sample("S", YEAR, seed=SEED + 1)
    write_sample(other, tmp_path, size="S", year=YEAR, seed=SEED + 1)
    first, second = _digests(written), _digests(tmp_path)
    for name in ["posts.csv", "contacts.csv", "audience.csv", "SYNTHETIC.json"]:
        assert first[name] != second[name], name


def test_volumes_for_the_year_are_within_ten_per_cent_of_the_size(sample):
    spec = SIZES["S"]
    assert len(sample["accounts"]) == spec.accounts
    posts = _in_year(sample["posts"]["published_at"]).sum()
    contacts = _in_year(sample["contacts"]["received_at"]).sum()
    assert abs(posts - spec.posts_per_year) <= 0.1 * spec.posts_per_year
    assert abs(contacts - spec.contacts_per_year) <= 0.1 * spec.contacts_per_year


def test_both_years_are_present_and_nothing_is_after_the_year(sample):
    stamps = {
        "posts": ["published_at"],
        "contacts": ["received_at", "first_response_at"],
        "critical_incidents": ["declared_at", "stood_down_at"],
    }
    for name, columns in stamps.items():
        for column in columns:
            values = sample[name][column].dropna()
            assert values.max() < YEAR_END, (name, column)
        first = sample[name][columns[0]]
        assert first.min() >= PRIOR_START, name
        assert set(first.dt.year) == {YEAR - 1, YEAR}, name
    naive_end = YEAR_END.tz_localize(None)
    for name, column in [("audience", "date"), ("incidents", "opened_date"), ("compliance_checks", "check_date")]:
        dates = sample[name][column]
        assert set(dates.dt.year) == {YEAR - 1, YEAR}, name
        assert dates.max() < naive_end, name
    assert sample["training"]["completed_date"].max() < naive_end
    assert sample["incidents"]["closed_date"].max() < naive_end


def test_audience_has_one_row_per_account_per_day(sample):
    audience = sample["audience"]
    days = (YEAR_END - PRIOR_START).days
    per_account = audience.groupby("account_id").size()
    assert (per_account == days).all()  # size S: every account open throughout
    assert not audience.duplicated(["account_id", "date"]).any()


def test_first_response_is_never_before_the_message(sample):
    contacts = sample["contacts"]
    answered = contacts.dropna(subset=["first_response_at"])
    assert len(answered) > 0
    assert (answered["first_response_at"] >= answered["received_at"]).all()


def test_outcomes_agree_with_needs_response(sample):
    c = sample["contacts"]
    no_need = ~c["needs_response"]
    assert (c.loc[no_need, "outcome"] == "no_response_needed").all()
    assert c.loc[no_need, "first_response_at"].isna().all()
    unanswered = c["needs_response"] & c["first_response_at"].isna()
    assert unanswered.any()  # some that needed a reply never got one
    assert c.loc[unanswered, "outcome"].isna().all()
    share = c["needs_response"].mean()
    assert 0.5 <= share <= 0.7


def test_register_has_the_gaps_a_review_should_find(sample):
    accounts, posts = sample["accounts"], sample["posts"]
    year_end = YEAR_END.tz_localize(None) - pd.Timedelta(days=1)
    last_post = posts.groupby("account_id")["published_at"].max().dt.tz_localize(None)
    open_accounts = accounts[accounts["closed_date"].isna()].set_index("account_id")
    dormant = last_post.reindex(open_accounts.index) < year_end - pd.Timedelta(days=90)
    assert dormant.any()
    assert (~accounts["has_mfa"]).any()
    overdue = accounts["last_reviewed_date"].isna() | (
        accounts["last_reviewed_date"] < year_end - pd.Timedelta(days=365)
    )
    assert overdue.any()
    assert not overdue.all()


def test_critical_incidents_each_have_a_burst_of_posts(sample):
    incidents = sample["critical_incidents"].set_index("critical_incident_id")
    per_year = incidents["declared_at"].dt.year.value_counts()
    assert per_year.between(3, 6).all() and set(per_year.index) == {YEAR - 1, YEAR}
    posts = sample["posts"].dropna(subset=["critical_incident_id"])
    assert set(posts["critical_incident_id"]) == set(incidents.index)
    declared = posts["critical_incident_id"].map(incidents["declared_at"])
    minutes = (posts["published_at"] - declared).dt.total_seconds() / 60
    first = minutes.groupby(posts["critical_incident_id"]).min()
    assert first.between(10, 121).all()
    in_first_six_hours = (minutes <= 360).groupby(posts["critical_incident_id"]).sum()
    assert in_first_six_hours.median() >= 3


def test_replies_out_of_staffed_hours_are_slower(sample):
    c = sample["contacts"].dropna(subset=["first_response_at"])
    local = c["received_at"].dt.tz_convert("Europe/London")
    staffed = local.dt.hour.between(8, 19)
    minutes = (c["first_response_at"] - c["received_at"]).dt.total_seconds() / 60
    inside, outside = minutes[staffed].median(), minutes[~staffed].median()
    assert 15 <= inside <= 45
    assert outside > 2 * inside


def test_contacts_peak_in_the_evening_and_posts_in_the_day(sample):
    received = sample["contacts"]["received_at"].dt.tz_convert("Europe/London").dt.hour
    published = sample["posts"]["published_at"].dt.tz_convert("Europe/London").dt.hour
    assert received.between(18, 22).mean() > received.between(2, 6).mean() * 4
    assert published.between(7, 22).mean() > 0.95


def test_accessibility_flags_only_where_they_apply(sample):
    posts = sample["posts"]
    image, video = posts["media_type"].eq("image"), posts["media_type"].eq("video")
    assert posts["has_alt_text"].isna().equals(~image)
    assert posts["has_captions"].isna().equals(~video)
    assert posts["video_views"].isna().equals(~video)


def test_post_metrics_are_consistent(sample):
    posts = sample["posts"]
    with_reach = posts.dropna(subset=["reach"])
    assert (with_reach["reach"] <= with_reach["impressions"]).all()
    parts = posts[["reactions", "comments", "shares", "link_clicks"]].fillna(0).sum(axis=1)
    assert (parts == posts["engagements"]).all()
    assert posts["was_approved"].mean() > 0.9


def test_year_on_year_there_is_a_story_to_tell(sample):
    posts = sample["posts"]
    this_year = _in_year(posts["published_at"])
    images = posts["media_type"].eq("image")
    assert posts.loc[images & this_year, "has_alt_text"].mean() > posts.loc[images & ~this_year, "has_alt_text"].mean()
    assert posts.loc[this_year, "impressions"].sum() > posts.loc[~this_year, "impressions"].sum()


def test_post_text_mixes_plain_words_jargon_and_hashtags(sample):
    text = sample["posts"]["text"].dropna()
    jargon_words = r"\b(?:RTC|conveyed|in attendance|alighted|proceeded|IC\d|[Ee]nquiries|a male|vicinity|in situ|utilise)\b"
    jargon = text.str.contains(jargon_words, regex=True)
    assert 0.1 < jargon.mean() < 0.5
    assert text.str.contains(r"#[A-Z][a-z]+[A-Z]", regex=True).any()  # camel case
    assert text.str.contains(r"#[a-z]+\b", regex=True).any()  # all lower case
    assert text.str.contains("https://").any() and text.str.contains("@").any()


def test_training_uses_pseudonyms_and_two_year_expiry(sample):
    training = sample["training"]
    assert training["person_ref"].str.fullmatch(r"p-[0-9a-f]{8}").all()
    expiring = training.dropna(subset=["expires_date"])
    assert (expiring["expires_date"] == expiring["completed_date"] + pd.DateOffset(years=2)).all()
    year_end = YEAR_END.tz_localize(None)
    latest = expiring.groupby("person_ref")["expires_date"].max()
    assert (latest < year_end).any()  # some have lapsed
    assert (latest >= year_end).mean() > 0.6


def test_recommendations_carry_last_years_register(sample):
    recs = sample["recommendations"]
    assert recs["rec_id"].str.fullmatch(r"R\d{4}-\d{2}").all()
    raised = recs["year_raised"].value_counts()
    assert raised.get(YEAR - 1, 0) >= 6 and raised.get(YEAR - 2, 0) >= 1
    assert set(recs["year_raised"]) <= {YEAR - 1, YEAR - 2}


def test_csv_files_use_the_canonical_text_forms(written):
    for name, table in TABLES.items():
        raw = (written / f"{name}.csv").read_bytes()
        assert b"\r" not in raw, name
        header = raw.split(b"\n", 1)[0].decode("utf-8")
        assert header.split(",") == table.columns, name
    posts = pd.read_csv(written / "posts.csv", dtype=str, keep_default_na=False)
    assert posts["published_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    assert set(posts["has_alt_text"]) == {"true", "false", ""}
    assert not posts["impressions"].str.contains(r"\.").any()
    accounts = pd.read_csv(written / "accounts.csv", dtype=str, keep_default_na=False)
    assert accounts["opened_date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    contacts = pd.read_csv(written / "contacts.csv", dtype=str, keep_default_na=False)
    assert (contacts["first_response_at"] == "").any()


def test_csv_round_trip_keeps_every_row(sample, written):
    for name in TABLES:
        read = pd.read_csv(written / f"{name}.csv", dtype=str, keep_default_na=False)
        assert len(read) == len(sample[name]), name
    posts = pd.read_csv(written / "posts.csv", dtype=str, keep_default_na=False)
    assert posts["text"].tolist()[:50] == sample["posts"]["text"].fillna("").tolist()[:50]


def test_synthetic_marker(written):
    marker = written / "SYNTHETIC.json"
    text = marker.read_text(encoding="utf-8")
    marker = json.loads(text)
    files = marker.pop("files")
    assert marker == {"synthetic": True, "generator": "review.sample", "format": 2, "size": "S", "year": YEAR, "seed": SEED}
    assert list(json.loads(text)) == sorted(json.loads(text))
    # The checksum of every file the generator wrote, worked out here with hashlib: the proof
    # that the folder is the sample (review.inputs.sample.proven_sample).
    assert files == {f"{name}.csv": hashlib.sha256((written / f"{name}.csv").read_bytes()).hexdigest() for name in TABLES}


def test_no_names_of_real_people_or_forces_in_accounts(sample):
    accounts = sample["accounts"]
    assert accounts["name"].str.startswith("Northshire").all()
    assert not re.search(r"Northumbria|Wiltshire|Dyfed", " ".join(accounts["owner_unit"]))


@pytest.mark.parametrize("year", [2000, SAMPLE_YEARS[0] - 1, SAMPLE_YEARS[-1] + 1])
def test_a_year_outside_the_samples_range_is_refused_with_the_range(year):
    """`review sample --year 2000` crashed in numpy ("pvals < 0 ..."); it now says the range."""
    from typer.testing import CliRunner

    from review.cli import app

    result = CliRunner().invoke(app, ["sample", "--year", str(year), "--out", "unused"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (f"error: --year {year}: the sample can be made for {SAMPLE_YEARS[0]} to {SAMPLE_YEARS[-1]} "
            "(its invented accounts open in fixed years up to 2021)") in result.output.replace("\n", " ")


@pytest.mark.parametrize("year", [SAMPLE_YEARS[0], SAMPLE_YEARS[-1]])
def test_the_ends_of_the_samples_range_give_valid_data_inside_the_two_years(year):
    tables = generate_sample("S", year, seed=3)
    for name, frame in tables.items():
        TABLES[name].model.validate(frame)  # no date beyond what validation accepts
    opened = tables["accounts"]["opened_date"]
    assert opened.max() < pd.Timestamp(f"{year}-01-01"), "every account opens before the review year"
    from review.inputs.validate import LATEST

    assert tables["training"]["expires_date"].max() <= LATEST

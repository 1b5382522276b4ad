"""Large inputs: the chunked path gives exactly what the in-memory path gives.

A canonical CSV above review.inputs.ingest.STREAM_MIN_BYTES is read in chunks (pyarrow), typed on a fast
Arrow path where cells are already canonical and by the pandas rules otherwise, checked and
written straight to Parquet (review.inputs.validate, "large inputs"). Here every file streams
(STREAM_MIN_BYTES = 0), in chunks of a few hundred rows, over a sample spoiled with every kind of
bad cell, duplicates within and across files, a BOM, CRLF line ends and line breaks inside quoted
text; the tables, the rejected rows (file, line, column, value, reason) and each file's row
accounting must equal the in-memory path's.

Then the clause stages' reading: each clause reads only its TABLES_NEEDED from a run's canonical
Parquet (P3's contacts stay in Parquet, queried by DuckDB in place), and must compute exactly what
it computes from the whole tables in memory.
"""

import csv
import dataclasses

import pandas as pd
import pytest

from review.runner import artifacts
from review.inputs import ingest, validate
from review.config import load_config
from review.errors import ReviewError
from review.evidence.metrics import CLAUSE_MODULES, compute_clause, read_periods, slice_periods, tables_needed
from review.evidence.metrics.period import IN_PARQUET
from review.inputs.sample import build_sample
from review.inputs.validate import ParquetTable, validate_files
from review.year import read_tables

YEAR = 2025


def _spoil(folder, name, change, split=False):
    path = folder / name
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    header, body = rows[0], rows[1:]
    body = [change(header, list(r), i) for i, r in enumerate(body)]
    body += [list(body[i]) for i in range(0, len(body), 97)]  # copies later in the file
    if split:  # half in a second file, with ten copies of the first file's rows
        half = len(body) // 2
        with (folder / name.replace(".csv", "-2.csv")).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *body[half:], *body[:10]])
        body = body[:half]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([header, *body])


def _contacts(h, r, i):
    bad = {
        1: (2, " " + r[2]), 2: (2, "2025-13-01T00:00:00Z"), 3: (2, r[2].replace("T", " ").replace("Z", "")),
        4: (4, "Yes"), 5: (4, "maybe"), 6: (3, "letter"), 7: (3, " comment "), 8: (5, "2000-01-01T00:00:00Z"),
        9: (1, ""), 10: (6, "   "), 11: (0, ""), 12: (2, "31/12/2025 14:05"), 13: (2, "2025-06-30T23:59:60Z"),
    }.get(i % 61)
    if bad and (bad[0] != 5 or r[5]):
        r[bad[0]] = bad[1]
    return r


def _posts(h, r, i):
    column, value = {
        1: ("impressions", "1,234"), 2: ("impressions", "-5"), 3: ("impressions", "12.5"), 4: ("impressions", "0x10"),
        5: ("text", "line one\nline two"), 6: ("text", " padded "), 7: ("media_type", "gif"),
        8: ("reach", "99999999999999999999"), 9: ("published_at", "2025-06-01T10:00:00+01:00"), 10: ("text", ""),
    }.get(i % 53, (None, None))
    if column:
        r[h.index(column)] = value
    return r


def _audience(h, r, i):
    if i % 101 == 1:
        r[1] = "01/02/2025"
    if i % 101 == 2:
        r[1] = "2025-02-30"
    return r


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stream") / "data"
    build_sample("S", YEAR, folder, seed=7)
    _spoil(folder, "contacts.csv", _contacts, split=True)
    _spoil(folder, "posts.csv", _posts)
    _spoil(folder, "audience.csv", _audience)
    return folder


def test_chunked_ingest_equals_the_in_memory_path(spoiled, tmp_path, monkeypatch):
    raw, _ = ingest.read_folder(spoiled)
    whole = validate_files(raw, spoiled)
    monkeypatch.setattr(ingest, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(validate, "CHUNK_ROWS", 700)
    raw, _ = ingest.read_folder(spoiled, None, True)
    assert {r.rel for r in raw if r.stream is not None} >= {"contacts.csv", "contacts-2.csv", "posts.csv", "audience.csv"}
    chunked = validate_files(raw, spoiled, tmp_path)
    assert len(whole.rejected) > 500 and any(f.rows_merged for f in whole.files)
    for name, frame in whole.tables.items():
        got = chunked.tables[name]
        if isinstance(got, ParquetTable):
            assert got.path == tmp_path / f"{name}.parquet"
            got = got.read()
        pd.testing.assert_frame_equal(frame, got, check_exact=True)
    pd.testing.assert_frame_equal(whole.rejected, chunked.rejected)
    assert [f.as_dict() for f in whole.files] == [f.as_dict() for f in chunked.files]
    assert not list(tmp_path.glob(".*part*")), "no part files left behind"
    # written as validate.parquet_options says: the one-column key with no dictionary and no min
    # and max, the period's times with their min and max, the account with its dictionary
    import pyarrow.parquet as pq

    columns = pq.ParquetFile(tmp_path / "contacts.parquet").metadata.row_group(0)
    column = {columns.column(i).path_in_schema: columns.column(i) for i in range(columns.num_columns)}
    assert not column["contact_id"].is_stats_set and not column["contact_id"].has_dictionary_page
    assert column["received_at"].is_stats_set and not column["received_at"].has_dictionary_page
    assert column["account_id"].is_stats_set and column["account_id"].has_dictionary_page


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, repo_root):
    data = tmp_path_factory.mktemp("read") / "data"
    build_sample("S", YEAR, data, seed=7)
    tables = read_tables(data)
    out = tmp_path_factory.mktemp("read") / "out"
    artifacts.write_canonical(out, tables)
    return tables, out / "canonical", load_config(repo_root / "config" / f"{YEAR}.yml", YEAR)


@pytest.mark.parametrize("clause", list(CLAUSE_MODULES))
def test_each_clause_reads_only_what_it_needs_and_gets_the_same(run_folder, clause):
    tables, canonical, config = run_folder
    needs = tables_needed(clause, config.engine)
    assert needs is not None and "contacts" not in needs or clause == "P3"
    if clause == "P3":
        assert needs["contacts"] == IN_PARQUET
    expected = compute_clause(clause, *slice_periods(tables, config))
    got = compute_clause(clause, *read_periods(canonical, config, needs))
    assert got.headlines == expected.headlines
    assert dataclasses.asdict(got.current) .keys() == dataclasses.asdict(expected.current).keys()
    for mine, theirs in zip(got.current.tables, expected.current.tables):
        assert mine.table_id == theirs.table_id
        pd.testing.assert_frame_equal(mine.frame, theirs.frame, check_exact=True)
    for key, frame in expected.series.items():
        pd.testing.assert_frame_equal(got.series[key].reset_index(drop=True), frame.reset_index(drop=True), check_exact=True)


def test_a_table_not_read_says_so(run_folder):
    _, canonical, config = run_folder
    current, _ = read_periods(canonical, config, {"accounts": None, "posts": ["account_id"]})
    with pytest.raises(KeyError, match="contacts is not read for this stage"):
        current.contacts  # noqa: B018
    assert current.has_data and current.rows("contacts") > 0  # counted in Parquet


@pytest.mark.parametrize("change", ["drop", "add"])
def test_a_large_file_with_a_row_of_the_wrong_width_names_its_line(tmp_path, monkeypatch, change):
    """pandas pads a short row; the streamed reader cannot, so the run stops naming the line."""
    data = tmp_path / "data"
    build_sample("S", YEAR, data, seed=7)
    lines = (data / "contacts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[100].rstrip("\n").split(",")
    lines[100] = ",".join(fields[:-1] if change == "drop" else [*fields, "extra"]) + "\n"
    (data / "contacts.csv").write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(ingest, "STREAM_MIN_BYTES", 0)
    raw, _ = ingest.read_folder(data, None, True)
    width = len(fields)
    with pytest.raises(ReviewError, match=rf"contacts.csv: line 101: expected {width} fields, as in the header, "
                                          rf"found {width - 1 if change == 'drop' else width + 1}"):
        validate_files(raw, data, tmp_path / "out")


def test_a_cell_too_long_for_the_reader_names_its_line_and_what_to_do(tmp_path):
    """A quote opened and never closed turns the rest of a large file into one cell; pyarrow then
    says only "straddling object ... (try to increase block size?)". Real sizes, no patching: the
    file is large enough to be streamed, its one cell longer than the reader's block."""
    header = "contact_id,account_id,received_at,kind,needs_response,first_response_at,outcome"
    rows = [f"c{i},a1,2025-01-15T10:00:00Z,comment,false,,no_response_needed" for i in range(50)]
    cell = "x" * 90 + "\n"
    long_cell = cell * (ingest.STREAM_MIN_BYTES // len(cell) + 1)  # 8 MB over 93,000 lines
    rows[20] = f'c20,"{long_cell}",2025-01-15T10:00:00Z,comment,false,,no_response_needed'
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "contacts.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    raw, _ = ingest.read_folder(tmp_path / "data", None, True)
    assert raw[0].stream is not None, "the file is large enough to be streamed"
    end = 22 + long_cell.count("\n")
    with pytest.raises(ReviewError) as caught:
        validate_files(raw, tmp_path / "data", tmp_path / "out")
    assert str(caught.value) == (
        f"contacts.csv: line 22: the row is 8 MB long (column account_id holds 8 MB, running to line {end}); "
        "the review reads a large file 4 MB at a time, and a row must fit. A cell this long is almost always a "
        "quote (\") opened and not closed, which makes the rest of the file one cell: close it (or cut the cell) "
        "and run again")


@pytest.mark.parametrize("clause", list(CLAUSE_MODULES))
def test_a_clause_measured_for_its_values_alone_gives_the_same_values(run_folder, clause):
    """The like-for-like comparison measures a year cut to the shared accounts for its values
    alone (measure(values_only=True)): P3 then runs one rollup of five, P4 makes no tables. The
    values and the reasons for those not measured are what a full measure gives, for both years
    as a run reads them, whole and cut to some of their accounts."""
    from review.evidence.metrics import measure

    _, canonical, config = run_folder
    current, prior = read_periods(canonical, config, tables_needed(clause, config.engine))
    for period in (current, prior):
        accounts = sorted(period.accounts["account_id"])
        for cut in (period, period.restricted({t: frozenset(accounts[::2]) for t in ("posts", "contacts", "audience")})):
            full, alone = measure(clause, cut), measure(clause, cut, values_only=True)
            assert alone.values == full.values and any(v is not None for v in full.values.values())
            assert alone.not_measured_reasons == full.not_measured_reasons
            if getattr(CLAUSE_MODULES[clause], "VALUES_ONLY", False):
                assert full.tables and not alone.tables and not alone.series


def test_a_bad_cell_early_in_a_large_simple_file_is_placed_without_rereading_it(tmp_path, monkeypatch):
    """A large file whose records are one line each places its rejected cells by arithmetic
    (record + 2), even when the first is in its first chunk: the lines are looked up once the
    file is read, when its stream knows it has no record over two lines. Before, a bad cell in the
    first chunk sent every lookup through the csv module, over the whole file (size L: 2.5 GB)."""
    from review.inputs import raw as raw_module

    data = tmp_path / "data"
    build_sample("S", YEAR, data, seed=7)
    lines = (data / "contacts.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    for at in (5, len(lines) - 3):  # in the first chunk and in the last
        fields = lines[at].rstrip("\n").split(",")
        fields[header.index("needs_response")] = "maybe"
        lines[at] = ",".join(fields) + "\n"
    (data / "contacts.csv").write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(ingest, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(validate, "CHUNK_ROWS", 50)
    raw, _ = ingest.read_folder(data, None, True)

    def reread(path):
        raise AssertionError(f"{path} re-read with the csv module")

    monkeypatch.setattr(raw_module, "csv_record_lines", reread)
    done = validate_files(raw, data, tmp_path / "out")
    placed = done.rejected[(done.rejected["file"] == "contacts.csv") & (done.rejected["column"] == "needs_response")]
    assert sorted(placed["line"]) == [6, len(lines) - 2]  # file lines, the header on line 1

"""Ingest and validate canonical files: detection by header, typing, rejects with file and line."""

import pandas as pd
import pytest

from review.errors import ReviewError
from review.inputs.ingest import read_folder
from review.inputs.validate import check_reject_rate, validate_files

ACCOUNTS_HEADER = "account_id,platform,handle,name,owner_unit,purpose,opened_date,closed_date,is_approved,has_mfa,admin_count,last_reviewed_date"
GOOD_ACCOUNT = "a1,X,@ns,Northshire Police,Corporate Communications,corporate,2015-01-01,,true,true,3,2025-02-01"


def folder(tmp_path, **files):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def run(tmp_path):
    raw, meta = read_folder(tmp_path)
    return validate_files(raw, tmp_path)


def test_table_is_found_by_header_not_by_name(tmp_path):
    folder(tmp_path, **{"Copy of register (final).csv": ACCOUNTS_HEADER + "\n" + GOOD_ACCOUNT + "\n"})
    result = run(tmp_path)
    assert len(result.tables["accounts"]) == 1
    assert result.files[0].table == "accounts"


def test_header_variants_are_accepted(tmp_path):
    header = ACCOUNTS_HEADER.replace("account_id", " Account ID ").replace("owner_unit", "Owner Unit")
    folder(tmp_path, **{"a.csv": header + "\n" + GOOD_ACCOUNT + "\n"})
    assert run(tmp_path).tables["accounts"]["account_id"].tolist() == ["a1"]


def test_missing_required_column_names_file_and_column(tmp_path):
    header = ACCOUNTS_HEADER.replace(",has_mfa", "")
    row = GOOD_ACCOUNT.replace(",true,3", ",3")
    folder(tmp_path, **{"a.csv": header + "\n" + row + "\n"})
    with pytest.raises(ReviewError, match=r"a\.csv: line 1: .*closest is 'accounts'.*has_mfa"):
        read_folder(tmp_path)


def test_every_bad_cell_is_logged_with_line_and_reason_and_rows_add_up(tmp_path):
    rows = [
        GOOD_ACCOUNT,
        GOOD_ACCOUNT.replace("a1,X", "a2,Myspace"),  # line 3: not an allowed platform
        'a3,X,@ns,"Two\nline name",Corp,corporate,2015-01-01,,maybe,true,x,',  # lines 4-5: two bad cells
        GOOD_ACCOUNT.replace("a1,", "a4,").replace(",3,", ",-1,"),  # line 6: negative count
        GOOD_ACCOUNT.replace(",3,", ",4,"),  # line 7: a1 again, later copy wins
    ]
    folder(tmp_path, **{"a.csv": ACCOUNTS_HEADER + "\n" + "\n".join(rows) + "\n"})
    result = run(tmp_path)
    log = result.rejected
    assert set(zip(log["line"], log["column"])) == {
        (3, "platform"),
        (4, "is_approved"),
        (4, "admin_count"),
        (6, "admin_count"),
    }
    assert (log["file"] == "a.csv").all() and log["reason"].str.len().gt(0).all()
    report = result.files[0]
    assert (report.rows_read, report.rows_accepted, report.rows_rejected, report.rows_merged) == (5, 1, 3, 1)
    assert result.tables["accounts"].loc[0, "admin_count"] == 4  # the later copy


def test_times_without_offset_are_uk_local(tmp_path):
    header = "contact_id,account_id,received_at,kind,needs_response,first_response_at,outcome"
    rows = [
        "c1,a1,2025-07-01 10:00,comment,true,2025-07-01T09:30:00Z,answered",  # BST: 09:00 UTC
        "c2,a1,2025-01-15T10:00:00Z,comment,false,,no_response_needed",
    ]
    folder(tmp_path, **{"c.csv": header + "\n" + "\n".join(rows) + "\n"})
    contacts = run(tmp_path).tables["contacts"]
    assert contacts.loc[0, "received_at"] == pd.Timestamp("2025-07-01T09:00:00Z")
    assert str(contacts["received_at"].dtype) == "datetime64[ns, UTC]"


def test_times_at_the_clock_changes_are_refused_with_what_to_add(tmp_path):
    """In UK time 01:30 on 26 October 2025 happens twice and 01:30 on 30 March 2025 never: neither
    is guessed (it was shifted an hour forward before), each is refused with its own reason; the
    same time with an offset is taken as given, in a CSV and in an Excel date-time cell alike."""
    header = "contact_id,account_id,received_at,kind,needs_response,first_response_at,outcome"
    rows = [
        "c1,a1,2025-10-26 01:30,comment,false,,no_response_needed",  # line 2: twice
        "c2,a1,30/03/2025 01:30,comment,false,,no_response_needed",  # line 3: never
        "c3,a1,2025-10-26T01:30:00+00:00,comment,false,,no_response_needed",  # the second 01:30
        "c4,a1,2025-10-26 02:30,comment,false,,no_response_needed",  # after the change: GMT
        "c5,a1,2025-03-30 02:30,comment,false,,no_response_needed",  # after the change: BST
    ]
    folder(tmp_path, **{"c.csv": header + "\n" + "\n".join(rows) + "\n"})
    result = run(tmp_path)
    assert result.rejected[["line", "column", "value", "reason"]].values.tolist() == [
        [2, "received_at", "2025-10-26 01:30", "01:30 on 26 October 2025 happens twice in UK time (the clocks go "
         "back); add +01:00 for the first or +00:00 for the second"],
        [3, "received_at", "30/03/2025 01:30", "01:30 on 30 March 2025 does not happen in UK time (the clocks go "
         "forward); add +00:00 or +01:00, the offset of the clock that recorded it"],
    ]
    assert result.tables["contacts"]["received_at"].tolist() == [
        pd.Timestamp("2025-10-26T01:30:00Z"), pd.Timestamp("2025-10-26T02:30:00Z"), pd.Timestamp("2025-03-30T01:30:00Z")]

    (tmp_path / "c.csv").unlink()
    frame = pd.DataFrame({c: [None] for c in header.split(",")})
    frame = frame.assign(contact_id="x1", account_id="a1", kind="comment", needs_response="false",
                         outcome="no_response_needed", received_at=pd.Timestamp("2025-10-26 01:15"))
    frame.to_excel(tmp_path / "contacts.xlsx", index=False)
    assert run(tmp_path).rejected["reason"].tolist() == [
        "01:15 on 26 October 2025 happens twice in UK time (the clocks go back); add +01:00 for the first or "
        "+00:00 for the second"]


def test_cross_column_rule_is_logged_once(tmp_path):
    header = "contact_id,account_id,received_at,kind,needs_response,first_response_at,outcome"
    row = "c1,a1,2025-01-01T10:00:00Z,comment,true,2025-01-01T09:00:00Z,answered"
    folder(tmp_path, **{"c.csv": header + "\n" + row + "\n"})
    log = run(tmp_path).rejected
    assert len(log) == 1 and log.loc[0, "column"] == "first_response_at"


def test_xlsx_register_is_read(tmp_path):
    frame = pd.DataFrame([GOOD_ACCOUNT.split(",")], columns=ACCOUNTS_HEADER.split(","))
    frame.to_excel(tmp_path / "accounts.xlsx", index=False)
    assert run(tmp_path).tables["accounts"]["name"].tolist() == ["Northshire Police"]


def test_unknown_file_is_reported_not_skipped(tmp_path):
    folder(tmp_path, **{"a.csv": ACCOUNTS_HEADER + "\n" + GOOD_ACCOUNT + "\n", "notes.txt": "hello"})
    _, meta = read_folder(tmp_path)
    assert meta["other_files"] == [{"path": "notes.txt", "kind": "not a table: ignored"}]


def test_reject_rate_above_limit_stops_with_a_clear_message(tmp_path):
    rows = [GOOD_ACCOUNT, GOOD_ACCOUNT.replace("a1,X", "a2,Myspace")]
    folder(tmp_path, **{"a.csv": ACCOUNTS_HEADER + "\n" + "\n".join(rows) + "\n"})
    result = run(tmp_path)
    with pytest.raises(ReviewError, match=r"a\.csv: 1 of 2 rows were rejected \(50\.0%\)"):
        check_reject_rate(result.files, 5)
    check_reject_rate(result.files, 50)


def test_uk_day_first_dates_in_registers(tmp_path):
    row = GOOD_ACCOUNT.replace("2015-01-01", "01/02/2016")
    folder(tmp_path, **{"a.csv": ACCOUNTS_HEADER + "\n" + row + "\n"})
    assert run(tmp_path).tables["accounts"].loc[0, "opened_date"] == pd.Timestamp("2016-02-01")


def test_a_large_file_gives_the_same_clock_change_reason():
    """The chunked path (large files) types cells with its own code: the reason must be the same."""
    import pyarrow as pa

    from review.inputs.contracts import TABLES
    from review.inputs.validate import arrow_schema, coerce_arrow

    table = TABLES["contacts"]
    values = {"contact_id": ["c1", "c2"], "account_id": ["a1", "a1"], "received_at": ["2025-10-26 01:30", "2025-10-26 02:30"],
              "kind": ["comment"] * 2, "needs_response": ["false"] * 2, "first_response_at": [None, None],
              "outcome": ["no_response_needed"] * 2}
    chunk = pa.table({c: pa.array(values[c], pa.string()) for c in table.columns})
    typed, problems, records = coerce_arrow(chunk, table, arrow_schema(table), 0)
    assert problems == [(0, "received_at", "2025-10-26 01:30", "01:30 on 26 October 2025 happens twice in UK time "
                         "(the clocks go back); add +01:00 for the first or +00:00 for the second")]
    assert records.tolist() == [1]

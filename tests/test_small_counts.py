"""Small counts: one value type prints every figure, and no output prints or gives away a count of 1-4.

The unit tests build headlines and tables by hand and check what `review.disclosure.protect`
decides against sums worked out here. The end-to-end tests plant a year with a few conduct cases
in every category, severity, outcome, capacity and role (tests/planted_counts.py), run the real
`review run`, and read every file a person reads (PDF text, HTML, workbook cells, the register
YAML, CSVs, executed notebooks and their HTML copies) for a small count that is printed or that
a total minus the shown cells gives back.
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import itertools
import re

import openpyxl
import pandas as pd
import pytest

from review.context import Headline, MetricTable, TableTotal
from review.disclosure import protect, protect_with_decision
from review.evidence.metrics.registry import METRICS
from review.values import Column, Figure

T = 5


def headline(metric_id: str, value, prior=None) -> Headline:
    m = METRICS[metric_id]
    return Headline(m.metric_id, m.clause, m.title, m.unit, value, prior, None, None, "Not rated",
                    m.higher_is_better, m.definition, m.formula)


def cases_table(rows: dict[str, tuple[int, int]]) -> MetricTable:
    """A category x capacity table with the totals P5 declares."""
    frame = pd.DataFrame({"category": list(rows), "work": [w for w, _ in rows.values()],
                          "personal": [p for _, p in rows.values()]})
    return MetricTable("p5_cases", "P5", "Cases", frame, columns={
        "category": Column("Category", "category"),
        "work": Column("Work capacity", "count", small_count=True),
        "personal": Column("Personal capacity", "count", small_count=True)},
        totals=(TableTotal("p5_conduct_cases", ("work", "personal")), TableTotal("p5_personal_cases", ("personal",)),
                TableTotal("p7_discrimination_cases", ("work", "personal"), where=("category", "discriminatory_content"))))


def printed(table: MetricTable) -> dict[tuple[str, str], str]:
    return {(table.frame["category"][i], c): table.figure(i, c).cell()
            for i in range(len(table.frame)) for c in ("work", "personal")}


MARKS = ("<5", "[c]", "withheld", "?")


def recovered(printed: dict[str, str], sums: list[tuple[str, list[str]]], true: dict[str, int] | None = None) -> set[str]:
    """Plain arithmetic, independent of review.disclosure: which small counts a reader works out.

    `printed` is what each figure reads ("12", "<5", "[c]", "withheld"; "?" for a count that is
    not printed but exists, such as the work-capacity total); `sums` says which figures add up
    to which (total, parts). A reader (1) takes a total minus its shown parts, over and over, to
    fill in any sum with one unknown left; (2) within each sum, tries every value a "<5" can be
    (1 to 4) against what is left, knowing that a withheld count is at least 5 (only shown
    counts, 5 or more, are ever withheld) and an unprinted one at least 0. Returns the "<5"
    figures pinned to one value, and the unprinted ones pinned to a value from 1 to 4 (`true`
    gives their values).
    """
    known = {k: int(v.replace(",", "")) for k, v in printed.items() if v not in MARKS}
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            unknown = [m for m in [total, *parts] if m not in known]
            if len(unknown) == 1:
                (u,) = unknown
                known[u] = sum(known[q] for q in parts) if u == total else known[total] - sum(known[q] for q in parts if q != u)
                changed = True
    out = {k for k, v in printed.items() if v == "<5" and k in known}
    out |= {k for k, v in printed.items() if v == "?" and k in known and 0 < (true or {}).get(k, 0) < T}
    for total, parts in sums:
        if total not in known:
            continue
        rest = known[total] - sum(known[q] for q in parts if q in known)
        small = [q for q in parts if q not in known and printed[q] == "<5"]
        lower = sum(T if printed[q] in ("[c]", "withheld") else 0 for q in parts if q not in known and printed[q] != "<5")
        open_ended = any(q not in known and printed[q] != "<5" for q in parts)
        possible: dict[str, set] = {q: set() for q in small}
        for values in itertools.product(range(1, T), repeat=len(small)):
            left = rest - sum(values)
            if (open_ended and left >= lower) or (not open_ended and left == 0):
                for q, v in zip(small, values, strict=True):
                    possible[q].add(v)
        out |= {q for q, seen in possible.items() if len(seen) == 1}
    return out


def table_sums(t: MetricTable, by_id: dict[str, str]) -> tuple[dict[str, str], list]:
    """The printed cells of a cases table and its headline totals, with the sums a reader has:
    all cells = conduct, the personal column = personal cases, the discrimination row =
    discrimination cases, and the work column = conduct - personal (an unprinted total)."""
    cells = {f"{c}/{k}": t.figure(i, k).cell() for i, c in enumerate(t.frame["category"]) for k in ("work", "personal")}
    printed = {**cells, **by_id, "work_total": "?"}
    categories = list(t.frame["category"])
    sums = [("p5_conduct_cases", list(cells)),
            ("p5_personal_cases", [f"{c}/personal" for c in categories]),
            ("work_total", [f"{c}/work" for c in categories]),
            ("p5_conduct_cases", ["work_total", "p5_personal_cases"])]
    if "discriminatory_content" in categories and "p7_discrimination_cases" in by_id:
        sums.append(("p7_discrimination_cases", ["discriminatory_content/work", "discriminatory_content/personal"]))
    return printed, sums


# --- the value type ------------------------------------------------------------------------------


@pytest.mark.parametrize(("figure", "card", "prose", "cell", "data"), [
    (Figure(12.0, "count"), "12", "12", "12", 12),
    (Figure(3.0, "count", "suppressed"), "<5", "fewer than 5", "<5", "<5"),
    (Figure(30.0, "count", "withheld"), "withheld", "withheld", "[c]", "withheld"),
    (Figure(None, "count"), "not measured", "not measured", "not measured", None),
    (Figure(0.0, "count"), "0", "0", "0", 0),
    (Figure(None, "pct", reason="no image posts"), "not measured", "not measured", "not measured", None),
    (Figure(82.04, "pct", places=1), "82.0%", "82.0%", "82.0", 82.0),
])  # fmt: skip
def test_one_value_type_prints_every_state(figure, card, prose, cell, data):
    assert figure.text() == card
    assert figure.text(prose=True) == prose
    assert figure.cell() == cell
    assert figure.data() == data


def test_not_measured_is_never_zero_and_says_why():
    figure = Figure(None, "count", reason="no conduct register was supplied")
    assert figure.state == "not_measured"
    assert figure.text(reason=True) == "not measured (no conduct register was supplied)"
    assert figure.sheet() == (None, "text")


def test_spreadsheet_cells_are_typed():
    assert Figure(77024.0, "count").sheet() == (77024, "int")
    assert Figure(4.22, "pct", places=2).sheet() == (pytest.approx(0.0422), "pct:2")
    assert Figure(3, "count", "suppressed").sheet() == ("<5", "text")
    assert Figure(pd.Timestamp("2025-01-01"), "month").sheet()[1] == "month"


# --- protect: primary and secondary suppression ------------------------------------------------


def test_counts_of_one_to_four_are_suppressed_and_zero_is_shown():
    table = cases_table({"other": (0, 7), "harassment_or_abuse": (4, 9), "inappropriate_content": (5, 6)})
    hs = [headline("p5_conduct_cases", 31.0), headline("p5_personal_cases", 22.0)]
    _, [t] = protect(hs, [table], T)
    shown = printed(t)
    assert shown[("other", "work")] == "0"
    assert shown[("harassment_or_abuse", "work")] == "<5"
    assert shown[("inappropriate_content", "work")] in ("5", "[c]")


def test_a_total_minus_the_shown_cells_never_gives_a_suppressed_cell_back():
    """One small cell in the work column: conduct (31) - personal (22) = work total (9) = 4 + 5,
    so the 5 must be withheld too, and nothing is recoverable from any sum."""
    table = cases_table({"other": (0, 7), "harassment_or_abuse": (4, 9), "inappropriate_content": (5, 6)})
    hs = [headline("p5_conduct_cases", 31.0), headline("p5_personal_cases", 22.0)]
    new_hs, [t] = protect(hs, [table], T)
    assert printed(t)[("inappropriate_content", "work")] == "[c]"
    shown, sums = table_sums(t, {h.metric_id: h.figure.cell() for h in new_hs})
    assert recovered(shown, sums, {"work_total": 9}) == set()
    assert "[c]" in t.note, "the note explains the mark"
    # Without the secondary suppression, the same arithmetic finds the cell: the check can fail.
    bare = dataclasses.replace(t, hidden={k: v for k, v in t.hidden.items() if v == "suppressed"})
    shown, sums = table_sums(bare, {h.metric_id: h.figure.cell() for h in new_hs})
    assert recovered(shown, sums, {"work_total": 9}) == {"harassment_or_abuse/work"}


def test_a_headline_total_over_one_row_is_protected():
    """Discrimination cases (P7's headline) is the sum of that row of P5's table."""
    table = cases_table({"discriminatory_content": (3, 8), "other": (6, 6)})
    hs = [headline("p5_conduct_cases", 23.0), headline("p5_personal_cases", 14.0),
          headline("p7_discrimination_cases", 11.0)]
    new_hs, [t] = protect(hs, [table], T)
    shown, sums = table_sums(t, {h.metric_id: h.figure.cell() for h in new_hs})
    assert shown["discriminatory_content/work"] == "<5"
    assert recovered(shown, sums, {"work_total": 9}) == set()


def test_last_years_rest_is_protected():
    """Last year 7 cases, 5 personal: 2 were in a work capacity, which no output prints but anyone
    can subtract. One of the two figures is withheld; the change is not printed either."""
    hs = [headline("p5_conduct_cases", 12.0, 7.0), headline("p5_personal_cases", 6.0, 5.0)]
    new_hs, _ = protect(hs, [], T)
    states = [h.prior_state for h in new_hs]
    assert "withheld" in states
    hidden = next(h for h in new_hs if h.prior_state == "withheld")
    assert not hidden.change_shown
    from review.outputs.render import fmt_headline_change

    assert fmt_headline_change(hidden) == "not available"


def test_a_rate_worked_out_from_a_suppressed_count_is_withheld():
    hs = [headline("p5_conduct_cases", 3.0, 12.0), headline("p5_cases_per_1000_staff", 0.7, 2.9)]
    new_hs, _ = protect(hs, [], T)
    rate = next(h for h in new_hs if h.metric_id == "p5_cases_per_1000_staff")
    assert rate.value_state == "withheld" and rate.figure.text() == "withheld"
    assert rate.prior_state == "shown"
    assert rate.value == 0.7, "the true value stays for the rules"


def test_data_that_disagree_with_themselves_are_not_equated():
    """A headline that is not the sum of its cells (an open case with an outcome) is not a sum a
    reader can use, so it is left out of the audit rather than trusted."""
    table = cases_table({"other": (3, 9)})
    hs = [headline("p5_conduct_cases", 99.0)]
    protect(hs, [table], T)  # no error, no loop


@pytest.mark.parametrize("seed", range(300))
def test_random_tables_leave_nothing_recoverable(seed):
    """Random small tables: every sum a reader has (each column, each printed row, the grand
    total) leaves no suppressed cell recoverable, by the plain arithmetic above."""
    import random

    rng = random.Random(seed)
    categories = ["discriminatory_content", "other", "harassment_or_abuse", "political_activity"][: rng.randint(1, 4)]
    rows = {c: (rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 14]), rng.choice([0, 1, 2, 3, 4, 5, 7, 11])) for c in categories}
    table = cases_table(rows)
    conduct = sum(w + p for w, p in rows.values())
    personal = sum(p for _, p in rows.values())
    disc = sum(rows.get("discriminatory_content", (0, 0)))
    hs = [headline("p5_conduct_cases", float(conduct)), headline("p5_personal_cases", float(personal)),
          headline("p7_discrimination_cases", float(disc))]
    new_hs, [t], decision = protect_with_decision(hs, [table], T)
    by_id = {h.metric_id: h.figure.cell() for h in new_hs}
    for h in new_hs:
        if 0 < h.value < T:
            assert by_id[h.metric_id] == "<5"
    cells, sums = table_sums(t, by_id)
    assert recovered(cells, sums, {"work_total": conduct - personal}) == set(), (rows, cells)
    shown = printed(t)
    for (category, capacity), text in shown.items():
        n = rows[category][0 if capacity == "work" else 1]
        assert text == ("<5" if 0 < n < T else text), (category, capacity)
        assert text in ("<5", "[c]") or int(text) == n
    assert decision.threshold == T


def test_a_recommendation_never_prints_a_small_count():
    """The issue's "rose from 0 to 3": the rule still fires on the true numbers, and its text and
    evidence (which the register YAML carries) print the count as every output does."""
    from review.config import ReviewConfig
    from review.inputs.contracts import TABLES
    from review.evidence.metrics import compute_metrics
    from review.evidence.recommend import recommend
    from tables_fixture import account, post, tables

    config = ReviewConfig(year=2025)
    m = compute_metrics(tables(accounts=[account("a1", name="Northshire Police")],
                               posts=[post("p1", "a1", "2025-12-20T10:00:00Z")]), config, supplied=frozenset(TABLES))
    hs = [dataclasses.replace(h, value=3.0, prior_value=0.0) if h.metric_id == "p5_personal_cases" else
          dataclasses.replace(h, value=9.0, prior_value=0.0) if h.metric_id == "p5_conduct_cases" else h
          for h in m.headlines]
    [rec] = [r for r in recommend(dataclasses.replace(m, headlines=hs)) if r.rec_id.endswith("P5-personal-use")]
    assert "rose from 0 to fewer than 5" in rec.text
    assert " 3" not in rec.text
    assert rec.evidence == {"p5_personal_cases": "<5", "p5_personal_cases_prior": 0}


# --- end to end: a planted year, every output read -------------------------------------------------

SMALL = re.compile(r"(?<![\w.,<])([1-4])(?![\w%]|[.,]\d)")  # a whole number 1-4 standing alone
CATEGORY_WORDS = {"inappropriate_content": "Inappropriate content", "disclosure_of_information": "Disclosure of information",
                  "harassment_or_abuse": "Harassment or abuse", "discriminatory_content": "Discriminatory content",
                  "political_activity": "Political activity", "misuse_of_force_account": "Misuse of force account",
                  "other": "Other"}  # fmt: skip
COUNT_TITLES = {"Conduct cases": "conduct", "Conduct cases from personal use": "personal",
                "Cases still open": "open", "Discrimination cases": "discrimination"}


@pytest.fixture(scope="module")
def planted():
    from planted_counts import planted_counts

    return planted_counts()


@pytest.fixture(scope="module")
def truth(planted):
    """Every published conduct figure, counted here from the planted incidents.csv."""
    from sample_run import YEAR

    with (planted.data / "incidents.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = {}
    for year, key in ((YEAR, "now"), (YEAR - 1, "prior")):
        cases = [r for r in rows if r["opened_date"].startswith(str(year))]
        out[key] = {
            "conduct": len(cases),
            "personal": sum(r["capacity"] == "personal" for r in cases),
            "open": sum(not r["closed_date"] for r in cases),
            "discrimination": sum(r["category"] == "discriminatory_content" for r in cases),
            "cells": collections.Counter((r["category"], r["capacity"]) for r in cases),
            "severity": collections.Counter(r["severity"] for r in cases),
            "outcome": collections.Counter(r["outcome"] for r in cases),
            "role": collections.Counter(r["role"] for r in cases),
        }
    return out


def test_the_plant_has_small_counts_in_every_breakdown(truth):
    now = truth["now"]
    for breakdown in ("cells", "severity", "outcome", "role"):
        assert any(0 < n < T for n in now[breakdown].values()), breakdown
    assert 0 < now["open"] < T and 0 < now["discrimination"] < T
    assert 0 < truth["prior"]["conduct"] - truth["prior"]["personal"] < T, "last year's work-capacity rest is small"


def _html(path):
    import html5lib

    return html5lib.parse(path.read_text(encoding="utf-8"), namespaceHTMLElements=False)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _table_rows(element) -> list[list[str]]:
    return [[_text(c) for c in tr if c.tag in ("td", "th")] for tr in element.iter("tr")]


def _cards(document) -> dict[str, tuple[str, str | None]]:
    """Card title -> (value, last year's value as printed)."""
    cards = {}
    for li in document.iter("li"):
        if "card" in (li.get("class") or "").split():
            p = {x.get("class"): _text(x) for x in li.iter("p")}
            change = p.get("card-change", "")
            prior = re.search(r"\((.*?)\)$", change) or re.search(r"Last year: (.*)$", change)
            cards[p["card-title"]] = (p["card-value"], prior.group(1) if prior else None)
    return cards


def _sums(cells: dict, severity: dict, outcome: dict, heads: dict) -> tuple[dict, list]:
    """What a reader has, named: printed figures and the sums that tie them (see `recovered`)."""
    printed = {**{f"cell/{k}": v for k, v in cells.items()}, **{f"severity/{k}": v for k, v in severity.items()},
               **{f"outcome/{k}": v for k, v in outcome.items()}, **heads,
               "work_total": "?", "closed": "?", "not_discrimination": "?"}
    categories = {c for c, _ in cells}
    sums = [("conduct", ["work_total", "personal"]), ("conduct", ["open", "closed"]),
            ("conduct", ["discrimination", "not_discrimination"])]
    if cells:  # this year's tables; last year has the headline figures only
        sums += [("conduct", [f"cell/{k}" for k in cells]), ("conduct", [f"severity/{k}" for k in severity]),
                 ("conduct", [f"outcome/{k}" for k in outcome]),
                 ("personal", [f"cell/{k}" for k in cells if k[1] == "personal"]),
                 ("work_total", [f"cell/{k}" for k in cells if k[1] == "work"])]
    if "discriminatory_content" in categories:
        sums.append(("discrimination", [f"cell/{k}" for k in cells if k[0] == "discriminatory_content"]))
    if "open" in outcome:
        sums.append(("open", ["outcome/open"]))
    return printed, sums


def _check_cells(printed: dict[str, str], truth: dict):
    """A printed count is its true number, "<5" when 1-4, or "[c]"; never 1-4 itself."""
    for key, text in printed.items():
        assert text in ("<5", "[c]") or not (0 < int(text.replace(",", "")) < T), (key, text)


def test_html_report_prints_no_small_count_and_gives_none_away(planted, truth):
    document = _html(planted.html)
    now = truth["now"]
    tables = {}
    for div in document.iter("div"):
        if (div.get("id") or "").startswith("table-p5_cases"):
            tables[div.get("id")] = _table_rows(div)[1:]
    words = {v: k for k, v in CATEGORY_WORDS.items()}
    cells = {(words[r[0]], capacity): r[i] for r in tables["table-p5_cases"] for i, capacity in ((1, "work"), (2, "personal"))}
    severity = {r[0].lower(): r[1] for r in tables["table-p5_cases_by_severity"]}
    outcome = {r[0].lower().replace(" ", "_"): r[1] for r in tables["table-p5_cases_by_outcome"]}
    for printed in (cells, severity, outcome):
        _check_cells(printed, now)
    for (category, capacity), text in cells.items():
        n = now["cells"][(category, capacity)]
        assert text == ("<5" if 0 < n < T else text) and (text in ("<5", "[c]") or int(text) == n)
    cards = _cards(document)
    heads = {COUNT_TITLES[t]: v for t, (v, _) in cards.items() if t in COUNT_TITLES}
    priors = {COUNT_TITLES[t]: p for t, (_, p) in cards.items() if t in COUNT_TITLES}
    assert set(heads) == set(COUNT_TITLES.values())
    for name, value in [*heads.items(), *priors.items()]:
        assert value in ("<5", "withheld", None) or not SMALL.fullmatch(value), (name, value)
    assert heads["open"] == "<5" and heads["discrimination"] == "<5"
    printed, sums = _sums(cells, severity, outcome, {k: v.replace("withheld", "[c]") for k, v in heads.items()})
    true = {"work_total": now["conduct"] - now["personal"], "closed": now["conduct"] - now["open"],
            "not_discrimination": now["conduct"] - now["discrimination"]}
    assert recovered(printed, sums, true) == set()
    # last year: only the headline figures are printed; their differences are counts too
    prior = truth["prior"]
    printed, sums = _sums({}, {}, {}, {k: (v or "?").replace("withheld", "[c]") for k, v in priors.items()})
    true = {"work_total": prior["conduct"] - prior["personal"], "closed": prior["conduct"] - prior["open"],
            "not_discrimination": prior["conduct"] - prior["discrimination"]}
    assert recovered(printed, sums, true) == set()
    # the words: no "2 cases", no "rose from 0 to 3", nothing a matrix line gives away
    text = _text(document.find("body"))
    assert not re.search(r"(?<![\d.,])[1-4] (?:conduct )?cases?\b", text)
    assert not re.search(r"rose from \S+ to [1-4]\b", text)
    for title in COUNT_TITLES:
        assert not re.search(rf"{title}: [1-4]\b", text), title
    assert "Fewer than 5 cases were about discriminatory content" in text


def test_pdf_prints_no_small_count(planted):
    from planted_run import pdf_text

    text = " ".join(pdf_text(planted.pdf).split())
    assert not re.search(r"(?<![\d.,])[1-4] (?:conduct )?cases?\b", text)
    assert not re.search(r"rose from \S+ to [1-4]\b", text)
    for title in COUNT_TITLES:
        assert not re.search(rf"{title}: [1-4]\b", text), title
    assert "Discrimination cases: <5" in text and "Cases still open <5" in text


def test_workbook_prints_no_small_count_and_gives_none_away(planted, truth):
    book = openpyxl.load_workbook(planted.workbook)

    def rows(name):
        """The data rows of a sheet's Excel Table."""
        sheet = book[name]
        [(_, ref)] = sheet.tables.items()
        last = int(re.search(r"(\d+)$", ref).group(1))
        return [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=last)]

    def text(v):
        return v if isinstance(v, str) else f"{v:,}"

    words = {v: k for k, v in CATEGORY_WORDS.items()}
    cells = {(words[r[0]], capacity): text(r[i]) for r in rows("p5_cases") for i, capacity in ((1, "work"), (2, "personal"))}
    severity = {r[0].lower(): text(r[1]) for r in rows("p5_cases_by_severity")}
    outcome = {r[0].lower().replace(" ", "_"): text(r[1]) for r in rows("p5_cases_by_outcome")}
    for printed in (cells, severity, outcome):
        _check_cells(printed, truth["now"])
    headline = {r[0]: r for r in rows("Headline measures")}
    ids = {"p5_conduct_cases": "conduct", "p5_personal_cases": "personal", "p5_open_cases": "open",
           "p7_discrimination_cases": "discrimination"}
    heads = {ids[i]: headline[i][3] for i in ids}
    priors = {ids[i]: headline[i][4] for i in ids}
    for value in [*heads.values(), *priors.values()]:
        assert not (isinstance(value, int | float) and 0 < value < T), value
    rate = headline["p5_cases_per_1000_staff"]
    assert isinstance(rate[3], float) if isinstance(heads["conduct"], int | float) else rate[3] == "[c]"
    now = truth["now"]
    printed, sums = _sums(cells, severity, outcome, {k: text(v) for k, v in heads.items()})
    true = {"work_total": now["conduct"] - now["personal"], "closed": now["conduct"] - now["open"],
            "not_discrimination": now["conduct"] - now["discrimination"]}
    assert recovered(printed, sums, true) == set()
    prior = truth["prior"]
    printed, sums = _sums({}, {}, {}, {k: "?" if v is None else text(v) for k, v in priors.items()})
    true = {"work_total": prior["conduct"] - prior["personal"], "closed": prior["conduct"] - prior["open"],
            "not_discrimination": prior["conduct"] - prior["discrimination"]}
    assert recovered(printed, sums, true) == set()
    for name in book.sheetnames:  # the change column never gives a hidden year away
        if name == "Headline measures":
            for r in rows(name):
                if r[0] in ids and ("<5" in (r[3], r[4]) or "[c]" in (r[3], r[4])):
                    assert r[5] is None and r[6] == "not available", r


def test_register_yaml_prints_no_small_count(planted):
    import yaml

    from sample_run import YEAR

    register = yaml.safe_load((planted.out / f"recommendations-{YEAR}.yml").read_text(encoding="utf-8"))
    sensitive = {m for m, x in METRICS.items() if x.small_count or x.derived_from}
    seen = 0
    for entry in register["recommendations"]:
        for key, value in (entry.get("evidence") or {}).items():
            if key.removesuffix("_prior") in sensitive:
                seen += 1
                assert not (isinstance(value, int | float) and 0 < value < T), (entry["rec_id"], key, value)
    assert seen, "the plant makes the personal-use rule fire, with small-count evidence"


def _notebook_tables(path):
    """Every table an executed notebook shows: its HTML outputs, and its HTML copy."""
    import json

    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            html = "".join(output.get("data", {}).get("text/html", []))
            if html:
                import html5lib

                yield from html5lib.parse(html, namespaceHTMLElements=False).iter("table")
    yield from _html(path.with_suffix(".html")).iter("table")


def test_executed_notebooks_print_no_small_count(planted):
    labels = {*COUNT_TITLES, *CATEGORY_WORDS.values(), "Low", "Medium", "High", "Open", "No further action",
              "Management action", "Reflective practice", "Written warning", "Final written warning", "Dismissal",
              "Resigned or retired", "Conduct cases per 1,000 people"}
    checked = 0
    for name in ("25-p5-conduct-and-governance", "27-p7-equality-and-accessibility", "30-p6-recommendations"):
        for table in _notebook_tables(planted.out / "notebooks" / f"{name}.ipynb"):
            rows = _table_rows(table)
            if not rows:
                continue
            header = rows[0]
            for row in rows[1:]:
                if not labels & set(row):
                    continue
                for column, value in zip(header, row, strict=False):
                    if column in ("value", "prior", "Work capacity", "Personal capacity", "Cases"):
                        checked += 1
                        assert not SMALL.fullmatch(value), (name, row)
    assert checked > 20, "the notebooks show the conduct tables and headlines"


def test_a_card_says_not_measured_and_why_never_zero():
    """The coverage seam: a headline with no value (and the reason, in plain words) prints "not
    measured" and the reason on its card, and "not measured" in the matrix; never 0."""
    import html5lib

    from context_fixture import make_context
    from review.outputs.render import render_html
    from review.outputs.report import TEMPLATE_DIR

    ctx = make_context()
    first = ctx.sections[0]
    missing = dataclasses.replace(first.headlines[0], value=None, prior_value=None, change_pct=None,
                                  not_measured_reason="no platform export reports it")
    sections = [dataclasses.replace(first, headlines=[missing, *first.headlines[1:]]), *ctx.sections[1:]]
    html = render_html(dataclasses.replace(ctx, sections=sections), TEMPLATE_DIR)
    document = html5lib.parse(html, namespaceHTMLElements=False)
    card = next(li for li in document.iter("li") if "card" in (li.get("class") or "").split()
                and _text(li).startswith(missing.title) and "not measured" in _text(li).lower())
    assert "no platform export reports it" in _text(card).lower()
    assert "Not rated" in _text(card) and "Green" not in _text(card)  # the fixture's rating is not shown
    assert f"{missing.title}: not measured" in _text(document.find("body"))

"""Documentation is generated from the one place each thing is defined, and kept fresh."""

from review.contracts import TABLES
from review.docs import data_dictionary, metric_definitions
from review.metrics.registry import METRICS


def test_every_column_has_title_and_description():
    for table in TABLES.values():
        assert table.description, f"{table.name} has no docstring"
        for column in table.columns:
            field = table.field(column)
            assert field["title"] and field["description"], f"{table.name}.{column} is undocumented"


def test_every_metric_is_defined():
    for metric in METRICS.values():
        assert metric.title and metric.definition and metric.formula, metric.metric_id
        assert metric.clause in {"P1", "P2", "P3", "P4", "P5", "P6", "P7"}
        assert metric.unit in {"count", "pct", "minutes", "days", "people", "rate"}


def test_every_clause_has_metrics():
    assert {m.clause for m in METRICS.values()} == {f"P{i}" for i in range(1, 8)}


def test_data_dictionary_is_fresh(repo_root):
    committed = (repo_root / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "docs/data-dictionary.md is stale: run `review docs`"


def test_metric_definitions_are_fresh(repo_root):
    committed = (repo_root / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert committed == metric_definitions(), "docs/metrics.md is stale: run `review docs`"

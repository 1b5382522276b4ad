"""review.load gives analysts the report's own numbers, from input files or from a run."""

import review
from review.config import ReviewConfig
from review.metrics import compute_metrics
from tables_fixture import account, post, tables


def test_load_from_input_files_and_sql(tmp_path):
    t = tables(accounts=[account("a1"), account("a2", "Facebook")],
               posts=[post("p1", "a1", "2025-02-01T10:00:00Z"), post("p2", "a2", "2025-03-01T10:00:00Z"),
                      post("p3", "a2", "2024-03-01T10:00:00Z")])
    for name, frame in t.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    year = review.load(tmp_path, 2025)
    assert year.metrics.value("p1_posts") == compute_metrics(t, ReviewConfig(year=2025)).value("p1_posts") == 2
    counts = year.sql("SELECT account_id, count(*) AS n FROM posts GROUP BY ALL ORDER BY account_id")
    assert counts["n"].tolist() == [1, 1]  # the period only: p3 is last year
    assert set(year.headlines["metric_id"]) >= {"p1_posts", "p3_contacts"}

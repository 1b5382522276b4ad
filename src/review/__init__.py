"""policy-review: the annual review of a police force's use of social media.

For analysts, `review.load(data, year)` returns the validated year and every metric (a
`review.year.Year`); docs/analyst.md answers twenty everyday questions with it.
"""

import warnings

__version__ = "0.1.0"

# With the spark extra installed, pandera imports pyspark.pandas, which warns on every import
# that it does not yet fully support pandas 3. We use only pyspark.sql, and tests/test_engines.py
# checks its results against DuckDB's, so the warning would only clutter every notebook.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)


def load(data, year, config=None):
    """Load and validate one review year and compute every metric, as the report does.

    `data`: a folder of input files, a `review ingest` output folder or a run's output folder
    (`reports/2025`). `year`: the review year (a financial year by the year it starts in).
    `config`: the year's YAML [default: config/YEAR.yml, else every setting at its default].

    Returns a `review.year.Year`: `y.headlines` (every metric with its definition, target and
    rating), `y.posts` (one row per post with its scores), `y.messages`, `y.posts_by_month(by)`,
    `y.messages_by_month(by)`, `y.table(id)` (the report's metric tables), `y.sql(query)`.
    Raises ReviewError, with the message the command line prints, for a bad folder or config
    and when no post or message falls in the period. See docs/analyst.md.
    """
    from review.year import load as _load  # keeps `import review` light for the CLI

    return _load(data, year, config)

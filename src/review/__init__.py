"""policy-review: the annual review of a police force's use of social media.

For analysts, `review.load(data=..., year=...)` returns the validated year and every metric.
"""

import warnings

__version__ = "0.1.0"

# With the spark extra installed, pandera imports pyspark.pandas, which warns on every import
# that it does not yet fully support pandas 3. We use only pyspark.sql, and tests/test_engines.py
# checks its results against DuckDB's, so the warning would only clutter every notebook.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)


def load(data, year, config=None):
    """The validated year as pandas frames; see review.year for details."""
    from review.year import load as _load  # keeps `import review` light for the CLI

    return _load(data, year, config)

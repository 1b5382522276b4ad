"""policy-review: the annual review of a police force's use of social media.

For analysts, `review.load(data=..., year=...)` returns the validated year and every metric.
"""

__version__ = "0.1.0"


def load(data, year, config=None):
    """The validated year as pandas frames; see review.year for details."""
    from review.year import load as _load  # keeps `import review` light for the CLI

    return _load(data, year, config)

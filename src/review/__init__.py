"""policy-review: the annual review of a police force's use of social media."""

__version__ = "0.1.0"

"""The one error type the CLI turns into a clear message instead of a traceback."""


class ReviewError(Exception):
    """A problem the user can fix: bad input, bad config, a failed stage.

    The message names the file (and line and column where known) and what was expected.
    """

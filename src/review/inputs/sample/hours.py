"""When things happen: weights by hour, weekday and month for posts and contacts."""

from __future__ import annotations

import numpy as np

from review.inputs.sample.world import _World


def _hour_weights(world: _World, by_hour: list[float], by_month: list[float], by_weekday: list[float]) -> np.ndarray:
    w = (
        np.asarray(by_hour)[world.hour_local]
        * np.asarray(by_month)[world.month_local - 1]
        * np.asarray(by_weekday)[world.weekday_local]
    )
    w[world.n_hours :] = 0  # nothing on or after 1 January after the review year
    return np.concatenate([[0.0], np.cumsum(w)])


_POST_HOURS = [0.02, 0.01, 0.01, 0.01, 0.01, 0.03, 0.15, 0.6, 1.1, 1.3, 1.15, 1.0,
               0.95, 0.9, 0.95, 1.0, 1.1, 1.25, 1.2, 1.0, 0.8, 0.55, 0.3, 0.08]  # fmt: skip
_POST_MONTHS = [0.9, 0.88, 0.95, 1.0, 1.05, 1.12, 1.18, 1.15, 1.0, 1.0, 1.02, 1.15]
_POST_WEEKDAYS = [1.1, 1.1, 1.1, 1.1, 1.05, 0.8, 0.75]
_CONTACT_HOURS = [0.45, 0.3, 0.2, 0.15, 0.12, 0.15, 0.3, 0.6, 0.9, 1.0, 1.0, 1.0,
                  1.05, 1.0, 1.0, 1.05, 1.1, 1.25, 1.4, 1.55, 1.6, 1.5, 1.2, 0.8]  # fmt: skip
_CONTACT_MONTHS = [0.92, 0.9, 0.95, 0.98, 1.02, 1.08, 1.12, 1.1, 1.0, 1.0, 1.0, 1.08]
_CONTACT_WEEKDAYS = [1.0, 0.98, 0.97, 0.98, 1.05, 1.08, 1.0]


def _sample_hours(rng, cum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """An hour index in [lo, hi) for each row, in proportion to the hour weights."""
    u = cum[lo] + rng.random(len(lo)) * (cum[hi] - cum[lo])
    h = np.searchsorted(cum, u, side="right") - 1
    return np.clip(h, lo, hi - 1)

"""Rank-based building blocks shared by the ranking methods (CES, AHAH, EJScreen, weights)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.scoring.preset import IndicatorSpec
from gezondewijk.variables import describe


def worse_is_higher(ind: IndicatorSpec) -> bool:
    """Whether a higher value of the indicator's variable means a worse situation."""
    direction = ind.direction or describe(ind.variable or "").direction
    return direction == "higher_is_worse"


def oriented(values: pd.DataFrame, ind: IndicatorSpec) -> np.ndarray:
    """Return the values with the sign flipped where higher is better (higher = worse)."""
    if ind.variable is None or ind.variable not in values:
        return np.full(len(values), np.nan)
    v = values[ind.variable].to_numpy(dtype="float64")
    return v if worse_is_higher(ind) else -v


def percentile(values: np.ndarray) -> np.ndarray:
    r"""Percentile (0-100) of each value among the known ones: the share at or below it.

    Notes
    -----
    :math:`P_i = 100 \cdot \#\{j : x_j \le x_i\} / n` over the *n* known values (SciPy's
    ``percentileofscore`` with ``kind="weak"``); missing values stay missing.
    """
    out = np.full(len(values), np.nan)
    known = ~np.isnan(values)
    x = values[known]
    if x.size:
        sorted_x = np.sort(x)
        out[known] = 100.0 * np.searchsorted(sorted_x, x, side="right") / x.size
    return out


TIE_METHODS = ("min", "average")


def rank(values: np.ndarray, ties: str = "average") -> np.ndarray:
    """Ranks 1..n of the known values, NaN where missing.

    ``ties="average"`` gives tied values the mean of their ranks, ``"min"`` the lowest
    (SciPy's ``rankdata`` methods of the same names).
    """
    if ties not in TIE_METHODS:
        raise ValueError(f"ties must be one of {TIE_METHODS}, not {ties!r}")
    out = np.full(len(values), np.nan)
    known = ~np.isnan(values)
    from scipy.stats import rankdata  # imported here: scipy.stats takes 0.7 s to load

    out[known] = rankdata(values[known], method=ties)
    return out


def average_rank(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the known values (ties averaged), NaN where missing."""
    return rank(values, "average")


def weighted_row_mean(
    columns: list[np.ndarray], weights: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise weighted mean over the known entries, and the number of known entries."""
    if not columns:
        return np.array([]), np.array([], dtype=np.int64)
    m = np.vstack(columns)
    w = np.asarray(weights, dtype="float64")[:, None] * ~np.isnan(m)
    total = np.nansum(np.where(np.isnan(m), 0.0, m) * w, axis=0)
    wsum = w.sum(axis=0)
    mean = np.divide(total, wsum, out=np.full(m.shape[1], np.nan), where=wsum > 0)
    return mean, (~np.isnan(m)).sum(axis=0)


def min_max(values: np.ndarray) -> np.ndarray:
    """Scale to 0..1 over the known values (all 0 when they are all equal)."""
    if np.isnan(values).all():
        return values.astype("float64")
    lo, hi = np.nanmin(values), np.nanmax(values)
    if hi == lo:
        return np.where(np.isnan(values), np.nan, 0.0)
    return (values - lo) / (hi - lo)

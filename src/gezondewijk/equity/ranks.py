"""Population-weighted fractional ranks of areas by socio-economic status."""

from __future__ import annotations

import numpy as np


def ridit_ranks(
    ses: np.ndarray, weights: np.ndarray, *, higher_is_advantaged: bool = True
) -> np.ndarray:
    r"""Population-weighted fractional rank (ridit) of each area, 0 = most disadvantaged.

    Notes
    -----
    With areas sorted from most disadvantaged and :math:`w` their population shares, the rank
    of area *i* is the midpoint of its slice, :math:`r_i = \sum_{j<i} w_j + w_i/2`. Areas with
    the same SES share the midpoint of their joint slice.
    """
    s = np.asarray(ses, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    key = s if higher_is_advantaged else -s
    levels, inverse = np.unique(key, return_inverse=True)
    share = np.bincount(inverse, weights=w / w.sum(), minlength=len(levels))
    start = np.cumsum(share) - share
    return (start + share / 2)[inverse]

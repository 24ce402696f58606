"""Derived indicators: densities and combined distances."""

from __future__ import annotations

import numpy as np
import pandas as pd


def density_per_km2(count: np.ndarray, area_m2: np.ndarray) -> np.ndarray:
    r"""Count per km² (e.g. inhabitants per km² of a cell's land within buurten).

    Notes
    -----
    :math:`d = 10^6 \, n / A` with :math:`A` in m². Zero area gives NaN.
    """
    count = np.asarray(count, "float64")
    area = np.asarray(area_m2, "float64")
    return np.divide(count * 1e6, area, out=np.full(len(count), np.nan), where=area > 0)


def mean_of_available(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Row-wise mean of the columns that have a value (NaN where none has).

    Used for "afstand tot basisvoorzieningen": the mean distance to GP, supermarket and
    primary school, over those known for the area.
    """
    present = [c for c in columns if c in frame]
    if not present:
        return np.full(len(frame), np.nan)
    values = frame[present].to_numpy(dtype="float64")
    known = ~np.isnan(values)
    total = np.where(known, values, 0.0).sum(axis=1)
    n = known.sum(axis=1)
    return np.divide(total, n, out=np.full(len(frame), np.nan), where=n > 0)

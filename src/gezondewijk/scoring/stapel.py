"""RIVM Stapeltool: scaled indicators summed per group, Getis-Ord Gi* hot spots, classes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.ranking import min_max, oriented

GROUPS = ("gezondheidsbescherming", "gezondheidsbevordering", "kwetsbaarheid")
CLASSES = ["geen", "druk op bescherming", "druk op bevordering", "beide"]


def gi_star(values: np.ndarray, x: np.ndarray, y: np.ndarray, distance: float) -> np.ndarray:
    r"""Getis-Ord :math:`G_i^*` z-scores with binary distance-band weights (self included).

    Uses PySAL ``esda.G_Local(star=True)``; areas with a missing value are left out and get NaN.

    Notes
    -----
    Ord & Getis (1995): with :math:`w_{ij} = 1` for :math:`d_{ij} \le` ``distance`` (and
    :math:`w_{ii} = 1`), :math:`\bar x` and :math:`s` the mean and standard deviation of all
    :math:`n` values,

    .. math:: G_i^* = \frac{\sum_j w_{ij} x_j - \bar x \sum_j w_{ij}}
              {s \sqrt{\left(n \sum_j w_{ij}^2 - (\sum_j w_{ij})^2\right)/(n-1)}}.
    """
    import warnings

    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand

    out = np.full(len(values), np.nan)
    known = ~np.isnan(values)
    if known.sum() < 3 or np.nanstd(values) == 0:
        return out
    coords = np.column_stack([x[known], y[known]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands are reported by libpysal as warnings
        w = DistanceBand.from_array(coords, threshold=distance, binary=True, silence_warnings=True)
        g = G_Local(values[known], w, transform="B", star=True, permutations=0)
    out[known] = g.Zs
    return out


def score_stapel(
    values: pd.DataFrame, preset: Preset, x: np.ndarray, y: np.ndarray, cell_size: float
) -> pd.DataFrame:
    r"""Score 1 km cells as the RIVM Stapeltool does.

    Parameters
    ----------
    values
        One row per cell.
    preset
        A ``method = "stapel"`` preset (domains: gezondheidsbescherming,
        gezondheidsbevordering, kwetsbaarheid).
    x, y
        Cell centres (RD New).
    cell_size
        Cell size in metres; neighbours are cells within 1.5 × this distance (queen
        contiguity on a square grid).

    Returns
    -------
    pandas.DataFrame
        ``stapel_<group>`` (sum of 0-1 scaled indicators), ``stapel_<group>_z`` (Gi* z-score),
        ``stapel_klasse`` (geen / druk op bescherming / druk op bevordering / beide) and
        ``stapel_kwetsbaar`` (hot spot of the vulnerable population).

    Notes
    -----
    RIVM (2022) *Stapeltool gezonde leefomgeving*: every indicator is scaled 0..1 over the cells
    (worst = 1), summed per group per 1 km cell, and the group sums are tested for hot spots with
    Gi* at significance ``alpha`` (preset parameter, default 0.05, two-sided z > 1.96). Missing
    data: a group sum uses the indicators a cell has, rescaled to the full number of indicators
    in the group (:math:`\sum s \cdot K / K_{known}`), so missing data neither lowers nor raises
    the sum; a cell without any indicator in a group gets no z-score.
    """
    from scipy import stats

    alpha = preset.number("alpha", 0.05)
    z_crit = float(stats.norm.ppf(1 - alpha / 2))
    band = preset.number("neighbour_factor", 1.5) * cell_size
    out: dict[str, object] = {}
    hot: dict[str, np.ndarray] = {}
    for group in GROUPS:
        cols = [min_max(oriented(values, ind)) for ind in preset.indicators if ind.domain == group]
        if not cols:
            continue
        m = np.vstack(cols)
        known = (~np.isnan(m)).sum(axis=0)
        total = np.where(np.isnan(m), 0.0, m).sum(axis=0)
        summed = np.divide(
            total * len(cols), known, out=np.full(m.shape[1], np.nan), where=known > 0
        )
        z = gi_star(summed, x, y, band)
        out[f"stapel_{group}"] = summed
        out[f"stapel_{group}_z"] = z
        hot[group] = np.nan_to_num(z, nan=0.0) > z_crit
    n = len(values)
    prot = hot.get("gezondheidsbescherming", np.zeros(n, dtype=bool))
    prom = hot.get("gezondheidsbevordering", np.zeros(n, dtype=bool))
    codes = prot.astype(int) + 2 * prom.astype(int)
    out["stapel_klasse"] = pd.Categorical.from_codes(codes, categories=CLASSES)
    out["stapel_kwetsbaar"] = hot.get("kwetsbaarheid", np.zeros(n, dtype=bool))
    return pd.DataFrame(out, index=values.index)

"""Areal interpolation between buurten and cells over the overlap table.

The maths follows the area-weighted interpolation of Goodchild & Lam (1980) as implemented in
PySAL tobler (``area_interpolate``), with the population-weighted (dasymetric) variant where an
address layer gives the population within each piece (Mennis, 2003).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from gezondewijk._errors import ConfigError
from gezondewijk.areas.cells import CellSet

Weighting = Literal["area", "population"]


def _piece_weights(cells: CellSet, weighting: Weighting) -> tuple[np.ndarray, np.ndarray]:
    """Return the per-piece weight ``w`` and, for extensive variables, the buurt totals of it."""
    pieces = cells.pieces
    area = pieces["area"].to_numpy(dtype="float64")
    if weighting == "area":
        return area, area
    if weighting != "population":
        raise ConfigError(f"unknown weighting '{weighting}'; use 'area' or 'population'.")
    addr = pieces["addresses"].to_numpy(dtype="float64")
    if addr.sum() == 0:
        return area, area
    # buurten without any address in the cells fall back to area weights
    n_b = int(pieces["buurt"].max()) + 1 if len(pieces) else 0
    per_buurt = np.bincount(pieces["buurt"], weights=addr, minlength=n_b)
    no_addr = per_buurt[pieces["buurt"].to_numpy()] == 0
    w = np.where(no_addr, area, addr)
    return w, w


def _grouped_mean(group: np.ndarray, vals: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    """Weighted mean of ``vals`` per group over the known values (NaN where none is known)."""
    known = ~np.isnan(vals)
    num = np.bincount(group[known], weights=vals[known] * w[known], minlength=n)
    den = np.bincount(group[known], weights=w[known], minlength=n)
    return np.divide(num, den, out=np.full(n, np.nan), where=den > 0)


def areal_interpolate(
    cells: CellSet,
    buurt_values: pd.DataFrame,
    *,
    extensive: list[str] | None = None,
    intensive: list[str] | None = None,
    weighting: Weighting = "area",
) -> pd.DataFrame:
    r"""Move buurt statistics onto cells.

    Parameters
    ----------
    cells
        Cells with their overlap table; ``pieces["buurt"]`` indexes the rows of
        ``buurt_values`` by position.
    buurt_values
        One row per buurt, in the same order as the buurten the cells were built on.
    extensive
        Count variables that add up (inhabitants, households).
    intensive
        Rates, shares, means and densities.
    weighting
        ``"area"`` or ``"population"`` (addresses per piece, where the cells have them).

    Returns
    -------
    pandas.DataFrame
        One row per cell, one column per variable.

    Notes
    -----
    With :math:`w_{ij}` the weight of the piece of buurt :math:`j` in cell :math:`i` (its area
    :math:`a_{ij}`, or its number of addresses :math:`p_{ij}`), an extensive variable
    :math:`V_j` is shared out in proportion to the buurt's weight in each cell,

    .. math:: \hat V_i = \sum_j V_j \, \frac{w_{ij}}{\sum_k w_{kj}},

    so that :math:`\sum_i \hat V_i = \sum_j V_j` when the cells cover the buurten (they do:
    every cell touching a buurt is kept). An intensive variable :math:`v_j` becomes the
    weighted mean of the buurten that make up the cell, over those with a value,

    .. math:: \hat v_i = \frac{\sum_j v_j \, w_{ij}}{\sum_{j: v_j \text{ known}} w_{ij}}.

    A cell whose buurten all miss the value gets NaN.
    """
    pieces = cells.pieces
    cell = pieces["cell"].to_numpy()
    buurt = pieces["buurt"].to_numpy()
    w, w_tot = _piece_weights(cells, weighting)
    n = len(cells)
    out: dict[str, np.ndarray] = {}
    n_b = len(buurt_values)
    for name in extensive or []:
        v = buurt_values[name].to_numpy(dtype="float64")
        total_w = np.bincount(buurt, weights=w_tot, minlength=n_b)
        share = np.divide(w, total_w[buurt], out=np.zeros_like(w), where=total_w[buurt] > 0)
        vals = v[buurt]
        known = ~np.isnan(vals)
        est = np.bincount(cell[known], weights=vals[known] * share[known], minlength=n)
        any_known = np.bincount(cell[known], minlength=n) > 0
        out[name] = np.where(any_known, est, np.nan)
    for name in intensive or []:
        vals = buurt_values[name].to_numpy(dtype="float64")[buurt]
        out[name] = _grouped_mean(cell, vals, w, n)
    return pd.DataFrame(out)


def cells_to_buurten(
    cells: CellSet,
    cell_values: pd.DataFrame,
    n_buurten: int,
    *,
    weighting: Weighting = "area",
) -> pd.DataFrame:
    r"""Aggregate cell values (rasters, distances) to buurten as weighted means.

    Parameters
    ----------
    cells
        Cells with their overlap table.
    cell_values
        One row per cell, intensive variables only.
    n_buurten
        Number of buurten (rows of the result).
    weighting
        ``"area"`` or ``"population"``.

    Returns
    -------
    pandas.DataFrame
        One row per buurt.

    Notes
    -----
    .. math:: \bar x_j = \frac{\sum_i x_i \, w_{ij}}{\sum_{i: x_i \text{ known}} w_{ij}}

    With population weighting this is the exposure of the average resident of the buurt.
    """
    pieces = cells.pieces
    cell = pieces["cell"].to_numpy()
    buurt = pieces["buurt"].to_numpy()
    w, _ = _piece_weights(cells, weighting)
    out: dict[str, np.ndarray] = {}
    for name in cell_values.columns:
        vals = cell_values[name].to_numpy(dtype="float64")[cell]
        out[name] = _grouped_mean(buurt, vals, w, n_buurten)
    return pd.DataFrame(out)

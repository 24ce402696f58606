"""Areal interpolation between buurten and cells over the overlap table.

The maths follows the area-weighted interpolation of Goodchild & Lam (1980) as implemented in
PySAL tobler (``area_interpolate``), with the population-weighted (dasymetric) variant where an
address layer gives the population within each piece (Mennis, 2003).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from gezondewijk._errors import ConfigError
from gezondewijk.areas.cells import CellSet

Weighting = Literal["area", "population"]


@dataclass(frozen=True)
class BuurtWeights:
    """Per buurt, the area and the addresses of its pieces in every cell of the run.

    Sharing a count out to the cells divides by these totals; a run laid part by part
    (:mod:`gezondewijk.run.in_parts`) adds them up over its parts first.
    """

    area: np.ndarray
    addresses: np.ndarray

    @classmethod
    def of(cls, cells: CellSet, n_buurten: int) -> BuurtWeights:
        """The totals of one set of cells (positions in ``pieces["buurt"]``)."""
        buurt = cells.pieces["buurt"].to_numpy()
        area = cells.pieces["area"].to_numpy(dtype="float64")
        addresses = cells.pieces["addresses"].to_numpy(dtype="float64")
        return cls(
            np.bincount(buurt, weights=area, minlength=n_buurten),
            np.bincount(buurt, weights=addresses, minlength=n_buurten),
        )

    def __add__(self, other: BuurtWeights) -> BuurtWeights:
        return BuurtWeights(self.area + other.area, self.addresses + other.addresses)


def _piece_weights(
    cells: CellSet, weighting: Weighting, totals: BuurtWeights | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the per-piece weight ``w`` and each buurt's total of it over the whole run.

    ``totals`` are the run's buurt totals (:class:`BuurtWeights`); ``None``: those of
    ``cells``, which then are all cells of the run.
    """
    pieces = cells.pieces
    area = pieces["area"].to_numpy(dtype="float64")
    buurt = pieces["buurt"].to_numpy()
    n_b = int(buurt.max()) + 1 if len(buurt) else 0
    if totals is None:
        totals = BuurtWeights.of(cells, n_b)
    if weighting == "area":
        return area, totals.area
    if weighting != "population":
        raise ConfigError(f"unknown weighting '{weighting}'; use 'area' or 'population'.")
    if totals.addresses.sum() == 0:
        return area, totals.area
    # buurten without any address in the cells fall back to area weights
    no_addr = totals.addresses == 0
    addr = pieces["addresses"].to_numpy(dtype="float64")
    return np.where(no_addr[buurt], area, addr), np.where(no_addr, totals.area, totals.addresses)


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
    totals: BuurtWeights | None = None,
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
    totals
        The buurten's totals over every cell of the run, when ``cells`` are a part of it
        (see :class:`BuurtWeights`).

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
    w, total_w = _piece_weights(cells, weighting, totals)
    n = len(cells)
    out: dict[str, np.ndarray] = {}
    for name in extensive or []:
        v = buurt_values[name].to_numpy(dtype="float64")
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
    totals: BuurtWeights | None = None,
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
    totals
        The buurten's totals over every cell of the run (see :class:`BuurtWeights`).

    Returns
    -------
    pandas.DataFrame
        One row per buurt.

    Notes
    -----
    .. math:: \bar x_j = \frac{\sum_i x_i \, w_{ij}}{\sum_{i: x_i \text{ known}} w_{ij}}

    With population weighting this is the exposure of the average resident of the buurt.
    A run laid part by part adds numerator and denominator over its parts
    (:func:`buurt_sums`) and divides once.
    """
    sums = buurt_sums(cells, cell_values, n_buurten, weighting=weighting, totals=totals)
    return means_of(sums, n_buurten)


def buurt_sums(
    cells: CellSet,
    cell_values: pd.DataFrame,
    n_buurten: int,
    *,
    weighting: Weighting = "area",
    totals: BuurtWeights | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per variable, the numerator and denominator of :func:`cells_to_buurten` per buurt."""
    pieces = cells.pieces
    cell = pieces["cell"].to_numpy()
    buurt = pieces["buurt"].to_numpy()
    w, _ = _piece_weights(cells, weighting, totals)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in cell_values.columns:
        vals = cell_values[name].to_numpy(dtype="float64")[cell]
        known = ~np.isnan(vals)
        out[name] = (
            np.bincount(buurt[known], weights=vals[known] * w[known], minlength=n_buurten),
            np.bincount(buurt[known], weights=w[known], minlength=n_buurten),
        )
    return out


def means_of(sums: dict[str, tuple[np.ndarray, np.ndarray]], n_buurten: int) -> pd.DataFrame:
    """The weighted means of :func:`buurt_sums` (NaN where no value is known)."""
    return pd.DataFrame(
        {
            name: np.divide(num, den, out=np.full(n_buurten, np.nan), where=den > 0)
            for name, (num, den) in sums.items()
        }
    )

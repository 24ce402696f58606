r"""Values given on street segments (PET per street piece) as length-weighted means per cell.

Notes
-----
For cell :math:`c` and the segments :math:`s` with value :math:`v_s` that cross it, with
:math:`\ell_{sc}` the length of segment :math:`s` inside the cell,

.. math:: v_c = \frac{\sum_s \ell_{sc}\, v_s}{\sum_s \ell_{sc}}

so a long shaded street counts for more than a short sunny corner. Cells no segment crosses
get NaN. Segments without a value are left out.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk._errors import InputDataError
from gezondewijk.areas.grids import Grid
from gezondewijk.sources._tables import to_numbers


def segment_values(lines: gpd.GeoDataFrame, field: str, *, path: str) -> gpd.GeoDataFrame:
    """The lines with their value as ``value``, numbers only, duplicate pieces once.

    Street files cut per buurt hold a street on a buurt border twice (once per buurt file);
    identical geometries are kept once.

    Raises
    ------
    InputDataError
        When ``field`` is not a column, or a value is not a number (row and column named).
    """
    from pathlib import Path

    if field not in lines.columns:
        raise InputDataError(
            f"kolom '{field}' (value_field) staat niet in de lijnenlaag.",
            path=path,
            field="value_field",
            fix=f"kies een van: {', '.join(c for c in lines.columns if c != 'geometry')}.",
        )
    values = to_numbers(lines[field].astype("string"), path=Path(path), field=field)
    out = gpd.GeoDataFrame(
        {"value": values.to_numpy(dtype="float64")}, geometry=lines.geometry.values, crs=lines.crs
    )
    out = out[np.isfinite(out["value"]) & ~out.geometry.is_empty & out.geometry.notna()]
    return out[~out.geometry.to_wkb().duplicated()].reset_index(drop=True)


def length_weighted(grid: Grid, keys: np.ndarray, lines: gpd.GeoDataFrame) -> np.ndarray:
    """Length-weighted mean of ``lines["value"]`` in each cell (see the module notes)."""
    out = np.full(len(keys), np.nan)
    if len(lines) == 0 or len(keys) == 0:
        return out
    cells = grid.polygons(keys)
    geoms = lines.geometry.to_numpy()
    cell_idx, line_idx = shapely.STRtree(geoms).query(cells, predicate="intersects")
    if len(cell_idx) == 0:
        return out
    inside = shapely.length(shapely.intersection(geoms[line_idx], cells[cell_idx]))
    values = lines["value"].to_numpy(dtype="float64")[line_idx]
    total = np.bincount(cell_idx, weights=inside * values, minlength=len(keys))
    length = np.bincount(cell_idx, weights=inside, minlength=len(keys))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(length > 0, total / np.where(length > 0, length, 1.0), np.nan)

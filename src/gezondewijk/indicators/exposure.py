"""Exposure at points: raster values and straight-line distance to the nearest feature."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import cKDTree

from gezondewijk._parallel import map_chunks, thread_budget
from gezondewijk.sources.rasters import RasterLayer
from gezondewijk.variables import Variable


def raster_at_points(layer: RasterLayer, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Value of the raster cell under each point (cell centres or addresses).

    Notes
    -----
    For cells much smaller than the raster (100 m hexagons on the 1 km RIVM GCN grid) the value
    at the centre equals the area-weighted mean except for cells that straddle a raster cell
    edge; there the error is bounded by the difference between the two raster cells.
    """
    return layer.sample(x, y)


def plausible(values: np.ndarray, variable: Variable) -> tuple[np.ndarray, int]:
    """``values`` with those outside the variable's plausible range set to NaN, and how many.

    The range is the vocabulary's ``valid_min`` / ``valid_max`` (see
    :class:`gezondewijk.variables.Variable`); a variable without one is returned as it is.
    """
    out = np.asarray(values, dtype="float64").copy()
    bad = np.zeros(len(out), dtype=bool)
    if variable.valid_min is not None:
        bad |= out < variable.valid_min
    if variable.valid_max is not None:
        bad |= out > variable.valid_max
    out[bad] = np.nan
    return out, int(bad.sum())


def distance_to_nearest(
    x: np.ndarray, y: np.ndarray, features: gpd.GeoDataFrame, *, max_distance: float | None = None
) -> np.ndarray:
    """Straight-line distance in metres from each point to the nearest feature.

    Parameters
    ----------
    x, y
        RD New coordinates of the points (cell centres or addresses).
    features
        Points or polygons in RD New; the distance to a polygon is 0 inside it and otherwise the
        distance to its edge.
    max_distance
        Search radius in metres; points with no feature within it get NaN. ``None`` searches
        without limit.

    Notes
    -----
    Exact for any geometry: point layers use a k-d tree (SciPy ``cKDTree``), other layers the
    STRtree nearest-neighbour search of GEOS (via Shapely).
    """
    geoms = features.geometry.to_numpy()
    x = np.asarray(x, "float64")
    y = np.asarray(y, "float64")
    if len(geoms) and (shapely.get_type_id(geoms) == 0).all():
        tree_pts = cKDTree(shapely.get_coordinates(geoms))
        dist, _ = tree_pts.query(
            np.column_stack([x, y]),
            distance_upper_bound=np.inf if max_distance is None else max_distance,
            workers=thread_budget(),
        )
        return np.where(np.isfinite(dist), dist, np.nan)
    tree = shapely.STRtree(geoms)

    def nearest(pos: np.ndarray) -> np.ndarray:
        idx, dist = tree.query_nearest(
            shapely.points(x[pos], y[pos]),
            max_distance=max_distance,
            return_distance=True,
            all_matches=False,
        )
        out = np.full(len(pos), np.nan)
        out[idx[0]] = dist
        return out

    return map_chunks(nearest, len(x))

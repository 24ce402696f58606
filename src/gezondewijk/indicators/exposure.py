"""Exposure at points: raster values and straight-line distance to the nearest feature."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk.sources.rasters import RasterLayer


def raster_at_points(layer: RasterLayer, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Value of the raster cell under each point (cell centres or addresses).

    Notes
    -----
    For cells much smaller than the raster (100 m hexagons on the 1 km RIVM GCN grid) the value
    at the centre equals the area-weighted mean except for cells that straddle a raster cell
    edge; there the error is bounded by the difference between the two raster cells.
    """
    return layer.sample(x, y)


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
    Uses the STRtree nearest-neighbour search of GEOS (via Shapely), exact for any geometry.
    """
    geoms = features.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    points = shapely.points(np.asarray(x, "float64"), np.asarray(y, "float64"))
    idx, dist = tree.query_nearest(
        points, max_distance=max_distance, return_distance=True, all_matches=False
    )
    out = np.full(len(points), np.nan)
    out[idx[0]] = dist
    return out

"""What can be reached on foot: kinds of sports facility, food outlets within walking distance.

Along the walking network where the run has one (the same snapping and entry rules as the
distances to green and GPs, :mod:`gezondewijk.network.distance`), else in a straight line.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk.indicators.exposure import distance_to_nearest
from gezondewijk.indicators.proximity import Origins
from gezondewijk.network import EdgeIndex, WalkNetwork, entries_for_points, walk_distance
from gezondewijk.network.distance import counts_within
from gezondewijk.network.snap import Snapped

#: RIVM rule of thumb (Dec 2025, press coverage): three kinds of sports facility within 1.5 km.
SPORT_REACH_M = 1500.0
#: Five minutes' walk, as Pointer/UvA/NOS count outlets near schools; 400 m at about 5 km/h
#: is our conversion (food.md §4), not a published norm.
FOOD_REACH_M = 400.0


@dataclass(frozen=True)
class Reach:
    """The network index and the origins snapped to it, built once for every count."""

    network: WalkNetwork | None
    index: EdgeIndex | None

    @classmethod
    def of(cls, network: WalkNetwork | None) -> Reach:
        """A reach over ``network`` (``None``: straight lines)."""
        return cls(network, EdgeIndex(network) if network is not None else None)

    def snap(self, x: np.ndarray, y: np.ndarray) -> Snapped | None:
        """The points snapped to the network (``None`` without one)."""
        return self.index.snap(x, y) if self.index is not None else None


def _points_xy(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    pts = shapely.point_on_surface(frame.geometry.to_numpy())
    return shapely.get_x(pts), shapely.get_y(pts)


def kinds_within(
    x: np.ndarray,
    y: np.ndarray,
    facilities: gpd.GeoDataFrame,
    reach: Reach,
    limit: float = SPORT_REACH_M,
    snapped: Snapped | None = None,
) -> np.ndarray:
    """Number of different ``soort`` values with a facility within ``limit`` of each point.

    One nearest-facility search per kind (one Dijkstra each along the network). ``snapped``:
    the points already snapped to the network (:meth:`Reach.snap`).
    """
    count = np.zeros(len(x))
    if len(facilities) == 0:
        return count
    if snapped is None:
        snapped = reach.snap(x, y)
    for _, group in facilities.groupby("soort"):
        if reach.index is not None and snapped is not None:
            fx, fy = _points_xy(group)
            d = walk_distance(reach.index, snapped, entries_for_points(reach.index, fx, fy))
        else:
            d = distance_to_nearest(x, y, group)
        count += np.nan_to_num(d, nan=np.inf) <= limit
    return count


def outlets_within(
    x: np.ndarray,
    y: np.ndarray,
    outlets: gpd.GeoDataFrame,
    reach: Reach,
    limit: float = FOOD_REACH_M,
    snapped: Snapped | None = None,
) -> np.ndarray:
    """Number of ``outlets`` within ``limit`` metres of each point (walking where possible).

    ``snapped``: the points already snapped to the network (:meth:`Reach.snap`).
    """
    if len(outlets) == 0 or len(x) == 0:
        return np.zeros(len(x))
    fx, fy = _points_xy(outlets)
    if reach.index is not None and reach.network is not None:
        entries = entries_for_points(reach.index, fx, fy)
        if snapped is None:
            snapped = reach.index.snap(x, y)
        return counts_within(reach.network, snapped, entries, limit)
    tree = shapely.STRtree(shapely.points(fx, fy))
    idx, _ = tree.query(shapely.points(x, y), predicate="dwithin", distance=limit)
    return np.bincount(idx, minlength=len(x)).astype("float64")


def food_within(
    x: np.ndarray,
    y: np.ndarray,
    food: gpd.GeoDataFrame,
    reach: Reach,
    limit: float = FOOD_REACH_M,
    snapped: Snapped | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """*Ongezond* and all food outlets within ``limit`` of each point.

    Each outlet is searched once: all = *ongezond* + the others.
    """
    if snapped is None:
        snapped = reach.snap(x, y)
    unhealthy = food["groep"] == "ongezond"
    bad = outlets_within(x, y, food[unhealthy], reach, limit, snapped)
    rest = outlets_within(x, y, food[~unhealthy], reach, limit, snapped)
    return bad, bad + rest


def reach_per_cell(
    origins: Origins,
    sport: gpd.GeoDataFrame | None,
    food: gpd.GeoDataFrame | None,
    network: WalkNetwork | None,
    reach: Reach | None = None,
) -> dict[str, np.ndarray]:
    """Sports kinds within 1.5 km and food outlets within 400 m, as the mean per cell.

    ``reach``: the network's index built before (a run in parts builds it once).

    Returns
    -------
    dict
        ``sport_kinds_1500m`` (kinds, mean over the cell's origins), ``food_unhealthy_400m``
        and ``food_all_400m`` (outlets, mean over the origins) and
        ``food_unhealthy_share_400m`` (% *ongezond* of all food outlets within reach, see
        :func:`unhealthy_share`).
    """
    out: dict[str, np.ndarray] = {}
    if (sport is None or sport.empty) and (food is None or food.empty):
        return out
    reach = reach or Reach.of(network)
    snapped = reach.snap(origins.x, origins.y)  # once, for every count
    if sport is not None and len(sport):
        out["sport_kinds_1500m"] = origins.per_cell(
            kinds_within(origins.x, origins.y, sport, reach, snapped=snapped)
        )
    if food is not None and len(food):
        unhealthy, total = food_within(origins.x, origins.y, food, reach, snapped=snapped)
        out["food_unhealthy_400m"] = origins.per_cell(unhealthy)
        out["food_all_400m"] = origins.per_cell(total)
        out["food_unhealthy_share_400m"] = unhealthy_share(
            out["food_unhealthy_400m"], out["food_all_400m"]
        )
    return out


def unhealthy_share(unhealthy: np.ndarray, total: np.ndarray) -> np.ndarray:
    r"""% *ongezond* among the outlets within reach: :math:`100\,\bar u / \bar t`.

    The ratio of the means over a cell's origins is the ratio of their sums (the same number
    of origins on both sides); NaN where no outlet is within reach.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100.0 * unhealthy / np.where(total > 0, total, 1.0), np.nan)

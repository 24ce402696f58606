"""Distance to the nearest green area or amenity, straight and along the walking network.

Distances are measured from each address where an address layer is given (a cell then gets
the mean over its addresses: the distance its inhabitants have to walk), else from each cell
centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk.areas import CellSet
from gezondewijk.areas.cells import key_positions
from gezondewijk.indicators.exposure import distance_to_nearest
from gezondewijk.network import (
    EdgeIndex,
    EntryPoints,
    WalkNetwork,
    entries_for_points,
    entries_for_polygons,
    walk_distance,
)
from gezondewijk.network.distance import ENTRY_REACH_M
from gezondewijk.network.snap import Snapped
from gezondewijk.variables import walk_key


@dataclass(frozen=True)
class Origins:
    """Points distances are measured from, and the cell each belongs to.

    Attributes
    ----------
    x, y
        RD New coordinates.
    cell
        Position of each point's cell in the :class:`~gezondewijk.areas.CellSet`.
    n_cells
        Number of cells.
    """

    x: np.ndarray
    y: np.ndarray
    cell: np.ndarray
    n_cells: int

    @classmethod
    def cell_centres(cls, cells: CellSet) -> Origins:
        """One origin per cell: its centre."""
        return cls(cells.x, cells.y, np.arange(len(cells)), len(cells))

    @classmethod
    def addresses(cls, cells: CellSet, points: np.ndarray) -> Origins:
        """One origin per address that lies in a cell; cells without one use their centre."""
        pts = np.asarray(points, dtype="float64").reshape(-1, 2)
        pos = key_positions(cells.keys, cells.grid.locate(pts[:, 0], pts[:, 1]))
        found = pos < len(cells)
        cell = pos[found]
        empty = np.setdiff1d(np.arange(len(cells)), cell)
        return cls(
            np.concatenate([pts[found, 0], cells.x[empty]]),
            np.concatenate([pts[found, 1], cells.y[empty]]),
            np.concatenate([cell, empty]),
            len(cells),
        )

    def per_cell(self, values: np.ndarray) -> np.ndarray:
        """Mean of the known values per cell (NaN where none is known)."""
        ok = np.isfinite(values)
        total = np.bincount(self.cell[ok], weights=values[ok], minlength=self.n_cells)
        count = np.bincount(self.cell[ok], minlength=self.n_cells)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)


@dataclass(frozen=True)
class Destinations:
    """A layer of destinations and the variable its distance becomes.

    Attributes
    ----------
    variable
        Key of the straight-line distance (``distance_green_m``); the walking distance gets
        :func:`gezondewijk.variables.walk_key` of it.
    features
        Points or polygons in RD New; polygons are reached at their edge.
    walk
        Also measure along the walking network (when the run has one).
    """

    variable: str
    features: gpd.GeoDataFrame
    walk: bool = True


@dataclass(frozen=True)
class OriginDistances:
    """Distances per origin (not yet per cell), with the network index they were read from.

    Kept by work that changes a few destinations afterwards (a scenario): an origin's
    distance to the nearest destination only changes where a new destination is nearer, or
    where the one it had was removed.
    """

    #: Variable → straight-line distance per origin (m).
    straight: dict[str, np.ndarray]
    #: Walking variable (``walk_key``) → walking distance per origin (m).
    walking: dict[str, np.ndarray]
    index: EdgeIndex | None
    snapped: Snapped | None

    def per_cell(self, origins: Origins) -> dict[str, np.ndarray]:
        """Every variable as the mean over each cell's origins."""
        both = {**self.straight, **self.walking}
        order = [k for d in self.straight for k in (d, walk_key(d)) if k in both]
        return {k: origins.per_cell(both[k]) for k in order}


def origin_distances(
    origins: Origins,
    destinations: list[Destinations],
    network: WalkNetwork | None,
    *,
    reach: float = ENTRY_REACH_M,
) -> OriginDistances:
    """Distance from every origin to the nearest destination of each layer.

    See :func:`proximity`, which takes the mean of these per cell.
    """
    straight_of: dict[str, np.ndarray] = {}
    walking_of: dict[str, np.ndarray] = {}
    index = snapped = None
    for dest in destinations:
        straight = distance_to_nearest(origins.x, origins.y, dest.features)
        straight_of[dest.variable] = straight
        if network is None or not dest.walk:
            continue
        if index is None:
            index = EdgeIndex(network)
            snapped = index.snap(origins.x, origins.y)
        assert snapped is not None
        walking = walk_distance(index, snapped, network_entries(index, dest.features, reach))
        walking_of[walk_key(dest.variable)] = np.where(straight == 0, 0.0, walking)
    return OriginDistances(straight_of, walking_of, index, snapped)


def proximity(
    origins: Origins,
    destinations: list[Destinations],
    network: WalkNetwork | None,
    *,
    reach: float = ENTRY_REACH_M,
) -> dict[str, np.ndarray]:
    """Distance per cell to the nearest destination of each layer, straight and walking.

    Parameters
    ----------
    origins
        Addresses or cell centres with their cells.
    destinations
        The layers; each gives its straight-line variable and, with a network, its walking
        twin.
    network
        The walking network (its largest connected part), or ``None``.
    reach
        How far an area's edge may lie from a path and still be entered from it.

    Returns
    -------
    dict
        Variable key → one value per cell (metres).

    Notes
    -----
    Straight-line distances are exact (:func:`distance_to_nearest`). Walking distances add the
    snap distance from the origin to the network, the shortest path along it, and the last
    stretch from the network to the destination (see :mod:`gezondewijk.network.distance`);
    an origin inside a green area is at 0.
    """
    return origin_distances(origins, destinations, network, reach=reach).per_cell(origins)


def subset(snapped: Snapped, which: np.ndarray) -> Snapped:
    """The snapped origins at positions ``which``."""
    return Snapped(snapped.edge[which], snapped.t[which], snapped.offset[which])


def network_entries(index: EdgeIndex, features: gpd.GeoDataFrame, reach: float) -> EntryPoints:
    """Where the destinations meet the network: points at their snap, areas at their edge."""
    geoms = features.geometry.to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    parts = []
    if is_point.any():
        pts = shapely.get_coordinates(geoms[is_point])
        parts.append(entries_for_points(index, pts[:, 0], pts[:, 1]))
    if (~is_point).any():
        parts.append(entries_for_polygons(index, geoms[~is_point], reach=reach))
    return EntryPoints.concat(parts)

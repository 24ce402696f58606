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
)
from gezondewijk.network.distance import ENTRY_REACH_M, distances_at, node_distances
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


@dataclass(frozen=True)
class NetworkDestinations:
    """Where each layer meets the network, and every node's walk to its nearest destination.

    Both depend on the destinations and the network only, not on where one walks from: a run
    measured part by part computes them once and reads each part's origins off them
    (:meth:`gezondewijk.run.proximity.ProximityInputs.walking`).

    Attributes
    ----------
    index
        The network's edge index (for snapping origins).
    entries
        Per layer (in the order given; ``None`` for a layer not walked), its entry points.
    node_dist
        Per layer, the distance from every node to the nearest entry point (m).
    """

    index: EdgeIndex
    entries: list[EntryPoints | None]
    node_dist: list[np.ndarray | None]

    @classmethod
    def of(
        cls, destinations: list[Destinations], network: WalkNetwork, reach: float = ENTRY_REACH_M
    ) -> NetworkDestinations:
        """Snap every walked layer to the network and search from it once."""
        index = EdgeIndex(network)
        entries = [
            network_entries(index, d.features, reach) if d.walk else None for d in destinations
        ]
        return cls(
            index, entries, [None if e is None else node_distances(network, e) for e in entries]
        )


def origin_distances(
    origins: Origins,
    destinations: list[Destinations],
    network: WalkNetwork | None,
    *,
    reach: float = ENTRY_REACH_M,
    walking: NetworkDestinations | None = None,
) -> OriginDistances:
    """Distance from every origin to the nearest destination of each layer.

    See :func:`proximity`, which takes the mean of these per cell. ``walking``: the
    destinations on the network as computed before (for these ``destinations`` and
    ``network``); without it they are computed here.
    """
    straight_of: dict[str, np.ndarray] = {}
    walking_of: dict[str, np.ndarray] = {}
    snapped = None
    for k, dest in enumerate(destinations):
        straight = distance_to_nearest(origins.x, origins.y, dest.features)
        straight_of[dest.variable] = straight
        if network is None or not dest.walk:
            continue
        if walking is None:
            walking = NetworkDestinations.of(destinations, network, reach)
        if snapped is None:
            snapped = walking.index.snap(origins.x, origins.y)
        entries, node_dist = walking.entries[k], walking.node_dist[k]
        assert entries is not None and node_dist is not None
        walk = distances_at(network, snapped, node_dist, entries)
        walking_of[walk_key(dest.variable)] = np.where(straight == 0, 0.0, walk)
    index = None if walking is None else walking.index
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

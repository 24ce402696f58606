"""Walking networks: a graph from OpenStreetMap ways or line layers, snapping, distances.

Distances along the network come from one multi-source shortest-path search per destination
type over the whole network (see :mod:`gezondewijk.network.distance`).
"""

from gezondewijk.network.distance import (
    EntryPoints,
    entries_for_points,
    entries_for_polygons,
    walk_distance,
)
from gezondewijk.network.graph import WalkNetwork, network_from_lines
from gezondewijk.network.snap import EdgeIndex, Snapped

__all__ = [
    "EdgeIndex",
    "EntryPoints",
    "Snapped",
    "WalkNetwork",
    "entries_for_points",
    "entries_for_polygons",
    "network_from_lines",
    "walk_distance",
]

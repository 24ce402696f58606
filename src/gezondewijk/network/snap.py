"""Snap points onto the nearest edge of a walking network."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gezondewijk._parallel import map_chunks
from gezondewijk.network.graph import WalkNetwork


@dataclass(frozen=True)
class Snapped:
    """Where points meet the network.

    Attributes
    ----------
    edge
        Edge position of the nearest edge.
    t
        Fraction along that edge from ``edge_u`` (0) to ``edge_v`` (1) of the nearest point.
    offset
        Straight-line distance from the point to that nearest point (metres): the walk from a
        home (or cell centre) to the street, added to every network distance.
    """

    edge: np.ndarray
    t: np.ndarray
    offset: np.ndarray

    def __len__(self) -> int:
        return len(self.edge)


class EdgeIndex:
    """An R-tree (Shapely STRtree) over the edges of a network, built once per network."""

    def __init__(self, network: WalkNetwork) -> None:
        self.network = network
        self.segments = network.segments()
        self.tree = shapely.STRtree(self.segments)

    def snap(self, x: np.ndarray, y: np.ndarray) -> Snapped:
        r"""Snap points (RD New) to their nearest edge.

        Notes
        -----
        The nearest edge comes from the STRtree nearest-neighbour search of GEOS; the point on
        it is the orthogonal projection :math:`t = \mathrm{clip}((p-a)\cdot(b-a)/|b-a|^2, 0, 1)`
        of the point :math:`p` onto the segment :math:`ab`, and the offset is
        :math:`|p - (a + t(b-a))|`.
        """
        x = np.asarray(x, "float64")
        y = np.asarray(y, "float64")
        net = self.network

        def nearest(pos: np.ndarray) -> np.ndarray:
            idx = self.tree.query_nearest(
                shapely.points(x[pos], y[pos]), all_matches=False, return_distance=False
            )
            out = np.full(len(pos), -1, dtype=np.int64)
            out[idx[0]] = idx[1]
            return out

        edge = map_chunks(nearest, len(x)).astype(np.int64)
        t, offset = project_onto_edges(net, edge, x, y)
        return Snapped(edge=edge, t=t, offset=offset)


def project_onto_edges(
    network: WalkNetwork, edge: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Fraction along each edge of the orthogonal projection of each point, and its distance."""
    ax, ay = network.node_x[network.edge_u[edge]], network.node_y[network.edge_u[edge]]
    dx = network.node_x[network.edge_v[edge]] - ax
    dy = network.node_y[network.edge_v[edge]] - ay
    denom = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(denom > 0, ((x - ax) * dx + (y - ay) * dy) / denom, 0.0)
    t = np.clip(t, 0.0, 1.0)
    offset = np.hypot(x - (ax + t * dx), y - (ay + t * dy))
    return t, offset

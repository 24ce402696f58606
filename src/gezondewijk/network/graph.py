"""A walking network as a graph: nodes with RD New coordinates, straight edges with lengths.

Every edge is one straight segment of the input lines, so a point on the network is an edge
and a fraction along it; no geometry has to be kept beside the graph. Walking ignores one-way
rules, so the graph is undirected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from gezondewijk._errors import InputDataError

NodeAt = Literal["shared-vertices", "crossings"]


@dataclass(frozen=True)
class WalkNetwork:
    """Nodes and straight edges of a walking network in RD New (EPSG:28992).

    Attributes
    ----------
    node_x, node_y
        Node coordinates in metres.
    edge_u, edge_v
        Node positions at both ends of each edge (``edge_u < edge_v``).
    edge_length
        Length of each edge in metres.
    notes
        What was dropped or repaired while building, for the run's notes.
    """

    node_x: np.ndarray
    node_y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_x)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    @property
    def total_length_km(self) -> float:
        """Sum of the edge lengths in kilometres."""
        return float(self.edge_length.sum()) / 1000.0

    def segments(self) -> np.ndarray:
        """Every edge as a two-point Shapely LineString (for spatial queries)."""
        starts = np.column_stack([self.node_x[self.edge_u], self.node_y[self.edge_u]])
        ends = np.column_stack([self.node_x[self.edge_v], self.node_y[self.edge_v]])
        coords = np.stack([starts, ends], axis=1)
        return shapely.linestrings(coords)

    def adjacency(self, extra_nodes: int = 0) -> sp.csr_matrix:
        """Symmetric sparse adjacency matrix with edge lengths as weights.

        ``extra_nodes`` empty rows and columns are appended (for a virtual source).
        """
        n = self.n_nodes + extra_nodes
        rows = np.concatenate([self.edge_u, self.edge_v])
        cols = np.concatenate([self.edge_v, self.edge_u])
        weights = np.concatenate([self.edge_length, self.edge_length])
        return sp.csr_matrix((weights, (rows, cols)), shape=(n, n))

    def largest_component(self) -> WalkNetwork:
        """The connected part with the most length; the rest is dropped and noted.

        Notes
        -----
        Pieces not connected to the main network (a path on a campus island, a fragment cut
        off by clipping at the municipal boundary) would give points snapped to them no route
        to anything; keeping the largest component is what OSMnx and most accessibility
        studies do.
        """
        if self.n_edges == 0:
            return self
        n_comp, labels = connected_components(self.adjacency(), directed=False)
        if n_comp == 1:
            return self
        per_comp = np.bincount(labels[self.edge_u], weights=self.edge_length, minlength=n_comp)
        main = int(np.argmax(per_comp))
        keep_edge = labels[self.edge_u] == main
        keep_node = labels == main
        remap = np.full(self.n_nodes, -1, dtype=np.int64)
        remap[keep_node] = np.arange(int(keep_node.sum()))
        dropped_km = float(per_comp.sum() - per_comp[main]) / 1000.0
        share = 100.0 * dropped_km / max(self.total_length_km, 1e-9)
        note = (
            f"looppaden: {n_comp - 1} losse stukken ({dropped_km:.1f} km, {share:.1f} %) "
            "hangen niet aan het hoofdnetwerk en tellen niet mee."
        )
        return WalkNetwork(
            node_x=self.node_x[keep_node],
            node_y=self.node_y[keep_node],
            edge_u=remap[self.edge_u[keep_edge]],
            edge_v=remap[self.edge_v[keep_edge]],
            edge_length=self.edge_length[keep_edge],
            notes=[*self.notes, note],
        )


def network_from_lines(
    lines: np.ndarray,
    *,
    node_at: NodeAt = "shared-vertices",
    precision: float = 0.01,
    source: str = "looppaden",
) -> WalkNetwork:
    """Build a walking network from line geometries in RD New.

    Parameters
    ----------
    lines
        LineStrings or MultiLineStrings (Shapely array), in metres.
    node_at
        ``"shared-vertices"`` joins lines only where they share a vertex, which is how
        OpenStreetMap models junctions: a bridge over a street shares no node with it and
        stays unconnected, as it should. ``"crossings"`` also splits lines wherever they
        cross (for networks drawn without shared vertices); bridges then become junctions.
    precision
        Vertices closer than this grid (metres) are the same node.
    source
        Name of the input, for messages.

    Returns
    -------
    WalkNetwork
        One edge per straight segment; zero-length and duplicate segments removed.

    Raises
    ------
    InputDataError
        When there are no lines to build a network from.
    """
    geoms = np.asarray(lines, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if node_at == "crossings" and len(geoms):
        geoms = np.asarray(shapely.get_parts(shapely.node(shapely.multilinestrings(geoms))))
    parts = shapely.get_parts(geoms)
    parts = parts[np.isin(shapely.get_type_id(parts), [1, 2])]  # LineString, LinearRing
    if len(parts) == 0:
        raise InputDataError(
            "geen lijnen om een looppadennetwerk van te maken / no lines for a network.",
            field=source,
            fix="geef een lijnenlaag (wegen en paden) of een OpenStreetMap-bestand.",
        )
    coords, line_of = shapely.get_coordinates(parts, return_index=True)
    grid = np.round(coords / precision).astype(np.int64)
    uniq, node_of = _unique_rows(grid)
    same_line = line_of[1:] == line_of[:-1]
    a = node_of[:-1][same_line]
    b = node_of[1:][same_line]
    length = np.hypot(*(coords[1:][same_line] - coords[:-1][same_line]).T)
    keep = a != b
    u = np.minimum(a[keep], b[keep])
    v = np.maximum(a[keep], b[keep])
    length = length[keep]
    order = np.lexsort((length, v, u))
    u, v, length = u[order], v[order], length[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    node_xy = uniq.astype("float64") * precision
    return WalkNetwork(
        node_x=node_xy[:, 0],
        node_y=node_xy[:, 1],
        edge_u=u[first],
        edge_v=v[first],
        edge_length=length[first],
    )


def _unique_rows(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique (x, y) grid rows and the row index of each input, via one int64 key per row.

    ``np.unique(axis=0)`` sorts rows as structured records, several times slower than sorting
    one integer key; the key is exact while the grid's extent fits in 63 bits (RD New at 1 cm:
    3·10⁷ × 6.5·10⁷ ≈ 2·10¹⁵).
    """
    lo = grid.min(axis=0)
    span = grid.max(axis=0) - lo + 1
    if float(span[0]) * float(span[1]) >= 2.0**62:
        uniq, inverse = np.unique(grid, axis=0, return_inverse=True)
        return uniq, inverse.ravel()
    key = (grid[:, 0] - lo[0]) * span[1] + (grid[:, 1] - lo[1])
    keys, inverse = np.unique(key, return_inverse=True)
    uniq = np.column_stack([keys // span[1] + lo[0], keys % span[1] + lo[1]])
    return uniq, inverse.ravel()

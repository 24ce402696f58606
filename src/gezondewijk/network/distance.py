r"""Walking distance from many points to the nearest of a set of destinations.

One shortest-path search per destination *type* (GPs, supermarkets, schools, green), not per
cell: every destination becomes an entry point on the network, all entry points hang from one
virtual source, and a single Dijkstra search from that source (SciPy
``scipy.sparse.csgraph.dijkstra``) gives every node its distance to the nearest destination.
A cell then reads its distance off the edge it is snapped to.

Notes
-----
For an origin snapped to edge :math:`(u, v)` of length :math:`\ell` at fraction :math:`t`
with offset :math:`o`, and node distances :math:`d`,

.. math:: D = o + \min\bigl(d_u + t\ell,\; d_v + (1 - t)\ell,\; \min_{s \in S_{uv}}
          (|t - t_s|\ell + o_s)\bigr)

where :math:`S_{uv}` are the destinations snapped to the same edge (reached along it without
passing a node) at fraction :math:`t_s` with their own offset :math:`o_s`. Every term is a
path made of straight pieces between the origin and the destination, so by the triangle
inequality :math:`D` is never below the straight-line distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from gezondewijk.network.graph import WalkNetwork
from gezondewijk.network.snap import EdgeIndex, Snapped, project_onto_edges

#: How far from an area a street may run and still be an entry to it (metres).
ENTRY_REACH_M = 50.0


@dataclass(frozen=True)
class EntryPoints:
    """Where the destinations meet the network.

    Attributes
    ----------
    node, node_offset
        Destinations at a node (a node inside a park), with the distance still to walk.
    edge, t, edge_offset
        Destinations on an edge at fraction ``t``, with the distance still to walk from there
        (the snap distance of a GP practice off the street; 0 where a path enters a park).
    """

    node: np.ndarray
    node_offset: np.ndarray
    edge: np.ndarray
    t: np.ndarray
    edge_offset: np.ndarray

    @classmethod
    def on_edges(cls, snapped: Snapped) -> EntryPoints:
        """Entry points from snapped destinations."""
        empty_i = np.empty(0, dtype=np.int64)
        return cls(empty_i, np.empty(0), snapped.edge, snapped.t, snapped.offset)

    @classmethod
    def concat(cls, parts: list[EntryPoints]) -> EntryPoints:
        """All entry points of several destination layers together."""
        if not parts:
            return cls.on_edges(Snapped(np.empty(0, np.int64), np.empty(0), np.empty(0)))
        return cls(
            *(
                np.concatenate([getattr(p, name) for p in parts])
                for name in ("node", "node_offset", "edge", "t", "edge_offset")
            )
        )

    def __len__(self) -> int:
        return len(self.node) + len(self.edge)


def with_sources(
    network: WalkNetwork,
    source: np.ndarray,
    node: np.ndarray,
    weight: np.ndarray,
    n_sources: int = 1,
) -> sp.csr_matrix:
    """The network's adjacency with virtual source nodes after its own nodes.

    Source ``i`` (node ``n + i``) gets an edge to ``node[j]`` of ``weight[j]`` for every
    ``j`` with ``source[j] == i``; each (source, node) pair once.

    Notes
    -----
    The rows are appended to the CSR arrays directly. Adding a sparse matrix of the source
    edges instead would drop the edges of weight 0 (SciPy removes explicit zeros when it adds
    matrices), while ``dijkstra`` takes an explicit zero as an edge of length 0: a destination
    on a node, or a node inside a park, would be lost.
    """
    base = network.adjacency(extra_nodes=n_sources)  # its last n_sources rows are empty
    n = network.n_nodes
    order = np.lexsort((node, source))
    per_source = np.bincount(source, minlength=n_sources)
    indptr = np.concatenate([base.indptr[: n + 1], base.indptr[n] + np.cumsum(per_source)])
    indices = np.concatenate([base.indices, node[order]])
    data = np.concatenate([base.data, weight[order].astype(base.data.dtype)])
    return sp.csr_matrix((data, indices, indptr), shape=base.shape)


def node_distances(network: WalkNetwork, entries: EntryPoints) -> np.ndarray:
    r"""Distance from every node to the nearest entry point, by one Dijkstra search.

    Notes
    -----
    A virtual node :math:`S` gets an edge to each endpoint of every entry edge, weighted
    :math:`o_s + t_s\ell` towards :math:`u` and :math:`o_s + (1-t_s)\ell` towards
    :math:`v`, and an edge of weight :math:`o_s` to every entry node. The shortest path from
    :math:`S` to a node is then the shortest walk from that node to any destination.
    """
    n = network.n_nodes
    length = network.edge_length[entries.edge]
    targets = np.concatenate(
        [entries.node, network.edge_u[entries.edge], network.edge_v[entries.edge]]
    )
    weights = np.concatenate(
        [
            entries.node_offset,
            entries.edge_offset + entries.t * length,
            entries.edge_offset + (1.0 - entries.t) * length,
        ]
    )
    if len(targets) == 0:
        return np.full(n, np.inf)
    # one edge per target node, the shortest (a sparse matrix would add duplicates up)
    frame = pd.DataFrame({"node": targets, "w": weights}).groupby("node")["w"].min()
    graph = with_sources(
        network, np.zeros(len(frame), dtype=np.int64), frame.index.to_numpy(), frame.to_numpy()
    )
    dist = dijkstra(graph, directed=True, indices=n)
    return np.asarray(dist[:n])


def distances_at(
    network: WalkNetwork, origins: Snapped, node_dist: np.ndarray, entries: EntryPoints
) -> np.ndarray:
    """Walking distance from snapped origins, given the node distances (``inf`` → NaN)."""
    length = network.edge_length[origins.edge]
    via_u = node_dist[network.edge_u[origins.edge]] + origins.t * length
    via_v = node_dist[network.edge_v[origins.edge]] + (1.0 - origins.t) * length
    best = np.minimum(via_u, via_v)
    if len(entries.edge):
        shared = np.isin(origins.edge, entries.edge)
        if shared.any():
            pos = np.flatnonzero(shared)
            o = pd.DataFrame({"pos": pos, "edge": origins.edge[pos], "t": origins.t[pos]})
            s = pd.DataFrame({"edge": entries.edge, "ts": entries.t, "os": entries.edge_offset})
            pairs = o.merge(s, on="edge")
            along = (pairs["t"] - pairs["ts"]).abs() * network.edge_length[pairs["edge"]] + pairs[
                "os"
            ]
            direct = along.groupby(pairs["pos"]).min()
            pos = direct.index.to_numpy()
            best[pos] = np.minimum(best[pos], direct.to_numpy())
    out = origins.offset + best
    return np.where(np.isfinite(out), out, np.nan)


def entries_for_points(index: EdgeIndex, x: np.ndarray, y: np.ndarray) -> EntryPoints:
    """Entry points of point destinations (GPs, supermarkets, schools): snapped to an edge."""
    return EntryPoints.on_edges(index.snap(x, y))


def entries_for_polygons(
    index: EdgeIndex, polygons: np.ndarray, *, reach: float = ENTRY_REACH_M
) -> EntryPoints:
    """Entry points of areas (green): reached at their edge, not their centre.

    Every network edge within ``reach`` metres of an area gets an entry at its point closest
    to the area (GEOS ``shortest_line``), with the remaining gap as offset: 0 where a path
    enters the park, the width of the verge where a street runs beside it. Points where an edge
    crosses the area's boundary are entries with gap 0. The area's corners
    projected onto nearby edges are entries too, so a street parallel to a park edge (whose
    closest point is not unique) can be left at either end, and every node inside an area is
    an entry with gap 0. An area with no edge within ``reach`` (an island) is entered from its
    nearest edge.

    Notes
    -----
    ``reach`` is kept short (50 m by default) because the gap is walked in a straight line:
    a longer one would let walkers cross canals and railways that the network goes around.
    """
    net = index.network
    polys = np.asarray(polygons, dtype=object)
    if len(polys) == 0:
        return EntryPoints.concat([])
    poly_idx, edge_idx = index.tree.query(polys, predicate="dwithin", distance=reach)
    lonely = np.setdiff1d(np.arange(len(polys)), poly_idx)
    if len(lonely):
        near = index.tree.query_nearest(polys[lonely], all_matches=False)
        poly_idx = np.concatenate([poly_idx, lonely[near[0]]])
        edge_idx = np.concatenate([edge_idx, near[1]])
    lines = shapely.shortest_line(index.segments[edge_idx], polys[poly_idx])
    start = shapely.get_coordinates(shapely.get_point(lines, 0))
    t, _ = project_onto_edges(net, edge_idx, start[:, 0], start[:, 1])
    gap = shapely.length(lines)

    # where a segment runs parallel to the area's edge its closest point is not unique and
    # GEOS returns one end of that stretch; the area's corners projected onto nearby segments
    # give the other end (and every bend of the edge)
    corners, corner_of = shapely.get_coordinates(polys, return_index=True)
    c_idx, c_edge = index.tree.query(shapely.points(corners), predicate="dwithin", distance=reach)
    c_t, _ = project_onto_edges(net, c_edge, corners[c_idx, 0], corners[c_idx, 1])
    on_edge = _point_on_edge(net, c_edge, c_t)
    c_gap = shapely.distance(on_edge, polys[corner_of[c_idx]])
    # where a path crosses into the area: exact crossing points, gap 0
    boundaries = shapely.boundary(polys)
    b_idx, x_edge = index.tree.query(boundaries, predicate="intersects")
    crossings = shapely.intersection(index.segments[x_edge], boundaries[b_idx])
    x_pts, x_of = shapely.get_coordinates(crossings, return_index=True)
    x_edge = x_edge[x_of]
    x_t, _ = project_onto_edges(net, x_edge, x_pts[:, 0], x_pts[:, 1])
    edge_idx = np.concatenate([edge_idx, c_edge, x_edge])
    t = np.concatenate([t, c_t, x_t])
    gap = np.concatenate([gap, c_gap, np.zeros(len(x_edge))])

    node_pts = shapely.points(net.node_x, net.node_y)
    inside = np.unique(shapely.STRtree(polys).query(node_pts, predicate="intersects")[0])
    return EntryPoints(
        node=inside.astype(np.int64),
        node_offset=np.zeros(len(inside)),
        edge=edge_idx.astype(np.int64),
        t=t,
        edge_offset=np.asarray(gap, dtype="float64"),
    )


def _point_on_edge(net: WalkNetwork, edge: np.ndarray, t: np.ndarray) -> np.ndarray:
    ax, ay = net.node_x[net.edge_u[edge]], net.node_y[net.edge_u[edge]]
    bx, by = net.node_x[net.edge_v[edge]], net.node_y[net.edge_v[edge]]
    return shapely.points(ax + t * (bx - ax), ay + t * (by - ay))


def walk_distance(
    index: EdgeIndex,
    origins: Snapped,
    destinations: EntryPoints,
) -> np.ndarray:
    """Walking distance from snapped origins to the nearest destination (NaN if unreachable)."""
    node_dist = node_distances(index.network, destinations)
    return distances_at(index.network, origins, node_dist, destinations)


def counts_within(
    network: WalkNetwork,
    origins: Snapped,
    entries: EntryPoints,
    limit: float,
    *,
    chunk: int = 64,
) -> np.ndarray:
    r"""How many destinations each origin can reach within ``limit`` metres of walking.

    Parameters
    ----------
    network
        The walking network.
    origins
        Snapped origins (addresses or cell centres).
    entries
        One entry per destination (points snapped to edges, e.g. food outlets); node entries
        count as destinations too.
    limit
        The walking distance (m), e.g. 400 m for about five minutes.
    chunk
        Destinations searched at once (bounds memory: ``chunk`` × nodes distances).

    Returns
    -------
    numpy.ndarray
        Count per origin (float, for averaging per cell).

    Notes
    -----
    One Dijkstra search per destination, cut off at ``limit`` (SciPy ``dijkstra(limit=…)``,
    so each search only visits the few hundred nodes around its destination). The distance
    from origin :math:`o` to destination :math:`s` is that of :func:`distances_at`:
    :math:`D = o + \min(d_u + t\ell,\; d_v + (1-t)\ell,\; |t-t_s|\ell + o_s)`, the last term
    where both lie on the same edge; :math:`s` counts when :math:`D \le` ``limit``.
    """
    n = network.n_nodes
    n_dest = len(entries)
    counts = np.zeros(len(origins.edge))
    if n_dest == 0 or len(origins.edge) == 0:
        return counts
    # every destination as its own virtual node: to both ends of its edge, or to its node
    edge_len = network.edge_length[entries.edge]
    n_edge = len(entries.edge)
    dest_ids = np.concatenate(
        [np.arange(n_edge), np.arange(n_edge), n_edge + np.arange(len(entries.node))]
    )
    targets = np.concatenate(
        [network.edge_u[entries.edge], network.edge_v[entries.edge], entries.node]
    )
    weights = np.concatenate(
        [
            entries.edge_offset + entries.t * edge_len,
            entries.edge_offset + (1.0 - entries.t) * edge_len,
            entries.node_offset,
        ]
    )
    frame = pd.DataFrame({"d": dest_ids, "node": targets, "w": weights})
    frame = frame.groupby(["d", "node"], as_index=False)["w"].min()
    graph = with_sources(
        network, frame["d"].to_numpy(), frame["node"].to_numpy(), frame["w"].to_numpy(), n_dest
    )
    # two chunk × origins arrays at a time: about 32 MB each at most
    chunk = max(1, min(chunk, 4_000_000 // max(len(origins.edge), 1)))
    o_len = network.edge_length[origins.edge]
    o_u = network.edge_u[origins.edge]
    o_v = network.edge_v[origins.edge]
    for start in range(0, n_dest, chunk):
        ids = np.arange(start, min(start + chunk, n_dest))
        dist = dijkstra(graph, directed=True, indices=n + ids, limit=limit)[:, :n]
        best = np.minimum(dist[:, o_u] + origins.t * o_len, dist[:, o_v] + (1 - origins.t) * o_len)
        on_edge = ids[ids < n_edge]
        if len(on_edge):
            same = entries.edge[on_edge][:, None] == origins.edge[None, :]
            along = (
                np.abs(entries.t[on_edge][:, None] - origins.t[None, :]) * o_len[None, :]
                + entries.edge_offset[on_edge][:, None]
            )
            rows = on_edge - start
            best[rows] = np.where(same, np.minimum(best[rows], along), best[rows])
        counts += ((best + origins.offset[None, :]) <= limit).sum(axis=0)
    return counts

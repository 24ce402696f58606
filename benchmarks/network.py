"""Walking distances: one multi-source search per destination type vs one search per cell.

Two workloads:

- Delft: the whole OpenStreetMap walking network of the municipality (``../shared/data``), the
  cells of ``examples/delft.toml``, OSM parks of at least 0.5 ha, and GPs, supermarkets and
  schools drawn at network nodes (Delft has no POI layer in shared/; the counts are Delft's
  order of magnitude: 30 GP practices, 25 supermarkets, 40 primary schools).
- Synthetic: a jittered street lattice of about one million nodes (a province), with cells
  every 100 m and the same four destination types.

gezondewijk: snap every cell once, then one Dijkstra search from a virtual source per
destination type (:mod:`gezondewijk.network.distance`). The straightforward alternatives, on
a sample of cells in the same run: networkx ``single_source_dijkstra_path_length`` from each
cell (what an analyst with OSMnx writes), and SciPy ``dijkstra`` from each cell's nearest node.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk.indicators.proximity import Destinations, Origins, proximity
from gezondewijk.network import WalkNetwork, network_from_lines
from gezondewijk.variables import walk_key

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RD = "EPSG:28992"
COUNTS = {"distance_gp_m": 30, "distance_supermarket_m": 25, "distance_school_m": 40}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _points_at_nodes(net: WalkNetwork, n: int, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    pick = rng.choice(net.n_nodes, size=n, replace=False)
    # a few metres off the street, as a building's door is
    x = net.node_x[pick] + rng.normal(0, 8, n)
    y = net.node_y[pick] + rng.normal(0, 8, n)
    return gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=RD)


def _delft() -> tuple[WalkNetwork, np.ndarray, np.ndarray, list[Destinations], float]:
    from gezondewijk.network.load import read_walk_network
    from gezondewijk.run import build_map
    from gezondewijk.settings import load_config

    config = load_config(ROOT / "examples" / "delft.toml")
    config = config.model_copy(update={"network": None, "features": [], "rasters": []})
    cells = build_map(config, stream=None).cells
    start = time.perf_counter()
    net = read_walk_network(
        SHARED / "osm-delft-roads-asa2026e" / "delft_osm_roads_proj.gpkg",
        exclude={"highway": ["motorway", "motorway_link", "trunk", "trunk_link"]},
    )
    parks = gpd.read_file(SHARED / "osm-delft-green-asa2026c" / "delft_parks.gpkg").to_crs(RD)
    parks = parks[parks.area >= 5000]
    read_s = time.perf_counter() - start
    layers = [Destinations("distance_green_m", parks)]
    layers += [
        Destinations(k, _points_at_nodes(net, n, i)) for i, (k, n) in enumerate(COUNTS.items())
    ]
    return net, cells.x, cells.y, layers, read_s


def _synthetic(
    side: int = 1000,
) -> tuple[WalkNetwork, np.ndarray, np.ndarray, list[Destinations], float]:
    """A ``side`` × ``side`` jittered lattice, 60 m apart, with 3 % of the streets missing."""
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    xs, ys = np.meshgrid(np.arange(side) * 60.0, np.arange(side) * 60.0)
    x = (xs + rng.normal(0, 6, xs.shape)).ravel() + 100_000
    y = (ys + rng.normal(0, 6, ys.shape)).ravel() + 400_000
    ids = np.arange(side * side).reshape(side, side)
    pairs = np.concatenate(
        [
            np.column_stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()]),
            np.column_stack([ids[:-1, :].ravel(), ids[1:, :].ravel()]),
        ]
    )
    pairs = pairs[rng.random(len(pairs)) > 0.03]
    coords = np.stack(
        [
            np.column_stack([x[pairs[:, 0]], y[pairs[:, 0]]]),
            np.column_stack([x[pairs[:, 1]], y[pairs[:, 1]]]),
        ],
        axis=1,
    )
    net = network_from_lines(shapely.linestrings(coords)).largest_component()
    build_s = time.perf_counter() - start
    extent = side * 60.0
    cx, cy = np.meshgrid(np.arange(50, extent, 100.0), np.arange(50, extent, 100.0))
    ox, oy = cx.ravel() + 100_000, cy.ravel() + 400_000
    parks = []
    for _ in range(side // 4):
        px, py = rng.uniform(0, extent, 2) + np.array([100_000.0, 400_000.0])
        parks.append(shapely.box(px, py, px + rng.uniform(60, 250), py + rng.uniform(60, 250)))
    layers = [Destinations("distance_green_m", gpd.GeoDataFrame(geometry=parks, crs=RD))]
    scale = side * side // 35_000  # Delft's ratio of amenities to network nodes
    layers += [
        Destinations(k, _points_at_nodes(net, n * max(1, scale), i))
        for i, (k, n) in enumerate(COUNTS.items())
    ]
    return net, ox, oy, layers, build_s


def _baselines(
    net: WalkNetwork, ox: np.ndarray, oy: np.ndarray, layers: list[Destinations], sample: int
) -> dict[str, float]:
    """Seconds per cell for one search per cell and destination type (networkx, SciPy)."""
    import networkx as nx
    from scipy.sparse.csgraph import dijkstra

    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(net.edge_u.tolist(), net.edge_v.tolist(), net.edge_length.tolist(), strict=True)
    )
    adjacency = net.adjacency()
    nodes = shapely.points(net.node_x, net.node_y)
    tree = shapely.STRtree(nodes)
    targets = []
    for layer in layers:
        geoms = layer.features.geometry.to_numpy()
        pts = shapely.point_on_surface(geoms)  # a naive analyst: the park's centre point
        targets.append(np.unique(tree.query_nearest(pts, all_matches=False)[1]))
    rng = np.random.default_rng(5)
    pick = rng.choice(len(ox), size=min(sample, len(ox)), replace=False)
    sources = tree.query_nearest(shapely.points(ox[pick], oy[pick]), all_matches=False)[1]
    start = time.perf_counter()
    for s in sources:
        dist = nx.single_source_dijkstra_path_length(graph, int(s), weight="weight")
        for t in targets:
            min((dist.get(int(k), np.inf) for k in t), default=np.inf)
    nx_per_cell = (time.perf_counter() - start) / len(sources)
    start = time.perf_counter()
    for s in sources:
        dist_all = dijkstra(adjacency, directed=False, indices=int(s))
        for t in targets:
            dist_all[t].min()
    scipy_per_cell = (time.perf_counter() - start) / len(sources)
    return {"networkx_s_per_cell": nx_per_cell, "scipy_s_per_cell": scipy_per_cell}


def _multi_source(
    net: WalkNetwork, ox: np.ndarray, oy: np.ndarray, layers: list[Destinations]
) -> tuple[float, dict[str, np.ndarray]]:
    """The plain multi-source SciPy search: one ``dijkstra(min_only=True)`` per type.

    Destinations (a park's entries: its nodes within 50 m of the outline; points: the nearest
    node) and cells are snapped to nodes; the time includes the adjacency matrix and the
    snapping, as ours does. Coarser than ours (node to node), so its distances differ.
    """
    from scipy.sparse.csgraph import dijkstra

    start = time.perf_counter()
    adjacency = net.adjacency()
    nodes = shapely.points(net.node_x, net.node_y)
    tree = shapely.STRtree(nodes)
    cell_node = tree.query_nearest(shapely.points(ox, oy), all_matches=False)[1]
    out = {}
    for layer in layers:
        geoms = layer.features.geometry.to_numpy()
        if shapely.get_type_id(geoms[0]) in (3, 6):  # areas: the nodes at their outline
            hits = tree.query(geoms, predicate="dwithin", distance=50.0)[1]
        else:
            hits = tree.query_nearest(geoms, all_matches=False)[1]
        dist = dijkstra(adjacency, directed=False, indices=np.unique(hits), min_only=True)
        out[layer.variable] = dist[cell_node]
    return time.perf_counter() - start, out


def network_figures(kind: str, sample: int) -> dict[str, Any]:
    """Time the four network indicators for every cell, and the per-cell loops on a sample."""
    net, ox, oy, layers, prep_s = _delft() if kind == "network-delft" else _synthetic()
    origins = Origins(ox, oy, np.arange(len(ox)), len(ox))
    start = time.perf_counter()
    values = proximity(origins, layers, net)
    ours = time.perf_counter() - start
    peak = _peak_mb()
    walk = values["distance_green_walk_m"]
    straight = values["distance_green_m"]
    base = _baselines(net, ox, oy, layers, sample)
    multi_s, multi = _multi_source(net, ox, oy, layers)
    diffs = np.concatenate(
        [np.abs(multi[layer.variable] - values[walk_key(layer.variable)]) for layer in layers]
    )
    return {
        "kind": kind,
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "km": round(net.total_length_km),
        "cells": len(ox),
        "prepare_s": prep_s,
        "seconds": ours,
        "peak_mb": peak,
        "sample": sample,
        **base,
        "networkx_s_all_cells": base["networkx_s_per_cell"] * len(ox),
        "scipy_s_all_cells": base["scipy_s_per_cell"] * len(ox),
        "median_detour": float(np.nanmedian((walk / straight)[straight > 100])),
        "multisource_s": multi_s,
        "multisource_median_diff_m": float(np.nanmedian(diffs[np.isfinite(diffs)])),
        "never_shorter": bool(np.all(walk >= straight - 1e-6)),
    }

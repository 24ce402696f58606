"""Delft end to end on real data: green along the OpenStreetMap walking network."""

from __future__ import annotations

import numpy as np
import pytest

from gezondewijk.run import MapResult, build_map
from gezondewijk.settings import load_config
from tests.conftest import ROOT, shared_path

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def delft() -> MapResult:
    shared_path("osm-delft-roads-asa2026e", "delft_osm_roads_proj.gpkg")
    shared_path("osm-delft-green-asa2026c", "delft_parks.gpkg")
    shared_path("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv")
    return build_map(load_config(ROOT / "examples" / "delft.toml"), stream=None)


def test_delft_buurten_and_joins(delft: MapResult) -> None:
    assert len(delft.buurten) == 91
    # RIVM 2020 has every Delft buurt but the one created after 2020 (SOURCES.md: 104 of 105)
    assert [(j.matched, j.total, j.unmatched) for j in delft.joins] == [(90, 91, ["BU05032810"])]


def test_green_along_the_network_for_every_inhabited_buurt(delft: MapResult) -> None:
    b = delft.buurten
    inhabited = b["population"] > 0
    assert inhabited.sum() == 87
    assert (b.loc[inhabited, "groen_status"] == "gebruikt").all()
    assert (b.loc[inhabited, "groen_variabele"] == "distance_green_walk_m").all()
    # the dichtheid and basisvoorzieningen of the PDOK 2024 names are read (camelCase)
    assert (b["dichtheid_status"] != "ontbreekt").sum() >= 80
    assert (b["basisvoorzieningen_variabele"] == "basic_services_km").sum() >= 80


def test_walking_is_never_shorter_and_usually_longer(delft: MapResult) -> None:
    c = delft.cell_values
    straight, walking = c["distance_green_m"], c["distance_green_walk_m"]
    assert walking.notna().all()
    assert (walking >= straight - 1e-6).all()
    ratio = (walking / straight)[straight > 100]
    # detour factors of Dutch city networks are typically 1.2–1.5
    assert 1.15 < ratio.median() < 1.6


def test_the_map_varies_inside_buurten(delft: MapResult) -> None:
    frame = delft.cells_frame()
    per_buurt = frame.groupby("buurtcode").agg(
        n=("cel_id", "size"),
        spread=("distance_green_walk_m", "std"),
        classes=("groen_aan", "nunique"),
    )
    big = per_buurt[per_buurt["n"] >= 5]
    assert len(big) >= 50
    assert (big["spread"] > 50).mean() > 0.8  # tens of metres and more within a buurt
    assert (big["classes"] > 1).sum() >= 15  # buurten with cells on both sides of 300 m


def test_class_changes_between_straight_and_network(delft: MapResult) -> None:
    table = delft.walk_comparison
    assert table is not None
    row = table[(table["niveau"] == "buurten") & (table["indicator"] == "groen")].iloc[0]
    assert row["vergeleken"] == 91
    # walking is never shorter, so with an absolute threshold every buurt that is 'on'
    # (more than 300 m) in a straight line is on along the network too
    assert row["aan_netwerk"] - row["aan_hemelsbreed"] == row["gewisseld"]
    assert row["gewisseld"] > 0
    assert any("andere klasse dan hemelsbreed" in n for n in delft.notes)


def _node_based_walk(delft: MapResult, cell_ids: list[str]) -> dict[str, float]:
    """An independent search per cell with networkx: leave the street at a node within 50 m of
    a park (the way a reader checks a route on the map), no virtual source, no edge entries."""
    import geopandas as gpd
    import networkx as nx
    import shapely

    from gezondewijk.network import EdgeIndex
    from gezondewijk.network.load import read_walk_network

    net = read_walk_network(
        shared_path("osm-delft-roads-asa2026e", "delft_osm_roads_proj.gpkg"),
        exclude={"highway": ["motorway", "motorway_link", "trunk", "trunk_link", "busway"]},
        clip=shapely.union_all(delft.buurten.geometry.to_numpy()),
    )
    parks = gpd.read_file(shared_path("osm-delft-green-asa2026c", "delft_parks.gpkg"))
    parks = parks.to_crs("EPSG:28992")
    parks = parks[parks.area >= 5000]
    graph = nx.Graph()
    for u, v, length in zip(net.edge_u, net.edge_v, net.edge_length, strict=True):
        graph.add_edge(int(u), int(v), weight=float(length))
    pts = shapely.points(net.node_x, net.node_y)
    near, gap = shapely.STRtree(parks.geometry.to_numpy()).query_nearest(
        pts, return_distance=True, all_matches=False
    )
    node_gap = np.full(net.n_nodes, np.inf)
    node_gap[near[0]] = np.where(gap <= 50, gap, np.inf)
    index = EdgeIndex(net)
    frame = delft.cells_frame().set_index("cel_id")
    out = {}
    for cell in cell_ids:
        x, y = frame.loc[cell, "x"], frame.loc[cell, "y"]
        snap = index.snap(np.array([x]), np.array([y]))
        e, t, off = int(snap.edge[0]), float(snap.t[0]), float(snap.offset[0])
        length = float(net.edge_length[e])
        graph.add_edge("cel", int(net.edge_u[e]), weight=off + t * length)
        graph.add_edge("cel", int(net.edge_v[e]), weight=off + (1 - t) * length)
        dist = nx.single_source_dijkstra_path_length(graph, "cel")
        graph.remove_node("cel")
        out[cell] = min(d + node_gap[k] for k, d in dist.items() if k != "cel")
    return out


def test_network_distances_by_hand(delft: MapResult) -> None:
    # Two cells whose routes were drawn on the map and checked by eye (docs/network.md): in
    # the Olofsbuurt (H100_559_2303) 304 m straight, 453 m walking around the blocks; in
    # Westlandhof (H100_557_2300) 138 m straight, 250 m by the street to the park's corner.
    frame = delft.cells_frame().set_index("cel_id")
    checked = ["H100_559_2303", "H100_557_2300"]
    reference = _node_based_walk(delft, checked)
    for cell in checked:
        assert frame.loc[cell, "distance_green_walk_m"] == pytest.approx(reference[cell], abs=1.0)
    # on a sample, the independent search (fewer ways into a park) is never shorter
    sample = frame.sample(25, random_state=3).index.tolist()
    reference = _node_based_walk(delft, sample)
    for cell in sample:
        assert frame.loc[cell, "distance_green_walk_m"] <= reference[cell] + 1e-6
    inside = frame["distance_green_m"] == 0
    assert inside.sum() > 0 and (frame.loc[inside, "distance_green_walk_m"] == 0).all()


def test_tudelft_campus_all_four_walking_distances_from_a_raw_pbf() -> None:
    shared_path("osm-tudelft-dsol", "tudelft.osm.pbf")
    run = build_map(load_config(ROOT / "examples" / "tudelft-campus.toml"), stream=None)
    assert len(run.buurten) == 10
    c = run.cell_values
    for kind in ("green", "gp", "supermarket", "school"):
        straight, walking = c[f"distance_{kind}_m"], c[f"distance_{kind}_walk_m"]
        assert walking.notna().all(), kind
        assert (walking >= straight - 1e-6).all(), kind
    b = run.buurten
    assert (b["basisvoorzieningen_variabele"] == "basic_services_walk_m").all()
    assert run.walk_comparison is not None
    assert set(run.walk_comparison["indicator"]) == {"groen", "basisvoorzieningen"}
    assert {s.uitgever for s in run.sources} == {"lokaal bestand"}

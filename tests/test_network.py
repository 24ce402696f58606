"""Walking networks: hand-worked distances, invariants, and a per-origin reference search."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gezondewijk._errors import InputDataError
from gezondewijk.indicators.proximity import Destinations, Origins, proximity
from gezondewijk.network import (
    EdgeIndex,
    entries_for_points,
    entries_for_polygons,
    network_from_lines,
    walk_distance,
)

RD = "EPSG:28992"


def _lines(*coords: Sequence[tuple[float, float]]) -> np.ndarray:
    return np.array([shapely.LineString(c) for c in coords], dtype=object)


def test_street_by_hand() -> None:
    # one street along y = 0 from x = 0 to 100; a GP 10 m off the street at x = 100
    net = network_from_lines(_lines([(0, 0), (50, 0), (100, 0)]))
    index = EdgeIndex(net)
    origins = index.snap(np.array([0.0, 60.0]), np.array([5.0, -3.0]))
    gp = entries_for_points(index, np.array([100.0]), np.array([10.0]))
    # 5 m to the street + 100 m along it + 10 m to the door; 3 + 40 + 10
    assert walk_distance(index, origins, gp) == pytest.approx([115.0, 53.0])


def test_origin_and_destination_on_the_same_edge_walk_along_it() -> None:
    net = network_from_lines(_lines([(0, 0), (1000, 0)]))
    index = EdgeIndex(net)
    origins = index.snap(np.array([400.0]), np.array([2.0]))
    shop = entries_for_points(index, np.array([450.0]), np.array([-1.0]))
    # not via a node (400 + 450 or 600 + 550): 2 + 50 + 1
    assert walk_distance(index, origins, shop) == pytest.approx([53.0])


def test_park_is_reached_at_its_edge_not_its_centre() -> None:
    # park x 70..90, y 10..30 beside the street y = 0; 10 m verge
    net = network_from_lines(_lines([(0, 0), (50, 0), (100, 0)]))
    index = EdgeIndex(net)
    origins = index.snap(np.array([60.0, 95.0]), np.array([-3.0, 1.0]))
    park = entries_for_polygons(index, np.array([shapely.box(70, 10, 90, 30)]))
    # 3 + 10 along to x = 70 + 10 across; 1 + 5 back to x = 90 + 10 across
    assert walk_distance(index, origins, park) == pytest.approx([23.0, 16.0])


def test_a_path_into_the_park_enters_it_at_the_crossing() -> None:
    # a footpath from the street north into the park at x = 80 (no verge to cross)
    net = network_from_lines(_lines([(0, 0), (80, 0), (100, 0)], [(80, 0), (80, 50)]))
    index = EdgeIndex(net)
    park = entries_for_polygons(index, np.array([shapely.box(70, 30, 90, 60)]), reach=5.0)
    origins = index.snap(np.array([0.0]), np.array([0.0]))
    assert walk_distance(index, origins, park) == pytest.approx([80.0 + 30.0])


def test_a_destination_on_a_node_and_a_node_inside_a_park_are_reached() -> None:
    """Entries that start at 0 m (a GP on a junction, a path node in a park) count.

    SciPy drops explicit zeros when sparse matrices are added, and a search from a virtual
    source built that way lost such entries (every distance became ∞, or a detour).
    """
    # a street with junctions at x = 0, 50, 100; a GP exactly on the junction at x = 50
    net = network_from_lines(_lines([(0, 0), (50, 0), (100, 0)]))
    index = EdgeIndex(net)
    origins = index.snap(np.array([50.0, 0.0, 90.0]), np.array([0.0, 0.0, 0.0]))
    gp = entries_for_points(index, np.array([50.0]), np.array([0.0]))
    assert walk_distance(index, origins, gp) == pytest.approx([0.0, 50.0, 40.0])
    # a park around the junction at x = 100 with a path node inside it
    net = network_from_lines(_lines([(0, 0), (100, 0), (120, 0)]))
    index = EdgeIndex(net)
    park = entries_for_polygons(index, np.array([shapely.box(90, -10, 130, 10)]))
    inside = index.snap(np.array([100.0, 0.0]), np.array([0.0, 0.0]))
    assert walk_distance(index, inside, park) == pytest.approx([0.0, 90.0])


def test_canal_with_one_bridge() -> None:
    # two banks 20 m apart, joined by one bridge at x = 500: 20 m straight, 1 km walking
    net = network_from_lines(
        _lines([(0, 0), (500, 0), (600, 0)], [(0, 20), (500, 20), (600, 20)], [(500, 0), (500, 20)])
    )
    index = EdgeIndex(net)
    origins = index.snap(np.array([0.0]), np.array([-4.0]))
    school = entries_for_points(index, np.array([0.0]), np.array([24.0]))
    assert walk_distance(index, origins, school) == pytest.approx([4.0 + 500 + 20 + 500 + 4.0])


def test_unreachable_destination_is_missing_not_zero() -> None:
    net = network_from_lines(_lines([(0, 0), (100, 0)], [(0, 50), (100, 50)]))
    index = EdgeIndex(net)
    origins = index.snap(np.array([10.0]), np.array([-1.0]))
    gp = entries_for_points(index, np.array([10.0]), np.array([51.0]))
    assert np.isnan(walk_distance(index, origins, gp)).all()


def test_lines_join_at_shared_vertices_only_unless_told_to_node_crossings() -> None:
    # a street crossing under a bridge: no shared vertex, so no junction
    street = [(0, 0), (100, 0)]
    bridge = [(50, -50), (50, 50)]
    net = network_from_lines(_lines(street, bridge))
    assert net.n_nodes == 4 and net.n_edges == 2
    noded = network_from_lines(_lines(street, bridge), node_at="crossings")
    assert noded.n_nodes == 5 and noded.n_edges == 4
    assert noded.total_length_km == pytest.approx(0.2)


def test_duplicate_and_zero_length_segments_are_dropped() -> None:
    net = network_from_lines(_lines([(0, 0), (0, 0), (10, 0)], [(10, 0), (0, 0)]))
    assert net.n_edges == 1
    assert net.edge_length.tolist() == [10.0]


def test_largest_component_drops_islands_and_says_so() -> None:
    net = network_from_lines(_lines([(0, 0), (1000, 0)], [(0, 500), (10, 500)]))
    main = net.largest_component()
    assert main.n_edges == 1 and main.total_length_km == pytest.approx(1.0)
    assert "1 losse stukken (0.0 km" in main.notes[0]


def test_no_lines_is_a_clear_error() -> None:
    with pytest.raises(InputDataError, match="geen lijnen"):
        network_from_lines(np.array([shapely.Point(0, 0)], dtype=object))


def _reference(
    lines: list[list[tuple[float, float]]],
    origin: tuple[float, float],
    targets: list[tuple[float, float]],
) -> float:
    """One networkx search from one origin, with origin and targets spliced into the edges."""
    net = network_from_lines(_lines(*lines)).largest_component()
    index = EdgeIndex(net)
    pts = np.array([origin, *targets])
    snapped = index.snap(pts[:, 0], pts[:, 1])
    graph = nx.Graph()
    cuts: dict[int, list[tuple[float, object]]] = {}
    for i in range(len(pts)):
        cuts.setdefault(int(snapped.edge[i]), []).append((float(snapped.t[i]), ("p", i)))
    for e in range(net.n_edges):
        u, v, length = int(net.edge_u[e]), int(net.edge_v[e]), float(net.edge_length[e])
        chain = [(0.0, u), *sorted(cuts.get(e, []), key=lambda c: c[0]), (1.0, v)]
        for (t0, a), (t1, b) in itertools.pairwise(chain):
            old = graph.get_edge_data(a, b, {}).get("weight", np.inf)
            graph.add_edge(a, b, weight=min((t1 - t0) * length, old))
    graph.add_edge("origin", ("p", 0), weight=float(snapped.offset[0]))
    for i in range(1, len(pts)):
        graph.add_edge(("p", i), "sink", weight=float(snapped.offset[i]))
    try:
        return float(nx.shortest_path_length(graph, "origin", "sink", weight="weight"))
    except nx.NetworkXNoPath:
        return float("nan")


coord = st.floats(min_value=0, max_value=300, allow_nan=False).map(lambda v: round(v, 1))
point = st.tuples(coord, coord)


@st.composite
def street_grids(draw: st.DrawFn) -> list[list[tuple[float, float]]]:
    """A 4×4 lattice of jittered junctions with some streets missing."""
    offset = st.tuples(st.integers(-20, 20), st.integers(-20, 20))
    jitter = draw(st.lists(offset, min_size=16, max_size=16))
    nodes = {
        (i, j): (i * 100.0 + jitter[i * 4 + j][0], j * 100.0 + jitter[i * 4 + j][1])
        for i in range(4)
        for j in range(4)
    }
    keep = draw(st.lists(st.booleans(), min_size=24, max_size=24))
    lines, k = [], 0
    for i in range(4):
        for j in range(4):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < 4 and j + dj < 4:
                    if keep[k] or k % 5 == 0:
                        lines.append([nodes[(i, j)], nodes[(i + di, j + dj)]])
                    k += 1
    return lines


@settings(max_examples=60, deadline=None)
@given(street_grids(), point, st.lists(point, min_size=1, max_size=4))
def test_one_search_per_type_equals_one_search_per_origin(
    lines: list[list[tuple[float, float]]],
    origin: tuple[float, float],
    targets: list[tuple[float, float]],
) -> None:
    net = network_from_lines(_lines(*lines)).largest_component()
    index = EdgeIndex(net)
    o = index.snap(np.array([origin[0]]), np.array([origin[1]]))
    t = np.array(targets)
    ours = walk_distance(index, o, entries_for_points(index, t[:, 0], t[:, 1]))[0]
    expected = _reference(lines, origin, targets)
    assert ours == pytest.approx(expected, abs=1e-6)
    straight = np.hypot(t[:, 0] - origin[0], t[:, 1] - origin[1]).min()
    assert ours >= straight - 1e-6  # walking is never shorter than the crow flies


@settings(max_examples=40, deadline=None)
@given(street_grids(), st.lists(point, min_size=1, max_size=20), point)
def test_walking_to_an_area_is_never_shorter_than_straight(
    lines: list[list[tuple[float, float]]],
    origins: list[tuple[float, float]],
    corner: tuple[float, float],
) -> None:
    net = network_from_lines(_lines(*lines)).largest_component()
    park = shapely.box(corner[0], corner[1], corner[0] + 40, corner[1] + 25)
    o = np.array(origins)
    cells = gpd.GeoDataFrame(geometry=[park], crs=RD)
    values = proximity(
        Origins(o[:, 0], o[:, 1], np.arange(len(o)), len(o)),
        [Destinations("distance_green_m", cells)],
        net,
    )
    straight, walking = values["distance_green_m"], values["distance_green_walk_m"]
    assert np.all(walking >= straight - 1e-6)
    assert np.all((walking == 0) == (straight == 0))


def test_addresses_give_the_mean_walk_of_a_cell() -> None:
    from gezondewijk.areas import build_cells, make_grid

    square = [shapely.box(0, 0, 400, 400)]
    buurt = gpd.GeoDataFrame({"buurtcode": ["BU00000001"]}, geometry=square, crs=RD)
    cells = build_cells(buurt, make_grid("square", size=200.0))
    homes = np.array([[10.0, 10.0], [30.0, 10.0], [350.0, 350.0]])
    origins = Origins.addresses(cells, homes)
    first = int(np.flatnonzero((cells.x < 200) & (cells.y < 200))[0])
    values = np.array([100.0, 300.0, 50.0] + [np.nan] * (len(origins.x) - 3))
    per_cell = origins.per_cell(values)
    assert per_cell[first] == pytest.approx(200.0)  # the two homes in the south-west cell
    assert len(origins.x) == 3 + 2  # two cells without homes are measured from their centre


def test_network_input_errors_name_the_file_and_field(tmp_path) -> None:
    from gezondewijk.network.load import read_walk_network

    with pytest.raises(InputDataError, match=r"wegen\.gpkg.*niet gevonden"):
        read_walk_network(tmp_path / "wegen.gpkg")
    roads = gpd.GeoDataFrame(
        {"type": ["straat"]}, geometry=[shapely.LineString([(0, 0), (100, 0)])], crs=RD
    )
    roads.to_file(tmp_path / "wegen.gpkg", driver="GPKG")
    with pytest.raises(InputDataError, match=r"veld/field 'soort'.*kies een van: type"):
        read_walk_network(tmp_path / "wegen.gpkg", exclude={"soort": ["snelweg"]})
    # the default motorway filter on a layer without 'highway' is not an error
    assert read_walk_network(tmp_path / "wegen.gpkg").n_edges == 1
    far = shapely.box(150_000, 400_000, 150_100, 400_100)
    with pytest.raises(InputDataError, match="geen looppaden in het gebied"):
        read_walk_network(tmp_path / "wegen.gpkg", clip=far, buffer_m=10)

"""Toy cases for the grids: one hexagon, locating points, stable ids."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gezondewijk import GridError
from gezondewijk.areas import HexGrid, SquareGrid, build_cells, make_grid
from gezondewijk.areas.grids import pack, unpack


def test_hexagon_area_and_edge() -> None:
    grid = HexGrid(100)
    poly = grid.polygons(pack(np.array([0]), np.array([0])))[0]
    assert poly.area == pytest.approx(1.5 * math.sqrt(3) * 100**2)  # 25 980.76 m²
    assert poly.area == pytest.approx(grid.cell_area)
    coords = np.array(poly.exterior.coords)
    edges = np.hypot(*np.diff(coords, axis=0).T)
    assert np.allclose(edges, 100.0)
    assert HexGrid.edge_for_area(10_000) == pytest.approx(62.04, abs=0.01)


def test_locate_returns_the_containing_hexagon() -> None:
    grid = HexGrid(100)
    rng = np.random.default_rng(1)
    pts = rng.uniform([150_000, 440_000], [152_000, 442_000], size=(2000, 2))
    keys = grid.locate(pts[:, 0], pts[:, 1])
    polys = grid.polygons(keys)
    assert shapely.contains_xy(polys, pts[:, 0], pts[:, 1]).all()


def test_keys_are_stable_and_anchored_on_rd_origin() -> None:
    grid = HexGrid(100)
    key = grid.locate(np.array([0.0]), np.array([0.0]))
    assert unpack(key)[0][0] == 0 and unpack(key)[1][0] == 0
    assert grid.labels(key)[0] == "H100_0_0"
    x, y = grid.centres(pack(np.array([2]), np.array([-1])))
    assert x[0] == pytest.approx(300.0)
    assert y[0] == pytest.approx(0.0)


def test_one_hexagon_buurt_gives_one_cell() -> None:
    grid = HexGrid(100)
    key = pack(np.array([40]), np.array([3_000]))
    hexagon = grid.polygons(key)[0]
    buurten = gpd.GeoDataFrame({"buurtcode": ["BU00010001"]}, geometry=[hexagon], crs="EPSG:28992")
    cells = build_cells(buurten, grid)
    assert len(cells) == 1
    assert cells.keys[0] == key[0]
    assert cells.pieces["area"].sum() == pytest.approx(grid.cell_area)


def test_square_grid_matches_rivm_km_grid() -> None:
    grid = SquareGrid(1000)
    key = grid.locate(np.array([155_400.0]), np.array([463_900.0]))
    poly = grid.polygons(key)[0]
    assert poly.bounds == (155_000.0, 463_000.0, 156_000.0, 464_000.0)


def test_h3_grid_cells_cover_a_buurt() -> None:
    grid = make_grid("h3", resolution=9)
    buurt = shapely.box(155_000, 463_000, 156_000, 464_000)
    buurten = gpd.GeoDataFrame({"buurtcode": ["BU00010001"]}, geometry=[buurt], crs="EPSG:28992")
    cells = build_cells(buurten, grid)
    assert len(cells) > 5
    assert cells.pieces["area"].sum() == pytest.approx(1e6, rel=1e-6)
    assert all(label.startswith("89") for label in cells.ids())


def test_bad_grid_parameters_are_refused() -> None:
    with pytest.raises(GridError, match="edge"):
        HexGrid(0)
    with pytest.raises(GridError, match="unknown grid kind"):
        make_grid("triangle")

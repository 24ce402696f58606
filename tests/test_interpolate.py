"""Hand-computable areal interpolation: two squares on a 100 m square grid."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gezondewijk.areas import SquareGrid, build_cells
from gezondewijk.indicators import areal_interpolate, cells_to_buurten

# buurt A = [0,150]x[0,100], buurt B = [150,300]x[0,100]; cells of 100 m:
# cell 0 = [0,100] all A; cell 1 = [100,200] half A, half B; cell 2 = [200,300] all B.
X0, Y0 = 100_000.0, 400_000.0


@pytest.fixture
def two_squares() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "buurtcode": ["BU00010000", "BU00010001"],
            "population": [300.0, 600.0],
            "share": [10.0, 20.0],
        },
        geometry=[
            shapely.box(X0, Y0, X0 + 150, Y0 + 100),
            shapely.box(X0 + 150, Y0, X0 + 300, Y0 + 100),
        ],
        crs="EPSG:28992",
    )


def _by_x(cells, values: pd.DataFrame) -> pd.DataFrame:
    return values.assign(x=cells.x).sort_values("x").reset_index(drop=True)


def test_area_weighted(two_squares: gpd.GeoDataFrame) -> None:
    cells = build_cells(two_squares, SquareGrid(100))
    assert len(cells) == 3
    out = _by_x(
        cells, areal_interpolate(cells, two_squares, extensive=["population"], intensive=["share"])
    )
    # 300 * 100/150 = 200; 300 * 50/150 + 600 * 50/150 = 300; 600 * 100/150 = 400
    assert out["population"].tolist() == pytest.approx([200.0, 300.0, 400.0])
    # (10 * 5000 + 20 * 5000) / 10000 = 15
    assert out["share"].tolist() == pytest.approx([10.0, 15.0, 20.0])


def test_population_weighted(two_squares: gpd.GeoDataFrame) -> None:
    # one address in cell 0, three in the A half of cell 1, two in cell 2
    addresses = np.array(
        [
            [X0 + 50, Y0 + 50],
            [X0 + 110, Y0 + 20],
            [X0 + 120, Y0 + 50],
            [X0 + 130, Y0 + 80],
            [X0 + 250, Y0 + 50],
            [X0 + 260, Y0 + 60],
        ]
    )
    cells = build_cells(two_squares, SquareGrid(100), address_points=addresses)
    assert cells.addresses is not None
    assert sorted(cells.addresses.tolist()) == [1, 2, 3]
    out = _by_x(
        cells,
        areal_interpolate(
            cells,
            two_squares,
            extensive=["population"],
            intensive=["share"],
            weighting="population",
        ),
    )
    # A: 4 addresses → 300 * 1/4 = 75 and 300 * 3/4 = 225; B: 2 addresses, all in cell 2
    assert out["population"].tolist() == pytest.approx([75.0, 225.0, 600.0])
    assert out["share"].tolist() == pytest.approx([10.0, 10.0, 20.0])


def test_cells_without_addresses_are_dropped(two_squares: gpd.GeoDataFrame) -> None:
    addresses = np.array([[X0 + 50, Y0 + 50], [X0 + 250, Y0 + 50]])
    cells = build_cells(two_squares, SquareGrid(100), address_points=addresses)
    assert len(cells) == 2
    out = areal_interpolate(cells, two_squares, extensive=["population"], weighting="population")
    assert out["population"].sum() == pytest.approx(900.0)


def test_missing_values_are_not_zero(two_squares: gpd.GeoDataFrame) -> None:
    two_squares.loc[1, "share"] = np.nan
    cells = build_cells(two_squares, SquareGrid(100))
    out = _by_x(cells, areal_interpolate(cells, two_squares, intensive=["share"]))
    assert out["share"].iloc[0] == pytest.approx(10.0)
    assert out["share"].iloc[1] == pytest.approx(10.0)  # only the known half counts
    assert np.isnan(out["share"].iloc[2])


def test_cells_to_buurten_weighted_mean(two_squares: gpd.GeoDataFrame) -> None:
    cells = build_cells(two_squares, SquareGrid(100))
    order = np.argsort(cells.x)
    values = np.empty(3)
    values[order] = [1.0, 4.0, 10.0]
    out = cells_to_buurten(cells, pd.DataFrame({"no2": values}), 2)
    # A = (1 * 10000 + 4 * 5000) / 15000 = 2; B = (4 * 5000 + 10 * 10000) / 15000 = 8
    assert out["no2"].tolist() == pytest.approx([2.0, 8.0])

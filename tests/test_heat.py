"""Heat stress inputs: own per-buurt tables, tables of an older buurt division, street segments."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gezondewijk import InputDataError
from gezondewijk.areas.crosswalk import carry_over
from gezondewijk.areas.grids import SquareGrid
from gezondewijk.crs import RD_NEW
from gezondewijk.indicators.segments import length_weighted, segment_values
from gezondewijk.settings import RunConfig
from gezondewijk.sources.own_table import read_own_table


def _square(x0: float, y0: float, w: float, h: float) -> shapely.Polygon:
    return shapely.box(x0, y0, x0 + w, y0 + h)


def test_own_table_maps_columns_to_variables(tmp_path: Path) -> None:
    path = tmp_path / "pet.csv"
    path.write_text(
        "Buurtcode,CBS_Buurtcode,PET_mean_lw\nAA01,BU0363AA01,35.2\nAA02,BU0363AA02,32.9\n"
    )
    table = read_own_table(path, {"heat_pet": "PET_mean_lw"}, code_field="CBS_Buurtcode")
    assert table.loc["BU0363AA01", "heat_pet"] == 35.2 and list(table.columns) == ["heat_pet"]
    with pytest.raises(InputDataError, match="PET_mean") as err:
        read_own_table(path, {"heat_pet": "PET_mean"}, code_field="CBS_Buurtcode")
    assert "PET_mean_lw" in str(err.value)  # the message lists the columns to choose from
    with pytest.raises(InputDataError, match="hitte"):
        read_own_table(path, {"hitte": "PET_mean_lw"}, code_field="CBS_Buurtcode")
    path.write_text("CBS_Buurtcode,PET\nBU0363AA01,heet\n")
    with pytest.raises(InputDataError, match=r"row 1|rij 1"):
        read_own_table(path, {"heat_pet": "PET"}, code_field="CBS_Buurtcode")


def test_own_table_needs_its_columns_in_the_config() -> None:
    base = {"name": "x", "buurten": {"path": "b.geojson"}}
    with pytest.raises(ValueError, match="columns"):
        RunConfig.model_validate({**base, "tables": [{"kind": "eigen", "path": "t.csv"}]})
    with pytest.raises(ValueError, match="eigen"):
        RunConfig.model_validate(
            {**base, "tables": [{"kind": "kwb", "path": "t.csv", "columns": {"a": "b"}}]}
        )


def test_carry_over_by_area_by_hand() -> None:
    # two old buurten side by side (100 × 100 m each); the new division cuts them 25 / 75 / 100
    old = gpd.GeoDataFrame(
        {"buurtcode": ["BU00010001", "BU00010002"]},
        geometry=[_square(0, 0, 100, 100), _square(100, 0, 100, 100)],
        crs=RD_NEW,
    )
    new = gpd.GeoDataFrame(
        {"buurtcode": ["BU0001AA01", "BU0001AA02", "BU0001AA03"]},
        geometry=[_square(0, 0, 25, 100), _square(25, 0, 150, 100), _square(175, 0, 25, 200)],
        crs=RD_NEW,
    )
    table = pd.DataFrame(
        {
            "ses_woa": [0.4, -0.2],
            "population": [1000.0, 2000.0],
            "good_health_pct_ondergrens": [1.0, 2.0],
        },
        index=pd.Index(["BU00010001", "BU00010002"]),
    )
    out = carry_over(table, old, new)
    t = out.table
    # intensive: area-weighted mean of the parts (75 m² of the first, 75 of the second)
    assert t.loc["BU0001AA01", "ses_woa"] == pytest.approx(0.4)
    assert t.loc["BU0001AA02", "ses_woa"] == pytest.approx((75 * 0.4 + 75 * -0.2) / 150)
    # extensive: each old count shared by area (1000 × 0.75 + 2000 × 0.75)
    assert t.loc["BU0001AA02", "population"] == pytest.approx(750 + 1500)
    assert t["population"].sum() == pytest.approx(3000)
    # margins do not carry over; coverage: the third buurt lies half outside the old division
    assert "good_health_pct_ondergrens" not in t
    assert out.coverage.loc["BU0001AA03"] == pytest.approx(0.5)


def test_segments_length_weighted_per_cell_by_hand() -> None:
    grid = SquareGrid(100.0)
    every = grid.keys_in_bounds((0.0, 0.0, 199.0, 99.0))
    cx, cy = grid.centres(every)
    keys = every[np.isin(cx, [50.0, 150.0]) & (cy == 50.0)]  # the cells (0-100) and (100-200)
    lines = gpd.GeoDataFrame(
        {"PET": ["30", "40", "99", "33"]},
        geometry=[
            shapely.LineString([(10, 50), (70, 50)]),  # 60 m at 30 °C in the first cell
            shapely.LineString([(10, 20), (30, 20)]),  # 20 m at 40 °C in the first cell
            shapely.LineString([(10, 20), (30, 20)]),  # the same piece again (border file)
            shapely.LineString([(150, 10), (150, 90)]),  # 80 m at 33 °C in the second cell
        ],
        crs=RD_NEW,
    )
    pieces = segment_values(lines, "PET", path="straten.geojson")
    assert len(pieces) == 3  # the duplicate geometry is kept once (the first)
    values = length_weighted(grid, keys, pieces)
    x, _ = grid.centres(keys)
    first, second = values[np.argmin(x)], values[np.argmax(x)]
    assert len(keys) == 2
    assert first == pytest.approx((60 * 30 + 20 * 40) / 80)
    assert second == pytest.approx(33.0)
    with pytest.raises(InputDataError, match="value_field"):
        segment_values(lines, "temperatuur", path="straten.geojson")

"""Property-based invariants (Hypothesis): tiling, conservation of totals, score bounds."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gezondewijk.areas import HexGrid, SquareGrid, build_cells
from gezondewijk.indicators import areal_interpolate
from gezondewijk.scoring import load_preset, reference_values, score_stack


def _random_buurten(seed: int, n: int, size: float) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x0, y0 = 120_000.0, 450_000.0
    pts = shapely.MultiPoint(rng.uniform([x0, y0], [x0 + size, y0 + size], size=(n, 2)))
    frame = shapely.box(x0, y0, x0 + size, y0 + size)
    polys = [
        p.intersection(frame)
        for p in shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame))
    ]
    polys = [p for p in polys if p.area > 0]
    return gpd.GeoDataFrame(
        {
            "population": rng.integers(0, 5000, len(polys)).astype(float),
            "share": rng.uniform(0, 100, len(polys)),
        },
        geometry=polys,
        crs="EPSG:28992",
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 12),
    edge=st.floats(40, 400),
    size=st.floats(500, 3000),
)
def test_cells_tile_buurten_exactly(seed: int, n: int, edge: float, size: float) -> None:
    buurten = _random_buurten(seed, n, size)
    cells = build_cells(buurten, HexGrid(edge))
    # pieces of one buurt add up to the buurt: no gaps, no overlaps
    per_buurt = np.bincount(
        cells.pieces["buurt"], weights=cells.pieces["area"], minlength=len(buurten)
    )
    assert np.allclose(per_buurt, buurten.area.to_numpy(), rtol=1e-7)
    # no cell holds more than its own area
    assert (cells.covered_area <= HexGrid(edge).cell_area * (1 + 1e-6)).all()
    # cell keys are unique
    assert len(np.unique(cells.keys)) == len(cells)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 10), size=st.sampled_from([100.0, 250.0]))
def test_extensive_totals_are_preserved(seed: int, n: int, size: float) -> None:
    buurten = _random_buurten(seed, n, 1500)
    cells = build_cells(buurten, SquareGrid(size))
    out = areal_interpolate(cells, buurten, extensive=["population"], intensive=["share"])
    assert np.isclose(out["population"].sum(), buurten["population"].sum())
    lo, hi = buurten["share"].min(), buurten["share"].max()
    assert out["share"].between(lo - 1e-9, hi + 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 10),
    size=st.sampled_from([100.0, 250.0]),
    n_addresses=st.integers(0, 40),
    weighting=st.sampled_from(["population", "area"]),
)
def test_totals_are_preserved_with_an_address_layer(
    seed: int, n: int, size: float, n_addresses: int, weighting: str
) -> None:
    buurten = _random_buurten(seed, n, 1500)
    # addresses only in the lower-left part: some buurten get none at all
    rng = np.random.default_rng(seed + 1)
    points = rng.uniform([120_000.0, 450_000.0], [120_700.0, 450_700.0], size=(n_addresses, 2))
    cells = build_cells(buurten, SquareGrid(size), address_points=points)
    out = areal_interpolate(
        cells,
        buurten,
        extensive=["population"],
        weighting=weighting,  # type: ignore[arg-type]
    )
    assert np.isclose(out["population"].sum(), buurten["population"].sum())
    # every buurt keeps at least one cell; those lying in no addressed cell are named
    assert set(cells.pieces["buurt"]) == set(range(len(buurten)))
    assert cells.addresses is not None
    in_addressed = cells.addresses[cells.pieces["cell"].to_numpy()] > 0
    reached = np.bincount(cells.pieces["buurt"], weights=in_addressed, minlength=len(buurten))
    assert set(cells.buurten_without_addresses) == set(np.flatnonzero(reached == 0))
    if len(cells.buurten_without_addresses):
        assert any("zonder adressen" in note for note in cells.notes)


@settings(max_examples=50, deadline=None)
@given(data=st.data(), rows=st.integers(1, 30))
def test_scores_stay_within_zero_and_n(data: st.DataObject, rows: int) -> None:
    preset = load_preset("eindhoven-8")
    values = {}
    for var in preset.variables:
        values[var] = data.draw(
            st.lists(
                st.one_of(st.none(), st.floats(-1e4, 1e4, allow_nan=False)),
                min_size=rows,
                max_size=rows,
            )
        )
    frame = pd.DataFrame(values, dtype="float64")
    frame["population"] = 1.0
    out = score_stack(frame, preset, reference_values(frame, preset))
    n = len(preset.indicators)
    assert out["score"].between(0, n).all()
    assert (out["score"] <= out["n_beschikbaar"]).all()
    assert (out["n_beschikbaar"] <= n).all()

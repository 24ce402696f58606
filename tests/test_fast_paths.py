"""The fast paths of a national run give the same answers as the plain Shapely/GeoPandas way.

Cell laying settles most lattice centres on a raster (``areas._lattice``); the outputs are
written from Arrow tables (``outputs.columnar``) with hand-encoded WKB, batched CSV and the
GeoPackage's cells in a worker process. Each is checked here against the straightforward
computation, on shapes chosen to break it (slivers narrower than a pixel, holes, hostile text).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gezondewijk import ConfigError, OutputError
from gezondewijk.areas import HexGrid, SquareGrid, build_cells
from gezondewijk.areas._lattice import classify_centres
from gezondewijk.cli import main
from gezondewijk.outputs import export, parse_formats, write_all
from gezondewijk.outputs.columnar import polygon_wkb
from gezondewijk.outputs.htmlmap import _features
from gezondewijk.outputs.picture import score_image
from gezondewijk.run.result import MapResult

X0, Y0 = 120_000.0, 450_000.0


def _buurten_with_slivers(seed: int, n: int) -> gpd.GeoDataFrame:
    """Voronoi buurten with a 3 m wide strip and a buurt with a hole carved out of them."""
    rng = np.random.default_rng(seed)
    size = 2_000.0
    frame = shapely.box(X0, Y0, X0 + size, Y0 + size)
    pts = shapely.MultiPoint(rng.uniform([X0, Y0], [X0 + size, Y0 + size], size=(n, 2)))
    polys = [p.intersection(frame) for p in shapely.get_parts(shapely.voronoi_polygons(pts))]
    sx = X0 + float(rng.uniform(200, 1_800))
    strip = shapely.box(sx, Y0, sx + 3.0, Y0 + size)  # narrower than any raster pixel
    ring = shapely.box(X0 + 500, Y0 + 500, X0 + 900, Y0 + 900).difference(
        shapely.box(X0 + 600, Y0 + 600, X0 + 800, Y0 + 800)
    )
    carved = [p.difference(strip).difference(ring) for p in polys]
    geoms = [g for g in [*carved, strip, ring] if g.area > 0]
    return gpd.GeoDataFrame(
        {"buurtcode": [f"BU{i:08d}" for i in range(len(geoms))]}, geometry=geoms, crs="EPSG:28992"
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12), edge=st.floats(30, 300))
def test_raster_classification_never_misplaces_a_centre(seed: int, n: int, edge: float) -> None:
    buurten = _buurten_with_slivers(seed, n)
    geoms = buurten.geometry.to_numpy()
    grid = HexGrid(edge)
    keys = grid.keys_in_bounds(tuple(shapely.total_bounds(geoms)))
    x, y = grid.centres(keys)
    buurt, near = classify_centres(geoms, x, y, grid.radius)
    points = shapely.points(x, y)
    distance = shapely.distance(points[:, None], shapely.boundary(geoms)[None, :]).min(axis=1)
    # every centre within the radius of a boundary is flagged for exact clipping ...
    assert near[distance <= grid.radius].all()
    # ... and every centre the raster settles lies in the buurt it names
    settled = np.flatnonzero(buurt >= 0)
    assert shapely.contains(geoms[buurt[settled]], points[settled]).all()
    assert not near[settled].any()
    # a centre left out is outside every buurt
    out = np.flatnonzero((buurt < 0) & ~near)
    inside_any = shapely.contains(geoms[None, :], points[out][:, None]).any(axis=1)
    assert not inside_any.any()


@pytest.mark.parametrize("grid", [HexGrid(100.0), SquareGrid(100.0)], ids=["hex", "square"])
def test_cell_pieces_equal_a_shapely_overlay(grid: HexGrid | SquareGrid) -> None:
    buurten = _buurten_with_slivers(7, 9)
    cells = build_cells(buurten, grid)
    polys = grid.polygons(cells.keys)
    ref = gpd.overlay(
        gpd.GeoDataFrame({"cell": np.arange(len(polys))}, geometry=polys, crs="EPSG:28992"),
        buurten.assign(buurt=np.arange(len(buurten))),
        keep_geom_type=True,
    )
    ref = ref[ref.area > 1e-6]
    expected = ref.assign(area=ref.area).groupby(["cell", "buurt"])["area"].sum()
    got = cells.pieces.groupby(["cell", "buurt"])["area"].sum()
    assert got.index.equals(expected.sort_index().index)
    assert np.allclose(got.to_numpy(), expected.sort_index().to_numpy(), rtol=1e-8, atol=1e-4)
    # the 3 m strip crosses cells but holds no cell centre: it still gets its area
    strip = len(buurten) - 2
    assert got.xs(strip, level="buurt").sum() == pytest.approx(buurten.area.iloc[strip])


@pytest.mark.parametrize("grid", [HexGrid(62.04), SquareGrid(250.0)], ids=["hex", "square"])
def test_hand_encoded_wkb_is_byte_identical_to_shapely(grid: HexGrid | SquareGrid) -> None:
    rng = np.random.default_rng(3)
    keys = grid.locate(rng.uniform(0, 280_000, 500), rng.uniform(300_000, 620_000, 500))
    rings = grid.rings(keys)
    assert rings is not None
    ours = polygon_wkb(rings).to_numpy(zero_copy_only=False)
    assert list(ours) == list(shapely.to_wkb(grid.polygons(keys)))


def test_score_image_takes_the_score_of_the_cell_under_each_pixel(demo_result: MapResult) -> None:
    image, (left, right, _bottom, top) = score_image(demo_result, pixels=300)
    rows, cols = image.shape
    size = (right - left) / cols
    rng = np.random.default_rng(0)
    r, c = rng.integers(0, rows, 400), rng.integers(0, cols, 400)
    x, y = left + (c + 0.5) * size, top - (r + 0.5) * size
    polys = demo_result.cells.grid.polygons(demo_result.cells.keys)
    tree = shapely.STRtree(polys)
    scores = demo_result.cell_values["score"].to_numpy()
    empty = np.ma.getmaskarray(image)
    for xi, yi, ri, ci in zip(x, y, r, c, strict=True):
        hit = tree.query(shapely.Point(xi, yi), predicate="intersects")
        if len(hit) == 0:
            assert empty[ri, ci]
        else:
            assert image[ri, ci] in set(scores[hit])
    assert (~empty).sum() > 0.2 * image.size


def test_map_properties_round_like_python_and_keep_nulls() -> None:
    frame = gpd.GeoDataFrame(
        {
            "code": ["A", "B"],
            "value": [50.7025, np.nan],
            "on": pd.array([1, None], dtype="Int64"),
            "status": pd.Categorical(["gebruikt", None]),
        },
        geometry=[shapely.box(150_000, 450_000, 150_100, 450_100)] * 2,
        crs="EPSG:28992",
    )
    feats = _features(frame, ["value", "on", "status"], "code", None)["features"]
    assert isinstance(feats, list)
    first, second = feats[0]["properties"], feats[1]["properties"]
    assert first == {"id": "A", "value": round(50.7025, 3), "on": 1, "status": "gebruikt"}
    assert second == {"id": "B", "value": None, "on": None, "status": None}
    ring = feats[0]["geometry"]["coordinates"][0]
    assert all(len(repr(v).split(".")[1]) <= 6 for xy in ring for v in xy)


def test_formats_are_checked_and_only_those_asked_are_written(
    demo_result: MapResult, tmp_path: Path
) -> None:
    assert parse_formats("CSV, png") == ("csv", "png")
    assert parse_formats("all") == parse_formats(None)
    with pytest.raises(ConfigError, match=r"onbekend uitvoerformaat shp.*gpkg"):
        parse_formats("gpkg,shp")
    written = write_all(demo_result, tmp_path, formats=["parquet"])
    assert set(written) == {"geoparquet", "csv"}
    names = {p.name for p in tmp_path.iterdir()}
    assert {"buurten.parquet", "cellen.parquet", "drempels.csv", "over.csv"} <= names
    assert not names & {"gezondewijk.gpkg", "cellen.csv", "kaart.png", "kaart.html"}
    meta = json.loads(pq.read_schema(tmp_path / "cellen.parquet").metadata[b"geo"])
    assert meta["columns"]["geometry"]["geometry_types"] == ["Polygon"]
    cells = gpd.read_parquet(tmp_path / "cellen.parquet")
    assert cells.crs.to_epsg() == 28992 and len(cells) == len(demo_result.cells)
    assert cells["eenzaamheid_aan"].dtype == "Int64"  # nullable integers survive


def test_cli_formats_option(demo_config: Path, tmp_path: Path) -> None:
    assert (
        main(["run", str(demo_config), "--out", str(tmp_path), "--formats", "png", "--quiet"]) == 0
    )
    assert (tmp_path / "kaart.png").is_file() and not (tmp_path / "cellen.csv").exists()
    assert main(["run", str(demo_config), "--out", str(tmp_path / "x"), "--formats", "xls"]) != 0


def test_geopackage_from_the_worker_process_equals_the_in_process_one(
    demo_result: MapResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_all(demo_result, tmp_path / "a", formats=["gpkg"])
    monkeypatch.setattr(export, "GPKG_IN_WORKER_CELLS", 0)
    write_all(demo_result, tmp_path / "b", formats=["gpkg"])
    assert not list((tmp_path / "b").glob(".*.arrow"))  # the hand-over file is gone
    for layer in ("cellen", "buurten", "drempels", "over"):
        a = pyogrio.read_dataframe(tmp_path / "a" / "gezondewijk.gpkg", layer=layer)
        b = pyogrio.read_dataframe(tmp_path / "b" / "gezondewijk.gpkg", layer=layer)
        pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))


def test_a_failing_worker_is_reported_with_the_file(
    demo_result: MapResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "GPKG_IN_WORKER_CELLS", 0)
    (tmp_path / "gezondewijk.gpkg").mkdir()  # a folder where the file must go
    with pytest.raises(OutputError, match=r"gezondewijk\.gpkg kon niet worden geschreven"):
        write_all(demo_result, tmp_path, formats=["gpkg", "csv"])
    assert not list(tmp_path.glob(".*.arrow"))


def test_hostile_names_are_neutralised_in_the_csv(demo_result: MapResult, tmp_path: Path) -> None:
    hostile = demo_result.buurten.copy()
    hostile["buurtnaam"] = '=HYPERLINK("http://x")'
    hostile["buurtcode"] = "+" + hostile["buurtcode"].astype(str)
    result = MapResult(**{**demo_result.__dict__, "buurten": hostile})
    write_all(result, tmp_path, formats=["csv"])
    buurten = pd.read_csv(tmp_path / "buurten.csv", dtype=str)
    cells = pd.read_csv(tmp_path / "cellen.csv", dtype=str, keep_default_na=False)
    assert buurten["buurtnaam"].str.startswith("'=").all()
    assert cells["buurtcode"].str.startswith("'+").all()
    for column in cells.columns:  # numbers may be negative; text may not start a formula
        text = cells[column][pd.to_numeric(cells[column], errors="coerce").isna()]
        assert not text.str[:1].isin(["=", "+", "-", "@"]).any(), column


def test_a_large_run_leaves_out_the_geopackage_and_the_cells_csv_unless_asked(
    demo_result: MapResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from gezondewijk.outputs import export

    monkeypatch.setattr(export, "LARGE_RUN_CELLS", len(demo_result.cells) - 1)
    said = io.StringIO()
    written = write_all(demo_result, tmp_path / "auto", html=False, stream=said)
    names = {p.name for paths in written.values() for p in paths}
    assert "gezondewijk.gpkg" not in names and "cellen.csv" not in names
    assert {"buurten.csv", "cellen.parquet", "buurten.parquet", "kaart.png"} <= names
    assert "--formats gpkg" in said.getvalue()
    # asked for by name, they are written whatever the size
    asked = write_all(demo_result, tmp_path / "asked", formats=["gpkg", "csv"])
    names = {p.name for paths in asked.values() for p in paths}
    assert {"gezondewijk.gpkg", "cellen.csv", "buurten.csv"} <= names
    # at or below the limit every format is written, as before
    monkeypatch.setattr(export, "LARGE_RUN_CELLS", len(demo_result.cells))
    small = write_all(demo_result, tmp_path / "small", html=False)
    assert "geopackage" in small and any(p.name == "cellen.csv" for p in small["csv"])

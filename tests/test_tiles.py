"""Vector tiles: our encoder against the maintained decoder, tiles of a run, the endpoint."""

from __future__ import annotations

import gzip
import itertools
import math
from pathlib import Path

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient

from gezondewijk.outputs import write_all
from gezondewijk.outputs.cellstore import CellStore
from gezondewijk.reports import load_map_data
from gezondewijk.reports.mvt import encode_layer, varints
from gezondewijk.reports.tiles import (
    CELL_MIN_ZOOM,
    WORLD,
    TileSource,
    quantile_breaks,
    tile_bounds,
)
from gezondewijk.run import MapResult
from gezondewijk.web import WebSettings, create_app


def _decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def test_varints_follow_protobuf() -> None:
    # the protobuf documentation's example: 300 is 0xAC 0x02; 1 is 0x01; 2^28 takes 5 bytes
    out, lengths = varints(np.array([1, 300, 2**28, 127, 128]))
    assert lengths.tolist() == [1, 2, 5, 1, 2]
    assert out.tobytes() == b"\x01\xac\x02\x80\x80\x80\x80\x01\x7f\x80\x01"


def test_encoder_round_trips_through_the_reference_decoder() -> None:
    square = shapely.box(10, 10, 100, 100)
    holed = shapely.box(200, 200, 400, 400).difference(shapely.box(250, 250, 300, 300))
    multi = shapely.MultiPolygon([shapely.box(500, 500, 600, 600), shapely.box(700, 700, 800, 800)])
    tiny = shapely.box(900, 900, 900.4, 900.4)  # collapses on the integer grid
    clockwise = shapely.Polygon([(1000, 1000), (1000, 1100), (1100, 1100), (1100, 1000)])
    geoms = np.array([square, holed, multi, tiny, clockwise], dtype=object)
    props = pd.DataFrame(
        {
            "naam": ["Molenwijk", "’t Zand", None, "weg", "Ærø"],
            "score": [3, 0, 8, 1, 2],
            "waarde": [1.25, np.nan, -3.5, 0.0, 12345.5],
            "verschil": [-2, 5, -7, 0, 1],
        }
    )
    tile = _decode(encode_layer("cellen", geoms, props))
    features = tile["cellen"]["features"]
    assert len(features) == 4  # the collapsed one is left out
    assert tile["cellen"]["extent"] == 4096
    got = [shapely.geometry.shape(f["geometry"]) for f in features]
    for g, expected in zip(got, [square, holed, multi, clockwise], strict=True):
        assert g.symmetric_difference(expected).area == 0
    assert got[1].interiors[0].coords[0] in set(shapely.box(250, 250, 300, 300).exterior.coords)
    assert features[0]["properties"] == {
        "naam": "Molenwijk",
        "score": 3,
        "waarde": 1.25,
        "verschil": -2,
    }
    assert features[1]["properties"] == {"naam": "’t Zand", "score": 0, "verschil": 5}
    assert features[2]["properties"] == {"score": 8, "waarde": -3.5, "verschil": -7}
    assert features[3]["properties"]["naam"] == "Ærø"
    assert features[3]["properties"]["waarde"] == pytest.approx(12345.5)


def test_empty_layer_and_tile_grid() -> None:
    empty = _decode(encode_layer("buurten", np.array([], dtype=object), pd.DataFrame()))
    assert empty["buurten"]["features"] == []
    assert tile_bounds(0, 0, 0) == pytest.approx((-WORLD, -WORLD, WORLD, WORLD))
    west, south, east, north = tile_bounds(1, 1, 0)  # north-east quarter
    assert (west, south, east, north) == pytest.approx((0, 0, WORLD, WORLD))
    assert quantile_breaks(np.array([np.nan, 5, 1, 2, 3, 4])) == [2.0, 3.0, 4.0, 5.0]
    assert quantile_breaks(np.array([np.nan])) == []


@pytest.fixture(scope="module")
def map_dir(demo_result: MapResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tegels")
    write_all(demo_result, folder, formats=["parquet"], html=False)
    return folder


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _tiles_of(lon: np.ndarray, lat: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    n = 2**z
    x = np.floor((lon + 180) / 360 * n).astype(int)
    y = np.floor((1 - np.arcsinh(np.tan(np.radians(lat))) / np.pi) / 2 * n).astype(int)
    return x, y


def test_cell_store_reads_a_box_an_id_list_and_a_buurt(map_dir: Path, tmp_path: Path) -> None:
    whole = gpd.read_parquet(map_dir / "cellen.parquet")
    # a copy in row groups of 50 cells, so that reading a box skips most of them
    small = tmp_path / "cellen.parquet"
    whole.to_parquet(small, row_group_size=50)
    store = CellStore(small)
    assert len(store) == len(whole)
    xmin, xmax = (float(whole["x"].quantile(q)) for q in (0.3, 0.6))
    ymin, ymax = (float(whole["y"].quantile(q)) for q in (0.3, 0.6))
    box = store.in_box((xmin, ymin, xmax, ymax), ["cel_id", "score"])
    expected = whole[whole["x"].between(xmin, xmax) & whole["y"].between(ymin, ymax)]
    assert sorted(box["cel_id"]) == sorted(expected["cel_id"]) and len(box) > 0
    assert store.count_in_box((xmin, ymin, xmax, ymax)) == len(expected)
    assert list(box.columns) == ["cel_id", "score", "geometry"]
    assert box.crs == whole.crs
    ids = [*whole["cel_id"].sample(7, random_state=1).tolist(), "H100_0_0"]
    picked = store.where("cel_id", ids)
    assert sorted(picked["cel_id"]) == sorted(ids[:-1])
    code = str(whole["buurtcode"].iloc[0])
    assert len(store.where("buurtcode", [code])) == int((whole["buurtcode"] == code).sum())
    assert store.where("buurtcode", ["BU_GEEN"]).empty


def test_tiles_hold_every_cell_once_a_tile_and_all_buurten(map_dir: Path) -> None:
    data = load_map_data(map_dir)
    assert isinstance(data.cells, CellStore)  # the cells stay on disk
    source = TileSource(data)
    cells = gpd.read_parquet(map_dir / "cellen.parquet").to_crs(4326)
    centre = cells.geometry.representative_point()
    z = CELL_MIN_ZOOM + 2
    tx, ty = _tiles_of(centre.x.to_numpy(), centre.y.to_numpy(), z)
    seen: set[str] = set()
    for x, y in set(zip(tx.tolist(), ty.tolist(), strict=True)):
        raw = gzip.decompress(source.tile("cellen", z, x, y))
        features = _decode(raw)["cellen"]["features"]
        ids = [f["properties"]["cel_id"] for f in features]
        assert len(ids) == len(set(ids))  # once a tile
        inside = cells["cel_id"][(tx == x) & (ty == y)]
        assert set(inside) <= set(ids)  # every cell whose centre is in the tile
        seen |= set(ids)
        for f in features[:3]:
            row = cells[cells["cel_id"] == f["properties"]["cel_id"]].iloc[0]
            assert f["properties"]["score"] == row["score"]
    assert seen == set(cells["cel_id"])
    # below the cells' zoom there are no cells; the buurten are there from far out
    assert source.tile("cellen", CELL_MIN_ZOOM - 1, int(tx[0]) // 8, int(ty[0]) // 8) == b""
    x, y = _tile_of(float(centre.x.mean()), float(centre.y.mean()), 8)
    buurten = _decode(gzip.decompress(source.tile("buurten", 8, x, y)))["buurten"]["features"]
    assert {f["properties"]["buurtcode"] for f in buurten} == set(data.buurten["buurtcode"])
    assert source.tile("buurten", 8, 0, 0) == b""  # far from the Netherlands


def test_big_runs_send_the_search_names_apart(
    map_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gezondewijk.web import routes_reports

    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/w.db", map_dir=map_dir))
    client = TestClient(app)
    buurten = load_map_data(map_dir).buurten
    inline = client.get("/kaart").text.split('<datalist id="buurtnamen"')[1].split("</datalist>")[0]
    assert inline.count("<option value=") == len(buurten)
    monkeypatch.setattr(routes_reports, "INLINE_NAMES", 1)
    page = client.get("/kaart").text
    later = page.split('<datalist id="buurtnamen"')[1].split("</datalist>")[0]
    assert 'data-later="ja"' in later and "<option" not in later
    names = client.get("/kaart/namen.json").json()
    assert sorted(code for _, code in names) == sorted(buurten["buurtcode"])
    assert [n for n, _ in names] == sorted(n for n, _ in names)


def test_tile_endpoint_compression_and_caching(map_dir: Path, tmp_path: Path) -> None:
    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/w.db", map_dir=map_dir))
    client = TestClient(app)
    lon, lat = load_map_data(map_dir).buurten.union_all().centroid.coords[0]
    x, y = _tile_of(lon, lat, 14)
    r = client.get(f"/kaart/tegels/cellen/14/{x}/{y}.pbf", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert r.headers["cache-control"] == "public, max-age=3600"
    assert _decode(r.content)["cellen"]["features"]  # httpx undid the gzip
    again = client.get(
        f"/kaart/tegels/cellen/14/{x}/{y}.pbf", headers={"If-None-Match": r.headers["etag"]}
    )
    assert again.status_code == 304 and not again.content
    plain = client.get(
        f"/kaart/tegels/cellen/14/{x}/{y}.pbf", headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers and plain.content == r.content
    assert client.get("/kaart/tegels/cellen/14/0/0.pbf").status_code == 204
    for bad in ("wegen/14/0/0", "cellen/15/0/0", "cellen/3/8/0", "cellen/-1/0/0", "cellen/a/0/0"):
        assert client.get(f"/kaart/tegels/{bad}.pbf").status_code in (404, 422), bad
    # map data is compressed; pages (CSRF tokens next to reflected input: BREACH) are not
    layers = client.get("/kaart/lagen.json", headers={"Accept-Encoding": "gzip"})
    assert layers.headers.get("content-encoding") == "gzip"
    assert set(layers.json()["breaks"]) == {"buurten", "cellen"}
    assert layers.headers["cache-control"] == "no-store"
    page = client.get("/kaart", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in page.headers
    login = client.get("/beheer?x=" + "a" * 2000, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in login.headers
    code = str(load_map_data(map_dir).buurten["buurtcode"].iloc[0])
    found = client.get(f"/kaart/zoek.json?q={code}").json()
    assert found["buurtcode"] == code and len(found["bounds"]) == 4
    assert client.get("/kaart/zoek.json?q=bestaat-niet").status_code == 404
    assert client.get("/favicon.ico").status_code == 204  # no 404 in every console


@pytest.mark.realdata
def test_eindhoven_tiles_hold_every_buurt_and_cell(tmp_path: Path) -> None:
    from tests.test_realdata import _run

    result = _run(
        "eindhoven.toml",
        ("cbs-buurt-2019-national", "eindhoven_buurten_2019_outline_with_kwb2025_rivm2020.geojson"),
        ("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv"),
        ("rivm-gcn-no2", "conc_no2_2021.asc"),
    )
    write_all(result, tmp_path, formats=["parquet"], html=False)
    data = load_map_data(tmp_path)
    source = TileSource(data)
    # real outlines (multipolygons, holes): every buurt is in the one zoom-9 tile of the city
    lon, lat = data.buurten.union_all().centroid.coords[0]
    x, y = _tile_of(lon, lat, 9)
    raw = gzip.decompress(source.tile("buurten", 9, x, y))
    codes = {f["properties"]["buurtcode"] for f in _decode(raw)["buurten"]["features"]}
    assert codes == set(data.buurten["buurtcode"]) and len(codes) == 116
    cells = gpd.read_parquet(tmp_path / "cellen.parquet").to_crs(4326)
    centre = cells.geometry.representative_point()
    tx, ty = _tiles_of(centre.x.to_numpy(), centre.y.to_numpy(), 13)
    seen: set[str] = set()
    for cx, cy in set(zip(tx.tolist(), ty.tolist(), strict=True)):
        tile = _decode(gzip.decompress(source.tile("cellen", 13, cx, cy)))["cellen"]
        seen |= {f["properties"]["cel_id"] for f in tile["features"]}
    assert seen == set(cells["cel_id"])


def test_cells_are_stored_in_compact_blocks() -> None:
    """A row group of ``cellen.parquet`` covers a square, not a band across the country."""
    from gezondewijk.outputs.cellstore import ROW_GROUP_ROWS, storage_blocks

    xs, ys = np.meshgrid(np.arange(600) * 100.0, np.arange(500) * 100.0)
    x, y = xs.ravel(), ys.ravel()  # lattice order: row after row
    order, sizes = storage_blocks(x, y, cell_area=100.0 * 100.0)
    assert np.array_equal(np.sort(order), np.arange(len(x)))  # every cell once
    assert sizes.sum() == len(x) and sizes.max() <= ROW_GROUP_ROWS
    assert len(sizes) == 5 * 4  # 600 × 500 cells in blocks of 128 × 128
    edge = np.sqrt(ROW_GROUP_ROWS * 100.0 * 100.0)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    for a, b in itertools.pairwise(starts):
        rows = order[a:b]
        assert np.ptp(x[rows]) < edge and np.ptp(y[rows]) < edge
        assert np.all(np.diff(rows) > 0)  # lattice order inside a block
    # lattice order put a band across the whole width in the first row group
    assert np.ptp(x[:ROW_GROUP_ROWS]) == 59_900.0

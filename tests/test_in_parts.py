"""A run laid part by part writes what the run in one go writes, cell for cell."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest

from gezondewijk._errors import ConfigError
from gezondewijk.cli import main as cli
from gezondewijk.outputs import write_all
from gezondewijk.outputs.in_parts import write_in_parts
from gezondewijk.run import in_parts
from gezondewijk.run.build import build_map_state, prepare
from gezondewijk.run.result import MapResult
from gezondewijk.settings import RunConfig, load_config

#: Lays the synthetic town three times (``pytest -m "not slow"`` leaves it out).
pytestmark = pytest.mark.slow

ALL = ("gpkg", "parquet", "csv", "png", "html")


@pytest.fixture(scope="module")
def both(
    town: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[MapResult, MapResult, Path, Path, int]:
    """The town in one go and in parts of ~300 cells, each written in every format."""
    config = load_config(town)
    one, parts = tmp_path_factory.mktemp("een"), tmp_path_factory.mktemp("delen")
    whole = build_map_state(config, stream=None)[0]
    write_all(whole, one, formats=ALL, max_map_cells=0)
    split, _ = write_in_parts(prepare(config, stream=None), parts, formats=ALL, part_cells=300)
    assert split.cells_in_parts is not None
    return whole, split, one, parts, split.cells_in_parts.parts


def _sorted_cells(folder: Path) -> pd.DataFrame:
    cells = pq.read_table(folder / "cellen.parquet").to_pandas()
    return cells.sort_values("cel_id").reset_index(drop=True)


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Equal, NaN/NA equal to NaN/NA; floats up to the order a sum was added in."""
    if pd.api.types.is_float_dtype(a.dtype):
        return np.isclose(a.to_numpy(), b.to_numpy(), rtol=1e-12, atol=0, equal_nan=True)
    left, right = a.tolist(), b.tolist()
    return np.array(
        [
            (pd.isna(u) and pd.isna(v)) if not isinstance(u, bytes) and pd.isna(u) else u == v
            for u, v in zip(left, right, strict=True)
        ]
    )


def test_the_cells_equal_the_run_in_one_go(
    both: tuple[MapResult, MapResult, Path, Path, int],
) -> None:
    whole, split, one, parts, jobs = both
    assert jobs >= 3  # the town really went in several parts
    a, b = _sorted_cells(one), _sorted_cells(parts)
    assert len(a) == len(b) == len(whole.cells) == split.cell_count
    assert list(a.columns) == list(b.columns)
    differ = {c: int((~_same(a[c], b[c])).sum()) for c in a.columns}
    assert not {c: n for c, n in differ.items() if n}, "cells differ from the run in one go"
    assert (a["score"] == b["score"]).all()  # scores exactly
    # every cell once, in compact row groups per part
    assert b["cel_id"].is_unique
    assert pq.ParquetFile(parts / "cellen.parquet").num_row_groups >= jobs


def test_buurten_metadata_and_summary_equal_the_run_in_one_go(
    both: tuple[MapResult, MapResult, Path, Path, int],
) -> None:
    whole, split, one, parts, _ = both
    a, b = gpd.read_parquet(one / "buurten.parquet"), gpd.read_parquet(parts / "buurten.parquet")
    assert list(a.columns) == list(b.columns)
    assert "stabiel_rang_p05" in a.columns  # the stability draws went along
    differ = {c: int((~_same(a[c], b[c])).sum()) for c in a.columns if c != "geometry"}
    assert not {c: n for c, n in differ.items() if n}
    for name in ("indicatoren.csv", "drempels.csv", "bronnen.csv"):
        assert (one / name).read_text() == (parts / name).read_text(), name
    mine, theirs = pd.read_csv(one / "referenties.csv"), pd.read_csv(parts / "referenties.csv")
    assert all(_same(mine[c], theirs[c]).all() for c in mine.columns)
    assert whole.summary() == split.summary()
    notes = json.loads(
        pd.read_csv(parts / "over.csv").set_index("sleutel").loc["opmerkingen", "waarde"]
    )
    assert any("delen gelegd" in n for n in notes)
    assert [n for n in notes if "delen gelegd" not in n] == whole.notes
    # the provenance travels in the cells' file as in one go
    meta = pq.read_schema(parts / "cellen.parquet").metadata
    assert meta[b"gezondewijk"] == pq.read_schema(one / "cellen.parquet").metadata[b"gezondewijk"]
    geo = json.loads(meta[b"geo"])["columns"]["geometry"]
    cells = gpd.read_parquet(parts / "cellen.parquet")
    x0, y0, x1, y1 = cells.total_bounds
    bx0, by0, bx1, by1 = geo["bbox"]
    assert bx0 <= x0 and by0 <= y0 and bx1 >= x1 and by1 >= y1  # the bbox holds every cell


def test_every_format_is_written_part_by_part(
    both: tuple[MapResult, MapResult, Path, Path, int],
) -> None:
    whole, _, one, parts, _ = both
    n = len(whole.cells)
    layers = dict(pyogrio.list_layers(parts / "gezondewijk.gpkg"))
    assert {"cellen", "buurten", "indicatoren", "drempels", "layer_styles"} <= set(layers)
    assert pyogrio.read_info(parts / "gezondewijk.gpkg", layer="cellen")["features"] == n
    styles = pyogrio.read_dataframe(parts / "gezondewijk.gpkg", layer="layer_styles")
    mine = pyogrio.read_dataframe(one / "gezondewijk.gpkg", layer="layer_styles")
    # the cells' styles come from the run's summary: the same ranges and quantile thresholds
    assert sorted(styles["styleQML"]) == sorted(mine["styleQML"])
    assert len(pd.read_csv(parts / "cellen.csv")) == n
    assert (parts / "kaart.png").stat().st_size > 10_000
    html = (parts / "kaart.html").read_text(encoding="utf-8")
    assert "cellen.parquet" in html


def test_the_png_is_the_same_picture(both: tuple[MapResult, MapResult, Path, Path, int]) -> None:
    from matplotlib.image import imread

    _, _, one, parts, _ = both
    assert np.array_equal(imread(one / "kaart.png"), imread(parts / "kaart.png"))


def test_in_parts_true_refuses_what_it_cannot_do(town: Path) -> None:
    config = load_config(town)
    asked = config.model_copy(update={"in_parts": True, "extra_presets": ["ces4"]})
    prepared = prepare(config, stream=None)
    with pytest.raises(ConfigError, match="extra_presets"):
        in_parts.goes_in_parts(asked, prepared.joined.buurten, cluster=False)
    with pytest.raises(ConfigError, match="Dask"):
        in_parts.goes_in_parts(
            config.model_copy(update={"in_parts": True}), prepared.joined.buurten, cluster=True
        )
    # by size: the town is small, unless the bar is lowered
    assert not in_parts.goes_in_parts(config, prepared.joined.buurten, cluster=False)
    assert not in_parts.goes_in_parts(
        config.model_copy(update={"in_parts": False}), prepared.joined.buurten, cluster=False
    )


def test_a_large_run_goes_in_parts_by_itself_and_leaves_nothing_behind(
    town: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(in_parts, "IN_PARTS_FROM_CELLS", 100)
    monkeypatch.setattr(in_parts, "PART_CELLS", 400)
    out = tmp_path / "uit"
    assert cli(["run", str(town), "--out", str(out), "--quiet"]) == 0
    notes = json.loads(
        pd.read_csv(out / "over.csv").set_index("sleutel").loc["opmerkingen", "waarde"]
    )
    assert any("delen gelegd" in n for n in notes)
    assert not list(scratch.iterdir())  # the parts put aside are gone
    assert "cellen:" in capsys.readouterr().out


def test_a_failing_part_leaves_nothing_behind(
    town: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    config: RunConfig = load_config(town)
    prepared = prepare(config, stream=None)
    calls = {"n": 0}
    real = in_parts.measure_cells

    def second_fails(*args: object, **kwargs: object) -> dict[str, np.ndarray]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("schijf vol")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(in_parts, "measure_cells", second_fails)
    with pytest.raises(OSError, match="schijf vol"):
        write_in_parts(prepared, tmp_path / "uit", formats=("parquet",), part_cells=300)
    assert not list(scratch.iterdir())


@pytest.mark.parametrize(
    "grid", [{"kind": "square", "size_m": 250.0}, {"kind": "h3", "h3_resolution": 9}]
)
def test_square_and_h3_cells_in_parts_equal_one_go(
    town: Path, tmp_path: Path, grid: dict[str, object]
) -> None:
    config = load_config(town)
    config = config.model_copy(
        update={"grid": config.grid.model_copy(update=grid), "stability_draws": 0}
    )
    write_all(build_map_state(config, stream=None)[0], tmp_path / "een", formats=("parquet",))
    split, _ = write_in_parts(
        prepare(config, stream=None), tmp_path / "delen", formats=("parquet", "png"), part_cells=80
    )
    assert split.cells_in_parts is not None and split.cells_in_parts.parts >= 3
    a, b = _sorted_cells(tmp_path / "een"), _sorted_cells(tmp_path / "delen")
    assert len(a) == len(b) > 0
    assert all(_same(a[c], b[c]).all() for c in a.columns)
    assert (tmp_path / "delen" / "kaart.png").is_file()
    cells = gpd.read_parquet(tmp_path / "delen" / "cellen.parquet")
    bbox = json.loads(pq.read_schema(tmp_path / "delen" / "cellen.parquet").metadata[b"geo"])
    x0, y0, x1, y1 = bbox["columns"]["geometry"]["bbox"]
    cx0, cy0, cx1, cy1 = cells.total_bounds
    assert x0 <= cx0 and y0 <= cy0 and x1 >= cx1 and y1 >= cy1

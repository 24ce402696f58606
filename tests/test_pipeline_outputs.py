"""The whole pipeline on the synthetic town, and every output it writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest

from gezondewijk import ConfigError, InputDataError
from gezondewijk.cli import main
from gezondewijk.outputs import write_all
from gezondewijk.run import MapResult, build_map
from gezondewijk.settings import load_config

LABEL = "synthetische voorbeelddata"


def test_demo_scores_are_consistent(demo_result: MapResult) -> None:
    n = len(demo_result.preset.indicators)
    for frame in (demo_result.buurten, demo_result.cell_values):
        on_cols = [f"{i.key}_aan" for i in demo_result.preset.indicators]
        on = frame[on_cols].fillna(0).astype(int).sum(axis=1)
        assert (frame["score"] == on).all()
        assert frame["score"].between(0, n).all()
        assert (frame["score"] <= frame["n_beschikbaar"]).all()
    # the suppressed buurt has no social data: those indicators are 'ontbreekt' there
    missing = demo_result.buurten["eenzaamheid_status"] == "ontbreekt"
    assert missing.sum() == 1
    assert (demo_result.buurten.loc[missing, "n_beschikbaar"] == n - 4).all()


def test_demo_keeps_population_and_only_inhabited_cells(demo_result: MapResult) -> None:
    cells = demo_result.cell_values
    assert demo_result.weighting == "population"
    assert demo_result.cells.addresses is not None
    assert (demo_result.cells.addresses > 0).all()
    total = demo_result.buurten["population"].sum()
    assert cells["population"].sum() == pytest.approx(total)


def test_cell_values_differ_within_a_buurt(demo_result: MapResult) -> None:
    frame = demo_result.cells_frame()
    spread = frame.groupby("buurtcode")["groen_waarde"].agg(lambda s: s.max() - s.min())
    assert (spread > 100).any(), "distance to green should vary inside buurten"


def test_outputs_are_written_and_labelled(demo_result: MapResult, tmp_path: Path) -> None:
    written = write_all(demo_result, tmp_path)
    gpkg = written["geopackage"][0]
    layers = {row[0] for row in pyogrio.list_layers(gpkg)}
    assert {"buurten", "cellen", "indicatoren", "drempels", "over"} <= layers
    cells = gpd.read_file(gpkg, layer="cellen")
    assert cells.crs.to_epsg() == 28992
    assert len(cells) == len(demo_result.cells)
    assert (cells["herkomst"].str.contains(LABEL)).all()
    meta = pd.DataFrame(pyogrio.read_dataframe(gpkg, layer="indicatoren"))
    assert {"unit", "direction", "source", "year", "licence"} <= set(meta.columns)
    no2 = meta.set_index("key").loc["no2"]
    assert no2["unit"] == "µg/m³" and int(no2["year"]) == 2021
    thresholds = pd.DataFrame(pyogrio.read_dataframe(gpkg, layer="drempels"))
    assert thresholds["bron_drempel"].str.len().min() > 10
    parquet = tmp_path / "cellen.parquet"
    info = json.loads(pq.read_schema(parquet).metadata[b"gezondewijk"])
    assert LABEL in info["herkomst"]
    assert gpd.read_parquet(parquet).crs.to_epsg() == 28992
    csv = pd.read_csv(tmp_path / "buurten.csv")
    assert (csv["herkomst"].str.contains(LABEL)).all()
    assert "score" in csv and "groen_status" in csv
    html = (tmp_path / "kaart.html").read_text(encoding="utf-8")
    assert LABEL in html
    assert not re.search(
        r"""<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", html
    )
    assert "@import" not in html
    assert (tmp_path / "kaart.png").stat().st_size > 10_000


@pytest.mark.slow
def test_cli_demo_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "synthetische voorbeelddata" in out
    assert "cellen:" in out and "scoreverdeling cellen" in out
    assert "kaart.html" in out
    # the demo also monitors 2016 → 2020, and the fact sheets show that trend
    assert "Verandering 2016 → 2020 in 18 buurten" in out
    from gezondewijk.reports import fact_sheet, load_map_data

    data = load_map_data(tmp_path)
    assert data.change is not None and data.inequality is not None
    sheet = fact_sheet(data, str(data.buurten["buurtcode"].iloc[0]))
    assert sheet.trend is not None and len(sheet.trend) >= 2


def test_cli_reports_bad_input_and_keeps_old_output(
    demo_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "uit"
    assert main(["run", str(demo_config), "--out", str(out), "--quiet"]) == 0
    before = (out / "buurten.csv").read_bytes()
    bad = demo_config.parent / "bad.toml"
    text = demo_config.read_text(encoding="utf-8").replace("ses_woa.csv", "ses_woa_broken.csv")
    bad.write_text(text, encoding="utf-8")
    (demo_config.parent / "ses_woa_broken.csv").write_text(
        '"Perioden";"Regiocode (gemeente, wijk, buurt) (code)";'
        '"SES-WOA/Totaalscore/Gemiddelde score (Getal)"\n"2019";"BU99990000";"hoog"\n',
        encoding="utf-8",
    )
    assert main(["run", str(bad), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "ses_woa_broken.csv" in err and "rij/row 1" in err and "'hoog'" in err
    assert (out / "buurten.csv").read_bytes() == before


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        'name = "x"\n[buurten]\npath = "b.geojson"\n[grid]\nedge_m = -5\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"grid\.edge_m"):
        load_config(cfg)
    cfg.write_text('name = "x"\ncolour = "red"\n[buurten]\npath = "b.geojson"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_config(cfg)


def test_unknown_gemeente_filter(demo_config: Path) -> None:
    config = load_config(demo_config)
    config.buurten.gemeenten = ["GM0001"]
    with pytest.raises(InputDataError, match="gemeenten"):
        build_map(config, stream=None)


def test_square_km_grid_run(demo_config: Path) -> None:
    config = load_config(demo_config)
    config.grid.kind = "square"
    result = build_map(config, stream=None)
    assert result.cells.grid.prefix == "S1000"
    assert np.isclose(result.cell_values["population"].sum(), result.buurten["population"].sum())

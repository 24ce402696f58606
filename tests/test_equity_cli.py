"""Scoring methods, stability and inequality through the pipeline and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest

from gezondewijk import InputDataError, PresetError
from gezondewijk.cli import main
from gezondewijk.outputs import write_all
from gezondewijk.run import build_map
from gezondewijk.settings import InequalityConfig, load_config
from tests.conftest import shared_path
from tests.test_sullivan import AGE, DEATHS, POP, PREV


def test_pipeline_runs_every_method(demo_config: Path, tmp_path: Path) -> None:
    config = load_config(demo_config)
    config.extra_presets = ["ces4", "ahah", "ejscreen", "vrije-gewichten", "rivm-stapel"]
    config.stability_draws = 20
    config.inequality = InequalityConfig(
        variables=["good_health_pct", "no2"], ses="ses_woa", bootstrap=50
    )
    result = build_map(config, stream=None)
    b = result.buurten
    for col in (
        "ces_score",
        "ahah_index",
        "ejscreen_max_pct",
        "weighted_score",
        "stapel_klasse",
        "stabiel_p_top",
    ):
        assert col in b, col
    assert b["ces_score"].max() <= 100 + 1e-9
    assert b["ahah_index"].notna().sum() >= len(b) - 1
    assert "ces_score" in result.cell_values
    assert result.inequality is not None
    sii = result.inequality.set_index(["variabele", "maat"]).loc[("good_health_pct", "sii")]
    assert sii["schatting"] < 0  # synthetic health rises with SES
    written = write_all(result, tmp_path, html=False)
    layers = {row[0] for row in pyogrio.list_layers(written["geopackage"][0])}
    assert "ongelijkheid" in layers
    assert "ces_score" in pd.read_csv(tmp_path / "buurten.csv").columns


def test_ranking_method_cannot_be_main_preset(demo_config: Path) -> None:
    config = load_config(demo_config)
    config.preset = "ces4"
    with pytest.raises(PresetError, match="extra_presets"):
        build_map(config, stream=None)


def test_inequality_names_missing_variable(demo_config: Path) -> None:
    config = load_config(demo_config)
    config.inequality = InequalityConfig(variables=["pm25"], ses="ses_woa")
    with pytest.raises(InputDataError, match="pm25"):
        build_map(config, stream=None)


def test_cli_sullivan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = pd.DataFrame(
        {
            "gebied": "België (vrouwen)",
            "leeftijd": AGE,
            "bevolking": POP,
            "sterfte": DEATHS,
            "goed_pct": 100 * (1 - np.array(PREV)),
        }
    )
    path = tmp_path / "leeftijd.csv"
    rows.to_csv(path, index=False)
    out = tmp_path / "hle.csv"
    # PHE's method needs 20 bands to 90+; the guide's table ends at 85+: not computed, said why
    assert main(["sullivan", str(path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "niet berekend" in text and "20 age bands" in text and "sullivan-gids" in text
    assert pd.read_csv(out)["hle"].isna().all()
    # the guide's own method (a = 0.5 everywhere, bands to 85+)
    assert main(["sullivan", str(path), "--out", str(out), "--methode", "sullivan-gids"]) == 0
    text = capsys.readouterr().out
    assert "levensverwachting 81.4" in text  # (plain q0 formula here; the guide's is 81.4 too)
    assert pd.read_csv(out)["hle"].iloc[0] == pytest.approx(66.5, abs=0.06)
    bad = tmp_path / "bad.csv"
    rows.drop(columns="sterfte").to_csv(bad, index=False)
    assert main(["sullivan", str(bad)]) == 2
    assert "sterfte" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_monitor_on_rivm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = shared_path("rivm-gezondheid-wijk-buurt", "RIVM_gezondheid2016_18plus.xlsx")
    after = shared_path("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv")
    outlines = shared_path(
        "cbs-buurt-2019-national", "eindhoven_buurten_2019_outline_with_kwb2025_rivm2020.geojson"
    )
    assert (
        main(
            [
                "monitor",
                "--voor",
                str(before),
                "--na",
                str(after),
                "--buurten",
                str(outlines),
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "2016 → 2020 in 116 buurten" in text
    assert "SII good_health_pct" in text
    change = pd.read_csv(tmp_path / "verandering.csv")
    assert set(change["oordeel"]) <= {"beter", "slechter", "binnen ruis", "onbekend"}
    assert (tmp_path / "ongelijkheid_trend.csv").exists()

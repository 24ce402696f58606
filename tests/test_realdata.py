"""Real open data in ../shared/data, checked against known figures (skips where absent)."""

from __future__ import annotations

import numpy as np
import pytest

from gezondewijk.run import MapResult, build_map
from gezondewijk.settings import load_config
from gezondewijk.sources import read_buurten, read_raster, read_rivm_health, read_statline_csv
from tests.conftest import ROOT, shared_path

pytestmark = pytest.mark.realdata


def _run(example: str, *files: tuple[str, ...]) -> MapResult:
    for parts in files:
        shared_path(*parts)
    return build_map(load_config(ROOT / "examples" / example), stream=None)


@pytest.fixture(scope="module")
def eindhoven() -> MapResult:
    return _run(
        "eindhoven.toml",
        ("cbs-buurt-2019-national", "eindhoven_buurten_2019_outline_with_kwb2025_rivm2020.geojson"),
        ("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv"),
        ("rivm-gcn-no2", "conc_no2_2021.asc"),
    )


def test_eindhoven_joins_116_of_116(eindhoven: MapResult) -> None:
    assert len(eindhoven.buurten) == 116
    assert [(j.matched, j.total) for j in eindhoven.joins] == [(116, 116)]
    assert eindhoven.buurten["population"].sum() == 248_990  # KWB 2025, per SOURCES.md


def test_eindhoven_hexagons_compared_with_the_published_3620(eindhoven: MapResult) -> None:
    # Workbook 4.1: "Eindhoven is verdeeld in 3620 zeshoekige vakjes". With 100 m edges over the
    # 2019 generalised outlines (89.06 km²) we lay 3,600 cells touching a buurt: 20 fewer
    # (0.55 %); see the README for why.
    n = len(eindhoven.cells)
    assert abs(n - 3620) / 3620 < 0.02
    area_km2 = eindhoven.buurten.geometry.area.sum() / 1e6
    assert area_km2 == pytest.approx(89.06, abs=0.05)
    assert eindhoven.cells.pieces["area"].sum() / 1e6 == pytest.approx(area_km2)


def test_eindhoven_reference_matches_rivm_gemeente_figure(eindhoven: MapResult) -> None:
    # RIVM publishes GM0772: ervaren gezondheid 77.3 %, eenzaam 51.3 %; the population-weighted
    # mean of its buurten (our reference rule) should be close.
    assert eindhoven.references["good_health_pct"] == pytest.approx(77.3, abs=0.5)
    assert eindhoven.references["lonely_pct"] == pytest.approx(51.3, abs=0.5)


def test_eindhoven_substitutes_are_reported_per_area(eindhoven: MapResult) -> None:
    b = eindhoven.buurten
    assert set(b["ses_status"]) <= {"vervangen", "ontbreekt"}  # no SES-WOA: moeite met rondkomen
    assert (
        b.loc[b["ses_status"] == "vervangen", "ses_variabele"] == "hard_to_make_ends_meet_pct"
    ).all()
    assert (b["groen_status"] == "ontbreekt").all()  # no green data for Eindhoven here
    assert (b["stress_status"] != "vervangen").all()  # RIVM 2020 has 'heel veel stress'
    assert (b["geluid_lucht_status"] == "gedeeltelijk").all()  # NO2 only, no PM2.5 or noise
    assert b["n_beschikbaar"].max() == 7
    assert eindhoven.cell_values["score"].between(0, 7).all()


def test_eindhoven_no2_exceeds_who_guideline_everywhere(eindhoven: MapResult) -> None:
    no2 = eindhoven.cell_values["no2"]
    assert no2.notna().all()
    assert no2.min() > 10.0  # 2021 GCN over Eindhoven: all above the WHO 2021 value
    assert (eindhoven.cell_values["geluid_lucht_aan"] == 1).all()


def test_baarn_21_of_21_with_sentinels() -> None:
    baarn = _run(
        "baarn.toml",
        ("cbs-buurtgrenzen", "baarn_buurten_2024.geojson"),
        ("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv"),
        ("rivm-gcn-no2", "conc_no2_2021.asc"),
    )
    assert len(baarn.buurten) == 21
    assert [(j.matched, j.total) for j in baarn.joins] == [(21, 21)]
    # every distance in the 2024 file is the sentinel -99995: missing, never a number
    raw = read_buurten(shared_path("cbs-buurtgrenzen", "baarn_buurten_2024.geojson"))
    assert raw["distance_gp_km"].isna().all()
    assert (raw.select_dtypes("number") > -99990).all().all() or not (
        raw.select_dtypes("number") <= -99990
    ).any().any()
    assert baarn.buurten["basisvoorzieningen_status"].eq("ontbreekt").all()
    assert baarn.buurten["no2"].notna().all()


def test_utrecht_tables_join_111_of_111() -> None:
    utrecht = _run(
        "utrecht.toml",
        ("cbs-buurt-2019-national", "utrecht_buurten_2019_outline_with_kwb2025_rivm2020.geojson"),
        ("cbs-kwb-nabijheid-utrecht", "CBS-Utrecht-kwb-2023.xlsx"),
        ("cbs-kwb-nabijheid-utrecht", "Nabijheid_voorzieningen__buurt_2019_Utrecht.csv"),
        ("rivm-gezondheid-wijk-buurt", "RIVM_gezondheid2020_18plus.xlsx"),
    )
    assert [(j.matched, j.total) for j in utrecht.joins] == [(111, 111)] * 3
    b = utrecht.buurten
    # distances by road (Nabijheid 2019 overrides KWB) stand in for straight-line distances
    assert (b["basisvoorzieningen_status"] == "vervangen").sum() >= 108
    assert b["distance_gp_km"].notna().sum() >= 108
    # SOURCES.md says the 2019 file has green distances, but every green column is empty:
    # green is reported missing rather than guessed
    assert b["distance_green_km"].isna().all()
    assert (b["groen_status"] == "ontbreekt").all()
    assert b["n_beschikbaar"].max() == 7


def test_nabijheid_2019_known_values() -> None:
    t = read_statline_csv(
        shared_path("cbs-kwb-nabijheid-utrecht", "Nabijheid_voorzieningen__buurt_2019_Utrecht.csv")
    )
    assert t.loc["NL00", "distance_gp_km"] == pytest.approx(1.0)
    assert t.loc["GM0344", "distance_gp_km"] == pytest.approx(0.6)
    assert len([c for c in t.index if c.startswith("BU")]) == 111


def test_ses_woa_amsterdam() -> None:
    t = read_statline_csv(
        shared_path("cbs-ses-woa-amsterdam", "SES_WOA_scores_per_wijk_en_buurt_2019_Amsterdam.csv")
    )
    assert t.loc["GM0363", "ses_woa"] == pytest.approx(-0.100)
    assert t.loc["BU03630000", "ses_woa"] == pytest.approx(0.045)
    assert sum(c.startswith("BU") for c in t.index) == 479


def test_rivm_2020_xlsx_equals_csv() -> None:
    csv = read_rivm_health(
        shared_path("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv")
    )
    assert csv.attrs["year"] == 2020
    assert sum(c.startswith("BU") for c in csv.index) == 13_808
    assert csv.loc["GM0772", "good_health_pct"] == pytest.approx(77.3)
    assert csv.loc["GM0772", "lonely_pct"] == pytest.approx(51.3)


def test_no2_grid_statistics() -> None:
    layer = read_raster(shared_path("rivm-gcn-no2", "conc_no2_2021.asc"))
    assert layer.values.shape == (320, 280)
    assert layer.cell_size == 1000
    v = layer.values[np.isfinite(layer.values)]
    # RIVM factsheet 2021: min 3.3, mean 9.8, max 44.0 µg/m³
    assert v.min() == pytest.approx(3.3, abs=0.05)
    assert v.mean() == pytest.approx(9.8, abs=0.05)
    assert v.max() == pytest.approx(44.0, abs=0.05)


def test_ermelo_geopackage_in_rd_new() -> None:
    b = read_buurten(shared_path("cbs-buurtgrenzen", "ermelo_CBS_buurten_2021.gpkg"))
    assert len(b) == 17
    assert b["buurtcode"].str.startswith("BU0233").all()

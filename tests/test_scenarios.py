"""Scenarios: incremental = full recomputation, invariants, files, health output, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gezondewijk._errors import InputDataError
from gezondewijk.cli import main
from gezondewijk.crs import RD_NEW
from gezondewijk.demo.scenarios import write_demo_scenarios
from gezondewijk.demo.synthetic import make_synthetic_town
from gezondewijk.effects.noise import highly_annoyed_pct, highly_sleep_disturbed_pct
from gezondewijk.equity import slope_change
from gezondewijk.indicators.proximity import Destinations, origin_distances
from gezondewijk.scenarios import (
    Change,
    Scenario,
    ScenarioBase,
    prepare_base,
    read_scenario,
    run_scenario,
    write_scenario,
)
from gezondewijk.scenarios.apply import apply_changes
from gezondewijk.scenarios.files import changes_of
from gezondewijk.settings import load_config


@pytest.fixture(scope="module")
def base(demo_config: Path) -> ScenarioBase:
    return prepare_base(load_config(demo_config), stream=None)


def _full(base: ScenarioBase, variable: str, features: np.ndarray) -> dict[str, np.ndarray]:
    """The variable measured from scratch for every cell with a new layer (not incremental)."""
    assert base.origins is not None and base.state.at_cells.inputs is not None
    inputs = base.state.at_cells.inputs
    layer = Destinations(variable, gpd.GeoDataFrame(geometry=list(features), crs=RD_NEW))
    return origin_distances(base.origins, [layer], inputs.network, reach=inputs.reach).per_cell(
        base.origins
    )


def _green(base: ScenarioBase) -> np.ndarray:
    return base.layers["distance_green_m"].features.geometry.to_numpy()


def test_no_changes_gives_identical_results(base: ScenarioBase) -> None:
    result = run_scenario(base, Scenario("leeg", "Leeg"), bootstrap=50)
    assert result.applied.changed == {} and not result.applied.touched.any()
    assert (result.cells["score_verschil"] == 0).all()
    assert (
        result.cells["score_na"].to_numpy() == base.result.cell_values["score"].to_numpy()
    ).all()
    assert (result.buurten["score_na"] == base.result.buurten["score"]).all()
    assert (result.ses_table["omlaag"] == 0).all()
    assert (result.inequality["verschil"] == 0).all()
    assert result.health.totals.empty
    # the cell values before scoring are the run's own, bit for bit
    pd.testing.assert_frame_equal(result.applied.cell_values, base.state.at_cells.values)


def test_new_park_equals_full_recomputation_and_flips_exactly_the_cells_within_300m(
    base: ScenarioBase,
) -> None:
    cells = base.state.laid.cells
    far = base.state.at_cells.values["distance_green_walk_m"].to_numpy() > 600
    x, y = cells.x[far][0], cells.y[far][0]
    park = shapely.box(x - 60, y - 60, x + 60, y + 60)  # 1.44 ha, above the run's 0.5 ha
    result = run_scenario(base, Scenario("p", "Park", [Change("groen_erbij", park)]), bootstrap=0)
    after = result.applied.cell_values
    full = _full(base, "distance_green_m", np.append(_green(base), park))
    for key in ("distance_green_m", "distance_green_walk_m"):
        np.testing.assert_allclose(after[key].to_numpy(), full[key], rtol=0, atol=1e-6)
    before = base.state.at_cells.values["distance_green_walk_m"].to_numpy()
    now = after["distance_green_walk_m"].to_numpy()
    flipped = (before > 300) & (now <= 300)
    assert flipped.sum() > 0
    # the green indicator goes off for exactly the cells now within 300 m walking
    on_before = base.result.cell_values["groen_aan"].to_numpy(dtype=float)
    scored = result.cells["score_verschil"].to_numpy()
    assert set(np.flatnonzero(flipped)) <= set(np.flatnonzero(on_before == 1))
    changed_score = np.flatnonzero(scored != 0)
    assert set(changed_score) <= set(np.flatnonzero(flipped)) | set(
        np.flatnonzero(result.applied.touched)
    )
    assert (scored[flipped] <= -1).all()
    # cells further away keep their values bit for bit
    untouched = ~result.applied.touched
    assert (now[untouched] == before[untouched]).all()
    assert result.applied.touched.sum() < len(cells) / 2


def test_removed_green_equals_full_recomputation(base: ScenarioBase) -> None:
    green = _green(base)
    biggest = green[np.argmax(shapely.area(green))]
    cut = shapely.buffer(shapely.point_on_surface(biggest), 400)
    scenario = Scenario("weg", "Groen weg", [Change("groen_eraf", cut)])
    applied = apply_changes(base, scenario)
    kept = shapely.get_parts(shapely.difference(green, cut))
    kept = kept[shapely.area(kept) >= base.green_min_area_m2]
    full = _full(base, "distance_green_m", kept)
    for key in ("distance_green_m", "distance_green_walk_m"):
        np.testing.assert_allclose(applied.cell_values[key].to_numpy(), full[key], atol=1e-6)
    assert applied.changed["distance_green_m"] > 0


def test_new_gp_and_exposure_and_homes(base: ScenarioBase) -> None:
    cells = base.state.laid.cells
    x, y = float(cells.x.mean()), float(cells.y.mean())
    street = shapely.LineString([(x - 800, y), (x + 800, y)])
    hx, hy = cells.x[len(cells) // 3], cells.y[len(cells) // 3]
    homes = shapely.box(hx - 100, hy - 100, hx + 100, hy + 100)
    scenario = Scenario(
        "mix",
        "Mix",
        [
            Change("huisarts", shapely.Point(x + 300, y + 300)),
            Change("no2", street, amount=3.0, width_m=100.0),
            Change("woningen", homes, amount=500.0),
        ],
    )
    applied = apply_changes(base, scenario)
    gps = base.layers["distance_gp_m"].features.geometry.to_numpy()
    full = _full(base, "distance_gp_m", np.append(gps, shapely.Point(x + 300, y + 300)))
    np.testing.assert_allclose(
        applied.cell_values["distance_gp_walk_m"], full["distance_gp_walk_m"]
    )
    before = base.state.at_cells.values
    inside = shapely.contains_xy(street.buffer(50, cap_style="flat"), cells.x, cells.y)
    np.testing.assert_allclose(
        applied.cell_values["no2"].to_numpy()[inside],
        np.maximum(before["no2"].to_numpy()[inside] - 3, 0),
    )
    assert (
        applied.cell_values["no2"].to_numpy()[~inside] == before["no2"].to_numpy()[~inside]
    ).all()
    added = applied.cell_values["population"].sum() - before["population"].sum()
    assert added == pytest.approx(500.0)
    assert applied.buurten["population"].sum() - base.state.joined.buurten[
        "population"
    ].sum() == pytest.approx(500.0)


def test_a_change_the_run_cannot_compute_names_the_fix(base: ScenarioBase) -> None:
    soot = Change("pm25", shapely.box(0, 0, 10, 10), amount=3.0)  # the demo has no PM2.5 map
    with pytest.raises(InputDataError, match="pm25") as err:
        apply_changes(base, Scenario("p", "Fijnstof", [soot]))
    assert err.value.row == 1 and err.value.fix and "[[rasters]]" in err.value.fix


def test_quieter_street_by_the_who_noise_curves(base: ScenarioBase) -> None:
    """3 dB less along a street: fewer highly annoyed and sleep-disturbed, by hand per cell."""
    cells = base.state.laid.cells
    before = base.state.at_cells.values
    x, y = float(np.median(cells.x)), float(np.median(cells.y))
    street = shapely.LineString([(x - 1000, y), (x + 1000, y)])
    result = run_scenario(
        base,
        Scenario("stil", "Stil", [Change("geluid", street, amount=3.0, width_m=200)]),
        bootstrap=0,
    )
    inside = shapely.contains_xy(street.buffer(100, cap_style="flat"), cells.x, cells.y)
    lden = before["noise_lden"].to_numpy(dtype="float64")
    after = result.applied.cell_values["noise_lden"].to_numpy(dtype="float64")
    np.testing.assert_allclose(after[inside], lden[inside] - 3)
    assert (after[~inside] == lden[~inside]).all()
    pop = np.nan_to_num(before["population"].to_numpy(dtype="float64"))
    ha = (pop * (highly_annoyed_pct(lden) - highly_annoyed_pct(after)) / 100).sum()
    hsd = (
        pop * (highly_sleep_disturbed_pct(lden - 8) - highly_sleep_disturbed_pct(after - 8)) / 100
    ).sum()
    totals = result.health.totals.set_index("effect")
    assert ha > 1 and hsd > 0.5
    assert totals.loc["minder ernstig gehinderd door wegverkeer", "schatting"] == pytest.approx(ha)
    sleep = totals.loc["minder ernstig slaapverstoord door wegverkeer"]
    assert sleep["schatting"] == pytest.approx(hsd)
    assert sleep["ondergrens"] < hsd < sleep["bovengrens"]


def test_feature_messages_name_the_row_and_field() -> None:
    point = shapely.Point(1, 1)
    with pytest.raises(InputDataError, match="onbekende soort") as err:
        changes_of({"soort": "zwembad"}, point, path=Path("s.geojson"), number=3)
    assert err.value.row == 3 and err.value.field == "soort"
    with pytest.raises(InputDataError, match="vlak") as err:
        changes_of({"soort": "groen_erbij"}, point, path=None, number=1)
    assert err.value.field == "geometry"
    with pytest.raises(InputDataError) as err:
        changes_of({"soort": "geluid"}, shapely.box(0, 0, 1, 1), path=None, number=2)
    assert err.value.field == "waarde"
    with pytest.raises(InputDataError, match="onbekende maatregel"):
        changes_of({"maatregel": "bestaat_niet"}, point, path=None, number=1)
    # a catalogue measure fills in its kind and amount: low-traffic street → 3 dB less
    line = shapely.LineString([(0, 0), (100, 0)])
    [change] = changes_of(
        {"maatregel": "verkeer_luw", "naam": "Kerkstraat"}, line, path=None, number=1
    )
    assert (change.kind, change.amount, change.measure) == ("geluid", 3.0, "verkeer_luw")


def test_files_round_trip_and_bad_toml(tmp_path: Path) -> None:
    scenario = Scenario(
        "rond",
        'Rond =HYPERLINK("x")',
        [
            Change("groen_erbij", shapely.box(150000, 440000, 150100, 440100), name="park"),
            Change(
                "no2",
                shapely.LineString([(150000, 440000), (150500, 440000)]),
                amount=2.5,
                width_m=80,
            ),
        ],
        inequality=["no2"],
    )
    path = write_scenario(scenario, tmp_path)
    again = read_scenario(path)
    assert (again.name, again.title, again.inequality) == (scenario.name, scenario.title, ["no2"])
    assert [c.kind for c in again.changes] == ["groen_erbij", "no2"]
    assert again.changes[1].amount == 2.5 and again.changes[1].width_m == 80
    assert again.changes[0].geometry.area == pytest.approx(10_000, rel=1e-3)
    geo = json.loads((tmp_path / "rond.geojson").read_text(encoding="utf-8"))
    assert -180 <= geo["features"][0]["geometry"]["coordinates"][0][0][0] <= 180  # WGS84
    bad = tmp_path / "slecht.toml"
    bad.write_text('naam = "Met Spatie"\ntitel = "x"\nonbekend = 1\n', encoding="utf-8")
    with pytest.raises(InputDataError, match="naam") as err:
        read_scenario(bad)
    assert "onbekend" in str(err.value)


def test_slope_change_of_identical_values_is_zero() -> None:
    rng = np.random.default_rng(1)
    values, ses, w = rng.normal(10, 2, 30), rng.normal(0, 1, 30), rng.uniform(100, 900, 30)
    table = slope_change(values, values, ses, w, w, n_boot=200)
    assert (table["verschil"] == 0).all()
    assert (table[["verschil_ondergrens", "verschil_bovengrens"]].to_numpy() == 0).all()
    lower = slope_change(values, values - 1.0 * (ses < 0), ses, w, w, n_boot=200)
    sii = lower[lower["maat"] == "sii"].iloc[0]
    assert sii["verschil"] < 0 and sii["verschil_bovengrens"] < 0


def test_cli_writes_fact_sheets_health_and_comparison(demo_config: Path, tmp_path: Path) -> None:
    files = write_demo_scenarios(make_synthetic_town(), tmp_path / "in", demo_config)
    hostile = read_scenario(files[1])
    hostile_path = write_scenario(
        Scenario("vijandig", '=HYPERLINK("http://x")', hostile.changes, health=hostile.health),
        tmp_path / "in",
    )
    out = tmp_path / "uit"
    assert (
        main(
            [
                "scenario",
                *map(str, files),
                str(hostile_path),
                "--run",
                str(demo_config),
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    park = out / "scenario-park-en-huisarts"
    health = pd.read_csv(park / "gezondheid.csv")
    green = health[health["effect"] == "sterfte vermeden per jaar (groen)"].iloc[0]
    assert 0 < green["ondergrens"] < green["schatting"] < green["bovengrens"]
    assert "Rojas-Rueda" in green["bron"]
    ses = pd.read_csv(park / "ses_groepen.csv")
    # the park lies in the lowest-SES buurt: group 1 gets more than its share of the gain
    low = ses[ses["ses_groep"] == "1 (laagste SES)"].iloc[0]
    assert low["aandeel_winst"] > low["aandeel_inwoners"]
    page = (park / "factsheet.html").read_text(encoding="utf-8")
    for text in ("Modelschatting", "Aannames", "SES-groep", "WHO", "kaart_verschil.png"):
        assert text in page
    for internal in ("lonely_pct", "_voor", "sterfte_vermeden", "groen_300m", "score_inwoners"):
        assert internal not in page
    air = pd.read_csv(out / "scenario-autoluw-centrum" / "gezondheid.csv")
    assert "sterfte vermeden per jaar (NO2)" in set(air["effect"])
    comparison = (out / "vergelijking.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in comparison and '"=HYPERLINK' not in comparison
    assert (park / "kaart_verschil.png").stat().st_size > 10_000
    layers = set(gpd.list_layers(park / "scenario.gpkg")["name"])
    assert layers == {"buurten", "cellen_veranderd"}
    # the comparison per buurt, in the run's GIS formats: each scenario's change side by side
    side = gpd.read_file(out / "vergelijking.gpkg", layer="buurten")
    parquet = gpd.read_parquet(out / "vergelijking_buurten.parquet")
    assert list(side.columns) == list(parquet.columns)
    one = pd.read_csv(park / "buurten.csv").set_index("buurtcode")["score_inwoners_verschil"]
    np.testing.assert_allclose(
        side.set_index("buurtcode")["park_en_huisarts_score_verschil"].loc[one.index], one
    )
    assert {"autoluw_centrum_score_verschil", "autoluw_centrum_omlaag"} <= set(side.columns)

"""Scenarios with the new measures (play area, seats, food, trees) and the plan check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from gezondewijk import InputDataError
from gezondewijk.scenarios import Change, Scenario
from gezondewijk.scenarios.base import ScenarioBase, prepare_base
from gezondewijk.scenarios.compare import run_scenario
from gezondewijk.scenarios.plan_check import plan_check
from gezondewijk.settings import load_config
from tests.conftest import ROOT, shared_path


def test_plan_check_by_hand() -> None:
    # two cells of a plan: 300 and 100 new inhabitants
    values = pd.DataFrame(
        {
            "distance_playground_walk_m": [150.0, 350.0, 999.0],
            "distance_green_1ha_walk_m": [100.0, 200.0, 50.0],
            "sport_kinds_1500m": [2.0, 4.0, 0.0],
            "benches_per_km": [9.0, 9.0, 0.0],
            "noise_lden": [62.0, 58.0, 80.0],
            "no2": [9.0, 9.0, 40.0],
        }
    )
    table = plan_check([("Nieuwe Hof", np.array([0, 1]), np.array([300.0, 100.0]))], values)
    by = table.set_index("regel")
    # (300·150 + 100·350)/400 = 200 m: a play area within 200 m, met
    assert by.loc["Speelplek binnen 200 m", "waarde"] == pytest.approx(200.0)
    assert by.loc["Speelplek binnen 200 m", "oordeel"] == "voldoet"
    # sport kinds (300·2 + 100·4)/400 = 2.5 < 3: missed
    assert by.loc["Drie soorten sportaccommodatie binnen 1,5 km", "oordeel"] == "voldoet niet"
    # no canopy in the run: said so, with the source to use
    canopy = by.loc["30 % boomkroonbedekking in de buurt"]
    assert canopy["oordeel"] == "ontbreekt" and "Bomen in Nederland" in canopy["toelichting"]
    # noise 61 dB Lden: GES 5; NO2 9 µg/m³: GES 1b; PM10 absent; PET absent
    assert by.loc["Wegverkeersgeluid (Lden)", "oordeel"] == "5: zeer matig"
    assert by.loc["NO2 jaargemiddelde", "oordeel"].startswith("1b")
    assert by.loc["PM10 jaargemiddelde", "oordeel"] == "ontbreekt"
    assert set(table["plan"]) == {"Nieuwe Hof"} and len(table) == 6 + 3 + 1


@pytest.fixture(scope="module")
def campus() -> ScenarioBase:
    shared_path("osm-tudelft-dsol", "tudelft.osm.pbf")
    shared_path("osm-delft-roads-asa2026e", "delft_buurten_proj.gpkg")
    config = load_config(ROOT / "examples" / "tudelft-vuistregels.toml")
    return prepare_base(config, stream=None)


@pytest.mark.realdata
def test_a_new_play_area_moves_only_nearby_cells(campus: ScenarioBase) -> None:
    before = campus.state.at_cells.values
    far = before["distance_playground_walk_m"].idxmax()
    x, y = campus.state.laid.cells.x[far], campus.state.laid.cells.y[far]
    change = Change("speelplek", shapely.Point(x, y), name="speeltuin")
    result = run_scenario(campus, Scenario("speel", "Speeltuin", [change]), bootstrap=10)
    after = result.applied.cell_values["distance_playground_walk_m"]
    assert after[far] < before["distance_playground_walk_m"][far]
    moved = (after != before["distance_playground_walk_m"]).to_numpy()
    assert 0 < moved.sum() < len(after)  # incremental: far cells keep their value bit for bit
    assert (after <= before["distance_playground_walk_m"] + 1e-9).all()


@pytest.mark.realdata
def test_seats_and_food_change_their_buurt_and_the_reach(campus: ScenarioBase) -> None:
    state = campus.state
    assert state.at_cells.inputs is not None
    food = state.at_cells.inputs.points["voedsel"]
    snack = food[food["groep"] == "ongezond"].geometry.iloc[0]
    buurten = state.joined.buurten
    inside = shapely.point_on_surface(buurten.geometry.iloc[3])
    changes = [
        Change("zitplekken", inside, amount=10, name="banken"),
        Change("snackbar_dicht", shapely.Point(snack.x + 5, snack.y), name="dicht"),
        Change("groenteboer", inside, name="groenteboer"),
    ]
    result = run_scenario(campus, Scenario("lokaal", "Lokaal", changes), bootstrap=10)
    before_b = campus.result.buurten.set_index("buurtcode")
    after_b = result.applied.buurten.set_index("buurtcode")
    code = buurten["buurtcode"].iloc[3]
    assert after_b.loc[code, "benches_per_km"] > before_b.loc[code, "benches_per_km"]
    others = after_b.index != code
    assert (after_b.loc[others, "benches_per_km"] == before_b.loc[others, "benches_per_km"]).all()
    cells_before = state.at_cells.values
    cells_after = result.applied.cell_values
    assert cells_after["food_unhealthy_400m"].sum() < cells_before["food_unhealthy_400m"].sum()
    assert cells_after["food_all_400m"].sum() >= cells_before["food_all_400m"].sum() - 1e-9
    assert any("adressen of celmiddens" in n for n in result.notes)
    # a snack bar that is not there: nothing changes, and the note says so
    nowhere = Change("snackbar_dicht", shapely.Point(0, 0), name="nergens")
    empty = run_scenario(campus, Scenario("niets", "Niets", [nowhere]), bootstrap=10)
    assert empty.applied.touched.sum() == 0
    assert any("er verandert niets" in n for n in empty.notes)


@pytest.mark.realdata
def test_trees_need_a_canopy_layer_and_homes_get_a_plan_check(campus: ScenarioBase) -> None:
    area = shapely.buffer(
        shapely.point_on_surface(campus.state.joined.buurten.geometry.iloc[4]), 40
    )
    with pytest.raises(InputDataError, match="boomkroonbedekking"):
        run_scenario(campus, Scenario("b", "Bomen", [Change("bomen", area)]), bootstrap=10)
    homes = Change("woningen", area, amount=200, name="Nieuwbouw Campus")
    result = run_scenario(campus, Scenario("w", "Woningen", [homes]), bootstrap=10)
    check = result.plan_check
    assert set(check["plan"]) == {"Nieuwbouw Campus"}
    rules = check[check["toets"].str.startswith("RIVM")]
    assert len(rules) == 6
    assert set(rules["oordeel"]) <= {"voldoet", "voldoet niet", "ontbreekt"}
    assert (rules.set_index("regel").loc["Speelplek binnen 200 m", "oordeel"]) in {
        "voldoet", "voldoet niet",
    }  # fmt: skip


def test_healthy_years_without_a_life_table_are_not_computed() -> None:
    from gezondewijk.scenarios.health import health_effect
    from gezondewijk.scenarios.model import HealthSettings

    before = pd.DataFrame({"population": [100.0, 200.0], "no2": [30.0, 25.0]})
    after = before.assign(no2=[28.0, 25.0])
    buurten = pd.DataFrame({"buurtcode": ["BU00010001"], "buurtnaam": ["Noord"]})
    effect = health_effect(before, after, np.array([0, 0]), buurten, HealthSettings())
    assert all(np.isnan(v) for v in effect.healthy_years_per_inhabitant)  # not 0.0000
    assert any("geen levenstafel" in n for n in effect.notes)

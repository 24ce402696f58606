"""Class tables (GES, PET heat stress): one class per factor, never summed, unknown stated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gezondewijk import PresetError
from gezondewijk.reports.classes import class_rows
from gezondewijk.scoring import available_presets, load_preset
from gezondewijk.scoring.apply import apply_preset, main_score_column
from gezondewijk.scoring.classes import MISSING, UNKNOWN, classify
from gezondewijk.scoring.levels import check_presets
from gezondewijk.scoring.preset import Preset


def test_ges_road_noise_classes_of_the_2012_handbook() -> None:
    # Noord-Brabant after Handboek GES 2012: 55-60 = 4, 60-65 = 5, 65-70 = 6, 70-75 = 7, >= 75 = 8
    ges = load_preset("ges")
    noise = next(i for i in ges.indicators if i.variable == "noise_lden")
    codes, scores = classify(np.array([54.9, 55.0, 59.99, 60.0, 67.0, 74.9, 75.0, 90.0]), noise)
    assert codes.tolist() == [UNKNOWN, "4", "4", "5", "6", "7", "8", "8"]
    assert np.isnan(scores[0]) and scores[1:].tolist() == [4, 4, 5, 6, 7, 8, 8]
    # below 55 dB the source gives no class: said so, with the handbook to consult
    assert "Handboek GES" in noise.unknown_note and "55 dB" in noise.unknown_note
    assert classify(np.array([np.nan]), noise)[0].tolist() == [MISSING]


def test_ges_air_has_only_the_classes_found() -> None:
    ges = load_preset("ges")
    no2 = next(i for i in ges.indicators if i.variable == "no2")
    # GES 2018 v1.7 via Provincie Groningen: 7,5-10 µg/m³ = GES 1b; nothing else was found
    codes, _ = classify(np.array([5.0, 7.5, 9.99, 10.0, 25.0]), no2)
    assert codes.tolist() == [UNKNOWN, "1b", "1b", UNKNOWN, UNKNOWN]
    assert all(v.variable != "pm25" for v in ges.indicators)  # no PM2.5 class was found


def test_ges_scores_are_never_summed() -> None:
    values = pd.DataFrame(
        {"noise_lden": [66.0, 56.0, 50.0, np.nan], "no2": [8.0, 8.0, 30.0, np.nan]}
    )
    out = apply_preset(values, load_preset("ges"), {})
    # noise GES 6 + NO2 GES 1b: the summary is the highest known class (6), not 7
    assert out["ges_hoogste"].tolist() == ["6", "4", "", ""]
    assert out["ges_hoogste_score"].tolist()[:2] == [6, 4]
    # factors at GES 6 (MTR) or above
    assert out["ges_n_vanaf"].tolist() == [1, 0, 0, 0]
    # 50 dB and 30 µg/m³ fall outside the documented classes: unknown, counted as such
    assert out.loc[2, "ges_geluid_wegverkeer_klasse"] == UNKNOWN
    assert out["ges_n_onbekend"].tolist() == [0, 0, 2, 0]  # PM10 absent: ontbreekt, not unknown
    assert out["ges_n_bekend"].tolist() == [2, 2, 0, 0]
    assert out.loc[3, "ges_no2_klasse"] == MISSING
    assert main_score_column(load_preset("ges")) == "ges_hoogste_score"


def test_pet_heat_stress_classes() -> None:
    heat = load_preset("hittestress")
    pet = heat.indicators[0]
    codes, _ = classify(np.array([-5.0, 20.0, 23.0, 28.9, 29.0, 35.0, 40.99, 41.0]), pet)
    assert codes.tolist() == [
        "extreme_kou", "geen", "licht", "licht", "matig", "sterk", "sterk", "extreem",
    ]  # fmt: skip
    out = apply_preset(pd.DataFrame({"heat_pet": [34.0, 36.0, 45.0]}), heat, {})
    assert out["hittestress_n_vanaf"].tolist() == [0, 1, 1]  # from strong heat stress (35 °C)
    assert "Matzarakis" in pet.classes[0].source


def test_class_tables_are_checked() -> None:
    base = load_preset("hittestress").model_dump()
    base["indicators"][0]["classes"] = list(reversed(base["indicators"][0]["classes"]))
    with pytest.raises(ValueError, match="lowest first"):
        Preset.model_validate(base)
    no_classes = load_preset("hittestress").model_dump()
    no_classes["indicators"][0]["classes"] = []
    with pytest.raises(ValueError, match="needs 'classes'"):
        Preset.model_validate(no_classes)
    # two class presets can run side by side (their columns carry their own names)
    check_presets(load_preset("eindhoven-8"), [load_preset("ges"), load_preset("hittestress")])
    with pytest.raises(PresetError, match="collide"):
        check_presets(load_preset("eindhoven-8"), [load_preset("ges"), load_preset("ges")])
    assert {"ges", "hittestress", "rivm-vuistregels"} <= set(available_presets())


def test_fact_sheet_rows_from_the_written_table() -> None:
    from types import SimpleNamespace

    from gezondewijk.outputs.metadata import classes_table

    result = SimpleNamespace(preset=load_preset("eindhoven-8"), extra_presets=[load_preset("ges")])
    table = classes_table(result)  # type: ignore[arg-type]
    assert table is not None
    # round trip through CSV as the run folder stores it
    import io

    buffer = io.StringIO()
    table.to_csv(buffer, index=False)
    buffer.seek(0)
    written = pd.read_csv(buffer)
    rows = class_rows(written, {"noise_lden": 71.0, "no2": 12.0}, unit=lambda v: "dB")
    by_factor = {r.factor: r for r in rows}
    noise = by_factor["Wegverkeersgeluid (Lden)"]
    assert (noise.code, noise.label, noise.unit) == ("7", "ruim onvoldoende", "dB")
    assert noise.colour.startswith("#") and "Noord-Brabant" in noise.source
    no2 = by_factor["NO2 jaargemiddelde"]
    assert no2.code == UNKNOWN and no2.label == "niet bekend in de gebruikte bron"
    assert "v1.7" in no2.source  # where to find the missing classes
    assert by_factor["PM10 jaargemiddelde"].code == MISSING


def test_values_rounded_to_what_their_unit_carries() -> None:
    from gezondewijk.number_format import for_unit

    assert for_unit(886.81, "m") == "890"
    assert for_unit(1745.4, "m") == "1.750"
    assert for_unit(3684.0, "inw/km²") == "3.684"
    assert for_unit(35.24, "°C") == "35,2"
    assert for_unit(2.5, "soorten") == "2,5"
    assert for_unit(float("nan"), "m") == "–"

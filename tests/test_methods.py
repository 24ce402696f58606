"""Each ranking method recomputes a small hand-worked table exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gezondewijk.scoring import load_preset
from gezondewijk.scoring.ahah import exponential_transform
from gezondewijk.scoring.apply import apply_preset
from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.stapel import gi_star

FOUR = pd.DataFrame(
    {
        "no2": [10.0, 20.0, 30.0, 40.0],
        "pm25": [8.0, 6.0, 7.0, 5.0],
        "distance_green_m": [100.0, 400.0, 300.0, 200.0],
        "good_health_pct": [80.0, 70.0, 75.0, 60.0],
        "hard_to_make_ends_meet_pct": [10.0, 20.0, 15.0, 30.0],
    }
)


def test_ces4_by_hand() -> None:
    out = apply_preset(FOUR, load_preset("ces4"), {})
    # percentiles: no2 25/50/75/100, pm25 100/50/75/25 → exposure mean 62.5/50/75/62.5;
    # green (env. effect) 25/100/75/50; PB' = (exp + env/2)/1.5 = 50/66.67/75/58.33, max 75
    assert out["ces_pb"].tolist() == pytest.approx(
        [50 / 7.5, 66.6667 / 7.5, 10.0, 58.3333 / 7.5], rel=1e-5
    )
    # sensitive: good health (higher better) 25/75/50/100; socio-economic 25/75/50/100
    assert out["ces_pc"].tolist() == pytest.approx([2.5, 7.5, 5.0, 10.0])
    assert out["ces_score"].tolist() == pytest.approx([16.6667, 66.6667, 50.0, 77.7778], rel=1e-5)
    assert out["ces_percentile"].tolist() == [25.0, 75.0, 50.0, 100.0]
    assert out["ces_n_pb"].tolist() == [3, 3, 3, 3]


def test_ces4_minimum_indicators_rule() -> None:
    values = FOUR.copy()
    values.loc[0, "good_health_pct"] = np.nan  # only 1 population indicator left (< 2)
    out = apply_preset(values, load_preset("ces4"), {})
    assert np.isnan(out["ces_score"].iloc[0])
    assert out["ces_score"].iloc[1:].notna().all()
    assert out["ces_pc"].max() == pytest.approx(10.0)  # scaling ignores the unscored area


def test_ahah_by_hand() -> None:
    preset = Preset.model_validate(
        {
            "name": "t",
            "title": "t",
            "method": "ahah",
            "missing_data": "see the docstring",
            "indicators": [
                {"key": "a", "label": "a", "domain": "A", "variable": "no2"},
                {"key": "b", "label": "b", "domain": "B", "variable": "pm25"},
            ],
        }
    )
    values = pd.DataFrame({"no2": [1.0, 2.0, 3.0, 4.0], "pm25": [4.0, 3.0, 2.0, 1.0]})
    out = apply_preset(values, preset, {})
    # ranks 1..4 → X = -23 ln(1 - (r/4)(1 - e^(-100/23))) = 6.5177, 15.6472, 31.0091, 100
    assert out["ahah_A"].tolist() == pytest.approx([6.5177, 15.6468, 31.0091, 100.0], abs=1e-4)
    assert out["ahah_B"].tolist() == pytest.approx([100.0, 31.0091, 15.6468, 6.5177], abs=1e-4)
    assert out["ahah_index"].tolist() == pytest.approx(
        [53.2589, 23.3280, 23.3280, 53.2589], abs=1e-4
    )
    assert exponential_transform(np.array([5.0]))[0] == pytest.approx(100.0)


def test_ejscreen_by_hand() -> None:
    out = apply_preset(FOUR, load_preset("ejscreen"), {})
    # demographic index = share struggling to make ends meet: 0.10, 0.20, 0.15, 0.30
    assert out["ejscreen_demographic_index"].tolist() == pytest.approx([0.1, 0.2, 0.15, 0.3])
    # EJ = NO2 percentile × D = 25·0.1, 50·0.2, 75·0.15, 100·0.3
    assert out["ejscreen_no2"].tolist() == pytest.approx([2.5, 10.0, 11.25, 30.0])
    assert out["ejscreen_no2_pct"].tolist() == [25.0, 50.0, 75.0, 100.0]
    assert np.isnan(out["ejscreen_geluid"]).all()  # no noise data: missing, not zero


def test_weighted_by_hand() -> None:
    preset = Preset.model_validate(
        {
            "name": "t",
            "title": "t",
            "method": "weighted",
            "missing_data": "see the docstring",
            "indicators": [
                {"key": "a", "label": "a", "variable": "no2", "weight": 3.0},
                {"key": "b", "label": "b", "variable": "good_health_pct", "weight": 1.0},
            ],
        }
    )
    out = apply_preset(FOUR, preset, {})
    # no2 scaled 0, 1/3, 2/3, 1; good health (higher better) scaled 0, 0.5, 0.25, 1
    expected = [100 * (3 * a + b) / 4 for a, b in [(0, 0), (1 / 3, 0.5), (2 / 3, 0.25), (1, 1)]]
    assert out["weighted_score"].tolist() == pytest.approx(expected)


def test_gi_star_by_hand() -> None:
    # 3 × 3 grid of 1 km cells with values 1..9 (row by row); queen neighbours plus self.
    x = np.tile([0.0, 1000.0, 2000.0], 3)
    y = np.repeat([2000.0, 1000.0, 0.0], 3)
    values = np.arange(1.0, 10.0)
    z = gi_star(values, x, y, 1500.0)
    # corner 1: neighbours 1, 2, 4, 5 → (12 - 5·4) / (s √((9·4 - 4²)/8)), s = √(60/9)
    assert z[0] == pytest.approx(-8 / (np.sqrt(60 / 9) * np.sqrt(20 / 8)))
    assert np.isnan(z[4])  # the centre sees every cell: no contrast, zero variance
    assert z[8] == pytest.approx(-z[0])


def test_stapel_classes() -> None:
    x = np.tile(np.arange(5) * 1000.0, 5)
    y = np.repeat(np.arange(5) * 1000.0, 5)
    hot = (x <= 1000) & (y <= 1000)  # a 2 × 2 block in one corner
    values = pd.DataFrame(
        {
            "no2": np.where(hot, 40.0, 10.0),
            "distance_green_m": np.where(hot, 900.0, 100.0),
            "good_health_pct": np.where(hot, 60.0, 80.0),
        }
    )
    out = apply_preset(values, load_preset("rivm-stapel"), {}, x=x, y=y, cell_size=1000.0)
    assert set(out.loc[hot, "stapel_klasse"]) == {"beide"}
    assert set(out.loc[~hot & (x >= 3000) & (y >= 3000), "stapel_klasse"]) == {"geen"}
    assert out.loc[hot, "stapel_kwetsbaar"].all()


def test_3_30_300_by_hand() -> None:
    values = pd.DataFrame(
        {
            "trees_visible": [5.0, 2.0, np.nan],
            "canopy_pct": [35.0, 10.0, 28.0],
            "distance_green_walk_m": [250.0, 420.0, np.nan],
            "distance_green_km": [np.nan, np.nan, 0.2],
        }
    )
    out = apply_preset(values, load_preset("3-30-300"), {})
    # area 0 meets all three rules; area 1 fails all three; area 2: trees unknown, canopy
    # 28 % < 30 % fails, green by road 0.2 km meets the substitute (the rule is 300 m walking,
    # measured along the network)
    assert out["bomen_3_aan"].tolist() == [0, 1, pd.NA]
    assert out["kroon_30_aan"].tolist() == [0, 1, 1]
    assert out["groen_300_aan"].tolist() == [0, 1, 0]
    assert out["groen_300_status"].tolist() == ["gebruikt", "gebruikt", "vervangen"]
    assert out["score"].tolist() == [0, 3, 1]
    assert out["n_beschikbaar"].tolist() == [3, 3, 2]
    # without a walking network the straight-line distance stands in, and says so
    straight = values.rename(columns={"distance_green_walk_m": "distance_green_m"})
    out = apply_preset(straight, load_preset("3-30-300"), {})
    assert out["groen_300_aan"].tolist() == [0, 1, 0]
    assert out["groen_300_status"].tolist() == ["vervangen", "vervangen", "vervangen"]
    assert out["groen_300_variabele"].tolist()[:2] == ["distance_green_m", "distance_green_m"]

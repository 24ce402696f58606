"""Each ranking method recomputes a small hand-worked table exactly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from gezondewijk import InputDataError
from gezondewijk.scoring import load_preset
from gezondewijk.scoring.ahah import exponential_transform
from gezondewijk.scoring.apply import apply_preset
from gezondewijk.scoring.ces import min_pc_indicators
from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.stapel import gi_star


def _toy_preset(method: str, indicators: list[Any]) -> Preset:
    """A throw-away preset of one method over the given indicators."""
    return Preset.model_validate(
        {
            "name": "t",
            "title": "t",
            "method": method,
            "missing_data": "see the docstring",
            "indicators": indicators,
        }
    )


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
    # FOUR has 2 of the preset's 4 population indicators; OEHHA's 5-of-8 rule would leave
    # every area unscored, so the arithmetic is checked with a minimum of 2
    out = apply_preset(FOUR, _with_params("ces4", min_pc_indicators=2), {})
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
    out = apply_preset(values, _with_params("ces4", min_pc_indicators=2), {})
    assert np.isnan(out["ces_score"].iloc[0])
    assert out["ces_score"].iloc[1:].notna().all()
    assert out["ces_pc"].max() == pytest.approx(10.0)  # scaling ignores the unscored area


def test_ahah_by_hand() -> None:
    preset = _toy_preset(
        "ahah",
        [
            {"key": "a", "label": "a", "domain": "A", "variable": "no2"},
            {"key": "b", "label": "b", "domain": "B", "variable": "pm25"},
        ],
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
    preset = _toy_preset(
        "weighted",
        [
            {"key": "a", "label": "a", "variable": "no2", "weight": 3.0},
            {"key": "b", "label": "b", "variable": "good_health_pct", "weight": 1.0},
        ],
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


def test_gi_star_equals_pysal() -> None:
    import warnings

    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand

    rng = np.random.default_rng(3)
    x = rng.uniform(0, 20_000, 600)
    y = rng.uniform(0, 20_000, 600)
    values = rng.gamma(2.0, 3.0, 600)
    values[::17] = np.nan  # left out, as gi_star documents
    known = ~np.isnan(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = DistanceBand.from_array(
            np.column_stack([x[known], y[known]]), threshold=1500.0, binary=True
        )
        expected = G_Local(values[known], w, transform="B", star=True, permutations=0).Zs
    z = gi_star(values, x, y, 1500.0)
    assert np.isnan(z[~known]).all()
    assert z[known] == pytest.approx(expected, rel=1e-12, abs=1e-12)


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


def _with_params(name: str, **params: object) -> Preset:
    preset = load_preset(name)
    return preset.model_copy(update={"params": {**preset.params, **params}})


def test_ces_zero_rule_by_hand() -> None:
    from gezondewijk.scoring.ces import ces_percentile

    values = np.array([0.0, 0.0, 5.0, 10.0, 10.0, np.nan])
    # OEHHA: zeros at 0; the three non-zero values ranked among themselves (share at or below)
    assert ces_percentile(values).tolist()[:5] == pytest.approx([0, 0, 100 / 3, 100, 100])
    # ranked among all five known values instead
    assert ces_percentile(values, zero_rule="rank_all").tolist()[:5] == pytest.approx(
        [40, 40, 60, 100, 100]
    )
    assert np.isnan(ces_percentile(values)[5])


def test_ces4_oehha_minimum_and_unscored_pollution_burden() -> None:
    # four areas; area 0 has only 2 of the 4 population indicators (ceil(4·5/8) = 3 needed)
    values = FOUR.assign(
        anxiety_depression_pct=[np.nan, 40.0, 50.0, 60.0],
        ses_woa=[np.nan, 0.1, 0.0, -0.2],
        no2=[50.0, 20.0, 30.0, 40.0],
    )
    preset = load_preset("ces4")
    assert min_pc_indicators(preset) == 3
    out = apply_preset(values, preset, {})
    assert out["ces_scored"].tolist() == [False, True, True, True]
    assert np.isnan(out["ces_score"].iloc[0]) and np.isnan(out["ces_pc"].iloc[0])
    # Pollution Burden is published for the unscored area, scaled by the scored maximum:
    # no2 pct 100/25/50/75, pm25 100/50/75/25 → exposure 100/37.5/62.5/50;
    # green 25/100/75/50 → PB' = (exp + env/2)/1.5 = 75/58.33/66.67/50; max over scored 66.67
    pb_raw = np.array([75.0, 175 / 3, 200 / 3, 50.0])
    assert out["ces_pb"].tolist() == pytest.approx(10 * pb_raw / (200 / 3))
    assert out["ces_pb"].iloc[0] > 10  # above the scored maximum, published as it is
    assert np.nanmax(out["ces_pc"]) == pytest.approx(10.0)


def test_ces_default_minimum_is_five_of_eight() -> None:
    pc = [
        {
            "key": f"p{i}",
            "label": "p",
            "domain": "sensitive_population",
            "variable": f"v{i}",
            "direction": "higher_is_worse",
        }
        for i in range(8)
    ]
    preset = _toy_preset(
        "ces",
        [
            {"key": "a", "label": "a", "domain": "exposure", "variable": "no2"},
            *pc,
        ],
    )
    rng = np.random.default_rng(1)
    values = pd.DataFrame(rng.uniform(1, 9, (3, 8)), columns=[f"v{i}" for i in range(8)])
    values["no2"] = [1.0, 2.0, 3.0]
    values.iloc[0, :3] = np.nan  # 5 of 8 known: scored
    values.iloc[1, :4] = np.nan  # 4 of 8 known (4 missing): not scored
    out = apply_preset(values, preset, {})
    assert out["ces_scored"].tolist() == [True, False, True]


def test_ces_inputs_given_as_percentiles_are_not_ranked_again() -> None:
    preset = _with_params("ces4", inputs_are_percentiles=True, min_pc_indicators=1)
    published = pd.DataFrame(
        {"no2": [12.0, 40.0, 99.5, 0.0], "distance_green_m": [50.0, 10.0, 20.0, 30.0]}
    ).assign(good_health_pct=[10.0, 90.0, 40.0, 70.0])
    out = apply_preset(published, preset, {})
    assert out["ces_pct_no2"].tolist() == [12.0, 40.0, 99.5, 0.0]
    # taken as they are, not flipped: a published percentile is already "higher = worse"
    assert out["ces_pct_gezondheid"].tolist() == [10.0, 90.0, 40.0, 70.0]
    bad = published.assign(no2=[12.0, 140.0, 99.5, 0.0])
    with pytest.raises(InputDataError, match=r"row 2.*no2.*140"):
        apply_preset(bad, preset, {})


def test_ahah_ties_get_the_lowest_rank() -> None:
    preset = _toy_preset("ahah", [{"key": "a", "label": "a", "domain": "A", "variable": "no2"}])
    values = pd.DataFrame({"no2": [1.0, 2.0, 2.0, 4.0]})
    x = lambda r: -23 * np.log(1 - (r / 4) * (1 - np.exp(-100 / 23)))  # noqa: E731
    out = apply_preset(values, preset, {})
    # CDRC: ranks 1, 2, 2, 4 (min); the domain score is ranked again with the same rule
    assert out["ahah_A"].tolist() == pytest.approx([x(1), x(2), x(2), x(4)])
    assert out["ahah_rank"].tolist() == [4, 2, 2, 1]
    average = preset.model_copy(update={"params": {"ties": "average"}})
    out = apply_preset(values, average, {})
    assert out["ahah_A"].tolist() == pytest.approx([x(1), x(2.5), x(2.5), x(4)])
    assert load_preset("ahah").params["ties"] == "min"


def test_ces4_minimum_is_a_share_so_a_copy_with_all_eight_needs_five() -> None:
    # OEHHA: "at least 5 of 8" population indicators; ces4 states it as the share 5/8, so a
    # user's copy with all eight population indicators needs 5, not ces4's 3 of 4
    base = load_preset("ces4")
    assert base.number("min_pc_share", 0) == pytest.approx(5 / 8)
    more = [
        {"key": f"p{i}", "label": "p", "domain": "socioeconomic", "variable": f"v{i}",
         "direction": "higher_is_worse"}
        for i in range(8 - 4)
    ]  # fmt: skip
    data = base.model_dump()
    data["indicators"] = [*data["indicators"], *more]
    eight = Preset.model_validate(data)
    assert sum(i.domain in ("sensitive_population", "socioeconomic") for i in eight.indicators) == 8
    assert min_pc_indicators(eight) == 5
    assert min_pc_indicators(_with_params("ces4", min_pc_indicators=2)) == 2

"""Toy cases for thresholds, substitutes and the stacked score."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gezondewijk import PresetError
from gezondewijk.scoring import available_presets, load_preset, reference_values, score_stack
from gezondewijk.scoring.preset import Preset

TOY = {
    "name": "toy",
    "title": "toy",
    "missing_data": "first option with data; none means missing",
    "indicators": [
        {
            "key": "lucht",
            "label": "Lucht",
            "options": [
                {
                    "parts": [
                        {
                            "variable": "no2",
                            "rule": "absolute",
                            "value": 10.0,
                            "source": "WHO 2021",
                        },
                        {
                            "variable": "noise_lden",
                            "rule": "absolute",
                            "value": 53.0,
                            "source": "WHO 2018",
                        },
                    ]
                }
            ],
        },
        {
            "key": "ses",
            "label": "SES",
            "options": [
                {
                    "parts": [
                        {
                            "variable": "ses_woa",
                            "rule": "quantile",
                            "share": 0.25,
                            "source": "worst quartile",
                        }
                    ]
                },
                {
                    "parts": [
                        {
                            "variable": "hard_to_make_ends_meet_pct",
                            "rule": "reference",
                            "source": "above mean",
                        }
                    ]
                },
            ],
        },
        {
            "key": "gezond",
            "label": "Gezond",
            "options": [
                {
                    "parts": [
                        {"variable": "good_health_pct", "rule": "reference", "source": "below mean"}
                    ]
                }
            ],
        },
    ],
}


def test_toy_scores_by_hand() -> None:
    preset = Preset.model_validate(TOY)
    values = pd.DataFrame(
        {
            "no2": [12.0, 8.0, np.nan, 9.0],
            "noise_lden": [np.nan, 60.0, np.nan, 50.0],
            "ses_woa": [-0.5, 0.1, np.nan, 0.3],
            "hard_to_make_ends_meet_pct": [20.0, 10.0, 30.0, 5.0],
            "good_health_pct": [70.0, 80.0, 75.0, np.nan],
            "population": [100.0, 100.0, 200.0, 100.0],
        }
    )
    refs = reference_values(values, preset)
    # mean of hard_to_make_ends_meet weighted by population: (20+10+60+5)*100/500 = 19
    assert refs["hard_to_make_ends_meet_pct"] == pytest.approx(19.0)
    assert refs["good_health_pct"] == pytest.approx((70 + 80 + 150) / 4)
    out = score_stack(values, preset, refs)
    assert out["lucht_aan"].tolist() == [1, 1, pd.NA, 0]
    assert out["lucht_status"].tolist() == ["gedeeltelijk", "gebruikt", "ontbreekt", "gebruikt"]
    # worst quartile of [-0.5, 0.1, 0.3] (higher is better): value <= 25th percentile (-0.2)
    assert out["ses_aan"].tolist() == [1, 0, 1, 0]
    assert out["ses_status"].tolist() == ["gebruikt", "gebruikt", "vervangen", "gebruikt"]
    assert out["ses_variabele"].iloc[2] == "hard_to_make_ends_meet_pct"
    assert out["gezond_aan"].tolist() == [1, 0, 0, pd.NA]
    assert out["score"].tolist() == [3, 1, 1, 0]
    assert out["n_beschikbaar"].tolist() == [3, 3, 2, 2]


def test_every_shipped_preset_loads_and_names_its_sources() -> None:
    assert "eindhoven-8" in available_presets()
    for name in available_presets():
        preset = load_preset(name)
        for ind in preset.indicators:
            for opt in ind.options:
                for part in opt.parts:
                    assert len(part.source) > 10, (name, ind.key, part.variable)


def test_eindhoven_8_has_four_social_and_four_spatial() -> None:
    preset = load_preset("eindhoven-8")
    domains = [i.domain for i in preset.indicators]
    assert domains.count("sociaal") == 4 and domains.count("ruimtelijk") == 4
    who = {
        p.variable: p.value
        for i in preset.indicators
        for o in i.options
        for p in o.parts
        if p.rule == "absolute"
    }
    assert who["no2"] == 10.0 and who["pm25"] == 5.0 and who["noise_lden"] == 53.0
    assert who["distance_green_m"] == 300.0


def test_bad_preset_names_key_and_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\ntitle = "x"\nmissing_data = "nothing is imputed here"\n'
        '[[indicators]]\nkey = "a"\nlabel = "A"\n[[indicators.options]]\n'
        '[[indicators.options.parts]]\nvariable = "no2"\nrule = "absolute"\nsource = "WHO 2021"\n',
        encoding="utf-8",
    )
    with pytest.raises(PresetError, match="needs 'value'") as err:
        load_preset(bad)
    assert "bad.toml" in str(err.value)
    with pytest.raises(PresetError, match="choose one of"):
        load_preset("no-such-preset")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n", encoding="utf-8")
    with pytest.raises(PresetError, match="not valid TOML"):
        load_preset(broken)


def test_preset_on_an_unknown_variable_must_state_its_direction(tmp_path: Path) -> None:
    text = """
name = "eigen"
title = "eigen"
method = "weighted"
missing_data = "gemiddelde van wat er is"
[[indicators]]
key = "hitte"
label = "Hitte-eilanden"
variable = "heat_island_index"
"""
    path = tmp_path / "eigen.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PresetError, match=r"indicator 'hitte'.*heat_island_index.*direction"):
        load_preset(path)
    path.write_text(text + 'direction = "higher_is_worse"\n', encoding="utf-8")
    assert load_preset(path).indicators[0].direction == "higher_is_worse"
    threshold = """
name = "eigen2"
title = "eigen2"
missing_data = "gemiddelde van wat er is"
[[indicators]]
key = "hitte"
label = "Hitte"
[[indicators.options]]
[[indicators.options.parts]]
variable = "heat_island_index"
rule = "absolute"
value = 3
source = "eigen meting"
"""
    path.write_text(threshold, encoding="utf-8")
    with pytest.raises(PresetError, match="indicator 'hitte'"):
        load_preset(path)

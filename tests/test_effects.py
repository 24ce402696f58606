"""Exposure–response functions worked by hand, and the life years they give."""

from __future__ import annotations

import numpy as np
import pytest

from gezondewijk.effects import (
    GREEN_NDVI_MORTALITY,
    NO2_MORTALITY,
    PM25_MORTALITY,
    highly_annoyed_pct,
    highly_sleep_disturbed_pct,
    life_years_gained,
    sleep_disturbed_interval,
)
from gezondewijk.effects.noise import HA_FLOOR_DB
from gezondewijk.equity import life_table, sullivan


def test_air_relative_risks_by_hand() -> None:
    # 10 µg/m³ less PM2.5: 1 - 1/1.08 of the deaths (WHO 2021), bounds with 1.06 and 1.09
    central, low, high = PM25_MORTALITY.interval(-10.0)
    assert float(central) == pytest.approx(1 - 1 / 1.08)
    assert float(low) == pytest.approx(1 - 1 / 1.06)
    assert float(high) == pytest.approx(1 - 1 / 1.09)
    # 5 µg/m³ less: log-linear, 1 - 1.08^-0.5 = 3.775 %: 1000 deaths → 37.75 avoided
    assert 1000 * float(PM25_MORTALITY.fraction_avoided(-5.0)) == pytest.approx(37.75, abs=0.01)
    # NO2: 10 µg/m³ less → 1 - 1/1.02 = 1.961 %
    assert float(NO2_MORTALITY.fraction_avoided(-10.0)) == pytest.approx(0.019608, abs=1e-6)
    # more pollution gives a negative number (deaths added), not zero
    assert float(NO2_MORTALITY.fraction_avoided(4.0)) < 0


def test_green_relative_risk_by_hand() -> None:
    # +0.1 NDVI: HR 0.96 → 4 % fewer deaths; the bound 0.94 is the stronger effect (6 %)
    central, low, high = GREEN_NDVI_MORTALITY.interval(0.1)
    assert float(central) == pytest.approx(0.04)
    assert float(low) == pytest.approx(0.03)
    assert float(high) == pytest.approx(0.06)


def test_noise_curves_reproduce_who_guideline_levels() -> None:
    # WHO 2018 set 53 dB Lden at 10 % highly annoyed and 45 dB Lnight at 3 % highly
    # sleep-disturbed, from these curves
    assert float(highly_annoyed_pct(53.0)) == pytest.approx(9.836, abs=0.01)
    assert float(highly_sleep_disturbed_pct(45.0)) == pytest.approx(2.93, abs=0.01)
    # by hand: 78.9270 - 3.1162*65 + 0.0342*65² = 23.1
    assert float(highly_annoyed_pct(65.0)) == pytest.approx(78.9270 - 202.553 + 144.495)
    # below the curve's lowest point a quieter street is not more annoying
    assert float(highly_annoyed_pct(40.0)) == float(highly_annoyed_pct(HA_FLOOR_DB))
    assert pytest.approx(45.56, abs=0.01) == HA_FLOOR_DB
    assert float(highly_sleep_disturbed_pct(30.0)) == float(highly_sleep_disturbed_pct(40.0))


def test_sleep_interval_scales_with_the_odds_ratio() -> None:
    central, low, high = sleep_disturbed_interval(np.array([60.0]), np.array([55.0]))
    assert central[0] < 0
    assert low[0] == pytest.approx(central[0] * np.log(2.48) / np.log(2.13))
    assert high[0] == pytest.approx(central[0] * np.log(1.82) / np.log(2.13))


def _table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ages = np.array([0, 1, 5, 15, 30, 45, 60, 75, 85], dtype=float)
    pop = np.array([1000, 4000, 10000, 15000, 15000, 14000, 12000, 6000, 2000], dtype=float)
    deaths = np.array([4, 1, 1, 4, 10, 30, 120, 300, 400], dtype=float)
    return ages, pop, deaths


def test_life_years_by_hand() -> None:
    ages, pop, deaths = _table()
    same = life_years_gained(ages, pop, deaths, 1.0, min_age=30)
    assert same.life_expectancy_gain == 0 and same.deaths_avoided_per_person == 0
    gain = life_years_gained(ages, pop, deaths, 0.9, min_age=30, unhealthy_share=0.2)
    # deaths avoided: 10 % of the deaths at 30+, per inhabitant
    assert gain.deaths_avoided_per_person == pytest.approx(0.1 * 860 / pop.sum())
    # life expectancy: the same life table with those deaths, built directly
    scaled = np.where(ages >= 30, deaths * 0.9, deaths)
    e0 = life_table(ages, pop, deaths, phe_bands=False)["e"].iloc[0]
    e1 = life_table(ages, pop, scaled, phe_bands=False)["e"].iloc[0]
    assert gain.life_expectancy_gain == pytest.approx(e1 - e0)
    # healthy years: Sullivan on both with 20 % in poor health at every age = 0.8 x the gain
    pi = np.full(len(ages), 0.2)
    h0 = sullivan(life_table(ages, pop, deaths, phe_bands=False), pi)["hle"].iloc[0]
    h1 = sullivan(life_table(ages, pop, scaled, phe_bands=False), pi)["hle"].iloc[0]
    assert gain.healthy_life_years_gain == pytest.approx(h1 - h0)
    assert gain.healthy_life_years_gain == pytest.approx(0.8 * gain.life_expectancy_gain)
    # years of life lost avoided: each avoided death × remaining life expectancy at mid-group
    e = life_table(ages, pop, deaths, phe_bands=False)["e"].to_numpy()
    mid = np.append((e[:-1] + e[1:]) / 2, e[-1])
    expected = ((deaths - scaled) * mid).sum() / pop.sum()
    assert gain.life_years_per_person == pytest.approx(expected)

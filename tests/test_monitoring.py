"""Monitoring over years, on toy data and on the real RIVM 2016 and 2020 tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gezondewijk.equity import change_between_years, inequality_trend
from gezondewijk.scoring import load_preset, reference_values
from gezondewijk.scoring.stability import ranking_stability
from gezondewijk.sources import read_buurten, read_rivm_health
from tests.conftest import shared_path


def test_change_beyond_noise_toy() -> None:
    codes = [f"BU0000000{i}" for i in range(9)]
    before = pd.DataFrame({"lonely_pct": [40.0] * 9}, index=codes)
    after = pd.DataFrame({"lonely_pct": [41, 41, 41, 41.5, 40.5, 41, 41, 48, 34]}, index=codes)
    out = change_between_years(before, after, ["lonely_pct"]).set_index("code")
    # common trend +1; robust spread 1.4826 · 0 … the two outliers stand out
    assert out.loc["BU00000007", "oordeel"] == "slechter"  # lonelier: worse
    assert out.loc["BU00000008", "oordeel"] == "beter"
    assert out.loc["BU00000000", "oordeel"] == "binnen ruis"
    known = change_between_years(before, after, ["lonely_pct"], noise_se={"lonely_pct": 1.0})
    assert (known.set_index("code").loc["BU00000003", "oordeel"]) == "binnen ruis"


def test_inequality_trend_target_toy() -> None:
    codes = [f"BU0000000{i}" for i in range(5)]
    ses = pd.Series([1.0, 2, 3, 4, 5], index=codes)
    pop = pd.Series([1.0] * 5, index=codes)
    y2016 = pd.DataFrame({"good_health_pct": [60.0, 65, 70, 75, 80]}, index=codes)
    y2020 = pd.DataFrame({"good_health_pct": [66.0, 69, 72, 75, 78]}, index=codes)
    out = inequality_trend(
        {2016: y2016, 2020: y2020}, "good_health_pct", ses, pop, baseline=2016, n_boot=50
    )
    sii = out[out["maat"] == "sii"].set_index("jaar")
    assert sii.loc[2016, "schatting"] == pytest.approx(-25.0)  # slope 5 per quintile → 25
    assert sii.loc[2020, "schatting"] == pytest.approx(-15.0)
    assert sii.loc[2020, "voortgang_pct"] == pytest.approx(40.0)
    assert bool(sii.loc[2020, "doel_gehaald"]) is True


def test_stability_flags_close_calls() -> None:
    preset = load_preset("eindhoven-8")
    rng = np.random.default_rng(0)
    values = pd.DataFrame(
        {
            "no2": rng.uniform(8, 12, 60),
            "lonely_pct": rng.uniform(40, 60, 60),
            "good_health_pct": rng.uniform(70, 85, 60),
            "population": 1.0,
            "hard_to_make_ends_meet_pct": rng.uniform(5, 30, 60),
        }
    )
    refs = reference_values(values, preset)
    out = ranking_stability(values, preset, refs, draws=60)
    assert out["stabiel_p_top"].between(0, 1).all()
    assert (out["stabiel_rang_p05"] <= out["stabiel_rang_p95"]).all()
    assert out["stabiel_hangt_af"].any()  # NO2 around the 10 µg/m³ guideline flips
    # an area far above every threshold is always in the top
    values.loc[0, ["no2", "lonely_pct", "good_health_pct", "hard_to_make_ends_meet_pct"]] = [
        30,
        90,
        40,
        60,
    ]
    out = ranking_stability(values, preset, reference_values(values, preset), draws=30)
    assert out.loc[0, "stabiel_p_top"] == 1.0


@pytest.mark.slow
def test_rivm_2016_2020_eindhoven() -> None:
    t16 = read_rivm_health(
        shared_path("rivm-gezondheid-wijk-buurt", "RIVM_gezondheid2016_18plus.xlsx")
    )
    t20 = read_rivm_health(
        shared_path("rivm-gezondheid-wijk-buurt", "rivm_gezondheid_2020_18plus.csv")
    )
    assert t16.attrs["year"] == 2016 and t20.attrs["year"] == 2020
    buurten = read_buurten(
        shared_path(
            "cbs-buurt-2019-national",
            "eindhoven_buurten_2019_outline_with_kwb2025_rivm2020.geojson",
        )
    )
    codes = pd.Index(buurten["buurtcode"])
    before, after = t16.reindex(codes), t20.reindex(codes)
    change = change_between_years(before, after, ["lonely_pct", "good_health_pct"])
    assert len(change) == 2 * 116
    lonely = change[change["variabele"] == "lonely_pct"]
    assert lonely["verschil"].notna().sum() >= 100
    counts = lonely["oordeel"].value_counts()
    assert counts.get("binnen ruis", 0) > counts.get("slechter", 0) + counts.get("beter", 0)
    # gemeente figures move the same way as the buurt median
    gm_change = t20.loc["GM0772", "lonely_pct"] - t16.loc["GM0772", "lonely_pct"]
    assert np.sign(gm_change) == np.sign(lonely["trend"].iloc[0]) or abs(gm_change) < 0.5
    ses = pd.Series(after["hard_to_make_ends_meet_pct"].to_numpy(), index=codes)
    pop = pd.Series(buurten["population"].to_numpy(), index=codes)
    trend = inequality_trend(
        {
            2016: before.dropna(subset=["good_health_pct"]),
            2020: after.dropna(subset=["good_health_pct"]),
        },
        "good_health_pct",
        ses.dropna(),
        pop,
        baseline=2016,
        higher_is_advantaged=False,
        n_boot=100,
    )
    sii = trend[trend["maat"] == "sii"].set_index("jaar")
    # good health is lower where more people struggle to make ends meet: bottom − top < 0
    assert (sii["schatting"] < 0).all()
    assert (sii["bovengrens"] < 0).all()


def test_change_uses_each_buurts_published_margins() -> None:
    codes = ["BU00000001", "BU00000002", "BU00000003", "BU00000004"]
    before = pd.DataFrame(
        {
            "lonely_pct": [40.0, 40.0, 40.0, 40.0],
            # RIVM margins: a narrow interval (±1) and a wide one (±6), as 95 % limits
            "lonely_pct_ondergrens": [39.0, 34.0, 39.0, np.nan],
            "lonely_pct_bovengrens": [41.0, 46.0, 41.0, np.nan],
        },
        index=codes,
    )
    after = pd.DataFrame(
        {
            "lonely_pct": [43.0, 43.0, 40.5, 43.0],
            "lonely_pct_ondergrens": [42.0, 37.0, 39.5, np.nan],
            "lonely_pct_bovengrens": [44.0, 49.0, 41.5, np.nan],
        },
        index=codes,
    )
    out = change_between_years(before, after, ["lonely_pct"]).set_index("code")
    # BU1: se = 2/(2·1.96) in both years → limit = 1.96·√2·0.5102 = 1.414 < 3: beyond
    assert out.loc["BU00000001", "drempel"] == pytest.approx(np.sqrt(2.0))
    assert out.loc["BU00000001", "oordeel"] == "slechter"
    # BU2: se = 12/(2·1.96) → limit 8.49 > 3: the same change is within its wide margins
    assert out.loc["BU00000002", "drempel"] == pytest.approx(6 * np.sqrt(2.0))
    assert out.loc["BU00000002", "oordeel"] == "binnen ruis"
    assert out.loc["BU00000001", "ruis"] == "RIVM-marges per buurt"
    # BU4 has no margins: the median standard error of the others stands in, and it says so
    assert out.loc["BU00000004", "ruis"].startswith("RIVM-marges (mediaan")
    # without margins the robust spread is the fallback, and the output says that too
    plain = change_between_years(before[["lonely_pct"]], after[["lonely_pct"]], ["lonely_pct"])
    assert set(plain["ruis"]) == {"robuuste spreiding van de veranderingen"}

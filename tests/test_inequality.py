"""Inequality measures against a worked example, and their invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gezondewijk import InputDataError
from gezondewijk.equity import (
    concentration_index,
    inequality_summary,
    quintile_gap,
    ridit_ranks,
    slope_index,
)

# Measles vaccination by wealth quintile, Nigeria DHS 2008 (equidade.org, International Center
# for Equity in Health, Pelotas): 17, 28, 41, 58, 75 %. Published concentration index 26.5 (with
# the survey's own quintile sizes); with equal quintiles the grouped formula
# C = Σ (p_{t-1} L_t − p_t L_{t-1}) gives 0.26667 by hand.
MEASLES = np.array([17.0, 28.0, 41.0, 58.0, 75.0])
UNDERWEIGHT = np.array([36.0, 29.0, 22.0, 16.0, 10.0])  # published CIX −22.4
QUINTILE = np.arange(1.0, 6.0)
EQUAL = np.full(5, 0.2)


def _grouped_formula(values: np.ndarray) -> float:
    p = np.concatenate([[0.0], np.cumsum(EQUAL)])
    cum = np.concatenate([[0.0], np.cumsum(values * EQUAL) / np.sum(values * EQUAL)])
    return float(sum(p[t - 1] * cum[t] - p[t] * cum[t - 1] for t in range(1, 6)))


def test_concentration_index_worked_example() -> None:
    c = concentration_index(MEASLES, QUINTILE, EQUAL)
    assert c == pytest.approx(_grouped_formula(MEASLES))
    assert c == pytest.approx(0.266667, abs=1e-6)
    assert 100 * c == pytest.approx(26.5, abs=0.5)
    u = concentration_index(UNDERWEIGHT, QUINTILE, EQUAL)
    assert u == pytest.approx(-0.230088, abs=1e-6)
    assert 100 * u == pytest.approx(-22.4, abs=1.0)


def test_slope_and_relative_index_by_hand() -> None:
    # ridits 0.1 … 0.9; slope = cov/var = 5.84/0.08 = 73; ŷ(0) = 43.8 − 36.5 = 7.3, ŷ(1) = 80.3
    s = slope_index(MEASLES, QUINTILE, EQUAL)
    assert s.bottom == pytest.approx(7.3)
    assert s.top == pytest.approx(80.3)
    assert s.sii == pytest.approx(-73.0)
    assert s.rii == pytest.approx(7.3 / 80.3)
    gap, ratio = quintile_gap(MEASLES, QUINTILE, EQUAL)
    assert gap == pytest.approx(17 - 75) and ratio == pytest.approx(17 / 75)


def test_ridits_share_ties() -> None:
    r = ridit_ranks(np.array([1.0, 2.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0, 1.0]))
    assert r.tolist() == pytest.approx([0.125, 0.5, 0.5, 0.875])


def test_bootstrap_interval_contains_estimate() -> None:
    rng = np.random.default_rng(3)
    ses = rng.normal(size=200)
    health = 70 + 5 * ses + rng.normal(0, 2, 200)
    pop = rng.integers(100, 5000, 200).astype(float)
    out = inequality_summary(health, ses, pop, n_boot=200).set_index("maat")
    for m in out.index:
        assert out.loc[m, "ondergrens"] <= out.loc[m, "schatting"] <= out.loc[m, "bovengrens"]
    assert out.loc["sii", "bovengrens"] < 0  # health rises with SES: bottom minus top < 0
    assert isinstance(out, pd.DataFrame)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1, 100), min_size=5, max_size=40), st.floats(0.1, 10))
def test_scale_invariance(values: list[float], k: float) -> None:
    v = np.array(values)
    ses = np.arange(len(v), dtype=float)
    w = np.ones(len(v))
    assert concentration_index(k * v, ses, w) == pytest.approx(
        concentration_index(v, ses, w), abs=1e-9
    )
    assert slope_index(k * v, ses, w).sii == pytest.approx(
        k * slope_index(v, ses, w).sii, rel=1e-9, abs=1e-9
    )


def test_intervals_with_too_few_areas_are_missing_not_a_warning() -> None:
    # two areas: the quintile ratio cannot be bootstrapped when every resample repeats one area
    # of Q1 only; the interval is then missing instead of numpy warning "All-NaN slice"
    table = inequality_summary(
        np.array([10.0, 20.0]), np.array([1.0, 2.0]), np.array([100.0, 100.0]), n_boot=50
    )
    assert len(table) == 6
    assert table["n_gebieden"].tolist() == [2] * 6
    none = inequality_summary(np.array([10.0, 20.0, 30.0]), np.array([1.0, 2.0, 3.0]), n_boot=0)
    assert none["ondergrens"].isna().all() and none["schatting"].notna().any()


# PHE's example (PHEindicatormethods phe_sii documentation, Area1): life expectancy by decile
PHE_VALUE = np.array([75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3])
PHE_POP = np.array([7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534.0])
PHE_SE = np.array([1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57])
DECILE = np.arange(1.0, 11.0)


def test_simulated_interval_matches_the_normal_theory_by_hand() -> None:
    from gezondewijk.equity import slope_index_simulated

    sim = slope_index_simulated(PHE_VALUE, DECILE, PHE_POP, se=PHE_SE, draws=200_000)
    # the SII is linear in the values: SII = Σ c_i y_i with c = -(slope row of the WLS
    # projection), so its sd is sqrt(Σ c_i² se_i²) and the 95 % limits ±1.96 sd
    a = PHE_POP / PHE_POP.sum()
    r = ridit_ranks(DECILE, PHE_POP)
    x = np.column_stack([np.sqrt(a), r * np.sqrt(a)])
    c = -(np.linalg.solve(x.T @ x, x.T)[1] * np.sqrt(a))
    sd = np.sqrt(np.sum(c**2 * PHE_SE**2))
    assert sim.sii == pytest.approx(float(c @ PHE_VALUE))
    assert sim.sii == pytest.approx(slope_index(PHE_VALUE, DECILE, PHE_POP).sii)
    assert sim.sii_lower == pytest.approx(sim.sii - 1.96 * sd, abs=0.05)
    assert sim.sii_upper == pytest.approx(sim.sii + 1.96 * sd, abs=0.05)
    # the same limits from the 95 % confidence limits instead of the standard errors
    from_limits = slope_index_simulated(
        PHE_VALUE,
        DECILE,
        PHE_POP,
        lower=PHE_VALUE - 1.959964 * PHE_SE,
        upper=PHE_VALUE + 1.959964 * PHE_SE,
        draws=200_000,
    )
    assert from_limits.sii_lower == pytest.approx(sim.sii_lower, abs=0.05)
    # no uncertainty, no interval
    exact = slope_index_simulated(PHE_VALUE, DECILE, PHE_POP, se=np.zeros(10), draws=1000)
    assert exact.sii_lower == pytest.approx(exact.sii) == pytest.approx(exact.sii_upper)


def test_transform_fits_proportions_on_the_logit_scale() -> None:
    from scipy.special import expit, logit

    from gezondewijk.equity import slope_index_simulated

    pop = np.full(5, 1000.0)
    r = ridit_ranks(QUINTILE, pop)
    y = expit(-0.5 - 1.5 * r)  # exactly linear on the logit scale
    se = np.full(5, 0.05)
    fit = slope_index_simulated(y, QUINTILE, pop, se=se, value_type="proportion", transform=True)
    assert fit.sii == pytest.approx(expit(-0.5) - expit(-2.0))
    assert fit.rii == pytest.approx(expit(-0.5) / expit(-2.0))
    straight = slope_index_simulated(y, QUINTILE, pop, se=se, value_type="proportion")
    assert straight.sii == pytest.approx(slope_index(y, QUINTILE, pop).sii)
    assert straight.sii != pytest.approx(fit.sii, rel=1e-3)
    # simulated on the logit scale: limits stay asymmetric and proportions stay in (0, 1)
    assert fit.sii_lower < fit.sii < fit.sii_upper
    assert logit(y).max() < 0
    with pytest.raises(InputDataError, match=r"row 2.*proportion"):
        slope_index_simulated(
            np.array([0.2, 1.2, 0.5]), np.arange(3.0), np.ones(3), se=np.ones(3) * 0.1,
            value_type="proportion",
        )  # fmt: skip


def test_reliability_measures_how_much_the_limits_move() -> None:
    from gezondewijk.equity import slope_index_simulated

    few = slope_index_simulated(PHE_VALUE, DECILE, PHE_POP, se=PHE_SE, draws=1000, reliability=True)
    many = slope_index_simulated(
        PHE_VALUE, DECILE, PHE_POP, se=PHE_SE, draws=100_000, reliability=True
    )
    assert few.sii_mad is not None and many.sii_mad is not None
    assert 0 < many.sii_mad < few.sii_mad  # more draws, steadier limits
    assert slope_index_simulated(PHE_VALUE, DECILE, PHE_POP, se=PHE_SE, draws=1000).sii_mad is None


def test_summary_says_which_interval_it_used() -> None:
    boot = inequality_summary(PHE_VALUE, DECILE, PHE_POP, n_boot=50)
    assert set(boot["interval"]) == {"bootstrap", "Fisher-z (Bonett-Wright)"}
    assert boot.set_index("maat").loc["rangcorrelatie", "interval"] == "Fisher-z (Bonett-Wright)"
    sim = inequality_summary(
        PHE_VALUE,
        DECILE,
        PHE_POP,
        n_boot=50,
        lower=PHE_VALUE - 2 * PHE_SE,
        upper=PHE_VALUE + 2 * PHE_SE,
        draws=10_000,
    )
    by = sim.set_index("maat")
    assert by.loc["sii", "interval"] == by.loc["rii", "interval"] == "simulatie (PHE)"
    assert by.loc["concentratie_index", "interval"] == "bootstrap"
    assert by.loc["sii", "schatting"] == pytest.approx(slope_index(PHE_VALUE, DECILE, PHE_POP).sii)
    forced = inequality_summary(
        PHE_VALUE, DECILE, PHE_POP, n_boot=50, lower=PHE_VALUE - 1, upper=PHE_VALUE + 1,
        interval="bootstrap",
    )  # fmt: skip
    assert set(forced["interval"]) == {"bootstrap", "Fisher-z (Bonett-Wright)"}
    with pytest.raises(InputDataError, match="margins"):
        inequality_summary(PHE_VALUE, DECILE, PHE_POP, n_boot=5, interval="simulation")


def test_bound_of_zero_percent_falls_back_to_the_normal_scale() -> None:
    pct = np.array([2.0, 3.0, 5.0, 6.0, 9.0])

    def summary(half_width: float) -> pd.DataFrame:
        return inequality_summary(
            pct,
            QUINTILE,
            EQUAL,
            lower=pct - half_width,
            upper=pct + half_width,
            n_boot=20,
            draws=5000,
            value_type="proportion",
        )

    logit = summary(1.5)
    assert logit.set_index("maat").loc["sii", "interval"] == "simulatie (PHE)"
    zero = summary(2.0)  # the first quintile's lower bound is 0 %
    assert zero.set_index("maat").loc["sii", "interval"] == "simulatie (PHE, normaal)"
    assert zero.set_index("maat").loc["sii", "schatting"] == pytest.approx(
        slope_index(pct, QUINTILE, EQUAL).sii
    )


def test_transform_limits_come_from_the_slope_through_the_midpoint() -> None:
    # PHEindicatormethods phe_sii, transform = TRUE (R/SII_function.R): the simulated slope's
    # quantiles on the logit scale, back-transformed around the fitted midpoint
    # xequalshalf = intercept + slope/2. On the logit scale the slope is linear in the drawn
    # values, so its limits are known exactly: beta ± 1.96 sd(beta).
    from scipy.special import expit, logit

    from gezondewijk.equity import slope_index_simulated

    pop = np.array([800.0, 1200.0, 1000.0, 900.0, 1100.0])
    r = ridit_ranks(QUINTILE, pop)
    y = np.array([0.42, 0.35, 0.30, 0.22, 0.15])
    lower, upper = y - 0.06, y + 0.06
    sd = (logit(upper) - logit(lower)) / (2 * 1.959964)
    w = np.sqrt(pop / pop.sum())

    def slope(values: np.ndarray) -> tuple[float, float]:
        b, a = np.polyfit(r, values, 1, w=w)
        return float(b), float(a)

    beta, alpha = slope(logit(y))
    weights = np.array([slope(logit(y) + np.eye(5)[i])[0] - beta for i in range(5)])
    sd_beta = float(np.sqrt(np.sum((weights * sd) ** 2)))
    mid = alpha + beta / 2

    def sii(b: float) -> float:
        return float(expit(mid - b / 2) - expit(mid + b / 2))

    expected = sorted(sii(beta + k * 1.959964 * sd_beta) for k in (-1, 1))
    fit = slope_index_simulated(
        y, QUINTILE, pop, lower=lower, upper=upper, value_type="proportion", transform=True,
        draws=400_000,
    )  # fmt: skip
    assert fit.sii == pytest.approx(sii(beta))
    assert fit.sii_lower == pytest.approx(expected[0], abs=4e-4)
    assert fit.sii_upper == pytest.approx(expected[1], abs=4e-4)
    rii = sorted(
        expit(mid - b / 2) / expit(mid + b / 2)
        for b in (beta - 1.959964 * sd_beta, beta + 1.959964 * sd_beta)
    )
    assert fit.rii_lower == pytest.approx(rii[0], rel=2e-3)
    assert fit.rii_upper == pytest.approx(rii[1], rel=2e-3)


def test_rank_correlation_with_vulnerability_by_hand() -> None:
    from gezondewijk.equity.inequality import rank_correlation

    # five buurten: SES-WOA falls as PET rises, except one swap: ranks of heat 1..5 against
    # vulnerability ranks 1, 2, 4, 3, 5 → d² = 0+0+1+1+0 = 2, rho = 1 - 6·2/(5·24) = 0.9
    pet = np.array([30.0, 31.0, 32.0, 33.0, 34.0])
    ses = np.array([0.5, 0.3, -0.2, 0.1, -0.6])
    rho, lo, hi, n = rank_correlation(pet, ses, higher_is_advantaged=True)
    assert (rho, n) == (pytest.approx(0.9), 5)
    se = np.sqrt((1 + 0.9**2 / 2) / (5 - 3))  # Bonett & Wright (2000)
    assert lo == pytest.approx(np.tanh(np.arctanh(0.9) - 1.959964 * se), abs=1e-6)
    assert hi == pytest.approx(np.tanh(np.arctanh(0.9) + 1.959964 * se), abs=1e-6)
    # "moeite met rondkomen" is higher where people are worse off: the same ranking
    assert rank_correlation(pet, -ses, higher_is_advantaged=False)[0] == pytest.approx(0.9)
    assert np.isnan(rank_correlation(pet[:3], ses[:3])[0])  # too few areas for an interval
    summary = inequality_summary(pet, ses, np.ones(5), n_boot=20).set_index("maat")
    assert summary.loc["rangcorrelatie", "schatting"] == pytest.approx(0.9)

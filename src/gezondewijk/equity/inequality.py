"""Inequality across areas ranked by socio-economic status, population-weighted.

Ranks run from the most disadvantaged (0) to the most advantaged (1) area, so that a positive
SII means the outcome is higher among the disadvantaged.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk.equity.ranks import ridit_ranks
from gezondewijk.equity.slope_simulation import DEFAULT_DRAWS, ValueType, slope_index_simulated


class Slope(NamedTuple):
    """Result of :func:`slope_index`."""

    sii: float
    rii: float
    bottom: float
    top: float


def _usable(values: np.ndarray, ses: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Areas with a value, an SES score and a positive weight."""
    v = np.asarray(values, dtype="float64")
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype="float64")
    return ~np.isnan(v) & ~np.isnan(np.asarray(ses, dtype="float64")) & ~np.isnan(w) & (w > 0)


def _clean(
    values: np.ndarray, ses: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ok = _usable(values, ses, weights)
    v = np.asarray(values, dtype="float64")
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype="float64")
    return v[ok], np.asarray(ses, dtype="float64")[ok], w[ok]


def slope_index(
    values: np.ndarray,
    ses: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    higher_is_advantaged: bool = True,
) -> Slope:
    r"""Slope and relative index of inequality (SII, RII).

    Notes
    -----
    Weighted least squares of the outcome on the ridit rank, :math:`y = a + b r`
    (Pamuk, 1985; Mackenbach & Kunst, 1997). The fitted values at the bottom (:math:`r=0`) and
    top (:math:`r=1`) of the hierarchy give :math:`SII = \hat y(0) - \hat y(1) = -b` and
    :math:`RII = \hat y(0) / \hat y(1)`.
    """
    v, s, w = _clean(values, ses, weights)
    if len(v) < 2 or np.unique(s).size < 2:
        return Slope(np.nan, np.nan, np.nan, np.nan)
    r = ridit_ranks(s, w, higher_is_advantaged=higher_is_advantaged)
    wn = w / w.sum()
    r_mean = np.sum(wn * r)
    v_mean = np.sum(wn * v)
    b = np.sum(wn * (r - r_mean) * (v - v_mean)) / np.sum(wn * (r - r_mean) ** 2)
    a = v_mean - b * r_mean
    bottom, top = a, a + b
    return Slope(sii=bottom - top, rii=bottom / top if top != 0 else np.nan, bottom=bottom, top=top)


def concentration_index(
    values: np.ndarray,
    ses: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    higher_is_advantaged: bool = True,
) -> float:
    r"""Relative concentration index, ranking areas from most disadvantaged to most advantaged.

    Notes
    -----
    :math:`C = 2\,\mathrm{cov}_w(y, r)/\mu_w` (Kakwani, Wagstaff & van Doorslaer, 1997;
    O'Donnell et al., 2008, eq. 8.5). Negative when the outcome is concentrated among the
    disadvantaged. For grouped data this equals
    :math:`\sum_t (p_{t-1} L_t - p_t L_{t-1})` with :math:`p` the cumulative population share
    and :math:`L` the concentration curve.
    """
    v, s, w = _clean(values, ses, weights)
    if len(v) < 2:
        return float("nan")
    r = ridit_ranks(s, w, higher_is_advantaged=higher_is_advantaged)
    wn = w / w.sum()
    mu = np.sum(wn * v)
    if mu == 0:
        return float("nan")
    cov = np.sum(wn * (v - mu) * (r - np.sum(wn * r)))
    return float(2.0 * cov / mu)


def quintile_gap(
    values: np.ndarray,
    ses: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    higher_is_advantaged: bool = True,
) -> tuple[float, float]:
    r"""Gap and ratio between the most and least disadvantaged population-weighted quintile.

    Notes
    -----
    Areas are assigned to quintiles by their ridit rank (:math:`\lfloor 5 r \rfloor`); the gap
    is :math:`\bar y_{Q1} - \bar y_{Q5}` and the ratio :math:`\bar y_{Q1}/\bar y_{Q5}`, both
    population-weighted means, Q1 the most disadvantaged.
    """
    v, s, w = _clean(values, ses, weights)
    r = ridit_ranks(s, w, higher_is_advantaged=higher_is_advantaged)
    q = np.minimum((r * 5).astype(int), 4)
    low = np.average(v[q == 0], weights=w[q == 0]) if (q == 0).any() else np.nan
    high = np.average(v[q == 4], weights=w[q == 4]) if (q == 4).any() else np.nan
    return float(low - high), float(low / high) if high else np.nan


IntervalMethod = Literal["auto", "simulation", "bootstrap"]


def rank_correlation(
    values: np.ndarray,
    ses: np.ndarray,
    *,
    higher_is_advantaged: bool = True,
    level: float = 0.95,
) -> tuple[float, float, float, int]:
    r"""Spearman's rank correlation of a value with vulnerability, with its interval.

    "Are the poorest buurten the warmest?": positive when the more vulnerable areas (lower SES
    where ``higher_is_advantaged``) have higher values. Each area counts once.

    Returns
    -------
    rho, lower, upper, n
        NaN with fewer than 4 areas.

    Notes
    -----
    :math:`\rho_s` is Pearson's correlation of the ranks (ties get their mean rank). Interval by
    Fisher's :math:`z = \operatorname{artanh}\rho_s` with the standard error of Bonett & Wright
    (2000, Psychometrika 65:23-28) for Spearman's :math:`\rho`,
    :math:`SE_z = \sqrt{(1 + \rho_s^2/2)/(n-3)}`; the limits are
    :math:`\tanh(z \mp z_{1-\alpha/2} SE_z)`.
    """
    from scipy.special import ndtri
    from scipy.stats import rankdata

    v, s, _ = _clean(values, ses, None)
    n = len(v)
    if n < 4 or np.ptp(v) == 0 or np.ptp(s) == 0:
        return np.nan, np.nan, np.nan, n
    vulnerability = -s if higher_is_advantaged else s
    rho = float(np.corrcoef(rankdata(v), rankdata(vulnerability))[0, 1])
    if abs(rho) >= 1:
        return rho, rho, rho, n
    z = np.arctanh(rho)
    se = np.sqrt((1 + rho**2 / 2) / (n - 3))
    q = float(ndtri(0.5 + level / 2))
    return rho, float(np.tanh(z - q * se)), float(np.tanh(z + q * se)), n


#: The measures :func:`inequality_summary` bootstraps over areas, in its order.
_BOOTSTRAPPED = ("sii", "rii", "concentratie_index", "kloof_q1_q5", "ratio_q1_q5")


def _bootstrapped(
    v: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    higher_is_advantaged: bool,
    n_boot: int,
    seed: int,
    level: float,
) -> tuple[list[float], np.ndarray, np.ndarray]:
    """The measures of :data:`_BOOTSTRAPPED`, with percentile bootstrap limits over areas.

    A measure no resample could estimate (two areas, one SES quintile) has no interval.
    """

    def measures(idx: np.ndarray) -> list[float]:
        sl = slope_index(v[idx], s[idx], w[idx], higher_is_advantaged=higher_is_advantaged)
        ci = concentration_index(v[idx], s[idx], w[idx], higher_is_advantaged=higher_is_advantaged)
        gap, ratio = quintile_gap(v[idx], s[idx], w[idx], higher_is_advantaged=higher_is_advantaged)
        return [sl.sii, sl.rii, ci, gap, ratio]

    k = len(_BOOTSTRAPPED)
    estimate = measures(np.arange(len(v)))
    rng = np.random.default_rng(seed)
    boots = np.array(
        [measures(rng.integers(0, len(v), len(v))) for _ in range(n_boot)], dtype="float64"
    ).reshape(n_boot, k)
    alpha = (1 - level) / 2
    known = np.isfinite(boots).any(axis=0)
    lo = np.full(k, np.nan)
    hi = np.full(k, np.nan)
    if known.any():
        lo[known] = np.nanquantile(boots[:, known], alpha, axis=0)
        hi[known] = np.nanquantile(boots[:, known], 1 - alpha, axis=0)
    return estimate, lo, hi


def inequality_summary(
    values: np.ndarray,
    ses: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    higher_is_advantaged: bool = True,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    interval: IntervalMethod = "auto",
    value_type: ValueType = "normal",
    transform: bool = False,
    draws: int = DEFAULT_DRAWS,
) -> pd.DataFrame:
    """SII, RII, concentration index, quintile gap and ratio, with confidence intervals.

    Parameters
    ----------
    lower, upper
        Published 95 % limits of each area's value (e.g. RIVM's margins), for the simulated
        SII/RII intervals.
    interval
        ``"simulation"``: the SII and RII intervals by PHE's simulation from each area's own
        uncertainty (:func:`gezondewijk.equity.slope_simulation.slope_index_simulated`; needs
        ``lower`` and ``upper``); ``"bootstrap"``: by resampling the areas; ``"auto"``
        (default): simulation where every area with a value has limits, bootstrap otherwise.
        The concentration index and quintile gap are always bootstrapped.
    value_type, transform
        How the simulation treats the values (see ``slope_index_simulated``); percentages are
        given as ``value_type="proportion"`` on a 0-100 scale and divided by 100 for it.

    Returns
    -------
    pandas.DataFrame
        ``maat, schatting, ondergrens, bovengrens, n_gebieden`` and ``interval`` (which
        method gave the interval: ``simulatie (PHE)``, ``simulatie (PHE, normaal)`` where a
        proportion's published bound is 0 or 100 % so it was simulated on its own scale, or
        ``bootstrap``).

    Notes
    -----
    Bootstrap: percentile bootstrap over areas (resampled with replacement, ``n_boot``
    times), the usual choice for area-level data (Efron & Tibshirani, 1993). Simulation: PHE /
    OHID's method for the SII (Low & Low, 2004; PHEindicatormethods ``phe_sii``).
    """
    ok = _usable(values, ses, weights)
    v, s, w = _clean(values, ses, weights)
    has_limits = (
        lower is not None
        and upper is not None
        and bool(np.isfinite(np.asarray(lower, dtype="float64")[ok]).all())
        and bool(np.isfinite(np.asarray(upper, dtype="float64")[ok]).all())
    )
    if interval == "simulation" and not has_limits:
        raise InputDataError(
            "the simulated SII interval needs the 95 % limits of every area's value.",
            field="interval",
            fix="give the published margins (ondergrens/bovengrens), or choose 'bootstrap'.",
        )
    simulate = has_limits and interval != "bootstrap" and len(v) >= 2

    names = list(_BOOTSTRAPPED)
    estimate, lo, hi = _bootstrapped(v, s, w, higher_is_advantaged, n_boot, seed, level)
    method = ["bootstrap"] * len(names)
    if simulate:
        assert lower is not None and upper is not None
        scale = 100.0 if value_type == "proportion" and np.nanmax(v) > 1 else 1.0
        fell_back = False
        lo_all = np.asarray(lower, dtype="float64")[ok] / scale
        hi_all = np.asarray(upper, dtype="float64")[ok] / scale
        if value_type == "proportion" and not (
            (lo_all > 0).all() and (hi_all < 1).all() and ((v / scale > 0) & (v / scale < 1)).all()
        ):
            # a published bound of 0 % or 100 % has no logit: simulate on the value's own scale
            value_type, fell_back = "normal", True
        sim = slope_index_simulated(
            v / scale,
            s,
            w,
            lower=lo_all,
            upper=hi_all,
            value_type=value_type,
            transform=transform,
            higher_is_advantaged=higher_is_advantaged,
            draws=draws,
            level=level,
            seed=seed,
        )
        estimate[0], lo[0], hi[0] = sim.sii * scale, sim.sii_lower * scale, sim.sii_upper * scale
        estimate[1], lo[1], hi[1] = sim.rii, sim.rii_lower, sim.rii_upper
        method[0] = method[1] = "simulatie (PHE, normaal)" if fell_back else "simulatie (PHE)"
    rho = rank_correlation(values, ses, higher_is_advantaged=higher_is_advantaged, level=level)
    return pd.DataFrame(
        {
            "maat": [*names, "rangcorrelatie"],
            "schatting": [*estimate, rho[0]],
            "ondergrens": [*lo, rho[1]],
            "bovengrens": [*hi, rho[2]],
            "n_gebieden": [len(v)] * len(names) + [rho[3]],
            "interval": [*method, "Fisher-z (Bonett-Wright)"],
        }
    )


def slope_change(
    before: np.ndarray,
    after: np.ndarray,
    ses: np.ndarray,
    weights_before: np.ndarray,
    weights_after: np.ndarray,
    *,
    higher_is_advantaged: bool = True,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""SII and RII before and after a change, and the change with a paired bootstrap interval.

    Notes
    -----
    :func:`slope_index` on both sets of values (each with its own population weights, so new
    homes count). The interval of :math:`\Delta SII = SII_{na} - SII_{voor}` (and of
    :math:`\Delta RII`) resamples the areas with replacement and takes the *same* resample
    for before and after (a paired percentile bootstrap; Efron & Tibshirani 1993, §9): the
    areas' own variation then cancels and the interval is that of the change itself. Areas
    missing a value before or after are left out of both.

    Returns
    -------
    pandas.DataFrame
        One row per ``maat`` (``sii``, ``rii``): ``voor``, ``na``, ``verschil``,
        ``verschil_ondergrens``, ``verschil_bovengrens``, ``n_gebieden``.
    """
    ok = _usable(before, ses, weights_before) & _usable(after, ses, weights_after)
    b = np.asarray(before, dtype="float64")[ok]
    a = np.asarray(after, dtype="float64")[ok]
    s = np.asarray(ses, dtype="float64")[ok]
    wb = np.asarray(weights_before, dtype="float64")[ok]
    wa = np.asarray(weights_after, dtype="float64")[ok]

    def both(idx: np.ndarray) -> np.ndarray:
        x = slope_index(b[idx], s[idx], wb[idx], higher_is_advantaged=higher_is_advantaged)
        y = slope_index(a[idx], s[idx], wa[idx], higher_is_advantaged=higher_is_advantaged)
        return np.array([x.sii, y.sii, x.rii, y.rii])

    est = both(np.arange(len(b)))
    rng = np.random.default_rng(seed)
    boots = np.array([both(rng.integers(0, len(b), len(b))) for _ in range(n_boot)])
    alpha = (1 - level) / 2
    rows = []
    for k, name in enumerate(["sii", "rii"]):
        diff = boots[:, 2 * k + 1] - boots[:, 2 * k] if n_boot else np.array([np.nan])
        diff = diff[np.isfinite(diff)]
        lo, hi = (
            (float(np.quantile(diff, alpha)), float(np.quantile(diff, 1 - alpha)))
            if diff.size
            else (np.nan, np.nan)
        )
        rows.append(
            {
                "maat": name,
                "voor": est[2 * k],
                "na": est[2 * k + 1],
                "verschil": est[2 * k + 1] - est[2 * k],
                "verschil_ondergrens": lo,
                "verschil_bovengrens": hi,
                "n_gebieden": len(b),
            }
        )
    return pd.DataFrame(rows)

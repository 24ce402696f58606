"""Confidence intervals of the SII and RII by simulation, as PHE/OHID compute them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the standard normal quantile (norm.ppf)

from gezondewijk._errors import InputDataError
from gezondewijk.equity.ranks import ridit_ranks
from gezondewijk.variables import describe, margin_columns

ValueType = Literal["normal", "rate", "proportion"]

#: Draws per simulation set, as PHE's default (``repetitions = 100000``).
DEFAULT_DRAWS = 100_000
_CHUNK = 10_000


@dataclass(frozen=True)
class SimulatedSlope:
    """SII and RII with simulated confidence limits (see :func:`slope_index_simulated`)."""

    sii: float
    sii_lower: float
    sii_upper: float
    rii: float
    rii_lower: float
    rii_upper: float
    #: Mean absolute difference of the limits over 9 repeated simulations (``reliability``).
    sii_mad: float | None = None
    rii_mad: float | None = None


def value_type_of(variable: str) -> ValueType:
    """``"proportion"`` for a percentage variable (simulated on the logit scale), else normal."""
    return "proportion" if describe(variable).unit == "%" else "normal"


def published_limits(
    table: pd.DataFrame, variable: str, rows: pd.Index | None = None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The publisher's 95 % bounds of a variable (for ``rows``); ``(None, None)`` if absent."""
    lo, hi = margin_columns(variable)
    if lo not in table or hi not in table:
        return None, None
    frame = table if rows is None else table.loc[rows]
    return frame[lo].to_numpy(dtype="float64"), frame[hi].to_numpy(dtype="float64")


def _forward(values: np.ndarray, value_type: ValueType) -> np.ndarray:
    with np.errstate(divide="ignore"):
        if value_type == "rate":
            return np.log(values)
        if value_type == "proportion":
            return np.log(values / (1 - values))
    return values


def _back(values: np.ndarray, value_type: ValueType) -> np.ndarray:
    if value_type == "rate":
        return np.exp(values)
    if value_type == "proportion":
        return 1 / (1 + np.exp(-values))
    return values


def _check(values: np.ndarray, value_type: ValueType, field: str) -> None:
    bad = np.zeros(len(values), dtype=bool)
    if value_type == "rate":
        bad = values <= 0
    elif value_type == "proportion":
        bad = (values <= 0) | (values >= 1)
    if bad.any():
        kind = "a rate above 0" if value_type == "rate" else "a proportion between 0 and 1"
        raise InputDataError(
            f"value {values[bad][0]:g} is not {kind}.",
            row=int(np.flatnonzero(bad)[0]) + 1,
            field=field,
            fix="give proportions as shares (divide % by 100), or use value_type='normal'.",
        )


def _through_midpoint(
    slope_low: float, slope_high: float, mid: float, value_type: ValueType
) -> tuple[float, float, float, float]:
    r"""SII and RII limits from the limits of the slope on the log/logit scale.

    PHEindicatormethods ``phe_sii`` with ``transform = TRUE``: the limits :math:`\beta_L,
    \beta_U` of the simulated slope keep the fitted midpoint :math:`h = \hat\alpha +
    \hat\beta/2`; the ends are :math:`h \mp \beta/2`, transformed back. Here (rank 0 the
    most disadvantaged) :math:`SII(\beta) = g^{-1}(h - \beta/2) - g^{-1}(h + \beta/2)` and
    :math:`RII(\beta) = g^{-1}(h - \beta/2)/g^{-1}(h + \beta/2)`, both falling with
    :math:`\beta`, so each pair is sorted.
    """
    ends = [
        (
            _back(np.array([mid - b / 2]), value_type)[0],
            _back(np.array([mid + b / 2]), value_type)[0],
        )
        for b in (slope_low, slope_high)
    ]
    sii = sorted(float(lo - hi) for lo, hi in ends)
    rii = sorted(float(lo / hi) for lo, hi in ends)
    return sii[0], sii[1], rii[0], rii[1]


def _standard_errors(
    se: np.ndarray | None,
    lower: np.ndarray | None,
    upper: np.ndarray | None,
    value_type: ValueType,
) -> np.ndarray:
    r"""Each group's SE on the simulated scale: given, or :math:`(g(U) - g(L)) / (2 \cdot 1.96)`.

    Raises
    ------
    InputDataError
        Without ``se`` and without both limits, or for a negative SE.
    """
    if se is None:
        if lower is None or upper is None:
            raise InputDataError(
                "the simulation needs each group's standard error or 95 % limits.",
                field="se",
                fix="give se, or lower and upper; or use the bootstrap interval.",
            )
        lo, hi = np.asarray(lower, dtype="float64"), np.asarray(upper, dtype="float64")
        _check(lo, value_type, "lower")
        _check(hi, value_type, "upper")
        sd = (_forward(hi, value_type) - _forward(lo, value_type)) / (2 * ndtri(0.975))
    else:
        sd = np.asarray(se, dtype="float64")
    if np.any(~(sd >= 0)):
        raise InputDataError(
            "standard errors must be 0 or more.",
            row=int(np.flatnonzero(~(sd >= 0))[0]) + 1,
            field="se",
            fix="check the confidence limits (lower below upper).",
        )
    return sd


def _one_set(
    rng: np.random.Generator,
    groups: tuple[np.ndarray, np.ndarray],
    draws: int,
    level: float,
    fitted_ends: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None,
    slopes: Callable[[np.ndarray], np.ndarray],
) -> tuple[float, float, float, float]:
    """One simulation set: the SII and RII limits (sorted draws at PHE's positions).

    ``groups`` are each group's value and SE on the simulated scale. Without
    ``fitted_ends`` (the fit on the log/logit scale) only the slope's limits are
    simulated, and the RII limits are NaN.
    """
    g, sd = groups
    c = 0.5 + level / 2
    pos = (round(draws * (1 - c)) - 1, round(draws * c) - 1)
    sii = np.empty(draws)
    rii = np.full(draws, np.nan)
    for start in range(0, draws, _CHUNK):
        m = min(_CHUNK, draws - start)
        sample = rng.normal(g, sd, size=(m, len(g)))
        if fitted_ends is None:
            sii[start : start + m] = slopes(sample)
            continue
        b, t = fitted_ends(sample)
        sii[start : start + m] = b - t
        with np.errstate(divide="ignore", invalid="ignore"):
            rii[start : start + m] = b / t
    sii.sort()
    rii.sort()
    return float(sii[pos[0]]), float(sii[pos[1]]), float(rii[pos[0]]), float(rii[pos[1]])


def slope_index_simulated(
    values: np.ndarray,
    ses: np.ndarray,
    population: np.ndarray,
    *,
    se: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    value_type: ValueType = "normal",
    transform: bool = False,
    higher_is_advantaged: bool = True,
    draws: int = DEFAULT_DRAWS,
    level: float = 0.95,
    reliability: bool = False,
    seed: int = 0,
) -> SimulatedSlope:
    r"""SII and RII with confidence limits simulated from each group's own uncertainty.

    Parameters
    ----------
    values
        The outcome per group (quantile or area).
    ses, population
        Socio-economic score (ranks the groups) and population per group.
    se
        Standard error of each value, on the scale it is simulated on (log for rates, logit
        for proportions).
    lower, upper
        95 % confidence limits of each value, used when ``se`` is not given:
        :math:`SE = (g(U) - g(L)) / (2 \cdot 1.96)`.
    value_type
        ``"normal"``: values are drawn from a normal distribution on their own scale;
        ``"rate"``: on the log scale; ``"proportion"`` (0-1): on the logit scale.
    transform
        For rates and proportions: fit the regression on the log/logit scale and transform
        the fitted values back (PHE's ``transform = TRUE``); otherwise the drawn values are
        transformed back first and the regression is on the original scale.
    higher_is_advantaged
        Whether a higher ``ses`` means more advantaged.
    draws
        Simulated data sets (PHE: 100,000).
    level
        Confidence level.
    reliability
        Also run 9 further simulation sets and return the mean absolute difference of their
        limits from the first set (PHE's ``reliability_stat``); a MAD below 0.005 means the
        limits are stable to two decimals.
    seed
        Seed of the random generator, so that a result can be reproduced.

    Returns
    -------
    SimulatedSlope
        In this package's orientation: :math:`SII = \hat y(0) - \hat y(1)` and
        :math:`RII = \hat y(0)/\hat y(1)` with rank 0 the most disadvantaged (PHE reports
        :math:`\hat y(1) - \hat y(0)` and its ratio; multiply by -1, or invert, to compare).

    Notes
    -----
    PHE/OHID, "Calculating the slope index of inequality" (Fingertips technical guidance) and
    PHEindicatormethods ``phe_sii`` (Low & Low, 2004): groups get the population-weighted
    midpoint rank :math:`r_i`; the SII is the slope of the weighted least squares fit
    :math:`y_i\sqrt{a_i} = \alpha\sqrt{a_i} + \beta\, r_i\sqrt{a_i}` with :math:`a_i` the
    population share. Its interval comes from simulation: each of ``draws`` data sets draws
    every group's value from :math:`N(g(y_i), SE_i)`, refits, and the limits are the sorted
    draws at positions :math:`\mathrm{round}(R(1-c))` and :math:`\mathrm{round}(R c)`
    with :math:`c = (1+\text{level})/2`. With ``transform`` the limits are those of the
    slope on the log/logit scale, transformed back through the fitted midpoint as PHE does
    (:func:`_through_midpoint`), not quantiles of the back-transformed differences.

    Raises
    ------
    InputDataError
        When a group has no positive population, no uncertainty, or a rate/proportion out of
        range.
    """
    y = np.asarray(values, dtype="float64")
    pop = np.asarray(population, dtype="float64")
    if np.any(~(pop > 0)):
        raise InputDataError(
            "every group needs a positive population.",
            row=int(np.flatnonzero(~(pop > 0))[0]) + 1,
            field="population",
            fix="leave out groups without inhabitants.",
        )
    _check(y, value_type, "value")
    g = _forward(y, value_type)
    sd = _standard_errors(se, lower, upper, value_type)
    rank = ridit_ranks(
        np.asarray(ses, dtype="float64"), pop, higher_is_advantaged=higher_is_advantaged
    )
    share = pop / pop.sum()
    design = np.column_stack([np.sqrt(share), rank * np.sqrt(share)])
    projection = np.linalg.solve(design.T @ design, design.T)  # (X'X)^-1 X'
    on_log = transform and value_type != "normal"

    def fitted_ends(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        target = samples if on_log else _back(samples, value_type)
        coef = (target * np.sqrt(share)) @ projection.T
        bottom, top = coef[..., 0], coef[..., 0] + coef[..., 1]
        if on_log:
            return _back(bottom, value_type), _back(top, value_type)
        return bottom, top

    def slopes(samples: np.ndarray) -> np.ndarray:
        return ((samples * np.sqrt(share)) @ projection.T)[..., 1]

    y0, y1 = fitted_ends(g[None, :])
    mid = float(((g * np.sqrt(share)) @ projection.T) @ np.array([1.0, 0.5]))
    rng = np.random.default_rng(seed)
    limits = np.array(
        [
            _one_set(rng, (g, sd), draws, level, fitted_ends if not on_log else None, slopes)
            for _ in range(10 if reliability else 1)
        ]
    )
    if on_log:
        limits = np.array([_through_midpoint(lo, hi, mid, value_type) for lo, hi, _, _ in limits])
    mad_sii = mad_rii = None
    if reliability:
        diffs = np.abs(limits[1:] - limits[0])
        mad_sii = float(diffs[:, :2].mean())
        mad_rii = float(diffs[:, 2:].mean())
    with np.errstate(divide="ignore", invalid="ignore"):
        rii_hat = float(y0[0] / y1[0])
    return SimulatedSlope(
        sii=float(y0[0] - y1[0]),
        sii_lower=float(limits[0, 0]),
        sii_upper=float(limits[0, 1]),
        rii=rii_hat,
        rii_lower=float(limits[0, 2]),
        rii_upper=float(limits[0, 3]),
        sii_mad=mad_sii,
        rii_mad=mad_rii,
    )

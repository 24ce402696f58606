"""CalEnviroScreen 4.0 arithmetic (OEHHA, 2021), on Dutch indicators, with OEHHA's own rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError, PresetError
from gezondewijk.scoring.preset import IndicatorSpec, Preset
from gezondewijk.scoring.ranking import (
    oriented,
    percentile,
    weighted_row_mean,
    worse_is_higher,
)

#: OEHHA scores a tract only with at least 5 of its 8 population-characteristics indicators.
OEHHA_MIN_PC_SHARE = 5 / 8

ZERO_RULES = ("oehha", "rank_all")


def ces_percentile(values: np.ndarray, *, zero_rule: str = "oehha") -> np.ndarray:
    r"""Percentile (0-100) of each value, by OEHHA's rule for zeros or among all values.

    Parameters
    ----------
    values
        Indicator values, higher = worse; NaN where missing.
    zero_rule
        ``"oehha"`` (default): a value of exactly 0 gets percentile 0 and the non-zero values
        are ranked among the non-zero values only; ``"rank_all"``: every known value is ranked
        among all known values.

    Notes
    -----
    OEHHA (2021), *CalEnviroScreen 4.0*, "Method" (indicator percentiles): tracts whose value
    is zero are given percentile zero, and the percentiles of the other tracts are computed
    among the tracts with a non-zero value. Both rules use the share of values at or below
    (:func:`percentile`).
    """
    if zero_rule not in ZERO_RULES:
        raise PresetError(f"params.zero_rule must be one of {ZERO_RULES}, not {zero_rule!r}.")
    if zero_rule == "rank_all":
        return percentile(values)
    out = np.full(len(values), np.nan)
    zero = values == 0
    out[zero] = 0.0
    nonzero = ~zero & ~np.isnan(values)
    out[nonzero] = percentile(values[nonzero])
    return out


def _indicator_percentiles(
    values: pd.DataFrame, ind: IndicatorSpec, *, given: bool, zero_rule: str
) -> np.ndarray:
    if given:
        if ind.variable is None or ind.variable not in values:
            return np.full(len(values), np.nan)
        p = values[ind.variable].to_numpy(dtype="float64")
        bad = ~np.isnan(p) & ((p < 0) | (p > 100))
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            raise InputDataError(
                f"indicator '{ind.key}': the preset says the inputs are percentiles "
                f"(params.inputs_are_percentiles = true) but this value is {float(p[bad][0]):g}.",
                row=row,
                field=ind.variable,
                fix="give percentiles 0-100, or set inputs_are_percentiles = false.",
            )
        return p
    v = oriented(values, ind)
    # the zero rule is about "no burden at all": a raw 0 on a higher-is-worse indicator
    rule = zero_rule if worse_is_higher(ind) else "rank_all"
    return ces_percentile(v, zero_rule=rule)


def min_pc_indicators(preset: Preset) -> int:
    r"""The fewest population-characteristics indicators an area needs to be scored.

    OEHHA scores a tract with at least 5 of its 8 population indicators (CalEnviroScreen 4.0
    report, 2021). As a share that holds for any number *k* a preset has:
    :math:`\lceil s\,k \rceil` with ``params.min_pc_share`` *s* (default 5/8), so 3 of 4 and
    5 of 8. A count in ``params.min_pc_indicators`` overrides the share.
    """
    k = sum(1 for i in preset.indicators if i.domain in ("sensitive_population", "socioeconomic"))
    if "min_pc_indicators" in preset.params:
        return int(preset.number("min_pc_indicators", 0))
    share = preset.number("min_pc_share", OEHHA_MIN_PC_SHARE)
    # 1e-9: 0.625 · 8 is exactly 5, not a float a hair above it
    return math.ceil(share * k - 1e-9)


def score_ces(values: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    r"""Score areas with the CalEnviroScreen 4.0 model and OEHHA's rules.

    Parameters
    ----------
    values
        One row per area, a column per variable (or per published percentile, see
        ``inputs_are_percentiles``).
    preset
        A ``method = "ces"`` preset whose indicators have the domains ``exposure``,
        ``environmental_effect``, ``sensitive_population`` and ``socioeconomic``. Parameters
        (``[params]``), each with OEHHA's rule as default:

        - ``zero_rule`` = ``"oehha"``: zero values get percentile 0, the rest are ranked among
          the non-zero areas (``"rank_all"`` ranks every value);
        - ``min_pc_share`` = 5/8: the share of the preset's *k* population-characteristics
          indicators an area must have to be scored, :math:`\lceil s\,k \rceil` (OEHHA: 5 of
          8); ``min_pc_indicators`` gives a count instead (see :func:`min_pc_indicators`);
        - ``min_pb_indicators`` = 1: the same for the pollution-burden indicators;
        - ``inputs_are_percentiles`` = false: when true the columns already hold percentiles
          (0-100, higher = worse, e.g. OEHHA's published table) and are not ranked again.

    Returns
    -------
    pandas.DataFrame
        ``ces_pb`` (Pollution Burden, 0-10, for every area with pollution data, scored or
        not), ``ces_pc`` (Population Characteristics, 0-10, scored areas), ``ces_score``
        (0-100, scored areas), ``ces_percentile``, ``ces_scored``, ``ces_n_pb`` and
        ``ces_n_pc`` (indicators known) and one ``ces_pct_<key>`` per indicator.

    Notes
    -----
    OEHHA (2021), *CalEnviroScreen 4.0*, chapter "Method" and "Scoring and Model":

    1. each indicator becomes a percentile among the areas with a value (higher = worse), zero
       values at percentile 0 (:func:`ces_percentile`);
    2. Pollution Burden :math:`PB' = (\bar p_{exp} + \tfrac12 \bar p_{env}) / 1.5`;
    3. Population Characteristics :math:`PC' = (\bar p_{sens} + \bar p_{ses}) / 2`;
    4. an area is scored when it has at least ``min_pc_indicators`` population and
       ``min_pb_indicators`` pollution indicators; both components are scaled so that the
       highest *scored* area has 10: :math:`PB = 10\,PB' / \max_{scored} PB'`; the Pollution
       Burden is published for unscored areas too (on the same scale, so it may exceed 10);
    5. score :math:`= PB \times PC` (maximum 100), and its percentile among scored areas.

    Means are over the indicators an area has, weighted by ``weight`` (1 by default).
    """
    given = preset.flag("inputs_are_percentiles", False)
    zero_rule = preset.text("zero_rule", "oehha", ZERO_RULES)
    pct: dict[str, list[np.ndarray]] = {}
    wts: dict[str, list[float]] = {}
    out: dict[str, np.ndarray] = {}
    for ind in preset.indicators:
        p = _indicator_percentiles(values, ind, given=given, zero_rule=zero_rule)
        out[f"ces_pct_{ind.key}"] = p
        pct.setdefault(ind.domain, []).append(p)
        wts.setdefault(ind.domain, []).append(ind.weight)
    n = len(values)

    def mean(domain: str) -> tuple[np.ndarray, np.ndarray]:
        if domain not in pct:
            return np.full(n, np.nan), np.zeros(n, dtype=np.int64)
        return weighted_row_mean(pct[domain], wts[domain])

    exp, n_exp = mean("exposure")
    env, n_env = mean("environmental_effect")
    sens, n_sens = mean("sensitive_population")
    ses, n_ses = mean("socioeconomic")
    pb_raw = _combine(exp, env, 0.5)
    pc_raw = _combine(sens, ses, 1.0)
    n_pb = n_exp + n_env
    n_pc = n_sens + n_ses
    min_pc = min_pc_indicators(preset)
    min_pb = int(preset.number("min_pb_indicators", 1))
    scored = (n_pb >= min_pb) & (n_pc >= min_pc) & np.isfinite(pb_raw) & np.isfinite(pc_raw)
    pb = _scale_to_ten(pb_raw, scored)
    pc = np.where(scored, _scale_to_ten(pc_raw, scored), np.nan)
    score = np.where(scored, pb * pc, np.nan)
    out.update(
        {
            "ces_pb": pb,
            "ces_pc": pc,
            "ces_score": score,
            "ces_percentile": percentile(score),
            "ces_scored": scored,
            "ces_n_pb": n_pb,
            "ces_n_pc": n_pc,
        }
    )
    return pd.DataFrame(out, index=values.index)


def _scale_to_ten(raw: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """``10 * raw / max(raw over scored areas)``; all missing when no area is scored."""
    reference = raw[scored & np.isfinite(raw)]
    if not reference.size or reference.max() == 0:
        return np.full(len(raw), np.nan)
    return 10.0 * raw / reference.max()


def _combine(a: np.ndarray, b: np.ndarray, weight_b: float) -> np.ndarray:
    """:math:`(a + w b)/(1 + w)`, or whichever of the two is known."""
    both = (a + weight_b * b) / (1.0 + weight_b)
    return np.where(np.isnan(a), b, np.where(np.isnan(b), a, both))

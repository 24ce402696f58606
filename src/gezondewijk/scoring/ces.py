"""CalEnviroScreen 4.0 arithmetic (OEHHA, 2021), on Dutch indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.ranking import oriented, percentile, weighted_row_mean


def score_ces(values: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    r"""Score areas with the CalEnviroScreen 4.0 model.

    Parameters
    ----------
    values
        One row per area, a column per variable.
    preset
        A ``method = "ces"`` preset whose indicators have the domains ``exposure``,
        ``environmental_effect``, ``sensitive_population`` and ``socioeconomic``.

    Returns
    -------
    pandas.DataFrame
        ``ces_pb`` (Pollution Burden, 0-10), ``ces_pc`` (Population Characteristics, 0-10),
        ``ces_score`` (0-100), ``ces_percentile``, ``ces_n_pb`` and ``ces_n_pc`` (indicators
        known) and one ``ces_pct_<key>`` per indicator.

    Notes
    -----
    OEHHA (2021), *CalEnviroScreen 4.0*, chapter "Method":

    1. each indicator becomes a percentile among the areas with a value (higher = worse);
    2. Pollution Burden :math:`PB' = (\bar p_{exp} + \tfrac12 \bar p_{env}) / 1.5`, then
       scaled so the highest area has 10: :math:`PB = 10\,PB' / \max PB'`;
    3. Population Characteristics :math:`PC' = (\bar p_{sens} + \bar p_{ses}) / 2`, scaled the
       same way to a maximum of 10;
    4. score :math:`= PB \times PC` (maximum 100), and its percentile.

    Means are over the indicators an area has (weighted by ``weight``, 1 by default).
    Missing-data rule: an area gets no score when it has fewer than ``min_pb_indicators`` of
    the pollution-burden indicators or fewer than ``min_pc_indicators`` of the
    population-characteristics indicators (preset parameters; OEHHA leaves such tracts
    unscored).
    """
    pct: dict[str, list[np.ndarray]] = {}
    wts: dict[str, list[float]] = {}
    out: dict[str, np.ndarray] = {}
    for ind in preset.indicators:
        p = percentile(oriented(values, ind))
        out[f"ces_pct_{ind.key}"] = p
        pct.setdefault(ind.domain, []).append(p)
        wts.setdefault(ind.domain, []).append(ind.weight)
    n = len(values)
    nan = np.full(n, np.nan)

    def mean(domain: str) -> tuple[np.ndarray, np.ndarray]:
        if domain not in pct:
            return nan, np.zeros(n, dtype=np.int64)
        return weighted_row_mean(pct[domain], wts[domain])

    exp, n_exp = mean("exposure")
    env, n_env = mean("environmental_effect")
    sens, n_sens = mean("sensitive_population")
    ses, n_ses = mean("socioeconomic")
    pb_raw = _combine(exp, env, 0.5)
    pc_raw = _combine(sens, ses, 1.0)
    n_pb = n_exp + n_env
    n_pc = n_sens + n_ses
    enough = (n_pb >= int(preset.number("min_pb_indicators", 1))) & (
        n_pc >= int(preset.number("min_pc_indicators", 1))
    )
    pb_raw = np.where(enough, pb_raw, np.nan)
    pc_raw = np.where(enough, pc_raw, np.nan)
    pb = 10.0 * pb_raw / np.nanmax(pb_raw) if np.isfinite(pb_raw).any() else nan
    pc = 10.0 * pc_raw / np.nanmax(pc_raw) if np.isfinite(pc_raw).any() else nan
    score = pb * pc
    out.update(
        {
            "ces_pb": pb,
            "ces_pc": pc,
            "ces_score": score,
            "ces_percentile": percentile(score),
            "ces_n_pb": n_pb,
            "ces_n_pc": n_pc,
        }
    )
    return pd.DataFrame(out, index=values.index)


def _combine(a: np.ndarray, b: np.ndarray, weight_b: float) -> np.ndarray:
    """:math:`(a + w b)/(1 + w)`, or whichever of the two is known."""
    both = (a + weight_b * b) / (1.0 + weight_b)
    return np.where(np.isnan(a), b, np.where(np.isnan(b), a, both))

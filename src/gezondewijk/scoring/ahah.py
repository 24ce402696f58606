"""CDRC Access to Healthy Assets and Hazards (AHAH) arithmetic (Green et al., 2018)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the standard normal quantile (norm.ppf)

from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.ranking import TIE_METHODS, oriented, rank, weighted_row_mean

#: Exponential transformation constant of the CDRC indices.
EXP_CONSTANT = 23.0


def exponential_transform(values: np.ndarray, ties: str = "min") -> np.ndarray:
    r"""Rank-based exponential transformation to 0-100, stretching the worst end.

    Notes
    -----
    With :math:`R` the rank (1 = best) of :math:`n` known values,

    .. math:: X = -23 \ln\left(1 - \frac{R}{n}\,(1 - e^{-100/23})\right),

    so the best area gets a little above 0 and the worst exactly 100 (Noble et al., 2006;
    Green et al., 2018). Tied values share the lowest of their ranks (``ties="min"``, as CDRC
    ranks) or the mean of them (``"average"``).
    """
    r = rank(values, ties)
    n = np.sum(~np.isnan(values))
    return -EXP_CONSTANT * np.log(1.0 - (r / n) * (1.0 - np.exp(-100.0 / EXP_CONSTANT)))


def score_ahah(values: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    r"""Score areas with the AHAH method.

    Returns
    -------
    pandas.DataFrame
        ``ahah_<domain>`` (0-100 per domain), ``ahah_index`` (mean of the domains, higher =
        worse access), ``ahah_rank`` (1 = worst) and ``ahah_decile`` (10 = worst).

    Notes
    -----
    Green, M.A. et al. (2018) *Access to Health Assets and Hazards (AHAH)*, CDRC:

    1. rank each indicator (higher rank = worse) and take the inverse normal of
       :math:`(R - 0.5)/n`;
    2. a domain score is the mean of its indicators' normal scores;
    3. each domain score is ranked and exponentially transformed (see
       :func:`exponential_transform`);
    4. the index is the equally weighted mean of the domains.

    Ties: tied values get the lowest of their ranks, as CDRC ranks (``rank(ties.method =
    "min")`` in CDRC's published index code, GDSL-UL/AHAH ``create_index_version2.R``);
    preset parameter ``ties = "average"`` gives them the mean rank instead. The final
    ``ahah_rank`` (1 = worst) uses the same rule.

    Missing data: an indicator's rank uses the areas that have it; a domain is the mean of the
    indicators an area has; a domain without data in any area is left out of the index (and
    reported as an all-missing column); an area missing a domain that others have gets no
    index.
    """
    ties = preset.text("ties", "min", TIE_METHODS)
    normals: dict[str, list[np.ndarray]] = {}
    weights: dict[str, list[float]] = {}
    for ind in preset.indicators:
        v = oriented(values, ind)
        r = rank(v, ties)
        n = np.sum(~np.isnan(v))
        z = ndtri((r - 0.5) / n) if n else np.full(len(v), np.nan)
        normals.setdefault(ind.domain, []).append(z)
        weights.setdefault(ind.domain, []).append(ind.weight)
    out: dict[str, np.ndarray] = {}
    domain_scores = []
    for domain, cols in normals.items():
        mean, _ = weighted_row_mean(cols, weights[domain])
        transformed = (
            exponential_transform(mean, ties)
            if not np.isnan(mean).all()
            else np.full(len(values), np.nan)
        )
        out[f"ahah_{domain}"] = transformed
        if not np.isnan(transformed).all():
            domain_scores.append(transformed)
    if not domain_scores:
        domain_scores.append(np.full(len(values), np.nan))
    stacked = np.vstack(domain_scores)
    complete = ~np.isnan(stacked).any(axis=0)
    index = np.where(complete, np.where(np.isnan(stacked), 0.0, stacked).mean(axis=0), np.nan)
    out["ahah_index"] = index
    rank_worst = rank(-index, ties)
    out["ahah_rank"] = rank_worst
    n_known = np.sum(~np.isnan(index))
    out["ahah_decile"] = np.where(
        np.isnan(index), np.nan, 10 - np.floor((rank_worst - 1) * 10 / max(n_known, 1))
    )
    return pd.DataFrame(out, index=values.index)

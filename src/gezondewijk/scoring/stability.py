"""How sure is the ranking? Monte Carlo over reasonable thresholds and weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gezondewijk.scoring.apply import apply_preset, main_score_column
from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.ranking import average_rank

#: Default spread when a preset states no range: ±10 % of a threshold value or reference
#: factor, ±0.05 of a quantile share, 0.5-1.5 × a weight.
DEFAULT_SPREAD = 0.10


def _draw(preset: Preset, rng: np.random.Generator) -> Preset:
    data: dict[str, Any] = preset.model_dump()
    for ind in data["indicators"]:
        lo, hi = ind.get("weight_vary") or (0.5 * ind["weight"], 1.5 * ind["weight"])
        if preset.method != "threshold-sum" or ind.get("weight_vary"):
            ind["weight"] = float(rng.uniform(lo, hi))
        for opt in ind["options"]:
            for part in opt["parts"]:
                key = {"absolute": "value", "reference": "factor", "quantile": "share"}[
                    part["rule"]
                ]
                base = part[key]
                if part.get("vary"):
                    lo, hi = part["vary"]
                elif key == "share":
                    lo, hi = max(0.01, base - 0.05), min(0.99, base + 0.05)
                else:
                    lo, hi = sorted((base * (1 - DEFAULT_SPREAD), base * (1 + DEFAULT_SPREAD)))
                part[key] = float(rng.uniform(lo, hi))
    return Preset.model_validate(data)


def ranking_stability(
    values: pd.DataFrame,
    preset: Preset,
    references: dict[str, float],
    *,
    draws: int = 200,
    top_share: float = 0.2,
    seed: int = 0,
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    cell_size: float = 1000.0,
) -> pd.DataFrame:
    r"""Score the areas many times with thresholds and weights drawn from their stated ranges.

    Parameters
    ----------
    values
        One row per area.
    preset
        Any preset. Ranges come from ``vary`` (parts) and ``weight_vary`` (indicators); where
        none is stated, ±10 % of thresholds and reference factors, ±0.05 of quantile shares and
        0.5-1.5 × weights (ranking methods) are used.
    references
        Reference values for ``reference`` rules.
    draws
        Number of Monte Carlo draws.
    top_share
        The share of areas that counts as "top" (most to gain), 0.2 by default.

    Returns
    -------
    pandas.DataFrame
        ``stabiel_p_top`` (probability of being in the top share), ``stabiel_rang_p05`` and
        ``stabiel_rang_p95`` (5th and 95th percentile of the rank, 1 = most to gain),
        ``stabiel_rang`` (rank under the preset as written) and ``stabiel_hangt_af`` (True where
        the top-share class depends on the choices: :math:`0.1 < p < 0.9`).

    Notes
    -----
    In every draw the areas are ranked by the preset's main score (ties share their average
    rank); an area is in the top when its rank is at most :math:`\lceil q n \rceil` for the
    :math:`n` scored areas.
    """
    rng = np.random.default_rng(seed)
    column = main_score_column(preset)

    def ranks(p: Preset) -> np.ndarray:
        scored = apply_preset(values, p, references, x=x, y=y, cell_size=cell_size)
        return average_rank(-scored[column].to_numpy(dtype="float64"))

    base = ranks(preset)
    all_ranks = np.vstack([ranks(_draw(preset, rng)) for _ in range(draws)])
    n_scored = np.sum(~np.isnan(all_ranks), axis=1, keepdims=True)
    top = all_ranks <= np.ceil(top_share * n_scored)
    p_top = np.where(np.isnan(all_ranks), np.nan, top).astype("float64")
    known = ~np.isnan(all_ranks).all(axis=0)
    p = np.full(len(values), np.nan)
    lo = np.full(len(values), np.nan)
    hi = np.full(len(values), np.nan)
    if known.any():
        p[known] = np.nanmean(p_top[:, known], axis=0)
        lo[known] = np.nanpercentile(all_ranks[:, known], 5, axis=0)
        hi[known] = np.nanpercentile(all_ranks[:, known], 95, axis=0)
    return pd.DataFrame(
        {
            "stabiel_rang": base,
            "stabiel_p_top": p,
            "stabiel_rang_p05": lo,
            "stabiel_rang_p95": hi,
            "stabiel_hangt_af": (p > 0.1) & (p < 0.9),
        },
        index=values.index,
    )


__all__ = ["ranking_stability"]

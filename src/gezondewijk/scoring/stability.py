"""How sure is the ranking? Monte Carlo over reasonable thresholds and weights."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from gezondewijk._parallel import InProcess, TaskMap
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


def draw_ranks(
    presets: list[Preset],
    *,
    values: pd.DataFrame,
    references: dict[str, float],
    x: np.ndarray | None,
    y: np.ndarray | None,
    cell_size: float,
) -> np.ndarray:
    """Rank of every area (1 = most to gain, ties averaged) under each preset: ``(k, n)``."""
    out = np.empty((len(presets), len(values)))
    for i, p in enumerate(presets):
        scored = apply_preset(values, p, references, x=x, y=y, cell_size=cell_size)
        out[i] = average_rank(-scored[main_score_column(p)].to_numpy(dtype="float64"))
    return out


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
    tasks: TaskMap | None = None,
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
    tasks
        Where the draws are scored (default: here, one after the other). All draws are made
        here from one seeded generator first, so a cluster gives the same figures.

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
    drawn = [_draw(preset, rng) for _ in range(draws)]
    ranks = partial(draw_ranks, values=values, references=references, x=x, y=y, cell_size=cell_size)
    tasks = tasks or InProcess()
    base = ranks([preset])[0]
    cuts = np.array_split(np.arange(len(drawn)), max(1, tasks.parts))
    chunks = [[drawn[i] for i in cut] for cut in cuts if len(cut)]
    all_ranks = np.vstack(tasks(ranks, chunks)) if drawn else np.empty((0, len(values)))
    n_scored = np.sum(~np.isnan(all_ranks), axis=1, keepdims=True)
    top = all_ranks <= np.ceil(top_share * n_scored)
    p_top = np.where(np.isnan(all_ranks), np.nan, top).astype("float64")
    known = ~np.isnan(all_ranks).all(axis=0)
    p = np.full(len(values), np.nan)
    lo = np.full(len(values), np.nan)
    hi = np.full(len(values), np.nan)
    if known.any():
        p[known] = np.nanmean(p_top[:, known], axis=0)
        # nanpercentile loops in Python over columns: only where a draw left an area out
        gaps = known & np.isnan(all_ranks).any(axis=0)
        full = known & ~gaps
        lo[full], hi[full] = np.percentile(all_ranks[:, full], [5, 95], axis=0)
        if gaps.any():
            lo[gaps], hi[gaps] = np.nanpercentile(all_ranks[:, gaps], [5, 95], axis=0)
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


__all__ = ["draw_ranks", "ranking_stability"]

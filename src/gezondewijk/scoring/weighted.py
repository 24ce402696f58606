"""Free weights: a weighted mean of min-max scaled indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.ranking import min_max, oriented, percentile, weighted_row_mean


def score_weighted(values: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    r"""Score areas as the weighted mean of their scaled indicators.

    Notes
    -----
    Each indicator is oriented (higher = worse) and scaled to 0..1 over the areas,
    :math:`s = (x - \min x)/(\max x - \min x)`; the score is
    :math:`100 \sum_k w_k s_k / \sum_{k \text{ known}} w_k`. Missing data: the mean is over the
    indicators an area has, and ``weighted_n`` says how many that is; areas with fewer than
    ``min_indicators`` (preset parameter, default 1) get no score.
    """
    cols = [min_max(oriented(values, ind)) for ind in preset.indicators]
    mean, n_known = weighted_row_mean(cols, [ind.weight for ind in preset.indicators])
    mean = np.where(n_known >= int(preset.number("min_indicators", 1)), mean, np.nan)
    out = {
        "weighted_score": 100.0 * mean,
        "weighted_percentile": percentile(mean),
        "weighted_n": n_known,
    }
    for ind, col in zip(preset.indicators, cols, strict=True):
        out[f"weighted_{ind.key}"] = col
    return pd.DataFrame(out, index=values.index)

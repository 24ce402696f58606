"""US EPA EJScreen arithmetic: environmental percentile × demographic index."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.ranking import oriented, percentile, weighted_row_mean
from gezondewijk.variables import describe


def score_ejscreen(values: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    r"""Score areas with the EJScreen EJ index.

    Returns
    -------
    pandas.DataFrame
        ``ejscreen_demographic_index``, per environmental indicator ``ejscreen_<key>`` (the EJ
        index) and ``ejscreen_<key>_pct`` (its percentile), and ``ejscreen_max_pct``.

    Notes
    -----
    US EPA (2023), *EJScreen Technical Documentation*, version 2.2: the demographic index is the
    mean of the demographic indicators (shares as fractions 0-1, e.g. low income and another
    vulnerability share); for each environmental indicator

    .. math:: EJ_k = P_k \times D,

    with :math:`P_k` the area's percentile of that indicator. The EJ indices are then reported
    as percentiles. Missing data: the demographic index averages the indicators an area has; an
    EJ index is missing where the percentile or the demographic index is.
    """
    demo_cols, demo_w = [], []
    out: dict[str, np.ndarray] = {}
    for ind in preset.indicators:
        if ind.domain == "demographic":
            v = (
                values[ind.variable].to_numpy(dtype="float64")
                if ind.variable in values
                else np.full(len(values), np.nan)
            )
            scale = 100.0 if ind.variable and describe(ind.variable).unit == "%" else 1.0
            demo_cols.append(v / scale)
            demo_w.append(ind.weight)
    demo, _ = weighted_row_mean(demo_cols, demo_w)
    out["ejscreen_demographic_index"] = demo
    pcts = []
    for ind in preset.indicators:
        if ind.domain != "environmental":
            continue
        ej = percentile(oriented(values, ind)) * demo
        out[f"ejscreen_{ind.key}"] = ej
        out[f"ejscreen_{ind.key}_pct"] = percentile(ej)
        pcts.append(out[f"ejscreen_{ind.key}_pct"])
    stacked = np.vstack(pcts)
    out["ejscreen_max_pct"] = np.where(
        np.isnan(stacked).all(axis=0),
        np.nan,
        np.nanmax(np.where(np.isnan(stacked), -1.0, stacked), axis=0),
    )
    return pd.DataFrame(out, index=values.index)

"""How much the choice between walking and straight-line distance changes a preset's classes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.scoring.preset import Option, Preset
from gezondewijk.scoring.stack import combine_parts, part_on, weighted_means
from gezondewijk.variables import walk_key


def walk_vs_straight(
    values: pd.DataFrame, preset: Preset, *, level: str = "buurten"
) -> pd.DataFrame:
    """Per indicator measured along the network: areas whose class flips with straight lines.

    For every indicator option whose parts are walking distances (``*_walk_m``), the option is
    evaluated twice on the same areas: once as it is, once with each walking distance replaced
    by its straight-line twin and the same rule (an absolute threshold stays; a reference or
    quantile rule is recomputed on the straight-line values, as a run without a network
    would).

    Parameters
    ----------
    values
        One row per area (buurten or cells) with both distance columns.
    preset
        The preset whose indicators are compared.
    level
        ``"buurten"`` or ``"cellen"``, written into the table.

    Returns
    -------
    pandas.DataFrame
        ``niveau, indicator, variabele, hemelsbreed, vergeleken, aan_netwerk, aan_hemelsbreed,
        gewisseld`` (areas with both values, on by each measure, and with a different class).
    """
    rows = []
    for ind in preset.indicators:
        for opt in ind.options:
            walk_parts = [p for p in opt.parts if p.variable.endswith("_walk_m")]
            if not walk_parts or not all(p.variable in values for p in opt.parts):
                continue
            twin = Option(
                combine=opt.combine,
                parts=[
                    p.model_copy(update={"variable": _straight(p.variable)})
                    if p.variable.endswith("_walk_m")
                    else p
                    for p in opt.parts
                ],
            )
            if not all(p.variable in values for p in twin.parts):
                continue
            on_walk = _option_on(values, opt)
            on_straight = _option_on(values, twin)
            both = ~np.isnan(on_walk) & ~np.isnan(on_straight)
            rows.append(
                {
                    "niveau": level,
                    "indicator": ind.key,
                    "variabele": "+".join(p.variable for p in opt.parts),
                    "hemelsbreed": "+".join(p.variable for p in twin.parts),
                    "vergeleken": int(both.sum()),
                    "aan_netwerk": int((on_walk[both] == 1).sum()),
                    "aan_hemelsbreed": int((on_straight[both] == 1).sum()),
                    "gewisseld": int((on_walk[both] != on_straight[both]).sum()),
                }
            )
            break
    return pd.DataFrame(
        rows,
        columns=[
            "niveau",
            "indicator",
            "variabele",
            "hemelsbreed",
            "vergeleken",
            "aan_netwerk",
            "aan_hemelsbreed",
            "gewisseld",
        ],
    )


def _straight(variable: str) -> str:
    base = variable.replace("_walk_m", "_m")
    assert walk_key(base) == variable
    return base


def _option_on(values: pd.DataFrame, option: Option) -> np.ndarray:
    """1/0/NaN per area for one option on its own (parts combined as the preset says)."""
    refs = weighted_means(values, [p.variable for p in option.parts])
    parts = [part_on(p, values[p.variable].to_numpy(dtype="float64"), refs) for p in option.parts]
    return combine_parts(np.vstack(parts), option.combine)

"""Apply any preset to a table of areas: one entry point for every scoring method."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.scoring.ahah import score_ahah
from gezondewijk.scoring.ces import score_ces
from gezondewijk.scoring.classes import prefix, score_classes
from gezondewijk.scoring.ejscreen import score_ejscreen
from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.stack import score_stack
from gezondewijk.scoring.stapel import score_stapel
from gezondewijk.scoring.weighted import score_weighted


def apply_preset(
    values: pd.DataFrame,
    preset: Preset,
    references: dict[str, float],
    *,
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    cell_size: float = 1000.0,
) -> pd.DataFrame:
    """Score areas with any preset; ``x``/``y`` (centres) are needed for ``stapel`` only."""
    if preset.method == "threshold-sum":
        return score_stack(values, preset, references)
    if preset.method == "ces":
        return score_ces(values, preset)
    if preset.method == "ahah":
        return score_ahah(values, preset)
    if preset.method == "ejscreen":
        return score_ejscreen(values, preset)
    if preset.method == "weighted":
        return score_weighted(values, preset)
    if preset.method == "classes":
        return score_classes(values, preset)
    if x is None or y is None:
        raise ValueError("method 'stapel' needs the cell centres x and y")
    return score_stapel(values, preset, x, y, cell_size)


def main_score_column(preset: Preset) -> str:
    """Return the column that ranks areas for a preset (higher = more to gain)."""
    if preset.method == "classes":
        return f"{prefix(preset)}_hoogste_score"
    return {
        "threshold-sum": "score",
        "ces": "ces_score",
        "ahah": "ahah_index",
        "ejscreen": "ejscreen_max_pct",
        "weighted": "weighted_score",
        "stapel": "stapel_gezondheidsbescherming",
    }[preset.method]

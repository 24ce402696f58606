"""Scoring: presets (data files) and the stacked 0/1 score per cell and per buurt."""

from gezondewijk.scoring.preset import Preset, available_presets, load_preset
from gezondewijk.scoring.stack import reference_values, score_stack

__all__ = ["Preset", "available_presets", "load_preset", "reference_values", "score_stack"]

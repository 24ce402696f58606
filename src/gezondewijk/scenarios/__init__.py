"""Scenarios: what would a measure change? Changes drawn on a run, scored and compared.

A :class:`~gezondewijk.scenarios.model.Scenario` (a TOML file and a GeoJSON of changes,
:mod:`~gezondewijk.scenarios.files`) is applied to a
:class:`~gezondewijk.scenarios.base.ScenarioBase` (the run, kept in memory) by
:func:`~gezondewijk.scenarios.compare.run_scenario`, which recomputes only the cells the
changes touch, scores them against the run's thresholds, and estimates the health effect
(:mod:`~gezondewijk.scenarios.health`).
"""

from gezondewijk.scenarios.base import ScenarioBase, prepare_base
from gezondewijk.scenarios.compare import ScenarioResult, run_scenario
from gezondewijk.scenarios.files import read_scenario, write_scenario
from gezondewijk.scenarios.model import KINDS, Change, HealthSettings, Scenario

__all__ = [
    "KINDS",
    "Change",
    "HealthSettings",
    "Scenario",
    "ScenarioBase",
    "ScenarioResult",
    "prepare_base",
    "read_scenario",
    "run_scenario",
    "write_scenario",
]

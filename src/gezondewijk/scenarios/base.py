"""The situation a scenario starts from: a run, kept in memory with what a change needs.

:func:`prepare_base` runs the pipeline once (:func:`gezondewijk.run.build.build_map_state`)
and keeps, besides the result, the distance of every origin (address or cell centre) to the
nearest destination of each layer, the snapped origins on the walking network, and the
thresholds the run scored with. Every scenario on the run then starts from this base and
recomputes only what its changes touch (:mod:`gezondewijk.scenarios.apply`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from gezondewijk.equity import ridit_ranks
from gezondewijk.indicators.proximity import (
    Destinations,
    OriginDistances,
    Origins,
    origin_distances,
)
from gezondewijk.network.distance import ENTRY_REACH_M
from gezondewijk.run.build import RunState, build_map_state
from gezondewijk.run.result import MapResult
from gezondewijk.scoring.stack import quantile_thresholds
from gezondewijk.settings import RunConfig
from gezondewijk.variables import describe

#: SES groups: fifths of the inhabitants, buurten ranked by SES (1 = most disadvantaged).
SES_GROUPS = 5


@dataclass
class ScenarioBase:
    """A run and what scenarios on it reuse."""

    result: MapResult
    state: RunState
    origins: Origins | None
    distances: OriginDistances | None
    #: Destination layers by their straight-line variable (``distance_green_m``…).
    layers: dict[str, Destinations]
    reach: float
    #: Smallest green area the run counts (m²); new green below it is not counted either.
    green_min_area_m2: float
    #: Thresholds of the run per level: references and quantile cut-offs, held fixed.
    cell_thresholds: dict[str, float]
    buurt_thresholds: dict[str, float]
    #: The SES variable and each buurt's SES group (1..5, 0 where unknown), if any.
    ses_variable: str | None
    ses_group: np.ndarray
    seconds: float


def prepare_base(config: RunConfig, *, stream: TextIO | None = sys.stderr) -> ScenarioBase:
    """Run the pipeline once and keep what scenarios on it need."""
    start = time.perf_counter()
    result, state = build_map_state(config, stream=stream)
    inputs = state.at_cells.inputs
    layers: dict[str, Destinations] = {}
    origins = distances = None
    reach = ENTRY_REACH_M
    if inputs is not None and inputs.layers:
        if state.at_cells.distances is not None:
            # as the run measured them: not a second time
            origins, distances = state.at_cells.distances
        else:  # measured part by part on a cluster
            cells = state.laid.cells
            points = state.laid.address_points
            origins = (
                Origins.addresses(cells, points)
                if points is not None
                else Origins.cell_centres(cells)
            )
            distances = origin_distances(origins, inputs.layers, inputs.network, reach=inputs.reach)
        layers = {d.variable: d for d in inputs.layers}
        reach = inputs.reach
    pre_score = state.at_cells.values
    references = dict(result.references)
    cell_thresholds = {**references, **quantile_thresholds(pre_score, result.preset)}
    buurt_thresholds = {**references, **quantile_thresholds(result.buurten, result.preset)}
    ses_variable, groups = ses_groups(result, config)
    return ScenarioBase(
        result=result,
        state=state,
        origins=origins,
        distances=distances,
        layers=layers,
        reach=reach,
        green_min_area_m2=_green_min_area(config) * 10_000,
        cell_thresholds=cell_thresholds,
        buurt_thresholds=buurt_thresholds,
        ses_variable=ses_variable,
        ses_group=groups,
        seconds=time.perf_counter() - start,
    )


def _green_min_area(config: RunConfig) -> float:
    for feat in config.features:
        if feat.variable == "distance_green_m":
            return feat.min_area_ha
    if config.osm is not None:
        return config.osm.green_min_area_ha
    return 0.0


def ses_higher_is_advantaged(variable: str, config: RunConfig) -> bool:
    """Whether a higher value of the SES variable is more advantaged (the run's rule)."""
    if config.inequality is not None and config.inequality.ses_higher_is_advantaged is not None:
        return config.inequality.ses_higher_is_advantaged
    return describe(variable).direction == "higher_is_better"


def ses_groups(result: MapResult, config: RunConfig) -> tuple[str | None, np.ndarray]:
    r"""Each buurt's SES group: fifths of the inhabitants, from the most disadvantaged.

    Notes
    -----
    Buurten are ranked by the run's SES variable (``[inequality] ses``, else SES-WOA, else
    "moeite met rondkomen") with the population-weighted ridit rank :math:`r` of
    :func:`gezondewijk.equity.ridit_ranks`; group :math:`\lceil 5r \rceil` (1 = the fifth
    of the inhabitants in the most disadvantaged buurten). 0 where the SES is unknown.
    """
    buurten = result.buurten
    candidates = [config.inequality.ses] if config.inequality is not None else []
    candidates += ["ses_woa", "hard_to_make_ends_meet_pct"]
    variable = next((v for v in candidates if v in buurten), None)
    groups = np.zeros(len(buurten), dtype=np.int64)
    if variable is None:
        return None, groups
    ses = buurten[variable].to_numpy(dtype="float64")
    weights = (
        buurten["population"].fillna(0).to_numpy(dtype="float64")
        if "population" in buurten
        else np.ones(len(buurten))
    )
    ok = np.isfinite(ses) & (weights > 0)
    if not ok.any():
        return variable, groups
    ranks = ridit_ranks(
        ses[ok], weights[ok], higher_is_advantaged=ses_higher_is_advantaged(variable, config)
    )
    groups[ok] = np.clip(np.ceil(ranks * SES_GROUPS), 1, SES_GROUPS).astype(np.int64)
    return variable, groups

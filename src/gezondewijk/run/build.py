"""The stacked health map, end to end: sources → areas and indicators → scores → result.

The CLI and the web app call :func:`build_map` and hand its result to the writers in
:mod:`gezondewijk.outputs`; no logic lives in either front end.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TextIO

import geopandas as gpd
import numpy as np

from gezondewijk._progress import Progress
from gezondewijk.provenance import Provenance
from gezondewijk.run.cell_values import cell_indicators
from gezondewijk.run.in_parts import PartsRun
from gezondewijk.run.inequality import buurt_inequality
from gezondewijk.run.inputs import credits_of, input_sources
from gezondewijk.run.proximity import ProximityInputs, read_proximity_inputs
from gezondewijk.run.result import MapResult
from gezondewijk.run.stages import (
    CellIndicators,
    JoinedTables,
    LaidCells,
    Scores,
    StudyArea,
    buurt_indicators,
    join_tables,
    laid_cells,
    lay_cells,
    read_address_points,
    read_study_area,
    score,
)
from gezondewijk.scoring import Preset, load_preset
from gezondewijk.scoring.levels import check_presets
from gezondewijk.settings import RunConfig

if TYPE_CHECKING:
    from gezondewijk.run.cluster import Cluster

#: Columns every result keeps in front of the variables and scores.
ID_COLUMNS = ["buurtcode", "buurtnaam", "gemeentecode"]


@dataclass(frozen=True)
class RunState:
    """What the stages of a run produced on the way, for work that builds on the run.

    A scenario (:mod:`gezondewijk.scenarios`) changes a few cells of these and scores again,
    instead of running every stage anew.
    """

    config: RunConfig
    joined: JoinedTables
    laid: LaidCells
    at_cells: CellIndicators


def build_map(
    config: RunConfig, *, stream: TextIO | None = sys.stderr, cluster: Cluster | None = None
) -> MapResult:
    """Run the stacked health map for one configuration (see :func:`build_map_state`)."""
    return build_map_state(config, stream=stream, cluster=cluster)[0]


def _laid(
    config: RunConfig, joined: JoinedTables, progress: Progress, cluster: Cluster | None
) -> tuple[LaidCells, tuple[ProximityInputs, dict[str, np.ndarray]] | None]:
    """The cells laid over the buurten; on a cluster also measured there, part by part."""
    measured = None
    if cluster is None:
        with progress.step("cellen leggen"):
            laid = lay_cells(config, joined.buurten)
            progress.note(f"{len(laid.cells)} cellen ({laid.cells.grid.prefix})")
    else:
        with progress.step(f"cellen leggen en meten op {cluster.workers} Dask-workers"):
            inputs = read_proximity_inputs(config, joined.buurten, progress)
            points = read_address_points(config)
            cells, values = cluster.lay_and_measure(
                config, joined.buurten, inputs, points, progress
            )
            laid = laid_cells(config, joined.buurten, cells, points)
            measured = (inputs, values)
            progress.note(f"{len(laid.cells)} cellen ({laid.cells.grid.prefix})")
    return laid, measured


@dataclass(frozen=True)
class Prepared:
    """The first stages of a run, which a run in one go and a run in parts share."""

    config: RunConfig
    progress: Progress
    preset: Preset
    extra: list[Preset]
    area: StudyArea
    joined: JoinedTables

    @cached_property
    def sources(self) -> list[Provenance]:
        """Where every input file came from (read once: it hashes the files)."""
        return input_sources(self.config)

    @property
    def credits(self) -> str:
        """The run's attribution line."""
        return credits_of(self.config, self.sources)


def prepare(config: RunConfig, *, stream: TextIO | None = sys.stderr) -> Prepared:
    """Check the presets, read the buurten and join the tables to them."""
    progress = Progress(7, stream)
    preset = load_preset(config.preset)
    extra = [load_preset(name) for name in config.extra_presets]
    check_presets(preset, extra)
    with progress.step("buurtgrenzen lezen"):
        area = read_study_area(config.buurten)
        progress.note(f"{len(area.buurten)} buurten")
    with progress.step("tabellen koppelen op buurtcode"):
        joined = join_tables(config.tables, area, preset, progress)
    return Prepared(config, progress, preset, extra, area, joined)


def build_map_state(
    config: RunConfig,
    *,
    stream: TextIO | None = sys.stderr,
    cluster: Cluster | None = None,
    prepared: Prepared | None = None,
) -> tuple[MapResult, RunState]:
    """Run the stacked health map for one configuration, stage by stage.

    Parameters
    ----------
    config
        A validated run configuration (see :func:`gezondewijk.settings.load_config`).
    stream
        Where progress goes (``None`` for silence).
    cluster
        A Dask cluster to lay and measure the cells and draw the stability on, part by part
        (see :mod:`gezondewijk.run.cluster`); the result is the same as without one.
    prepared
        The first stages, when the caller ran them already (:func:`prepare`).

    Returns
    -------
    MapResult
        Buurten and cells with their indicator values, per-indicator status and scores.
    RunState
        The stages' own outputs (tables joined, cells laid, values before scoring).
    """
    p = prepared or prepare(config, stream=stream)
    progress, joined = p.progress, p.joined
    laid, measured = _laid(config, joined, progress, cluster)
    with progress.step("indicatoren op cellen"):
        at_cells = cell_indicators(config, joined, laid, progress, measured)
    with progress.step("indicatoren op buurten"):
        buurten = buurt_indicators(joined.buurten, laid, at_cells)
    with progress.step(f"scoren met preset {', '.join(x.name for x in [p.preset, *p.extra])}"):
        scores = score(
            buurten,
            laid.cells,
            at_cells.values,
            p.preset,
            p.extra,
            stability_draws=config.stability_draws,
            tasks=cluster,
        )
    result = assemble(p, laid, at_cells, scores)
    return result, RunState(config, joined, laid, at_cells)


def build_in_parts(prepared: Prepared, *, part_cells: int | None = None) -> PartsRun:
    """Lay, measure and settle a run part by part (see :mod:`gezondewijk.run.in_parts`).

    The caller takes the scored parts (:meth:`PartsRun.scored_parts`) to the writers, then
    :func:`finish_in_parts`, and closes the run.
    """
    p = prepared
    parts = PartsRun(p.config, p.joined, p.preset, p.progress, part_cells=part_cells)
    try:
        with p.progress.step(f"cellen leggen en meten, in {len(parts.jobs)} delen"):
            parts.lay()
        with p.progress.step("indicatoren op cellen en buurten"):
            parts.share_out()
        with p.progress.step(f"buurten scoren met preset {p.preset.name}"):
            parts.score_buurten()
    except BaseException:
        parts.close()
        raise
    return parts


def finish_in_parts(prepared: Prepared, parts: PartsRun) -> MapResult:
    """The result of a run in parts, once its scored parts were written."""
    assert parts.at_cells is not None, "share_out() first"
    result = assemble(prepared, parts.laid, parts.at_cells, parts.scores())
    result.cells_in_parts = parts.summary()
    return result


def assemble(p: Prepared, laid: LaidCells, at_cells: CellIndicators, scores: Scores) -> MapResult:
    """The run's result from its stages' outputs."""
    config = p.config
    variables = {**p.joined.variables, **at_cells.variables}
    inequality = None
    inequality_notes: list[str] = []
    if config.inequality is not None:
        inequality = buurt_inequality(scores.buurten, config.inequality, inequality_notes)

    with p.progress.step("samenvatten"):
        sources = p.sources
        notes = [
            *p.area.notes,
            *p.joined.notes,
            *laid.notes,
            *at_cells.notes,
            *scores.notes,
            *inequality_notes,
        ]
        if config.synthetic:
            notes.insert(0, "synthetische voorbeelddata: geen echte metingen.")
        scored = scores.buurten
        keep = [*ID_COLUMNS]
        keep += [c for c in scored.columns if c in variables or c in scores.score_columns]
    return MapResult(
        name=config.name,
        preset=p.preset,
        buurten=gpd.GeoDataFrame(scored[[*keep, "geometry"]], geometry="geometry", crs=scored.crs),
        cells=laid.cells,
        cell_values=scores.cell_values,
        variables=variables,
        references=scores.references,
        joins=p.joined.joins,
        notes=notes,
        synthetic=config.synthetic,
        credits=p.credits,
        weighting=laid.weighting,
        extra_presets=p.extra,
        inequality=inequality,
        published_references=p.joined.published,
        walk_comparison=scores.walk_comparison if len(scores.walk_comparison) else None,
        sources=sources,
        tables=at_cells.tables,
    )

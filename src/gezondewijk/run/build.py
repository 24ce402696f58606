"""The stacked health map, end to end: sources → areas and indicators → scores → result.

The CLI and the web app call :func:`build_map` and hand its result to the writers in
:mod:`gezondewijk.outputs`; no logic lives in either front end.
"""

from __future__ import annotations

import sys
from typing import TextIO

import geopandas as gpd

from gezondewijk._progress import Progress
from gezondewijk.run.inequality import buurt_inequality
from gezondewijk.run.inputs import credits_of, input_sources
from gezondewijk.run.result import MapResult
from gezondewijk.run.stages import (
    buurt_indicators,
    cell_indicators,
    join_tables,
    lay_cells,
    read_study_area,
    score,
)
from gezondewijk.scoring import load_preset
from gezondewijk.scoring.levels import check_presets
from gezondewijk.settings import RunConfig

#: Columns every result keeps in front of the variables and scores.
ID_COLUMNS = ["buurtcode", "buurtnaam", "gemeentecode"]


def build_map(config: RunConfig, *, stream: TextIO | None = sys.stderr) -> MapResult:
    """Run the stacked health map for one configuration, stage by stage.

    Parameters
    ----------
    config
        A validated run configuration (see :func:`gezondewijk.settings.load_config`).
    stream
        Where progress goes (``None`` for silence).

    Returns
    -------
    MapResult
        Buurten and cells with their indicator values, per-indicator status and scores.
    """
    progress = Progress(7, stream)
    preset = load_preset(config.preset)
    extra = [load_preset(name) for name in config.extra_presets]
    check_presets(preset, extra)

    with progress.step("buurtgrenzen lezen"):
        area = read_study_area(config.buurten)
        progress.note(f"{len(area.buurten)} buurten")
    with progress.step("tabellen koppelen op buurtcode"):
        joined = join_tables(config.tables, area, preset, progress)
    with progress.step("cellen leggen"):
        laid = lay_cells(config, joined.buurten)
        progress.note(f"{len(laid.cells)} cellen ({laid.cells.grid.prefix})")
    with progress.step("indicatoren op cellen"):
        at_cells = cell_indicators(config, joined, laid, progress)
    with progress.step("indicatoren op buurten"):
        buurten = buurt_indicators(joined.buurten, laid, at_cells)
    with progress.step(f"scoren met preset {', '.join(p.name for p in [preset, *extra])}"):
        scores = score(
            buurten,
            laid.cells,
            at_cells.values,
            preset,
            extra,
            stability_draws=config.stability_draws,
        )
    variables = {**joined.variables, **at_cells.variables}
    inequality = None
    if config.inequality is not None:
        inequality = buurt_inequality(scores.buurten, config.inequality)

    with progress.step("samenvatten"):
        sources = input_sources(config)
        notes = [*area.notes, *laid.notes, *at_cells.notes, *scores.notes]
        if config.synthetic:
            notes.insert(0, "synthetische voorbeelddata: geen echte metingen.")
        scored = scores.buurten
        keep = [*ID_COLUMNS]
        keep += [c for c in scored.columns if c in variables or c in scores.score_columns]
    return MapResult(
        name=config.name,
        preset=preset,
        buurten=gpd.GeoDataFrame(scored[[*keep, "geometry"]], geometry="geometry", crs=scored.crs),
        cells=laid.cells,
        cell_values=scores.cell_values,
        variables=variables,
        references=scores.references,
        joins=joined.joins,
        notes=notes,
        synthetic=config.synthetic,
        credits=credits_of(config, sources),
        weighting=laid.weighting,
        extra_presets=extra,
        inequality=inequality,
        published_references=joined.published,
        walk_comparison=scores.walk_comparison if len(scores.walk_comparison) else None,
        sources=sources,
    )

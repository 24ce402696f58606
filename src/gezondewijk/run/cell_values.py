"""The variables of the cells: shared out from the buurten, or measured at the cells.

:func:`cell_indicators` is the stage of a run in one go. A run laid part by part
(:mod:`gezondewijk.run.in_parts`) calls the same :func:`values_at` on each part, with the
buurt totals of the whole run, and adds up the :class:`CellCounts` its notes tell.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from gezondewijk._progress import Progress
from gezondewijk.areas import CellSet
from gezondewijk.indicators import (
    areal_interpolate,
    density_per_km2,
    mean_of_available,
    raster_at_points,
)
from gezondewijk.indicators.buurt_counts import buurt_measures, school_food
from gezondewijk.indicators.exposure import plausible
from gezondewijk.indicators.interpolate import BuurtWeights, Weighting
from gezondewijk.indicators.proximity import OriginDistances, Origins
from gezondewijk.indicators.reach import Reach
from gezondewijk.indicators.segments import length_weighted, segment_values
from gezondewijk.run.proximity import (
    ProximityInputs,
    distance_variable,
    measure_proximity,
    read_proximity_inputs,
)
from gezondewijk.run.stages import (
    BASIC_M,
    BASIC_WALK,
    CellIndicators,
    JoinedTables,
    LaidCells,
)
from gezondewijk.settings import RasterInput, RunConfig
from gezondewijk.sources import read_raster
from gezondewijk.sources.buurten import read_vector
from gezondewijk.sources.rasters import RasterLayer
from gezondewijk.variables import Variable, describe

#: The means over the basic services, each from its parts, computed per cell.
DERIVED_MEANS = (("basic_services_m", BASIC_M), ("basic_services_walk_m", BASIC_WALK))


@dataclass
class CellCounts:
    """What a run's notes count over the cells; a run in parts adds them up part by part."""

    #: Raster variable → cells whose value lay outside the plausible range.
    rejected: dict[str, int] = field(default_factory=dict)
    #: Street-segment variable → cells with a segment.
    covered: dict[str, int] = field(default_factory=dict)

    def add(self, other: CellCounts) -> None:
        """Add the counts of another part to these."""
        for mine, theirs in ((self.rejected, other.rejected), (self.covered, other.covered)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count


def raster_variable(raster_cfg: RasterInput) -> Variable:
    """The metadata of a ``[[rasters]]`` variable: the known one, with the run's overrides."""
    base = describe(raster_cfg.variable)
    return replace(
        base,
        label=raster_cfg.label or base.label,
        unit=raster_cfg.unit or base.unit,
        kind="intensive",
        year=raster_cfg.year,
    )


def measure_cells(
    config: RunConfig,
    cells: CellSet,
    address_points: np.ndarray | None,
    inputs: ProximityInputs,
    read: Callable[[RasterInput], RasterLayer] | None = None,
    keep: list[tuple[Origins, OriginDistances]] | None = None,
) -> dict[str, np.ndarray]:
    """Values measured at each cell: the rasters at its centre, distances from its origins.

    Every value depends on the cell alone, so a cluster may measure any part of the cells.
    ``read`` reads a raster (default :func:`gezondewijk.sources.read_raster`); ``keep``
    receives the origins and their distances (:func:`measure_proximity`).
    """
    measured: dict[str, np.ndarray] = {}
    for raster_cfg in config.rasters:
        layer = (
            read(raster_cfg)
            if read is not None
            else read_raster(raster_cfg.path, crs=raster_cfg.crs)
        )
        measured[raster_cfg.variable] = raster_at_points(layer, cells.x, cells.y)
    for seg_cfg in config.segments:
        lines = read_vector(seg_cfg.path, layer=seg_cfg.layer, what="lijnenlaag")
        pieces = segment_values(lines, seg_cfg.value_field, path=str(seg_cfg.path))
        measured[seg_cfg.variable] = length_weighted(cells.grid, cells.keys, pieces)
    measured.update(measure_proximity(inputs, cells, address_points, keep=keep))
    return measured


def from_buurten(config: RunConfig, columns: Collection[str]) -> list[str]:
    """Segment variables that cells without a segment take from their buurten.

    ``columns``: the cells' columns (those shared out from the buurten among them).
    """
    return [s.variable for s in config.segments if s.variable in columns]


def _kinds(joined: JoinedTables) -> tuple[list[str], list[str]]:
    """The buurt columns shared out to the cells: counts (extensive) and rates (intensive)."""
    known = joined.variables
    columns = [c for c in joined.buurten.columns if c in known]
    return (
        [c for c in columns if known[c].kind == "extensive"],
        [c for c in columns if known[c].kind == "intensive"],
    )


def shared_columns(joined: JoinedTables) -> list[str]:
    """The cells' columns shared out from the buurten (see :func:`values_at`)."""
    extensive, intensive = _kinds(joined)
    return [*extensive, *intensive]


def values_at(
    config: RunConfig,
    joined: JoinedTables,
    cells: CellSet,
    weighting: Weighting,
    measured: dict[str, np.ndarray],
    per_buurt: dict[str, np.ndarray],
    totals: BuurtWeights | None = None,
) -> tuple[pd.DataFrame, CellCounts]:
    """Every variable of ``cells``: shared out from the buurten, measured, derived.

    Counts (``extensive``) are shared in proportion to area or addresses, rates
    (``intensive``) are copied (see :func:`gezondewijk.indicators.areal_interpolate`);
    ``totals`` are the buurt totals of the whole run when ``cells`` are a part of it.
    ``measured`` are the values measured at the cells (:func:`measure_cells`), ``per_buurt``
    the values measured per buurt, which each cell takes from its main buurt.
    """
    extensive, intensive = _kinds(joined)
    values = areal_interpolate(
        cells,
        joined.buurten,
        extensive=extensive,
        intensive=intensive,
        weighting=weighting,
        totals=totals,
    )
    if "population" in values:
        values["population_density"] = density_per_km2(
            values["population"].to_numpy(), cells.covered_area
        )
    counts = CellCounts()
    at_cells = dict(measured)  # a cluster's measurements stay as it sent them
    for raster_cfg in config.rasters:
        key = raster_cfg.variable
        at_cells[key], counts.rejected[key] = plausible(at_cells[key], raster_variable(raster_cfg))
    for key in (s.variable for s in config.segments):
        covered = np.isfinite(at_cells[key])
        counts.covered[key] = int(covered.sum())
        if key in values:
            # cells without segments keep the buurt's value of the same variable
            at_cells[key] = np.where(covered, at_cells[key], values[key].to_numpy())
    for name, vals in at_cells.items():
        values[name] = vals
    for key, parts in DERIVED_MEANS:
        if any(c in values for c in parts):
            values[key] = mean_of_available(values, parts)
    main = cells.main_buurt()
    for key, per in per_buurt.items():
        values[key] = np.where(main >= 0, per[np.maximum(main, 0)], np.nan)
    return values, counts


def cell_variables(
    config: RunConfig,
    columns: list[str],
    measured: list[str],
    inputs: ProximityInputs,
    per_buurt: dict[str, np.ndarray],
) -> dict[str, Variable]:
    """The metadata of the variables measured, derived or taken per buurt at the cells."""
    variables: dict[str, Variable] = {}
    for raster_cfg in config.rasters:
        variables[raster_cfg.variable] = raster_variable(raster_cfg)
    for seg_cfg in config.segments:
        variables[seg_cfg.variable] = replace(describe(seg_cfg.variable), year=seg_cfg.year)
    for key in measured:
        if key not in variables:
            variables[key] = distance_variable(key, inputs)
    for key, _ in DERIVED_MEANS:
        if key in columns:
            variables[key] = describe(key)
    for key in per_buurt:
        variables[key] = describe(key)
    return variables


def cell_notes(
    config: RunConfig,
    variables: dict[str, Variable],
    counts: CellCounts,
    columns: Collection[str],
    progress: Progress,
) -> list[str]:
    """What the user should know about the cells' rasters and street segments."""
    notes: list[str] = []
    for raster_cfg in config.rasters:
        variable = variables[raster_cfg.variable]
        progress.note(f"raster {raster_cfg.path.name} → {raster_cfg.variable}")
        rejected = counts.rejected.get(raster_cfg.variable, 0)
        if rejected:
            text = (
                f"{raster_cfg.path.name}: {rejected} cellen met een {variable.label} buiten "
                f"{_range(variable)} {variable.unit} (vulwaarde of fout in de kaart): niet "
                "meegeteld."
            )
            notes.append(text)
            progress.note(f"let op: {text}")
    for seg_cfg in config.segments:
        key, covered = seg_cfg.variable, counts.covered.get(seg_cfg.variable, 0)
        progress.note(f"straatdelen {seg_cfg.path.name} → {key}: {covered} cellen")
        if key in from_buurten(config, columns):
            notes.append(
                f"{key}: per cel uit de straatdelen van {seg_cfg.path.name} (naar lengte "
                f"gewogen) in {covered} cellen, elders de waarde van de buurt."
            )
    return notes


def buurt_tables(
    buurten: gpd.GeoDataFrame, inputs: ProximityInputs
) -> tuple[dict[str, np.ndarray], dict[str, pd.DataFrame]]:
    """Values measured per buurt, and the run's further tables (food near schools)."""
    per_buurt = buurt_measures(buurten, inputs.points, inputs.streets)
    tables = {}
    schools, food = inputs.points.get("school"), inputs.points.get("voedsel")
    if schools is not None and len(schools) and food is not None:
        tables["scholen_voedsel"] = school_food(
            schools, food, Reach.of(inputs.walk_network), buurten
        )
    return per_buurt, tables


def _measured(
    config: RunConfig,
    joined: JoinedTables,
    laid: LaidCells,
    progress: Progress,
    measured: tuple[ProximityInputs, dict[str, np.ndarray]] | None,
) -> tuple[ProximityInputs, dict[str, np.ndarray], list[tuple[Origins, OriginDistances]]]:
    """The proximity inputs, the values measured at the cells, and the distances kept.

    A cluster's measurements come as it sent them (no distances kept: scenarios on such a
    run measure them again); otherwise the inputs are read and measured here.
    """
    if measured is not None:
        return measured[0], measured[1], []
    inputs = read_proximity_inputs(config, joined.buurten, progress)
    kept: list[tuple[Origins, OriginDistances]] = []
    values = measure_cells(config, laid.cells, laid.address_points, inputs, keep=kept)
    return inputs, values, kept


def cell_indicators(
    config: RunConfig,
    joined: JoinedTables,
    laid: LaidCells,
    progress: Progress,
    measured: tuple[ProximityInputs, dict[str, np.ndarray]] | None = None,
) -> CellIndicators:
    """Share buurt variables out to the cells and measure rasters and distances at the cells.

    See :func:`values_at`. ``measured`` holds the proximity inputs and the values a cluster
    already measured at the cells; without it they are read and measured here.
    """
    inputs, at_cells, kept = _measured(config, joined, laid, progress, measured)
    per_buurt, tables = buurt_tables(joined.buurten, inputs)
    values, counts = values_at(config, joined, laid.cells, laid.weighting, at_cells, per_buurt)
    shared_out = from_buurten(config, shared_columns(joined))
    measured_here = [k for k in at_cells if k not in shared_out]
    variables = cell_variables(config, list(values.columns), list(at_cells), inputs, per_buurt)
    notes = [
        *inputs.notes,
        *cell_notes(config, variables, counts, shared_columns(joined), progress),
    ]
    return CellIndicators(
        values,
        variables,
        measured_here,
        notes,
        inputs,
        buurt_values=per_buurt,
        tables=tables,
        distances=kept[0] if kept else None,
    )


def _range(variable: Variable) -> str:
    low = "" if variable.valid_min is None else f"{variable.valid_min:g}"
    high = "" if variable.valid_max is None else f"{variable.valid_max:g}"
    return f"{low}–{high}"


__all__ = [
    "CellCounts",
    "cell_indicators",
    "cell_notes",
    "cell_variables",
    "from_buurten",
    "measure_cells",
    "raster_variable",
    "shared_columns",
    "values_at",
]

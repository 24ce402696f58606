"""The stages of a run, each a function with typed input and output.

``read_study_area`` → ``join_tables`` → ``lay_cells`` → ``cell_indicators`` →
``buurt_indicators`` → ``score`` → :func:`gezondewijk.run.build.build_map` assembles the
:class:`~gezondewijk.run.result.MapResult`. Each stage returns what it adds (frames, variable
metadata, notes); none reaches back into an earlier stage's objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk._parallel import TaskMap
from gezondewijk._progress import Progress
from gezondewijk.areas import CellSet, Grid, build_cells, make_grid
from gezondewijk.areas.crosswalk import carry_over
from gezondewijk.indicators import (
    areal_interpolate,
    cells_to_buurten,
    density_per_km2,
    mean_of_available,
    raster_at_points,
)
from gezondewijk.indicators.buurt_counts import buurt_measures, school_food
from gezondewijk.indicators.exposure import plausible
from gezondewijk.indicators.interpolate import Weighting
from gezondewijk.indicators.proximity import OriginDistances, Origins
from gezondewijk.indicators.reach import Reach
from gezondewijk.indicators.segments import length_weighted, segment_values
from gezondewijk.run.proximity import (
    ProximityInputs,
    distance_variable,
    measure_proximity,
    read_proximity_inputs,
)
from gezondewijk.run.result import JoinReport
from gezondewijk.scoring import Preset
from gezondewijk.scoring.levels import centres_of, score_levels
from gezondewijk.scoring.stack import STATUS_MISSING
from gezondewijk.scoring.walk_vs_straight import walk_vs_straight
from gezondewijk.settings import BuurtenInput, RasterInput, RunConfig, TableInput
from gezondewijk.sources import is_numeric_column, read_area_table, read_buurten, read_raster
from gezondewijk.sources.buurten import read_vector
from gezondewijk.sources.own_table import read_own_table
from gezondewijk.sources.rasters import RasterLayer
from gezondewijk.variables import KNOWN, Variable, describe, margin_base, walk_key

BASIC_M = ["distance_gp_m", "distance_supermarket_m", "distance_school_m"]
BASIC_KM = ["distance_gp_km", "distance_supermarket_km", "distance_school_km"]
BASIC_WALK = [walk_key(k) for k in BASIC_M]
#: Means over the basic services that are computed per cell, never read from a table.
CELL_DERIVED = ("basic_services_m", "basic_services_walk_m")


@dataclass
class StudyArea:
    """The buurten of the run (RD New) and the metadata of the variables they carry."""

    buurten: gpd.GeoDataFrame
    variables: dict[str, Variable]
    #: What the user should know about the outlines (columns that could not be read).
    notes: list[str] = field(default_factory=list)


@dataclass
class JoinedTables:
    """The buurten with every table's numeric columns, and how well each table joined."""

    buurten: gpd.GeoDataFrame
    variables: dict[str, Variable]
    joins: list[JoinReport]
    #: Variable → ``{"nederland": …, "gemeente": …}`` as the tables publish them.
    published: dict[str, dict[str, float]]
    #: What the user should know about the joins (tables carried over to another division).
    notes: list[str] = field(default_factory=list)


@dataclass
class LaidCells:
    """The cells over the buurten, the address points used, and the weighting they imply."""

    cells: CellSet
    address_points: np.ndarray | None
    weighting: Weighting
    notes: list[str]


@dataclass
class CellIndicators:
    """Variables per cell: shared out from the buurten, or measured at the cells."""

    values: pd.DataFrame
    variables: dict[str, Variable]
    #: Columns measured at the cells (rasters, distances), not shared out from buurten.
    measured: list[str]
    notes: list[str]
    #: The destination layers and walking network the distances were measured with.
    inputs: ProximityInputs | None = None
    #: Values measured per buurt (seats per km, food outlets per inhabitant); each cell
    #: carries its main buurt's value.
    buurt_values: dict[str, np.ndarray] = field(default_factory=dict)
    #: Further tables of the run (food outlets near each school).
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: The origins and their distances as measured (one process only), for scenarios.
    distances: tuple[Origins, OriginDistances] | None = None


@dataclass
class Scores:
    """Scores of buurten and cells, with the references used and the notes they raise."""

    buurten: gpd.GeoDataFrame
    cell_values: pd.DataFrame
    #: The score columns of the buurten (every preset, stability), for choosing what to keep.
    score_columns: list[str]
    references: dict[str, float]
    walk_comparison: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def read_study_area(source: BuurtenInput) -> StudyArea:
    """Read the buurt outlines and keep the gemeenten or buurt codes asked for.

    Raises
    ------
    InputDataError
        When the filter leaves no buurten.
    """
    buurten = read_buurten(
        source.path, layer=source.layer, code_field=source.code_field, name_field=source.name_field
    )
    unparsed: dict[str, str] = buurten.attrs.get("unparsed_columns", {})
    for column, wanted, name in (
        ("gemeentecode", source.gemeenten, "gemeenten"),
        ("buurtcode", source.codes, "codes"),
    ):
        if wanted:
            buurten = buurten[buurten[column].isin(wanted)].reset_index(drop=True)
            if buurten.empty:
                raise InputDataError(
                    f"geen buurten met de gekozen {name}.",
                    path=source.path,
                    field=name,
                    fix="controleer de codes (GM…. voor gemeenten, BU…… voor buurten).",
                )
    year = source.year or buurten.attrs.get("year")
    variables = {c: KNOWN[c].with_year(year) for c in buurten.columns if c in KNOWN}
    notes = [
        f"kolom '{name}' van de buurtkaart niet gelezen / column not read: {why}"
        for name, why in unparsed.items()
    ]
    return StudyArea(buurten, variables, notes)


def join_tables(
    tables: list[TableInput], area: StudyArea, preset: Preset, progress: Progress
) -> JoinedTables:
    """Join each per-area table on the buurt code; add density and the basic-services mean.

    Only numeric columns that gezondewijk knows (:data:`~gezondewijk.variables.KNOWN`) or that
    the preset uses are joined, with the published 95 % margins of the known ones
    (``<var>_ondergrens``/``<var>_bovengrens``, RIVM's "Marges" rows).
    """
    buurten = area.buurten.copy()
    variables = dict(area.variables)
    joins: list[JoinReport] = []
    published: dict[str, dict[str, float]] = {}
    codes = buurten["buurtcode"]
    notes: list[str] = []
    outlines: dict[tuple[Path, str | None], gpd.GeoDataFrame] = {}  # one read per file
    for table_cfg in tables:
        table = read_table(table_cfg)
        if table_cfg.outlines is not None:
            key = (table_cfg.outlines, table_cfg.outlines_code_field)
            if key not in outlines:
                outlines[key] = read_buurten(key[0], code_field=key[1])
            table = _carried_over(table_cfg, table, outlines[key], buurten, notes, progress)
        matched = codes.isin(table.index)
        joins.append(
            JoinReport(
                table_cfg.path.name, int(matched.sum()), len(buurten), codes[~matched].tolist()
            )
        )
        joined = table.reindex(codes.to_numpy())
        _keep_published(table, buurten, published, preset)
        for col in joined.columns:
            if col == "soort_regio" or not is_numeric_column(joined[col]):
                continue
            if col in KNOWN or col in preset.variables:
                buurten[col] = joined[col].to_numpy()
                variables[col] = describe(col).with_year(table.attrs.get("year"))
            elif margin_base(col) in KNOWN:
                # the publisher's 95 % margins: they give the simulated SII interval
                buurten[col] = joined[col].to_numpy()
        progress.note(str(joins[-1]))
    if "population_density" not in buurten and "population" in buurten:
        buurten["population_density"] = density_per_km2(
            buurten["population"].to_numpy(), buurten.geometry.area.to_numpy()
        )
        variables["population_density"] = describe("population_density")
    if any(c in buurten for c in BASIC_KM):
        buurten["basic_services_km"] = mean_of_available(buurten, BASIC_KM)
        variables["basic_services_km"] = describe("basic_services_km")
    return JoinedTables(buurten, variables, joins, published, notes)


def read_table(cfg: TableInput) -> pd.DataFrame:
    """Read one ``[[tables]]`` entry: a publisher's table by kind, or one's own (``eigen``)."""
    if cfg.kind == "eigen":
        return read_own_table(cfg.path, cfg.columns, code_field=cfg.code_field, year=cfg.year)
    table = read_area_table(cfg.path, kind=cfg.kind, age=cfg.age)
    if cfg.year is not None:
        table.attrs["year"] = cfg.year
    return table


def _carried_over(
    cfg: TableInput,
    table: pd.DataFrame,
    old: gpd.GeoDataFrame,
    buurten: gpd.GeoDataFrame,
    notes: list[str],
    progress: Progress,
) -> pd.DataFrame:
    """The table carried from its own buurt outlines (``old``) to the run's, with a note."""
    assert cfg.outlines is not None
    carried = carry_over(table, old, buurten[["buurtcode", "geometry"]])
    low = carried.coverage[carried.coverage < 0.5]
    text = (
        f"{cfg.path.name}: omgerekend van de buurtindeling van {cfg.outlines.name} naar die van "
        f"deze run, naar oppervlak (areal weighting); een buurt krijgt het oppervlaktegewogen "
        f"gemiddelde van de oude buurten die erin vallen. Gepubliceerde marges gaan niet mee."
    )
    if len(low):
        text += f" {len(low)} buurten liggen voor minder dan de helft in de oude indeling."
    if carried.without_outline:
        text += f" {len(carried.without_outline)} codes van de tabel zonder omtrek."
    notes.append(text)
    progress.note(text)
    return carried.table


def _keep_published(
    table: pd.DataFrame, buurten: pd.DataFrame, out: dict[str, dict[str, float]], preset: Preset
) -> None:
    """Keep the national (NL00/NL01) and gemeente figures a table publishes beside its buurten."""
    gemeenten = buurten["gemeentecode"].unique()
    national = next((c for c in ("NL01", "NL00") if c in table.index), None)
    for col in table.columns:
        if not is_numeric_column(table[col]):
            continue
        if col not in KNOWN and col not in preset.variables:
            continue
        entry = out.setdefault(col, {})
        if national is not None and pd.notna(table.loc[national, col]):
            entry["nederland"] = float(table.loc[national, col])
        if len(gemeenten) == 1 and gemeenten[0] in table.index:
            value = table.loc[gemeenten[0], col]
            if pd.notna(value):
                entry["gemeente"] = float(value)


def read_address_points(config: RunConfig) -> np.ndarray | None:
    """The ``(n, 2)`` RD New centres of the run's address layer, or ``None`` without one."""
    if config.addresses is None:
        return None
    addr = read_vector(config.addresses.path, layer=config.addresses.layer, what="adreslaag")
    centroids = addr.geometry.centroid
    return np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])


def grid_of(config: RunConfig) -> Grid:
    """The grid the run asks for (``[grid]``)."""
    return make_grid(
        config.grid.kind,
        edge=config.grid.edge_m,
        size=config.grid.size_m,
        resolution=config.grid.h3_resolution,
    )


def laid_cells(
    config: RunConfig,
    buurten: gpd.GeoDataFrame,
    cells: CellSet,
    address_points: np.ndarray | None,
) -> LaidCells:
    """The laid cells with the notes they raise and the weighting they imply.

    The weighting ``auto`` becomes ``population`` with address points, else ``area``.
    """
    notes = list(cells.notes)
    if len(cells.buurten_without_addresses):
        codes = buurten["buurtcode"].to_numpy()[cells.buurten_without_addresses]
        shown = ", ".join(map(str, codes[:10])) + (" …" if len(codes) > 10 else "")
        notes.append(f"Buurten zonder adres in de adreslaag: {shown}.")
    weighting: Weighting
    if config.weighting == "auto":
        weighting = "population" if address_points is not None else "area"
    else:
        weighting = config.weighting
    return LaidCells(cells, address_points, weighting, notes)


def lay_cells(config: RunConfig, buurten: gpd.GeoDataFrame) -> LaidCells:
    """Lay the configured grid over the buurten, limited to addresses where they are given."""
    address_points = read_address_points(config)
    cells = build_cells(buurten, grid_of(config), address_points=address_points)
    return laid_cells(config, buurten, cells, address_points)


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

    Counts (``extensive``) are shared in proportion to area or addresses, rates
    (``intensive``) are copied (see :func:`gezondewijk.indicators.areal_interpolate`).
    ``measured`` holds the proximity inputs and the values a cluster already measured at the
    cells; without it they are read and measured here.
    """
    buurten, cells = joined.buurten, laid.cells
    known = joined.variables
    extensive = [c for c in buurten.columns if c in known and known[c].kind == "extensive"]
    intensive = [c for c in buurten.columns if c in known and known[c].kind == "intensive"]
    values = areal_interpolate(
        cells, buurten, extensive=extensive, intensive=intensive, weighting=laid.weighting
    )
    if "population" in values:
        values["population_density"] = density_per_km2(
            values["population"].to_numpy(), cells.covered_area
        )
    inputs, at_cells, kept = _measured(config, joined, laid, progress, measured)
    variables: dict[str, Variable] = {}
    notes = list(inputs.notes)
    at_cells = dict(at_cells)  # a cluster's measurements stay as it sent them
    for raster_cfg in config.rasters:
        variable = variables[raster_cfg.variable] = raster_variable(raster_cfg)
        progress.note(f"raster {raster_cfg.path.name} → {raster_cfg.variable}")
        at_cells[raster_cfg.variable], rejected = plausible(at_cells[raster_cfg.variable], variable)
        if rejected:
            text = (
                f"{raster_cfg.path.name}: {rejected} cellen met een {variable.label} buiten "
                f"{_range(variable)} {variable.unit} (vulwaarde of fout in de kaart): niet "
                "meegeteld."
            )
            notes.append(text)
            progress.note(f"let op: {text}")
    from_buurten: list[str] = []
    for seg_cfg in config.segments:
        key = seg_cfg.variable
        variables[key] = replace(describe(key), year=seg_cfg.year)
        covered = np.isfinite(at_cells[key])
        progress.note(f"straatdelen {seg_cfg.path.name} → {key}: {int(covered.sum())} cellen")
        if key in values:
            # cells without segments keep the buurt's value of the same variable
            at_cells[key] = np.where(covered, at_cells[key], values[key].to_numpy())
            from_buurten.append(key)
            notes.append(
                f"{key}: per cel uit de straatdelen van {seg_cfg.path.name} (naar lengte "
                f"gewogen) in {int(covered.sum())} cellen, elders de waarde van de buurt."
            )
    for key in at_cells:
        if key not in variables:
            variables[key] = distance_variable(key, inputs)
    for name, vals in at_cells.items():
        values[name] = vals
    for key, parts in (("basic_services_m", BASIC_M), ("basic_services_walk_m", BASIC_WALK)):
        if any(c in values for c in parts):
            values[key] = mean_of_available(values, parts)
            variables[key] = describe(key)
    per_buurt = buurt_measures(buurten, inputs.points, inputs.streets)
    main = laid.cells.main_buurt()
    for key, per in per_buurt.items():
        values[key] = np.where(main >= 0, per[np.maximum(main, 0)], np.nan)
        variables[key] = describe(key)
    tables = {}
    schools, food = inputs.points.get("school"), inputs.points.get("voedsel")
    if schools is not None and len(schools) and food is not None:
        tables["scholen_voedsel"] = school_food(
            schools, food, Reach.of(inputs.walk_network), buurten
        )
    measured_here = [k for k in at_cells if k not in from_buurten]
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


def meeting_shares(
    cells: CellSet,
    cell_scores: pd.DataFrame,
    preset: Preset,
    n_buurten: int,
    cell_values: pd.DataFrame,
) -> pd.DataFrame:
    r"""Per buurt and rule, the share (%) of inhabitants whose cell meets the rule.

    Notes
    -----
    :math:`s_{jk} = 100 \sum_i p_{ij} m_{ik} / \sum_{i:\,m_{ik}\text{ known}} p_{ij}` with
    :math:`m_{ik} = 1` where cell :math:`i` meets rule :math:`k` (indicator off) and
    :math:`p_{ij}` the inhabitants of cell :math:`i` inside buurt :math:`j` (the cell's
    inhabitants spread over its area; the area itself where the run has no inhabitants). A
    cell's value is the mean over its addresses where an address layer is given, so a cell
    half within reach counts as one that is or is not: a cell-level approximation of the
    share of homes.
    """
    pieces = cells.pieces
    cell = pieces["cell"].to_numpy()
    weight = pieces["area"].to_numpy(dtype="float64")
    if "population" in cell_values:
        pop = cell_values["population"].to_numpy(dtype="float64")
        density = np.divide(
            pop, cells.covered_area, out=np.zeros(len(pop)), where=cells.covered_area > 0
        )
        if np.nansum(pop) > 0:
            weight = weight * np.nan_to_num(density[cell])
    buurt = pieces["buurt"].to_numpy()
    out = {}
    for ind in preset.indicators:
        on = cell_scores[f"{ind.key}_aan"].to_numpy(dtype="float64")[cell]
        known = ~np.isnan(on)
        meets = np.bincount(
            buurt[known], weights=weight[known] * (1 - on[known]), minlength=n_buurten
        )
        total = np.bincount(buurt[known], weights=weight[known], minlength=n_buurten)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{ind.key}_voldoet_pct"] = np.where(total > 0, 100 * meets / total, np.nan)
    return pd.DataFrame(out)


def _range(variable: Variable) -> str:
    low = "" if variable.valid_min is None else f"{variable.valid_min:g}"
    high = "" if variable.valid_max is None else f"{variable.valid_max:g}"
    return f"{low}–{high}"


def buurt_indicators(
    buurten: gpd.GeoDataFrame, laid: LaidCells, at_cells: CellIndicators
) -> gpd.GeoDataFrame:
    """The buurten with the cell-measured variables averaged back (weighted as the cells)."""
    out = buurten.copy()
    cell_only = [c for c in at_cells.values.columns if c in at_cells.measured or c in CELL_DERIVED]
    if cell_only:
        agg = cells_to_buurten(
            laid.cells, at_cells.values[cell_only], len(out), weighting=laid.weighting
        )
        for col in cell_only:
            out[col] = agg[col].to_numpy()
    for col, per in at_cells.buurt_values.items():
        out[col] = per
    return out


def score(
    buurten: gpd.GeoDataFrame,
    cells: CellSet,
    cell_values: pd.DataFrame,
    preset: Preset,
    extra: list[Preset],
    *,
    stability_draws: int = 0,
    tasks: TaskMap | None = None,
) -> Scores:
    """Score buurten and cells with the main and extra presets; compare walking and straight.

    The neighbourhood scale of the extra presets' hot-spot statistics at buurt level is the
    square root of the median buurt area. ``tasks`` spreads the stability draws (a cluster).
    """
    scored = score_levels(
        buurten,
        centres_of(buurten.geometry.to_numpy()),
        cell_values,
        (cells.x, cells.y),
        cells.grid.spacing,
        preset,
        extra,
        stability_draws=stability_draws,
        tasks=tasks,
        buurt_size=float(np.sqrt(np.median(buurten.geometry.area))),
    )
    buurt_scores = scored.buurten
    if scored.stability is not None:
        buurt_scores = pd.concat([buurt_scores, scored.stability], axis=1)
    if preset.flag("share_meeting", False):
        shares = meeting_shares(cells, scored.cells, preset, len(buurten), cell_values)
        buurt_scores = pd.concat([buurt_scores, shares], axis=1)
    scored_buurten = pd.concat([buurten, buurt_scores], axis=1)
    all_cells = pd.concat([cell_values, scored.cells], axis=1)
    notes = []
    for ind in preset.indicators:
        missing = int((buurt_scores[f"{ind.key}_status"] == STATUS_MISSING).sum())
        if missing:
            text = f"indicator '{ind.key}': geen gegevens voor {missing} buurten."
            if ind.when_missing and missing == len(buurt_scores):
                text += f" {ind.when_missing}"
            notes.append(text)
    comparison = pd.concat(
        [
            walk_vs_straight(scored_buurten, preset, level="buurten"),
            walk_vs_straight(all_cells, preset, level="cellen"),
        ],
        ignore_index=True,
    )
    for row in comparison[comparison["niveau"] == "buurten"].itertuples():
        notes.append(
            f"indicator '{row.indicator}' over het looppadennetwerk: {row.gewisseld} van "
            f"{row.vergeleken} buurten in een andere klasse dan hemelsbreed "
            f"(aan: {row.aan_netwerk} over het netwerk, {row.aan_hemelsbreed} hemelsbreed)."
        )
    return Scores(
        gpd.GeoDataFrame(scored_buurten, geometry="geometry", crs=buurten.crs),
        all_cells,
        list(buurt_scores.columns),
        scored.references,
        comparison,
        notes,
    )

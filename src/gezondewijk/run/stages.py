"""The stages of a run, each a function with typed input and output.

``read_study_area`` → ``join_tables`` → ``lay_cells`` → ``cell_indicators`` →
``buurt_indicators`` → ``score`` → :func:`gezondewijk.run.build.build_map` assembles the
:class:`~gezondewijk.run.result.MapResult`. Each stage returns what it adds (frames, variable
metadata, notes); none reaches back into an earlier stage's objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    cells_to_buurten,
    density_per_km2,
    mean_of_available,
)
from gezondewijk.indicators.interpolate import Weighting
from gezondewijk.indicators.proximity import OriginDistances, Origins
from gezondewijk.run.proximity import (
    ProximityInputs,
)
from gezondewijk.run.result import JoinReport
from gezondewijk.scoring import Preset
from gezondewijk.scoring.levels import centres_of, score_levels
from gezondewijk.scoring.stack import STATUS_MISSING
from gezondewijk.scoring.walk_vs_straight import walk_vs_straight
from gezondewijk.settings import BuurtenInput, RunConfig, TableInput
from gezondewijk.sources import is_numeric_column, read_area_table, read_buurten
from gezondewijk.sources.buurten import read_vector
from gezondewijk.sources.own_table import read_own_table
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
    return shares_of(meeting_sums(cells, cell_scores, preset, n_buurten, cell_values), n_buurten)


def meeting_sums(
    cells: CellSet,
    cell_scores: pd.DataFrame,
    preset: Preset,
    n_buurten: int,
    cell_values: pd.DataFrame,
    *,
    anyone: bool | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per rule, the weights per buurt that meet it and that are known.

    The sums behind :func:`meeting_shares`; a run in parts adds them up over its parts.

    ``anyone``: whether the run has inhabitants anywhere (``None``: judged from these cells).
    """
    pieces = cells.pieces
    cell = pieces["cell"].to_numpy()
    weight = pieces["area"].to_numpy(dtype="float64")
    if "population" in cell_values:
        pop = cell_values["population"].to_numpy(dtype="float64")
        density = np.divide(
            pop, cells.covered_area, out=np.zeros(len(pop)), where=cells.covered_area > 0
        )
        if anyone if anyone is not None else np.nansum(pop) > 0:
            weight = weight * np.nan_to_num(density[cell])
    buurt = pieces["buurt"].to_numpy()
    out = {}
    for ind in preset.indicators:
        on = cell_scores[f"{ind.key}_aan"].to_numpy(dtype="float64")[cell]
        known = ~np.isnan(on)
        out[f"{ind.key}_voldoet_pct"] = (
            np.bincount(buurt[known], weights=weight[known] * (1 - on[known]), minlength=n_buurten),
            np.bincount(buurt[known], weights=weight[known], minlength=n_buurten),
        )
    return out


def shares_of(sums: dict[str, tuple[np.ndarray, np.ndarray]], n_buurten: int) -> pd.DataFrame:
    """The percentages of :func:`meeting_sums` (NaN where no cell of the buurt is known)."""
    out = {}
    for name, (meets, total) in sums.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(total > 0, 100 * meets / total, np.nan)
    return pd.DataFrame(out, index=pd.RangeIndex(n_buurten))


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
    comparison = walk_comparison(scored_buurten, all_cells, preset)
    notes = score_notes(buurt_scores, preset, comparison)
    return Scores(
        gpd.GeoDataFrame(scored_buurten, geometry="geometry", crs=buurten.crs),
        all_cells,
        list(buurt_scores.columns),
        scored.references,
        comparison,
        notes,
    )


def walk_comparison(buurten: pd.DataFrame, cells: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    """Walking against straight-line distance, buurten then cells (:func:`walk_vs_straight`).

    ``cells`` needs only the distance columns (and ``population``), as a run in parts keeps.
    """
    return pd.concat(
        [
            walk_vs_straight(buurten, preset, level="buurten"),
            walk_vs_straight(cells, preset, level="cellen"),
        ],
        ignore_index=True,
    )


def score_notes(buurt_scores: pd.DataFrame, preset: Preset, comparison: pd.DataFrame) -> list[str]:
    """What the user should know about the scores: indicators without data, walking distances."""
    notes = []
    for ind in preset.indicators:
        missing = int((buurt_scores[f"{ind.key}_status"] == STATUS_MISSING).sum())
        if missing:
            text = f"indicator '{ind.key}': geen gegevens voor {missing} buurten."
            if ind.when_missing and missing == len(buurt_scores):
                text += f" {ind.when_missing}"
            notes.append(text)
    for row in comparison[comparison["niveau"] == "buurten"].itertuples():
        notes.append(
            f"indicator '{row.indicator}' over het looppadennetwerk: {row.gewisseld} van "
            f"{row.vergeleken} buurten in een andere klasse dan hemelsbreed "
            f"(aan: {row.aan_netwerk} over het netwerk, {row.aan_hemelsbreed} hemelsbreed)."
        )
    return notes

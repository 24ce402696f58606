"""The stacked health map, end to end: sources → areas and indicators → scores → outputs.

The CLI and (later) the web app call :func:`build_map` and the writers in
:mod:`gezondewijk.outputs`; no logic lives in either front end.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

import geopandas as gpd
import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk._progress import Progress
from gezondewijk.areas import CellSet, build_cells, make_grid
from gezondewijk.equity import inequality_summary
from gezondewijk.indicators import (
    areal_interpolate,
    cells_to_buurten,
    density_per_km2,
    mean_of_available,
    raster_at_points,
)
from gezondewijk.provenance import Provenance
from gezondewijk.run_sources import credits_of, input_sources
from gezondewijk.scoring import Preset, load_preset
from gezondewijk.scoring.levels import centres_of, check_presets, score_levels
from gezondewijk.scoring.walk_vs_straight import walk_vs_straight
from gezondewijk.settings import RunConfig
from gezondewijk.sources import read_area_table, read_buurten, read_raster
from gezondewijk.sources.buurten import read_vector
from gezondewijk.stage_proximity import measure_proximity
from gezondewijk.variables import KNOWN, Variable, describe, walk_key

BASIC_M = ["distance_gp_m", "distance_supermarket_m", "distance_school_m"]
BASIC_KM = ["distance_gp_km", "distance_supermarket_km", "distance_school_km"]
BASIC_WALK = [walk_key(k) for k in BASIC_M]


@dataclass
class JoinReport:
    """How well one table joined to the buurten on the buurt code."""

    source: str
    matched: int
    total: int
    unmatched: list[str]

    def __str__(self) -> str:
        text = f"{self.source}: {self.matched} van {self.total} buurten gekoppeld"
        if self.unmatched:
            more = " …" if len(self.unmatched) > 5 else ""
            text += f" (niet: {', '.join(self.unmatched[:5])}{more})"
        return text


@dataclass
class MapResult:
    """Everything a run produced, ready for the writers."""

    name: str
    preset: Preset
    buurten: gpd.GeoDataFrame
    cells: CellSet
    cell_values: pd.DataFrame
    variables: dict[str, Variable]
    references: dict[str, float]
    joins: list[JoinReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False
    credits: str = ""
    weighting: str = "area"
    extra_presets: list[Preset] = field(default_factory=list)
    inequality: pd.DataFrame | None = None
    published_references: dict[str, dict[str, float]] = field(default_factory=dict)
    #: Per indicator measured along the walking network: areas whose class differs when the
    #: straight-line distance is used instead (see :func:`walk_vs_straight`).
    walk_comparison: pd.DataFrame | None = None
    #: Where every input file came from (see :mod:`gezondewijk.provenance`).
    sources: list[Provenance] = field(default_factory=list)

    def cells_frame(self) -> gpd.GeoDataFrame:
        """Cells as polygons with every variable and score column."""
        frame = self.cells.to_geodataframe()
        main = self.cells.main_buurt()
        frame["buurtcode"] = np.where(main >= 0, self.buurten["buurtcode"].to_numpy()[main], "")
        for col in self.cell_values.columns:
            frame[col] = self.cell_values[col].to_numpy()
        return frame

    def summary(self) -> dict[str, object]:
        """Return counts and the score distribution, for the CLI's closing summary."""
        scores = self.cell_values["score"].value_counts().sort_index()
        bscores = self.buurten["score"].value_counts().sort_index()
        return {
            "cellen": len(self.cells),
            "buurten": len(self.buurten),
            "indicatoren": len(self.preset.indicators),
            "indicatoren_beschikbaar_buurt": {
                ind.key: int((self.buurten[f"{ind.key}_status"] != "ontbreekt").sum())
                for ind in self.preset.indicators
            },
            "score_cellen": {int(k): int(v) for k, v in scores.items()},
            "score_buurten": {int(k): int(v) for k, v in bscores.items()},
        }


def build_map(config: RunConfig, *, stream: TextIO | None = sys.stderr) -> MapResult:
    """Run the stacked health map pipeline for one configuration.

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
    notes: list[str] = []
    variables: dict[str, Variable] = {}

    with progress.step("buurtgrenzen lezen"):
        buurten = read_buurten(
            config.buurten.path,
            layer=config.buurten.layer,
            code_field=config.buurten.code_field,
            name_field=config.buurten.name_field,
        )
        for column, wanted, name in (
            ("gemeentecode", config.buurten.gemeenten, "gemeenten"),
            ("buurtcode", config.buurten.codes, "codes"),
        ):
            if wanted:
                buurten = buurten[buurten[column].isin(wanted)].reset_index(drop=True)
                if buurten.empty:
                    raise InputDataError(
                        f"geen buurten met de gekozen {name}.",
                        path=config.buurten.path,
                        field=name,
                        fix="controleer de codes (GM…. voor gemeenten, BU…… voor buurten).",
                    )
        year = config.buurten.year or buurten.attrs.get("year")
        for col in buurten.columns:
            if col in KNOWN:
                variables[col] = KNOWN[col].with_year(year)
        progress.note(f"{len(buurten)} buurten")

    joins: list[JoinReport] = []
    published: dict[str, dict[str, float]] = {}
    with progress.step("tabellen koppelen op buurtcode"):
        for table_cfg in config.tables:
            table = read_area_table(table_cfg.path, kind=table_cfg.kind, age=table_cfg.age)
            codes = buurten["buurtcode"]
            matched = codes.isin(table.index)
            joins.append(
                JoinReport(
                    table_cfg.path.name, int(matched.sum()), len(buurten), codes[~matched].tolist()
                )
            )
            joined = table.reindex(codes.to_numpy())
            _published_references(table, buurten, published, preset)
            for col in joined.columns:
                if col == "soort_regio" or not pd.api.types.is_numeric_dtype(joined[col]):
                    continue
                if col in KNOWN or col in preset.variables:
                    buurten[col] = joined[col].to_numpy()
                    variables[col] = describe(col).with_year(table.attrs.get("year"))
            progress.note(str(joins[-1]))
        if "population_density" not in buurten and "population" in buurten:
            buurten["population_density"] = density_per_km2(
                buurten["population"].to_numpy(), buurten.geometry.area.to_numpy()
            )
            variables["population_density"] = describe("population_density")
        if any(c in buurten for c in BASIC_KM):
            buurten["basic_services_km"] = mean_of_available(buurten, BASIC_KM)
            variables["basic_services_km"] = describe("basic_services_km")

    address_points = None
    with progress.step("cellen leggen"):
        if config.addresses is not None:
            addr = read_vector(
                config.addresses.path, layer=config.addresses.layer, what="adreslaag"
            )
            centroids = addr.geometry.centroid
            address_points = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
        grid = make_grid(
            config.grid.kind,
            edge=config.grid.edge_m,
            size=config.grid.size_m,
            resolution=config.grid.h3_resolution,
        )
        cells = build_cells(buurten, grid, address_points=address_points)
        notes.extend(cells.notes)
        progress.note(f"{len(cells)} cellen ({grid.prefix})")

    weighting = config.weighting
    if weighting == "auto":
        weighting = "population" if address_points is not None else "area"

    with progress.step("indicatoren op cellen"):
        extensive = [
            c for c in buurten.columns if c in variables and variables[c].kind == "extensive"
        ]
        intensive = [
            c for c in buurten.columns if c in variables and variables[c].kind == "intensive"
        ]
        cell_values = areal_interpolate(
            cells, buurten, extensive=extensive, intensive=intensive, weighting=weighting
        )
        if "population" in cell_values:
            cell_values["population_density"] = density_per_km2(
                cell_values["population"].to_numpy(), cells.covered_area
            )
        measured: dict[str, np.ndarray] = {}
        for raster_cfg in config.rasters:
            layer = read_raster(raster_cfg.path, crs=raster_cfg.crs)
            measured[raster_cfg.variable] = raster_at_points(layer, cells.x, cells.y)
            base = describe(raster_cfg.variable)
            variables[raster_cfg.variable] = Variable(
                raster_cfg.variable,
                raster_cfg.label or base.label,
                base.label_en,
                raster_cfg.unit or base.unit,
                base.direction,
                "intensive",
                base.source,
                raster_cfg.year,
                base.licence,
            )
            progress.note(f"raster {raster_cfg.path.name} → {raster_cfg.variable}")
        measured.update(
            measure_proximity(config, buurten, cells, address_points, variables, notes, progress)
        )
        for name, vals in measured.items():
            cell_values[name] = vals
        for key, parts in (("basic_services_m", BASIC_M), ("basic_services_walk_m", BASIC_WALK)):
            if any(c in cell_values for c in parts):
                cell_values[key] = mean_of_available(cell_values, parts)
                variables[key] = describe(key)

    with progress.step("indicatoren op buurten"):
        derived = {"basic_services_m", "basic_services_walk_m"}
        cell_only = [c for c in cell_values.columns if c in measured or c in derived]
        if cell_only:
            agg = cells_to_buurten(cells, cell_values[cell_only], len(buurten), weighting=weighting)
            for col in cell_only:
                buurten[col] = agg[col].to_numpy()

    with progress.step(f"scoren met preset {', '.join(p.name for p in [preset, *extra])}"):
        buurten["_area"] = buurten.geometry.area
        scored = score_levels(
            buurten,
            centres_of(buurten.geometry.to_numpy()),
            cell_values,
            (cells.x, cells.y),
            cells.grid.spacing,
            preset,
            extra,
            stability_draws=config.stability_draws,
        )
        references = scored.references
        buurt_scores = scored.buurten
        buurten = pd.concat([buurten.drop(columns="_area"), buurt_scores], axis=1)
        if scored.stability is not None:
            buurten = pd.concat([buurten, scored.stability], axis=1)
            buurt_scores = pd.concat([buurt_scores, scored.stability], axis=1)
        cell_values = pd.concat([cell_values, scored.cells], axis=1)
        for ind in preset.indicators:
            missing = int((buurt_scores[f"{ind.key}_status"] == "ontbreekt").sum())
            if missing:
                notes.append(f"indicator '{ind.key}': geen gegevens voor {missing} buurten.")
        comparison = pd.concat(
            [
                walk_vs_straight(buurten, preset, level="buurten"),
                walk_vs_straight(cell_values, preset, level="cellen"),
            ],
            ignore_index=True,
        )
        for row in comparison[comparison["niveau"] == "buurten"].itertuples():
            notes.append(
                f"indicator '{row.indicator}' over het looppadennetwerk: {row.gewisseld} van "
                f"{row.vergeleken} buurten in een andere klasse dan hemelsbreed "
                f"(aan: {row.aan_netwerk} over het netwerk, {row.aan_hemelsbreed} hemelsbreed)."
            )

    inequality = None
    if config.inequality is not None:
        inequality = buurt_inequality(buurten, config)

    with progress.step("samenvatten"):
        sources = input_sources(config)
        if config.synthetic:
            notes.insert(0, "synthetische voorbeelddata: geen echte metingen.")
        keep = ["buurtcode", "buurtnaam", "gemeentecode"]
        keep += [c for c in buurten.columns if c in variables or c in buurt_scores.columns]
        buurten = buurten[[*keep, "geometry"]]
    return MapResult(
        name=config.name,
        preset=preset,
        buurten=gpd.GeoDataFrame(buurten, geometry="geometry", crs=buurten.crs),
        cells=cells,
        cell_values=cell_values,
        variables=variables,
        references=references,
        joins=joins,
        notes=notes,
        synthetic=config.synthetic,
        credits=credits_of(config, sources),
        weighting=weighting,
        extra_presets=extra,
        inequality=inequality,
        published_references=published,
        walk_comparison=comparison if len(comparison) else None,
        sources=sources,
    )


def _published_references(
    table: pd.DataFrame, buurten: pd.DataFrame, out: dict[str, dict[str, float]], preset: Preset
) -> None:
    """Keep the national (NL00/NL01) and gemeente figures a table publishes beside its buurten."""
    gemeenten = buurten["gemeentecode"].unique()
    national = next((c for c in ("NL01", "NL00") if c in table.index), None)
    for col in table.columns:
        if not pd.api.types.is_numeric_dtype(table[col]):
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


def buurt_inequality(buurten: pd.DataFrame, config: RunConfig) -> pd.DataFrame:
    """Inequality measures across the run's buurten, population-weighted, per variable.

    Raises
    ------
    InputDataError
        When the SES variable or one of the variables is not in the data.
    """
    cfg = config.inequality
    assert cfg is not None
    missing = [v for v in [cfg.ses, *cfg.variables] if v not in buurten]
    if missing:
        raise InputDataError(
            f"variabelen voor de ongelijkheidsmaten ontbreken: {', '.join(missing)}.",
            field="inequality",
            fix="kies variabelen die in de tabellen van deze run staan.",
        )
    advantaged = cfg.ses_higher_is_advantaged
    if advantaged is None:
        advantaged = describe(cfg.ses).direction == "higher_is_better"
    weights = (
        buurten["population"].to_numpy(dtype="float64")
        if "population" in buurten
        else np.ones(len(buurten))
    )
    parts = []
    for var in cfg.variables:
        table = inequality_summary(
            buurten[var].to_numpy(dtype="float64"),
            buurten[cfg.ses].to_numpy(dtype="float64"),
            weights,
            higher_is_advantaged=advantaged,
            n_boot=cfg.bootstrap,
        )
        table.insert(0, "variabele", var)
        table.insert(1, "ses", cfg.ses)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)

"""A run laid part by part, so that its memory follows the largest part, not the country.

The buurten are cut into parts of whole gemeenten, each with a halo
(:mod:`gezondewijk.areas.partition`, as on a Dask cluster), and the cells go through three
passes, one part at a time:

1. **lay**: lay and measure the part's cells (rasters, distances), add up the buurt totals
   of area and addresses that sharing a count out divides by, and put the part aside on disk;
2. **settle**: share the buurt values out to the part's cells with the totals of the whole
   run; add up the buurt means of what was measured at the cells, keep the few columns that
   are ranked over every cell (``quantile`` rules, the walking-versus-straight comparison)
   and each column's range; then score the buurten, which are few, in memory;
3. **score**: share out again (cheap: a few ``bincount``), score the part's cells against
   the buurten's references and the whole run's quantile thresholds, and hand the part to
   the writers (:func:`gezondewijk.outputs.in_parts.write_in_parts`).

Only what is ranked over every cell is held for the whole run: a float64 column per
``quantile`` rule (8 bytes a cell). The result equals a run in one go, cell for cell, up
to the order in which sums over a buurt that lies in two parts are added (the last bits of
a float; ``make bench`` checks the country at 100 m).

What a run in parts cannot do: extra presets, whose methods rank or smooth over every cell
(percentiles, hot spots); such a run goes in one go.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gezondewijk._errors import ConfigError
from gezondewijk._memory import release_freed
from gezondewijk._progress import Progress
from gezondewijk.areas import CellSet, Grid, build_cells
from gezondewijk.areas.cells import laying_notes
from gezondewijk.areas.partition import owned_cells
from gezondewijk.indicators.interpolate import BuurtWeights, buurt_sums, means_of
from gezondewijk.run.cell_values import (
    CellCounts,
    buurt_tables,
    cell_notes,
    cell_variables,
    from_buurten,
    measure_cells,
    shared_columns,
    values_at,
)
from gezondewijk.run.cluster import PartJob, part_jobs
from gezondewijk.run.proximity import ProximityInputs, read_proximity_inputs
from gezondewijk.run.result import CellSummary
from gezondewijk.run.stages import (
    CELL_DERIVED,
    CellIndicators,
    JoinedTables,
    LaidCells,
    Scores,
    grid_of,
    laid_cells,
    meeting_sums,
    read_address_points,
    score_notes,
    shares_of,
    walk_comparison,
)
from gezondewijk.scoring import Preset
from gezondewijk.scoring.apply import apply_preset
from gezondewijk.scoring.levels import centres_of, score_levels
from gezondewijk.scoring.stack import quantile_thresholds
from gezondewijk.settings import RasterInput, RunConfig
from gezondewijk.sources import read_raster
from gezondewijk.sources.rasters import RasterLayer
from gezondewijk.variables import Variable

#: Cells per part, about: 2 kB a cell while a part is laid keeps a part under 1 GB.
PART_CELLS = 400_000
#: A run whose buurten would hold this many cells or more goes in parts unless its
#: configuration says otherwise (``in_parts``): in one go, a run holds ~2.2 kB a cell.
IN_PARTS_FROM_CELLS = 1_000_000


def estimated_cells(buurten: gpd.GeoDataFrame, grid: Grid) -> int:
    """About how many cells the buurten hold (their area over a cell's)."""
    return int(float(buurten.geometry.area.sum()) / grid.cell_area)


def goes_in_parts(config: RunConfig, buurten: gpd.GeoDataFrame, *, cluster: bool) -> bool:
    """Whether a run is laid part by part: as its configuration says, else by its size.

    Raises
    ------
    ConfigError
        When ``in_parts = true`` asks for what a run in parts cannot do.
    """
    if config.in_parts is True:
        if config.extra_presets:
            raise ConfigError(
                "in_parts = true gaat niet samen met extra_presets: die rangschikken elke cel "
                "tegen alle andere. Laat extra_presets weg, of zet in_parts = false."
            )
        if cluster:
            raise ConfigError(
                "in_parts = true gaat niet samen met een Dask-cluster (--scheduler, "
                "--workers); het cluster legt de cellen al per deel."
            )
        return True
    if config.in_parts is False or cluster or config.extra_presets:
        return False
    return estimated_cells(buurten, grid_of(config)) >= IN_PARTS_FROM_CELLS


@dataclass
class ScoredPart:
    """One part's cells with every variable and score, ready to be written."""

    cells: CellSet
    #: One row per cell: the variables, then the scores (as a run in one go has them).
    values: pd.DataFrame
    #: The code of each cell's main buurt ("" for none).
    buurtcodes: np.ndarray


@dataclass
class _Totals:
    """What the passes add up over the parts."""

    weights: BuurtWeights
    count: int = 0
    addresses: int = 0
    orphans: list[np.ndarray] = field(default_factory=list)
    bounds: list[tuple[float, float, float, float]] = field(default_factory=list)
    sums: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    counts: CellCounts = field(default_factory=CellCounts)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: Columns ranked over every cell, filled part by part (see ``PartsRun.share_out``).
    ranked: dict[str, np.ndarray] = field(default_factory=dict)
    population: float = 0.0
    scores: dict[int, int] = field(default_factory=dict)
    meeting: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def add_ranges(self, values: pd.DataFrame) -> None:
        """Widen each numeric column's range of known values by a part's."""
        for name in values.columns:
            column = values[name]
            if not pd.api.types.is_numeric_dtype(column.dtype):
                continue
            known = column.to_numpy(dtype="float64", na_value=np.nan)
            known = known[~np.isnan(known)]
            if known.size == 0:
                continue
            low, high = float(known.min()), float(known.max())
            if name in self.ranges:
                low, high = min(low, self.ranges[name][0]), max(high, self.ranges[name][1])
            self.ranges[name] = (low, high)


@dataclass(frozen=True)
class SettledBuurten:
    """The buurten after the second pass: measured means, scores, and the cells' references."""

    buurten: gpd.GeoDataFrame
    score_columns: list[str]
    #: References for the buurten (population-weighted means of the buurten).
    references: dict[str, float]
    #: References for the cells: the buurten's, and each quantile rule over every cell.
    cell_references: dict[str, float]
    stability: pd.DataFrame | None


class PartsRun:
    """A run laid part by part; :meth:`lay`, :meth:`settle`, then :meth:`scored_parts`.

    Parameters
    ----------
    config
        The run's configuration.
    joined
        The buurten with their tables (read and joined in one go: they are small).
    preset
        The main preset (a run in parts has no extra presets).
    progress
        Where each pass reports.
    part_cells
        About how many cells a part holds (default :data:`PART_CELLS`).
    """

    def __init__(
        self,
        config: RunConfig,
        joined: JoinedTables,
        preset: Preset,
        progress: Progress,
        *,
        part_cells: int | None = None,
    ) -> None:
        self.config = config
        self.joined = joined
        self.preset = preset
        self.progress = progress
        self.grid = grid_of(config)
        n_buurten = len(joined.buurten)
        self.totals = _Totals(BuurtWeights(np.zeros(n_buurten), np.zeros(n_buurten)))
        self.address_points = read_address_points(config)
        size = part_cells or PART_CELLS
        parts = max(1, -(-estimated_cells(joined.buurten, self.grid) // size))
        self.jobs = part_jobs(joined.buurten, config, self.address_points, parts)
        self._folder = Path(tempfile.mkdtemp(prefix="gezondewijk-delen-"))
        self._rasters: dict[Path, RasterLayer] = {}
        self.inputs: ProximityInputs | None = None
        self.per_buurt: dict[str, np.ndarray] = {}
        self.tables: dict[str, pd.DataFrame] = {}
        self.columns: pd.DataFrame | None = None  # the cells' columns, no rows
        self.measured: list[str] = []
        self.settled: SettledBuurten | None = None
        self.at_cells: CellIndicators | None = None
        self._laid: LaidCells | None = None

    def close(self) -> None:
        """Remove the parts put aside on disk."""
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> PartsRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _raster(self, cfg: RasterInput) -> RasterLayer:
        if cfg.path not in self._rasters:
            self._rasters[cfg.path] = read_raster(cfg.path, crs=cfg.crs)
        return self._rasters[cfg.path]

    # -- pass 1 -------------------------------------------------------------------------------

    def lay(self) -> None:
        """Lay and measure every part's cells and put them aside (the first pass)."""
        self.inputs = read_proximity_inputs(self.config, self.joined.buurten, self.progress)
        self.per_buurt, self.tables = buurt_tables(self.joined.buurten, self.inputs)
        n_buurten = len(self.joined.buurten)
        for k, job in enumerate(self.jobs):
            cells = build_cells(job.buurten, self.grid, address_points=job.address_points)
            mine = owned_cells(cells, job.positions, job.own)
            measured = measure_cells(
                self.config, mine, job.address_points, self.inputs, read=self._raster
            )
            self.measured = list(measured)
            t = self.totals
            t.weights = t.weights + BuurtWeights.of(mine, n_buurten)
            t.count += len(mine)
            t.addresses += int(mine.pieces["addresses"].sum())
            t.orphans.append(mine.buurten_without_addresses)
            if len(mine):
                t.bounds.append(
                    (
                        float(mine.x.min()),
                        float(mine.y.min()),
                        float(mine.x.max()),
                        float(mine.y.max()),
                    )
                )
            _put_aside(self._folder / f"{k}.npz", mine, measured)
            self.progress.note(f"deel {k + 1}/{len(self.jobs)}: {len(mine)} cellen")
            del cells, mine, measured
            release_freed()
        self._laid = self._whole()

    def _part(self, k: int) -> tuple[CellSet, dict[str, np.ndarray]]:
        return _take_up(self._folder / f"{k}.npz", self.grid, self.measured)

    def _values(
        self, cells: CellSet, measured: dict[str, np.ndarray]
    ) -> tuple[pd.DataFrame, CellCounts]:
        """Every variable of one part's cells, shared out with the whole run's totals."""
        return values_at(
            self.config,
            self.joined,
            cells,
            self.laid.weighting,
            measured,
            self.per_buurt,
            totals=self.totals.weights,
        )

    @property
    def laid(self) -> LaidCells:
        """The cells as a whole: no rows, but the notes and weighting of all of them."""
        assert self._laid is not None, "lay() first"
        return self._laid

    def _whole(self) -> LaidCells:
        """:attr:`laid`, from what the first pass added up."""
        t = self.totals
        orphans = np.sort(np.concatenate(t.orphans)) if t.orphans else np.zeros(0, np.int64)
        notes: list[str] = []
        if self.address_points is not None:
            notes = laying_notes(len(self.address_points) - t.addresses, 0) + laying_notes(
                0, len(orphans)
            )
        summary = CellSet(
            grid=self.grid,
            keys=np.zeros(0, dtype=np.int64),
            x=np.zeros(0),
            y=np.zeros(0),
            pieces=pd.DataFrame({"cell": [], "buurt": [], "area": [], "addresses": []}),
            addresses=None if self.address_points is None else np.zeros(0, dtype=np.int64),
            notes=notes,
            buurten_without_addresses=orphans,
        )
        return laid_cells(self.config, self.joined.buurten, summary, self.address_points)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Bounds of every cell centre of the run."""
        b = np.array(self.totals.bounds or [(0.0, 0.0, 0.0, 0.0)])
        return (
            float(b[:, 0].min()),
            float(b[:, 1].min()),
            float(b[:, 2].max()),
            float(b[:, 3].max()),
        )

    # -- pass 2 -------------------------------------------------------------------------------

    def _ranked_columns(self, columns: list[str]) -> list[str]:
        """Columns ranked over every cell: quantile rules, and the walking comparison."""
        wanted = [
            part.variable
            for ind in self.preset.indicators
            for opt in ind.options
            for part in opt.parts
            if part.rule == "quantile"
        ]
        for variable in self.preset.variables:
            if variable.endswith("_walk_m"):
                wanted += [variable, variable.replace("_walk_m", "_m"), "population"]
        return [c for c in dict.fromkeys(wanted) if c in columns]

    def settle(self) -> SettledBuurten:
        """Share out and measure back to the buurten (the second pass), then score them."""
        self.share_out()
        return self.score_buurten()

    def share_out(self) -> None:
        """Share the buurt values out to each part's cells and add up what the buurten need."""
        t = self.totals
        weighting = self.laid.weighting
        start = 0
        for k in range(len(self.jobs)):
            cells, measured = self._part(k)
            values, counts = self._values(cells, measured)
            if self.columns is None:
                self.columns = values.iloc[:0].copy()
            t.counts.add(counts)
            cell_only = self._cell_only(list(values.columns))
            _add_sums(
                t.sums,
                buurt_sums(
                    cells,
                    values[cell_only],
                    len(self.joined.buurten),
                    weighting=weighting,
                    totals=t.weights,
                ),
            )
            for name in self._ranked_columns(list(values.columns)):
                column = t.ranked.setdefault(name, np.empty(t.count))  # filled in order
                column[start : start + len(values)] = values[name].to_numpy(dtype="float64")
            start += len(values)
            if "population" in values:
                t.population += float(np.nansum(values["population"].to_numpy(dtype="float64")))
            del cells, measured, values
            release_freed()
        self.at_cells = self._cell_indicators()

    def score_buurten(self) -> SettledBuurten:
        """Score the buurten; fix the references and quantile thresholds of the cells."""
        self.settled = self._score_buurten()
        return self.settled

    def _cell_only(self, columns: list[str]) -> list[str]:
        """Columns measured at the cells and averaged back to the buurten."""
        shared_out = from_buurten(self.config, shared_columns(self.joined))
        measured = [k for k in self.measured if k not in shared_out]
        return [c for c in columns if c in measured or c in CELL_DERIVED]

    def _score_buurten(self) -> SettledBuurten:
        buurten = self.joined.buurten.copy()
        n = len(buurten)
        for col, values in means_of(self.totals.sums, n).items():
            buurten[col] = values.to_numpy()
        for col, per in self.per_buurt.items():
            buurten[col] = per
        assert self.columns is not None
        scored = score_levels(
            buurten,
            centres_of(buurten.geometry.to_numpy()),
            self.columns,
            (np.zeros(0), np.zeros(0)),
            self.grid.spacing,
            self.preset,
            [],
            stability_draws=self.config.stability_draws,
            buurt_size=float(np.sqrt(np.median(buurten.geometry.area))),
        )
        thresholds = quantile_thresholds(self.totals.ranked, self.preset)
        cell_references = {**scored.references, **thresholds}
        buurt_scores = scored.buurten
        if scored.stability is not None:
            buurt_scores = pd.concat([buurt_scores, scored.stability], axis=1)
        return SettledBuurten(
            gpd.GeoDataFrame(pd.concat([buurten, buurt_scores], axis=1), crs=buurten.crs),
            list(buurt_scores.columns),
            scored.references,
            cell_references,
            scored.stability,
        )

    # -- pass 3 -------------------------------------------------------------------------------

    def scored_parts(self) -> Iterator[ScoredPart]:
        """Each part's cells with their variables and scores (the third pass)."""
        assert self.settled is not None, "settle() first"
        t = self.totals
        codes = self.joined.buurten["buurtcode"].astype(str).to_numpy()
        sharing = self.preset.flag("share_meeting", False)
        for k in range(len(self.jobs)):
            cells, measured = self._part(k)
            values, _ = self._values(cells, measured)
            scores = apply_preset(values, self.preset, self.settled.cell_references)
            for score, count in scores["score"].value_counts().items():
                t.scores[int(score)] = t.scores.get(int(score), 0) + int(count)
            if sharing:
                _add_sums(
                    t.meeting,
                    meeting_sums(
                        cells,
                        scores,
                        self.preset,
                        len(codes),
                        values,
                        anyone=t.population > 0,
                    ),
                )
            both = pd.concat([values, scores], axis=1)
            t.add_ranges(both)
            main = cells.main_buurt()
            yield ScoredPart(cells, both, np.where(main >= 0, codes[np.maximum(main, 0)], ""))
            del cells, measured, values, scores, both, main
            release_freed()

    # -- the whole ----------------------------------------------------------------------------

    def scores(self) -> Scores:
        """The scores as a run in one go has them, the cells' own left out (no rows)."""
        assert self.settled is not None
        buurten, columns = self.settled.buurten, list(self.settled.score_columns)
        if self.totals.meeting:
            shares = shares_of(self.totals.meeting, len(buurten))
            buurten = gpd.GeoDataFrame(pd.concat([buurten, shares], axis=1), crs=buurten.crs)
            columns += list(shares.columns)
        comparison = walk_comparison(buurten, pd.DataFrame(self.totals.ranked), self.preset)
        _, cell_values = self.empty_cells()
        notes = score_notes(buurten[columns], self.preset, comparison)
        return Scores(buurten, cell_values, columns, self.settled.references, comparison, notes)

    def variables(self) -> dict[str, Variable]:
        """The metadata of the cells' own variables (measured, derived, per buurt)."""
        assert self.columns is not None and self.inputs is not None
        return cell_variables(
            self.config, list(self.columns.columns), self.measured, self.inputs, self.per_buurt
        )

    def _cell_indicators(self) -> CellIndicators:
        """The cells' variables and notes, as a run in one go has them (no rows)."""
        assert self.columns is not None and self.inputs is not None
        variables = self.variables()
        notes = [
            *self.inputs.notes,
            *cell_notes(
                self.config,
                variables,
                self.totals.counts,
                shared_columns(self.joined),
                self.progress,
            ),
            f"de cellen zijn in {len(self.jobs)} delen gelegd en geschreven (in_parts).",
        ]
        return CellIndicators(
            self.columns,
            variables,
            self._cell_only(list(self.columns.columns)),
            notes,
            self.inputs,
            buurt_values=self.per_buurt,
            tables=self.tables,
        )

    def summary(self) -> CellSummary:
        """What the writers and the closing summary need of all cells."""
        assert self.settled is not None
        thresholds = {
            k: v
            for k, v in self.settled.cell_references.items()
            if k not in self.settled.references
        }
        return CellSummary(
            self.totals.count,
            dict(self.totals.scores),
            dict(self.totals.ranges),
            thresholds,
            parts=len(self.jobs),
        )

    def empty_cells(self) -> tuple[CellSet, pd.DataFrame]:
        """The cells as a result holds them: no rows, every column."""
        assert self.columns is not None
        scores = apply_preset(self.columns, self.preset, {})
        return self.laid.cells, pd.concat([self.columns, scores], axis=1)


def _add_sums(
    into: dict[str, tuple[np.ndarray, np.ndarray]],
    part: dict[str, tuple[np.ndarray, np.ndarray]],
) -> None:
    """Add a part's numerators and denominators per buurt to the run's."""
    for key, (num, den) in part.items():
        if key in into:
            into[key] = (into[key][0] + num, into[key][1] + den)
        else:
            into[key] = (num, den)


def _put_aside(path: Path, cells: CellSet, measured: dict[str, np.ndarray]) -> None:
    """Write one part's cells and measurements to disk (uncompressed: written once, read twice)."""
    arrays = {
        "keys": cells.keys,
        "x": cells.x,
        "y": cells.y,
        "orphans": cells.buurten_without_addresses,
        **{f"piece_{c}": cells.pieces[c].to_numpy() for c in cells.pieces.columns},
        **{f"value_{k}": v for k, v in measured.items()},
    }
    if cells.addresses is not None:
        arrays["addresses"] = cells.addresses
    save: Callable[..., None] = np.savez  # typed for positional arrays only
    save(path, **arrays)


def _take_up(path: Path, grid: Grid, measured: list[str]) -> tuple[CellSet, dict[str, np.ndarray]]:
    """Read back a part written by :func:`_put_aside`."""
    with np.load(path) as data:
        pieces = pd.DataFrame(
            {c[len("piece_") :]: data[c] for c in data.files if c.startswith("piece_")}
        )
        cells = CellSet(
            grid=grid,
            keys=data["keys"],
            x=data["x"],
            y=data["y"],
            pieces=pieces,
            addresses=data["addresses"] if "addresses" in data.files else None,
            buurten_without_addresses=data["orphans"],
        )
        return cells, {k: data[f"value_{k}"] for k in measured}


__all__ = [
    "IN_PARTS_FROM_CELLS",
    "PART_CELLS",
    "PartJob",
    "PartsRun",
    "ScoredPart",
    "estimated_cells",
    "goes_in_parts",
]

"""What one run produced: the single definition every writer and report reads.

The stages in :mod:`gezondewijk.run.stages` build a :class:`MapResult`; the writers in
:mod:`gezondewijk.outputs` turn it into files, and :mod:`gezondewijk.outputs.folder` reads those
files back. Nothing here computes; it only holds and describes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from gezondewijk.areas import CellSet
from gezondewijk.provenance import Provenance
from gezondewijk.scoring import Preset
from gezondewijk.scoring.stack import STATUS_MISSING
from gezondewijk.variables import Variable


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


@dataclass(frozen=True)
class CellSummary:
    """The cells of a run laid part by part: written part by part, summed up here.

    Such a run (:mod:`gezondewijk.run.in_parts`) never holds all its cells at once; what the
    writers and the summary need of them as a whole is counted on the way.
    """

    count: int
    #: Score → number of cells with it.
    scores: dict[int, int]
    #: Numeric column → smallest and largest known value over every cell.
    ranges: dict[str, tuple[float, float]]
    #: ``quantile`` rule → its threshold over every cell (keys of
    #: :func:`gezondewijk.scoring.stack.quantile_key`).
    thresholds: dict[str, float]
    #: Into how many parts the run was cut.
    parts: int = 1


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
    #: Further tables written beside the metadata, by name (``scholen_voedsel``: food outlets
    #: within walking distance of each school).
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Set when the run was laid part by part: ``cells`` and ``cell_values`` then hold no
    #: rows (the columns only), and the cells were written as they were made.
    cells_in_parts: CellSummary | None = None

    @property
    def cell_count(self) -> int:
        """Number of cells of the run, held here or written part by part."""
        return self.cells_in_parts.count if self.cells_in_parts else len(self.cells)

    def cells_frame(self) -> gpd.GeoDataFrame:
        """Cells as polygons with every variable and score column."""
        frame = self.cells.to_geodataframe()
        main = self.cells.main_buurt()
        frame["buurtcode"] = np.where(main >= 0, self.buurten["buurtcode"].to_numpy()[main], "")
        for col in self.cell_values.columns:
            frame[col] = self.cell_values[col].to_numpy()
        return frame

    def differences(self, other: MapResult) -> list[str]:
        """Where ``other`` differs from this result: cells, their pieces, values and scores.

        Compares cell keys and order, the cell–buurt pieces, every cell column and every
        buurt column (geometry aside) exactly, NaN equal to NaN. Empty when the two are the
        same cell for cell, e.g. a run in one process and the same run on a cluster.
        """
        if not np.array_equal(self.cells.keys, other.cells.keys):
            return [f"cellen: {len(self.cells)} tegen {len(other.cells)}, of in andere volgorde"]
        found = []
        tables = (
            ("stukken", self.cells.pieces, other.cells.pieces),
            ("cellen", self.cell_values, other.cell_values),
            (
                "buurten",
                self.buurten.drop(columns="geometry"),
                other.buurten.drop(columns="geometry"),
            ),
        )
        for name, mine, theirs in tables:
            if list(mine.columns) != list(theirs.columns) or len(mine) != len(theirs):
                found.append(f"{name}: andere kolommen of rijen")
                continue
            for col in mine.columns:
                a, b = mine[col].to_numpy(), theirs[col].to_numpy()
                same = (a == b) | (pd.isna(a) & pd.isna(b))
                if not same.all():
                    found.append(f"{name}.{col}: {int((~same).sum())} waarden anders")
        return found

    def theme_links(self) -> dict[str, str]:
        """Leefplekmeter theme → the main preset's indicator that measures it (preset data)."""
        return {
            theme: ind.key for ind in self.preset.indicators for theme in ind.leefplekmeter_themes
        }

    def summary(self) -> dict[str, object]:
        """Return counts and the score distribution, for the CLI's closing summary."""
        if self.cells_in_parts is not None:
            scores = pd.Series(self.cells_in_parts.scores).sort_index()
        else:
            scores = self.cell_values["score"].value_counts().sort_index()
        bscores = self.buurten["score"].value_counts().sort_index()
        return {
            "cellen": self.cell_count,
            "buurten": len(self.buurten),
            "indicatoren": len(self.preset.indicators),
            "indicatoren_beschikbaar_buurt": {
                ind.key: int((self.buurten[f"{ind.key}_status"] != STATUS_MISSING).sum())
                for ind in self.preset.indicators
            },
            "score_cellen": {int(k): int(v) for k, v in scores.items()},
            "score_buurten": {int(k): int(v) for k, v in bscores.items()},
        }

"""A pipeline run's outputs, loaded once and served in pieces to the map viewer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from gezondewijk.crs import RD_NEW, WGS84
from gezondewijk.leefplekmeter.perception import Perception, perception_vs_data
from gezondewijk.number_format import UNIT_PRECISION
from gezondewijk.outputs.cellstore import CellStore
from gezondewijk.outputs.folder import RunFolder, read_run_folder
from gezondewijk.palette import score_palette
from gezondewijk.reports.tiles import (
    BUURT_MIN_ZOOM,
    CELL_MIN_ZOOM,
    MAX_ZOOM,
    map_properties,
    quantile_breaks,
)
from gezondewijk.variables import KNOWN

#: Columns of other presets that the viewer offers as layers, with their labels.
CLASS_LAYERS = {
    "ces_percentile": "CalEnviroScreen 4.0 (percentiel)",
    "ahah_index": "AHAH-index",
    "ejscreen_max_pct": "EJScreen (hoogste percentiel)",
    "weighted_score": "Vrije gewichten",
    "stapel_klasse": "RIVM Stapeltool (klasse)",
    "stabiel_p_top": "Kans op top 20 % (stabiliteit)",
}


@dataclass
class MapData:
    """The buurten of one run in WGS84 and its cells on demand, with the run folder.

    The cells are never all in memory: :attr:`cells` reads those of a box, a buurt or a
    selection from ``cellen.parquet`` (the national run has 1.4 million).
    """

    folder: Path
    buurten: gpd.GeoDataFrame
    #: The folder as read (RD New): metadata tables, the preset's links, join lines.
    run: RunFolder

    @property
    def cells(self) -> CellStore | None:
        """The run's cells (RD New), read on demand; ``None`` when the run has none."""
        return self.run.cells

    def cells_by_id(self, cell_ids: list[str]) -> gpd.GeoDataFrame:
        """The cells ``cell_ids`` that the run has, in WGS84 (empty when none)."""
        if self.cells is None:
            return gpd.GeoDataFrame(geometry=[], crs=WGS84)
        return self.cells.where("cel_id", cell_ids).to_crs(WGS84)

    def cells_of_buurt(self, code: str) -> gpd.GeoDataFrame:
        """The cells of buurt ``code`` in WGS84 (empty when the run has no cells)."""
        if self.cells is None:
            return gpd.GeoDataFrame(geometry=[], crs=WGS84)
        return self.cells.where("buurtcode", [code]).to_crs(WGS84)

    @property
    def thresholds(self) -> pd.DataFrame:
        """``drempels``: one row per indicator part with rule, threshold and source."""
        return self.run.thresholds

    @property
    def variables(self) -> pd.DataFrame:
        """``indicatoren``: metadata of every variable."""
        return self.run.variables

    @property
    def references(self) -> pd.DataFrame:
        """``referenties``: the area's, gemeente's and national values per variable."""
        return self.run.references

    @property
    def about(self) -> dict[str, str]:
        """``over``: key/value provenance of the run."""
        return self.run.about

    @property
    def inequality(self) -> pd.DataFrame | None:
        """``ongelijkheid``: inequality measures of the run, if configured."""
        return self.run.inequality

    @property
    def change(self) -> pd.DataFrame | None:
        """``verandering``: change per buurt between two years, if monitored."""
        return self.run.change

    @property
    def sources(self) -> pd.DataFrame | None:
        """``bronnen``: the provenance of every input."""
        return self.run.sources

    @property
    def indicator_keys(self) -> list[str]:
        """The main preset's indicators, in preset order."""
        return self.run.indicator_keys

    def layers(self) -> dict[str, object]:
        """Layer descriptions for the viewer: score, indicators and other presets' results."""
        indicators = []
        for key in self.indicator_keys:
            rows = self.thresholds[self.thresholds["indicator"] == key]
            units = {self.unit(v) for v in rows["variabele"]}
            indicators.append(
                {
                    "key": key,
                    "label": str(rows["label"].iloc[0]),
                    # one unit for the layer only where every variable has it (noise in dB
                    # and air in µg/m³ in one indicator have none in common)
                    "unit": units.pop() if len(units) == 1 else "",
                    "rules": [
                        {
                            "variable": r.variabele,
                            "rule": r.regel,
                            "threshold": None if pd.isna(r.drempel) else float(r.drempel),
                            "share": None if pd.isna(r.aandeel) else float(r.aandeel),
                            "source": r.bron_drempel,
                            "substitute": bool(r.vervanger),
                            "unit": self.unit(r.variabele),
                            "label": self.label(r.variabele),
                        }
                        for r in rows.itertuples()
                    ],
                }
            )
        classes = [{"key": k, "label": v} for k, v in CLASS_LAYERS.items() if k in self.buurten]
        return {
            "breaks": self.breaks,
            "bounds": [round(float(v), 5) for v in self.buurten.total_bounds],
            "zoom": {"buurten": BUURT_MIN_ZOOM, "cellen": CELL_MIN_ZOOM, "max": MAX_ZOOM},
            "indicators": indicators,
            "classes": classes,
            "max_score": len(self.indicator_keys),
            "score_colours": score_palette(len(self.indicator_keys)),
            "cells": self.cells is not None,
            "provenance": self.about.get("herkomst", ""),
            "name": self.about.get("naam", ""),
            # how precisely each unit is shown: one table, number_format.UNIT_PRECISION
            "precision": {unit: list(rule) for unit, rule in UNIT_PRECISION.items()},
        }

    @cached_property
    def breaks(self) -> dict[str, dict[str, list[float]]]:
        """Legend breaks (quintiles over the whole run) per level and value layer.

        ``{"buurten": {"groen_waarde": [b1, b2, b3, b4], ...}, "cellen": {...}}``; the cells'
        columns are read one at a time from ``cellen.parquet``.
        """
        fields = [f"{k}_waarde" for k in self.indicator_keys]
        fields += [k for k in CLASS_LAYERS if k != "stapel_klasse"]
        out: dict[str, dict[str, list[float]]] = {"buurten": {}, "cellen": {}}
        for f in fields:
            if f in self.buurten:
                values = pd.to_numeric(self.buurten[f], errors="coerce").to_numpy(float)
                out["buurten"][f] = quantile_breaks(values)
            if self.cells is not None and f in self.cells.columns:
                out["cellen"][f] = quantile_breaks(self.cells.column(f))
        return out

    @property
    def is_synthetic(self) -> bool:
        """Whether the run was made from synthetic demo data (its ``over`` table says so)."""
        return self.about.get("synthetisch", "false") == "true"

    def find_buurt(self, term: str) -> str | None:
        """The code of the buurt named or coded ``term`` (exact first, then part of a name)."""
        term = term.strip().lower()
        if not term:
            return None
        b = self.buurten
        exact = b[(b["buurtcode"].str.lower() == term) | (b["buurtnaam"].str.lower() == term)]
        hits = (
            exact if len(exact) else b[b["buurtnaam"].str.lower().str.contains(term, regex=False)]
        )
        return str(hits["buurtcode"].iloc[0]) if len(hits) else None

    def has_buurt(self, code: str) -> bool:
        """Whether the run has the buurt ``code``."""
        return bool((self.buurten["buurtcode"] == code).any())

    def buurten_of_cells(self, cell_ids: list[str]) -> list[str]:
        """The buurt codes of the cells ``cell_ids`` that the run has (empty when none)."""
        if self.cells is None:
            return []
        chosen = self.cells.where("cel_id", cell_ids, columns=["buurtcode"])
        return sorted({str(code) for code in chosen["buurtcode"]})

    def joins(self) -> list[str]:
        """The join report lines of the run (one per table joined on the buurt code)."""
        return self.run.joins()

    def perception(self, summary: pd.DataFrame, codes: list[str]) -> list[Perception]:
        """Residents' theme scores next to the data for the buurten ``codes``.

        Uses the theme ↔ indicator links of the run's preset; empty when it has none.
        """
        links = {
            theme: (key, self.run.indicator_label(key))
            for theme, key in self.run.theme_links().items()
        }
        return perception_vs_data(summary, self.run.buurten, codes, links)

    def unit(self, variable: str) -> str:
        """Unit of a variable from the run's metadata."""
        return self._meta(variable, "unit")

    def label(self, variable: str) -> str:
        """Dutch label of a variable (the key where the run has none)."""
        return self._meta(variable, "label") or variable

    def _meta(self, variable: str, column: str) -> str:
        """A field of the run's variable table; the vocabulary's where the run lacks it.

        A preset names substitutes the run may not have (PM2.5 without a PM2.5 map); their
        legend still shows the label and unit people read, not the key.
        """
        match = self.variables[self.variables["key"] == variable]
        if match.empty or pd.isna(match[column].iloc[0]):
            known = KNOWN.get(variable)
            return str(getattr(known, column, "")) if known is not None else ""
        return str(match[column].iloc[0])

    def buurten_geojson(self) -> str:
        """All buurten with their score, indicator and class columns."""
        return _geojson(
            self.buurten, self.tile_columns(self.buurten, ["buurtcode", "buurtnaam"]), grid=1e-4
        )

    def cells_geojson(
        self, bbox: tuple[float, float, float, float], limit: int = 20_000
    ) -> tuple[str, int]:
        """Cells whose centre lies in a WGS84 bounding box (at most ``limit``).

        Returns the GeoJSON and the number of cells in the box; above the limit no features
        are sent (the viewer itself draws vector tiles: :mod:`gezondewijk.reports.tiles`).
        """
        empty = '{"type":"FeatureCollection","features":[]}'
        if self.cells is None:
            return empty, 0
        box = _to_run_box(bbox, self.cells.crs)
        count = self.cells.count_in_box(box)  # the centres only: a whole-country box is cheap
        if count > limit or count == 0:
            return empty, count
        part = self.cells.in_box(box)
        part = part.to_crs(WGS84)
        return _geojson(part, self.tile_columns(part, ["cel_id", "buurtcode"])), len(part)

    def tile_columns(self, frame: pd.DataFrame | list[str], ids: list[str]) -> list[str]:
        """The columns a map feature carries: ids, score, per indicator value and 'aan'."""
        names = list(frame.columns) if isinstance(frame, pd.DataFrame) else list(frame)
        cols = [*ids, "score", "n_beschikbaar"]
        for key in self.indicator_keys:
            cols += [f"{key}_waarde", f"{key}_aan"]
        cols += [c for c in CLASS_LAYERS if c in names]
        return [c for c in cols if c in names]


def _geojson(frame: gpd.GeoDataFrame, columns: list[str], grid: float = 1e-5) -> str:
    """GeoJSON with coordinates on a ~1 m grid (1e-5°) to keep responses small."""
    data = gpd.GeoDataFrame(
        map_properties(frame, columns),
        geometry=shapely.set_precision(frame.geometry.to_numpy(), grid),
        crs=frame.crs,
    )
    return str(data.to_json(drop_id=True, na="null", to_wgs84=False))


def _to_run_box(
    bbox: tuple[float, float, float, float], crs: object
) -> tuple[float, float, float, float]:
    """A WGS84 box as a box in the run's CRS (edges densified, so it covers the box)."""
    from pyproj import Transformer

    minx, miny, maxx, maxy = (float(v) for v in bbox)
    minx, maxx = max(minx, -180.0), min(maxx, 180.0)
    miny, maxy = max(miny, -85.0), min(maxy, 85.0)
    if minx > maxx or miny > maxy:
        return (0.0, 0.0, -1.0, -1.0)
    to_run = Transformer.from_crs(WGS84, crs or RD_NEW, always_xy=True)
    return tuple(to_run.transform_bounds(minx, miny, maxx, maxy, densify_pts=21))  # type: ignore[return-value]


def load_map_data(folder: str | Path) -> MapData:
    """The run in ``folder`` (see :func:`gezondewijk.outputs.folder.read_run_folder`).

    Reads the buurten (into WGS84) and the metadata; the cells stay on disk.

    Raises
    ------
    InputDataError
        When the folder is not a ``gezondewijk run`` output.
    """
    run = read_run_folder(folder)
    return MapData(folder=Path(folder), buurten=run.buurten.to_crs(WGS84), run=run)

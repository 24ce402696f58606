"""A pipeline run's outputs, loaded once and served in pieces to the map viewer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gezondewijk.crs import WGS84
from gezondewijk.leefplekmeter.perception import Perception, perception_vs_data
from gezondewijk.outputs.folder import RunFolder, read_run_folder
from gezondewijk.palette import score_palette

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
    """Buurten and cells of one run in WGS84, with the run folder they were read from."""

    folder: Path
    buurten: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame | None
    cell_x: np.ndarray
    cell_y: np.ndarray
    #: The folder as read (RD New): metadata tables, the preset's links, join lines.
    run: RunFolder

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
            indicators.append(
                {
                    "key": key,
                    "label": str(rows["label"].iloc[0]),
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
            "indicators": indicators,
            "classes": classes,
            "max_score": len(self.indicator_keys),
            "score_colours": score_palette(len(self.indicator_keys)),
            "cells": self.cells is not None,
            "provenance": self.about.get("herkomst", ""),
            "name": self.about.get("naam", ""),
        }

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
        chosen = self.cells[self.cells["cel_id"].isin(cell_ids)]
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
        match = self.variables[self.variables["key"] == variable]
        if match.empty or pd.isna(match[column].iloc[0]):
            return ""
        return str(match[column].iloc[0])

    def buurten_geojson(self) -> str:
        """All buurten with their score, indicator and class columns."""
        return _geojson(
            self.buurten, self._columns(self.buurten, ["buurtcode", "buurtnaam"]), grid=1e-4
        )

    def cells_geojson(
        self, bbox: tuple[float, float, float, float], limit: int = 20_000
    ) -> tuple[str, int]:
        """Cells whose centre lies in a WGS84 bounding box (at most ``limit``).

        Returns the GeoJSON and the number of cells in the box; above the limit no features
        are sent and the viewer asks the user to zoom in, which keeps the page light for the
        whole country (1.4 million cells).
        """
        if self.cells is None:
            return '{"type":"FeatureCollection","features":[]}', 0
        minx, miny, maxx, maxy = bbox
        inside = np.flatnonzero(
            (self.cell_x >= minx)
            & (self.cell_x <= maxx)
            & (self.cell_y >= miny)
            & (self.cell_y <= maxy)
        )
        if len(inside) > limit:
            return '{"type":"FeatureCollection","features":[]}', len(inside)
        part = self.cells.iloc[inside]
        return _geojson(part, self._columns(part, ["cel_id", "buurtcode"])), len(inside)

    def _columns(self, frame: pd.DataFrame, ids: list[str]) -> list[str]:
        cols = [*ids, "score", "n_beschikbaar"]
        for key in self.indicator_keys:
            cols += [f"{key}_waarde", f"{key}_aan", f"{key}_status"]
        cols += [c for c in CLASS_LAYERS if c in frame]
        return [c for c in cols if c in frame]


def _geojson(frame: gpd.GeoDataFrame, columns: list[str], grid: float = 1e-5) -> str:
    """GeoJSON with coordinates on a ~1 m grid (1e-5°) to keep responses small."""
    data = frame[[*columns, "geometry"]].copy()
    data["geometry"] = shapely.set_precision(data.geometry.to_numpy(), grid)
    for col in columns:
        if isinstance(data[col].dtype, pd.CategoricalDtype) or data[col].dtype == object:
            data[col] = data[col].astype("string")
        elif pd.api.types.is_float_dtype(data[col]):
            data[col] = data[col].round(2)  # two decimals are plenty on a map
    return str(data.to_json(drop_id=True, na="null", to_wgs84=False))


def load_map_data(folder: str | Path) -> MapData:
    """The run in ``folder`` (see :func:`gezondewijk.outputs.folder.read_run_folder`) in WGS84.

    Raises
    ------
    InputDataError
        When the folder is not a ``gezondewijk run`` output.
    """
    run = read_run_folder(folder)
    buurten = run.buurten.to_crs(WGS84)
    cells = None
    cx = cy = np.empty(0)
    if run.cells is not None:
        cells = run.cells.to_crs(WGS84)
        centroids = cells.geometry.representative_point()
        cx, cy = centroids.x.to_numpy(), centroids.y.to_numpy()
    return MapData(
        folder=Path(folder),
        buurten=buurten,
        cells=cells,
        cell_x=cx,
        cell_y=cy,
        run=run,
    )

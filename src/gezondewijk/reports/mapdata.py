"""A pipeline run's outputs, loaded once and served in pieces to the map viewer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gezondewijk._errors import InputDataError
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
    """Buurten and cells of one run in WGS84, with the run's metadata tables."""

    folder: Path
    buurten: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame | None
    cell_x: np.ndarray
    cell_y: np.ndarray
    thresholds: pd.DataFrame
    variables: pd.DataFrame
    references: pd.DataFrame
    about: dict[str, str]
    inequality: pd.DataFrame | None
    change: pd.DataFrame | None
    sources: pd.DataFrame | None = None

    @property
    def indicator_keys(self) -> list[str]:
        """The main preset's indicators, in preset order."""
        return list(dict.fromkeys(self.thresholds["indicator"]))

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
    """Read ``buurten.parquet``, ``cellen.parquet`` and the metadata CSVs of a run.

    Raises
    ------
    InputDataError
        When the folder is not a ``gezondewijk run`` output.
    """
    p = Path(folder)
    if not (p / "buurten.parquet").is_file():
        raise InputDataError(
            "geen uitvoer van 'gezondewijk run' gevonden.",
            path=p,
            fix="zet GEZONDEWIJK_MAP_DIR op de uitvoermap van een run.",
        )
    buurten = gpd.read_parquet(p / "buurten.parquet").to_crs("EPSG:4326")
    cells = None
    cx = cy = np.empty(0)
    if (p / "cellen.parquet").is_file():
        cells = gpd.read_parquet(p / "cellen.parquet").to_crs("EPSG:4326")
        centroids = cells.geometry.representative_point()
        cx, cy = centroids.x.to_numpy(), centroids.y.to_numpy()
    about_frame = (
        pd.read_csv(p / "over.csv")
        if (p / "over.csv").is_file()
        else pd.DataFrame({"sleutel": [], "waarde": []})
    )
    about = dict(zip(about_frame["sleutel"], about_frame["waarde"].astype(str), strict=True))

    def optional(name: str) -> pd.DataFrame | None:
        return pd.read_csv(p / name, dtype={"code": str}) if (p / name).is_file() else None

    return MapData(
        folder=p,
        buurten=buurten,
        cells=cells,
        cell_x=cx,
        cell_y=cy,
        thresholds=pd.read_csv(p / "drempels.csv"),
        variables=pd.read_csv(p / "indicatoren.csv"),
        references=pd.read_csv(p / "referenties.csv")
        if (p / "referenties.csv").is_file()
        else pd.DataFrame(columns=["variabele", "gebied", "gemeente", "nederland"]),
        about=about,
        inequality=optional("ongelijkheid.csv"),
        change=optional("verandering.csv"),
        sources=optional("bronnen.csv"),
    )


def joins(about: dict[str, str]) -> list[str]:
    """The join report lines stored in ``over.csv``."""
    try:
        return list(json.loads(about.get("koppelingen", "[]")))
    except ValueError:
        return []

"""The same map-building steps three ways: gezondewijk, plain GeoPandas, tobler.

The GeoPandas baseline is what a competent analyst writes: a spatial-index filter
(``sjoin``), ``overlay`` for the exact pieces, the raster read once and indexed with
vectorised row/column lookups, ``sjoin_nearest`` for distances. tobler's
``area_interpolate`` (PySAL) is timed on the interpolation step alone. Each function
returns its step times (``t_*`` seconds) and figures to compare the results with.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from rasterio.transform import rowcol

from benchmarks.workload import Workload, write_ascii_grid
from gezondewijk.areas import build_cells
from gezondewijk.indicators import (
    areal_interpolate,
    cells_to_buurten,
    distance_to_nearest,
    raster_at_points,
)
from gezondewijk.scoring import load_preset, reference_values, score_stack

T = TypeVar("T")


def _timed(times: dict[str, float], name: str, step: Callable[[], T]) -> T:
    start = time.perf_counter()
    out = step()
    times[f"t_{name}"] = time.perf_counter() - start
    return out


INTENSIVE = [
    "lonely_pct",
    "stress_pct",
    "good_health_pct",
    "hard_to_make_ends_meet_pct",
    "population_density",
]


def run_library(w: Workload) -> dict[str, float]:
    """Cells with exact overlaps, interpolation, raster, distances, aggregation, score."""
    t: dict[str, float] = {}
    cells = _timed(t, "cells", lambda: build_cells(w.buurten, w.grid))
    values = _timed(
        t,
        "interpolate",
        lambda: areal_interpolate(cells, w.buurten, extensive=["population"], intensive=INTENSIVE),
    )
    values["no2"] = _timed(t, "raster", lambda: raster_at_points(w.no2, cells.x, cells.y))

    def distances() -> None:
        values["distance_green_m"] = distance_to_nearest(cells.x, cells.y, w.green)
        values["distance_gp_m"] = distance_to_nearest(cells.x, cells.y, w.gp)

    _timed(t, "distances", distances)

    def score() -> pd.DataFrame:
        back = cells_to_buurten(cells, values[["no2", "distance_green_m"]], len(w.buurten))
        preset = load_preset("eindhoven-8")
        buurt_values = pd.concat([pd.DataFrame(w.buurten.drop(columns="geometry")), back], axis=1)
        refs = reference_values(buurt_values, preset)
        return score_stack(values, preset, refs)

    scores = _timed(t, "score", score)
    return {
        "cells": float(len(cells)),
        "population": float(values["population"].sum()),
        "mean_lonely": float(np.nanmean(values["lonely_pct"])),
        "mean_no2": float(np.nanmean(values["no2"])),
        "mean_green": float(np.nanmean(values["distance_green_m"])),
        "mean_score": float(scores["score"].mean()),
        **t,
    }


def _hexes(w: Workload) -> gpd.GeoDataFrame:
    """The hexagons that touch a buurt (spatial-index filter), as a GeoDataFrame."""
    keys = w.grid.keys_in_bounds(tuple(w.buurten.total_bounds))
    hexes = gpd.GeoDataFrame({"cell": keys}, geometry=w.grid.polygons(keys), crs=w.buurten.crs)
    touching = gpd.sjoin(hexes, w.buurten[["geometry"]], predicate="intersects")
    return hexes[hexes["cell"].isin(touching["cell"])]


def _sample(w: Workload, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The raster read once and indexed with vectorised row/column lookups (NaN outside)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_ascii_grid(w.no2, Path(tmp) / "no2.asc")
        # doubles, as ours holds them (GDAL reads an ASCII grid as Float32 by default)
        with rasterio.Env(AAIGRID_DATATYPE="Float64"), rasterio.open(path) as src:
            band = src.read(1, masked=True).filled(np.nan).astype(float)
            rows, cols = rowcol(src.transform, x, y)
    rows, cols = np.asarray(rows), np.asarray(cols)
    inside = (rows >= 0) & (rows < band.shape[0]) & (cols >= 0) & (cols < band.shape[1])
    out = np.full(len(x), np.nan)
    out[inside] = band[rows[inside], cols[inside]]
    return out


def run_baseline(w: Workload) -> dict[str, float]:
    """A competent analyst's GeoPandas: sjoin filter, overlay, vectorised raster, sjoin_nearest."""
    t: dict[str, float] = {}

    def cells() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        hexes = _hexes(w)
        pieces = gpd.overlay(hexes, w.buurten, how="intersection", keep_geom_type=True)
        pieces["piece_area"] = pieces.geometry.area
        return hexes, pieces[pieces["piece_area"] > 1e-6]

    hexes, pieces = _timed(t, "cells", cells)

    def interpolate() -> pd.DataFrame:
        buurt_area = w.buurten.set_index("buurtcode").geometry.area
        pieces["share"] = pieces["piece_area"] / pieces["buurtcode"].map(buurt_area)
        pieces["population_part"] = pieces["population"] * pieces["share"]
        per_cell = pieces.groupby("cell").agg(
            population=("population_part", "sum"), area=("piece_area", "sum")
        )
        for col in INTENSIVE:
            pieces[f"{col}_w"] = pieces[col] * pieces["piece_area"]
            per_cell[col] = pieces.groupby("cell")[f"{col}_w"].sum() / per_cell["area"]
        return per_cell

    per_cell = _timed(t, "interpolate", interpolate)
    centroids = gpd.GeoDataFrame(
        index=per_cell.index,
        geometry=hexes.set_index("cell").loc[per_cell.index].centroid,
        crs=w.buurten.crs,
    )
    cx, cy = centroids.geometry.x.to_numpy(), centroids.geometry.y.to_numpy()
    per_cell["no2"] = _timed(t, "raster", lambda: _sample(w, cx, cy))
    no2_check = _no2_against_ours(w, per_cell["no2"].to_numpy(), cx, cy)

    def distances() -> None:
        for name, layer in (("distance_green_m", w.green), ("distance_gp_m", w.gp)):
            near = gpd.sjoin_nearest(centroids, layer, distance_col="d")
            per_cell[name] = near.groupby(level=0)["d"].min()

    _timed(t, "distances", distances)

    def score() -> pd.DataFrame:
        merged = pieces[["cell", "buurtcode", "piece_area"]].join(
            per_cell[["no2", "distance_green_m"]], on="cell"
        )
        for col in ("no2", "distance_green_m"):
            merged[f"{col}_w"] = merged[col] * merged["piece_area"]
        back = merged.groupby("buurtcode")[["no2_w", "distance_green_m_w", "piece_area"]].sum()
        buurt_values = pd.DataFrame(w.buurten.drop(columns="geometry")).set_index("buurtcode")
        buurt_values["no2"] = back["no2_w"] / back["piece_area"]
        buurt_values["distance_green_m"] = back["distance_green_m_w"] / back["piece_area"]
        preset = load_preset("eindhoven-8")
        refs = reference_values(buurt_values, preset)
        return score_stack(per_cell.reset_index(drop=True), preset, refs)

    scores = _timed(t, "score", score)
    return {
        "cells": float(len(per_cell)),
        "population": float(per_cell["population"].sum()),
        "mean_lonely": float(np.nanmean(per_cell["lonely_pct"])),
        "mean_no2": float(np.nanmean(per_cell["no2"])),
        "mean_green": float(np.nanmean(per_cell["distance_green_m"])),
        "mean_score": float(scores["score"].mean()),
        **no2_check,
        **t,
    }


def _no2_against_ours(
    w: Workload, no2: np.ndarray, x: np.ndarray, y: np.ndarray
) -> dict[str, float]:
    """Cells whose NO2 differs from ours, and how many of them lie on a pixel edge.

    A centre exactly on the edge of two raster cells (hexagon centres and 1 km pixels share
    many coordinates) belongs to either; GEOS's centroid and rasterio's inverse transform tip
    it one way or the other by 1e-10 m. Every other cell must be equal.
    """
    ours = raster_at_points(w.no2, x, y)
    differ = ~np.isclose(ours, no2, rtol=0, atol=1e-9, equal_nan=True)
    t = w.no2.transform
    fx, fy = (x - t.c) / t.a, (y - t.f) / t.e
    on_edge = (np.abs(fx - np.round(fx)) < 1e-6) | (np.abs(fy - np.round(fy)) < 1e-6)
    return {
        "no2_differ": float(differ.sum()),
        "no2_differ_off_edge": float((differ & ~on_edge).sum()),
    }


def run_tobler(w: Workload) -> dict[str, Any]:
    """The interpolation step with tobler's ``area_interpolate`` (area-weighted, PySAL)."""
    from tobler.area_weighted import area_interpolate

    hexes = _hexes(w)
    t: dict[str, float] = {}
    out = _timed(
        t,
        "interpolate",
        lambda: area_interpolate(
            source_df=w.buurten,
            target_df=hexes,
            extensive_variables=["population"],
            intensive_variables=INTENSIVE,
        ),
    )
    # hexagons that only touch a buurt get 0 for every variable from tobler; we leave them out
    covered = out[out["lonely_pct"] > 0]
    return {
        "cells": float(len(covered)),
        "population": float(covered["population"].sum()),
        "mean_lonely": float(np.nanmean(covered["lonely_pct"])),
        **t,
    }


__all__ = ["run_baseline", "run_library", "run_tobler"]

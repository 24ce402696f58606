"""The same map-building steps two ways: gezondewijk's library, and plain GeoPandas."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio

from benchmarks.workload import Workload, write_ascii_grid
from gezondewijk.areas import build_cells
from gezondewijk.indicators import (
    areal_interpolate,
    cells_to_buurten,
    distance_to_nearest,
    raster_at_points,
)
from gezondewijk.scoring import load_preset, reference_values, score_stack

INTENSIVE = [
    "lonely_pct",
    "stress_pct",
    "good_health_pct",
    "hard_to_make_ends_meet_pct",
    "population_density",
]


def run_library(w: Workload) -> dict[str, float]:
    """Cells with exact overlaps, interpolation, raster, distances, aggregation, score."""
    cells = build_cells(w.buurten, w.grid)
    values = areal_interpolate(cells, w.buurten, extensive=["population"], intensive=INTENSIVE)
    values["no2"] = raster_at_points(w.no2, cells.x, cells.y)
    values["distance_green_m"] = distance_to_nearest(cells.x, cells.y, w.green)
    values["distance_gp_m"] = distance_to_nearest(cells.x, cells.y, w.gp)
    back = cells_to_buurten(cells, values[["no2", "distance_green_m"]], len(w.buurten))
    preset = load_preset("eindhoven-8")
    buurt_values = pd.concat([pd.DataFrame(w.buurten.drop(columns="geometry")), back], axis=1)
    refs = reference_values(buurt_values, preset)
    scores = score_stack(values, preset, refs)
    return {
        "cells": float(len(cells)),
        "population": float(values["population"].sum()),
        "mean_green": float(np.nanmean(values["distance_green_m"])),
        "mean_score": float(scores["score"].mean()),
    }


def run_baseline(w: Workload) -> dict[str, float]:
    """The straightforward GeoPandas way: sjoin, overlay, sjoin_nearest, groupby."""
    keys = w.grid.keys_in_bounds(tuple(w.buurten.total_bounds))
    hexes = gpd.GeoDataFrame({"cell": keys}, geometry=w.grid.polygons(keys), crs=w.buurten.crs)
    touching = gpd.sjoin(hexes, w.buurten[["geometry"]], predicate="intersects")
    hexes = hexes[hexes["cell"].isin(touching["cell"])]
    pieces = gpd.overlay(hexes, w.buurten, how="intersection", keep_geom_type=True)
    pieces["piece_area"] = pieces.geometry.area
    pieces = pieces[pieces["piece_area"] > 1e-6]
    buurt_area = w.buurten.set_index("buurtcode").geometry.area
    pieces["share"] = pieces["piece_area"] / pieces["buurtcode"].map(buurt_area)
    pieces["population_part"] = pieces["population"] * pieces["share"]
    per_cell = pieces.groupby("cell").agg(
        population=("population_part", "sum"), area=("piece_area", "sum")
    )
    for col in INTENSIVE:
        pieces[f"{col}_w"] = pieces[col] * pieces["piece_area"]
        per_cell[col] = pieces.groupby("cell")[f"{col}_w"].sum() / per_cell["area"]
    centroids = gpd.GeoDataFrame(
        index=per_cell.index,
        geometry=hexes.set_index("cell").loc[per_cell.index].centroid,
        crs=w.buurten.crs,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = write_ascii_grid(w.no2, Path(tmp) / "no2.asc")
        with rasterio.open(path) as src:
            coords = list(zip(centroids.geometry.x, centroids.geometry.y, strict=True))
            per_cell["no2"] = [v[0] for v in src.sample(coords)]
    for name, layer in (("distance_green_m", w.green), ("distance_gp_m", w.gp)):
        near = gpd.sjoin_nearest(centroids, layer, distance_col="d")
        per_cell[name] = near.groupby(level=0)["d"].min()
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
    scores = score_stack(per_cell.reset_index(drop=True), preset, refs)
    return {
        "cells": float(len(per_cell)),
        "population": float(per_cell["population"].sum()),
        "mean_green": float(np.nanmean(per_cell["distance_green_m"])),
        "mean_score": float(scores["score"].mean()),
    }


__all__ = ["run_baseline", "run_library"]

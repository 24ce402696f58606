"""Synthetic workloads of a chosen size for the benchmarks (generated, never stored)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine

from gezondewijk.areas import HexGrid
from gezondewijk.sources.rasters import RasterLayer

RD = "EPSG:28992"


@dataclass
class Workload:
    buurten: gpd.GeoDataFrame
    green: gpd.GeoDataFrame
    gp: gpd.GeoDataFrame
    no2: RasterLayer
    grid: HexGrid


def make_workload(
    n_cells: int, *, edge: float = 100.0, seed: int = 1, cells_per_buurt: int = 25
) -> Workload:
    """A square 'municipality' holding about ``n_cells`` hexagons, cut into Voronoi buurten."""
    grid = HexGrid(edge)
    side = math.sqrt(n_cells * grid.cell_area)
    rng = np.random.default_rng(seed)
    x0, y0 = 100_000.0, 400_000.0
    frame = shapely.box(x0, y0, x0 + side, y0 + side)
    n_b = max(2, n_cells // cells_per_buurt)
    seeds = shapely.MultiPoint(rng.uniform([x0, y0], [x0 + side, y0 + side], size=(n_b, 2)))
    polys = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame)), frame
    )
    polys = polys[shapely.area(polys) > 0]
    n_b = len(polys)
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": [f"BU{i:08d}" for i in range(n_b)],
            "population": rng.integers(0, 6000, n_b).astype(float),
            "lonely_pct": rng.uniform(30, 70, n_b),
            "stress_pct": rng.uniform(8, 30, n_b),
            "good_health_pct": rng.uniform(60, 90, n_b),
            "hard_to_make_ends_meet_pct": rng.uniform(5, 35, n_b),
            "population_density": rng.uniform(500, 15000, n_b),
        },
        geometry=polys,
        crs=RD,
    )
    n_green = max(1, n_cells // 400)
    centres = rng.uniform([x0, y0], [x0 + side, y0 + side], size=(n_green, 2))
    green = gpd.GeoDataFrame(
        geometry=shapely.buffer(
            shapely.points(centres), rng.uniform(40, 200, n_green), quad_segs=4
        ),
        crs=RD,
    )
    n_gp = max(1, n_cells // 300)
    gp = gpd.GeoDataFrame(
        geometry=shapely.points(rng.uniform([x0, y0], [x0 + side, y0 + side], size=(n_gp, 2))),
        crs=RD,
    )
    ncols = nrows = math.ceil(side / 1000) + 2
    values = rng.uniform(8, 30, size=(nrows, ncols))
    transform = Affine(1000, 0, x0 - 1000, 0, -1000, y0 - 1000 + nrows * 1000)
    no2 = RasterLayer(values=values, transform=transform, path=Path("synthetic.asc"))
    return Workload(buurten, green, gp, no2, grid)


def write_ascii_grid(layer: RasterLayer, path: Path) -> Path:
    nrows, ncols = layer.values.shape
    t = layer.transform
    header = (
        f"NCOLS {ncols}\nNROWS {nrows}\nXLLCORNER {t.c:.0f}\n"
        f"YLLCORNER {t.f + t.e * nrows:.0f}\nCELLSIZE {t.a:.0f}\nNODATA_VALUE -999\n"
    )
    # every digit: the baseline must read the values ours reads (3 decimals made most differ)
    body = "\n".join(" ".join(repr(float(v)) for v in row) for row in layer.values)
    path.write_text(header + body + "\n", encoding="ascii")
    return path

"""The same cell job in QGIS processing (``qgis_process``) and in gezondewijk, side by side.

The job: a 100 m hexagon grid over the buurten, each hexagon given the attributes of the
buurt it overlaps most, its centre, the NO2 raster sampled there and the distance to the
nearest hub (here: the buurten's centres, so that the job needs no other data). QGIS runs it
as five ``qgis_process`` calls, as a user scripts it (``native:creategrid``,
``native:joinattributesbylocation`` with the largest overlap, ``native:centroids``,
``native:rastersampling``, ``qgis:distancetonearesthubpoints``); gezondewijk as one Python
process with ``build_cells``, ``areal_interpolate``, ``raster_at_points`` and
``distance_to_nearest``. Both include their start-up. The results are compared: the number
of cells and the mean NO2 and hub distance (the two grids are laid from different corners, so
equal within a few tenths of a per cent, not to the cell).

Debian's ``qgis`` package (``apt-get install --no-install-recommends qgis``) provides
``qgis_process``; its wrapper script passes ``--noversioncheck``, which QGIS 3.22 refuses, so
the binary ``qgis_process.bin`` is called where it exists. Without QGIS the comparison is
skipped and says so.

Run alone: ``python benchmarks/qgis.py [buurten file] [raster]`` (default: Eindhoven).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EINDHOVEN = (
    DATA
    / "cbs-buurt-2019-national"
    / "eindhoven_buurten_2019_outline_with_kwb2025_rivm2020.geojson"
)
NO2 = DATA / "rivm-gcn-no2" / "conc_no2_2021.asc"
EDGE = 100.0

OURS = """
import sys, json
import geopandas as gpd, numpy as np
from gezondewijk.areas import HexGrid, build_cells
from gezondewijk.indicators import areal_interpolate, distance_to_nearest, raster_at_points
from gezondewijk.sources.rasters import read_raster
buurten = gpd.read_file(sys.argv[1])
hubs = gpd.read_file(sys.argv[3])
cells = build_cells(buurten, HexGrid(float(sys.argv[4])))
values = areal_interpolate(cells, buurten, extensive=[], intensive=["a_inw"])
no2 = raster_at_points(read_raster(sys.argv[2], crs="EPSG:28992"), cells.x, cells.y)
hub = distance_to_nearest(cells.x, cells.y, hubs)
print(json.dumps({"cells": len(cells), "mean_no2": float(np.nanmean(no2)),
                  "mean_hub_m": float(np.nanmean(hub))}))
"""


def qgis_binary() -> str | None:
    """``qgis_process.bin`` (Debian) or ``qgis_process``, or ``None`` when QGIS is missing."""
    return shutil.which("qgis_process.bin") or shutil.which("qgis_process")


def _qgis(binary: str, algorithm: str, **params: str) -> None:
    cmd = [binary, "run", algorithm, "--", *(f"{k}={v}" for k, v in params.items())]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{algorithm}: {proc.stdout[-400:]} {proc.stderr[-400:]}")


def run_qgis(binary: str, buurten: Path, raster: Path, hubs: Path, work: Path) -> dict[str, Any]:
    """The job in five ``qgis_process`` calls; returns seconds and the result's figures."""
    start = time.perf_counter()
    spacing = EDGE * 3**0.5  # flat-topped hexagons: rows √3·edge apart, columns 1.5·edge
    steps: list[tuple[str, dict[str, str]]] = [
        (
            "native:creategrid",
            {
                "TYPE": "4",
                "EXTENT": str(buurten),
                "HSPACING": str(1.5 * EDGE),
                "VSPACING": str(spacing),
                "HOVERLAY": "0",
                "VOVERLAY": "0",
                "CRS": "EPSG:28992",
            },
        ),
        (
            "native:joinattributesbylocation",
            {"JOIN": str(buurten), "PREDICATE": "0", "METHOD": "2", "DISCARD_NONMATCHING": "true"},
        ),
        ("native:centroids", {"ALL_PARTS": "false"}),
        ("native:rastersampling", {"RASTERCOPY": str(raster), "COLUMN_PREFIX": "no2_"}),
        ("qgis:distancetonearesthubpoints", {"HUBS": str(hubs), "FIELD": "hub", "UNIT": "0"}),
    ]
    previous: dict[str, str] = {}
    for i, (algorithm, params) in enumerate(steps):  # each step reads the one before
        output = str(work / f"step{i}.gpkg")
        _qgis(binary, algorithm, **previous, **params, OUTPUT=output)
        previous = {"INPUT": output}
    seconds = time.perf_counter() - start
    out = pyogrio.read_dataframe(previous["INPUT"], read_geometry=False)
    no2 = out[next(c for c in out.columns if c.startswith("no2_"))].astype(float)
    no2 = no2.where(no2 > -999)
    return {
        "seconds": seconds,
        "cells": len(out),
        "mean_no2": float(np.nanmean(no2)),
        "mean_hub_m": float(out["HubDist"].astype(float).mean()),
    }


def run_ours(buurten: Path, raster: Path, hubs: Path) -> dict[str, Any]:
    """The job in one ``python`` process with gezondewijk; seconds and figures."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", OURS, str(buurten), str(raster), str(hubs), str(EDGE)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        check=True,
    )
    return {"seconds": time.perf_counter() - start, **json.loads(proc.stdout.splitlines()[-1])}


def compare(buurten_file: Path = EINDHOVEN, raster: Path = NO2, repeats: int = 3) -> dict[str, Any]:
    """Median seconds of both over ``repeats`` runs, and their figures."""
    binary = qgis_binary()
    if binary is None:
        return {"error": "qgis_process not installed (Debian: apt-get install qgis)"}
    with tempfile.TemporaryDirectory(prefix="gw-qgis-") as tmp:
        work = Path(tmp)
        buurten = gpd.read_file(buurten_file)
        if buurten.crs is None:  # CBS' TopoJSON carries none; its coordinates are WGS84
            buurten = buurten.set_crs("EPSG:4326")
        buurten = buurten.to_crs("EPSG:28992")
        # both get valid polygons (the generalised national outlines have self-intersections,
        # on which QGIS' overlap join stops; gezondewijk repairs them when it reads buurten)
        buurten["geometry"] = buurten.geometry.make_valid()
        keep = [c for c in ("buurtcode", "a_inw") if c in buurten.columns]
        buurten = buurten[[*keep, "geometry"]]
        if "a_inw" not in buurten:
            buurten["a_inw"] = 1.0
        buurten["a_inw"] = buurten["a_inw"].astype(float)
        buurten.to_file(work / "buurten.gpkg")
        hubs = gpd.GeoDataFrame(
            {"hub": np.arange(len(buurten))},
            geometry=buurten.geometry.representative_point(),
            crs=buurten.crs,
        )
        hubs.to_file(work / "hubs.gpkg")
        q, o = [], []
        for _ in range(repeats):
            q.append(run_qgis(binary, work / "buurten.gpkg", raster, work / "hubs.gpkg", work))
            o.append(run_ours(work / "buurten.gpkg", raster, work / "hubs.gpkg"))
    qs = statistics.median(r["seconds"] for r in q)
    os_ = statistics.median(r["seconds"] for r in o)
    return {
        "kind": "qgis",
        "area": buurten_file.stem,
        "repeats": repeats,
        "qgis_s": qs,
        "ours_s": os_,
        "ratio": qs / os_,
        "qgis": q[-1],
        "ours": o[-1],
    }


def qgis_lines(r: dict[str, Any]) -> list[str]:
    """The benchmark table of :func:`compare`."""
    if "error" in r:
        return [f"QGIS comparison: {r['error']}"]
    q, o = r["qgis"], r["ours"]
    return [
        f"| same cell job, {r['area']}, median of {r['repeats']} (with start-up) | seconds "
        "| cells | mean NO2 | "
        "mean distance to hub m |",
        "|---|---|---|---|---|",
        f"| QGIS processing (5 × qgis_process) | {r['qgis_s']:.1f} | {q['cells']} | "
        f"{q['mean_no2']:.2f} | {q['mean_hub_m']:.0f} |",
        f"| gezondewijk (one process) | {r['ours_s']:.1f} | {o['cells']} | "
        f"{o['mean_no2']:.2f} | {o['mean_hub_m']:.0f} |",
        f"| ratio | {r['ratio']:.1f}× | | | |",
    ]


def main() -> int:
    buurten = Path(sys.argv[1]) if len(sys.argv) > 1 else EINDHOVEN
    raster = Path(sys.argv[2]) if len(sys.argv) > 2 else NO2
    result = compare(buurten, raster)
    print("\n".join(qgis_lines(result)))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

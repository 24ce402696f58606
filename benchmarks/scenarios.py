"""A scenario (a new park) on Delft: incremental against running the whole map again.

Two child processes of ``benchmarks/run.py`` (each its own peak memory):

``scenario-incremental``
    :func:`gezondewijk.scenarios.prepare_base` once (the run in memory, the price paid when
    the app starts), then the park scenario with
    :func:`gezondewijk.scenarios.run_scenario`: only origins for which the park can be
    nearer are walked again. Timed with and without the SII bootstrap (1,000 draws).
``scenario-full``
    The straightforward way: the park added to the green file and ``build_map`` run again on
    the whole town (what a planner does today with ``gezondewijk run``).

Both report every cell's walking distance to green, so the table also says whether the
incremental answer equals the full one (it must; ``tests/test_scenarios.py`` checks the same
on the synthetic town).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DELFT = ROOT / "examples" / "delft.toml"
#: The park: a square of this side (m) in the most populous buurt of Delft.
PARK_SIDE_M = 150.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _park(config: Any) -> Any:
    """The new park: a 150 m square at the representative point of Delft's largest buurt."""
    import geopandas as gpd
    import shapely

    buurten = gpd.read_file(config.buurten.path)
    buurten = buurten[buurten["gemeentecode"] == "GM0503"]
    largest = buurten.sort_values("aantalInwoners", ascending=False).iloc[0]
    centre = largest.geometry.representative_point()
    half = PARK_SIDE_M / 2
    return shapely.box(centre.x - half, centre.y - half, centre.x + half, centre.y + half)


def scenario_figures(kind: str, edge_m: float) -> dict[str, Any]:
    """One side of the comparison (``scenario-incremental`` or ``scenario-full``)."""
    import numpy as np

    from gezondewijk.settings import load_config

    config = load_config(DELFT)
    config.grid.edge_m = edge_m
    park = _park(config)
    if kind == "scenario-incremental":
        from gezondewijk.scenarios import Change, Scenario, prepare_base, run_scenario

        start = time.perf_counter()
        base = prepare_base(config, stream=sys.stderr)
        prepare_s = time.perf_counter() - start
        scenario = Scenario("park", "Park", [Change("groen_erbij", park)])
        start = time.perf_counter()
        quick = run_scenario(base, scenario, bootstrap=0)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        run_scenario(base, scenario, bootstrap=1000)
        with_bootstrap_s = time.perf_counter() - start
        walk = quick.cells["distance_green_walk_m_na"].to_numpy(dtype="float64")
        return {
            "kind": kind,
            "edge_m": edge_m,
            "cells": len(quick.cells),
            "prepare_s": prepare_s,
            "seconds": seconds,
            "with_bootstrap_s": with_bootstrap_s,
            "origins": len(base.origins.x) if base.origins is not None else 0,
            "origins_walked": quick.applied.origins_walked,
            "cells_changed": int(quick.applied.touched.sum()),
            "peak_mb": _peak_mb(),
            "walk": np.round(walk, 3).tolist(),
        }
    import geopandas as gpd

    from gezondewijk.run import build_map

    feature = next(f for f in config.features if f.variable == "distance_green_m")
    parks = gpd.read_file(feature.path).to_crs("EPSG:28992")
    added = gpd.GeoDataFrame(
        geometry=[*parks.geometry, park], crs="EPSG:28992"
    )  # every park of the file, and the new one
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "parken_met_nieuw_park.gpkg"
        added.to_file(path, driver="GPKG")
        changed = config.model_copy(
            update={
                "features": [
                    f.model_copy(update={"path": path}) if f is feature else f
                    for f in config.features
                ]
            }
        )
        start = time.perf_counter()
        result = build_map(changed, stream=sys.stderr)
        seconds = time.perf_counter() - start
    walk = result.cell_values["distance_green_walk_m"].to_numpy(dtype="float64")
    return {
        "kind": kind,
        "edge_m": edge_m,
        "cells": len(result.cells),
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "walk": np.round(walk, 3).tolist(),
    }


#: Header of the table :func:`scenario_lines` fills.
HEADER = [
    "| scenario: a 2,25 ha park in Delft | cells | s | peak MB | origins walked again (of all) "
    "| cells changed | ratio | same walking distances |",
    "|---|---|---|---|---|---|---|---|",
]


def scenario_lines(inc: dict[str, Any], full: dict[str, Any]) -> list[str]:
    """One grid's rows of the comparison (Markdown)."""
    import numpy as np

    a, b = np.asarray(inc["walk"]), np.asarray(full["walk"])
    same = a.shape == b.shape and bool(np.allclose(a, b, equal_nan=True, atol=0.01))
    return [
        f"| **{inc['edge_m']:g} m hexagons**: incremental (`run_scenario`, no bootstrap) | "
        f"{inc['cells']:,} | "
        f"{inc['seconds']:.2f} | {inc['peak_mb']:.0f} | "
        f"{inc['origins_walked']:,} of {inc['origins']:,} | "
        f"{inc['cells_changed']:,} | {full['seconds'] / inc['seconds']:.0f}× | {same} |",
        f"| incremental with SII bootstrap (1,000 draws) | {inc['cells']:,} | "
        f"{inc['with_bootstrap_s']:.2f} | | | | "
        f"{full['seconds'] / inc['with_bootstrap_s']:.1f}× | |",
        f"| once: the run prepared in memory (`prepare_base`) | {inc['cells']:,} | "
        f"{inc['prepare_s']:.2f} | | | | | |",
        f"| straightforward: `build_map` again with the park in the green file | "
        f"{full['cells']:,} | {full['seconds']:.2f} | {full['peak_mb']:.0f} | all | | 1× | |",
    ]

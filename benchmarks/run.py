"""`make bench`: gezondewijk vs plain GeoPandas on the same steps, and the national runs.

Every measurement runs in a fresh child process so that its peak memory (max RSS, inputs
included) is its own. Timings are printed and written to benchmarks/results/; they are never
part of a pass/fail test.

    python benchmarks/run.py                       # 10k, 100k, 1M cells + national runs
    python benchmarks/run.py --sizes 10000 --no-national
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python benchmarks/run.py` finds the benchmarks package
RESULTS = ROOT / "benchmarks" / "results"
NATIONAL_CONFIG = ROOT / "examples" / "nederland.toml"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(kind: str, size: float) -> dict[str, Any]:
    """Run one measurement in this process and return its figures.

    ``<kind>-1core``: the same on one CPU (this process pinned to it, so that every thread
    of ours, GEOS's and NumPy's shares it), for comparisons on equal cores.
    """
    sys.path.insert(0, str(ROOT))
    if kind.endswith("-1core"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        return {**one(kind.removesuffix("-1core"), size), "kind": kind}
    if kind.startswith("national"):
        from gezondewijk.run import build_map
        from gezondewijk.settings import InequalityConfig, load_config

        config = load_config(NATIONAL_CONFIG)
        config.grid.edge_m = size
        if kind == "national-methods":
            config.extra_presets = ["ces4", "ahah", "ejscreen", "vrije-gewichten"]
            config.stability_draws = 200
            config.inequality = InequalityConfig(
                variables=["good_health_pct", "lonely_pct"], ses="hard_to_make_ends_meet_pct"
            )
        if kind == "national-stapel":
            config.grid.kind = "square"
            config.grid.size_m = size
            config.extra_presets = ["rivm-stapel"]
        start = time.perf_counter()
        result = build_map(config, stream=sys.stderr)
        took = time.perf_counter() - start
        return {
            "kind": kind,
            "edge_m": size,
            "cells": len(result.cells),
            "buurten": len(result.buurten),
            "seconds": took,
            "peak_mb": _peak_mb(),
            "joins": [str(j) for j in result.joins],
        }
    if kind == "viewer":
        return viewer_figures(size)
    if kind.startswith("scenario"):
        from benchmarks.scenarios import scenario_figures

        return scenario_figures(kind, size)
    if kind.startswith("network"):
        from benchmarks.network import network_figures

        return network_figures(kind, sample=int(size))
    from benchmarks.steps import run_baseline, run_library, run_tobler
    from benchmarks.workload import make_workload

    w = make_workload(int(size))
    start = time.perf_counter()
    step = {"library": run_library, "baseline": run_baseline, "tobler": run_tobler}[kind]
    figures = step(w)
    took = time.perf_counter() - start
    return {
        "kind": kind,
        "target_cells": int(size),
        "seconds": took,
        "peak_mb": _peak_mb(),
        **figures,
    }


STEPS = ("cells", "interpolate", "raster", "distances", "score")


def _same(a: dict[str, Any], b: dict[str, Any], keys: tuple[str, ...]) -> bool:
    """Equal results: the same cells, and each figure equal to 1e-6 (relative)."""
    return a["cells"] == b["cells"] and all(
        abs(float(a[k]) - float(b[k])) <= 1e-6 * max(abs(float(a[k])), 1.0) for k in keys
    )


def step_lines(rows: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    """gezondewijk, a competent analyst's GeoPandas and tobler on the same synthetic work.

    Equal results are checked: the same cells, total population, mean loneliness (an
    intensive variable) and mean distance to green.
    """
    lines = [
        "| cells (target) | cells | gezondewijk s | peak MB | GeoPandas s | peak MB | "
        "speed-up | both on one core: ours s, GeoPandas s, speed-up | "
        "tobler area_interpolate s | ours, cells + interpolation s | speed-up "
        "| same result | NO2, score (ours vs GeoPandas means) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    profile = [
        "",
        "| where the time goes, s (cells / interpolation / raster / distances / aggregate + "
        "score) | gezondewijk | GeoPandas |",
        "|---|---|---|",
    ]
    print(lines[0], flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"  {size} cellen: gezondewijk ...", file=sys.stderr, flush=True)
        lib = _child("library", size, args.limit)
        base: dict[str, Any] = {"error": "not run (above --baseline-max)"}
        tob: dict[str, Any] = {"error": "not run"}
        lib1: dict[str, Any] = {"error": "not run"}
        base1: dict[str, Any] = {"error": "not run"}
        if size <= args.baseline_max:
            print(f"  {size} cellen: GeoPandas, tobler ...", file=sys.stderr, flush=True)
            base = _child("baseline", size, args.limit)
            tob = _child("tobler", size, args.limit)
            lib1 = _child("library-1core", size, args.limit)
            base1 = _child("baseline-1core", size, args.limit)
            rows += [lib1, base1]
        rows += [lib, base, tob]
        if "error" in lib:
            lines.append(f"| {size} | – | {lib['error']} | | | | | | | | |")
            continue
        cells = f"| {size} | {lib['cells']:.0f} | {lib['seconds']:.2f} | {lib['peak_mb']:.0f} "
        if "error" in base:
            lines.append(cells + f"| {base['error']} | | – | | | | |")
            continue
        ours = float(lib["t_cells"]) + float(lib["t_interpolate"])
        same = _same(lib, base, ("population", "mean_lonely", "mean_green"))
        tobler = "| – | | "
        if "error" not in tob:
            same = same and _same(lib, tob, ("mean_lonely",))
            same = same and abs(lib["population"] - tob["population"]) < 1e-6 * lib["population"]
            tobler = (
                f"| {tob['t_interpolate']:.2f} | {ours:.2f} | "
                f"{float(tob['t_interpolate']) / ours:.1f}× "
            )
        one_core = "| – "
        if "error" not in lib1 and "error" not in base1:
            one_core = (
                f"| {lib1['seconds']:.2f}, {base1['seconds']:.2f}, "
                f"{float(base1['seconds']) / float(lib1['seconds']):.1f}× "
            )
        no2_score = (
            f"NO2 per cell equal but {base['no2_differ']:.0f} centres on a pixel edge "
            f"({base['no2_differ_off_edge']:.0f} elsewhere); score means "
            f"{lib['mean_score']:.4f} vs {base['mean_score']:.4f}"
        )
        lines.append(
            cells + f"| {base['seconds']:.2f} | {base['peak_mb']:.0f} | "
            f"{float(base['seconds']) / float(lib['seconds']):.1f}× "
            + one_core
            + tobler
            + f"| {'yes' if same else 'NO'} | {no2_score} |"
        )
        print(lines[-1], flush=True)
        profile.append(
            f"| {lib['cells']:.0f} cells | "
            + " / ".join(f"{float(lib['t_' + k]):.2f}" for k in STEPS)
            + " | "
            + " / ".join(f"{float(base['t_' + k]):.2f}" for k in STEPS)
            + " |"
        )
    return lines + profile


def national_folder(folder: Path, edge: float = 100.0) -> Path:
    """Build the national map and write what the viewer reads (GeoParquet and metadata)."""
    from gezondewijk.outputs import write_geoparquet
    from gezondewijk.outputs.export import write_metadata_csv
    from gezondewijk.run import build_map
    from gezondewijk.settings import load_config

    config = load_config(NATIONAL_CONFIG)
    config.grid.edge_m = edge
    result = build_map(config, stream=None)
    write_geoparquet(result, folder)
    write_metadata_csv(result, folder)
    return folder


def viewer_figures(edge: float) -> dict[str, Any]:
    """The map viewer on the whole country (see :mod:`benchmarks.viewer`)."""
    import tempfile

    from benchmarks.viewer import measure

    with tempfile.TemporaryDirectory(prefix="gw-viewer-") as tmp:
        return {"kind": "viewer", **measure(national_folder(Path(tmp), edge))}


def _child(kind: str, size: float, limit: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", kind, str(size)]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=limit,
            check=False,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
    except subprocess.TimeoutExpired:
        return {"kind": kind, "size": size, "error": f"stopped after {limit:.0f} s"}
    if proc.returncode != 0:
        return {"kind": kind, "size": size, "error": proc.stderr.strip().splitlines()[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fresh_pg_database(admin_url: str) -> str:
    """Create an empty database for the load test next to the admin URL's database."""
    import psycopg

    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "gw_bench_load" WITH (FORCE)')
        conn.execute('CREATE DATABASE "gw_bench_load"')
    return admin_url.rsplit("/", 1)[0] + "/gw_bench_load"


def _steps_part(rows: list[dict[str, Any]], lines: list[str], args: argparse.Namespace) -> None:
    """The build steps against their baselines, and QGIS where the data is here."""
    lines += step_lines(rows, args)
    if (ROOT.parent / "shared" / "data").is_dir():
        from benchmarks.qgis import EINDHOVEN, compare, qgis_lines

        print("  QGIS processing vs gezondewijk, Eindhoven ...", file=sys.stderr, flush=True)
        city = compare()
        rows.append(city)
        lines += ["", *qgis_lines(city)]
        if args.qgis_national:
            print("  QGIS processing, heel Nederland (~17 min) ...", file=sys.stderr)
            config = NATIONAL_CONFIG.read_text(encoding="utf-8")
            path = config.split("[buurten]")[1].split('path = "')[1].split('"')[0]
            national = compare(
                EINDHOVEN.parents[1] / Path(path).relative_to("../../shared/data"), repeats=1
            )
            rows.append(national)
            lines += ["", "Nederland:", *qgis_lines(national)]


def _national_part(rows: list[dict[str, Any]], lines: list[str], args: argparse.Namespace) -> None:
    """The national builds (no outputs) at 100 m and 1 km."""
    if not NATIONAL_CONFIG.is_file() or not (ROOT.parent / "shared" / "data").is_dir():
        print("national runs skipped: ../shared/data not found", flush=True)
    else:
        from benchmarks.end_to_end import end_to_end_lines

        lines += [""]
        lines += end_to_end_lines(rows, args.limit)
        lines += [
            "",
            "| national build (no outputs) | edge m | cells | buurten | seconds | peak MB |",
            "|---|---|---|---|---|---|",
        ]
        runs = (
            (
                "100 m + ces4, ahah, ejscreen, weights, stability ×200, SII",
                "national-methods",
                100.0,
            ),
            ("1 km squares + rivm-stapel (Gi*)", "national-stapel", 1000.0),
        )
        for label, kind, edge in runs:
            print(f"  Nederland {label} ...", file=sys.stderr, flush=True)
            nat = _child(kind, edge, args.limit)
            rows.append(nat)
            if "error" in nat:
                line = f"| {label} | {edge} | {nat['error']} | | | |"
            else:
                line = (
                    f"| {label} | {edge} | {nat['cells']} | {nat['buurten']} | "
                    f"{nat['seconds']:.1f} | {nat['peak_mb']:.0f} |"
                )
            lines.append(line)
            print(line, flush=True)


def _viewer_part(rows: list[dict[str, Any]], lines: list[str], args: argparse.Namespace) -> None:
    """The map viewer on the national run."""
    print("  Kaartviewer, heel Nederland ...", file=sys.stderr, flush=True)
    v = _child("viewer", 100.0, args.limit)
    rows.append(v)
    if "error" in v:
        lines += ["", f"map viewer: {v['error']}"]
    else:
        from benchmarks.viewer import viewer_lines

        lines += ["", *viewer_lines(v)]
    print("\n".join(lines[-6:]), flush=True)


def _one_child(kind: str, size: float) -> int:
    """One measurement in this (child) process, printed as JSON for the parent."""
    if kind == "cluster":
        from benchmarks.cluster import measure

        print(json.dumps(measure(NATIONAL_CONFIG, size)))
    else:
        print(json.dumps(one(kind, size)))
    return 0


def _cluster_part(rows: list[dict[str, Any]], lines: list[str], args: argparse.Namespace) -> None:
    """The country on a Dask LocalCluster of 1 and 2 workers."""
    from benchmarks.cluster import cluster_lines

    print(
        "  Nederland op een Dask LocalCluster van 1 en 2 workers ...", file=sys.stderr, flush=True
    )
    c = _child("cluster", 100.0, args.limit)
    rows.append(c)
    lines += ["", *(cluster_lines(c) if "error" not in c else [f"cluster: {c['error']}"])]
    print("\n".join(lines[-6:]), flush=True)


def _parser() -> argparse.ArgumentParser:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--baseline-max",
        type=int,
        default=1_000_000,
        help="largest size for the GeoPandas baseline",
    )
    parser.add_argument("--limit", type=float, default=900, help="seconds per measurement")
    parser.add_argument("--no-national", action="store_true")
    parser.add_argument("--no-load", action="store_true", help="skip the web load test")
    parser.add_argument(
        "--qgis-national",
        action="store_true",
        help="also run the QGIS comparison on the whole country (~17 min in QGIS)",
    )
    parser.add_argument(
        "--only",
        choices=[
            "all",
            "network",
            "steps",
            "viewer",
            "cluster",
            "load",
            "werksessie",
            "scenarios",
            "national",
        ],
        default="all",
        help="run one part only",
    )
    return parser


def main() -> int:
    args = _parser().parse_args()
    if args.one:
        return _one_child(args.one[0], float(args.one[1]))

    rows: list[dict[str, Any]] = []
    lines: list[str] = []
    parts: tuple[tuple[str, Callable[[], object]], ...] = (
        ("load", lambda: load_lines(rows, lines)),
        ("werksessie", lambda: workshop_lines(rows, lines)),
        ("scenarios", lambda: scenario_table(rows, lines, args.limit)),
        ("network", lambda: network_lines(rows, lines, args.limit)),
        ("steps", lambda: _steps_part(rows, lines, args)),
    )
    for part, measure in parts:
        if args.only == part or (args.only == "all" and part not in ("load", "werksessie")):
            measure()
        if args.only == part:
            return _write(rows, lines)
    if args.only == "viewer":
        args.no_load = True
    if args.only in ("all", "cluster") and (ROOT.parent / "shared" / "data").is_dir():
        _cluster_part(rows, lines, args)
    if args.only == "cluster":
        return _write(rows, lines)
    if not args.no_national and args.only in ("all", "national"):
        _national_part(rows, lines, args)
    if args.only == "national":
        return _write(rows, lines)
    if not args.no_national and (ROOT.parent / "shared" / "data").is_dir():
        _viewer_part(rows, lines, args)
    if not args.no_load:
        load_lines(rows, lines)
        workshop_lines(rows, lines)
    return _write(rows, lines)


def _write(rows: list[dict[str, Any]], lines: list[str]) -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS / 'latest.md'}")
    return 0


def workshop_lines(rows: list[dict[str, Any]], lines: list[str]) -> None:
    """A werksessie: 50 participants post while 50 event streams are open.

    Compared in the same run: live updates batched (``GEZONDEWIJK_LIVE_BATCH_S=0.15``, the
    default) against the straightforward one update per change (``0``).
    """
    from benchmarks.workshop_load import run_workshop_load

    lines += [
        "",
        "Werksessie: 50 participants each post 10 ideas (think time 0.5-1.5 s) into one step "
        "while their 50 event streams are open; latency from sending a post to each stream "
        "showing it (every stream × post pair).",
        "",
        "| werksessie load | live updates | workers | posts | failed | posts/s | pairs | lost | "
        "p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    found = {}
    for batch in (0.15, 0.0):
        how = f"batched {batch:g} s" if batch else "one per change"
        print(f"  werksessie: 50 participants, {how} ...", file=sys.stderr, flush=True)
        r = run_workshop_load(batch_s=batch)
        rows.append({"kind": "werksessie", **r})
        found[batch] = r
        line = (
            f"| SQLite | {how} | {r['workers']} | {r['posts']} | {r['failed']} | "
            f"{r['posts_per_s']:.0f} | {r['pairs']} | {r['lost']} | {r['p50_ms']:.0f} | "
            f"{r['p99_ms']:.0f} | {r['max_ms']:.0f} |"
        )
        lines.append(line)
        print(line, flush=True)
    if found[0.15]["p99_ms"]:
        ratio = found[0.0]["p99_ms"] / found[0.15]["p99_ms"]
        lines.append(f"\np99 one-per-change / batched: {ratio:.1f}×")


def load_lines(rows: list[dict[str, Any]], lines: list[str]) -> None:
    """The Leefplekmeter API under 200 residents (``benchmarks/load.py``), flat out and paced."""
    from benchmarks.load import run_load_test

    lines += [
        "",
        "Flat out: every resident sends the next form at once (the most the server takes; "
        "with 200 waiting, mean latency = 200 / requests per second). Paced: residents "
        "think 0.5-1.5 × 200 / 600 s per form (about 500-600 forms/s); latencies at that "
        "load. Both requests of a form (open, send) count in the percentiles.",
        "",
        "| Leefplekmeter load test (wrk) | pace | clients | workers | acknowledged | lost | "
        "failed | forms/s | p50 ms | p90 ms | p99 ms | max ms | SIGKILL wave acknowledged | "
        "lost after restart |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    # PostgreSQL's own processes need the cores too: two web workers (one per core)
    targets: list[tuple[str, str | None, int]] = [("SQLite", None, 4)]
    pg = os.environ.get("GEZONDEWIJK_TEST_POSTGRES_URL")
    if pg:
        targets.append(("PostgreSQL", pg, 2))
    for label, admin, workers in targets:
        for pace in (None, 600.0):
            how = "flat out" if pace is None else f"paced {pace:.0f}"
            print(f"  Leefplekmeter: 200 clients, {label}, {how} ...", file=sys.stderr)
            url = _fresh_pg_database(admin) if admin else None
            load = run_load_test(
                clients=200, seconds=10, db_url=url, workers=workers, forms_per_s=pace
            )
            rows.append(load)
            line = (
                f"| {label} | {how} | {load['clients']} | {load['workers']} | "
                f"{load['acknowledged']} | {load['lost']} | {load['failed']} | "
                f"{load['forms_per_s']:.0f} | {load['p50_ms']:.0f} | "
                f"{load.get('p90_ms') or 0:.0f} | {load['p99_ms']:.0f} | "
                f"{load.get('max_ms') or 0:.0f} | "
                f"{load['killed_wave_acknowledged']} | {load['killed_wave_lost']} |"
            )
            lines.append(line)
            print(line, flush=True)


def scenario_table(rows: list[dict[str, Any]], lines: list[str], limit: float) -> None:
    """A park on Delft: the scenario recomputed incrementally vs the whole map again."""
    if not (ROOT.parent / "shared" / "data" / "osm-delft-roads-asa2026e").is_dir():
        lines += ["scenario benchmark skipped: ../shared/data not found", ""]
        return
    from benchmarks.scenarios import HEADER, scenario_lines

    lines += HEADER
    for edge in (100.0, 25.0):
        print(f"  scenario: park in Delft, {edge:g} m, incremental and full ...", file=sys.stderr)
        inc = _child("scenario-incremental", edge, limit)
        full = _child("scenario-full", edge, limit)
        for r in (inc, full):
            rows.append({k: v for k, v in r.items() if k != "walk"})
        if "error" in inc or "error" in full:
            lines.append(f"| {edge:g} m: {inc.get('error') or full.get('error')} |||||||")
            continue
        lines += scenario_lines(inc, full)
        print("\n".join(lines[-4:]), flush=True)
    lines.append("")


def network_lines(rows: list[dict[str, Any]], lines: list[str], limit: float) -> None:
    """Walking distances: Delft and a synthetic 1-million-node network, vs per-cell loops."""
    lines += [
        "| walking network | nodes | cells | read + build network s | 4 indicators, all cells s | "
        "peak MB | "
        "networkx per cell s (sample) | networkx all cells s (est.) | ratio | "
        "SciPy per cell s | SciPy all cells s (est.) | ratio | median detour | "
        "SciPy multi-source s (node-snapped) | ratio | its median difference m |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    work = [("network-synthetic", 3)]
    if (ROOT.parent / "shared" / "data" / "osm-delft-roads-asa2026e").is_dir():
        work.insert(0, ("network-delft", 40))
    else:
        lines.append("| Delft | skipped: ../shared/data not found | | | | | | | | | | |")
    for kind, sample in work:
        print(f"  {kind} ...", file=sys.stderr, flush=True)
        r = _child(kind, sample, limit)
        rows.append(r)
        if "error" in r:
            lines.append(f"| {kind} | {r['error']} | | | | | | | | | | |")
        else:
            lines.append(
                f"| {kind.removeprefix('network-')} | {r['nodes']:,} | {r['cells']:,} | "
                f"{r['prepare_s']:.2f} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | "
                f"{r['networkx_s_per_cell']:.3f} (n={r['sample']}) | "
                f"{r['networkx_s_all_cells']:.0f} | "
                f"{r['networkx_s_all_cells'] / r['seconds']:.0f}× | "
                f"{r['scipy_s_per_cell']:.3f} | {r['scipy_s_all_cells']:.0f} | "
                f"{r['scipy_s_all_cells'] / r['seconds']:.0f}× | {r['median_detour']:.2f} | "
                f"{r['multisource_s']:.2f} | {r['multisource_s'] / r['seconds']:.2f}× | "
                f"{r['multisource_median_diff_m']:.0f} |"
            )
        print(lines[-1], flush=True)
    lines.append("")


if __name__ == "__main__":
    raise SystemExit(main())

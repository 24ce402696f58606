"""The whole country on a Dask ``LocalCluster`` against the same run in one process.

Run in a child process of ``benchmarks/run.py`` (``--one cluster EDGE``): the run on the
cluster first (so this process's peak memory is the cluster client's), then the same run in
this process, then a cell-for-cell comparison (:meth:`MapResult.differences`).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path
from typing import Any

#: Stability draws in both runs: the draws are the part of scoring a cluster spreads.
DRAWS = 50


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(config_path: Path, edge: float, workers: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    """Time the national run on local clusters of ``workers`` processes and in one process."""
    from distributed import get_task_stream

    from gezondewijk.run import build_map
    from gezondewijk.run.cluster import Cluster
    from gezondewijk.settings import load_config

    config = load_config(config_path)
    config.grid.edge_m = edge
    config.stability_draws = DRAWS
    runs = []
    results = []
    for n in workers:
        start = time.perf_counter()
        with Cluster.connect(workers=n) as cluster:
            started = time.perf_counter() - start
            t0 = time.perf_counter()
            with get_task_stream(cluster.client) as stream:
                results.append(build_map(config, stream=sys.stderr, cluster=cluster))
            took = time.perf_counter() - t0
            worker_mb = cluster.client.run(_peak_mb)
        busy = sum(
            part["stop"] - part["start"]
            for t in stream.data
            for part in t.get("startstops", ())
            if part.get("action") == "compute"
        )
        runs.append(
            {
                "workers": n,
                "cluster_start_s": started,
                "cluster_s": took,
                "worker_busy_s": busy,
                "worker_peak_mb": sorted(worker_mb.values()),
            }
        )
    client_mb = _peak_mb()
    t0 = time.perf_counter()
    alone = build_map(config, stream=None)
    alone_s = time.perf_counter() - t0
    return {
        "kind": "cluster",
        "edge_m": edge,
        "cells": len(alone.cells),
        "one_process_s": alone_s,
        "client_peak_mb": client_mb,
        "runs": runs,
        "differences": [d for r in results for d in alone.differences(r)],
    }


def cluster_lines(r: dict[str, Any]) -> list[str]:
    """The Markdown table of :func:`measure`'s figures."""
    same = "equal cell for cell" if not r["differences"] else "; ".join(r["differences"][:5])
    lines = [
        f"National run (100 m hexagons, {r['cells']} cells, stability ×{DRAWS}) on a Dask "
        f"LocalCluster: {same}. One process: {r['one_process_s']:.1f} s; cluster client peak "
        f"{r['client_peak_mb']:.0f} MB.",
        "",
        "| workers | cluster start s | run s | vs one process | work on workers s "
        "| worker peak MB |",
        "|---|---|---|---|---|---|",
    ]
    for run in r["runs"]:
        workers = " / ".join(f"{mb:.0f}" for mb in run["worker_peak_mb"])
        lines.append(
            f"| {run['workers']} | {run['cluster_start_s']:.1f} | {run['cluster_s']:.1f} "
            f"| {r['one_process_s'] / run['cluster_s']:.2f}× | {run['worker_busy_s']:.1f} "
            f"| {workers} |"
        )
    return lines

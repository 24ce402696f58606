"""``gezondewijk run`` on the whole country as a user runs it: in one go against in parts.

Wall time and the peak memory of the whole process tree (the GeoPackage worker included).
Each resolution is run both ways where both fit, in the same bench, and the ratio is shown;
at 100 m the two runs' ``cellen.parquet`` are compared cell for cell. The finer grids (50 m,
25 m edge: 5.4 and 21.6 million cells) go in parts only: in one go they took 8.9 GB and
did not fit the 24 GB machine from ~30 m on (issue 32).

Run on its own: ``python benchmarks/run.py --only national``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from benchmarks.proctree import run_measured

ROOT = Path(__file__).resolve().parents[1]
NATIONAL_CONFIG = ROOT / "examples" / "nederland.toml"
EVERY = ["--formats", "gpkg,parquet,csv,png,html"]

#: (label, edge in m, how, extra arguments, repeats, goal). ``how``: "in one go", "in parts".
RUNS: tuple[tuple[str, float, str, list[str], int, str], ...] = (
    ("100 m hexagons", 100.0, "in one go", [], 3, "20 s, 2.5 GB"),
    ("100 m hexagons", 100.0, "in parts", [], 3, "20 s, 2.5 GB"),
    ("100 m hexagons", 100.0, "in one go", EVERY, 1, "all five outputs"),
    ("1 ha", 62.04, "in one go", [], 1, "45 s"),
    ("1 ha", 62.04, "in parts", [], 3, "45 s"),
    ("50 m hexagons", 50.0, "in parts", [], 1, "≤ 4 GB"),
    ("25 m hexagons", 25.0, "in parts", [], 1, "≤ 4 GB"),
)


def _config(text: str, edge: float, how: str) -> str:
    """The national configuration at ``edge`` m, in parts or in one go."""
    text = text.replace("../../shared", str(ROOT.parent / "shared"))
    text = text.replace("edge_m = 100", f"edge_m = {edge}")
    flag = "true" if how == "in parts" else "false"
    return text.replace('name = "Nederland"', f'name = "Nederland"\nin_parts = {flag}', 1)


def run_once(edge: float, how: str, extra: list[str], limit: float, keep: Path | None) -> Any:
    """One ``gezondewijk run`` of the country, measured as a process tree.

    ``keep``: the output folder to leave behind (for the comparison); else a temporary one.
    """
    text = NATIONAL_CONFIG.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="gw-run-") as tmp:
        config = Path(tmp) / "nederland.toml"
        config.write_text(_config(text, edge, how), encoding="utf-8")
        out = keep or Path(tmp) / "uitvoer"
        command = [sys.executable, "-m", "gezondewijk.cli", "run", str(config), "--out", str(out)]
        r = run_measured(
            [*command, *extra], cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src")}, limit=limit
        )
        r["written_mb"] = sum(f.stat().st_size for f in out.glob("*") if f.is_file()) / 1e6
    return r


def compare_cells(one: Path, parts: Path) -> dict[str, Any]:
    """Cell for cell: the same cells, every column equal; floats to the last bits at most."""
    a = pq.read_table(one / "cellen.parquet").to_pandas().sort_values("cel_id")
    b = pq.read_table(parts / "cellen.parquet").to_pandas().sort_values("cel_id")
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    out: dict[str, Any] = {"cells": [len(a), len(b)], "columns_equal": list(a) == list(b)}
    if len(a) != len(b) or list(a) != list(b):
        return out
    not_bitwise, beyond, worst = {}, {}, 0.0
    for c in a.columns:
        x, y = a[c], b[c]
        if pd.api.types.is_float_dtype(x.dtype):
            u, v = x.to_numpy(), y.to_numpy()
            nan = np.isnan(u) & np.isnan(v)
            bitwise = (u == v) | nan
            close = np.isclose(u, v, rtol=1e-12, atol=0) | nan
            if not bitwise.all():
                not_bitwise[c] = int((~bitwise).sum())
                rel = np.abs(u - v)[~bitwise] / np.maximum(np.abs(u)[~bitwise], 1e-300)
                worst = max(worst, float(rel.max()))
            if not close.all():
                beyond[c] = int((~close).sum())
        else:
            same = (x == y) | (x.isna() & y.isna())
            if not bool(same.all()):
                beyond[c] = int((~same).sum())
    out.update(
        not_bitwise=not_bitwise,
        beyond_1e12=beyond,
        worst_relative=worst,
        scores_equal=bool((a["score"] == b["score"]).all()),
    )
    return out


def end_to_end_lines(rows: list[dict[str, Any]], limit: float) -> list[str]:
    """Every run of :data:`RUNS`, the ratio in parts / in one go, and the 100 m comparison."""
    lines = [
        "| national run end to end | edge m | how | outputs | seconds (median of runs) | "
        "peak MB (process tree) | written MB | goal |",
        "|---|---|---|---|---|---|---|---|",
    ]
    medians: dict[tuple[float, str], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="gw-compare-") as keep:
        kept = {"in one go": Path(keep) / "een", "in parts": Path(keep) / "delen"}
        for label, edge, how, extra, repeats, goal in RUNS:
            outputs = "all five" if extra else "default"
            print(f"  Nederland, {label}, {how}, {outputs} ...", file=sys.stderr, flush=True)
            folder = kept[how] if edge == 100.0 and not extra else None
            runs = [run_once(edge, how, extra, limit, folder) for _ in range(repeats)]
            r = sorted(runs, key=lambda x: float(x["seconds"]))[len(runs) // 2]
            row = {
                "kind": "national-end-to-end",
                "edge_m": edge,
                "how": how,
                "outputs": outputs,
                "seconds_all": [float(x["seconds"]) for x in runs],
                "stages": [
                    ln.strip() for ln in str(r["stderr_tail"]).splitlines() if "klaar" in ln
                ],
                **{k: v for k, v in r.items() if k != "stdout"},
            }
            rows.append(row)
            if not extra:
                medians[(edge, how)] = row
            lines.append(_line(label, edge, how, outputs, runs, r, goal))
            print(lines[-1], flush=True)
        lines += ["", *_ratios(medians)]
        if all((p / "cellen.parquet").is_file() for p in kept.values()):
            same = compare_cells(kept["in one go"], kept["in parts"])
            rows.append({"kind": "national-in-parts-equal", **same})
            lines += ["", f"100 m, in parts against in one go, cell for cell: {same}"]
    return lines


def _line(
    label: str,
    edge: float,
    how: str,
    outputs: str,
    runs: list[dict[str, Any]],
    r: dict[str, Any],
    goal: str,
) -> str:
    if r["returncode"] != 0:
        failed = str(r["stderr_tail"])[-200:]
        return f"| {label} | {edge} | {how} | {outputs} | failed: {failed} | | | |"
    times = ", ".join(f"{float(x['seconds']):.1f}" for x in runs)
    return (
        f"| {label} | {edge} | {how} | {outputs} | {float(r['seconds']):.1f} ({times}) "
        f"| {float(r['peak_tree_mb']):.0f} | {float(r['written_mb']):.0f} | {goal} |"
    )


def _ratios(medians: dict[tuple[float, str], dict[str, Any]]) -> list[str]:
    """In parts against in one go, where both ran: time and memory."""
    lines = ["| edge m | time in parts / in one go | peak memory in parts / in one go |"]
    lines.append("|---|---|---|")
    for edge in sorted({e for e, _ in medians}, reverse=True):
        one, parts = medians.get((edge, "in one go")), medians.get((edge, "in parts"))
        if one is None or parts is None or one["returncode"] or parts["returncode"]:
            continue
        time_ratio = statistics.median(parts["seconds_all"]) / statistics.median(one["seconds_all"])
        memory_ratio = float(parts["peak_tree_mb"]) / float(one["peak_tree_mb"])
        lines.append(f"| {edge} | {time_ratio:.2f} | {memory_ratio:.2f} |")
    return lines

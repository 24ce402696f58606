"""Run a command and measure its wall time and the peak memory of its whole process tree.

``max RSS`` of one process misses the worker processes a run starts (the GeoPackage writer,
Dask workers); this samples the resident memory of the command and every descendant from
``/proc`` every 50 ms and reports the largest sum. Shared pages are counted in each process
that maps them, so the figure errs on the high side.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root: int) -> float:
    """Resident memory (MB) of ``root`` and all its descendants now."""
    tree = _children()
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo += tree.get(pid, [])
    return total / 1024


def run_measured(
    command: list[str], *, cwd: Path, env: dict[str, str] | None = None, limit: float = 900
) -> dict[str, Any]:
    """Run ``command``; return wall seconds, peak tree memory (MB), exit status and stderr tail."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    finally:
        done.set()
        sampler.join()
    return {
        "seconds": time.perf_counter() - start,
        "peak_tree_mb": peak,
        "returncode": proc.returncode,
        "stdout": out,
        "stderr_tail": "\n".join(err.strip().splitlines()[-30:]),
    }

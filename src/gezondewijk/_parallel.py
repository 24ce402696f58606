"""Run vectorised Shapely/NumPy work on chunks in threads (both release the GIL)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

MIN_CHUNK = 20_000


def map_chunks(
    func: Callable[[np.ndarray], np.ndarray], n: int, workers: int | None = None
) -> np.ndarray:
    """Apply ``func`` to index chunks of ``range(n)`` in threads and concatenate the results.

    ``func`` takes an array of positions and returns one value per position. Small inputs run
    in the calling thread.
    """
    workers = workers or os.cpu_count() or 1
    if workers == 1 or n < 2 * MIN_CHUNK:
        return func(np.arange(n))
    chunks = np.array_split(np.arange(n), min(workers * 2, max(1, n // MIN_CHUNK)))
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(func, chunks))
    return np.concatenate(parts)


def query_pairs(tree: object, geoms: np.ndarray, **kwargs: object) -> np.ndarray:
    """``STRtree.query`` on chunks of ``geoms`` in threads; returns the ``(2, k)`` index pairs."""
    import shapely

    assert isinstance(tree, shapely.STRtree)
    workers = os.cpu_count() or 1
    if workers == 1 or len(geoms) < 2 * MIN_CHUNK:
        return np.asarray(tree.query(geoms, **kwargs))
    bounds = np.linspace(0, len(geoms), workers * 2 + 1).astype(int)

    def run(i: int) -> np.ndarray:
        lo, hi = bounds[i], bounds[i + 1]
        pairs = np.asarray(tree.query(geoms[lo:hi], **kwargs))
        pairs[0] += lo
        return pairs

    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(run, range(len(bounds) - 1)))
    return np.concatenate(parts, axis=1)

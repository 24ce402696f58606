"""Run vectorised Shapely/NumPy work on chunks in threads (both release the GIL).

Also :class:`TaskMap`, the one thing a run needs from a cluster to spread independent pieces of
work (see :mod:`gezondewijk.run.cluster`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

MIN_CHUNK = 20_000


def thread_budget() -> int:
    """Threads this process may use: the CPUs, or a Dask worker's own threads.

    On a cluster each worker process already gets its share of the CPUs; threads of its own
    on top would only compete with the other workers on the same machine.
    """
    distributed = sys.modules.get("distributed")  # never imported just to ask
    if distributed is not None:
        try:
            return int(distributed.get_worker().state.nthreads)
        except ValueError:  # not in a worker's task
            pass
    # the CPUs this process may run on (a container's or ``taskset``'s share), not the machine's
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_chunks(
    func: Callable[[np.ndarray], np.ndarray], n: int, workers: int | None = None
) -> np.ndarray:
    """Apply ``func`` to index chunks of ``range(n)`` in threads and concatenate the results.

    ``func`` takes an array of positions and returns one value per position. Small inputs run
    in the calling thread.
    """
    workers = workers or thread_budget()
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
    workers = thread_budget()
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


class TaskMap(Protocol):
    """Apply a function to each item, here or on a cluster, and return the results in order.

    ``parts`` says into how many pieces work is best cut (about two per worker).
    """

    @property
    def parts(self) -> int:
        """Into how many pieces work is best cut."""
        ...

    def __call__(self, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``[func(item) for item in items]``, wherever it runs."""
        ...


class InProcess:
    """:class:`TaskMap` in the calling process, one item after the other."""

    parts = 1

    def __call__(self, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``[func(item) for item in items]``."""
        return [func(item) for item in items]

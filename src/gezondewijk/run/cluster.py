"""A run on a Dask cluster: cells laid and measured per part, scored as a whole.

What is spread over the workers (``dask.distributed``):

- laying the cells (the exact clipping of boundary cells) and measuring them (rasters,
  distances), per part of the buurten (:mod:`gezondewijk.areas.partition`: whole gemeenten,
  each part with a halo; a cell on a border is kept by exactly one part);
- the Monte Carlo draws of the ranking stability, in chunks.

What stays in the calling process: reading the buurten, tables, destination layers and
walking network (each once, then sent to every worker), sharing buurt values out to the
cells and back (O(pieces), cheap), and the scores, which rank every buurt and cell against
all others. The result equals a run in one process cell for cell; ``make bench`` checks that
on the whole country.

dask-geopandas is not used: its spatial partitions split GeoDataFrames, while the expensive
step here is laying cells over buurten, which needs whole buurten and their neighbours (the
halo) in one task; plain ``Client.map`` over those parts says that directly.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk._errors import ConfigError
from gezondewijk._progress import Progress
from gezondewijk.areas import CellSet, build_cells
from gezondewijk.areas.partition import join_parts, owned_cells, split_buurten, with_halo
from gezondewijk.run.cell_values import measure_cells
from gezondewijk.run.proximity import ProximityInputs
from gezondewijk.run.stages import grid_of
from gezondewijk.settings import RasterInput, RunConfig
from gezondewijk.sources import read_raster
from gezondewijk.sources.rasters import RasterLayer

if TYPE_CHECKING:
    from distributed import Client

#: Parts of the buurten per worker: more parts balance the load and need less memory per
#: task, fewer parts lay fewer halo cells twice.
PARTS_PER_WORKER = 4


@dataclass(frozen=True)
class PartJob:
    """One part of a run: its buurten with their halo, and the address points among them."""

    buurten: gpd.GeoDataFrame
    #: Position in the whole run of each row of ``buurten`` (sorted).
    positions: np.ndarray
    #: Positions of the part's own buurten (the others are its halo).
    own: np.ndarray
    address_points: np.ndarray | None


@functools.lru_cache(maxsize=8)
def _raster(path: Path, crs: str | None) -> RasterLayer:
    """A raster read once per worker process, however many parts the worker lays."""
    return read_raster(path, crs=crs)


def _read_raster(cfg: RasterInput) -> RasterLayer:
    return _raster(cfg.path, cfg.crs)


def lay_part(
    job: PartJob, *, config: RunConfig, inputs: ProximityInputs
) -> tuple[CellSet, dict[str, np.ndarray]]:
    """Lay and measure the cells one part owns (runs on a worker)."""
    cells = build_cells(job.buurten, grid_of(config), address_points=job.address_points)
    mine = owned_cells(cells, job.positions, job.own)
    return mine, measure_cells(config, mine, job.address_points, inputs, read=_read_raster)


def part_jobs(
    buurten: gpd.GeoDataFrame, config: RunConfig, address_points: np.ndarray | None, parts: int
) -> list[PartJob]:
    """Cut the run's buurten into about ``parts`` jobs (see :func:`split_buurten`)."""
    grid = grid_of(config)
    tree = shapely.STRtree(buurten.geometry.to_numpy())
    outlines = gpd.GeoDataFrame(geometry=buurten.geometry.to_numpy(), crs=buurten.crs)
    jobs = []
    for own in split_buurten(buurten, parts):
        positions = with_halo(tree, own, grid)
        points = None
        if address_points is not None:
            x0, y0, x1, y1 = outlines.geometry.iloc[positions].total_bounds
            grow = 2 * grid.radius
            x, y = address_points[:, 0], address_points[:, 1]
            inside = (x >= x0 - grow) & (x <= x1 + grow) & (y >= y0 - grow) & (y <= y1 + grow)
            points = address_points[inside]
        jobs.append(
            PartJob(outlines.iloc[positions].reset_index(drop=True), positions, own, points)
        )
    return jobs


class Cluster:
    """A Dask cluster that a run spreads its work over (a :class:`~gezondewijk._parallel.TaskMap`).

    Use :meth:`connect`: to a running scheduler by address, or to a ``LocalCluster`` of
    worker processes on this machine.
    """

    def __init__(self, client: Client, parts_per_worker: int = PARTS_PER_WORKER) -> None:
        self.client = client
        self.parts_per_worker = parts_per_worker

    @classmethod
    @contextlib.contextmanager
    def connect(
        cls, address: str | None = None, *, workers: int = 2, timeout: str = "20s"
    ) -> Iterator[Cluster]:
        """Connect to the scheduler at ``address``, or start ``workers`` local processes.

        Raises
        ------
        ConfigError
            When ``dask.distributed`` is not installed or the scheduler cannot be reached.
        """
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:
            raise ConfigError(
                "een run op een cluster vraagt om dask.distributed; installeer het met "
                "pip install 'gezondewijk[cluster]'."
            ) from err
        if address is not None:
            try:
                client = Client(address, timeout=timeout)
            except OSError as err:
                raise ConfigError(
                    f"de Dask-scheduler op {address} is niet bereikbaar ({err}); "
                    "controleer het adres (tcp://host:8786) en of de scheduler draait."
                ) from err
            with client:
                yield cls(client)
            return
        local = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clashes with another cluster
            silence_logs=40,  # logging.ERROR: a run shows its own progress
        )
        with local, Client(local) as client:
            yield cls(client)

    @property
    def workers(self) -> int:
        """Number of workers the scheduler knows now."""
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    @property
    def parts(self) -> int:
        """How many pieces independent work is cut into: a few per worker."""
        return 2 * self.workers

    def __call__(self, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``[func(item) for item in items]`` on the workers, in order."""
        futures = self.client.map(func, list(items), pure=False)
        return list(self.client.gather(futures))

    def lay_and_measure(
        self,
        config: RunConfig,
        buurten: gpd.GeoDataFrame,
        inputs: ProximityInputs,
        address_points: np.ndarray | None,
        progress: Progress,
    ) -> tuple[CellSet, dict[str, np.ndarray]]:
        """Lay and measure the cells of the whole run, part by part on the workers.

        Returns the cells in the order a run in one process lays them, and the measured
        values (rasters, distances) in that order.
        """
        from distributed import as_completed

        jobs = part_jobs(buurten, config, address_points, self.parts_per_worker * self.workers)
        shared = self.client.scatter(inputs, broadcast=True)
        task = functools.partial(lay_part, config=config)
        futures = self.client.map(task, jobs, inputs=shared, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(jobs)
        for done, future in enumerate(as_completed(futures), start=1):
            results[index[future.key]] = future.result()
            progress.note(
                f"deel {done}/{len(jobs)} klaar ({len(results[index[future.key]][0])} cellen)"
            )
        parts = [cells for cells, _ in results]
        total = None if address_points is None else len(address_points)
        cells, order = join_parts(grid_of(config), parts, total)
        measured = {
            key: np.concatenate([values[key] for _, values in results])[order]
            for key in results[0][1]
        }
        return cells, measured


__all__ = ["PARTS_PER_WORKER", "Cluster", "PartJob", "lay_part", "part_jobs"]

"""Write a run laid part by part: each part's cells as they come, the buurten at the end.

:func:`write_in_parts` drives a :class:`~gezondewijk.run.in_parts.PartsRun`: it lays and
settles the run, takes each scored part to :class:`CellWriters` (GeoParquet row groups, the
cells' CSV in batches, GeoPackage appends of one transaction each, the PNG burnt in part by
part), and then writes what a run in one go writes of its buurten and metadata
(:func:`gezondewijk.outputs.export.write_all`). No output holds more than one part's cells.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pyogrio

from gezondewijk.areas.grids import Grid, H3Grid
from gezondewijk.outputs.cellstore import storage_blocks
from gezondewijk.outputs.columnar import GEOMETRY, geo_metadata, neutralised, part_table
from gezondewijk.outputs.export import chosen_formats, parquet_metadata, write_all
from gezondewijk.outputs.metadata import provenance_line, variables_frame
from gezondewijk.outputs.picture import ScoreImage
from gezondewijk.run.build import Prepared, build_in_parts, finish_in_parts
from gezondewijk.run.in_parts import PartsRun, ScoredPart
from gezondewijk.run.result import MapResult


class CellWriters:
    """The cells' outputs, written one part at a time.

    Parameters
    ----------
    folder
        The run's output folder.
    formats
        The formats to write (``gpkg``, ``parquet``, ``csv``, ``png``); ``html`` draws no
        cells of a run in parts.
    cells_csv
        Whether ``cellen.csv`` is among them.
    grid
        The run's grid.
    bounds
        ``(minx, miny, maxx, maxy)`` of the buurten, and of every cell centre.
    metadata
        The run's provenance for the GeoParquet file (:func:`parquet_metadata`).
    provenance
        A ``herkomst`` column on every cell (synthetic data only), or ``None``.
    """

    def __init__(
        self,
        folder: Path,
        formats: tuple[str, ...],
        *,
        cells_csv: bool,
        grid: Grid,
        bounds: tuple[tuple[float, float, float, float], tuple[float, float, float, float]],
        metadata: dict[bytes, bytes],
        provenance: str | None,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.grid = grid
        self.metadata = metadata
        self.provenance = provenance
        self.cell_bounds = bounds[1]
        self.paths: dict[str, list[Path]] = {}
        self._parquet: pq.ParquetWriter | None = None
        self._csv: pacsv.CSVWriter | None = None
        self._schema: pa.Schema | None = None
        self.parquet = "parquet" in formats
        self.csv = "csv" in formats and cells_csv
        self.gpkg = folder / "gezondewijk.gpkg" if "gpkg" in formats else None
        self.burnt = (
            ScoreImage(grid, bounds[0], bounds[1])
            if "png" in formats and not isinstance(grid, H3Grid)
            else None
        )
        self.seconds: dict[str, float] = {}
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cellen-schrijven")
        self._pending: Future[None] | None = None
        if self.gpkg is not None:
            self.gpkg.unlink(missing_ok=True)

    def _timed(self, what: str, start: float) -> None:
        self.seconds[what] = self.seconds.get(what, 0.0) + time.perf_counter() - start

    def add(self, part: ScoredPart) -> None:
        """Write one part's cells to every output.

        The table is built here; the files are written on a second thread while the next
        part is scored (pyarrow's Parquet and CSV writers let go of the GIL). At most one
        part waits to be written, so memory stays at two parts.
        """
        start = time.perf_counter()
        table = part_table(part.cells, part.values, part.buurtcodes, provenance=self.provenance)
        if self._schema is None:
            self._schema = table.schema.with_metadata(self._metadata(table.schema))
        table = table.cast(self._schema)
        self._timed("tabel", start)
        if self.burnt is not None:
            self.burnt.add(part.cells.keys, part.values["score"].to_numpy(dtype="float64"))
        order, groups = storage_blocks(part.cells.x, part.cells.y, self.grid.cell_area)
        self._wait()
        self._pending = self._thread.submit(self._write, table, order, groups)

    def _wait(self) -> None:
        """Wait for the part being written; its error, if any, is raised here."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _write(self, table: pa.Table, order: np.ndarray, groups: np.ndarray) -> None:
        """Write one part's table to the files (on the writing thread)."""
        if self.parquet:
            start = time.perf_counter()
            self._write_parquet(table.take(pa.array(order)), groups)
            self._timed("GeoParquet", start)
        if self.csv:
            start = time.perf_counter()
            self._write_csv(table.drop_columns([GEOMETRY]))
            self._timed("CSV", start)
        if self.gpkg is not None:
            start = time.perf_counter()
            pyogrio.write_arrow(
                table,
                self.gpkg,
                layer="cellen",
                driver="GPKG",
                geometry_name=GEOMETRY,
                geometry_type="Polygon",
                crs="EPSG:28992",
                append=self.gpkg.exists(),
            )
            self._timed("GeoPackage", start)

    def _metadata(self, schema: pa.Schema) -> dict[bytes, bytes]:
        """The first part's metadata, with the bounding box of every cell and the provenance.

        The GeoParquet ``geo`` bbox must hold before the first row group is written (the
        schema goes first); the cells' outlines reach at most one radius beyond their centres.
        """
        geo = json.loads((schema.metadata or {}).get(b"geo", b"{}"))
        types = geo.get("columns", {}).get(GEOMETRY, {}).get("geometry_types", ["Polygon"])
        r = self.grid.radius
        x0, y0, x1, y1 = self.cell_bounds
        return {
            **(schema.metadata or {}),
            b"geo": geo_metadata(types, [x0 - r, y0 - r, x1 + r, y1 + r]),
            **self.metadata,
        }

    def _write_parquet(self, table: pa.Table, groups: np.ndarray) -> None:
        """The part in compact row groups (see :func:`storage_blocks`), in storage order."""
        if self._parquet is None:
            path = self.folder / "cellen.parquet"
            self._parquet = pq.ParquetWriter(str(path), table.schema, compression="snappy")
            self.paths.setdefault("geoparquet", []).append(path)
        start = 0
        for rows in groups.tolist():
            self._parquet.write_table(table.slice(start, rows), row_group_size=rows)
            start += rows

    def _write_csv(self, table: pa.Table, rows: int = 100_000) -> None:
        for batch in table.to_batches(max_chunksize=rows):
            part = neutralised(pa.Table.from_batches([batch], schema=table.schema))
            if self._csv is None:
                path = self.folder / "cellen.csv"
                self._csv = pacsv.CSVWriter(str(path), part.schema)
                self.paths.setdefault("csv", []).append(path)
            self._csv.write_table(part)

    def abort(self) -> None:
        """Stop after a failure elsewhere: wait for the writing thread, close the files."""
        try:
            self._wait()
        except Exception:  # the failure that brought us here is raised instead
            pass
        finally:
            self._thread.shutdown(wait=True)
            for writer in (self._parquet, self._csv):
                if writer is not None:
                    writer.close()

    def close(self) -> dict[str, list[Path]]:
        """Finish the files; the paths written, by kind."""
        try:
            self._wait()
        finally:
            self._thread.shutdown(wait=True)
        if self._parquet is not None:
            self._parquet.close()
        if self._csv is not None:
            self._csv.close()
        if self.gpkg is not None and self.gpkg.exists():
            self.paths["geopackage"] = [self.gpkg]
        return self.paths


def write_in_parts(
    prepared: Prepared,
    folder: Path,
    *,
    formats: tuple[str, ...] | None = None,
    html: bool = True,
    stream: TextIO | None = None,
    part_cells: int | None = None,
) -> tuple[MapResult, dict[str, list[Path]]]:
    """Run a configuration part by part and write its outputs into ``folder``.

    ``formats`` as :func:`~gezondewijk.outputs.export.write_all` takes them (``None``: by
    the run's size). Returns the result (its cells summed up in
    :attr:`~gezondewijk.run.result.MapResult.cells_in_parts`) and the paths written.
    """
    config = prepared.config
    with build_in_parts(prepared, part_cells=part_cells) as parts:
        wanted, cells_csv = chosen_formats(parts.totals.count, formats, stream)
        if not html:
            wanted = tuple(f for f in wanted if f != "html")
        writers = _writers(prepared, parts, folder, wanted, cells_csv)
        with prepared.progress.step(f"cellen scoren en schrijven, {len(parts.jobs)} delen"):
            try:
                for k, part in enumerate(parts.scored_parts(), start=1):
                    writers.add(part)
                    note = f"deel {k}/{len(parts.jobs)}: {len(part.cells)} cellen"
                    prepared.progress.note(note)
                    del part  # else it lives on while the next part is scored
                written = writers.close()
            except BaseException:
                writers.abort()
                raise
            for what, seconds in writers.seconds.items():
                prepared.progress.note(f"{what}: {seconds:.1f} s")
        result = finish_in_parts(prepared, parts)
    rest = write_all(
        result,
        folder,
        html="html" in wanted,
        max_map_cells=config.max_map_cells,
        formats=wanted,
        stream=stream,
        burnt=writers.burnt,
    )
    for kind, paths in rest.items():
        written[kind] = [*written.get(kind, []), *paths]
    return result, written


def _writers(
    prepared: Prepared,
    parts: PartsRun,
    folder: Path,
    wanted: tuple[str, ...],
    cells_csv: bool,
) -> CellWriters:
    config = prepared.config
    origin = provenance_line(config.synthetic, prepared.credits)
    variables = {**prepared.joined.variables, **parts.variables()}
    b = [float(v) for v in prepared.joined.buurten.total_bounds]
    return CellWriters(
        folder,
        wanted,
        cells_csv=cells_csv,
        grid=parts.grid,
        bounds=((b[0], b[1], b[2], b[3]), parts.bounds),
        metadata=parquet_metadata(origin, prepared.preset.name, variables_frame(variables, origin)),
        provenance=origin if config.synthetic else None,
    )


__all__ = ["CellWriters", "write_in_parts"]

"""GeoPackage (QGIS), GeoParquet and CSV writers, and :func:`write_all` for a whole run.

The buurten and cells are built once as Arrow tables (:mod:`gezondewijk.outputs.columnar`)
and every writer takes those: GeoParquet and CSV through pyarrow, the GeoPackage through
GDAL's Arrow path (:func:`pyogrio.write_arrow`), in one transaction per layer.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio

from gezondewijk._errors import ConfigError, OutputError
from gezondewijk.outputs.cellstore import storage_blocks
from gezondewijk.outputs.columnar import cells_table, frame_table, neutralised
from gezondewijk.outputs.columnar import write_geoparquet as _write_parquet_table
from gezondewijk.outputs.gpkg_worker import write_cells_geopackage
from gezondewijk.outputs.metadata import (
    about_table,
    classes_table,
    provenance,
    references_table,
    sources_table,
    thresholds_table,
    variables_table,
)
from gezondewijk.outputs.qgis_style import run_styles, write_layer_styles
from gezondewijk.run.result import MapResult

if TYPE_CHECKING:
    from gezondewijk.outputs.picture import ScoreImage
from gezondewijk.settings import OUTPUT_FORMATS
from gezondewijk.spreadsheet_safety import neutralise

#: Output formats a run can write (``gezondewijk run --formats``), in writing order.
FORMATS = OUTPUT_FORMATS

#: From this many cells on, the GeoPackage is written in a second process (see write_all).
GPKG_IN_WORKER_CELLS = 200_000
#: Above this many cells a run whose formats are not given writes GeoParquet, the buurten's
#: CSV, the pictures and the metadata, but not the GeoPackage and the cells' CSV: writing
#: those took half of a national run (issue 32); ``--formats`` asks for them by name.
LARGE_RUN_CELLS = 1_000_000


@dataclass
class RunTables:
    """The buurten and cells of one run as Arrow tables (built once per run)."""

    buurten: pa.Table
    #: ``None`` for a run in parts, whose cells were written part by part.
    cells: pa.Table | None

    @classmethod
    def of(cls, result: MapResult) -> RunTables:
        """Build both tables.

        The cells carry ``herkomst`` only for synthetic data, where a loose file must say so
        on every row; real runs carry it in the buurten layer, the ``over`` table and the
        file metadata (1.4 million copies of one sentence otherwise).
        """
        label = provenance(result)
        buurten = frame_table(result.buurten.assign(herkomst=label))
        if result.cells_in_parts is not None:
            return cls(buurten=buurten, cells=None)
        cells = cells_table(result, provenance=label if result.synthetic else None)
        return cls(buurten=buurten, cells=cells)

    def layers(self) -> tuple[tuple[str, pa.Table], ...]:
        """``(name, table)`` of the map layers held here."""
        if self.cells is None:
            return (("buurten", self.buurten),)
        return (("buurten", self.buurten), ("cellen", self.cells))


def _tables(result: MapResult) -> list[tuple[str, pd.DataFrame]]:
    """Return the attribute-only tables every output carries."""
    tables = [
        ("indicatoren", variables_table(result)),
        ("drempels", thresholds_table(result)),
        ("over", about_table(result)),
        ("bronnen", sources_table(result)),
    ]
    tables.append(("referenties", references_table(result)))
    if result.inequality is not None:
        tables.append(("ongelijkheid", result.inequality.assign(herkomst=provenance(result))))
    if result.walk_comparison is not None:
        tables.append(("netwerk_vs_hemelsbreed", result.walk_comparison))
    classes = classes_table(result)
    if classes is not None:
        tables.append(("klassen", classes))
    tables.extend(result.tables.items())
    return tables


def _text_columns(table: pd.DataFrame) -> pd.DataFrame:
    return table.astype({c: "string" for c in table.columns if table[c].dtype == object})


def write_geopackage(result: MapResult, path: Path, *, tables: RunTables | None = None) -> Path:
    """Write one layer per level (``buurten``, ``cellen``) plus metadata tables to a GeoPackage.

    The metadata tables (``indicatoren``, ``drempels``, ``over``) are attribute-only layers
    that QGIS lists next to the maps; ``layer_styles`` holds the QGIS styles (the stacked score
    as the default of both map layers, one per indicator; see
    :mod:`gezondewijk.outputs.qgis_style`). The cells go through GDAL's Arrow interface, in one
    transaction, with a spatial index.
    """
    tables = tables or RunTables.of(result)
    if tables.cells is not None:
        write_cells_geopackage(tables.cells, path)
    return _append_layers(path, result)


def _append_layers(path: Path, result: MapResult) -> Path:
    # buurten (thousands, Polygon and MultiPolygon mixed) through GeoPandas, which promotes
    # them to one MultiPolygon layer as QGIS expects
    buurten = result.buurten.assign(herkomst=provenance(result))
    pyogrio.write_dataframe(
        _text_columns(buurten), path, layer="buurten", driver="GPKG", append=True
    )
    for name, frame in _tables(result):
        pyogrio.write_dataframe(_text_columns(frame), path, layer=name, driver="GPKG", append=True)
    write_layer_styles(path, run_styles(result))
    return path


class _GeoPackageWorker:
    """The cells layer, written by ``python -m gezondewijk.outputs.gpkg_worker``.

    The worker runs in a process of its own and maps the cells from an Arrow IPC file into
    memory (no copy, no parsing).
    """

    def __init__(self, cells: pa.Table, path: Path) -> None:
        self.path = path
        self.handover = path.with_name(f".{path.stem}-cellen.arrow")
        with (
            pa.OSFile(str(self.handover), "wb") as sink,
            pa.ipc.new_file(sink, cells.schema) as writer,
        ):
            writer.write_table(cells)
        command = [
            sys.executable,
            "-m",
            "gezondewijk.outputs.gpkg_worker",
            str(self.handover),
            str(path),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def finish(self, result: MapResult) -> Path:
        """Wait for the worker, then add the buurten and metadata layers."""
        try:
            _, err = self.process.communicate()
        finally:
            self.handover.unlink(missing_ok=True)
        if self.process.returncode != 0:
            lines = err.decode(errors="replace").strip().splitlines() or ["(geen uitvoer)"]
            raise OutputError(f"de GeoPackage {self.path} kon niet worden geschreven: {lines[-1]}")
        return _append_layers(self.path, result)

    def stop(self) -> None:
        """Stop the worker (the run failed elsewhere)."""
        self.process.kill()
        self.process.wait()
        self.handover.unlink(missing_ok=True)


def _parquet_metadata(result: MapResult) -> dict[bytes, bytes]:
    return parquet_metadata(provenance(result), result.preset.name, variables_table(result))


def parquet_metadata(origin: str, preset: str, variables: pd.DataFrame) -> dict[bytes, bytes]:
    """The run's provenance as GeoParquet file metadata (key ``gezondewijk``)."""
    meta = json.dumps(
        {
            "herkomst": origin,
            "preset": preset,
            "indicatoren": variables.to_dict(orient="records"),
        },
        ensure_ascii=False,
        default=str,
    )
    return {b"gezondewijk": meta.encode()}


def write_geoparquet(
    result: MapResult, folder: Path, *, tables: RunTables | None = None
) -> list[Path]:
    """Write ``buurten.parquet`` and ``cellen.parquet`` with provenance in the file metadata."""
    tables = tables or RunTables.of(result)
    folder.mkdir(parents=True, exist_ok=True)
    extra = _parquet_metadata(result)
    out = []
    for name, table in tables.layers():
        p = folder / f"{name}.parquet"
        groups = None
        if name == "cellen":  # compact row groups for the viewer's reads by box
            order, groups = _blocks(table, result)
            table = table.take(pa.array(order))
        _write_parquet_table(table, str(p), extra=extra, row_groups=groups)
        out.append(p)
    return out


def _blocks(table: pa.Table, result: MapResult) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~gezondewijk.outputs.cellstore.storage_blocks` of the cells table."""
    if "x" not in table.column_names or "y" not in table.column_names:
        return np.arange(table.num_rows), np.array([table.num_rows])
    x = np.asarray(table.column("x").to_numpy(zero_copy_only=False), dtype=float)
    y = np.asarray(table.column("y").to_numpy(zero_copy_only=False), dtype=float)
    return storage_blocks(x, y, result.cells.grid.cell_area)


def write_metadata_csv(result: MapResult, folder: Path) -> list[Path]:
    """Write the small metadata tables (``indicatoren.csv``, ``drempels.csv``, ``over.csv``…).

    Every run writes them, whatever its formats: the map viewer and the fact sheets read them.
    Text cells are neutralised against formula injection (names come from input files).
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in _tables(result):
        p = folder / f"{name}.csv"
        neutralise(table).to_csv(p, index=False)
        paths.append(p)
    return paths


def write_csv(
    result: MapResult, folder: Path, *, tables: RunTables | None = None, cells: bool = True
) -> list[Path]:
    """Write ``buurten.csv``, ``cellen.csv`` (x/y in RD New, no geometry) and metadata CSVs.

    Text cells are neutralised against formula injection (names come from input files).
    ``cells=False`` leaves ``cellen.csv`` out.
    """
    tables = tables or RunTables.of(result)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.layers():
        if name == "cellen" and not cells:
            continue
        p = folder / f"{name}.csv"
        _write_csv_table(table.drop_columns(["geometry"]), p)
        paths.append(p)
    return paths + write_metadata_csv(result, folder)


def _write_csv_table(table: pa.Table, path: Path, rows: int = 100_000) -> None:
    """Write in batches, so that decoded text columns exist for one batch at a time."""
    writer: pacsv.CSVWriter | None = None
    try:
        for batch in table.to_batches(max_chunksize=rows):
            part = neutralised(pa.Table.from_batches([batch]))
            if writer is None:
                writer = pacsv.CSVWriter(str(path), part.schema)
            writer.write_table(part)
        if writer is None:  # no rows: the header only
            pacsv.write_csv(neutralised(table), path)
    finally:
        if writer is not None:
            writer.close()


def parse_formats(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"gpkg,csv"`` → ``("gpkg", "csv")``; ``None`` or ``"all"`` → every format.

    Raises
    ------
    ConfigError
        For a format that does not exist, naming the ones that do.
    """
    if text is None:
        return FORMATS
    items = [t.strip().lower() for t in (text.split(",") if isinstance(text, str) else text)]
    items = [t for t in items if t]
    if not items or items == ["all"]:
        return FORMATS
    unknown = [t for t in items if t not in FORMATS]
    if unknown:
        raise ConfigError(
            f"onbekend uitvoerformaat {', '.join(unknown)}; kies uit {', '.join(FORMATS)} "
            "(of 'all')."
        )
    return tuple(f for f in FORMATS if f in items)


def chosen_formats(
    cells: int, formats: Iterable[str] | None, stream: TextIO | None
) -> tuple[tuple[str, ...], bool]:
    """The formats to write for a run of ``cells`` cells, and whether the cells' CSV is one.

    Asked-for formats are written as asked. Without, a run of more than
    :data:`LARGE_RUN_CELLS` cells leaves out the GeoPackage and the cells' CSV, and says so.
    """
    if formats is not None:
        return parse_formats(list(formats)), True
    if cells <= LARGE_RUN_CELLS:
        return FORMATS, True
    if stream is not None:
        count = f"{cells:,}".replace(",", ".")  # Dutch thousands
        print(
            f"      {count} cellen: GeoPackage en cellen.csv niet geschreven (GeoParquet heeft "
            "alles); vraag ze met --formats gpkg,parquet,csv,png,html",
            file=stream,
        )
    return tuple(f for f in FORMATS if f != "gpkg"), False


def write_all(
    result: MapResult,
    folder: Path,
    *,
    html: bool = True,
    max_map_cells: int = 60_000,
    formats: Iterable[str] | None = None,
    stream: TextIO | None = None,
    burnt: ScoreImage | None = None,
) -> dict[str, list[Path]]:
    """Write the outputs of a run into ``folder`` and return the paths by kind.

    Parameters
    ----------
    formats
        Any of :data:`FORMATS`; ``None``: all, except the GeoPackage and the cells' CSV of a
        run of more than :data:`LARGE_RUN_CELLS` cells. ``html=False`` leaves the HTML map
        out. The metadata CSVs are always written.
        A run in parts (:attr:`MapResult.cells_in_parts`) wrote its cells already
        (:mod:`gezondewijk.outputs.in_parts`); here its buurten and metadata are written, and
        the PNG from the cells it burnt in (``burnt``).
    stream
        Where to report each file as it is written (``None``: silent).

    Notes
    -----
    With many cells (:data:`GPKG_IN_WORKER_CELLS`) the GeoPackage's cells layer is written
    in a second process while GeoParquet, CSV and the pictures are written in this one:
    GDAL's GeoPackage writer holds the GIL, so a thread would not overlap.
    """
    from gezondewijk.outputs.htmlmap import write_html_map
    from gezondewijk.outputs.picture import write_png_map

    wanted, cells_csv = chosen_formats(result.cell_count, formats, stream)
    if not html:
        wanted = tuple(f for f in wanted if f != "html")
    folder.mkdir(parents=True, exist_ok=True)

    def report(what: str, start: float) -> None:
        if stream is not None:
            print(f"      {what} klaar in {time.perf_counter() - start:.1f} s", file=stream)

    written: dict[str, list[Path]] = {}
    start = time.perf_counter()
    tables = RunTables.of(result) if {"gpkg", "parquet", "csv"} & set(wanted) else None
    if tables is not None:
        report("tabellen", start)
    gpkg_path = folder / "gezondewijk.gpkg"
    worker: _GeoPackageWorker | None = None
    if (
        "gpkg" in wanted
        and tables is not None
        and tables.cells is not None
        and len(result.cells) >= GPKG_IN_WORKER_CELLS
    ):
        t_gpkg = time.perf_counter()
        worker = _GeoPackageWorker(tables.cells, gpkg_path)
    try:
        if "gpkg" in wanted and worker is None:
            t = time.perf_counter()
            written["geopackage"] = [write_geopackage(result, gpkg_path, tables=tables)]
            report("GeoPackage", t)
        if "parquet" in wanted:
            t = time.perf_counter()
            written["geoparquet"] = write_geoparquet(result, folder, tables=tables)
            report("GeoParquet", t)
        t = time.perf_counter()
        if "csv" in wanted:
            written["csv"] = write_csv(result, folder, tables=tables, cells=cells_csv)
            report("CSV", t)
        else:
            written["csv"] = write_metadata_csv(result, folder)
        del tables
        if "png" in wanted:
            t = time.perf_counter()
            written["png"] = [write_png_map(result, folder / "kaart.png", burnt=burnt)]
            report("PNG", t)
        if "html" in wanted:
            t = time.perf_counter()
            path = write_html_map(result, folder / "kaart.html", max_cells=max_map_cells)
            written["html"] = [path]
            report("HTML", t)
    except BaseException:
        if worker is not None:
            worker.stop()
        raise

    if worker is not None:
        written = {"geopackage": [worker.finish(result)], **written}
        report("GeoPackage (tweede proces)", t_gpkg)
    return written

"""The buurten and cells of a run as Arrow tables, built once and written by every writer.

A national run has 1.4 million cells. Building them as a GeoDataFrame of Shapely polygons and
letting each writer convert it again (pandas CSV, GeoPackage row by row, GeoParquet written
twice to add metadata) took two minutes; one Arrow table with the geometry as WKB is written
by pyarrow (GeoParquet, CSV) and by GDAL's Arrow path (GeoPackage, via pyogrio) without a
Python object per row.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from gezondewijk.areas import CellSet
from gezondewijk.crs import RD_NEW
from gezondewijk.run.result import MapResult
from gezondewijk.spreadsheet_safety import DANGEROUS_START, neutralise_text

GEOMETRY = "geometry"


def cells_table(result: MapResult, *, provenance: str | None = None) -> pa.Table:
    """One row per cell: id, centre, covered area, main buurt, every value, WKB polygon.

    ``provenance`` adds a ``herkomst`` column (dictionary-encoded: one string, not one per
    row); real runs leave it out of the cells and carry it in the buurten layer and metadata.
    """
    main = result.cells.main_buurt()
    codes = pa.array(result.buurten["buurtcode"].astype(str).to_numpy())
    buurtcode = pc.if_else(
        pa.array(main >= 0), pc.take(codes, pa.array(np.maximum(main, 0))), pa.scalar("")
    )
    return part_table(result.cells, result.cell_values, buurtcode, provenance=provenance)


def part_table(
    cells: CellSet,
    cell_values: pd.DataFrame,
    buurtcode: pa.Array | np.ndarray,
    *,
    provenance: str | None = None,
) -> pa.Table:
    """:func:`cells_table` of any set of cells: the whole run's, or one part's.

    ``buurtcode``: the code of each cell's main buurt (``""`` for none).
    """
    columns: dict[str, pa.Array] = {
        "cel_id": cells.grid.label_array(cells.keys),
        "x": pa.array(np.round(cells.x, 2)),
        "y": pa.array(np.round(cells.y, 2)),
        "oppervlakte_m2": pa.array(cells.covered_area),
    }
    if cells.addresses is not None:
        columns["adressen"] = pa.array(cells.addresses)
    columns["buurtcode"] = pa.array(buurtcode, pa.string())
    values = pa.Table.from_pandas(cell_values, preserve_index=False)
    for name in values.column_names:
        columns[name] = values.column(name).combine_chunks()
    if provenance is not None:
        columns["herkomst"] = pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(len(cells), dtype=np.int32)), pa.array([provenance])
        )
    rings = cells.grid.rings(cells.keys)
    if rings is None or len(rings) == 0:  # irregular cells (H3): through Shapely
        polygons = cells.grid.polygons(cells.keys)
        geo = _geo_metadata_of(polygons)
        columns[GEOMETRY] = pa.array(shapely.to_wkb(polygons), pa.binary())
    else:
        xy = rings.reshape(-1, 2)
        geo = geo_metadata(["Polygon"], bounds_of(xy))
        columns[GEOMETRY] = polygon_wkb(rings)
    # pandas' own metadata of the value columns keeps nullable integers (Int64) on reading
    pandas_meta = (values.schema.metadata or {}).get(b"pandas", b"{}")
    return pa.table(columns).replace_schema_metadata({b"geo": geo, b"pandas": pandas_meta})


def bounds_of(xy: np.ndarray) -> list[float]:
    """``[xmin, ymin, xmax, ymax]`` of ``(n, 2)`` points."""
    return [*(float(v) for v in xy.min(axis=0)), *(float(v) for v in xy.max(axis=0))]


def polygon_wkb(rings: np.ndarray) -> pa.Array:
    """Little-endian WKB of one-ring polygons with the same number of vertices each.

    Parameters
    ----------
    rings
        ``(n, m, 2)`` closed outlines (first vertex repeated last).

    Notes
    -----
    A WKB polygon (OGC Simple Features, part 1, §8.2.7) is the byte order (1 = little
    endian), the type (uint32 3), the number of rings (uint32), and per ring the number of
    points (uint32) followed by x, y as float64. With one ring of ``m`` points every record
    has the same length, so the whole column is one NumPy structured array: 0.1 s for a
    million cells, where building Shapely polygons and encoding them costs 6 s and 0.4 GB.
    """
    n, m = rings.shape[0], rings.shape[1]
    record = np.dtype(
        [
            ("order", "u1"),
            ("kind", "<u4"),
            ("nrings", "<u4"),
            ("npoints", "<u4"),
            ("xy", "<f8", (m, 2)),
        ],
        align=False,
    )
    data = np.empty(n, dtype=record)
    data["order"] = 1
    data["kind"] = 3
    data["nrings"] = 1
    data["npoints"] = m
    data["xy"] = rings
    offsets = np.arange(n + 1, dtype=np.int32) * record.itemsize
    return pa.Array.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data.view(np.uint8))]
    )


def frame_table(frame: pd.DataFrame) -> pa.Table:
    """A (Geo)DataFrame as an Arrow table, its geometry as WKB."""
    plain = pd.DataFrame(frame.drop(columns=GEOMETRY) if GEOMETRY in frame else frame)
    table = pa.Table.from_pandas(plain, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    if GEOMETRY in frame:
        geoms = np.asarray(frame[GEOMETRY].to_numpy())
        table = table.append_column(GEOMETRY, pa.array(shapely.to_wkb(geoms), pa.binary()))
        metadata[b"geo"] = _geo_metadata_of(geoms)
    return table.replace_schema_metadata(metadata)


#: GeoParquet's names of the Shapely geometry types.
_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def _geo_metadata_of(geoms: np.ndarray) -> bytes:
    """:func:`geo_metadata` with the types and bounding box of Shapely geometries."""
    present = geoms[~shapely.is_missing(geoms)]
    types = sorted({_TYPE_NAMES[int(t)] for t in np.unique(shapely.get_type_id(present))})
    return geo_metadata(types, [float(v) for v in shapely.total_bounds(present)])


def geo_metadata(types: list[str], bbox: list[float]) -> bytes:
    """The GeoParquet 1.1.0 ``geo`` metadata of one WKB geometry column in RD New.

    Notes
    -----
    Follows https://geoparquet.org/releases/v1.1.0/: ``primary_column`` and, for the column,
    its ``encoding``, ``geometry_types``, ``crs`` (PROJJSON) and ``bbox``.
    """
    geo = {
        "version": "1.1.0",
        "primary_column": GEOMETRY,
        "columns": {
            GEOMETRY: {
                "encoding": "WKB",
                "geometry_types": types,
                "crs": CRS.from_user_input(RD_NEW).to_json_dict(),
                "bbox": bbox,
            }
        },
    }
    return json.dumps(geo).encode()


def write_geoparquet(
    table: pa.Table,
    path: str,
    *,
    extra: dict[bytes, bytes],
    row_groups: np.ndarray | None = None,
) -> None:
    """Write a table from :func:`cells_table` or :func:`frame_table` as GeoParquet.

    ``extra`` file metadata (the run's provenance) goes into the same file, in one pass.

    GeoPandas' writer would make the file without room for the provenance, leaving it to be
    read and written again; the ``geo`` key is set when the table is built. ``row_groups``
    (rows per group, in order) lets a reader fetch one area of the cells
    (:class:`gezondewijk.outputs.cellstore.CellStore`).
    """
    metadata = {**(table.schema.metadata or {}), **extra}
    table = table.replace_schema_metadata(metadata)
    if row_groups is None:
        pq.write_table(table, path, compression="snappy")
        return
    with pq.ParquetWriter(path, table.schema, compression="snappy") as writer:
        start = 0
        for rows in row_groups.tolist():
            writer.write_table(table.slice(start, rows), row_group_size=rows)
            start += rows


def neutralised(table: pa.Table) -> pa.Table:
    """Text columns whose cells cannot start a spreadsheet formula.

    The rule of :mod:`gezondewijk.spreadsheet_safety`, applied with Arrow compute functions.
    """
    for i, field in enumerate(table.schema):
        column = table.column(i)
        if pa.types.is_dictionary(field.type):
            column = column.cast(field.type.value_type)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        starts = pc.utf8_slice_codeunits(column, 0, 1)
        risky = pc.is_in(starts, pa.array(list(DANGEROUS_START)))
        if pc.any(risky).as_py():
            quote, empty = pa.scalar("'", column.type), pa.scalar("", column.type)
            fixed = pc.if_else(risky, pc.binary_join_element_wise(quote, column, empty), column)
            table = table.set_column(i, field.name, fixed)
        elif column.type != field.type:
            table = table.set_column(i, field.name, column)
    names = [str(neutralise_text(name)) for name in table.column_names]
    return table.rename_columns(names)

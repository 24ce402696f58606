"""A run's cells read from ``cellen.parquet`` on demand, never all at once.

The national run has 1.4 million cells (2.7 GB as a GeoDataFrame). The map viewer and the
fact sheets only ever need the cells of one tile, one buurt or one selection, so the app
keeps the file's footer (the min/max of the cell centres ``x`` and ``y`` per row group)
and reads the row groups a request touches. ``gezondewijk run`` writes the cells in square
blocks of about :data:`ROW_GROUP_ROWS` cells, one row group each (:func:`storage_blocks`),
so a row group covers a compact square and a map tile touches a few of them. (In
lattice order, row after row, a row group was a band across the whole country: a city's
tile read 20 such bands, 330 thousand cells, to keep 3 thousand.)
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

#: Rows per row group of ``cellen.parquet`` (a band of ~6 lattice rows of the country).
ROW_GROUP_ROWS = 16_384


def storage_blocks(x: np.ndarray, y: np.ndarray, cell_area: float) -> tuple[np.ndarray, np.ndarray]:
    r"""How to store cells: in square blocks of ~:data:`ROW_GROUP_ROWS` cells, a row group each.

    Blocks of edge :math:`B = \sqrt{R \, A}` (``R`` = :data:`ROW_GROUP_ROWS`, ``A`` the area
    of one cell) are taken row after row of blocks; inside a block the cells keep their
    order. A stable sort on two integers: 0.1-0.2 s for the country, where a Hilbert curve
    (``GeoSeries.hilbert_distance``) took 1.5 s for the same locality at this scale.

    Parameters
    ----------
    x, y
        Cell centres (metres, the run's CRS).
    cell_area
        Area of one cell in square metres.

    Returns
    -------
    order
        Positions of the cells in storage order.
    sizes
        Cells per block (non-empty blocks, in storage order): the row groups.
    """
    if len(x) == 0:
        return np.arange(0), np.zeros(0, dtype=np.int64)
    edge = float(np.sqrt(ROW_GROUP_ROWS * cell_area))
    column = np.floor((x - np.min(x)) / edge).astype(np.int64)
    row = np.floor((y - np.min(y)) / edge).astype(np.int64)
    block = row * (int(column.max()) + 1) + column
    order = np.argsort(block, kind="stable")
    _, sizes = np.unique(block[order], return_counts=True)
    return order, sizes


class CellStore:
    """The cells of one run folder, read by box, by buurt or by id.

    Parameters
    ----------
    path
        ``cellen.parquet`` of a run (GeoParquet with cell centres ``x`` and ``y``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._meta = pq.read_metadata(path)
        schema = self._meta.schema.to_arrow_schema()
        self.columns: list[str] = list(schema.names)
        geo = json.loads((schema.metadata or {}).get(b"geo", b"{}"))
        self.crs = geo.get("columns", {}).get("geometry", {}).get("crs")
        self._bounds = self._row_group_bounds()
        #: The first row of each row group, and the row count at the end.
        self._starts = np.cumsum(
            [0, *(self._meta.row_group(g).num_rows for g in range(self._meta.num_row_groups))]
        )

    def __len__(self) -> int:
        return int(self._meta.num_rows)

    def _file(self) -> pq.ParquetFile:
        return pq.ParquetFile(self.path, metadata=self._meta)

    def _row_group_bounds(self) -> np.ndarray:
        """``[xmin, xmax, ymin, ymax]`` of the cell centres of each row group (NaN: unknown)."""
        out = np.full((self._meta.num_row_groups, 4), np.nan)
        if "x" not in self.columns or "y" not in self.columns:
            return out
        ix, iy = self.columns.index("x"), self.columns.index("y")
        for g in range(self._meta.num_row_groups):
            group = self._meta.row_group(g)
            for j, col in ((0, ix), (2, iy)):
                stats = group.column(col).statistics
                if stats is not None and stats.has_min_max:
                    out[g, j], out[g, j + 1] = stats.min, stats.max
        return out

    def _frame(self, table: pa.Table) -> gpd.GeoDataFrame:
        frame = table.drop_columns(["geometry"]).to_pandas()
        geometry = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=self.crs)

    def _wanted(self, columns: list[str] | None) -> list[str]:
        if columns is None:
            return self.columns
        return [c for c in dict.fromkeys([*columns, "geometry"]) if c in self.columns]

    def _groups_in(self, box: tuple[float, float, float, float]) -> list[int]:
        xmin, ymin, xmax, ymax = box
        b = self._bounds
        unknown = np.isnan(b).any(axis=1)
        touch = unknown | (
            (b[:, 1] >= xmin) & (b[:, 0] <= xmax) & (b[:, 3] >= ymin) & (b[:, 2] <= ymax)
        )
        return np.flatnonzero(touch).tolist()

    @staticmethod
    def _inside(table: pa.Table, box: tuple[float, float, float, float]) -> pa.Array:
        xmin, ymin, xmax, ymax = box
        x, y = table.column("x"), table.column("y")
        return pc.and_(
            pc.and_(pc.greater_equal(x, xmin), pc.less_equal(x, xmax)),
            pc.and_(pc.greater_equal(y, ymin), pc.less_equal(y, ymax)),
        )

    def count_in_box(self, box: tuple[float, float, float, float]) -> int:
        """How many cell centres lie in ``box``, reading the centres only."""
        table = self._file().read_row_groups(self._groups_in(box), columns=["x", "y"])
        return int(pc.sum(self._inside(table, box)).as_py() or 0)

    def in_box(
        self, box: tuple[float, float, float, float], columns: list[str] | None = None
    ) -> gpd.GeoDataFrame:
        """Cells whose centre lies in ``(xmin, ymin, xmax, ymax)`` (the run's CRS)."""
        wanted = self._wanted(columns)
        read = list(dict.fromkeys([*wanted, "x", "y"]))
        table = self._file().read_row_groups(self._groups_in(box), columns=read)
        return self._frame(table.filter(self._inside(table, box)).select(wanted))

    def where(
        self, column: str, values: list[str], columns: list[str] | None = None
    ) -> gpd.GeoDataFrame:
        """Cells whose ``column`` (``cel_id``, ``buurtcode``) is one of ``values``.

        Reads that one column whole, then only the row groups with a match.
        """
        wanted = self._wanted(columns)
        if column not in self.columns:
            return self._frame(self._file().schema_arrow.empty_table().select(wanted))
        keys = self._file().read(columns=[column]).column(column)
        if pa.types.is_dictionary(keys.type):
            keys = keys.cast(keys.type.value_type)
        hit = pc.is_in(keys, value_set=pa.array([str(v) for v in values], type=keys.type))
        rows = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
        if len(rows) == 0:
            return self._frame(self._file().schema_arrow.empty_table().select(wanted))
        starts = self._starts
        groups = np.unique(np.searchsorted(starts, rows, side="right") - 1)
        table = self._file().read_row_groups(groups.tolist(), columns=wanted)
        local = np.concatenate([np.arange(starts[g], starts[g + 1]) for g in groups])
        return self._frame(table.take(pa.array(np.searchsorted(local, rows))))

    def column(self, name: str) -> np.ndarray:
        """One numeric column of every cell (for legends over the whole run)."""
        data = self._file().read(columns=[name]).column(name)
        return np.asarray(data.to_numpy(zero_copy_only=False), dtype=float)

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """Bounds of all cell centres (the run's CRS)."""
        b = self._bounds
        return (
            float(np.nanmin(b[:, 0])),
            float(np.nanmin(b[:, 2])),
            float(np.nanmax(b[:, 1])),
            float(np.nanmax(b[:, 3])),
        )

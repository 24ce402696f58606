"""Grid geometry: flat-topped hexagons and squares anchored on the RD New origin, and H3.

Cells are identified by two integers (axial ``q, r`` for hexagons, column/row for squares)
packed into one int64 key. The lattice is anchored on RD New (0, 0), so the same location gets
the same cell id in every run, municipality and year (stable ids for monitoring).

The hexagon lattice arithmetic is written here rather than taken from a library: H3 cannot
make hexagons of a chosen edge in RD New, and the arithmetic is a few vectorised NumPy lines
that run at tens of millions of points per second.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import Transformer

from gezondewijk._errors import GridError
from gezondewijk.crs import RD_NEW, WGS84

_OFFSET = 2**30
_SHIFT = 2**31
SQRT3 = math.sqrt(3.0)


def pack(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pack two integer arrays (each within ±2**30) into one int64 key array."""
    return (np.asarray(a, np.int64) + _OFFSET) * _SHIFT + (np.asarray(b, np.int64) + _OFFSET)


def unpack(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`pack`."""
    keys = np.asarray(keys, np.int64)
    return keys // _SHIFT - _OFFSET, keys % _SHIFT - _OFFSET


class Grid(ABC):
    """A tiling of the plane (RD New metres) into cells with stable integer keys."""

    #: Short prefix of string cell ids, e.g. ``"H100"``.
    prefix: str

    @property
    @abstractmethod
    def cell_area(self) -> float:
        """Area of one cell in m² (nominal for H3)."""

    @property
    @abstractmethod
    def radius(self) -> float:
        """Largest distance from a cell's centre to its boundary, in metres."""

    @property
    def spacing(self) -> float:
        """Distance between the centres of neighbouring cells, in metres."""
        return 2 * self.radius

    @abstractmethod
    def keys_in_bounds(self, bounds: tuple[float, float, float, float]) -> np.ndarray:
        """Keys of every cell whose centre lies within ``bounds`` grown by one cell radius."""

    @abstractmethod
    def centres(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """RD New x and y of the cell centres."""

    @abstractmethod
    def polygons(self, keys: np.ndarray) -> np.ndarray:
        """Shapely polygons of the cells."""

    @abstractmethod
    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Key of the cell that contains each point."""

    def rings(self, keys: np.ndarray) -> np.ndarray | None:
        """Closed outlines ``(n, k + 1, 2)`` of cells with ``k`` vertices each, or ``None``.

        ``None`` where cells are irregular (H3). Lets writers encode polygons without Shapely
        objects.
        """
        return None

    def label_array(self, keys: np.ndarray) -> pa.Array:
        """:meth:`labels` as an Arrow string array (built in Arrow, no Python strings)."""
        a, b = unpack(keys)
        return pc.binary_join_element_wise(
            self.prefix, pa.array(a).cast(pa.string()), pa.array(b).cast(pa.string()), "_"
        )

    def labels(self, keys: np.ndarray) -> np.ndarray:
        """Readable, stable string ids such as ``H100_12_-3``."""
        return np.asarray(self.label_array(keys).to_numpy(zero_copy_only=False), dtype=object)


class HexGrid(Grid):
    r"""Flat-topped regular hexagons with a given edge length, centred on axial coordinates.

    Parameters
    ----------
    edge
        Edge length (= circumradius) in metres; 100 m gives cells of 2.598 ha, an edge of
        62.04 m gives cells of one hectare.

    Notes
    -----
    Axial coordinates (q, r) of a flat-topped lattice with edge :math:`a` have their centre at

    .. math:: x = \tfrac{3}{2} a q, \qquad y = \sqrt{3}\, a \,(r + q/2)

    and a point is located by converting to fractional cube coordinates and rounding
    (Patel, "Hexagonal Grids", Red Blob Games, 2013). The cell area is
    :math:`\tfrac{3\sqrt{3}}{2} a^2`.
    """

    def __init__(self, edge: float = 100.0) -> None:
        if not (1.0 <= edge <= 100_000.0):
            raise GridError(f"edge {edge} m is out of range; choose between 1 and 100000 m.")
        self.edge = float(edge)
        self.prefix = f"H{edge:g}".replace(".", "p")

    @property
    def cell_area(self) -> float:  # noqa: D102
        return 1.5 * SQRT3 * self.edge**2

    @property
    def radius(self) -> float:  # noqa: D102
        return self.edge

    @property
    def spacing(self) -> float:  # noqa: D102
        return SQRT3 * self.edge

    @staticmethod
    def edge_for_area(area_m2: float) -> float:
        """Edge length of a hexagon of the given area (10 000 m² gives 62.04 m)."""
        return math.sqrt(area_m2 / (1.5 * SQRT3))

    def keys_in_bounds(self, bounds: tuple[float, float, float, float]) -> np.ndarray:  # noqa: D102
        a = self.edge
        minx, miny, maxx, maxy = bounds
        q = np.arange(math.floor((minx - a) / (1.5 * a)), math.ceil((maxx + a) / (1.5 * a)) + 1)
        step = SQRT3 * a
        r_lo = np.floor((miny - a) / step - q / 2).astype(np.int64)
        r_hi = np.ceil((maxy + a) / step - q / 2).astype(np.int64)
        counts = r_hi - r_lo + 1
        qq = np.repeat(q, counts)
        starts = np.repeat(r_lo - np.cumsum(np.r_[0, counts[:-1]]), counts)
        rr = starts + np.arange(counts.sum())
        return pack(qq, rr)

    def centres(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        q, r = unpack(keys)
        return 1.5 * self.edge * q, SQRT3 * self.edge * (r + q / 2.0)

    def rings(self, keys: np.ndarray) -> np.ndarray:  # noqa: D102
        x, y = self.centres(keys)
        angles = np.deg2rad(np.arange(0, 360, 60))
        xs = x[:, None] + self.edge * np.cos(angles)[None, :]
        ys = y[:, None] + self.edge * np.sin(angles)[None, :]
        ring = np.stack([xs, ys], axis=-1)
        return np.concatenate([ring, ring[:, :1, :]], axis=1)

    def polygons(self, keys: np.ndarray) -> np.ndarray:  # noqa: D102
        return shapely.polygons(self.rings(keys))

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:  # noqa: D102
        x = np.asarray(x, "float64")
        y = np.asarray(y, "float64")
        fq = (2.0 / 3.0) * x / self.edge
        fr = (-x / 3.0 + SQRT3 / 3.0 * y) / self.edge
        fs = -fq - fr
        rq, rr, rs = np.rint(fq), np.rint(fr), np.rint(fs)
        dq, dr, ds = np.abs(rq - fq), np.abs(rr - fr), np.abs(rs - fs)
        fix_q = (dq > dr) & (dq > ds)
        fix_r = ~fix_q & (dr > ds)
        rq = np.where(fix_q, -rr - rs, rq)
        rr = np.where(fix_r, -rq - rs, rr)
        return pack(rq.astype(np.int64), rr.astype(np.int64))


class SquareGrid(Grid):
    """Square cells aligned on RD New multiples of the size (1 km: the RIVM Stapeltool grid).

    Parameters
    ----------
    size
        Side of a cell in metres.
    """

    def __init__(self, size: float = 1000.0) -> None:
        if not (1.0 <= size <= 100_000.0):
            raise GridError(f"size {size} m is out of range; choose between 1 and 100000 m.")
        self.size = float(size)
        self.prefix = f"S{size:g}".replace(".", "p")

    @property
    def cell_area(self) -> float:  # noqa: D102
        return self.size**2

    @property
    def radius(self) -> float:  # noqa: D102
        return self.size * math.sqrt(0.5)

    @property
    def spacing(self) -> float:  # noqa: D102
        return self.size

    def keys_in_bounds(self, bounds: tuple[float, float, float, float]) -> np.ndarray:  # noqa: D102
        s = self.size
        minx, miny, maxx, maxy = bounds
        i = np.arange(math.floor(minx / s) - 1, math.ceil(maxx / s) + 1)
        j = np.arange(math.floor(miny / s) - 1, math.ceil(maxy / s) + 1)
        ii, jj = np.meshgrid(i, j, indexing="ij")
        return pack(ii.ravel(), jj.ravel())

    def centres(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        i, j = unpack(keys)
        return (i + 0.5) * self.size, (j + 0.5) * self.size

    def rings(self, keys: np.ndarray) -> np.ndarray:  # noqa: D102
        i, j = unpack(keys)
        x0, y0 = i * self.size, j * self.size
        x1, y1 = x0 + self.size, y0 + self.size
        # the vertex order of shapely.box: counter-clockwise from the lower right
        xs = np.stack([x1, x1, x0, x0, x1], axis=1).astype("float64")
        ys = np.stack([y0, y1, y1, y0, y0], axis=1).astype("float64")
        return np.stack([xs, ys], axis=-1)

    def polygons(self, keys: np.ndarray) -> np.ndarray:  # noqa: D102
        i, j = unpack(keys)
        return shapely.box(i * self.size, j * self.size, (i + 1) * self.size, (j + 1) * self.size)

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:  # noqa: D102
        i = np.floor(np.asarray(x, "float64") / self.size).astype(np.int64)
        j = np.floor(np.asarray(y, "float64") / self.size).astype(np.int64)
        return pack(i, j)


class H3Grid(Grid):
    """Uber H3 cells at a given resolution, projected to RD New.

    Parameters
    ----------
    resolution
        H3 resolution (9 ≈ 174 m edge, 10 ≈ 66 m edge, 11 ≈ 25 m edge).

    Notes
    -----
    H3 keys are the 64-bit H3 indexes themselves. Meant for municipalities; for the whole
    country use :class:`HexGrid`, which is vectorised.
    """

    def __init__(self, resolution: int = 10) -> None:
        import h3

        if not 0 <= resolution <= 15:
            raise GridError(f"H3 resolution {resolution} must be between 0 and 15.")
        self.resolution = resolution
        self.prefix = f"h3r{resolution}"
        self._h3 = h3
        self._to_wgs = Transformer.from_crs(RD_NEW, WGS84, always_xy=True)
        self._to_rd = Transformer.from_crs(WGS84, RD_NEW, always_xy=True)

    @property
    def cell_area(self) -> float:  # noqa: D102
        return float(self._h3.average_hexagon_area(self.resolution, unit="m^2"))

    @property
    def radius(self) -> float:  # noqa: D102
        return 1.2 * float(self._h3.average_hexagon_edge_length(self.resolution, unit="m"))

    def keys_in_bounds(self, bounds: tuple[float, float, float, float]) -> np.ndarray:  # noqa: D102
        minx, miny, maxx, maxy = bounds
        grow = 2 * self.radius
        xs = [minx - grow, maxx + grow, maxx + grow, minx - grow]
        ys = [miny - grow, miny - grow, maxy + grow, maxy + grow]
        lon, lat = self._to_wgs.transform(xs, ys)
        shape = self._h3.LatLngPoly(list(zip(lat, lon, strict=True)))
        cells = self._h3.h3shape_to_cells(shape, self.resolution)
        return np.array([self._h3.str_to_int(c) for c in cells], dtype=np.int64)

    def centres(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        latlng = np.array([self._h3.cell_to_latlng(self._h3.int_to_str(int(k))) for k in keys])
        if len(latlng) == 0:
            return np.empty(0), np.empty(0)
        x, y = self._to_rd.transform(latlng[:, 1], latlng[:, 0])
        return np.asarray(x), np.asarray(y)

    def polygons(self, keys: np.ndarray) -> np.ndarray:  # noqa: D102
        out = []
        for k in keys:
            ring = np.array(self._h3.cell_to_boundary(self._h3.int_to_str(int(k))))
            x, y = self._to_rd.transform(ring[:, 1], ring[:, 0])
            out.append(shapely.Polygon(np.column_stack([x, y])))
        return np.array(out, dtype=object)

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:  # noqa: D102
        lon, lat = self._to_wgs.transform(np.asarray(x), np.asarray(y))
        return np.array(
            [
                self._h3.str_to_int(self._h3.latlng_to_cell(la, lo, self.resolution))
                for lo, la in zip(lon, lat, strict=True)
            ],
            dtype=np.int64,
        )

    def labels(self, keys: np.ndarray) -> np.ndarray:  # noqa: D102
        return np.array([self._h3.int_to_str(int(k)) for k in keys], dtype=str)

    def label_array(self, keys: np.ndarray) -> pa.Array:  # noqa: D102
        return pa.array(self.labels(keys), pa.string())


def make_grid(
    kind: str, *, edge: float = 100.0, size: float = 1000.0, resolution: int = 10
) -> Grid:
    """Build a grid by name: ``"hex"``, ``"square"`` or ``"h3"``.

    Raises
    ------
    GridError
        For an unknown kind or out-of-range parameters.
    """
    if kind == "hex":
        return HexGrid(edge)
    if kind == "square":
        return SquareGrid(size)
    if kind == "h3":
        return H3Grid(resolution)
    raise GridError(f"unknown grid kind '{kind}'; choose 'hex', 'square' or 'h3'.")

"""Which lattice centres lie well inside one buurt, found on a raster instead of point queries.

A national grid at 100 m has 3.2 million lattice centres in the bounding box of the country.
Asking GEOS, point by point, which buurt holds each centre and whether a boundary passes
within the cell radius takes most of the time of laying the cells (Point objects alone cost
0.6 GB). Burning the buurt numbers and the buurt boundaries onto one raster with GDAL
(:func:`rasterio.features.rasterize`) answers both questions for all centres at once; only the
cells near a boundary then go to the exact clipping in :mod:`gezondewijk.areas.cells`.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from affine import Affine
from rasterio.features import rasterize
from scipy.ndimage import maximum_filter

#: Largest raster laid over the buurten (pixels); a coarser pixel keeps memory near 0.3 GB.
MAX_PIXELS = 64_000_000


def classify_centres(
    geoms: np.ndarray, x: np.ndarray, y: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""Buurt of each centre that lies further than ``radius`` from every buurt boundary.

    Parameters
    ----------
    geoms
        Buurt polygons (RD New).
    x, y
        Lattice centres (RD New).
    radius
        Cell radius (m): the largest distance from a centre to its cell's outline.

    Returns
    -------
    buurt
        Position in ``geoms`` of the buurt holding the centre, or -1 (outside every buurt, or
        near a boundary).
    near
        True where a buurt boundary may pass within ``radius`` of the centre: those cells
        must be clipped exactly. Conservative: it may flag a centre that is in fact further.

    Notes
    -----
    Buurt numbers are burnt at pixel centres (GDAL's default rule) and the boundaries with
    ``all_touched``, so every pixel a boundary line crosses is an edge pixel, however thin the
    buurt. The edge pixels are then dilated by a square of half-width
    :math:`k = \lceil r / p \rceil + 2` pixels (pixel size :math:`p`). If a boundary point
    :math:`b` lies within :math:`r` of a centre :math:`c`, the pixels of :math:`b` and
    :math:`c` are at most :math:`\lceil r/p \rceil + 1` pixels apart along each axis, so
    :math:`c` is flagged. An unflagged centre's pixel is crossed by no boundary, so the whole
    pixel, its centre included, lies in the buurt that holds :math:`c`: the burnt number is
    exact there.
    """
    n = len(x)
    if n == 0:
        return np.full(0, -1, dtype=np.int64), np.zeros(0, dtype=bool)
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geoms))
    pixel = radius / 2.0
    margin = radius + 4 * pixel
    width_m, height_m = maxx - minx + 2 * margin, maxy - miny + 2 * margin
    if width_m * height_m / pixel**2 > MAX_PIXELS:
        pixel = math.sqrt(width_m * height_m / MAX_PIXELS)
    k = math.ceil(radius / pixel) + 2
    margin = radius + (k + 2) * pixel
    left, top = minx - margin, maxy + margin
    cols = math.ceil((maxx + margin - left) / pixel)
    rows = math.ceil((top - (miny - margin)) / pixel)
    transform = Affine(pixel, 0.0, left, 0.0, -pixel, top)
    dtype = "uint16" if len(geoms) < 65_535 else "int32"
    # buurt numbers + 1 (0 = no buurt) at pixel centres
    ids = rasterize(
        zip(geoms, range(1, len(geoms) + 1), strict=True),
        out_shape=(rows, cols),
        transform=transform,
        fill=0,
        dtype=dtype,
    )
    edges = rasterize(
        ((b, 1) for b in shapely.boundary(geoms)),
        out_shape=(rows, cols),
        transform=transform,
        fill=0,
        all_touched=True,
        dtype="uint8",
    )
    near_pixels = maximum_filter(edges, size=2 * k + 1, mode="constant", cval=0)
    del edges
    col = np.floor((np.asarray(x) - left) / pixel).astype(np.int64)
    row = np.floor((top - np.asarray(y)) / pixel).astype(np.int64)
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    buurt = np.full(n, -1, dtype=np.int64)
    near = np.zeros(n, dtype=bool)
    r, c = row[inside], col[inside]
    near[inside] = near_pixels[r, c] > 0
    buurt[inside] = ids[r, c].astype(np.int64) - 1
    buurt[near] = -1
    return buurt, near

"""Raster exposures: RIVM GCN ESRI ASCII grids (1 km, RD New without CRS) and GeoTIFFs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.errors import RasterioIOError

from gezondewijk._errors import InputDataError
from gezondewijk.crs import RD_NEW
from gezondewijk.sources._tables import check_file

#: A cell this far from zero is a fill value (float32 extremes ±3.4e38), never a measurement.
FILL_MAGNITUDE = 1e30


@dataclass(frozen=True)
class RasterLayer:
    """A single-band raster in RD New with missing cells as NaN.

    Parameters
    ----------
    values
        2-D array (rows from north to south).
    transform
        Affine transform from (col, row) to RD New (x, y) of the cell's upper-left corner.
    path
        The file it was read from.
    """

    values: np.ndarray
    transform: Affine
    path: Path

    @property
    def cell_size(self) -> float:
        """Width of one cell in metres."""
        return float(self.transform.a)

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the value of the raster cell that contains each point (NaN outside)."""
        t = self.transform  # north-up, unrotated (checked when read)
        cols = np.floor((np.asarray(x, dtype="float64") - t.c) / t.a).astype(np.int64)
        rows = np.floor((np.asarray(y, dtype="float64") - t.f) / t.e).astype(np.int64)
        nrows, ncols = self.values.shape
        inside = (rows >= 0) & (rows < nrows) & (cols >= 0) & (cols < ncols)
        out = np.full(len(cols), np.nan)
        out[inside] = self.values[rows[inside], cols[inside]]
        return out


def read_raster(path: str | Path, *, crs: str | None = None) -> RasterLayer:
    """Read a single-band raster (ESRI ASCII grid or GeoTIFF) into RD New.

    Parameters
    ----------
    path
        The raster file. RIVM GCN ``.asc`` files carry no CRS; RD New is assumed when the
        extent fits the Netherlands in RD New, and ``crs`` overrides that.
    crs
        The CRS of the file when it does not say; only RD New (EPSG:28992) is accepted for
        gridded exposure maps, so a raster in another CRS must be warped first.

    Raises
    ------
    InputDataError
        When the file cannot be read, is not in RD New, or has no valid cells.

    Notes
    -----
    Missing are the cells equal to the declared nodata value and the cells beyond ±1e30: the
    fill values some publishers write beside the nodata value they declare. A value that is
    implausible for its variable is checked where the variable is known
    (:func:`gezondewijk.indicators.exposure.plausible`).
    """
    p = check_file(path, what="raster")
    try:
        with rasterio.open(p) as src:
            values = src.read(1, masked=True).astype("float64").filled(np.nan)
            # Atlas Leefomgeving GeoTIFFs declare one nodata value and fill with another (the
            # float32 minimum, about -3.4e38): such fill values are missing too
            values[np.abs(values) >= FILL_MAGNITUDE] = np.nan
            transform = src.transform
            file_crs = src.crs.to_string() if src.crs else None
    except RasterioIOError as exc:
        raise InputDataError(
            f"het raster kan niet gelezen worden ({exc}).",
            path=p,
            fix="geef een ESRI ASCII-grid (.asc) of GeoTIFF (.tif).",
        ) from exc
    stated = crs or file_crs
    if stated is None:
        left, top = transform.c, transform.f
        if not (-10_000 <= left <= 310_000 and 280_000 <= top <= 650_000):
            raise InputDataError(
                "het raster noemt geen coördinatenstelsel en ligt niet in RD New.",
                path=p,
                fix="geef crs = 'EPSG:28992' als het RD New is, of herprojecteer het raster.",
            )
        stated = RD_NEW
    if rasterio.crs.CRS.from_user_input(stated) != rasterio.crs.CRS.from_epsg(28992):
        raise InputDataError(
            f"het raster staat in {stated}, niet in RD New.",
            path=p,
            fix="herprojecteer naar EPSG:28992 (gdalwarp -t_srs EPSG:28992).",
        )
    if transform.b != 0 or transform.d != 0:
        raise InputDataError(
            "gedraaide rasters worden niet ondersteund.",
            path=p,
            fix="herbemonster het raster naar een noord-boven grid.",
        )
    if not np.isfinite(values).any():
        raise InputDataError(
            "het raster heeft geen geldige cellen (alles NODATA).",
            path=p,
            fix="controleer NODATA_value in de kop van het bestand.",
        )
    return RasterLayer(values=values, transform=transform, path=p)

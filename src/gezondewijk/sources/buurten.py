"""CBS wijk- en buurtkaart outlines (GeoJSON, GeoPackage, TopoJSON; any CRS)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.crs import RD_NEW, WGS84
from gezondewijk.sources._tables import (
    MAX_REPORTED,
    check_file,
    check_unique,
    find_column,
    is_numeric_column,
    normalise_codes,
    to_numbers,
    unknown_column,
)
from gezondewijk.variables import canonical_name

CODE_FIELDS = ["buurtcode", "statcode", "bu_code", "code", "jrstatcode", "gwb_code_10", "gwb_code"]
NAME_FIELDS = ["buurtnaam", "bu_naam", "statnaam", "naam", "name"]
_TEXT_FIELDS = {
    "buurtnaam",
    "wijkcode",
    "gemeentecode",
    "gemeentenaam",
    "gemeente",
    "water",
    "meest_voorkomende_postcode",
    "recs",
    "gm_code",
    "pdok_id",
    "id",
    "jaar",
}


def guess_crs(frame: gpd.GeoDataFrame, path: Path) -> str:
    """Pick a CRS for a file that does not state one, from its coordinate range.

    RD New coordinates lie in x 0..300 000 and y 289 000..629 000 m; WGS84 longitudes and
    latitudes of the Netherlands in 3..8 E and 50..54 N (GeoJSON and TopoJSON default to WGS84).
    """
    minx, miny, maxx, maxy = frame.total_bounds
    if minx >= -10 and maxx <= 30 and miny >= 40 and maxy <= 60:
        return WGS84
    if minx >= -10_000 and maxx <= 310_000 and miny >= 280_000 and maxy <= 640_000:
        return RD_NEW
    raise InputDataError(
        f"het bestand noemt geen coördinatenstelsel en de coördinaten ({minx:.0f}, {miny:.0f})"
        " passen niet bij RD New of WGS84.",
        path=path,
        fix="sla het bestand op met een CRS (bijvoorbeeld EPSG:28992) of herprojecteer het.",
    )


def read_vector(path: str | Path, *, layer: str | None = None, what: str) -> gpd.GeoDataFrame:
    """Read a vector file into RD New, with clear errors for a missing file, layer or CRS."""
    p = check_file(path, what=what)
    try:
        if layer is None and p.suffix.lower() == ".gpkg":
            layers = pyogrio.list_layers(p)
            if len(layers) > 1:
                names = ", ".join(str(row[0]) for row in layers)
                raise InputDataError(
                    f"de GeoPackage heeft meerdere lagen ({names}).",
                    path=p,
                    fix="kies er één met 'layer = \"...\"'.",
                )
        frame = gpd.read_file(p, layer=layer, engine="pyogrio")
    except InputDataError:
        raise
    except Exception as exc:
        raise InputDataError(
            f"het bestand kan niet als kaartlaag gelezen worden ({exc}).",
            path=p,
            field=layer,
            fix="geef GeoJSON, GeoPackage of TopoJSON; controleer de laagnaam.",
        ) from exc
    if "geometry" not in frame or frame.geometry.isna().all():
        raise InputDataError(
            "de laag heeft geen geometrie.", path=p, fix="geef een kaartlaag met vlakken of punten."
        )
    if frame.crs is None:
        frame = frame.set_crs(guess_crs(frame, p))
    return frame.to_crs(RD_NEW)


def _buurt_geometries(frame: gpd.GeoDataFrame, p: Path) -> tuple[np.ndarray, np.ndarray]:
    """The buurten's polygons, invalid ones repaired; and which were invalid.

    Raises
    ------
    InputDataError
        For empty geometries (every row named) or geometries that are not polygons.
    """
    geoms = frame.geometry.to_numpy()
    empty = shapely.is_empty(geoms) | pd.isna(geoms)
    if empty.any():
        rows = np.flatnonzero(empty)
        raise InputDataErrors(
            InputDataError(
                "lege geometrie / empty geometry.",
                path=p,
                row=int(i) + 1,
                field="geometry",
                fix="verwijder de rij of vul de grens aan.",
            )
            for i in rows[:MAX_REPORTED]
        )
    kinds = shapely.get_type_id(geoms)
    not_polygon = ~np.isin(kinds, [3, 6])
    if not_polygon.any():
        raise InputDataError(
            "buurten moeten vlakken zijn (Polygon/MultiPolygon).",
            path=p,
            row=int(np.flatnonzero(not_polygon)[0]) + 1,
            field="geometry",
            fix="geef de vlakkenlaag van de buurtkaart, niet de punten of lijnen.",
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        geoms[invalid] = [_polygonal(g) for g in geoms[invalid]]
    return geoms, invalid


def read_buurten(
    path: str | Path,
    *,
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
) -> gpd.GeoDataFrame:
    """Read CBS buurt outlines as published and reproject them to RD New (EPSG:28992).

    Parameters
    ----------
    path
        GeoJSON, GeoPackage or TopoJSON file of the CBS wijk- en buurtkaart (or a derivative).
    layer
        Layer name, needed when a GeoPackage holds more than one layer.
    code_field, name_field
        Column names of the buurt code and name; found automatically when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per buurt with ``buurtcode``, ``buurtnaam``, ``gemeentecode``, the numeric
        attributes (CBS sentinels -99995/-99997 and "." as missing, known columns renamed to
        :mod:`gezondewijk.variables` keys) and a valid polygon geometry in RD New.
        ``attrs["unparsed_columns"]`` maps each mostly-numeric column that could not be read
        to the reason (file, row, value), so that it is reported rather than dropped.

    Raises
    ------
    InputDataError
        For a missing file, an unknown CRS, a missing or bad code column, duplicate codes,
        empty geometries and a value that is not a number in a known variable; every bad row
        is named.
    """
    p = Path(path)
    frame = read_vector(p, layer=layer, what="buurtkaart")
    code_col = code_field or find_column(frame, CODE_FIELDS, path=p, what="buurtcode")
    if code_col not in frame:
        raise unknown_column("kolom niet gevonden.", frame, path=p, field=code_col)
    codes = normalise_codes(frame[code_col], path=p, field=code_col)
    check_unique(codes, path=p, field=code_col)

    geoms, invalid = _buurt_geometries(frame, p)
    name_col = name_field or _first_present(frame, NAME_FIELDS)
    out: dict[str, object] = {
        "buurtcode": codes.to_numpy(),
        "buurtnaam": (
            frame[name_col].astype("string").str.strip().to_numpy()
            if name_col
            else codes.to_numpy()
        ),
        "gemeentecode": ("GM" + codes.str.slice(2, 6)).to_numpy(),
    }
    used = {code_col, name_col, "geometry"}
    unparsed: dict[str, str] = {}
    for col in frame.columns:
        if col in used:
            continue
        name = str(col)
        known = canonical_name(name)
        key = known or name
        if key in out or name.lower() in _TEXT_FIELDS:
            continue
        series = frame[col]
        # a known variable is always parsed, so a bad value in it is reported (as the StatLine
        # reader does); another mostly-numeric column that does not parse is kept out and
        # listed in attrs["unparsed_columns"], so the run can say so
        if known is None and not is_numeric_column(series, when_empty=False):
            continue
        try:
            out[key] = to_numbers(series, path=p, field=name).to_numpy()
        except InputDataError as exc:
            if known is not None:
                raise
            unparsed[name] = str(exc)
    result = gpd.GeoDataFrame(
        pd.DataFrame(out), geometry=gpd.GeoSeries(geoms, crs=RD_NEW).to_numpy(), crs=RD_NEW
    )
    result.attrs["source_path"] = str(p)
    result.attrs["invalid_repaired"] = int(invalid.sum())
    result.attrs["year"] = _year_column(frame)
    result.attrs["unparsed_columns"] = unparsed
    return result


def _year_column(frame: pd.DataFrame) -> int | None:
    """The data year the PDOK wijk- en buurtkaart writes in its ``jaar`` column, if any."""
    col = _first_present(frame, ["jaar"])
    if col is None:
        return None
    years = pd.to_numeric(frame[col], errors="coerce").dropna()
    return int(years.mode().iloc[0]) if len(years) else None


def _first_present(frame: pd.DataFrame, names: list[str]) -> str | None:
    lowered = {str(c).lower(): str(c) for c in frame.columns}
    for n in names:
        if n in lowered:
            return lowered[n]
    return None


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygon parts of a repaired geometry (make_valid may add lines)."""
    if shapely.get_type_id(geom) in (3, 6):
        return geom
    parts = [g for g in shapely.get_parts(geom) if shapely.get_type_id(g) in (3, 6)]
    return shapely.union_all(parts) if parts else geom

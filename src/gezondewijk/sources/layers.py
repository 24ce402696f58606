"""Point and polygon layers for green space and amenities (GeoJSON, GeoPackage)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from gezondewijk._errors import InputDataError
from gezondewijk.sources._tables import unknown_column
from gezondewijk.sources.buurten import read_vector
from gezondewijk.sources.osm import amenity_kind, is_green


def osm_kinds(frame: gpd.GeoDataFrame) -> np.ndarray:
    """What each feature is by the OpenStreetMap tag rules, for layers with tags as columns.

    One of ``huisarts``, ``supermarkt``, ``basisschool``, ``groen`` or ``""`` per feature.
    """
    text = [c for c in frame.columns if c != "geometry"]
    out = []
    for row in frame[text].itertuples(index=False):
        tags = {k: v for k, v in zip(text, row, strict=True) if isinstance(v, str) and v}
        out.append(amenity_kind(tags) or ("groen" if is_green(tags) else ""))
    return np.asarray(out, dtype=object)


def read_features(
    path: str | Path,
    *,
    layer: str | None = None,
    min_area_ha: float = 0.0,
    where: dict[str, list[str]] | None = None,
    osm_kind: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a layer of features (green areas, GP practices, supermarkets...) into RD New.

    Parameters
    ----------
    path
        GeoJSON or GeoPackage with points or polygons.
    layer
        Layer name for a GeoPackage with several layers.
    min_area_ha
        Keep only polygons of at least this area in hectares (e.g. 0.5 ha of green for the
        300 m rule); points are kept whatever this value.
    where
        Keep only features whose attribute equals one of the listed values, e.g.
        ``{"amenity": ["doctors", "clinic"]}`` for OpenStreetMap GP practices.
    osm_kind
        For a layer with OpenStreetMap tags as columns (an Overpass or QuickOSM export): keep
        the features that gezondewijk's OSM rules call ``huisarts``, ``supermarkt``,
        ``basisschool`` or ``groen`` (see :mod:`gezondewijk.sources.osm`).

    Returns
    -------
    geopandas.GeoDataFrame
        The kept features with valid geometries in RD New.

    Raises
    ------
    InputDataError
        For a missing file, a filter on an absent attribute, or a layer with nothing left.
    """
    p = Path(path)
    frame = read_vector(p, layer=layer, what="kaartlaag")
    frame = frame[~frame.geometry.isna() & ~frame.geometry.is_empty]
    for field, allowed in (where or {}).items():
        if field not in frame:
            raise unknown_column(
                "filterveld ontbreekt / filter field missing.", frame, path=p, field=field
            )
        frame = frame[frame[field].astype(str).isin(allowed)]
    if osm_kind is not None:
        frame = frame[osm_kinds(frame) == osm_kind]
    geoms = frame.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        frame = frame.set_geometry(gpd.GeoSeries(geoms, crs=frame.crs, index=frame.index))
    if min_area_ha > 0:
        polygonal = np.isin(shapely.get_type_id(frame.geometry.to_numpy()), [3, 6])
        big = frame.geometry.area.to_numpy() >= min_area_ha * 10_000
        frame = frame[~polygonal | big]
    if frame.empty:
        raise InputDataError(
            "na filteren blijven geen objecten over / no features left.",
            path=p,
            fix="controleer het filter en de minimale oppervlakte.",
        )
    return frame.reset_index(drop=True)

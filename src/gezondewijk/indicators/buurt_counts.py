"""Counts per buurt from OpenStreetMap: seats per km of street, food outlets per inhabitant and km².

RIVM's density indicator for the food environment ("hoeveel verkooppunten in een bepaald
gebied", Voedselverkooppunten in beeld) and RIVM's rule of thumb of a place to sit every
125 m (Dec 2025, press coverage), measured per buurt.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gezondewijk.indicators.reach import FOOD_REACH_M, Reach, food_within


def points_per_buurt(buurten: gpd.GeoDataFrame, points: gpd.GeoDataFrame) -> np.ndarray:
    """Number of points inside each buurt (a point on a border counts for one buurt)."""
    if points.empty:
        return np.zeros(len(buurten))
    pts = shapely.point_on_surface(points.geometry.to_numpy())
    pt_idx, b_idx = shapely.STRtree(buurten.geometry.to_numpy()).query(pts, predicate="intersects")
    first = pd.Series(b_idx).groupby(pt_idx).first()
    return np.bincount(first.to_numpy(), minlength=len(buurten)).astype("float64")


def street_km_per_buurt(buurten: gpd.GeoDataFrame, lines: gpd.GeoDataFrame) -> np.ndarray:
    """Length (km) of the lines inside each buurt."""
    if lines.empty:
        return np.zeros(len(buurten))
    geoms = buurten.geometry.to_numpy()
    b_idx, l_idx = shapely.STRtree(lines.geometry.to_numpy()).query(geoms, predicate="intersects")
    inside = shapely.length(shapely.intersection(lines.geometry.to_numpy()[l_idx], geoms[b_idx]))
    return np.bincount(b_idx, weights=inside, minlength=len(buurten)) / 1000.0


def buurt_measures(
    buurten: gpd.GeoDataFrame,
    points: dict[str, gpd.GeoDataFrame],
    streets: gpd.GeoDataFrame | None,
) -> dict[str, np.ndarray]:
    r"""Seats per km of street and food outlets per 1,000 inhabitants and per km², per buurt.

    Notes
    -----
    :math:`\text{benches\_per\_km} = n_{bank} / L` with :math:`L` the km of walkable ways in
    the buurt; RIVM's "om de 125 meter een plek om te zitten" is 1000/125 = 8 per km.
    Density: :math:`1000\,n / P` (P inhabitants; NaN without a population) and :math:`n/A`
    (A km²), for *ongezond* and *vers* outlets separately (RIVM's *dichtheid*).
    """
    out: dict[str, np.ndarray] = {}
    area_km2 = buurten.geometry.area.to_numpy() / 1e6
    population = (
        buurten["population"].to_numpy(dtype="float64")
        if "population" in buurten
        else np.full(len(buurten), np.nan)
    )
    benches = points.get("zitplek")
    if benches is not None and streets is not None and len(streets):
        km = street_km_per_buurt(buurten, streets)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["benches_per_km"] = np.where(
                km > 0, points_per_buurt(buurten, benches) / km, np.nan
            )
    food = points.get("voedsel")
    if food is not None and len(food):
        for group, name in (("ongezond", "unhealthy"), ("vers", "fresh")):
            n = points_per_buurt(buurten, food[food["groep"] == group])
            with np.errstate(invalid="ignore", divide="ignore"):
                out[f"food_{name}_per_1000"] = np.where(
                    population > 0, 1000 * n / population, np.nan
                )
                out[f"food_{name}_per_km2"] = np.where(area_km2 > 0, n / area_km2, np.nan)
    return out


def school_food(
    schools: gpd.GeoDataFrame,
    food: gpd.GeoDataFrame,
    reach: Reach,
    buurten: gpd.GeoDataFrame,
    limit: float = FOOD_REACH_M,
) -> pd.DataFrame:
    """Per school: the *ongezond* food outlets within ``limit`` metres walking.

    Returns
    -------
    pandas.DataFrame
        ``naam, osm_id, niveau, buurtcode, x, y, ongezond_400m, alle_400m`` (RD New).
    """
    pts = shapely.point_on_surface(schools.geometry.to_numpy())
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    s_idx, b_idx = shapely.STRtree(buurten.geometry.to_numpy()).query(pts, predicate="intersects")
    code = np.full(len(schools), "", dtype=object)
    code[s_idx] = buurten["buurtcode"].to_numpy()[b_idx]
    unhealthy, total = food_within(x, y, food, reach, limit)
    return pd.DataFrame(
        {
            "naam": schools["naam"].to_numpy(),
            "osm_id": schools["osm_id"].to_numpy(),
            "niveau": schools["soort"].to_numpy(),
            "buurtcode": code,
            "x": np.round(x, 1),
            "y": np.round(y, 1),
            "ongezond_400m": unhealthy.astype(int),
            "alle_400m": total.astype(int),
        }
    )

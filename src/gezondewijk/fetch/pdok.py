"""CBS wijk- en buurtkaart from PDOK's OGC API Features (``wijken-en-buurten-<year>``).

As PDOK serves it: items of the ``buurten`` collection as GeoJSON, at most 1000 per page, in RD
New when asked with the ``crs`` parameter (an EPSG URI), paged by following the ``next`` link.
The gemeente is selected with a property filter where the collection's queryables offer
``gemeentecode``; otherwise by the gemeente's bounding box (from the ``gemeenten`` collection)
and then by ``gemeentecode`` in the features.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
import shapely.geometry

from gezondewijk._errors import InputDataError
from gezondewijk.crs import RD_NEW
from gezondewijk.fetch.http import Downloader, Fetched, NotFound
from gezondewijk.fetch.paging import all_pages
from gezondewijk.provenance import Provenance

RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
PAGE_LIMIT = 1000  # PDOK serves at most 1000 features per request


def fetch_buurten(
    dl: Downloader, base: str, gemeenten: list[str], year: int, path: Path, record: Provenance
) -> Fetched:
    """Fetch the buurten of the gemeenten as a GeoPackage (RD New) into ``path``.

    Raises
    ------
    InputDataError
        When PDOK has no wijk- en buurtkaart for ``year``, or no buurten for a gemeente code.
    """
    hit = dl.cached(path, where=f"{base}/collections/buurten/items")
    if hit is not None:
        return hit
    try:
        landing = dl.get_json(base, {"f": "json"})
    except NotFound as exc:
        raise InputDataError(
            f"PDOK heeft (nog) geen wijk- en buurtkaart voor {year} ({exc}).",
            field="--jaar",
            fix="kies een eerder jaar; PDOK publiceert de kaart van een jaar in de loop van dat "
            "jaar of het jaar erna.",
        ) from exc
    licence = _licence(landing)
    filterable = _queryables(dl, base)
    features: list[dict[str, Any]] = []
    queries: dict[str, str] = {}
    for code in gemeenten:
        params = {"f": "json", "limit": str(PAGE_LIMIT), "crs": RD_URI}
        if "gemeentecode" in filterable:
            params["gemeentecode"] = code
        else:
            bbox = _gemeente_bbox(dl, base, code)
            params["bbox"] = ",".join(f"{v:.3f}" for v in bbox)
            params["bbox-crs"] = RD_URI
        found = [
            f
            for f in _all_items(dl, f"{base}/collections/buurten/items", params)
            if str((f.get("properties") or {}).get("gemeentecode", "")).strip() == code
        ]
        if not found:
            raise InputDataError(
                f"PDOK wijken-en-buurten-{year} heeft geen buurten voor {code}.",
                field=code,
                fix="controleer de gemeentecode (GM + 4 cijfers, van dat jaar: gemeenten fuseren).",
            )
        features.extend(found)
        queries[code] = "&".join(f"{k}={v}" for k, v in params.items())
    tmp = path.with_name(f".{path.name}.part.gpkg")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.unlink(missing_ok=True)  # left by an interrupted earlier run
    _frame(features).to_file(tmp, layer="buurten", driver="GPKG", engine="pyogrio")
    record.url = f"{base}/collections/buurten/items"
    record.tabel = f"wijken-en-buurten-{year}/buurten"
    record.query = queries
    record.licentie = licence or record.licentie
    return dl.adopt(tmp, path, record)


def _licence(landing: object) -> str | None:
    """The licence the API's landing page links to (``rel=license``), if it names one."""
    if not isinstance(landing, dict):
        return None
    for link in landing.get("links", []) or []:
        if isinstance(link, dict) and link.get("rel") == "license" and link.get("title"):
            return str(link["title"])
    return None


def _queryables(dl: Downloader, base: str) -> set[str]:
    """Properties the ``buurten`` collection can be filtered on (OGC API Features part 3)."""
    try:
        data = dl.get_json(f"{base}/collections/buurten/queryables", {"f": "json"})
    except NotFound:
        return set()
    props = data.get("properties") if isinstance(data, dict) else None
    return set(props) if isinstance(props, dict) else set()


def _all_items(dl: Downloader, url: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """Every feature, following the ``next`` links of the pages."""
    return all_pages(dl, url, params, items="features", next_link=_next, service="PDOK")


def _next(page: dict[str, Any]) -> str | None:
    for link in page.get("links", []) or []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def _gemeente_bbox(dl: Downloader, base: str, code: str) -> tuple[float, float, float, float]:
    """The gemeente's bounding box in RD New, from the ``gemeenten`` collection."""
    params = {"f": "json", "limit": str(PAGE_LIMIT), "crs": RD_URI}
    for feat in _all_items(dl, f"{base}/collections/gemeenten/items", params):
        props = feat.get("properties") or {}
        if str(props.get("gemeentecode", "")).strip() == code:
            minx, miny, maxx, maxy = shapely.geometry.shape(feat["geometry"]).bounds
            return minx, miny, maxx, maxy
    raise InputDataError(
        f"gemeente {code} staat niet in de PDOK-collectie gemeenten.",
        field=code,
        fix="controleer de gemeentecode (GM + 4 cijfers).",
    )


def _frame(features: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    geoms = [shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None for f in features]
    props = [dict(f.get("properties") or {}) for f in features]
    frame = gpd.GeoDataFrame(props, geometry=geoms, crs=RD_NEW)
    minx, miny, maxx, maxy = frame.total_bounds
    if not (minx >= -10_000 and maxx <= 310_000 and miny >= 280_000 and maxy <= 640_000):
        raise InputDataError(
            "PDOK leverde geen RD New-coördinaten (crs-parameter genegeerd?).",
            fix="controleer het adres van de dienst (GEZONDEWIJK_URL_PDOK).",
        )
    return frame

"""CBS wijk- en buurtkaart from PDOK's OGC API Features, as PDOK serves it today.

PDOK runs its OGC APIs on GoKoala (github.com/PDOK/gokoala). What that server does, read from
its source (``internal/ogc/features/url.go``, ``queryables.go``, ``engine/problems.go``):

- items of a collection as GeoJSON, at most 1000 per page (``limit``), in RD New when asked
  with ``crs`` (an EPSG URI), paged by the ``next`` link (an opaque ``cursor``);
- a property filter is a query parameter named after the property (``gemeentecode=GM0917``),
  accepted only where the collection is configured for it; **any query parameter it does not
  know is answered 400** with an RFC 7807 problem (``unknown query parameter(s) found: …``);
- ``/collections/{c}/queryables`` exists only since May 2026 and only for collections with CQL
  filtering (404 otherwise), so its absence says nothing about property filters.

The yearly services are ``wijken-en-buurten-2023`` and later (the 2025 one in snake case:
``aantal_inwoners``, a ``water`` JA/NEE field, buurt codes with letters such as
``BU0363AD07``); older years are collections of ``wijken-en-buurten-historisch``.

A gemeente is asked for by its property filter first; where that is refused, by a CQL filter;
then by its own outline's bounding box (the ``gemeenten`` collection filtered the same ways).
The outlines of every gemeente of the country are never downloaded to find one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
import shapely.geometry

from gezondewijk._errors import InputDataError
from gezondewijk.crs import RD_NEW
from gezondewijk.fetch.endpoints import Endpoints
from gezondewijk.fetch.http import Downloader, Fetched, NotFound, Refused
from gezondewijk.fetch.paging import all_pages
from gezondewijk.provenance import Provenance

RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
PAGE_LIMIT = 1000  # PDOK serves at most 1000 features per request
#: The first year PDOK serves as a service of its own; older years are in -historisch.
FIRST_YEARLY_SERVICE = 2023
_YEARS = re.compile(r"(?:19|20)\d\d")
#: Where a user downloads the wijk- en buurtkaart by hand when the API cannot select a gemeente.
CBS_DOWNLOAD = "https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/geografische-data"


@dataclass(frozen=True)
class Service:
    """Where one year's wijk- en buurtkaart lives: the API and its collection ids."""

    base: str
    year: int
    buurten: str
    gemeenten: str | None
    licence: str | None = None

    @property
    def name(self) -> str:
        """The service as PDOK names it (for messages and provenance)."""
        return self.base.rstrip("/").split("/")[-3]


def locate(dl: Downloader, ends: Endpoints, year: int) -> Service:
    """The service and collections that hold the buurten of ``year``.

    Raises
    ------
    InputDataError
        When PDOK serves no wijk- en buurtkaart of that year; the message says which years
        exist where that is known.
    """
    base = service_url(ends, year)
    if year >= FIRST_YEARLY_SERVICE:
        try:
            landing = dl.get_json(base, {"f": "json"})
        except NotFound as exc:
            raise InputDataError(
                f"PDOK heeft (nog) geen wijk- en buurtkaart voor {year} ({exc}).",
                field="--jaar",
                fix=f"kies een eerder jaar: PDOK serveert wijken-en-buurten-"
                f"{FIRST_YEARLY_SERVICE} en later als eigen dienst (een jaar verschijnt in de "
                "loop van dat jaar of het jaar erna), oudere jaren in "
                "wijken-en-buurten-historisch.",
            ) from exc
        return Service(base, year, "buurten", "gemeenten", _licence(landing))
    listing = dl.get_json(f"{base}/collections", {"f": "json"})
    ids = [
        str(c.get("id", ""))
        for c in (listing.get("collections", []) if isinstance(listing, dict) else [])
        if isinstance(c, dict)
    ]
    buurten = _collection_of(ids, "buurt", year)
    if buurten is None:
        years = sorted({int(y) for i in ids if "buurt" in i for y in _YEARS.findall(i)})
        raise InputDataError(
            f"PDOK wijken-en-buurten-historisch heeft geen buurten van {year} "
            f"(wel: {', '.join(map(str, years)) or 'geen jaren gevonden'}).",
            path=f"{base}/collections",
            field="--jaar",
            fix=f"kies een van die jaren, of {FIRST_YEARLY_SERVICE} of later.",
        )
    licence = _licence(dl.get_json(base, {"f": "json"}))
    return Service(base, year, buurten, _collection_of(ids, "gemeente", year), licence)


def service_url(ends: Endpoints, year: int) -> str:
    """The address of the service that holds ``year`` (the yearly one, else -historisch)."""
    return ends.pdok.format(year=year) if year >= FIRST_YEARLY_SERVICE else ends.pdok_historisch


def _collection_of(ids: list[str], word: str, year: int) -> str | None:
    """The collection id with ``word`` and ``year`` in it (``buurten_2022``, …)."""
    hits = [i for i in ids if word in i.lower() and str(year) in i]
    return min(hits, key=len) if hits else None


def fetch_buurten(
    dl: Downloader, ends: Endpoints, gemeenten: list[str], year: int, path: Path, record: Provenance
) -> Fetched:
    """Fetch the buurten of the gemeenten as a GeoPackage (RD New) into ``path``.

    Raises
    ------
    InputDataError
        When PDOK has no wijk- en buurtkaart for ``year``, no buurten for a gemeente code, or
        cannot select a gemeente at all (then the message names the download).
    """
    hit = dl.cached(path, where=f"{service_url(ends, year)} (collectie buurten)")
    if hit is not None:
        return hit
    service = locate(dl, ends, year)
    features: list[dict[str, Any]] = []
    queries: dict[str, str] = {}
    for code in gemeenten:
        found, query = gemeente_buurten(dl, service, code)
        found = [f for f in found if _prop(f, "gemeentecode") == code]
        if not found:
            raise InputDataError(
                f"PDOK {service.name} heeft geen buurten voor {code}.",
                field=code,
                fix="controleer de gemeentecode (GM + 4 cijfers, van dat jaar: gemeenten fuseren).",
            )
        features.extend(found)
        queries[code] = query
    tmp = path.with_name(f".{path.name}.part.gpkg")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.unlink(missing_ok=True)  # left by an interrupted earlier run
    _frame(features).to_file(tmp, layer="buurten", driver="GPKG", engine="pyogrio")
    record.url = f"{service.base}/collections/{service.buurten}/items"
    record.tabel = f"{service.name}/{service.buurten}"
    record.query = queries
    record.licentie = service.licence or record.licentie
    return dl.adopt(tmp, path, record)


def gemeente_buurten(
    dl: Downloader, service: Service, code: str, *, limit: int = PAGE_LIMIT
) -> tuple[list[dict[str, Any]], str]:
    """The buurten of gemeente ``code``, and the query that selected them.

    Tried in this order, each only when the one before was refused (HTTP 400): the property
    filter ``gemeentecode=``, a CQL filter, the bounding box of the gemeente's own outline.

    Raises
    ------
    InputDataError
        When PDOK takes none of these; the message names what was refused and the download.
    """
    url = f"{service.base}/collections/{service.buurten}/items"
    base = {"f": "json", "limit": str(limit), "crs": RD_URI}
    refused: list[str] = []
    for params in (_property_filter(code), _cql_filter(code)):
        try:
            return _all_items(dl, url, base | params), _query(params)
        except Refused as exc:
            refused.append(f"{_query(params)}: {exc.detail}")
    bbox = _outline_bbox(dl, service, code, refused)
    box = {"bbox": ",".join(f"{v:.0f}" for v in bbox), "bbox-crs": RD_URI}
    return _all_items(dl, url, base | box), _query(box)


def _property_filter(code: str) -> dict[str, str]:
    return {"gemeentecode": code}


def _cql_filter(code: str) -> dict[str, str]:
    return {"filter": f"gemeentecode='{code}'", "filter-lang": "cql2-text"}


def _query(params: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


def _outline_bbox(
    dl: Downloader, service: Service, code: str, refused: list[str]
) -> tuple[float, float, float, float]:
    """The bounding box (RD New) of gemeente ``code``'s own outline, asked for alone."""
    if service.gemeenten is not None:
        url = f"{service.base}/collections/{service.gemeenten}/items"
        base = {"f": "json", "limit": "10", "crs": RD_URI}
        for params in (_property_filter(code), _cql_filter(code)):
            try:
                page = dl.get_json(url, base | params)
            except Refused as exc:
                refused.append(f"{service.gemeenten}?{_query(params)}: {exc.detail}")
                continue
            for feat in page.get("features", []) if isinstance(page, dict) else []:
                if _prop(feat, "gemeentecode") == code and feat.get("geometry"):
                    minx, miny, maxx, maxy = shapely.geometry.shape(feat["geometry"]).bounds
                    return minx, miny, maxx, maxy
            raise InputDataError(
                f"gemeente {code} staat niet in de PDOK-collectie {service.gemeenten}.",
                field=code,
                fix="controleer de gemeentecode (GM + 4 cijfers, van dat jaar).",
            )
    raise InputDataError(
        f"PDOK {service.name} kan gemeente {code} niet selecteren: "
        + "; ".join(refused)
        + ". gezondewijk haalt niet de grenzen van alle gemeenten op om er één te vinden.",
        path=f"{service.base}/collections/{service.buurten}/items",
        field=code,
        fix=f"download de wijk- en buurtkaart {service.year} zelf ({CBS_DOWNLOAD}) en geef "
        "hem in het runbestand op ([buurten] path), of meld het bij gezondewijk.",
    )


def _prop(feature: dict[str, Any], name: str) -> str:
    return str((feature.get("properties") or {}).get(name, "")).strip()


def _licence(landing: object) -> str | None:
    """The licence the API's landing page links to (``rel=license``), if it names one."""
    if not isinstance(landing, dict):
        return None
    for link in landing.get("links", []) or []:
        if isinstance(link, dict) and link.get("rel") == "license" and link.get("title"):
            return str(link["title"])
    return None


def _all_items(dl: Downloader, url: str, params: dict[str, str]) -> list[dict[str, Any]]:
    """Every feature, following the ``next`` links of the pages."""
    return all_pages(dl, url, params, items="features", next_link=next_link, service="PDOK")


def next_link(page: dict[str, Any]) -> str | None:
    """The ``next`` link of an OGC API page, or ``None`` on the last page."""
    for link in page.get("links", []) or []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


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

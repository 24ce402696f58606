"""A replay of the publishers' services on 127.0.0.1, in the shapes they serve today.

PDOK's OGC API (GoKoala), CBS StatLine (catalogue, DataProperties, bulk feed, for CBS and for
third parties), RIVM's GCN folder and the Atlas Leefomgeving WCS, answering as the public record
shows they answer (where each shape was read: tests/publisher_data.py), with switchable faults:
HTTP 429 with Retry-After, 5xx, time-outs, truncated bodies, repeating cursors, withdrawn
tables, renamed topics, refused filters, a WCS without noise coverages.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from pyproj import Transformer
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from gezondewijk.fetch.endpoints import Endpoints
from tests.publisher_data import (
    FILL,
    NOISE_COVERAGES,
    OTHER_COVERAGES,
    RD_URI,
    TABLES,
    WCS_CAPABILITIES,
    X0,
    Y0,
    buurt_feature,
    buurten,
    gcn_zip,
    gemeente_feature,
    noise_tiff,
    table_rows,
)

__all__ = ["FILL", "TABLES", "Publishers", "osm_extract", "slow", "status", "truncated"]


# -- the services --------------------------------------------------------------------------------
#: GoKoala's query parameters of /items (internal/ogc/features/url.go, featuresKnownParams).
PDOK_KNOWN = {
    "f",
    "limit",
    "cursor",
    "crs",
    "datetime",
    "bbox",
    "bbox-crs",
    "filter",
    "filter-crs",
    "filter-lang",
    "profile",
}
PDOK_YEARS = ("2023", "2024", "2025")
HISTORISCH_YEARS = (2021, 2022)


@dataclass
class Publishers:
    """The replayed services, their switches, and a log of every request they got."""

    server: HTTPServer
    #: property filters each collection is configured for (GoKoala: others are answered 400)
    property_filters: dict[str, set[str]] = field(
        default_factory=lambda: {
            "buurten": {"gemeentecode", "wijkcode", "buurtcode"},
            "gemeenten": {"gemeentecode"},
        }
    )
    cql: bool = False  # CQL filtering (and so /queryables) on the collections
    repeat_cursor: str | None = None  # "pdok" or "odata": the next link points to itself
    withdrawn: set[str] = field(default_factory=set)  # table ids that answer 404
    renamed: set[str] = field(default_factory=set)  # topic keys dropped from DataProperties
    noise_coverages: tuple[str, ...] = NOISE_COVERAGES
    faults: dict[str, list[Callable[[Request], Response | None]]] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    page_size: int = 3  # GoKoala clamps ``limit`` to its maximum; small here, so pages follow
    odata_page: int = 200  # StatLine's bulk feed pages at 10,000 rows; small here, so pages follow

    @property
    def root(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def endpoints(self) -> Endpoints:
        return Endpoints(
            pdok=f"{self.root}/pdok/cbs/wijken-en-buurten-{{year}}/ogc/v1",
            pdok_historisch=f"{self.root}/pdok/cbs/wijken-en-buurten-historisch/ogc/v1",
            cbs=f"{self.root}/cbs",
            cbs_derden=f"{self.root}/derden",
            rivm_gcn=f"{self.root}/rivm/data/gcn",
            rivm_alo_wcs=f"{self.root}/rivm/geo/alo/wcs",
        )

    def fail(self, path_part: str, *actions: Callable[[Request], Response | None]) -> None:
        """Answer the next requests whose path contains ``path_part`` with these faults."""
        self.faults.setdefault(path_part, []).extend(actions)

    def requests_to(self, part: str) -> list[Request]:
        return [r for r in self.log if part in r.path]

    # -- dispatch ---------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        self.log.append(request)
        for part, actions in self.faults.items():
            if part in request.path and actions:
                answer = actions.pop(0)(request)
                if answer is not None:
                    return answer
        path = request.path
        if path.startswith("/pdok/"):
            return self._pdok(request)
        if path.startswith(("/cbs/", "/derden/")):
            return self._odata(request)
        if path.startswith("/rivm/data/gcn"):
            return self._gcn(request)
        if path.startswith("/rivm/geo/alo/wcs"):
            return self._wcs(request)
        return Response("niet gevonden", status=404)

    def _json(
        self, data: object, content_type: str = "application/json", **headers: str
    ) -> Response:
        return Response(json.dumps(data), content_type=content_type, headers=headers)

    def _problem(self, status: int, detail: str) -> Response:
        """An RFC 7807 problem as GoKoala's engine.RenderProblem writes it."""
        title = {400: "Bad Request", 404: "Not Found"}[status]
        stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        body = {"detail": detail, "status": status, "timeStamp": stamp, "title": title}
        return Response(json.dumps(body), status=status, content_type="application/problem+json")

    # -- PDOK ---------------------------------------------------------------------------------
    def _pdok(self, request: Request) -> Response:
        match = re.match(
            r"/pdok/cbs/wijken-en-buurten-(\d{4}|historisch)/ogc/v1(/.*)?$", request.path
        )
        if not match or (match.group(1) != "historisch" and match.group(1) not in PDOK_YEARS):
            return Response("404 page not found", status=404, content_type="text/plain")
        service, rest = match.group(1), (match.group(2) or "").rstrip("/")
        base = f"{self.root}/pdok/cbs/wijken-en-buurten-{service}/ogc/v1"
        if rest == "":
            return self._json(
                {
                    "title": "CBS Wijken en Buurten",
                    "links": [
                        {
                            "rel": "license",
                            "title": "CC BY 4.0",
                            "href": "https://creativecommons.org/licenses/by/4.0/deed.nl",
                        },
                    ],
                }
            )
        collections = self._collections(service)
        if rest == "/collections":
            return self._json({"collections": [{"id": c} for c in collections], "links": []})
        found = re.match(r"/collections/([^/]+)(/items|/queryables)?$", rest)
        if not found or found.group(1) not in collections:
            return self._problem(404, f"collection '{rest}' does not exist")
        collection, what = found.group(1), found.group(2)
        if what == "/queryables":
            if not self.cql:
                return Response("404 page not found", status=404, content_type="text/plain")
            props = {p: {"type": "string"} for p in self.property_filters[_kind(collection)]}
            return self._json(
                {"type": "object", "properties": props}, content_type="application/schema+json"
            )
        if what != "/items":
            return self._json({"id": collection})
        return self._items(request, base, collection, collections[collection])

    def _collections(self, service: str) -> dict[str, int]:
        """Collection id → the year of its buurten."""
        if service == "historisch":
            out: dict[str, int] = {}
            for year in HISTORISCH_YEARS:
                out |= {f"buurten_{year}": year, f"gemeenten_{year}": year}
            return out
        return {"buurten": int(service), "wijken": int(service), "gemeenten": int(service)}

    def _items(self, request: Request, base: str, collection: str, year: int) -> Response:
        args = request.args
        configured = self.property_filters[_kind(collection)]
        for name in args:
            if name not in PDOK_KNOWN and name not in configured:
                return self._problem(400, f"unknown query parameter(s) found: {name}")
        if args.get("filter") and not self.cql:
            return self._problem(400, "CQL support is not enabled for this API")
        wgs84 = args.get("crs") != RD_URI
        if _kind(collection) == "gemeenten":
            feats = [gemeente_feature(c) for c in ("GM0503", "GM0518")]
        else:
            feats = [buurt_feature(b, year, wgs84) for b in buurten(year)]
        for name in configured & set(args):
            feats = [f for f in feats if str(f["properties"].get(name)) == args[name]]
        if args.get("filter"):
            cql = re.fullmatch(r"(\w+)\s*=\s*'([^']*)'", args["filter"])
            if cql is None:
                return self._problem(400, f"failed to parse CQL: {args['filter']}")
            feats = [f for f in feats if str(f["properties"].get(cql.group(1))) == cql.group(2)]
        if args.get("bbox"):
            x0, y0, x1, y1 = (float(v) for v in args["bbox"].split(","))
            feats = [f for f in feats if _overlaps(f, (x0, y0, x1, y1))]
        limit = min(int(args.get("limit", "10")), self.page_size)
        offset = _decode_cursor(args.get("cursor"))
        page = feats[offset : offset + limit]
        query = {k: v for k, v in args.items() if k not in ("cursor", "f")}
        url = f"{base}/collections/{collection}/items"
        links = [
            {
                "rel": "self",
                "title": "This document as GeoJSON",
                "type": "application/geo+json",
                "href": f"{url}?{urlencode({'f': 'json', **query})}",
            },
            {
                "rel": "alternate",
                "title": "This document as HTML",
                "type": "text/html",
                "href": f"{url}?{urlencode({'f': 'html', **query})}",
            },
        ]
        if offset + limit < len(feats):
            nxt = offset if self.repeat_cursor == "pdok" else offset + limit
            query = {"f": "json", **query}
            links.append(
                {
                    "rel": "next",
                    "title": "Next page",
                    "type": "application/geo+json",
                    "href": f"{url}?{urlencode({'cursor': _encode_cursor(nxt), **query})}",
                }
            )
        body = {
            "type": "FeatureCollection",
            "timeStamp": "2026-12-07T00:00:00Z",
            "links": links,
            "features": page,
            "numberReturned": len(page),
        }
        crs = "http://www.opengis.net/def/crs/OGC/1.3/CRS84" if wgs84 else RD_URI
        return self._json(body, "application/geo+json", **{"Content-Crs": f"<{crs}>"})

    # -- StatLine ----------------------------------------------------------------------------
    def _odata(self, request: Request) -> Response:
        catalog = request.path.split("/")[1]
        if request.path.endswith("/ODataCatalog/Tables"):
            words = re.search(r"substringof\('([^']+)'", request.args.get("$filter", ""))
            wanted = words.group(1).lower() if words else ""
            value = [
                {
                    "Updated": "2025-06-01T02:00:00",
                    "ID": i,
                    "Identifier": ident,
                    "Title": t.title,
                    "ShortTitle": t.title[:40],
                    "ShortDescription": "",
                    "Summary": "",
                    "Modified": "2025-06-01T02:00:00",
                    "Frequency": t.frequency,
                    "Period": "",
                    "RecordCount": 1000,
                    "Language": "nl",
                    "Catalog": "CBS",
                }
                for i, (ident, t) in enumerate(TABLES.items())
                if t.catalog == catalog and wanted in t.title.lower()
            ]
            metadata = f"{self.root}/{catalog}/ODataCatalog/$metadata#Tables"
            return self._json({"odata.metadata": metadata, "value": value})
        match = re.match(r"/(cbs|derden)/ODataFeed/odata/(\w+)/(\w+)$", request.path)
        if not match or match.group(2) in self.withdrawn or match.group(2) not in TABLES:
            return Response('{"odata.error": {"message": {"value": "Not found"}}}', status=404)
        ident, what = match.group(2), match.group(3)
        table = TABLES[ident]
        if what == "DataProperties":
            props = [p for p in table.properties if p["Key"] not in self.renamed]
            return self._json({"odata.metadata": "…#DataProperties", "value": props})
        if what == "Marges":
            return self._json(
                {
                    "value": [
                        {
                            "Key": "MW00000",
                            "Title": "Waarde",
                            "Description": None,
                            "CategoryGroupID": None,
                        },
                        {
                            "Key": "MOG0095",
                            "Title": "Ondergrens 95%-interval",
                            "Description": None,
                            "CategoryGroupID": None,
                        },
                        {
                            "Key": "MBG0095",
                            "Title": "Bovengrens 95%-interval",
                            "Description": None,
                            "CategoryGroupID": None,
                        },
                    ]
                }
            )
        if what == "TypedDataSet":
            prefixes = re.findall(
                r"startswith\(WijkenEnBuurten,'([^']+)'\)", request.args.get("$filter", "")
            )
            rows = [
                r
                for r in table_rows(ident)
                if str(r["WijkenEnBuurten"]).startswith(tuple(prefixes))
            ]
            skip = int(request.args.get("$skiptoken", "0"))
            page = rows[skip : skip + self.odata_page]
            out: dict[str, Any] = {"odata.metadata": "…#TypedDataSet", "value": page}
            if skip + len(page) < len(rows):
                token = skip if self.repeat_cursor == "odata" else skip + len(page)
                query = urlencode({"$filter": request.args.get("$filter", "")})
                out["odata.nextLink"] = (
                    f"{self.root}{request.path}?$format=json&$skiptoken={token}&{query}"
                )
            return self._json(out)
        return Response("{}", status=404)

    # -- RIVM ---------------------------------------------------------------------------------
    def _gcn(self, request: Request) -> Response:
        if request.path.rstrip("/") == "/rivm/data/gcn":
            names = [
                "conc_NO2_2022.zip",
                "conc_NO2_2023.zip",
                "conc_NO2_2030.zip",
                "conc_PM25_2022.zip",
                "conc_PM25_2023.zip",
                "conc_PM10_2022.zip",
                "conc_PM10_2023.zip",
                "conc_NH3_2023.zip",
            ]
            links = "".join(f'<a href="{n}">{n}</a><br>\n' for n in names)
            return Response(
                f"<html><body><h1>Index of /data/gcn</h1>{links}</body></html>",
                content_type="text/html",
            )
        match = re.search(r"conc_(\w+)_(\d{4})\.zip$", request.path)
        if not match:
            return Response("", status=404)
        etag = f'"{match.group(1)}-{match.group(2)}-v1"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        value = {"NO2": 18.0, "PM25": 8.5, "PM10": 15.0}.get(match.group(1), 5.0)
        return Response(
            gcn_zip(f"conc_{match.group(1).lower()}_{match.group(2)}", value),
            content_type="application/zip",
            headers={"ETag": etag, "Last-Modified": "Mon, 10 Mar 2025 12:00:00 GMT"},
        )

    def _wcs(self, request: Request) -> Response:
        args = request.args
        if args.get("request") == "GetCapabilities":
            ids = (*self.noise_coverages, *OTHER_COVERAGES)
            coverages = "\n".join(
                f"  <wcs:CoverageSummary><wcs:CoverageId>{c}</wcs:CoverageId></wcs:CoverageSummary>"
                for c in ids
            )
            return Response(
                WCS_CAPABILITIES.format(coverages=coverages), content_type="application/xml"
            )
        if args.get("request") == "GetCoverage":
            box = {}
            for s in args.getlist("subset"):
                axis, lo, hi = re.match(r"(\w)\(([-\d.]+),([-\d.]+)\)", s).groups()  # type: ignore[union-attr]
                box[axis] = (float(lo), float(hi))
            tiff = noise_tiff(box["X"][0], box["Y"][0], box["X"][1], box["Y"][1])
            return Response(tiff, content_type="image/tiff")
        return Response("<ows:ExceptionReport/>", status=400, content_type="application/xml")


def _kind(collection: str) -> str:
    return "gemeenten" if collection.startswith("gemeente") else "buurten"


def _encode_cursor(offset: int) -> str:
    """An opaque cursor, as GoKoala's (a client must not build one itself)."""
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    padded = cursor + "=" * (-len(cursor) % 4)
    return int(base64.urlsafe_b64decode(padded).decode()[1:])


def _overlaps(feature: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    xs = [p[0] for p in feature["geometry"]["coordinates"][0]]
    ys = [p[1] for p in feature["geometry"]["coordinates"][0]]
    return min(xs) < box[2] and max(xs) > box[0] and min(ys) < box[3] and max(ys) > box[1]


# fault actions ---------------------------------------------------------------------------------
def status(code: int, **headers: str) -> Callable[[Request], Response]:
    return lambda _r: Response(f"fout {code}", status=code, headers=headers)


def slow(seconds: float) -> Callable[[Request], None]:
    def act(_r: Request) -> None:
        time.sleep(seconds)

    return act


def truncated() -> Callable[[Request], Response]:
    return lambda _r: Response(
        iter([b'{"type": "FeatureCollection", "feat']),
        status=200,
        headers={"Content-Length": "5000", "Content-Type": "application/json"},
    )


# OpenStreetMap around the buurten --------------------------------------------------------------
def osm_extract() -> str:
    """OSM XML: a street grid every 250 m over the block, a park, a GP, a shop and a school."""
    to_wgs = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    nodes, ways = [], []
    ident = 1
    grid: dict[tuple[int, int], int] = {}
    for i in range(-1, 6):
        for j in range(-1, 6):
            lon, lat = to_wgs.transform(X0 + 250 * i, Y0 + 250 * j)
            nodes.append(
                f'<node id="{ident}" version="1" timestamp="2025-09-01T00:00:00Z" '
                f'lat="{lat:.7f}" lon="{lon:.7f}"/>'
            )
            grid[(i, j)] = ident
            ident += 1
    way = 1000
    for (i, j), n in grid.items():
        for di, dj in ((1, 0), (0, 1)):
            if (i + di, j + dj) in grid:
                ways.append(
                    f'<way id="{way}" version="1"><nd ref="{n}"/>'
                    f'<nd ref="{grid[(i + di, j + dj)]}"/><tag k="highway" v="residential"/></way>'
                )
                way += 1
    park = []
    for x, y in (
        (X0 + 560, Y0 + 560),
        (X0 + 700, Y0 + 560),
        (X0 + 700, Y0 + 700),
        (X0 + 560, Y0 + 700),
    ):
        lon, lat = to_wgs.transform(x, y)
        nodes.append(f'<node id="{ident}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
        park.append(ident)
        ident += 1
    refs = "".join(f'<nd ref="{n}"/>' for n in [*park, park[0]])
    ways.append(
        f'<way id="{way}" version="1">{refs}<tag k="leisure" v="park"/>'
        '<tag k="name" v="Testpark"/></way>'
    )
    for tags, (x, y) in (
        ({"amenity": "doctors"}, (X0 + 260, Y0 + 130)),
        ({"shop": "supermarket"}, (X0 + 760, Y0 + 240)),
        ({"amenity": "school", "isced:level": "1"}, (X0 + 130, Y0 + 760)),
    ):
        lon, lat = to_wgs.transform(x, y)
        tag = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        nodes.append(f'<node id="{ident}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{tag}</node>')
        ident += 1
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">"
        + "".join(nodes)
        + "".join(ways)
        + "</osm>\n"
    )

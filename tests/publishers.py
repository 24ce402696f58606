"""A stand-in for the publishers' services on 127.0.0.1, replaying responses in their formats.

Small, hand-written data for a gemeente GM0503 with four buurten (and one buurt of GM0518 next
door), served the way PDOK (OGC API Features), CBS StatLine (OData v3 catalogue and bulk
feed), RIVM (GCN folder of zips, Atlas Leefomgeving WCS 2.0.1) serve theirs, with switchable
faults: HTTP 429 with Retry-After, 5xx, time-outs, truncated bodies, repeating paging cursors,
withdrawn tables and renamed columns.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import numpy as np
import rasterio
from affine import Affine
from pyproj import Transformer
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from gezondewijk.fetch.endpoints import Endpoints

X0, Y0, SIDE = 84_000.0, 445_000.0, 500.0
BUURTEN = {  # code: (name, column, row, inhabitants) in a 2 × 2 block of 500 m squares
    "BU05030000": ("Centrum-West", 0, 0, 2855),
    "BU05030001": ("Centrum-Oost", 1, 0, 3120),
    "BU05030002": ("Zuidpoort", 0, 1, 25),
    "BU05030003": ("Nieuwbouw 2024", 1, 1, 1400),  # new in 2024: not in RIVM's 2022 division
}
NEIGHBOUR = ("BU05180001", "Buurgemeente", 2, 0, 900)  # GM0518, touching the block


def square(col: float, row: float) -> list[list[list[float]]]:
    x, y = X0 + col * SIDE, Y0 + row * SIDE
    return [[[x, y], [x + SIDE, y], [x + SIDE, y + SIDE], [x, y + SIDE], [x, y]]]


def _feature(code: str, name: str, col: int, row: int, people: int, gm: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": code,
        "geometry": {"type": "Polygon", "coordinates": square(col, row)},
        "properties": {
            "buurtcode": code,
            "buurtnaam": name,
            "wijkcode": "WK" + code[2:8],
            "gemeentecode": gm,
            "gemeentenaam": "Delft" if gm == "GM0503" else "Buurgemeente",
            "jaar": 2024,
            "aantalInwoners": people,
            # the small buurt's density is secret (-99997); its GP distance not yet published
            "bevolkingsdichtheidInwonersPerKm2": -99997 if people < 50 else people * 4,
            "huisartsenpraktijkGemiddeldeAfstandInKm": -99995.0 if people < 50 else 0.6,
        },
    }


def _props(*items: tuple[str, str, str, str | None, int | None, int]) -> list[dict[str, Any]]:
    """DataProperties rows: (Type, Key, Title, Unit, ParentID, ID)."""
    return [
        {"Type": t, "Key": k, "Title": title, "Unit": unit, "ParentID": parent, "ID": ident}
        for t, k, title, unit, parent, ident in items
    ]


def _rivm_props(stress: int, lonely: int, ends_meet: int) -> list[dict[str, Any]]:
    """RIVM's tables number their topics differently per edition (``Eenzaam_28``, ``_31``)."""
    return _props(
        ("Dimension", "Leeftijd", "Leeftijd", None, None, 40),
        ("Dimension", "Marges", "Marges", None, None, 41),
        ("GeoDimension", "WijkenEnBuurten", "Wijken en buurten", None, None, 0),
        ("TimeDimension", "Perioden", "Perioden", None, None, 42),
        ("Topic", "ErvarenGezondheidGoedZeerGoed_4", "Ervaren gezondheid goed", "%", None, 43),
        ("Topic", f"HeelVeelStressInAfgelopen4Weken_{stress}", "Heel veel stress", "%", None, 44),
        ("Topic", f"Eenzaam_{lonely}", "Eenzaam", "%", None, 45),
        ("Topic", f"MoeiteMetRondkomen_{ends_meet}", "Moeite met rondkomen", "%", None, 46),
    )


DIMS = (("GeoDimension", "WijkenEnBuurten", "Wijken en buurten", None, None, 0),)
TABLES: dict[str, dict[str, Any]] = {
    "85618NED": {"title": "Kerncijfers wijken en buurten 2023", "catalog": "cbs"},
    "85984NED": {
        "title": "Kerncijfers wijken en buurten 2024",
        "catalog": "cbs",
        "properties": _props(
            *DIMS,
            ("TopicGroup", "", "Bevolking", None, None, 1),
            ("Topic", "AantalInwoners_5", "Aantal inwoners", "aantal", 1, 2),
            (
                "Topic",
                "Bevolkingsdichtheid_34",
                "Bevolkingsdichtheid",
                "aantal inwoners per km²",
                1,
                3,
            ),
            ("TopicGroup", "", "Nabijheid voorzieningen", None, None, 4),
            (
                "Topic",
                "AfstandTotHuisartsenpraktijk_110",
                "Afstand tot huisartsenpraktijk",
                "km",
                4,
                5,
            ),
            ("Topic", "AfstandTotSchool_113", "Afstand tot school", "km", 4, 6),
        ),
    },
    "85560NED": {
        "title": "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2022",
        "catalog": "cbs",
    },
    "86134NED": {
        "title": "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2024",
        "catalog": "cbs",
        "properties": _props(
            *DIMS,
            ("TopicGroup", "", "Gezondheid en welzijn", None, None, 10),
            ("TopicGroup", "", "Huisartsenpraktijk", None, 10, 11),
            (
                "Topic",
                "AfstandTotHuisartsenpraktijk_5",
                "Afstand tot huisartsenpraktijk",
                "km",
                11,
                12,
            ),
            ("TopicGroup", "", "Detailhandel", None, None, 13),
            ("Topic", "AfstandTotGroteSupermarkt_24", "Afstand tot grote supermarkt", "km", 13, 14),
            ("TopicGroup", "", "Onderwijs", None, None, 20),
            ("TopicGroup", "", "Basisonderwijs", None, 20, 21),
            ("Topic", "AfstandTotSchool_60", "Afstand tot school", "km", 21, 22),
            ("TopicGroup", "", "Voortgezet onderwijs", None, 20, 23),
            ("Topic", "AfstandTotSchool_64", "Afstand tot school", "km", 23, 24),
        ),
    },
    "85900NED": {
        "title": "Sociaal-economische status; scores per wijk en buurt, regio-indeling 2022",
        "catalog": "cbs",
        "properties": _props(
            *DIMS,
            ("TimeDimension", "Perioden", "Perioden", None, None, 29),
            ("TopicGroup", "", "SES-WOA", None, None, 30),
            ("TopicGroup", "", "Totaalscore", None, 30, 31),
            ("Topic", "GemiddeldeScore_29", "Gemiddelde score", "getal", 31, 32),
        ),
    },
    "50120NED": {
        "title": "Gezondheid per wijk en buurt; 2012/2016/2020/2022 (indeling 2022)",
        "catalog": "derden",
        "properties": _rivm_props(stress=29, lonely=31, ends_meet=41),
    },
    "50090NED": {
        "title": "Gezondheid per wijk en buurt; 2016/2020 (indeling 2020)",
        "catalog": "derden",
        "properties": _rivm_props(stress=26, lonely=28, ends_meet=38),
    },
}


def _areas(codes_2022: bool = False) -> list[str]:
    buurten = [c for c in BUURTEN if not (codes_2022 and c == "BU05030003")]
    return ["NL00      ", "GM0503    ", "WK050300  ", *buurten, "BU05180001", "GM0518    "]


def _rows(table: str) -> list[dict[str, Any]]:
    """The table's rows for the areas above, with a null here and there as CBS has."""
    rows: list[dict[str, Any]] = []
    if table == "85984NED":
        for i, code in enumerate(_areas()):
            people = BUURTEN.get(code.strip(), ("", 0, 0, 10_000 * (i + 1)))[3]
            rows.append(
                {
                    "WijkenEnBuurten": code,
                    "AantalInwoners_5": people,
                    "Bevolkingsdichtheid_34": None if people < 50 else people * 4,
                    "AfstandTotHuisartsenpraktijk_110": 0.7,
                    "AfstandTotSchool_113": 0.5 + 0.1 * i,
                }
            )
    elif table == "86134NED":
        for i, code in enumerate(_areas()):
            rows.append(
                {
                    "WijkenEnBuurten": code,
                    "AfstandTotHuisartsenpraktijk_5": 0.6 + 0.1 * i,
                    "AfstandTotGroteSupermarkt_24": None if i == 4 else 0.4 + 0.1 * i,
                    "AfstandTotSchool_60": 0.5 + 0.05 * i,
                    "AfstandTotSchool_64": 2.0 + 0.1 * i,
                }
            )
    elif table == "85900NED":
        for period, shift in (("2021JJ00", 0.0), ("2022JJ00", 0.05)):
            for i, code in enumerate(_areas()):
                value = None if code.startswith("BU05030002") else round(-0.2 + 0.1 * i + shift, 3)
                rows.append(
                    {"WijkenEnBuurten": code, "Perioden": period, "GemiddeldeScore_29": value}
                )
    elif table in ("50120NED", "50090NED"):
        periods = ["2020JJ00", "2022JJ00"] if table == "50120NED" else ["2016JJ00", "2020JJ00"]
        keys = [p["Key"] for p in TABLES[table]["properties"] if p["Type"] == "Topic"]
        for period in periods:
            for age in ("20300", "80200"):
                for margin, delta in (("MW00000", 0.0), ("MOG0095", -3.0), ("MBG0095", 3.0)):
                    for i, code in enumerate(_areas(codes_2022=True)):
                        base = [76.0 - i, 16.0 + i, 48.0 + i, 14.0 + i]
                        small = code.startswith("BU05030002")  # too few respondents
                        rows.append(
                            {
                                "Leeftijd": age,
                                "Marges": margin,
                                "WijkenEnBuurten": code,
                                "Perioden": period,
                                **{
                                    k: None if small else b + delta
                                    for k, b in zip(keys, base, strict=True)
                                },
                            }
                        )
    return rows


def ascii_grid(value: float) -> bytes:
    """A 10 × 10 km ESRI ASCII grid of 1 km cells over the buurten, RD New, no CRS (as GCN)."""
    header = (
        "NCOLS 10\nNROWS 10\nXLLCORNER 80000\nYLLCORNER 440000\nCELLSIZE 1000\nNODATA_VALUE -999\n"
    )
    rows = [" ".join(f"{value + 0.1 * c - 0.05 * r:.2f}" for c in range(10)) for r in range(10)]
    return (header + "\n".join(rows) + "\n").encode("ascii")


def gcn_zip(name: str, value: float) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{name}.asc", ascii_grid(value))
        archive.writestr("README_Bestandsinformatie.txt", "RIVM GCN (test)")
    return buffer.getvalue()


def noise_tiff(minx: float, miny: float, maxx: float, maxy: float) -> bytes:
    """A GeoTIFF of 50 m cells over the box, Lden 45–65 dB rising to the east."""
    width, height = max(1, int((maxx - minx) / 50)), max(1, int((maxy - miny) / 50))
    data = np.tile(np.linspace(45, 65, width, dtype="float32"), (height, 1))
    with rasterio.MemoryFile() as mem:
        with mem.open(
            driver="GTiff",
            width=width,
            height=height,
            count=1,
            dtype="float32",
            crs="EPSG:28992",
            transform=Affine(50.0, 0.0, minx, 0.0, -50.0, maxy),
            nodata=-9999.0,
        ) as dst:
            dst.write(data, 1)
        return bytes(mem.read())


WCS_CAPABILITIES = """<?xml version="1.0" encoding="UTF-8"?>
<wcs:Capabilities xmlns:wcs="http://www.opengis.net/wcs/2.0" version="2.0.1">
 <wcs:Contents>
  <wcs:CoverageSummary><wcs:CoverageId>alo__rivm_20220601_Geluid_lden_wegverkeer_2020</wcs:CoverageId></wcs:CoverageSummary>
  <wcs:CoverageSummary><wcs:CoverageId>alo__rivm_20250101_Geluid_lden_wegverkeer_2022</wcs:CoverageId></wcs:CoverageSummary>
  <wcs:CoverageSummary><wcs:CoverageId>alo__rivm_20250801_Geluid_lden_allebronnen_2022</wcs:CoverageId></wcs:CoverageSummary>
  <wcs:CoverageSummary><wcs:CoverageId>alo__rivm_nsl_20260401_gm_NO22024</wcs:CoverageId></wcs:CoverageSummary>
 </wcs:Contents>
</wcs:Capabilities>
"""


@dataclass
class Publishers:
    """The fake services, their switches, and a log of every request they got."""

    server: HTTPServer
    pdok_filter: bool = True
    repeat_cursor: str | None = None  # "pdok" or "odata": the next link points to itself
    withdrawn: set[str] = field(default_factory=set)  # table ids that answer 404
    renamed: bool = False  # Kerncijfers without "Aantal inwoners"
    faults: dict[str, list[Callable[[Request], Response | None]]] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    page_size: int = 3

    @property
    def root(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def endpoints(self) -> Endpoints:
        return Endpoints(
            pdok=f"{self.root}/pdok/cbs/wijken-en-buurten-{{year}}/ogc/v1",
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

    def _json(self, data: object, **headers: str) -> Response:
        return Response(json.dumps(data), content_type="application/json", headers=headers)

    def _pdok(self, request: Request) -> Response:
        match = re.match(r"/pdok/cbs/wijken-en-buurten-(\d{4})/ogc/v1(/.*)?$", request.path)
        if not match or match.group(1) not in ("2023", "2024", "2025"):
            return Response('{"detail": "not found"}', status=404)
        rest = match.group(2) or ""
        base = f"{self.root}/pdok/cbs/wijken-en-buurten-{match.group(1)}/ogc/v1"
        if rest in ("", "/"):
            return self._json(
                {
                    "title": "CBS Wijken en Buurten",
                    "links": [
                        {
                            "rel": "license",
                            "title": "CC BY 4.0",
                            "href": "https://creativecommons.org/licenses/by/4.0/",
                        }
                    ],
                }
            )
        if rest == "/collections/buurten/queryables":
            if not self.pdok_filter:
                return Response("{}", status=404)
            return self._json(
                {
                    "type": "object",
                    "properties": {
                        "gemeentecode": {"type": "string"},
                        "buurtcode": {"type": "string"},
                    },
                }
            )
        if rest == "/collections/gemeenten/items":
            feats: list[dict[str, Any]] = [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [X0, Y0],
                                [X0 + 1000, Y0],
                                [X0 + 1000, Y0 + 1000],
                                [X0, Y0 + 1000],
                                [X0, Y0],
                            ]
                        ],
                    },
                    "properties": {"gemeentecode": "GM0503"},
                },
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": square(2, 0)},
                    "properties": {"gemeentecode": "GM0518"},
                },
            ]
            return self._json({"type": "FeatureCollection", "features": feats, "links": []})
        if rest == "/collections/buurten/items":
            args = request.args
            assert int(args.get("limit", "10")) <= 1000
            assert args.get("crs") == "http://www.opengis.net/def/crs/EPSG/0/28992"
            feats = [
                _feature(c, n, col, row, p, "GM0503") for c, (n, col, row, p) in BUURTEN.items()
            ]
            feats.append(_feature(*NEIGHBOUR, "GM0518"))
            if "gemeentecode" in args:
                wanted = args["gemeentecode"]
                feats = [f for f in feats if f["properties"]["gemeentecode"] == wanted]
            cursor = int(args.get("cursor", "0"))
            page = feats[cursor : cursor + self.page_size]
            links = []
            if cursor + self.page_size < len(feats):
                nxt = dict(args)
                nxt["cursor"] = str(
                    cursor if self.repeat_cursor == "pdok" else cursor + self.page_size
                )
                links.append(
                    {"rel": "next", "href": f"{base}/collections/buurten/items?{urlencode(nxt)}"}
                )
            return self._json(
                {"type": "FeatureCollection", "features": page, "links": links},
                **{"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/28992>"},
            )
        return Response("{}", status=404)

    def _odata(self, request: Request) -> Response:
        catalog = request.path.split("/")[1]
        if request.path.endswith("/ODataCatalog/Tables"):
            words = re.search(r"substringof\('([^']+)'", request.args.get("$filter", ""))
            wanted = words.group(1).lower() if words else ""
            value = [
                {
                    "Identifier": ident,
                    "Title": t["title"],
                    "ShortTitle": t["title"][:40],
                    "Period": "",
                    "Modified": "2025-06-01T00:00:00",
                }
                for ident, t in TABLES.items()
                if t["catalog"] == catalog and wanted in t["title"].lower()
            ]
            return self._json({"odata.metadata": "…", "value": value})
        match = re.match(r"/(cbs|derden)/ODataFeed/odata/(\w+)/(\w+)$", request.path)
        if not match or match.group(2) in self.withdrawn or match.group(2) not in TABLES:
            return Response('{"odata.error": {"message": {"value": "Not found"}}}', status=404)
        ident, what = match.group(2), match.group(3)
        table = TABLES[ident]
        if what == "DataProperties":
            props = table.get("properties", [])
            if self.renamed and ident == "85984NED":
                props = [p for p in props if p["Key"] != "AantalInwoners_5"]
            return self._json({"value": props})
        if what == "Marges":
            return self._json(
                {
                    "value": [
                        {"Key": "MW00000", "Title": "Waarde"},
                        {"Key": "MOG0095", "Title": "Ondergrens 95%-interval"},
                        {"Key": "MBG0095", "Title": "Bovengrens 95%-interval"},
                    ]
                }
            )
        if what == "TypedDataSet":
            prefixes = re.findall(
                r"startswith\(WijkenEnBuurten,'([^']+)'\)", request.args.get("$filter", "")
            )
            rows = [
                r
                for r in _rows(ident)
                if any(str(r["WijkenEnBuurten"]).startswith(p) for p in prefixes)
            ]
            skip = int(request.args.get("$skiptoken", "0"))
            page = rows[skip : skip + self.page_size * 10]
            out: dict[str, Any] = {"value": page}
            if skip + len(page) < len(rows):
                token = skip if self.repeat_cursor == "odata" else skip + len(page)
                query = urlencode({"$filter": request.args.get("$filter", "")})
                out["odata.nextLink"] = (
                    f"{self.root}{request.path}?$format=json&$skiptoken={token}&{query}"
                )
            return self._json(out)
        return Response("{}", status=404)

    def _gcn(self, request: Request) -> Response:
        if request.path.rstrip("/") == "/rivm/data/gcn":
            names = [
                "conc_NO2_2022.zip",
                "conc_NO2_2023.zip",
                "conc_NO2_2030.zip",
                "conc_PM25_2023.zip",
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
            return Response(WCS_CAPABILITIES, content_type="application/xml")
        if args.get("request") == "GetCoverage":
            subsets = args.getlist("subset")
            box = {}
            for s in subsets:
                axis, lo, hi = re.match(r"(\w)\(([-\d.]+),([-\d.]+)\)", s).groups()  # type: ignore[union-attr]
                box[axis] = (float(lo), float(hi))
            tiff = noise_tiff(box["X"][0], box["Y"][0], box["X"][1], box["Y"][1])
            return Response(tiff, content_type="image/tiff")
        return Response("<ows:ExceptionReport/>", status=400, content_type="application/xml")


# fault actions ------------------------------------------------------------------------------
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

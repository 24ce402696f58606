"""What the replayed publishers serve (tests/publishers.py), in the shapes they serve today.

Small, hand-written data for gemeente GM0503 (four buurten, a fifth in 2025, and one buurt of
GM0518 next door), served as PDOK, CBS StatLine and RIVM serve theirs, with switchable faults
(HTTP 429 with Retry-After, 5xx, time-outs, truncated bodies, repeating cursors, withdrawn
tables, renamed columns, refused filters, fill values in rasters).

Where each shape was read (evidence, not our own assumption):

- **PDOK OGC API Features** runs on GoKoala (github.com/PDOK/gokoala @ 19e9f549, 2026-08-20):
  ``internal/ogc/features/url.go`` accepts ``f, limit, cursor, crs, datetime, bbox, bbox-crs,
  filter, filter-crs, filter-lang, profile`` plus the collection's configured property filters,
  and answers **any other query parameter with 400** ("unknown query parameter(s) found: X");
  a ``limit`` above the maximum is clamped, not refused; a ``filter`` where CQL is off is 400
  "CQL support is not enabled for this API". ``engine/problems.go``: errors are RFC 7807
  problems ``{title, status, detail, timeStamp}``. ``queryables.go`` (added 2026-05-19/26):
  queryables only for collections with CQL, 404 otherwise. Pages as
  ``testdata/expected_foo_collection_with_limit.json``: links self/alternate/next (an opaque
  ``cursor``), ``numberReturned``, ``timeStamp``; ``Content-Crs`` header.
  The property filter ``gemeentecode`` on ``buurten`` and snake-case properties
  (``aantal_inwoners``): public code calling
  ``…/wijken-en-buurten-2024/ogc/v1/collections/buurten/items?gemeentecode=GM0917&limit=1000``.
  2025: snake case, ``water`` JA/NEE, buurt codes with letters (issue 28). PDOK's service list
  (pdok.nl, "CBS Wijken en Buurten", OGC APIs) names 2023, 2024, 2025 and
  ``wijken-en-buurten-historisch``; the **collection ids of -historisch are not verified**
  (``buurten_<jaar>`` here; the code finds them by the word and the year).
- **StatLine catalogue** rows: Identifier, Title, ShortTitle, ShortDescription, Summary, Period,
  Frequency (``Stopgezet`` = discontinued), Modified, RecordCount, Language, Catalog (public
  code loading ``/ODataCatalog/Tables`` into a database). **DataProperties** rows carry both
  ``Type`` and ``odata.type`` (``Cbs.OData.Topic``…), text topics ``Datatype: String``.
  TypedDataSet rows pad area codes to 10 characters (``GM0503    ``).
- **85984NED** (KWB 2024): ``AantalInwoners_5``, ``Bevolkingsdichtheid_34``,
  ``Omgevingsadressendichtheid_121`` (public code selecting them from 85984NED);
  ``AfstandTotHuisartsenpraktijk_110``, ``AfstandTotGroteSupermarkt_111``,
  ``AfstandTotSchool_113`` (issue 28). 2023 85618NED, 2025 86165NED.
- **86134NED** (Nabijheid 2024): ``AfstandTotHuisartsenpraktijk_5``,
  ``AfstandTotGroteSupermarkt_24``, ``AfstandTotSchool_60`` (basisonderwijs), ``_64``
  (voortgezet onderwijs), no Perioden dimension (a public 86134NED fetcher). 2022 85560NED,
  2025 86270NED.
- **86092NED** (SES-WOA, regio-indeling 2024, periods to 2023): total ``GemiddeldeScore_29``,
  sub-scores ``_31/_33/_35`` (issue 28); the group path ``SES-WOA/Totaalscore/Gemiddelde score
  (Getal)`` as the 85163NED CSV export names it (``../shared/data/cbs-ses-woa-amsterdam``); the
  sub-scores' group titles here are ours.
- **50150NED** (RIVM, 2012–2024, indeling 2024): ``GoedErvarenGezondheid_4``,
  ``EenOfMeerLangdurigeAandoeningen_5``, ``HoogRisicoAngststoornisOfDepressie_14``,
  ``HeelVeelStressAfg4Weken_17``, ``Eenzaam_25``, ``SterkEenzaam_26``, ``MoeiteMetRondkomen_32``
  (AnneVersion/geoinzicht-app ``enrich_from_rivm.py``); ``Leeftijd eq '20300' and Marges eq
  'MW00000'`` and the national row ``NL01`` (public code querying 50150NED).
- **50120NED** (2012–2022, indeling 2022): ``ErvarenGezondheidGoedZeerGoed_4``,
  ``HoogRisicoOpAngstOfDepressie_25``, ``HeelVeelStressInAfgelopen4Weken_26``, ``Eenzaam_27``,
  ``ErnstigZeerErnstigEenzaam_28``, ``MoeiteMetRondkomen_33`` (Pleijten-dev/GroosHub
  ``src/features/location/data/normalizers/healthKeyNormalizer.ts``).
- **50090NED**: the keys of the real export in ``../shared/data/rivm-gezondheid-wijk-buurt``.
- Leeftijd 20300 = 18+, 53115 = 18–64, 80200 = 65+; Marges MW00000 / MOG0095 / MBG0095.
- **Atlas Leefomgeving rasters** declare one nodata value and can fill with another (about
  −3.4e38, the float32 minimum; issue 28): the noise GeoTIFF here does both.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from pyproj import Transformer

X0, Y0, SIDE = 84_000.0, 445_000.0, 500.0
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
FILL = -3.4028234663852886e38  # the float32 minimum Atlas Leefomgeving rasters fill with


@dataclass(frozen=True)
class Buurt:
    code: str
    name: str
    col: int
    row: int
    people: int
    gemeente: str = "GM0503"
    water: bool = False


def buurten(year: int) -> list[Buurt]:
    """The buurten of ``year``'s division: one new in 2024, re-coded with letters in 2025."""
    out = [
        Buurt("BU05030000", "Centrum-West", 0, 0, 2855),
        Buurt("BU05030001", "Centrum-Oost", 1, 0, 3120),
        Buurt("BU05030002", "Zuidpoort", 0, 1, 25),  # too small: secrets and suppressed rows
    ]
    if year in (2023, 2024):
        out.append(Buurt("BU05030003", "Nieuwbouw 2024", 1, 1, 1400))
    if year >= 2025:
        out.append(Buurt("BU0503NB01", "Nieuwbouw", 1, 1, 1450))
        out.append(Buurt("BU05039900", "Schie (water)", 0, 2, 0, water=True))
    out.append(Buurt("BU05180001", "Buurgemeente", 2, 0, 900, gemeente="GM0518"))
    return out


def square(col: float, row: float) -> list[list[list[float]]]:
    x, y = X0 + col * SIDE, Y0 + row * SIDE
    return [[[x, y], [x + SIDE, y], [x + SIDE, y + SIDE], [x, y + SIDE], [x, y]]]


def buurt_feature(b: Buurt, year: int, wgs84: bool) -> dict[str, Any]:
    """A buurt as PDOK serves it: snake-case properties, CBS sentinels for secret values."""
    props: dict[str, Any] = {
        "buurtcode": b.code,
        "buurtnaam": b.name,
        "wijkcode": "WK" + b.code[2:8],
        "gemeentecode": b.gemeente,
        "gemeentenaam": "Delft" if b.gemeente == "GM0503" else "Buurgemeente",
        "jaar": year,
        "aantal_inwoners": b.people,
        # the small buurt's density is secret (-99997); its GP distance not yet published
        "bevolkingsdichtheid_inwoners_per_km2": -99997 if b.people < 50 else b.people * 4,
        "huisartsenpraktijk_gemiddelde_afstand_in_km": -99995.0 if b.people < 50 else 0.6,
    }
    if year >= 2025:
        props["water"] = "JA" if b.water else "NEE"
    ring = square(b.col, b.row)
    if wgs84:  # PDOK's default output CRS is CRS84 when no crs is asked for
        to_wgs = Transformer.from_crs("EPSG:28992", "OGC:CRS84", always_xy=True)
        ring = [[list(to_wgs.transform(x, y)) for x, y in ring[0]]]
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Polygon", "coordinates": ring},
        "id": b.code,
    }


def gemeente_feature(code: str) -> dict[str, Any]:
    cols = [b for b in buurten(2024) if b.gemeente == code]
    xs = [X0 + b.col * SIDE for b in cols]
    ys = [Y0 + b.row * SIDE for b in cols]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs) + SIDE, max(ys) + SIDE
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "Feature",
        "properties": {"gemeentecode": code, "gemeentenaam": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "id": code,
    }


# -- StatLine tables -----------------------------------------------------------------------------
def _prop(
    kind: str,
    key: str,
    title: str,
    unit: str | None,
    parent: int | None,
    ident: int,
    datatype: str = "Double",
) -> dict[str, Any]:
    """A DataProperties row as StatLine sends it (``Type`` and ``odata.type``)."""
    return {
        "odata.type": f"Cbs.OData.{kind}",
        "ID": ident,
        "Position": str(ident),
        "ParentID": parent,
        "Type": kind,
        "Key": key,
        "Title": title,
        "Description": "",
        "Datatype": datatype if kind == "Topic" else None,
        "Unit": unit,
        "Decimals": 1,
        "Default": "Impossible",
    }


GEO = _prop("GeoDimension", "WijkenEnBuurten", "Wijken en buurten", None, None, 0)
TEXT_TOPICS = [
    _prop("Topic", "Gemeentenaam_1", "Gemeentenaam", None, None, 1, "String"),
    _prop("Topic", "SoortRegio_2", "Soort regio", None, None, 2, "String"),
    _prop("Topic", "Codering_3", "Codering", None, None, 3, "String"),
]


def _kwb(gp: str, shop: str, school: str) -> list[dict[str, Any]]:
    return [
        GEO,
        *TEXT_TOPICS,
        _prop("TopicGroup", "", "Bevolking", None, None, 10),
        _prop("Topic", "AantalInwoners_5", "Aantal inwoners", "aantal", 10, 11, "Long"),
        _prop(
            "Topic",
            "Bevolkingsdichtheid_34",
            "Bevolkingsdichtheid",
            "aantal inwoners per km²",
            10,
            12,
            "Long",
        ),
        _prop("TopicGroup", "", "Nabijheid voorzieningen", None, None, 20),
        _prop("Topic", gp, "Afstand tot huisartsenpraktijk", "km", 20, 21),
        _prop("Topic", shop, "Afstand tot grote supermarkt", "km", 20, 22),
        _prop("Topic", school, "Afstand tot school", "km", 20, 23),
        _prop("TopicGroup", "", "Stedelijkheid", None, None, 30),
        _prop(
            "Topic",
            "Omgevingsadressendichtheid_121",
            "Omgevingsadressendichtheid",
            "aantal adressen per km²",
            30,
            31,
            "Long",
        ),
    ]


NABIJHEID = [
    GEO,
    _prop("TopicGroup", "", "Gezondheid en welzijn", None, None, 10),
    _prop("TopicGroup", "", "Huisartsenpraktijk", None, 10, 11),
    _prop(
        "Topic", "AfstandTotHuisartsenpraktijk_5", "Afstand tot huisartsenpraktijk", "km", 11, 12
    ),
    _prop("TopicGroup", "", "Detailhandel", None, None, 13),
    _prop("Topic", "AfstandTotGroteSupermarkt_24", "Afstand tot grote supermarkt", "km", 13, 14),
    _prop("TopicGroup", "", "Onderwijs", None, None, 20),
    _prop("TopicGroup", "", "Basisonderwijs", None, 20, 21),
    _prop("Topic", "AfstandTotSchool_60", "Afstand tot school", "km", 21, 22),
    _prop("TopicGroup", "", "Voortgezet onderwijs", None, 20, 23),
    _prop("Topic", "AfstandTotSchool_64", "Afstand tot school", "km", 23, 24),
]

SES = [
    GEO,
    _prop("TimeDimension", "Perioden", "Perioden", None, None, 1),
    _prop("TopicGroup", "", "SES-WOA", None, None, 30),
    _prop("TopicGroup", "", "Totaalscore", None, 30, 31),
    _prop("Topic", "GemiddeldeScore_29", "Gemiddelde score", "Getal", 31, 32),
    _prop("TopicGroup", "", "Financiële welvaart", None, 30, 33),
    _prop("Topic", "GemiddeldeScore_31", "Gemiddelde score", "Getal", 33, 34),
    _prop("TopicGroup", "", "Scholing", None, 30, 35),
    _prop("Topic", "GemiddeldeScore_33", "Gemiddelde score", "Getal", 35, 36),
    _prop("TopicGroup", "", "Recent arbeidsverleden", None, 30, 37),
    _prop("Topic", "GemiddeldeScore_35", "Gemiddelde score", "Getal", 37, 38),
]

RIVM_DIMS = [
    _prop("Dimension", "Leeftijd", "Leeftijd", None, None, 40),
    _prop("Dimension", "Marges", "Marges", None, None, 41),
    GEO,
    _prop("TimeDimension", "Perioden", "Perioden", None, None, 42),
    *TEXT_TOPICS,
]


def _rivm(*topics: tuple[str, str]) -> list[dict[str, Any]]:
    return [
        *RIVM_DIMS,
        *(_prop("Topic", k, t, "%", None, 50 + i) for i, (k, t) in enumerate(topics)),
    ]


#: 50150NED, 2012–2024 (indeling 2024): the keys of AnneVersion/geoinzicht-app.
RIVM_50150 = _rivm(
    ("GoedErvarenGezondheid_4", "Goed ervaren gezondheid"),
    ("EenOfMeerLangdurigeAandoeningen_5", "Eén of meer langdurige aandoeningen"),
    ("HoogRisicoAngststoornisOfDepressie_14", "Hoog risico op angststoornis of depressie"),
    ("HeelVeelStressAfg4Weken_17", "Heel veel stress afgelopen 4 weken"),
    ("Eenzaam_25", "Eenzaam"),
    ("SterkEenzaam_26", "Sterk eenzaam"),
    ("MoeiteMetRondkomen_32", "Moeite met rondkomen"),
)
#: 50120NED, 2012–2022 (indeling 2022): the keys of Pleijten-dev/GroosHub.
RIVM_50120 = _rivm(
    ("ErvarenGezondheidGoedZeerGoed_4", "Ervaren gezondheid goed/zeer goed"),
    ("HoogRisicoOpAngstOfDepressie_25", "Hoog risico op angst of depressie"),
    ("HeelVeelStressInAfgelopen4Weken_26", "Heel veel stress in afgelopen 4 weken"),
    ("Eenzaam_27", "Eenzaam"),
    ("ErnstigZeerErnstigEenzaam_28", "(Zeer) ernstig eenzaam"),
    ("MoeiteMetRondkomen_33", "Moeite met rondkomen"),
)
#: 50090NED, 2016/2020 (indeling 2020): the keys of the real export in ../shared/data.
RIVM_50090 = _rivm(
    ("ErvarenGezondheidGoedZeerGoed_4", "Ervaren gezondheid goed/zeer goed"),
    ("MatigHoogRisicoOpAngstOfDepressie_24", "Matig/hoog risico op angst of depressie"),
    ("HoogRisicoOpAngstOfDepressie_25", "Hoog risico op angst of depressie"),
    ("HeelVeelStressInAfgelopen4Weken_26", "Heel veel stress in afgelopen 4 weken"),
    ("Eenzaam_28", "Eenzaam"),
    ("ErnstigZeerErnstigEenzaam_29", "(Zeer) ernstig eenzaam"),
    ("MoeiteMetRondkomen_38", "Moeite met rondkomen"),
)


@dataclass(frozen=True)
class Table:
    """One StatLine table: catalogue row, DataProperties and how its rows are made."""

    title: str
    catalog: str  # "cbs" (opendata.cbs.nl) or "derden" (dataderden.cbs.nl)
    properties: list[dict[str, Any]] = field(default_factory=list)
    division: int = 2024  # the area division of its rows
    periods: tuple[str, ...] = ()
    frequency: str = "Perjaar"
    shift: float = 0.0  # moves the values, so a test can tell which table a value came from


TABLES: dict[str, Table] = {
    # 2022: the keys of 85318NED as public code selects them (AfstandTotHuisartsenpraktijk_106…)
    "85318NED": Table(
        "Kerncijfers wijken en buurten 2022",
        "cbs",
        _kwb(
            "AfstandTotHuisartsenpraktijk_106",
            "AfstandTotGroteSupermarkt_107",
            "AfstandTotSchool_109",
        ),
        2022,
    ),
    # 2023: the keys of 85318NED (2022) here; 2023's are not verified
    "85618NED": Table(
        "Kerncijfers wijken en buurten 2023",
        "cbs",
        _kwb(
            "AfstandTotHuisartsenpraktijk_106",
            "AfstandTotGroteSupermarkt_107",
            "AfstandTotSchool_109",
        ),
        2023,
    ),
    "85984NED": Table(
        "Kerncijfers wijken en buurten 2024",
        "cbs",
        _kwb(
            "AfstandTotHuisartsenpraktijk_110",
            "AfstandTotGroteSupermarkt_111",
            "AfstandTotSchool_113",
        ),
        2024,
    ),
    # a replaced edition of the same year, as the catalogue still lists (the id is made up)
    "00001NED": Table("Kerncijfers wijken en buurten 2024", "cbs", [], 2024, frequency="Stopgezet"),
    "86165NED": Table(
        "Kerncijfers wijken en buurten 2025",
        "cbs",
        _kwb(
            "AfstandTotHuisartsenpraktijk_110",
            "AfstandTotGroteSupermarkt_111",
            "AfstandTotSchool_113",
        ),
        2025,
    ),
    "85560NED": Table(
        "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2022",
        "cbs",
        NABIJHEID,
        2022,
    ),
    "86134NED": Table(
        "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2024",
        "cbs",
        NABIJHEID,
        2024,
    ),
    "86270NED": Table(
        "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2025",
        "cbs",
        NABIJHEID,
        2025,
    ),
    "85900NED": Table(
        "Sociaal-economische status; scores per wijk en buurt, regio-indeling 2022",
        "cbs",
        SES,
        2022,
        ("2021JJ00", "2022JJ00"),
        "Stopgezet",
    ),
    "86092NED": Table(
        "Sociaal-economische status; scores per wijk en buurt, regio-indeling 2024",
        "cbs",
        SES,
        2024,
        ("2021JJ00", "2022JJ00", "2023JJ00"),
    ),
    "50150NED": Table(
        "Gezondheid per wijk en buurt; 2012/2016/2020/2022/2024 (indeling 2024)",
        "derden",
        RIVM_50150,
        2024,
        ("2012JJ00", "2016JJ00", "2020JJ00", "2022JJ00", "2024JJ00"),
        shift=2.0,
    ),
    "50120NED": Table(
        "Gezondheid per wijk en buurt; 2012/2016/2020/2022 (indeling 2022)",
        "derden",
        RIVM_50120,
        2022,
        ("2012JJ00", "2016JJ00", "2020JJ00", "2022JJ00"),
    ),
    "50090NED": Table(
        "Gezondheid per wijk en buurt; 2016/2020 (indeling 2020)",
        "derden",
        RIVM_50090,
        2022,
        ("2016JJ00", "2020JJ00"),
        "Stopgezet",
        shift=-1.0,
    ),
}


def _areas(division: int, national: str) -> list[tuple[str, str, str]]:
    """(padded code, name, soort regio) of the areas of a division, as StatLine pads them."""
    rows = [
        (national, "Nederland", "Land"),
        ("GM0503", "Delft", "Gemeente"),
        ("WK050300", "Wijk 00", "Wijk"),
    ]
    rows += [(b.code, "Delft", "Buurt") for b in buurten(division)]
    rows.append(("GM0518", "Buurgemeente", "Gemeente"))
    return [(c.ljust(10), n.ljust(40), s.ljust(10)) for c, n, s in rows]


def table_rows(ident: str) -> list[dict[str, Any]]:
    """The table's rows, with a null here and there as StatLine has them."""
    table = TABLES[ident]
    topics = [p["Key"] for p in table.properties if p["Type"] == "Topic"]
    numbers = [k for k in topics if not k.endswith(("_1", "_2", "_3"))]
    rows: list[dict[str, Any]] = []
    if table.catalog == "derden":
        for period in table.periods:
            drift = (int(period[:4]) - 2020) * 0.25
            for age in ("20300", "53115", "80200"):
                for margin, delta in (("MW00000", 0.0), ("MOG0095", -3.0), ("MBG0095", 3.0)):
                    for i, (code, name, kind) in enumerate(_areas(table.division, "NL01")):
                        small = code.startswith("BU05030002")  # too few respondents
                        values = {
                            k: None
                            if small
                            else round(_health(k, i) + table.shift + drift + delta, 1)
                            for k in numbers
                        }
                        rows.append(
                            {
                                "ID": len(rows),
                                "Leeftijd": age,
                                "Marges": margin,
                                "WijkenEnBuurten": code,
                                "Perioden": period,
                                "Gemeentenaam_1": name,
                                "SoortRegio_2": kind,
                                "Codering_3": code,
                                **values,
                            }
                        )
        return rows
    periods: tuple[str | None, ...] = table.periods or (None,)
    for when in periods:
        shift = 0.0 if when is None else 0.05 * (int(when[:4]) - 2021)
        for i, (code, name, kind) in enumerate(_areas(table.division, "NL00")):
            row: dict[str, Any] = {"ID": len(rows), "WijkenEnBuurten": code}
            if when is not None:
                row["Perioden"] = when
            if "Gemeentenaam_1" in topics:
                row |= {"Gemeentenaam_1": name, "SoortRegio_2": kind, "Codering_3": code}
            people = next((b.people for b in buurten(2025) if b.code == code.strip()), 10_000 * i)
            for k in numbers:
                row[k] = _statline_value(k, i, people, shift, code.strip())
            rows.append(row)
    return rows


def _health(key: str, i: int) -> float:
    """A plausible share per topic; ``i`` moves it per area."""
    base = {
        "gezondheid": 76.0 - i,
        "angst": 10.0 + i,
        "stress": 16.0 + i,
        "eenzaam": 48.0 + i,
        "rondkomen": 14.0 + i,
        "aandoening": 30.0 + i,
    }
    low = key.lower()
    if "ernstig" in low or "sterk" in low:
        return 12.0 + i
    if "matighoog" in low:
        return 45.0 + i
    for word, value in base.items():
        if word in low:
            return value
    return 20.0 + i


def _statline_value(key: str, i: int, people: int, shift: float, code: str) -> float | None:
    if key.startswith("AantalInwoners"):
        return people
    if key.startswith("Bevolkingsdichtheid"):
        return None if people < 50 else people * 4
    if key.startswith("Omgevingsadressendichtheid"):
        return 1500 + 100 * i
    if key.startswith("AfstandTotHuisartsenpraktijk"):
        return round(0.6 + 0.1 * i, 2)
    if key.startswith("AfstandTotGroteSupermarkt"):
        return None if i == 4 else round(0.4 + 0.1 * i, 2)
    if key == "AfstandTotSchool_64":  # voortgezet onderwijs in Nabijheid voorzieningen
        return round(2.0 + 0.1 * i, 2)
    if key.startswith("AfstandTotSchool"):
        return round(0.5 + 0.05 * i, 2)
    if key.startswith("GemiddeldeScore"):
        if code.startswith("BU05030002"):
            return None
        sub = int(key.rsplit("_", 1)[1]) - 29
        return round(-0.2 + 0.1 * i + shift + 0.01 * sub, 3)
    return None


# -- rasters -------------------------------------------------------------------------------------
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
    """A GeoTIFF of 50 m cells over the box, Lden 45–65 dB rising to the east.

    As the Atlas Leefomgeving serves them: nodata declared as -9999, while the margin is
    filled with the float32 minimum (about -3.4e38). A band 200 m high holds an impossible
    150 dB (an error in the map, to be reported and not scored).
    """
    width, height = max(1, int((maxx - minx) / 50)), max(1, int((maxy - miny) / 50))
    data = np.tile(np.linspace(45, 65, width, dtype="float32"), (height, 1))
    data[:, :2] = np.float32(FILL)
    data[:2, :] = np.float32(FILL)
    data[height // 2 : height // 2 + 4, 2:] = 150.0
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
{coverages}
 </wcs:Contents>
</wcs:Capabilities>
"""
NOISE_COVERAGES = (
    "alo__rivm_20220601_Geluid_lden_wegverkeer_2020",
    "alo__rivm_20250101_Geluid_lden_wegverkeer_2022",
    "alo__rivm_20250801_Geluid_lden_allebronnen_2022",
)
OTHER_COVERAGES = ("alo__rivm_nsl_20260401_gm_NO22024",)

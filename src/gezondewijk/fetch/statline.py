"""CBS StatLine open data (OData v3): find a table by title and year, fetch one gemeente.

The same service serves CBS's own tables (``opendata.cbs.nl``: Kerncijfers wijken en buurten,
Nabijheid voorzieningen, SES-WOA) and third parties' (``dataderden.cbs.nl``: RIVM's Gezondheid
per wijk en buurt). Table ids change every year, so they are looked up in the catalogue
(``/ODataCatalog/Tables``) by title, never written into the code. Data come from the bulk
feed (``/ODataFeed/odata/<id>/TypedDataSet``), which pages with ``odata.nextLink``.

The table is written as a CSV the readers in :mod:`gezondewijk.sources` take as they are:
topic columns under a vocabulary key where the OData key says unambiguously what it is
(``AantalInwoners_5`` → ``population``), else under the topic path StatLine's own CSV export
uses (``Onderwijs/Basisonderwijs/Afstand tot school (km)``), with ``.`` for a missing value.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gezondewijk._errors import InputDataError
from gezondewijk.fetch.http import Downloader, Fetched, NotFound
from gezondewijk.fetch.paging import all_pages
from gezondewijk.provenance import Provenance
from gezondewijk.publisher_names import COMPACT, canonical_name, compact_name
from gezondewijk.variables import KNOWN

#: The one KWB topic whose OData key is ambiguous elsewhere: in Kerncijfers it is the only
#: school distance (basisonderwijs); Nabijheid voorzieningen has four and names their groups.
_UNIQUE_ONLY = {"afstandtotschool": "distance_school_km"}


#: The catalogue's ``Frequency`` of a table CBS no longer updates (a newer table replaces it).
DISCONTINUED = "stopgezet"


@dataclass(frozen=True)
class TableInfo:
    """A StatLine table found in the catalogue.

    Attributes
    ----------
    year
        The newest year in the title: the data year of a yearly table ("Kerncijfers wijken
        en buurten 2024"), the area division of a multi-year one ("… (indeling 2024)").
    discontinued
        The catalogue says ``Frequency: Stopgezet``.
    """

    identifier: str
    title: str
    year: int | None
    base: str
    discontinued: bool = False


@dataclass(frozen=True)
class TableKind:
    """What gezondewijk takes from one family of StatLine tables.

    Attributes
    ----------
    name
        ``kwb``, ``nabijheid``, ``ses_woa`` or ``rivm`` (the run file's table kind).
    title
        Words every table of the family has in its title.
    expected
        Vocabulary keys the table yields. A missing one means the publisher renamed a column:
        it is reported and the others are used; a table with none of them is not used.
    keep_keys
        Keep the OData keys as column names (the RIVM reader maps them itself).
    """

    name: str
    title: str
    expected: tuple[str, ...]
    keep_keys: bool = False


KWB = TableKind(
    "kwb",
    "Kerncijfers wijken en buurten",
    (
        "population",
        "population_density",
        "address_density",
        "distance_gp_km",
        "distance_supermarket_km",
        "distance_school_km",
    ),
)
NABIJHEID = TableKind(
    "nabijheid",
    "Nabijheid voorzieningen",
    ("distance_gp_km", "distance_supermarket_km", "distance_school_km"),
)
SES_WOA = TableKind("ses_woa", "Sociaal-economische status", ("ses_woa",))
RIVM = TableKind(
    "rivm",
    "Gezondheid per wijk en buurt",
    ("lonely_pct", "good_health_pct", "stress_pct", "hard_to_make_ends_meet_pct"),
    keep_keys=True,
)

_YEAR = re.compile(r"(20\d{2})")


def find_tables(dl: Downloader, base: str, kind: TableKind) -> list[TableInfo]:
    """Every table in the catalogue whose title contains the family's words.

    Raises
    ------
    InputDataError
        When the catalogue lists none.
    """
    url = f"{base}/ODataCatalog/Tables"
    params = {
        "$format": "json",
        "$filter": f"substringof('{kind.title}',Title)",
        "$select": "Identifier,Title,ShortTitle,Period,Frequency,Modified",
    }
    rows = _all_pages(dl, url, params)
    tables = []
    for row in rows:
        title = str(row.get("Title", ""))
        if kind.title.lower() not in title.lower():
            continue
        years = [int(y) for y in _YEAR.findall(title)]
        stopped = str(row.get("Frequency") or "").strip().lower() == DISCONTINUED
        tables.append(
            TableInfo(str(row["Identifier"]), title, max(years) if years else None, base, stopped)
        )
    if not tables:
        raise InputDataError(
            f"de CBS-catalogus noemt geen tabel '{kind.title}'.",
            path=url,
            fix="controleer de verbinding met StatLine; de titel is mogelijk veranderd.",
        )
    return tables


def pick_year(tables: list[TableInfo], year: int, kind: TableKind) -> TableInfo:
    """The table of ``year``, else the newest one before it.

    A discontinued table (``Frequency: Stopgezet``) is skipped where a current one covers
    the same year: CBS lists both while a revised table replaces the old one.

    Raises
    ------
    InputDataError
        When every table is newer than ``year``.
    """
    current = {t.year for t in tables if not t.discontinued}
    tables = [t for t in tables if not t.discontinued or t.year not in current]
    usable = [t for t in tables if t.year is not None and t.year <= year]
    if not usable:
        years = sorted({t.year for t in tables if t.year is not None})
        raise InputDataError(
            f"geen '{kind.title}' voor {year} of eerder (wel: {years}).",
            field="--jaar",
            fix=f"kies een jaar vanaf {years[0]}." if years else None,
        )
    return max(usable, key=lambda t: (t.year or 0, t.identifier))


@dataclass
class TableRows:
    """The rows of one gemeente (or several) from a table, with their CSV column names.

    Attributes
    ----------
    missing
        Vocabulary keys of :attr:`TableKind.expected` the table does not yield (renamed by
        the publisher); reported, while the others are used.
    unknown
        Titles of the table's topics that map to no vocabulary key (for the report where
        something is missing: they are where a renamed topic will be).
    """

    table: TableInfo
    rows: list[dict[str, object]]
    headers: dict[str, str]
    url: str
    query: dict[str, str]
    area_key: str
    time_key: str | None
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def missing_note(self) -> str:
        """The report of :attr:`missing`, naming the table and its unknown topics ("" if none)."""
        if not self.missing:
            return ""
        return (
            f"{self.table.identifier} ('{self.table.title}'): geen kolom voor "
            f"{', '.join(self.missing)} (hernoemd door de uitgever?); onderwerpen die gezondewijk "
            f"niet kent: {', '.join(self.unknown)[:300]}; de andere kolommen tellen mee."
        )

    def periods(self) -> list[str]:
        """The period keys present (``2022JJ00``…), sorted."""
        if self.time_key is None:
            return []
        return sorted({str(r.get(self.time_key, "")).strip() for r in self.rows})

    def for_period(self, period: str) -> TableRows:
        """Only the rows of one period."""
        assert self.time_key is not None
        rows = [r for r in self.rows if str(r.get(self.time_key, "")).strip() == period]
        return replace(self, rows=rows)

    def codes(self) -> set[str]:
        """Area codes in the rows."""
        return {str(r.get(self.area_key, "")).strip() for r in self.rows}

    def store(self, dl: Downloader, path: Path, record: Provenance) -> Fetched:
        """Write the rows as a CSV into the cache with their provenance."""
        record.tabel = self.table.identifier
        record.url = self.url
        record.query = dict(self.query)
        return dl.store(path, _csv(self.rows, self.headers), record)


def fetch_rows(
    dl: Downloader, table: TableInfo, kind: TableKind, gemeenten: list[str]
) -> TableRows:
    """Fetch the rows of ``gemeenten`` (and their wijken, buurten and NL).

    An expected column that is gone (renamed by the publisher) is listed in
    :attr:`TableRows.missing` with the topics the table has instead; the rest of the table is
    still used.

    Raises
    ------
    InputDataError
        When the table no longer exists (HTTP 404), or has none of the expected columns; the
        message names the table and its topics.
    """
    feed = f"{table.base}/ODataFeed/odata/{table.identifier}"
    try:
        properties = _all_pages(dl, f"{feed}/DataProperties", {"$format": "json"})
    except NotFound as exc:
        raise InputDataError(
            f"tabel {table.identifier} ('{table.title}') bestaat niet meer bij CBS ({exc}).",
            field=table.identifier,
            fix="haal opnieuw op met --vernieuw: de catalogus wijst dan de huidige tabel aan.",
        ) from exc
    area_key = _key_of_type(properties, "GeoDimension") or "WijkenEnBuurten"
    codes = [c[2:] for c in gemeenten]
    clauses = [f"startswith({area_key},'{p}{c}')" for c in codes for p in ("BU", "WK", "GM")]
    clauses.append(f"startswith({area_key},'NL')")
    params = {"$format": "json", "$filter": " or ".join(clauses)}
    rows = _all_pages(dl, f"{feed}/TypedDataSet", params)
    headers = _headers(properties, kind)
    missing = [k for k in kind.expected if k not in _mapped(headers)]
    unknown = unknown_topics(properties, kind)
    if missing and len(missing) == len(kind.expected):
        raise InputDataError(
            f"tabel {table.identifier} heeft geen kolom meer voor {', '.join(missing)} "
            "(hernoemd door de uitgever?).",
            field=table.identifier,
            fix=f"meld het bij gezondewijk; de tabel heeft nu: {', '.join(unknown)[:400]}.",
        )
    if kind.name == "rivm":
        margins = _margin_keys(dl, feed)
        for row in rows:
            key = str(row.get("Marges", "")).strip()
            row["Marges"] = margins.get(key, key)
    return TableRows(
        table,
        rows,
        headers,
        f"{feed}/TypedDataSet",
        {"$filter": params["$filter"]},
        area_key,
        _key_of_type(properties, "TimeDimension"),
        missing,
        unknown,
    )


def _all_pages(dl: Downloader, url: str, params: dict[str, str]) -> list[dict[str, object]]:
    """Every row, following ``odata.nextLink``."""
    return all_pages(dl, url, params, items="value", next_link=_next, service="StatLine")


def _next(page: dict[str, Any]) -> str | None:
    link = page.get("odata.nextLink")
    return None if link is None else str(link)


def property_type(prop: dict[str, object]) -> str:
    """A DataProperties row's type: ``Type``, else the tail of ``odata.type``.

    StatLine sends both (``"Type": "Topic"``, ``"odata.type": "Cbs.OData.Topic"``).
    """
    kind = prop.get("Type") or str(prop.get("odata.type", "")).rsplit(".", 1)[-1]
    return str(kind)


def _is_numeric(prop: dict[str, object]) -> bool:
    """Whether a topic holds numbers (``Gemeentenaam_1`` and ``Codering_3`` hold text)."""
    return str(prop.get("Datatype") or "Double") != "String"


def _key_of_type(properties: list[dict[str, object]], kind: str) -> str | None:
    return next((str(p["Key"]) for p in properties if property_type(p) == kind), None)


def _headers(properties: list[dict[str, object]], kind: TableKind) -> dict[str, str]:
    """OData key → CSV column name for every topic and dimension."""
    groups = {p.get("ID"): p for p in properties if property_type(p) == "TopicGroup"}
    topics = [p for p in properties if property_type(p) == "Topic"]
    counts: dict[str, int] = {}
    for p in topics:
        counts[compact_name(str(p["Key"]))] = counts.get(compact_name(str(p["Key"])), 0) + 1
    out = {}
    for p in properties:
        key = str(p.get("Key", ""))
        if property_type(p) in {"Dimension", "GeoDimension", "TimeDimension"}:
            out[key] = key
            continue
        if property_type(p) != "Topic":
            continue
        if kind.keep_keys:
            out[key] = key
            continue
        compact = compact_name(key)
        if counts[compact] == 1 and (compact in COMPACT or compact in _UNIQUE_ONLY):
            out[key] = COMPACT.get(compact) or _UNIQUE_ONLY[compact]
            continue
        parts: list[str] = []
        parent = p.get("ParentID")
        while parent is not None and parent in groups:
            parts.insert(0, str(groups[parent].get("Title", "")).strip())
            parent = groups[parent].get("ParentID")
        unit = str(p.get("Unit") or "").strip()
        title = str(p.get("Title", key)).strip()
        parts.append(f"{title} ({unit})" if unit else title)
        out[key] = "/".join(parts)
    return out


def _vocabulary(header: str) -> str | None:
    """The vocabulary key a CSV column name stands for (a key already, or a publisher name)."""
    return canonical_name(header) or (header if header in KNOWN else None)


def _mapped(headers: dict[str, str]) -> set[str]:
    """Vocabulary keys the columns stand for."""
    return {k for k in map(_vocabulary, headers.values()) if k is not None}


def unknown_topics(properties: list[dict[str, object]], kind: TableKind) -> list[str]:
    """Titles of the numeric topics that map to no vocabulary key, as :func:`fetch_rows` maps.

    Where an expected column is missing, a renamed topic is among these.
    """
    headers = _headers(properties, kind)
    return [
        str(p.get("Title", p.get("Key")))
        for p in properties
        if property_type(p) == "Topic"
        and _vocabulary(headers.get(str(p.get("Key")), "")) is None
        and _is_numeric(p)
    ]


def vocabulary_keys(properties: list[dict[str, object]], kind: TableKind) -> dict[str, str]:
    """Vocabulary key → the OData key that yields it, as :func:`fetch_rows` maps them."""
    out: dict[str, str] = {}
    for key, header in _headers(properties, kind).items():
        name = _vocabulary(header)
        if name is not None and name not in out:
            out[name] = key
    return out


def _margin_keys(dl: Downloader, feed: str) -> dict[str, str]:
    """RIVM's margin categories as the reader knows them: value, lower and upper 95 % bound."""
    try:
        rows = _all_pages(dl, f"{feed}/Marges", {"$format": "json"})
    except NotFound:
        return {}
    out = {}
    for row in rows:
        key, title = str(row.get("Key", "")).strip(), str(row.get("Title", "")).lower()
        if "onder" in title or "lower" in title:
            out[key] = "MOG0095"
        elif "boven" in title or "upper" in title:
            out[key] = "MBG0095"
        else:
            out[key] = "MW00000"
    return out


def _csv(rows: list[dict[str, object]], headers: dict[str, str]) -> bytes:
    """Rows as UTF-8 CSV; a missing value is written as StatLine's ``.``."""
    keys = [k for k in headers if any(k in r for r in rows)] or list(headers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([headers[k] for k in keys])
    for row in rows:
        values = []
        for k in keys:
            v = row.get(k)
            values.append("." if v is None else str(v).strip())
        writer.writerow(values)
    return buffer.getvalue().encode("utf-8")

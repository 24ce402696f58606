"""``gezondewijk fetch --check``: one small request per source, compared with what we expect.

What the public record says about each service (keys, paging, errors) is written into the
connectors and the test replay; only a real call settles the rest. This check makes that call
cheaply: a catalogue look-up, a first page, the capabilities. It writes nothing to the cache.
Each source gets a line: OK with what was recognised, or what differs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from gezondewijk._errors import GezondewijkError, InputDataError
from gezondewijk.fetch import pdok, rivm, statline
from gezondewijk.fetch.endpoints import Endpoints
from gezondewijk.fetch.http import Downloader, Refused
from gezondewijk.variables import canonical_name

#: RIVM's anxiety measures: a table publishes one or both (see publisher_names).
RIVM_WANTED = ("anxiety_depression_pct", "anxiety_depression_high_pct")
#: Margin keys the RIVM reader takes (value, lower and upper 95 % bound).
MARGINS = ("MW00000", "MOG0095", "MBG0095")

#: What one check finds: (table or service, as expected?, what was recognised or differs).
Line = tuple[str, bool, str]
Found = Line | list[Line]


@dataclass(frozen=True)
class CheckResult:
    """One line of the check: a source, its table or service, and the outcome."""

    source: str
    table: str
    ok: bool
    detail: str

    @property
    def outcome(self) -> str:
        """``OK: …`` or ``ANDERS: …`` (what differs from what gezondewijk expects)."""
        return f"{'OK' if self.ok else 'ANDERS'}: {self.detail}"


def check_sources(dl: Downloader, ends: Endpoints, year: int, gemeente: str) -> list[CheckResult]:
    """Check every source once for ``year``, selecting ``gemeente`` where a filter is needed."""
    checks: list[tuple[str, str, Callable[[], Found]]] = [
        (
            "PDOK wijk- en buurtkaart",
            pdok.service_url(ends, year),
            partial(_pdok, dl, ends, year, gemeente),
        ),
        *(
            (f"CBS {kind.title}", ends.cbs, partial(_statline, dl, ends.cbs, kind, year, gemeente))
            for kind in (statline.KWB, statline.NABIJHEID, statline.SES_WOA)
        ),
        (
            "RIVM Gezondheid per wijk en buurt",
            ends.cbs_derden,
            partial(_rivm_health, dl, ends.cbs_derden, gemeente),
        ),
        ("RIVM GCN (NO2, PM2.5, PM10)", ends.rivm_gcn, partial(_gcn, dl, ends.rivm_gcn, year)),
        (
            "RIVM Atlas Leefomgeving geluid (Lden)",
            ends.rivm_alo_wcs,
            partial(_noise, dl, ends.rivm_alo_wcs, year),
        ),
    ]
    out: list[CheckResult] = []
    for source, where, check in checks:
        try:
            found = check()
        except GezondewijkError as exc:  # one failing source is a line, not the end
            out.append(CheckResult(source, where, False, str(exc)))
            continue
        for table, ok, detail in found if isinstance(found, list) else [found]:
            out.append(CheckResult(source, table, ok, detail))
    return out


def _pdok(dl: Downloader, ends: Endpoints, year: int, gemeente: str) -> Line:
    service = pdok.locate(dl, ends, year)
    url = f"{service.base}/collections/{service.buurten}/items"
    params = {"f": "json", "limit": "2", "crs": pdok.RD_URI, "gemeentecode": gemeente}
    problems: list[str] = []
    try:
        page = dl.get_json(url, params)
        how = "gemeentecode-filter"
    except Refused as exc:
        problems.append(
            f"filter gemeentecode geweigerd ({exc.detail}); fetch vraagt dan om een CQL-filter "
            "of de omtrek van de gemeente"
        )
        params.pop("gemeentecode")
        page = dl.get_json(url, params)
        how = "eerste pagina zonder filter"
    features = page.get("features", []) if isinstance(page, dict) else []
    if not features:
        problems.append(f"geen buurten voor {gemeente}")
        return f"{service.name}/{service.buurten}", False, "; ".join(problems)
    props = features[0].get("properties") or {}
    for needed in ("buurtcode", "gemeentecode"):
        if needed not in props:
            problems.append(f"geen eigenschap {needed}")
    population = [k for k in props if canonical_name(k) == "population"]
    if not population:
        problems.append(f"geen inwoneraantal (eigenschappen: {', '.join(list(props)[:12])})")
    coords = _first_xy(features[0].get("geometry"))
    if coords is not None and not (-10_000 <= coords[0] <= 310_000):
        problems.append("geen RD New-coördinaten (crs-parameter genegeerd?)")
    if len(features) == 2 and pdok.next_link(page) is None:
        problems.append("geen 'next'-link op een volle pagina")
    found = f"{how}, eigenschappen {', '.join(population)} → population, RD New"
    detail = "; ".join(problems) if problems else found
    return f"{service.name}/{service.buurten}", not problems, detail


def _first_xy(geometry: object) -> tuple[float, float] | None:
    coords: Any = geometry.get("coordinates") if isinstance(geometry, dict) else None
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    if isinstance(coords, list) and len(coords) >= 2:
        return float(coords[0]), float(coords[1])
    return None


def _statline(
    dl: Downloader, base: str, kind: statline.TableKind, year: int, gemeente: str
) -> Line:
    tables = statline.find_tables(dl, base, kind)
    table = statline.pick_year(tables, year, kind)
    skipped = sum(t.discontinued for t in tables if t.year == table.year and t is not table)
    ok, detail = _table_shape(dl, table, kind, gemeente, kind.expected)
    if skipped:
        detail += f" ({skipped} stopgezette tabel van dat jaar overgeslagen)"
    return f"{table.identifier} ({table.title})", ok, detail


def _rivm_health(dl: Downloader, base: str, gemeente: str) -> list[Line]:
    kind = statline.RIVM
    out: list[Line] = []
    for table in sorted(statline.find_tables(dl, base, kind), key=lambda t: t.identifier):
        try:
            ok, detail = _table_shape(dl, table, kind, gemeente, (*kind.expected, *RIVM_WANTED))
        except GezondewijkError as exc:
            ok, detail = False, str(exc)
        stopped = " (stopgezet)" if table.discontinued else ""
        out.append((f"{table.identifier} ({table.title}){stopped}", ok, detail))
    return out


def _table_shape(
    dl: Downloader,
    table: statline.TableInfo,
    kind: statline.TableKind,
    gemeente: str,
    wanted: tuple[str, ...],
) -> tuple[bool, str]:
    """Compare a table's DataProperties and first rows of ``gemeente`` with the vocabulary."""
    feed = f"{table.base}/ODataFeed/odata/{table.identifier}"
    properties = _values(dl.get_json(f"{feed}/DataProperties", {"$format": "json"}))
    keys = {str(p.get("Key")): p for p in properties}
    mapped = statline.vocabulary_keys(properties, kind)
    problems = [f"geen kolom voor {w}" for w in wanted if w not in mapped]
    if kind.name == "rivm":
        problems = [p for p in problems if not _one_anxiety(p, mapped)]
        for dimension in ("Leeftijd", "Marges"):
            if dimension not in keys:
                problems.append(f"geen dimensie {dimension}")
        margins = {
            str(r.get("Key")) for r in _values(dl.get_json(f"{feed}/Marges", {"$format": "json"}))
        }
        problems += [f"geen marge {m}" for m in MARGINS if m not in margins]
    area = next((k for k, p in keys.items() if statline.property_type(p) == "GeoDimension"), None)
    params = {"$format": "json", "$filter": f"startswith({area},'{gemeente}')"}
    rows = _values(dl.get_json(f"{feed}/TypedDataSet", params)) if area else []
    if not rows:
        problems.append(f"geen rijen voor {gemeente}")
    elif kind.name == "rivm" and "20300" not in {str(r.get("Leeftijd", "")).strip() for r in rows}:
        problems.append("geen rijen voor Leeftijd 20300 (18 jaar of ouder)")
    if problems:
        unknown = statline.unknown_topics(properties, kind)
        return False, "; ".join(problems) + f" (onderwerpen: {', '.join(unknown)[:300]})"
    return True, ", ".join(f"{w} ← {mapped[w]}" for w in wanted if w in mapped)


def _values(page: object) -> list[dict[str, Any]]:
    """The ``value`` list of an OData answer.

    Raises
    ------
    InputDataError
        When the answer has none (another shape than OData v3's).
    """
    if isinstance(page, dict) and isinstance(page.get("value"), list):
        return [row for row in page["value"] if isinstance(row, dict)]
    raise InputDataError(
        "het antwoord heeft geen 'value'-lijst (geen OData v3?).",
        fix="controleer het adres van de dienst (GEZONDEWIJK_URL_CBS / _CBS_DERDEN).",
    )


def _one_anxiety(problem: str, mapped: dict[str, str]) -> bool:
    """One of the two anxiety measures is enough (a table publishes one or both)."""
    return any(w in problem for w in RIVM_WANTED) and any(w in mapped for w in RIVM_WANTED)


def _gcn(dl: Downloader, base: str, year: int) -> Line:
    years = rivm.gcn_years(dl, base)
    found, problems = [], []
    for substance in rivm.GCN_SUBSTANCES.values():
        usable = [y for y in years.get(substance, []) if y <= year]
        if usable:
            found.append(f"{substance} {max(usable)}")
        else:
            problems.append(f"geen conc_{substance}_<jaar>.zip tot {year}")
    detail = "; ".join(problems) if problems else ", ".join(found)
    return f"{base}/", not problems, detail


def _noise(dl: Downloader, wcs: str, year: int) -> Line:
    coverages = [c for c in rivm.noise_coverages(dl, wcs) if c[2] <= year]
    if not coverages:
        return (
            "GetCapabilities",
            False,
            f"geen Lden-coverage tot {year} in de capabilities; download: {rivm.NOISE_DOWNLOAD}",
        )
    best = max(coverages, key=lambda c: (c[1] == "wegverkeer", c[2], c[0]))
    return "GetCapabilities", True, f"{len(coverages)} Lden-coverages, gekozen: {best[0]}"


def format_results(results: list[CheckResult]) -> str:
    """The results as a plain-text table: source, table, outcome."""
    header = ("bron / source", "tabel / table", "uitkomst / outcome")
    rows = [header, *((r.source, r.table, r.outcome) for r in results)]
    widths = [min(max(len(r[i]) for r in rows), 48) for i in range(2)]
    lines = []
    for source, table, outcome in rows:
        lines.append(f"{source[:48]:<{widths[0]}}  {table[:48]:<{widths[1]}}  {outcome}")
    lines.insert(1, "-" * (widths[0] + widths[1] + 24))
    return "\n".join(lines)

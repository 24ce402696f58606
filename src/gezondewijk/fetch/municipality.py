"""Fetch everything one or more gemeenten need and write their run file."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import shapely

from gezondewijk._errors import GezondewijkError
from gezondewijk._progress import Progress
from gezondewijk.fetch import pdok, rivm, statline
from gezondewijk.fetch.endpoints import LICENCES, Endpoints
from gezondewijk.fetch.http import Downloader
from gezondewijk.fetch.runfile import Inputs, write_run_file
from gezondewijk.provenance import Provenance
from gezondewijk.sources.buurten import read_buurten

STEPS = 8


@dataclass
class FetchResult:
    """What :func:`fetch_gemeenten` produced."""

    run_file: Path
    inputs: Inputs


def _record(source: str, title: str, year: int | None) -> Provenance:
    licence, attribution = LICENCES[source]
    uitgever = {"pdok": "PDOK", "cbs": "CBS", "rivm": "RIVM", "osm": "OpenStreetMap"}.get(
        source, "RIVM"
    )
    return Provenance(
        bron=title, uitgever=uitgever, jaar=year, licentie=licence, naamsvermelding=attribution
    )


def fetch_gemeenten(
    gemeenten: list[str],
    *,
    year: int,
    cache: Path,
    run_file: Path | None = None,
    osm: str | None = None,
    offline: bool = False,
    refresh: bool = False,
    endpoints: Endpoints | None = None,
    stream: TextIO | None = sys.stderr,
    downloader: Downloader | None = None,
) -> FetchResult:
    """Fetch the data of ``gemeenten`` for ``year`` into ``cache`` and write a run file.

    Parameters
    ----------
    gemeenten
        Gemeente codes (``GM0503``…) of that year's division.
    year
        Data year: the wijk- en buurtkaart and Kerncijfers of that year; for the other sources
        the newest published up to that year.
    cache
        Folder of the cache (created).
    run_file
        Where to write the run file; default ``uitvoer/<codes>/<codes>_<year>.toml``.
    osm
        Path or URL of an OpenStreetMap extract (a province PBF is typical); clipped to the
        gemeenten plus 1 km.
    offline, refresh
        See :class:`~gezondewijk.fetch.http.Downloader`.
    endpoints
        Service addresses (default: the publishers', or ``GEZONDEWIJK_URL_*``).
    stream
        Where progress goes.
    downloader
        A configured downloader (tests pass one that does not sleep).

    Raises
    ------
    GezondewijkError
        When the buurten cannot be fetched (nothing can be done without them). Other sources
        that fail are left out with a note in the run file and the result.
    """
    ends = endpoints or Endpoints.from_env()
    progress = Progress(STEPS, stream)
    tag = "-".join(gemeenten)
    folder = Path(cache) / f"{tag}_{year}"
    dl = downloader or Downloader(Path(cache), offline=offline, refresh=refresh, progress=progress)
    dl.progress = dl.progress or progress
    notes: list[str] = []

    def optional(what: str, action: object) -> None:
        try:
            assert callable(action)
            action()
        except GezondewijkError as exc:
            notes.append(f"{what} niet opgehaald: {exc}")
            progress.note(f"let op: {what} niet opgehaald: {exc}")

    with progress.step(f"buurtgrenzen {year} (PDOK)"):
        fetched = pdok.fetch_buurten(
            dl,
            ends.pdok.format(year=year),
            gemeenten,
            year,
            folder / "buurten.gpkg",
            _record("pdok", f"CBS Wijk- en buurtkaart {year}", year),
        )
        buurten = read_buurten(fetched.path)
        names = sorted(set(buurten.get("gemeentenaam", buurten["gemeentecode"]).astype(str)))
        area = shapely.union_all(buurten.geometry.to_numpy())
        progress.note(f"{len(buurten)} buurten ({', '.join(names)}){_cached(fetched)}")
    inputs = Inputs(
        name=f"{', '.join(names)} ({tag})",
        year=year,
        buurten=fetched.path,
        gemeenten=gemeenten,
        sources=[fetched.provenance],
        notes=notes,
    )
    codes = set(buurten["buurtcode"])

    for kind, base_url, source in (
        (statline.KWB, ends.cbs, "cbs"),
        (statline.NABIJHEID, ends.cbs, "cbs"),
        (statline.SES_WOA, ends.cbs, "cbs"),
    ):
        with progress.step(f"{kind.title} (CBS StatLine)"):
            optional(
                kind.title,
                lambda kind=kind, base_url=base_url, source=source: _statline(
                    dl, base_url, kind, source, gemeenten, year, folder, codes, inputs, progress
                ),
            )
    with progress.step("Gezondheid per wijk en buurt (RIVM via CBS StatLine derden)"):
        optional(
            "RIVM Gezondheid per wijk en buurt",
            lambda: _rivm_health(dl, ends, gemeenten, year, folder, codes, inputs, progress),
        )
    with progress.step(
        "luchtkwaliteit (RIVM GCN: NO2, PM2.5, PM10) en geluid (Atlas Leefomgeving)"
    ):
        _grids(dl, ends, year, Path(cache) / "gcn", folder, area, inputs, progress, optional)
    with progress.step("OpenStreetMap: groen, voorzieningen, looppaden"):
        if osm is None:
            progress.note("geen --osm opgegeven: geen groen, voorzieningen of looppaden")
            notes.append(
                "geen OpenStreetMap-uittreksel: geef --osm met een .osm.pbf (bijvoorbeeld de "
                "provincie van download.geofabrik.de) voor afstanden over het looppadennetwerk."
            )
        else:
            optional("OpenStreetMap", lambda: _osm(dl, osm, area, folder, inputs, progress))
    with progress.step("runbestand schrijven"):
        target = run_file or Path("uitvoer") / tag / f"{tag}_{year}.toml"
        write_run_file(inputs, target, Path("uitvoer") / tag)
        progress.note(str(target))
    return FetchResult(target, inputs)


def _cached(fetched: object) -> str:
    return " (uit de cache)" if getattr(fetched, "from_cache", False) else ""


def _statline(
    dl: Downloader,
    base: str,
    kind: statline.TableKind,
    source: str,
    gemeenten: list[str],
    year: int,
    folder: Path,
    codes: set[str],
    inputs: Inputs,
    progress: Progress,
) -> None:
    path = folder / f"{kind.name}.csv"
    hit = dl.cached(path, where=f"{base}/ODataCatalog/Tables ('{kind.title}')")
    if hit is None:
        table = statline.pick_year(statline.find_tables(dl, base, kind), year, kind)
        rows = statline.fetch_rows(dl, table, kind, gemeenten)
        periods = rows.periods()
        if len(periods) > 1:  # SES-WOA has several years in one table: the newest up to `year`
            usable = [p for p in periods if p[:4].isdigit() and int(p[:4]) <= year] or periods
            rows = rows.for_period(max(usable))
        data_year = int(rows.periods()[-1][:4]) if rows.periods() else table.year
        record = _record(source, table.title, data_year)
        hit = rows.store(dl, path, record)
    _report_join(hit.provenance.bron, path, codes, progress, inputs)
    inputs.tables.append((kind.name, hit.path))
    inputs.sources.append(hit.provenance)
    progress.note(f"{hit.provenance.summary()}{_cached(hit)}")


def _report_join(
    title: str, path: Path, codes: set[str], progress: Progress, inputs: Inputs
) -> None:
    """How many of the buurten the table has: buurt codes change between years."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = next((c for c in frame.columns if c in ("WijkenEnBuurten", "RegioS")), frame.columns[0])
    found = {c.strip() for c in frame[key]}
    missing = sorted(codes - found)
    text = f"{title}: {len(codes) - len(missing)} van {len(codes)} buurten"
    if missing:
        more = " …" if len(missing) > 5 else ""
        text += f" (niet: {', '.join(missing[:5])}{more}; andere buurtindeling?)"
        inputs.notes.append(text)
    progress.note(text)


def _rivm_health(
    dl: Downloader,
    ends: Endpoints,
    gemeenten: list[str],
    year: int,
    folder: Path,
    codes: set[str],
    inputs: Inputs,
    progress: Progress,
) -> None:
    kind = statline.RIVM
    cached = sorted(folder.glob("rivm_*.csv"))
    hits = [h for h in (dl.cached(p, where=ends.cbs_derden) for p in cached) if h is not None]
    if not hits:
        tables = statline.find_tables(dl, ends.cbs_derden, kind)
        for table in sorted(tables, key=lambda t: (t.year or 0, t.identifier), reverse=True):
            rows = statline.fetch_rows(dl, table, kind, gemeenten)
            for period in rows.periods():
                p_year = int(period[:4])
                path = folder / f"rivm_{table.identifier}_{p_year}.csv"
                record = _record("rivm_gezondheid", f"{table.title}, {p_year}", p_year)
                hits.append(rows.for_period(period).store(dl, path, record))
            progress.note(f"{table.identifier} {table.title}: {', '.join(rows.periods())}")
    # the run takes the newest table (one area division for all its years), its newest year
    # up to `year`; every other year and table stays in the cache for monitoring
    newest = max(hits, key=lambda h: (h.provenance.jaar or 0, h.provenance.tabel or ""))
    same = [h for h in hits if h.provenance.tabel == newest.provenance.tabel]
    usable = [h for h in same if (h.provenance.jaar or 0) <= year] or same
    chosen = max(usable, key=lambda h: h.provenance.jaar or 0)
    _report_join(chosen.provenance.bron, chosen.path, codes, progress, inputs)
    inputs.tables.append(("rivm", chosen.path))
    inputs.sources.extend(h.provenance for h in hits)
    progress.note(
        f"in de run: {chosen.provenance.summary()}; voor monitoring ook "
        f"{', '.join(sorted(h.path.name for h in hits if h is not chosen))}"
    )


def _grids(
    dl: Downloader,
    ends: Endpoints,
    year: int,
    gcn_folder: Path,
    folder: Path,
    area: shapely.Geometry,
    inputs: Inputs,
    progress: Progress,
    optional: object,
) -> None:
    assert callable(optional)
    years: dict[str, list[int]] | None = None

    def one(variable: str) -> None:
        nonlocal years
        if years is None and not dl.offline and not any(gcn_folder.glob("conc_*.asc")):
            years = rivm.gcn_years(dl, ends.rivm_gcn)
        title = f"RIVM GCN {variable.upper()} jaargemiddelde"
        hit = rivm.fetch_gcn(
            dl, ends.rivm_gcn, variable, year, gcn_folder, _record("rivm", title, None), years
        )
        inputs.rasters.append((variable, hit.path, hit.provenance.jaar))
        inputs.sources.append(hit.provenance)
        progress.note(f"{hit.provenance.summary()}{_cached(hit)}")

    for variable in rivm.GCN_SUBSTANCES:
        optional(f"GCN {variable}", lambda variable=variable: one(variable))

    def noise() -> None:
        minx, miny, maxx, maxy = shapely.buffer(area, 500).bounds
        hit = rivm.fetch_noise(
            dl,
            ends.rivm_alo_wcs,
            (minx, miny, maxx, maxy),
            year,
            folder / "geluid_lden.tif",
            _record("rivm", "RIVM Atlas Leefomgeving geluidkaart Lden", None),
        )
        inputs.rasters.append(("noise_lden", hit.path, hit.provenance.jaar))
        inputs.sources.append(hit.provenance)
        progress.note(f"{hit.provenance.summary()}{_cached(hit)}")

    optional("geluidkaart (Atlas Leefomgeving)", noise)


def _osm(
    dl: Downloader,
    osm: str,
    area: shapely.Geometry,
    folder: Path,
    inputs: Inputs,
    progress: Progress,
) -> None:
    from gezondewijk.fetch.osm import fetch_osm_layers

    hit, counts = fetch_osm_layers(dl, osm, area, folder / "osm.gpkg", _record("osm", "", None))
    inputs.osm = hit.path
    inputs.osm_layers = counts
    inputs.sources.append(hit.provenance)
    text = ", ".join(f"{k} {v}" for k, v in counts.items())
    progress.note(f"{hit.provenance.summary()}: {text}{_cached(hit)}")

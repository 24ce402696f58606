"""Fetch everything one or more gemeenten need and write their run file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TextIO

import shapely

from gezondewijk._errors import GezondewijkError
from gezondewijk._progress import Progress
from gezondewijk.fetch import health, pdok, rivm, statline
from gezondewijk.fetch.endpoints import LICENCES, Endpoints
from gezondewijk.fetch.http import Downloader, Fetched
from gezondewijk.fetch.runfile import Inputs, write_run_file
from gezondewijk.provenance import Provenance
from gezondewijk.sources.buurten import read_buurten

STEPS = 8
_LABELS = {"no2": "NO2", "pm25": "PM2.5", "pm10": "PM10"}


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
    dl = downloader or Downloader(Path(cache), offline=offline, refresh=refresh, progress=progress)
    dl.progress = dl.progress or progress
    with progress.step(f"buurtgrenzen {year} (PDOK)"):
        folder = Path(cache) / f"{tag}_{year}"
        fetched = pdok.fetch_buurten(
            dl,
            ends,
            gemeenten,
            year,
            folder / "buurten.gpkg",
            _record("pdok", f"CBS Wijk- en buurtkaart {year}", year),
        )
        buurten = read_buurten(fetched.path)
        names = _gemeente_names(fetched.path, gemeenten)
        progress.note(f"{len(buurten)} buurten ({', '.join(names)}){_cached(fetched)}")
    job = _Job(
        dl=dl,
        ends=ends,
        gemeenten=gemeenten,
        year=year,
        cache=Path(cache),
        folder=folder,
        codes=set(buurten["buurtcode"]),
        area=shapely.union_all(buurten.geometry.to_numpy()),
        progress=progress,
        inputs=Inputs(
            name=f"{', '.join(names)} ({tag})",
            year=year,
            buurten=fetched.path,
            gemeenten=gemeenten,
            sources=[fetched.provenance],
        ),
    )
    for kind in (statline.KWB, statline.NABIJHEID, statline.SES_WOA):
        with progress.step(f"{kind.title} (CBS StatLine)"):
            job.optional(kind.title, partial(_statline, job, kind))
    with progress.step("Gezondheid per wijk en buurt (RIVM via CBS StatLine derden)"):
        job.optional("RIVM Gezondheid per wijk en buurt", partial(_rivm_health, job))
    with progress.step(
        "luchtkwaliteit (RIVM GCN: NO2, PM2.5, PM10) en geluid (Atlas Leefomgeving)"
    ):
        _grids(job)
    with progress.step("OpenStreetMap: groen, voorzieningen, looppaden"):
        if osm is None:
            progress.note("geen --osm opgegeven: geen groen, voorzieningen of looppaden")
            job.inputs.notes.append(
                "geen OpenStreetMap-uittreksel: geef --osm met een .osm.pbf (bijvoorbeeld de "
                "provincie van download.geofabrik.de) voor afstanden over het looppadennetwerk."
            )
        else:
            job.optional("OpenStreetMap", partial(_osm, job, osm))
    with progress.step("runbestand schrijven"):
        target = run_file or Path("uitvoer") / tag / f"{tag}_{year}.toml"
        write_run_file(job.inputs, target, Path("uitvoer") / tag)
        progress.note(str(target))
    return FetchResult(target, job.inputs)


@dataclass
class _Job:
    """What every step of one fetch needs, and the inputs it collects."""

    dl: Downloader
    ends: Endpoints
    gemeenten: list[str]
    year: int
    cache: Path
    folder: Path
    codes: set[str]
    area: shapely.Geometry
    progress: Progress
    inputs: Inputs

    def optional(self, what: str, action: Callable[[], None]) -> None:
        """Run a step whose failure leaves its source out, with a note, instead of stopping."""
        try:
            action()
        except GezondewijkError as exc:
            self.inputs.notes.append(f"{what} niet opgehaald: {exc}")
            self.progress.note(f"let op: {what} niet opgehaald: {exc}")

    def add(self, hit: Fetched) -> None:
        """Record a source and report it."""
        self.inputs.sources.append(hit.provenance)
        self.progress.note(f"{hit.provenance.summary()}{_cached(hit)}")


def _gemeente_names(path: Path, gemeenten: list[str]) -> list[str]:
    """The gemeenten's names as the wijk- en buurtkaart gives them (else their codes)."""
    import pyogrio

    info = pyogrio.read_info(path)
    if "gemeentenaam" not in list(info["fields"]):
        return gemeenten
    frame = pyogrio.read_dataframe(path, columns=["gemeentenaam"], read_geometry=False)
    names = sorted(set(frame["gemeentenaam"].dropna().astype(str)))
    return names or gemeenten


def _cached(fetched: object) -> str:
    return " (uit de cache)" if getattr(fetched, "from_cache", False) else ""


def _statline(job: _Job, kind: statline.TableKind) -> None:
    base = job.ends.cbs
    path = job.folder / f"{kind.name}.csv"
    hit = job.dl.cached(path, where=f"{base}/ODataCatalog/Tables ('{kind.title}')")
    if hit is None:
        table = statline.pick_year(statline.find_tables(job.dl, base, kind), job.year, kind)
        rows = statline.fetch_rows(job.dl, table, kind, job.gemeenten)
        if rows.missing:
            job.inputs.notes.append(rows.missing_note())
            job.progress.note(f"let op: {rows.missing_note()}")
        periods = rows.periods()
        if len(periods) > 1:  # SES-WOA has several years in one table: the newest up to `year`
            usable = [p for p in periods if p[:4].isdigit() and int(p[:4]) <= job.year]
            rows = rows.for_period(max(usable or periods))
        data_year = int(rows.periods()[-1][:4]) if rows.periods() else table.year
        hit = rows.store(job.dl, path, _record("cbs", table.title, data_year))
    _report_join(job, hit.provenance.bron, path)
    job.inputs.tables.append((kind.name, hit.path))
    job.add(hit)


def _report_join(job: _Job, title: str, path: Path) -> None:
    """How many of the buurten the table has: buurt codes change between years."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    key = next((c for c in frame.columns if c in ("WijkenEnBuurten", "RegioS")), frame.columns[0])
    missing = sorted(job.codes - {c.strip() for c in frame[key]})
    text = f"{title}: {len(job.codes) - len(missing)} van {len(job.codes)} buurten"
    if missing:
        more = " …" if len(missing) > 5 else ""
        text += f" (niet: {', '.join(missing[:5])}{more}; andere buurtindeling?)"
        job.inputs.notes.append(text)
    job.progress.note(text)


def _rivm_health(job: _Job) -> None:
    dl = job.dl
    cached = sorted(job.folder.glob("rivm_*.csv"))
    hits = [h for h in (dl.cached(p, where=job.ends.cbs_derden) for p in cached) if h is not None]
    tables = health.HealthTables(hits)
    if not hits:
        tables = health.fetch_health_tables(
            dl,
            job.ends.cbs_derden,
            job.gemeenten,
            job.folder,
            lambda title, year: _record("rivm_gezondheid", title, year),
        )
        for line in tables.summaries:
            job.progress.note(line)
        for note in tables.notes:
            job.inputs.notes.append(note)
            job.progress.note(f"let op: {note}")
    # the run takes one table and year; every other year and table stays in the cache for
    # monitoring (gezondewijk monitor)
    chosen = tables.chosen(job.year)
    _report_join(job, chosen.provenance.bron, chosen.path)
    job.inputs.tables.append(("rivm", chosen.path))
    job.inputs.sources.extend(h.provenance for h in tables.files)
    others = sorted(h.path.name for h in tables.files if h is not chosen)
    job.progress.note(
        f"in de run: {chosen.provenance.summary()}; voor monitoring ook {', '.join(others)}"
    )


def _grids(job: _Job) -> None:
    dl, gcn_folder = job.dl, job.cache / "gcn"
    years: dict[str, list[int]] | None = None

    def one(variable: str) -> None:
        nonlocal years
        if years is None and not dl.offline and not any(gcn_folder.glob("conc_*.asc")):
            years = rivm.gcn_years(dl, job.ends.rivm_gcn)
        title = f"RIVM GCN {_LABELS[variable]} jaargemiddelde"
        hit = rivm.fetch_gcn(
            dl,
            job.ends.rivm_gcn,
            variable,
            job.year,
            gcn_folder,
            _record("rivm", title, None),
            years,
        )
        job.inputs.rasters.append((variable, hit.path, hit.provenance.jaar))
        job.add(hit)

    for variable in rivm.GCN_SUBSTANCES:
        job.optional(f"GCN {variable}", partial(one, variable))

    def noise() -> None:
        minx, miny, maxx, maxy = shapely.buffer(job.area, 500).bounds
        hit = rivm.fetch_noise(
            dl,
            job.ends.rivm_alo_wcs,
            (minx, miny, maxx, maxy),
            job.year,
            job.folder / "geluid_lden.tif",
            _record("rivm", "RIVM Atlas Leefomgeving geluidkaart Lden", None),
        )
        job.inputs.rasters.append(("noise_lden", hit.path, hit.provenance.jaar))
        job.add(hit)

    job.optional("geluidkaart (Atlas Leefomgeving)", noise)


def _osm(job: _Job, osm: str) -> None:
    from gezondewijk.fetch.osm import fetch_osm_layers

    job.progress.note(f"{osm}: lezen en knippen (een provincie-uittreksel duurt een minuut)")
    hit, counts = fetch_osm_layers(
        job.dl, osm, job.area, job.folder / "osm.gpkg", _record("osm", "", None)
    )
    job.inputs.osm = hit.path
    job.inputs.osm_layers = counts
    job.inputs.sources.append(hit.provenance)
    text = ", ".join(f"{k} {v}" for k, v in counts.items())
    job.progress.note(f"{hit.provenance.summary()}: {text}{_cached(hit)}")

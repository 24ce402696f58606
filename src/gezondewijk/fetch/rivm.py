"""RIVM grids: GCN air quality (zipped ESRI ASCII) and Atlas Leefomgeving noise (WCS).

- GCN (Grootschalige Concentratiekaarten Nederland): ``conc_<STOF>_<year>.zip`` files in one
  folder; the folder listing says which years exist (the newest that is not a prognosis is
  taken), the zip holds a 1 km ESRI ASCII grid in RD New without a CRS.
- Noise (Lden, road traffic or all sources): a coverage of the Atlas Leefomgeving WCS 2.0.1;
  the capabilities list the coverages (``…_Geluid_lden_wegverkeer_<year>``), the gemeente's
  box is cut out with ``subset=X(…)&subset=Y(…)`` as a GeoTIFF.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from gezondewijk._errors import InputDataError, NotCachedError
from gezondewijk.fetch.http import Downloader, Fetched, NotFound, conditional_headers
from gezondewijk.provenance import Provenance, read_sidecar

#: gezondewijk variable → the GCN substance code in file names.
GCN_SUBSTANCES = {"no2": "NO2", "pm25": "PM25", "pm10": "PM10"}
_LISTING = re.compile(r'href="(?:[^"]*/)?conc_([A-Za-z0-9]+)_(\d{4})\.zip"')
#: Where a user gets the noise map by hand when the WCS does not offer it.
NOISE_DOWNLOAD = (
    "Atlas Leefomgeving, kaart 'Geluid in Nederland' (https://www.atlasleefomgeving.nl, "
    "'Wil je de gegevens gebruiken?' → Nationaal Georegister, "
    "https://www.nationaalgeoregister.nl, zoek 'Geluid in Nederland Lden')"
)
_NOISE = re.compile(r"Geluid_lden_(wegverkeer|allebronnen)_(\d{4})$", re.IGNORECASE)


def gcn_years(dl: Downloader, base: str) -> dict[str, list[int]]:
    """Years per substance in the GCN folder listing (prognosis years included)."""
    response = dl.get(f"{base}/")
    years: dict[str, list[int]] = {}
    for substance, year in _LISTING.findall(response.text):
        years.setdefault(substance.upper(), []).append(int(year))
    return {k: sorted(set(v)) for k, v in years.items()}


def fetch_gcn(
    dl: Downloader,
    base: str,
    variable: str,
    year: int,
    folder: Path,
    record: Provenance,
    years: dict[str, list[int]] | None = None,
) -> Fetched:
    """Fetch the newest GCN grid of ``variable`` for ``year`` or before, unzipped.

    Raises
    ------
    InputDataError
        When the folder lists no grid of that substance up to ``year``, or the zip holds no
        ``.asc`` grid.
    """
    substance = GCN_SUBSTANCES[variable]
    pattern = f"conc_{substance.lower()}_*.asc"
    for path in sorted(folder.glob(pattern), reverse=True):
        file_year = int(path.stem.rsplit("_", 1)[-1])
        hit = dl.cached(path, where=f"{base}/") if file_year <= year else None
        if hit is not None:
            return hit
    if dl.offline:
        raise NotCachedError(
            f"--offline: geen {substance}-raster van {year} of eerder in {folder} "
            f"({pattern}). Haal het op zonder --offline, of download conc_{substance}_<jaar>.zip "
            f"van {base}/ en zet het .asc-bestand uit de zip in die map."
        )
    years = years if years is not None else gcn_years(dl, base)
    usable = [y for y in years.get(substance, []) if y <= year]
    if not usable:
        raise InputDataError(
            f"RIVM GCN heeft geen {substance}-kaart voor {year} of eerder "
            f"(wel: {years.get(substance, [])}).",
            path=f"{base}/",
            fix="kies een ander jaar, of geef zelf een raster op in het runbestand.",
        )
    chosen = max(usable)
    url = f"{base}/conc_{substance}_{chosen}.zip"
    target = folder / f"conc_{substance.lower()}_{chosen}.asc"
    old = read_sidecar(target)
    response = dl.get(url, headers=conditional_headers(old))
    if response.status_code == 304 and old is not None:
        return dl.keep(target, old)
    try:
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        name = next(n for n in archive.namelist() if n.lower().endswith(".asc"))
        grid = archive.read(name)
    except (zipfile.BadZipFile, StopIteration) as exc:
        raise InputDataError(
            "het GCN-bestand is geen zip met een .asc-raster.",
            path=url,
            fix="probeer het later opnieuw, of download het zelf van www.rivm.nl/gcn-gdn-kaarten.",
        ) from exc
    record.url = url
    record.tabel = f"conc_{substance}_{chosen}"
    record.jaar = chosen
    record.etag = response.headers.get("ETag")
    record.last_modified = response.headers.get("Last-Modified")
    return dl.store(target, grid, record)


def noise_coverages(dl: Downloader, wcs: str) -> list[tuple[str, str, int]]:
    """(coverage id, source kind, year) of every Lden noise coverage the WCS lists."""
    params = {"service": "WCS", "version": "2.0.1", "request": "GetCapabilities"}
    response = dl.get(wcs, params)
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError as exc:
        raise InputDataError(
            "de capabilities van de WCS zijn geen geldige XML.", path=wcs, fix=str(exc)
        ) from exc
    out = []
    for elem in root.iter():
        if elem.tag.endswith("CoverageId") and elem.text:
            match = _NOISE.search(elem.text.strip())
            if match:
                out.append((elem.text.strip(), match.group(1).lower(), int(match.group(2))))
    return out


def fetch_noise(
    dl: Downloader,
    wcs: str,
    bbox: tuple[float, float, float, float],
    year: int,
    path: Path,
    record: Provenance,
) -> Fetched:
    """Cut the newest road-traffic Lden map (else all sources) of ``year`` or before.

    Raises
    ------
    InputDataError
        When the WCS lists no noise coverage up to ``year``, or answers with an exception
        report instead of a GeoTIFF.
    """
    hit = dl.cached(path, where=wcs)
    if hit is not None:
        return hit
    offered = noise_coverages(dl, wcs)
    coverages = [c for c in offered if c[2] <= year]
    if not coverages:
        later = sorted({c[2] for c in offered})
        raise InputDataError(
            f"de capabilities van de WCS noemen geen geluidkaart (Lden) voor {year} of eerder"
            + (f" (wel voor {', '.join(map(str, later))})" if later else "")
            + ": of RIVM de geluidkaarten als WCS-coverage aanbiedt is niet zeker.",
            path=wcs,
            fix=f"download de kaart zelf als zip (GeoTIFF): {NOISE_DOWNLOAD}; pak het .tif-"
            "bestand uit en geef het op in het runbestand ([[rasters]] variable = "
            '"noise_lden", path = …).',
        )
    # road traffic first (the WHO 2018 guideline of the preset is for road traffic), newest
    # year, newest release (the date in the coverage name)
    coverage = max(coverages, key=lambda c: (c[1] == "wegverkeer", c[2], c[0]))
    minx, miny, maxx, maxy = bbox
    params = [
        ("service", "WCS"),
        ("version", "2.0.1"),
        ("request", "GetCoverage"),
        ("coverageId", coverage[0]),
        ("format", "image/tiff"),
        ("subset", f"X({minx:.0f},{maxx:.0f})"),
        ("subset", f"Y({miny:.0f},{maxy:.0f})"),
    ]
    try:
        response = dl.get(wcs, params)
    except NotFound as exc:
        raise InputDataError(
            f"geluidkaart {coverage[0]} bestaat niet meer ({exc}).",
            path=wcs,
            fix="haal opnieuw op met --vernieuw.",
        ) from exc
    data = response.content
    if data[:4] not in (b"II*\x00", b"MM\x00*"):
        text = data[:300].decode("utf-8", "replace")
        raise InputDataError(
            f"de WCS gaf geen GeoTIFF maar: {text}",
            path=wcs,
            fix="controleer het gebied (RD New) en probeer het later opnieuw.",
        )
    record.url = wcs
    record.tabel = coverage[0]
    record.jaar = coverage[2]
    record.query = {k: v for k, v in params if k != "subset"} | {
        "subset": f"X({minx:.0f},{maxx:.0f}) Y({miny:.0f},{maxy:.0f})"
    }
    return dl.store(path, data, record)

"""Where every input file came from: a ``<file>.bron.json`` beside it, and one record per file.

``gezondewijk fetch`` writes the record when it downloads a file (URL, table id, query,
retrieval time, data year, licence, attribution, SHA-256); the pipeline reads it back for each
input of a run, so it travels into the GeoPackage ``over`` and ``bronnen`` tables, the HTML map
credits and the fact sheets. A local file without a record gets a minimal one (its name and
checksum).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

SIDECAR_SUFFIX = ".bron.json"


@dataclass
class Provenance:
    """The origin of one input file.

    Attributes
    ----------
    bron
        What it is, for people: ``"CBS Kerncijfers wijken en buurten 2024"``.
    uitgever
        Publisher: CBS, PDOK, RIVM, OpenStreetMap…
    url
        The address it was fetched from (the first page for a paged service).
    tabel
        Table or collection id (``85984NED``, ``wijken-en-buurten-2024/buurten``), if any.
    query
        The query parameters that selected the data (gemeente, filter, period…).
    opgehaald
        Retrieval time, ISO 8601 in UTC.
    jaar
        Reference year of the data.
    licentie
        Licence as the publisher states it.
    naamsvermelding
        The attribution text to show with any output (``"Bron: CBS"``).
    sha256
        Checksum of the file as stored.
    bestand
        File name.
    etag, last_modified
        Validators for conditional requests on the next refresh, where the server sent them.
    """

    bron: str
    uitgever: str
    url: str = ""
    tabel: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    opgehaald: str = ""
    jaar: int | None = None
    licentie: str = ""
    naamsvermelding: str = ""
    sha256: str = ""
    bestand: str = ""
    etag: str | None = None
    last_modified: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The record as a plain dictionary (JSON and tables)."""
        return asdict(self)

    def summary(self) -> str:
        """One line: what, year, publisher, licence, when."""
        year = f" ({self.jaar})" if self.jaar else ""
        day = self.opgehaald[:10]
        when = f", opgehaald {day[8:10]}-{day[5:7]}-{day[:4]}" if len(day) == 10 else ""
        licence = f", {self.licentie}" if self.licentie else ""
        table = f" [{self.tabel}]" if self.tabel else ""
        return f"{self.bron}{year}{table} — {self.uitgever}{licence}{when}"


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_of(path: Path) -> Path:
    """The provenance file that belongs to ``path``."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    A reader sees the old file or the whole new one, never half of it (``os.replace`` is
    atomic on one file system).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_sidecar(path: Path, record: Provenance) -> None:
    """Store the provenance of ``path`` beside it (after the file itself is in place)."""
    record.sha256 = sha256_of(path)
    record.bestand = path.name
    text = json.dumps(record.as_dict(), ensure_ascii=False, indent=2)
    atomic_write(sidecar_of(path), text.encode("utf-8"))


def read_sidecar(path: Path) -> Provenance | None:
    """The stored provenance of ``path``, or ``None`` when there is none or it does not match.

    A record whose checksum differs from the file (the file was changed or damaged after it
    was fetched) is not trusted.
    """
    side = sidecar_of(path)
    if not side.is_file() or not path.is_file():
        return None
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
        record = Provenance(**data)
    except (ValueError, TypeError):
        return None
    if record.sha256 and record.sha256 != sha256_of(path):
        return None
    return record


def provenance_of(path: Path, *, what: str = "lokaal bestand") -> Provenance:
    """The record for an input of a run: the stored one, or a minimal one for a local file."""
    record = read_sidecar(path)
    if record is not None:
        return record
    return Provenance(
        bron=path.name,
        uitgever=what,
        sha256=sha256_of(path) if path.is_file() else "",
        bestand=path.name,
    )

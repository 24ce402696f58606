"""OpenStreetMap for a gemeente: clip a (province) extract once and cache the layers."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import shapely

from gezondewijk.fetch.http import Downloader, Fetched
from gezondewijk.provenance import Provenance, sha256_of
from gezondewijk.sources.osm import read_osm, write_osm_layers

BUFFER_M = 1000.0


def fetch_osm_layers(
    dl: Downloader, osm: str, area: shapely.Geometry, path: Path, record: Provenance
) -> tuple[Fetched, dict[str, int]]:
    """Clip green, GPs, supermarkets, schools and walkable ways to the area plus 1 km.

    Parameters
    ----------
    osm
        A local ``.osm.pbf`` / ``.osm`` / ``.osm.gz``, or an ``http(s)`` URL of one (downloaded
        into the cache first, e.g. a Geofabrik province extract).
    area
        The gemeenten (RD New).
    path
        Where the GeoPackage of layers goes.

    Returns
    -------
    tuple
        The cached GeoPackage and the number of objects per layer.
    """
    hit = dl.cached(path, where=f"een OpenStreetMap-uittreksel (.osm.pbf) via --osm: {osm}")
    if hit is None:
        if osm.startswith(("http://", "https://")):
            name = osm.rstrip("/").rsplit("/", 1)[-1] or "extract.osm.pbf"
            source = Provenance(
                bron=f"OpenStreetMap-uittreksel {name}",
                uitgever="OpenStreetMap",
                licentie=record.licentie,
                naamsvermelding=record.naamsvermelding,
            )
            local = dl.fetch_file(osm, dl.cache / "osm" / name, source).path
        else:
            local = Path(osm)
        layers = read_osm(local, clip=area, buffer_m=BUFFER_M)
        tmp = write_osm_layers(layers, path.with_name(f".{path.name}.part.gpkg"))
        record.bron = f"OpenStreetMap-uittreksel {Path(local).name}"
        record.url = osm
        record.jaar = layers.newest.year if layers.newest else None
        record.query = {
            "uitsnede": f"gemeenten + {BUFFER_M:.0f} m",
            "bron_sha256": sha256_of(local),
        }
        if layers.newest:
            record.notes = [f"nieuwste object {layers.newest.date().isoformat()}"]
        hit = dl.adopt(tmp, path, record)
    counts = {
        str(name): int(pyogrio.read_info(hit.path, layer=str(name))["features"])
        for name in pyogrio.list_layers(hit.path)[:, 0]
    }
    return hit, counts

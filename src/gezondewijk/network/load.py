"""Read a walking network from a line layer or an OpenStreetMap extract."""

from __future__ import annotations

from pathlib import Path

import shapely

from gezondewijk._errors import InputDataError
from gezondewijk.network.graph import NodeAt, WalkNetwork, network_from_lines
from gezondewijk.sources._tables import unknown_column
from gezondewijk.sources.buurten import read_vector

OSM_SUFFIXES = (".pbf", ".osm", ".gz", ".bz2", ".o5m")


def is_osm_file(path: str | Path) -> bool:
    """Whether a path names an OpenStreetMap extract (PBF or XML) rather than a GIS layer."""
    name = Path(path).name.lower()
    return name.endswith(OSM_SUFFIXES) and not name.endswith((".geojson.gz", ".gpkg.gz"))


def read_walk_network(
    path: str | Path,
    *,
    layer: str | None = None,
    exclude: dict[str, list[str]] | None = None,
    node_at: NodeAt = "shared-vertices",
    clip: shapely.Geometry | None = None,
    buffer_m: float = 1000.0,
) -> WalkNetwork:
    """Read lines and build the largest connected walking network.

    Parameters
    ----------
    path
        A line layer (GeoPackage, GeoJSON, shapefile; any CRS) or an OpenStreetMap extract.
    layer
        Layer name in a GeoPackage with several layers.
    exclude
        Leave out lines whose attribute has one of the listed values, e.g. motorways:
        ``{"highway": ["motorway", "trunk"]}``. A filter on an attribute the layer does not
        have is ignored for the default and an error when given by the user.
    node_at
        See :func:`gezondewijk.network.network_from_lines`.
    clip, buffer_m
        Keep only lines within ``buffer_m`` of this area (RD New).

    Raises
    ------
    InputDataError
        For a missing file, a filter on an absent attribute, or no lines left.
    """
    if is_osm_file(path):
        from gezondewijk.sources.osm import read_osm

        frame = read_osm(path, clip=clip, buffer_m=buffer_m).walk
    else:
        frame = read_vector(path, layer=layer, what="looppadenlaag")
        for field, values in (exclude or {}).items():
            if field not in frame:
                if field == "highway":
                    continue
                problem = "filterveld ontbreekt / filter field missing."
                raise unknown_column(problem, frame, path=Path(path), field=field)
            frame = frame[~frame[field].astype(str).isin(values)]
        if clip is not None:
            region = shapely.buffer(clip, buffer_m)
            frame = frame[shapely.intersects(frame.geometry.to_numpy(), region)]
    lines = frame.geometry.to_numpy()
    if len(lines) == 0:
        raise InputDataError(
            "geen looppaden in het gebied van de buurten.",
            path=path,
            fix="controleer of de lijnenlaag de gemeente dekt en in welk coördinatenstelsel.",
        )
    network = network_from_lines(lines, node_at=node_at, source=str(path))
    return network.largest_component()

"""OpenStreetMap extracts (PBF, OSM XML, gzipped XML): green, amenities and the walking network.

Read with pyosmium (the ``osmium`` package, Python bindings of libosmium, maintained by the
OpenStreetMap core developers). It reads PBF and XML alike, assembles multipolygon relations
into areas, and its tag filters run in C++ before anything reaches Python, so a province
extract is read in one pass. pyrosm and QuackOSM read PBF only (the XML exports from
openstreetmap.org would need converting first), and QuackOSM brings DuckDB along.

Tag rules (each a data table below, so they can be read and changed in one place):

- green: ``leisure=park|nature_reserve|common``, ``landuse=forest|grass|recreation_ground|
  village_green``, ``natural=wood|heath``, not ``access=private|no``; an object with several
  green tags (``leisure=park`` + ``landuse=grass``) is one area, counted once;
- huisarts (GP): ``amenity=doctors`` or ``healthcare=doctor``, except where
  ``healthcare:speciality`` names a specialism other than ``general``;
- supermarket: ``shop=supermarket``;
- basisschool (primary school): ``amenity=school``, except where ``isced:level`` is given
  without level 0/1 or ``school`` says ``secondary``;
- speelplek (play area): ``leisure=playground``; zitplek (seat): ``amenity=bench``;
- sport (kinds of sports facility, for RIVM's rule "three kinds within 1.5 km"): the
  ``leisure`` values of :data:`SPORT_KINDS`, not ``access=private|no``. Which values make a
  kind is our reading, not RIVM's (its report was not read);
- voedsel (food outlets), *ongezond* or *vers* by :data:`FOOD_TAGS`: our approximation of the
  Pointer/Locatus grouping (``../shared/reference/dutch-methods/food.md`` §4), not an official
  method; OSM under-maps snack bars and ice-cream parlours, so counts are not comparable
  with Locatus figures;
- school (every ``amenity=school``, with ``niveau`` basisschool / voortgezet / onbekend), the
  reference points for food near schools;
- walking network: ``highway`` ways that pedestrians may use. As OSMnx's ``walk`` filter:
  no motorways, construction, proposed, raceways, bus guideways or platforms, nothing with
  ``foot=no`` or ``access=private|no`` (unless ``foot=yes|designated|permissive``). Unlike
  OSMnx, cycleways stay in: Dutch traffic law lets pedestrians use the cycle path where there
  is no footway (RVV 1990, art. 4 lid 3). Trunk roads (autowegen) are out unless ``foot`` allows.
  Areas and points that are amenities are represented by a point inside them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

from gezondewijk._errors import InputDataError
from gezondewijk.crs import RD_NEW, WGS84
from gezondewijk.sources._tables import check_file

GREEN_TAGS: dict[str, frozenset[str]] = {
    "leisure": frozenset({"park", "nature_reserve", "common"}),
    "landuse": frozenset({"forest", "grass", "recreation_ground", "village_green"}),
    "natural": frozenset({"wood", "heath"}),
}
NO_ACCESS = frozenset({"private", "no"})
FOOT_OK = frozenset({"yes", "designated", "permissive"})
NOT_WALKABLE = frozenset(
    {
        "motorway",
        "motorway_link",
        "construction",
        "proposed",
        "planned",
        "abandoned",
        "razed",
        "raceway",
        "bus_guideway",
        "busway",
        "platform",
        "no",
    }
)
TRUNK = frozenset({"trunk", "trunk_link"})
AMENITY_LAYERS = ("huisarts", "supermarkt", "basisschool")
#: Layers of points beside the amenities: play areas, seats, sports facilities, food, schools.
POINT_LAYERS = ("speelplek", "zitplek", "sport", "voedsel", "school")
#: ``leisure`` value → kind of sports facility (ours; sports_hall and sports_centre are one).
SPORT_KINDS: dict[str, str] = {
    "pitch": "sportveld",
    "sports_centre": "sporthal of sportcentrum",
    "sports_hall": "sporthal of sportcentrum",
    "swimming_pool": "zwembad",
    "fitness_centre": "fitnesscentrum",
    "fitness_station": "buitenfitness",
    "track": "atletiek- of wielerbaan",
    "ice_rink": "ijsbaan",
    "stadium": "stadion",
}
#: ``(key, value)`` → ``(soort, groep)`` of a food outlet; groep is ``ongezond`` or ``vers``
#: (the issue's grouping after Pointer/Locatus; our approximation, see the module notes).
FOOD_TAGS: dict[tuple[str, str], tuple[str, str]] = {
    ("amenity", "fast_food"): ("fastfood of snackbar", "ongezond"),
    ("amenity", "ice_cream"): ("ijssalon", "ongezond"),
    ("shop", "ice_cream"): ("ijssalon", "ongezond"),
    ("shop", "confectionery"): ("zoetwaren", "ongezond"),
    ("shop", "chocolate"): ("zoetwaren", "ongezond"),
    ("shop", "greengrocer"): ("groenteboer", "vers"),
    ("amenity", "marketplace"): ("markt", "vers"),
    ("shop", "supermarket"): ("supermarkt", "vers"),
}
_KEYS = ("highway", "leisure", "landuse", "natural", "amenity", "shop", "healthcare")


@dataclass
class OsmLayers:
    """The layers gezondewijk takes from an OpenStreetMap extract, in RD New.

    Attributes
    ----------
    green
        Green areas (polygons) with ``osm_id``, ``soort`` (the tag value), ``naam``,
        ``oppervlakte_ha``.
    amenities
        Points per kind (``huisarts``, ``supermarkt``, ``basisschool``) with ``osm_id``,
        ``naam``.
    points
        Points per layer of :data:`POINT_LAYERS`, with ``osm_id``, ``naam`` and ``soort``
        (sport: the kind; voedsel: the kind, plus ``groep`` ongezond/vers; school: ``niveau``).
    green_connected
        Green areas that touch or overlap merged into one, kept from 1 ha (RIVM's "aaneengesloten
        groen van minimaal één hectare"), with ``oppervlakte_ha``.
    walk
        Walkable ways as LineStrings with ``osm_id``, ``highway``, ``naam``; junctions are the
        vertices ways share (OSM nodes).
    newest
        Newest object timestamp in the extract (the data date), where the file has metadata.
    """

    green: gpd.GeoDataFrame
    amenities: dict[str, gpd.GeoDataFrame]
    walk: gpd.GeoDataFrame
    newest: datetime | None = None
    points: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    green_connected: gpd.GeoDataFrame | None = None

    def counts(self) -> dict[str, int]:
        """Number of objects per layer."""
        out = {"groen": len(self.green), "looppaden": len(self.walk)}
        out.update({k: len(v) for k, v in self.amenities.items()})
        out.update({k: len(v) for k, v in self.points.items()})
        return out


def is_green(tags: dict[str, str]) -> str | None:
    """The green kind of an OSM object (``park``, ``forest``...) or ``None``."""
    if tags.get("access") in NO_ACCESS:
        return None
    for key, values in GREEN_TAGS.items():
        if tags.get(key) in values:
            return tags[key]
    return None


def amenity_kind(tags: dict[str, str]) -> str | None:
    """``huisarts``, ``supermarkt``, ``basisschool`` or ``None`` for an OSM object's tags."""
    if tags.get("shop") == "supermarket":
        return "supermarkt"
    if tags.get("amenity") == "doctors" or tags.get("healthcare") == "doctor":
        speciality = tags.get("healthcare:speciality")
        if speciality is None or "general" in speciality:
            return "huisarts"
        return None
    if tags.get("amenity") == "school":
        levels = tags.get("isced:level")
        if levels is not None and not any(c in levels for c in "01"):
            return None
        if tags.get("school") == "secondary":
            return None
        return "basisschool"
    return None


def point_kinds(tags: dict[str, str]) -> list[tuple[str, str, str]]:
    """The point layers an OSM object belongs to, as ``(layer, soort, groep)``.

    An object can be in several (a supermarket is a ``voedsel`` outlet too).
    """
    out: list[tuple[str, str, str]] = []
    leisure = tags.get("leisure", "")
    if leisure == "playground":
        out.append(("speelplek", "speelplek", ""))
    if tags.get("amenity") == "bench":
        out.append(("zitplek", "bank", ""))
    if leisure in SPORT_KINDS and tags.get("access") not in NO_ACCESS:
        out.append(("sport", SPORT_KINDS[leisure], ""))
    for (key, value), (soort, groep) in FOOD_TAGS.items():
        if tags.get(key) == value:
            out.append(("voedsel", soort, groep))
            break
    if tags.get("amenity") == "school":
        out.append(("school", school_level(tags), ""))
    return out


def school_level(tags: dict[str, str]) -> str:
    """``basisschool``, ``voortgezet`` or ``onbekend`` for an ``amenity=school``."""
    if amenity_kind(tags) == "basisschool" and (
        "isced:level" in tags or tags.get("school") == "primary"
    ):
        return "basisschool"
    levels = tags.get("isced:level", "")
    if tags.get("school") == "secondary" or any(c in levels for c in "23"):
        return "voortgezet"
    return "onbekend"


def is_walkable(tags: dict[str, str]) -> bool:
    """Whether a ``highway`` way may be walked (see the module notes for the rules)."""
    highway = tags.get("highway")
    if highway is None or highway in NOT_WALKABLE:
        return False
    foot = tags.get("foot")
    if foot == "no":
        return False
    if foot in FOOT_OK:
        return True
    if highway in TRUNK:
        return False
    return tags.get("access") not in NO_ACCESS


def read_osm(
    path: str | Path,
    *,
    clip: shapely.Geometry | None = None,
    buffer_m: float = 1000.0,
    green_min_area_ha: float = 0.0,
) -> OsmLayers:
    """Read green areas, GPs, supermarkets, schools and the walking network from an extract.

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.osm`` or ``.osm.gz`` (as Geofabrik, osmium-tool or the
        openstreetmap.org export write them).
    clip
        Area of interest in RD New (the gemeente, or the union of the buurten); objects are
        kept where they touch it after growing it by ``buffer_m``. ``None`` keeps everything.
    buffer_m
        How far beyond ``clip`` to keep objects: a park or supermarket just across the
        municipal border still counts as the nearest one.
    green_min_area_ha
        Keep only green areas of at least this size (the preset's 0.5 ha for 3-30-300).

    Raises
    ------
    InputDataError
        When the file is missing or not an OSM file, or nothing walkable is in the area.
    """
    p = check_file(path, what="OpenStreetMap-bestand")
    try:
        objects = list(_scan(p))
    except (RuntimeError, OSError) as exc:
        raise InputDataError(
            f"dit is geen leesbaar OpenStreetMap-bestand ({exc}).",
            path=p,
            fix="geef een .osm.pbf, .osm of .osm.gz, bijvoorbeeld een provincie van Geofabrik.",
        ) from exc
    to_rd = Transformer.from_crs(WGS84, RD_NEW, always_xy=True)
    region = None if clip is None else shapely.buffer(clip, buffer_m)
    newest = max((o.timestamp for o in objects if o.timestamp is not None), default=None)

    green_rows = [o for o in objects if o.kind == "green"]
    green = _polygons(green_rows, to_rd, region)
    connected = connected_green(green)
    if len(green):
        green["oppervlakte_ha"] = green.geometry.area / 10_000.0
        green = green[green["oppervlakte_ha"] >= green_min_area_ha].reset_index(drop=True)
    points = {}
    for name in POINT_LAYERS:
        rows = [o for o in objects if o.kind == name]
        frame = _points(rows, to_rd, None)
        frame["soort"] = [o.soort for o in rows]
        if name == "voedsel":
            frame["groep"] = [o.groep for o in rows]
        if region is not None and len(frame):
            frame = frame[shapely.intersects(frame.geometry.to_numpy(), region)]
        key = ["osm_id", "soort"] if name == "voedsel" else ["osm_id"]
        points[name] = frame.drop_duplicates(key).reset_index(drop=True)
    amenities = {
        name: _points([o for o in objects if o.kind == name], to_rd, region)
        for name in AMENITY_LAYERS
    }
    walk = _lines([o for o in objects if o.kind == "walk"], to_rd, region)
    if walk.empty:
        raise InputDataError(
            "geen looppaden (highway=…) in het gebied gevonden.",
            path=p,
            fix="controleer of het uittreksel de gemeente dekt (en met welke bbox het gemaakt is).",
        )
    return OsmLayers(
        green=green,
        amenities=amenities,
        walk=walk,
        newest=newest,
        points=points,
        green_connected=connected,
    )


def connected_green(green: gpd.GeoDataFrame, min_area_ha: float = 1.0) -> gpd.GeoDataFrame:
    """Green areas that touch or overlap merged into one, kept from ``min_area_ha``.

    A path through a park does not split it in OSM (the park is one polygon); a street
    between two parks does (two polygons that do not touch).
    """
    if green.empty:
        return gpd.GeoDataFrame({"oppervlakte_ha": []}, geometry=[], crs=RD_NEW)
    merged = shapely.get_parts(shapely.union_all(green.geometry.to_numpy()))
    areas = shapely.area(merged) / 10_000.0
    keep = areas >= min_area_ha
    return gpd.GeoDataFrame(
        {"oppervlakte_ha": areas[keep]}, geometry=merged[keep], crs=RD_NEW
    ).reset_index(drop=True)


@dataclass
class _Object:
    kind: str
    osm_id: str
    tags: dict[str, str]
    wkb: bytes | None = None
    lonlat: np.ndarray | None = None
    timestamp: datetime | None = None
    soort: str = ""
    groep: str = ""


def _scan(path: Path) -> Iterator[_Object]:
    """One pass over the file; only objects with a tag of interest reach Python."""
    import osmium

    wkb = osmium.geom.WKBFactory()
    fp = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas(osmium.filter.KeyFilter(*_KEYS[1:]))
        .with_filter(osmium.filter.KeyFilter(*_KEYS))
    )
    obj: Any
    for obj in fp:
        tags = dict(obj.tags)
        stamp = _stamp(obj)
        if obj.is_area():
            prefix = "w" if obj.from_way() else "r"
            ident = f"{prefix}{obj.orig_id()}"
            green = is_green(tags)
            amenity = amenity_kind(tags)
            kinds = [(k, "", "") for k in ("green" if green else None, amenity) if k]
            kinds += point_kinds(tags)
            if not kinds:
                continue
            try:
                geom = bytes.fromhex(wkb.create_multipolygon(obj))
            except RuntimeError:  # broken multipolygon in the source data
                continue
            for kind, soort, groep in kinds:
                yield _Object(
                    kind, ident, tags, wkb=geom, timestamp=stamp, soort=soort, groep=groep
                )
        elif obj.is_way():
            if is_walkable(tags):
                try:
                    coords = np.array([(n.lon, n.lat) for n in obj.nodes], dtype="float64")
                except osmium.InvalidLocationError:
                    continue  # ways whose nodes were cut off by the extract's bbox
                if len(coords) >= 2:
                    yield _Object("walk", f"w{obj.id}", tags, lonlat=coords, timestamp=stamp)
        elif obj.is_node() and obj.location.valid():
            amenity = amenity_kind(tags)
            kinds = [(amenity, "", "")] if amenity else []
            kinds += point_kinds(tags)
            ll = np.array([[obj.location.lon, obj.location.lat]])
            for kind, soort, groep in kinds:
                yield _Object(
                    kind, f"n{obj.id}", tags, lonlat=ll, timestamp=stamp, soort=soort, groep=groep
                )


def _stamp(obj: object) -> datetime | None:
    stamp = getattr(obj, "timestamp", None)
    if isinstance(stamp, datetime) and stamp.year > 1970:
        return stamp
    return None


def _frame(
    rows: list[_Object],
    geoms: np.ndarray,
    region: shapely.Geometry | None,
    extra: dict[str, object],
) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "osm_id": [r.osm_id for r in rows],
            "naam": [r.tags.get("name", "") for r in rows],
            **extra,
        },
        geometry=gpd.GeoSeries(geoms, crs=RD_NEW).to_numpy(),
        crs=RD_NEW,
    )
    if region is not None and len(frame):
        frame = frame[shapely.intersects(frame.geometry.to_numpy(), region)]
    return frame.drop_duplicates("osm_id").reset_index(drop=True)


def _project(to_rd: Transformer, lonlat: np.ndarray) -> np.ndarray:
    x, y = to_rd.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def _polygons(
    rows: list[_Object], to_rd: Transformer, region: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    geoms = shapely.from_wkb([r.wkb for r in rows]) if rows else np.empty(0, dtype=object)
    if len(geoms):
        geoms = shapely.transform(geoms, lambda xy: _project(to_rd, xy))
        geoms = shapely.make_valid(geoms)
    soort = [is_green(r.tags) or "" for r in rows]
    return _frame(rows, np.asarray(geoms), region, {"soort": soort})


def _points(
    rows: list[_Object], to_rd: Transformer, region: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    pts = []
    for r in rows:
        if r.wkb is not None:
            area = shapely.transform(shapely.from_wkb(r.wkb), lambda xy: _project(to_rd, xy))
            pts.append(shapely.point_on_surface(shapely.make_valid(area)))
        else:
            assert r.lonlat is not None
            pts.append(shapely.points(_project(to_rd, r.lonlat))[0])
    return _frame(rows, np.asarray(pts, dtype=object), region, {})


def _lines(
    rows: list[_Object], to_rd: Transformer, region: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    if not rows:
        return _frame([], np.empty(0, dtype=object), None, {"highway": []})
    counts = np.array([len(r.lonlat) for r in rows if r.lonlat is not None])
    coords = _project(to_rd, np.concatenate([r.lonlat for r in rows if r.lonlat is not None]))
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(rows)), counts))
    return _frame(rows, lines, region, {"highway": [r.tags.get("highway", "") for r in rows]})


def write_osm_layers(layers: OsmLayers, path: Path) -> Path:
    """Write the layers to one GeoPackage, the form ``gezondewijk fetch`` caches them in.

    Layers: ``groen``, ``huisarts``, ``supermarkt``, ``basisschool``, ``looppaden``, and those
    of :data:`POINT_LAYERS` and ``groen_1ha`` that have objects.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    kinds = {"groen": "MultiPolygon", "looppaden": "LineString"}
    named = [("groen", layers.green), *layers.amenities.items(), ("looppaden", layers.walk)]
    named += [(k, v) for k, v in layers.points.items() if len(v)]
    if layers.green_connected is not None and len(layers.green_connected):
        named.append(("groen_1ha", layers.green_connected))
        kinds["groen_1ha"] = "MultiPolygon"
    for name, frame in named:
        pyogrio.write_dataframe(
            frame, path, layer=name, driver="GPKG", geometry_type=kinds.get(name, "Point")
        )
    return path

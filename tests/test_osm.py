"""OpenStreetMap reader: tag rules on a hand-written extract, and the raw extracts in shared/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from gezondewijk._errors import InputDataError
from gezondewijk.network import EdgeIndex, network_from_lines
from gezondewijk.sources.osm import amenity_kind, is_green, is_walkable, read_osm, write_osm_layers
from tests.conftest import shared_path

# A tiny extract around Delft: 1e-4 degree is 6.85 m east-west and 11.13 m north-south here.
LON0, LAT0 = 4.36, 52.0


def _node(i: int, dx: float, dy: float, tags: dict[str, str] | None = None) -> str:
    tag = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in (tags or {}).items())
    lon, lat = LON0 + dx * 1e-4, LAT0 + dy * 1e-4
    stamp = 'version="1" timestamp="2025-05-01T12:00:00Z"'
    return f'<node id="{i}" {stamp} lat="{lat:.7f}" lon="{lon:.7f}">{tag}</node>'


def _way(i: int, nodes: list[int], tags: dict[str, str]) -> str:
    nds = "".join(f'<nd ref="{n}"/>' for n in nodes)
    tag = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{i}" version="1" timestamp="2025-06-01T12:00:00Z">{nds}{tag}</way>'


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nodes = [
        _node(1, 0, 0),
        _node(2, 10, 0),
        _node(3, 20, 0),
        _node(4, 10, 10),
        _node(5, 30, 0),
        # a park (square 4..8 × 2..6) that is also tagged landuse=grass: one area
        _node(10, 4, 2),
        _node(11, 8, 2),
        _node(12, 8, 6),
        _node(13, 4, 6),
        # a private garden: not public green
        _node(20, 12, 2),
        _node(21, 14, 2),
        _node(22, 14, 4),
        _node(23, 12, 4),
        _node(30, 1, 1, {"amenity": "doctors", "name": "Huisarts"}),
        _node(31, 2, 1, {"amenity": "doctors", "healthcare:speciality": "dermatology"}),
        _node(32, 3, 1, {"shop": "supermarket", "name": "Buurtsuper"}),
        _node(33, 4, 1, {"amenity": "school", "isced:level": "1"}),
        _node(34, 5, 1, {"amenity": "school", "isced:level": "2;3", "name": "Lyceum"}),
        _node(35, 6, 1, {"shop": "bakery"}),
    ]
    ways = [
        _way(100, [1, 2], {"highway": "residential"}),
        _way(101, [2, 3], {"highway": "cycleway"}),
        _way(102, [2, 4], {"highway": "footway", "foot": "no"}),
        _way(103, [3, 5], {"highway": "motorway"}),
        _way(104, [1, 4], {"highway": "trunk"}),
        _way(105, [4, 3], {"highway": "service", "access": "private", "foot": "yes"}),
        _way(110, [10, 11, 12, 13, 10], {"leisure": "park", "landuse": "grass", "name": "Park"}),
        _way(111, [20, 21, 22, 23, 20], {"leisure": "park", "access": "private"}),
    ]
    text = (
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"test\">"
        + "".join(nodes)
        + "".join(ways)
        + "</osm>\n"
    )
    path = tmp_path_factory.mktemp("osm") / "klein.osm"
    path.write_text(text, encoding="utf-8")
    return path


def test_tag_rules() -> None:
    assert is_green({"leisure": "park"}) == "park"
    assert is_green({"landuse": "meadow"}) is None  # farmland, not public green
    assert is_green({"natural": "wood", "access": "private"}) is None
    assert amenity_kind({"healthcare": "doctor", "healthcare:speciality": "general"}) == "huisarts"
    assert amenity_kind({"amenity": "school", "school": "secondary"}) is None
    assert amenity_kind({"amenity": "school", "isced:level": "0;1"}) == "basisschool"
    assert is_walkable({"highway": "cycleway"})  # RVV 1990 art. 4: no footway, use the fietspad
    assert not is_walkable({"highway": "busway"})
    assert not is_walkable({"highway": "trunk"})
    assert is_walkable({"highway": "trunk", "foot": "yes"})
    assert not is_walkable({"highway": "residential", "access": "private"})


def test_hand_written_extract(extract: Path) -> None:
    layers = read_osm(extract)
    # one park, counted once although it carries two green tags; the private garden is out
    assert layers.green["osm_id"].tolist() == ["w110"]
    assert layers.green["soort"].tolist() == ["park"]
    # 4e-4° × 4e-4°: 27.4 m × 44.5 m = 1,219 m²
    assert layers.green["oppervlakte_ha"].iloc[0] == pytest.approx(0.1219, rel=0.01)
    assert layers.amenities["huisarts"]["naam"].tolist() == ["Huisarts"]
    assert layers.amenities["supermarkt"]["osm_id"].tolist() == ["n32"]
    assert layers.amenities["basisschool"]["osm_id"].tolist() == ["n33"]
    # residential, cycleway and the private service road with foot=yes; not the footway with
    # foot=no, the motorway or the trunk road
    assert sorted(layers.walk["osm_id"]) == ["w100", "w101", "w105"]
    assert layers.newest is not None and layers.newest.year == 2025
    net = network_from_lines(layers.walk.geometry.to_numpy())
    assert net.n_nodes == 4  # nodes 1, 2, 3, 4 joined at their shared OSM nodes


def test_minimum_green_area_and_clip(extract: Path) -> None:
    assert read_osm(extract, green_min_area_ha=0.5).green.empty
    far = shapely.box(0, 300_000, 10, 300_010)  # nowhere near Delft
    with pytest.raises(InputDataError, match="geen looppaden"):
        read_osm(extract, clip=far, buffer_m=10)


def test_layers_round_trip_through_a_geopackage(extract: Path, tmp_path: Path) -> None:
    import pyogrio

    layers = read_osm(extract)
    out = write_osm_layers(layers, tmp_path / "osm.gpkg")
    names = [str(n) for n in pyogrio.list_layers(out)[:, 0]]
    assert names[:5] == ["groen", "huisarts", "supermarkt", "basisschool", "looppaden"]
    # the point layers found in the extract follow (food outlets, schools…)
    assert set(names[5:]) <= {"speelplek", "zitplek", "sport", "voedsel", "school", "groen_1ha"}
    assert len(pyogrio.read_dataframe(out, layer="looppaden")) == 3


def test_not_an_osm_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "kapot.osm.pbf"
    bad.write_bytes(b"this is not a protobuf")
    with pytest.raises(InputDataError, match="geen leesbaar OpenStreetMap-bestand"):
        read_osm(bad)


@pytest.mark.realdata
def test_tudelft_pbf_matches_its_documented_counts() -> None:
    layers = read_osm(shared_path("osm-tudelft-dsol", "tudelft.osm.pbf"))
    kinds = layers.green["soort"].value_counts().to_dict()
    # SOURCES.md (pyosmium area handler): park 3, forest 62, grass 375, recreation_ground 7,
    # wood 3
    assert kinds == {"grass": 375, "forest": 62, "recreation_ground": 7, "park": 3, "wood": 3}
    assert len(layers.amenities["huisarts"]) == 3
    assert len(layers.amenities["supermarkt"]) == 3
    # 1 school node + 3 school ways, of which 2 are secondary (isced:level 2)
    assert len(layers.amenities["basisschool"]) == 2
    net = network_from_lines(layers.walk.geometry.to_numpy()).largest_component()
    assert net.total_length_km > 100  # the "smart" extract carries whole ways beyond the bbox
    assert layers.newest is not None and str(layers.newest.date()) == "2025-08-05"


@pytest.mark.realdata
def test_amsterdam_xml_extract() -> None:
    layers = read_osm(shared_path("osm-amsterdam-centrum-rijnb", "amsterdam.osm.gz"))
    assert len(layers.amenities["supermarkt"]) == 6
    assert len(layers.amenities["huisarts"]) == 1
    assert len(layers.amenities["basisschool"]) == 2
    # the old centre is park-poor: no park of 0.5 ha in the extract
    big = layers.green[layers.green["oppervlakte_ha"] >= 0.5]
    assert big.empty
    index = EdgeIndex(network_from_lines(layers.walk.geometry.to_numpy()).largest_component())
    x, y = layers.amenities["supermarkt"].geometry.x, layers.amenities["supermarkt"].geometry.y
    snapped = index.snap(x.to_numpy(), y.to_numpy())
    assert np.all(snapped.offset < 60)  # shops front a street or square


@pytest.mark.realdata
def test_maastricht_overpass_pois_with_the_same_tag_rules() -> None:
    from gezondewijk.sources import read_features

    amenity = shared_path("osm-maastricht-pois-transitor", "amenity.geojson")
    shop = shared_path("osm-maastricht-pois-transitor", "shop.geojson")
    # SOURCES.md: doctors 3 (healthcare=doctor 3), school 27, supermarket 32 (nodes only)
    assert len(read_features(amenity, osm_kind="huisarts")) == 3
    assert len(read_features(amenity, osm_kind="basisschool")) == 27
    assert len(read_features(shop, osm_kind="supermarkt")) == 32
    # the same rules as the PBF reader: a plain tag filter agrees on GPs
    assert len(read_features(amenity, where={"amenity": ["doctors"]})) == 3

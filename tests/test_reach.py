"""What is within reach on foot: food outlets, kinds of sport, seats; OSM tag rules for them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gezondewijk.crs import RD_NEW
from gezondewijk.indicators.buurt_counts import buurt_measures, school_food
from gezondewijk.indicators.reach import Reach, kinds_within, outlets_within
from gezondewijk.network import EdgeIndex, entries_for_points, network_from_lines
from gezondewijk.network.distance import counts_within
from gezondewijk.sources.osm import amenity_kind, connected_green, point_kinds


def _comb() -> gpd.GeoSeries:
    """A street along y = 0 from x = 0 to 1000 with side streets north every 100 m (50 m)."""
    main = [shapely.LineString([(x, 0), (x + 100, 0)]) for x in range(0, 1000, 100)]
    sides = [shapely.LineString([(x, 0), (x, 50)]) for x in range(0, 1001, 100)]
    return np.array(main + sides, dtype=object)


def _points(xy: list[tuple[float, float]], **columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=shapely.points(xy), crs=RD_NEW)


def test_counts_within_walking_distance_by_hand() -> None:
    net = network_from_lines(_comb())
    index = EdgeIndex(net)
    # outlets 10 m off the main street at x = 150, 450 and 900
    outlets = _points([(150, -10), (450, -10), (900, -10)])
    entries = entries_for_points(index, *shapely.get_coordinates(outlets.geometry.values).T)
    origins = index.snap(np.array([100.0, 120.0, 500.0, 960.0]), np.array([40.0, -5.0, 0.0, 0.0]))
    got = counts_within(net, origins, entries, 400.0)
    # (100, 40): up the side street 40 m, then 50 → 150 (+10) = 100 m; 450: 40 + 350 + 10 = 400
    # (120, -5): 5 + 30 + 10 = 45 and 5 + 330 + 10 = 345; 900 far away
    # (500, 0): 50 + 10 = 60 to 450, 400 + 10 > 400 to 900, 360 to 150 → 2
    # (960, 0): 60 + 10 = 70 to 900 only
    assert got.tolist() == [2, 2, 2, 1]
    # the same along the straight line, where the network is a straight line
    straight = outlets_within(
        np.array([120.0, 960.0]), np.array([-5.0, 0.0]), outlets, Reach.of(None), 400.0
    )
    assert straight.tolist() == [2, 1]
    # chunks of one destination give the same counts (memory bound, same answer)
    assert counts_within(net, origins, entries, 400.0, chunk=1).tolist() == [2, 2, 2, 1]


def test_kinds_of_sport_within_reach() -> None:
    net = network_from_lines(_comb())
    sport = _points(
        [(100, 10), (200, 10), (300, 10), (310, 10), (990, 10)],
        soort=["sportveld", "zwembad", "sportveld", "sporthal of sportcentrum", "ijsbaan"],
    )
    kinds = kinds_within(np.array([0.0, 1000.0]), np.array([0.0, 0.0]), sport, Reach.of(net), 500)
    # from x = 0: sportveld (110), zwembad (210), sporthal (320); the ijsbaan is 1000 m away
    assert kinds.tolist() == [3, 1]  # from x = 1000 only the ijsbaan (20 m); the rest > 500 m


def test_seats_and_food_per_buurt_by_hand() -> None:
    buurten = gpd.GeoDataFrame(
        {"buurtcode": ["BU00010001", "BU00010002"], "population": [2000.0, np.nan]},
        geometry=[shapely.box(0, -100, 500, 100), shapely.box(500, -100, 1000, 100)],
        crs=RD_NEW,
    )
    streets = gpd.GeoDataFrame(geometry=_comb(), crs=RD_NEW)
    benches = _points([(50, 1), (150, 1), (250, 1), (550, 1)])
    food = _points(
        [(10, 5), (20, 5), (30, 5), (600, 5)],
        groep=["ongezond", "ongezond", "vers", "ongezond"],
        soort=["fastfood of snackbar", "ijssalon", "groenteboer", "fastfood of snackbar"],
    )
    out = buurt_measures(buurten, {"zitplek": benches, "voedsel": food}, streets)
    # each buurt: 500 m of main street + five side streets of 50 m inside it, and the side
    # street at x = 500 that runs on the border between them counts in both (50 m)
    km = np.array([0.5 + 0.25 + 0.05, 0.5 + 0.25 + 0.05])
    assert out["benches_per_km"] == pytest.approx(np.array([3, 1]) / km)
    assert out["food_unhealthy_per_1000"][0] == pytest.approx(1000 * 2 / 2000)
    assert np.isnan(out["food_unhealthy_per_1000"][1])  # no population: not a guess
    assert out["food_fresh_per_km2"].tolist() == pytest.approx([1 / 0.1, 0.0])
    schools = _points([(15, 0), (800, 0)], naam=["De Kring", "Het Lyceum"], osm_id=["n1", "n2"],
                      soort=["basisschool", "voortgezet"])  # fmt: skip
    table = school_food(schools, food, Reach.of(network_from_lines(_comb())), buurten)
    assert table["ongezond_400m"].tolist() == [2, 1]
    assert table["buurtcode"].tolist() == ["BU00010001", "BU00010002"]


def test_osm_tags_for_play_sport_seats_and_food() -> None:
    assert point_kinds({"leisure": "playground"}) == [("speelplek", "speelplek", "")]
    assert point_kinds({"amenity": "bench"}) == [("zitplek", "bank", "")]
    assert point_kinds({"leisure": "pitch", "sport": "soccer"}) == [("sport", "sportveld", "")]
    assert point_kinds({"leisure": "swimming_pool", "access": "private"}) == []
    assert point_kinds({"amenity": "fast_food", "cuisine": "friture"}) == [
        ("voedsel", "fastfood of snackbar", "ongezond")
    ]
    assert point_kinds({"shop": "greengrocer"}) == [("voedsel", "groenteboer", "vers")]
    # a supermarket is both a destination for the basic services and a food outlet
    assert amenity_kind({"shop": "supermarket"}) == "supermarkt"
    assert point_kinds({"shop": "supermarket"}) == [("voedsel", "supermarkt", "vers")]
    assert point_kinds({"amenity": "school", "isced:level": "2;3"}) == [
        ("school", "voortgezet", "")
    ]


def test_connected_green_merges_touching_areas() -> None:
    green = gpd.GeoDataFrame(
        geometry=[
            shapely.box(0, 0, 60, 100),  # 0.6 ha
            shapely.box(60, 0, 120, 100),  # 0.6 ha, touching: 1.2 ha together
            shapely.box(500, 0, 580, 100),  # 0.8 ha alone
        ],
        crs=RD_NEW,
    )
    out = connected_green(green)
    assert out["oppervlakte_ha"].tolist() == pytest.approx([1.2])
    assert pd.api.types.is_float_dtype(out["oppervlakte_ha"])

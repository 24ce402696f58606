"""Readers: publisher formats are accepted, bad input gets a message naming file/row/field/fix."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gezondewijk import InputDataError
from gezondewijk.sources import (
    read_buurten,
    read_features,
    read_raster,
    read_rivm_health,
    read_statline_csv,
)
from gezondewijk.sources._tables import to_numbers

SQUARE = [[[5.0, 52.0], [5.01, 52.0], [5.01, 52.01], [5.0, 52.01], [5.0, 52.0]]]


def _geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


def _feature(props: dict, coords=SQUARE) -> dict:
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Polygon", "coordinates": coords},
    }


def test_statline_symbols_and_sentinels() -> None:
    values = pd.Series(["  1,5", ".", "x", "-", "-99995", "12", " 3.25 ", ""])
    out = to_numbers(values, path=Path("t.csv"), field="f")
    expected = [1.5, np.nan, np.nan, 0.0, np.nan, 12.0, 3.25, np.nan]
    assert np.allclose(out.to_numpy(), expected, equal_nan=True)


def test_garbage_number_names_row_and_field() -> None:
    with pytest.raises(InputDataError) as err:
        to_numbers(pd.Series(["1", "abc", "2"]), path=Path("t.csv"), field="Eenzaam_28")
    text = str(err.value)
    assert "t.csv" in text and "rij/row 2" in text and "Eenzaam_28" in text and "abc" in text


def test_buurten_from_wgs84_geojson_with_sentinels(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "b.geojson",
        [
            _feature(
                {
                    "buurtcode": "BU03080000",
                    "buurtnaam": "Centrum",
                    "aantal_inwoners": 1825,
                    "huisartsenpraktijk_gemiddelde_afstand_in_km": -99995,
                }
            ),
        ],
    )
    b = read_buurten(path)
    assert b.crs.to_epsg() == 28992
    assert b["buurtcode"].tolist() == ["BU03080000"]
    assert b["gemeentecode"].tolist() == ["GM0308"]
    assert b["population"].tolist() == [1825]
    assert np.isnan(b["distance_gp_km"].iloc[0])
    assert 600_000 < b.geometry.area.iloc[0] < 900_000  # ~0.7 km² at 52° N


def test_buurten_year_prefixed_codes_are_normalised(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "b.geojson", [_feature({"jrstatcode": "2024BU03080000"})])
    assert read_buurten(path)["buurtcode"].tolist() == ["BU03080000"]


def test_buurten_without_codes_say_how_to_fix(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "delft.geojson", [_feature({"BU_NAAM": "Centrum"})])
    with pytest.raises(InputDataError) as err:
        read_buurten(path)
    assert "delft.geojson" in str(err.value) and "buurtcode" in str(err.value)
    assert "Oplossing/fix" in str(err.value)


def test_buurten_bad_and_duplicate_codes_name_rows(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "b.geojson",
        [
            _feature({"buurtcode": "BU03080000"}),
            _feature({"buurtcode": "Baarn-Centrum"}),
        ],
    )
    with pytest.raises(InputDataError, match=r"rij/row 2.*Baarn-Centrum"):
        read_buurten(path)
    path2 = _geojson(
        tmp_path / "d.geojson",
        [
            _feature({"buurtcode": "BU03080000"}),
            _feature({"buurtcode": "BU03080000"}),
        ],
    )
    with pytest.raises(InputDataError, match=r"rij/row 2.*vaker"):
        read_buurten(path2)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="niet gevonden"):
        read_buurten(tmp_path / "nope.geojson")


def test_rd_coordinates_without_crs_in_geopackage(tmp_path: Path) -> None:
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"buurtcode": ["BU02330000"]}, geometry=[shapely.box(170_000, 470_000, 171_000, 471_000)]
    )
    path = tmp_path / "ermelo.gpkg"
    with pytest.warns(UserWarning, match="crs"):
        frame.to_file(path, layer="CBS_Buurten", driver="GPKG")
    b = read_buurten(path)
    assert b.crs.to_epsg() == 28992
    assert b.geometry.area.iloc[0] == pytest.approx(1e6)


def test_rivm_csv_and_age_filter(tmp_path: Path) -> None:
    path = tmp_path / "rivm.csv"
    path.write_text(
        "ID,Leeftijd,Marges,WijkenEnBuurten,Perioden,SoortRegio_2,Eenzaam_28,"
        "HeelVeelStressInAfgelopen4Weken_26\n"
        "1,20300,MW00000,BU07720000  ,2020JJ00,Buurt,    51.3,    17.0\n"
        "2,80200,MW00000,BU07720000  ,2020JJ00,Buurt,    60.0,     9.0\n"
        "3,20300,MW00000,GM0772    ,2020JJ00,Gemeente,      ,    16.0\n",
        encoding="utf-8",
    )
    t = read_rivm_health(path)
    assert t.attrs["year"] == 2020
    assert t.loc["BU07720000", "lonely_pct"] == pytest.approx(51.3)
    assert t.loc["BU07720000", "stress_pct"] == pytest.approx(17.0)
    assert np.isnan(t.loc["GM0772", "lonely_pct"])
    assert read_rivm_health(path, age="65+").loc["BU07720000", "lonely_pct"] == 60.0


def test_rivm_bad_value_names_row(tmp_path: Path) -> None:
    path = tmp_path / "rivm.csv"
    path.write_text(
        "WijkenEnBuurten,Eenzaam_28\nBU07720000,51.3\nBU07720001,veel\n", encoding="utf-8"
    )
    with pytest.raises(InputDataError, match=r"rij/row 2.*Eenzaam_28.*'veel'"):
        read_rivm_health(path)


def test_not_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"this is not a workbook")
    with pytest.raises(InputDataError, match="xlsx"):
        read_rivm_health(path)


def test_statline_csv_with_bom_semicolons_and_symbols(tmp_path: Path) -> None:
    path = tmp_path / "ses.csv"
    path.write_text(
        '\ufeff"Perioden";"Wijken en buurten";"Regiocode (gemeente, wijk, buurt) (code)";'
        '"SES-WOA/Totaalscore/Gemiddelde score (Getal)"\n'
        '"2019";"Kop Zeedijk";"BU03630000";"   0,045"\n'
        '"2019";"Oude Kerk";"BU03630001  ";"."\n',
        encoding="utf-8",
    )
    t = read_statline_csv(path)
    assert t.attrs["year"] == 2019
    assert t.loc["BU03630000", "ses_woa"] == pytest.approx(0.045)
    assert np.isnan(t.loc["BU03630001", "ses_woa"])


def test_binary_file_as_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(InputDataError, match="geen tekstbestand"):
        read_statline_csv(path)


def test_esri_ascii_grid_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "no2.asc"
    path.write_text(
        "NCOLS 2\nNROWS 2\nXLLCORNER 100000\nYLLCORNER 400000\nCELLSIZE 1000\n"
        "NODATA_VALUE -999\n1.5 2.5\n-999 4.0\n",
        encoding="ascii",
    )
    layer = read_raster(path)
    vals = layer.sample(
        np.array([100_500, 101_500, 100_500, 99_000]),
        np.array([401_500, 401_500, 400_500, 400_500]),
    )
    assert vals[0] == 1.5 and vals[1] == 2.5
    assert np.isnan(vals[2]) and np.isnan(vals[3])


def test_raster_outside_rd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wgs.asc"
    path.write_text(
        "NCOLS 1\nNROWS 1\nXLLCORNER 5\nYLLCORNER 52\nCELLSIZE 0.01\nNODATA_VALUE -999\n1\n",
        encoding="ascii",
    )
    with pytest.raises(InputDataError, match="EPSG:28992"):
        read_raster(path)


def test_features_min_area_and_filter(tmp_path: Path) -> None:
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"soort": ["park", "plantsoen", "huisarts"]},
        geometry=[
            shapely.box(0, 0, 100, 100).buffer(0).union(shapely.box(100, 0, 200, 100)),
            shapely.box(300, 300, 320, 320),
            shapely.Point(500, 500),
        ],
        crs="EPSG:28992",
    ).set_geometry(
        gpd.GeoSeries(
            [
                shapely.box(150_000, 440_000, 150_100, 440_100),
                shapely.box(150_300, 440_300, 150_320, 440_320),
                shapely.Point(150_500, 440_500),
            ],
            crs="EPSG:28992",
        )
    )
    path = tmp_path / "f.gpkg"
    frame.to_file(path, driver="GPKG")
    green = read_features(path, min_area_ha=0.5)
    assert sorted(green["soort"]) == ["huisarts", "park"]
    gp = read_features(path, where={"soort": ["huisarts"]})
    assert len(gp) == 1
    with pytest.raises(InputDataError, match="filterveld"):
        read_features(path, where={"amenity": ["doctors"]})


def test_buurten_columns_that_do_not_parse_are_reported(tmp_path: Path) -> None:
    from gezondewijk.run.stages import read_study_area
    from gezondewijk.settings import BuurtenInput

    codes = ["BU03080000", "BU03080001", "BU03080002"]
    rows = [
        {"buurtcode": c, "aantal_inwoners": n, "eigen_score": v}
        for c, n, v in zip(codes, ["100", "200", "300"], ["12", "13", "veel"], strict=True)
    ]
    path = _geojson(tmp_path / "b.geojson", [_feature(r) for r in rows])
    b = read_buurten(path)
    assert "eigen_score" not in b
    assert "rij/row 3" in b.attrs["unparsed_columns"]["eigen_score"]
    area = read_study_area(BuurtenInput(path=path))
    assert any("eigen_score" in note and "veel" in note for note in area.notes)
    # a column gezondewijk knows is never dropped: a bad value in it stops the read
    rows[1]["aantal_inwoners"] = "veel"
    bad = _geojson(tmp_path / "bad.geojson", [_feature(r) for r in rows])
    with pytest.raises(InputDataError, match=r"rij/row 2.*aantal_inwoners"):
        read_buurten(bad)

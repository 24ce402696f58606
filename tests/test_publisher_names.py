"""Every KWB attribute the vocabulary knows, under each year's publisher naming."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gezondewijk.publisher_names import canonical_name
from gezondewijk.sources import read_buurten
from tests.conftest import shared_path

# variable key → its name in each product/year (None: that product does not carry it)
NAMES: dict[str, dict[str, str | None]] = {
    "population": {
        "kwb_xlsx": "a_inw",
        "pdok_2019_2023": "aantal_inwoners",
        "pdok_2024_2025": "aantalInwoners",
        "odata_kwb_2023": "AantalInwoners_5",
        "odata_kwb_2024": "AantalInwoners_5",
    },
    "population_density": {
        "kwb_xlsx": "bev_dich",
        "pdok_2019_2023": "bevolkingsdichtheid_inwoners_per_km2",
        "pdok_2024_2025": "bevolkingsdichtheidInwonersPerKm2",
        "odata_kwb_2023": "Bevolkingsdichtheid_33",
        "odata_kwb_2024": "Bevolkingsdichtheid_34",
    },
    "address_density": {
        "kwb_xlsx": "ste_oad",
        "pdok_2019_2023": "omgevingsadressendichtheid",
        "pdok_2024_2025": "omgevingsadressendichtheid",
        "odata_kwb_2023": "Omgevingsadressendichtheid_105",
        "odata_kwb_2024": "Omgevingsadressendichtheid_116",
    },
    "distance_gp_km": {
        "kwb_xlsx": "g_afs_hp",
        "pdok_2019_2023": "huisartsenpraktijk_gemiddelde_afstand_in_km",
        "pdok_2024_2025": "huisartsenpraktijkGemiddeldeAfstandInKm",
        "odata_kwb_2023": "AfstandTotHuisartsenpraktijk_95",
        "odata_kwb_2024": "AfstandTotHuisartsenpraktijk_110",
    },
    "distance_supermarket_km": {
        "kwb_xlsx": "g_afs_gs",
        "pdok_2019_2023": "grote_supermarkt_gemiddelde_afstand_in_km",
        "pdok_2024_2025": "groteSupermarktGemiddeldeAfstandInKm",
        "odata_kwb_2023": "AfstandTotGroteSupermarkt_96",
        "odata_kwb_2024": "AfstandTotGroteSupermarkt_111",
    },
    "distance_school_km": {
        "kwb_xlsx": "g_afs_sc",
        "pdok_2019_2023": "basisonderwijs_gemiddelde_afstand_in_km",
        "pdok_2024_2025": "basisonderwijsGemiddeldeAfstandInKm",
        # the KWB OData key "AfstandTotSchool" is ambiguous in Nabijheid voorzieningen
        # (basisonderwijs and voortgezet onderwijs); the OData reader resolves it by topic
        "odata_kwb_2023": None,
        "odata_kwb_2024": None,
    },
    "distance_green_km": {
        "kwb_xlsx": None,
        "pdok_2019_2023": "afstand_tot_openbaar_groen_totaal",
        "pdok_2024_2025": "afstandTotOpenbaarGroenTotaal",
        "odata_kwb_2023": "AfstandTotOpenbaarGroenTotaal_76",
        "odata_kwb_2024": "AfstandTotOpenbaarGroenTotaal_91",
    },
    "distance_park_km": {
        "kwb_xlsx": None,
        "pdok_2019_2023": "afstand_tot_park_of_plantsoen",
        "pdok_2024_2025": "afstandTotParkOfPlantsoen",
        "odata_kwb_2023": "AfstandTotParkOfPlantsoen_77",
        "odata_kwb_2024": "AfstandTotParkOfPlantsoen_92",
    },
}
PRODUCTS = ["kwb_xlsx", "pdok_2019_2023", "pdok_2024_2025", "odata_kwb_2023", "odata_kwb_2024"]


@pytest.mark.parametrize("product", PRODUCTS)
def test_every_known_kwb_attribute_per_naming(product: str) -> None:
    for key, names in NAMES.items():
        name = names[product]
        if name is not None:
            assert canonical_name(name) == key, (product, name)


def test_rivm_keys_of_every_table_year() -> None:
    # 50090NED (2016, 2020) and 50120NED (2012–2022) number their columns differently
    assert canonical_name("Eenzaam_28") == "lonely_pct"
    assert canonical_name("Eenzaam_31") == "lonely_pct"
    assert canonical_name("HeelVeelStressInAfgelopen4Weken_26") == "stress_pct"
    assert canonical_name("ErvarenGezondheidGoedZeerGoed_4") == "good_health_pct"
    assert canonical_name("MoeiteMetRondkomen_41") == "hard_to_make_ends_meet_pct"
    # a different indicator whose name contains a known one stays itself
    assert canonical_name("ErnstigZeerErnstigEenzaam_29") is None
    assert canonical_name("SterkEenzaam_26") is None


# RIVM's three tables, each key as its source shows it (see tests/publisher_data.py)
RIVM_KEYS = {
    "50090NED": {
        "good_health_pct": "ErvarenGezondheidGoedZeerGoed_4",
        "anxiety_depression_pct": "MatigHoogRisicoOpAngstOfDepressie_24",
        "anxiety_depression_high_pct": "HoogRisicoOpAngstOfDepressie_25",
        "stress_pct": "HeelVeelStressInAfgelopen4Weken_26",
        "lonely_pct": "Eenzaam_28",
        "hard_to_make_ends_meet_pct": "MoeiteMetRondkomen_38",
    },
    "50120NED": {
        "good_health_pct": "ErvarenGezondheidGoedZeerGoed_4",
        "anxiety_depression_high_pct": "HoogRisicoOpAngstOfDepressie_25",
        "stress_pct": "HeelVeelStressInAfgelopen4Weken_26",
        "lonely_pct": "Eenzaam_27",
        "hard_to_make_ends_meet_pct": "MoeiteMetRondkomen_33",
    },
    "50150NED": {
        "good_health_pct": "GoedErvarenGezondheid_4",
        "anxiety_depression_high_pct": "HoogRisicoAngststoornisOfDepressie_14",
        "stress_pct": "HeelVeelStressAfg4Weken_17",
        "lonely_pct": "Eenzaam_25",
        "hard_to_make_ends_meet_pct": "MoeiteMetRondkomen_32",
    },
}


@pytest.mark.parametrize("table", sorted(RIVM_KEYS))
def test_rivm_keys_of_each_current_table(table: str) -> None:
    for key, name in RIVM_KEYS[table].items():
        assert canonical_name(name) == key, (table, name)
    # "hoog risico" is not "matig/hoog risico": the newer tables never fill the older variable
    assert "anxiety_depression_pct" not in {
        canonical_name(n) for n in RIVM_KEYS["50150NED"].values()
    }


def test_statline_csv_paths_and_ambiguous_titles() -> None:
    path = "Gezondheid en welzijn/Huisartsenpraktijk/Afstand tot huisartsenpraktijk (km)"
    assert canonical_name(path) == "distance_gp_km"
    assert canonical_name("Onderwijs/Basisonderwijs/Afstand tot school (km)") == (
        "distance_school_km"
    )
    assert canonical_name("Onderwijs/Voortgezet onderwijs/Afstand tot school (km)") is None
    assert canonical_name("AfstandTotSchool_64") is None
    # SES-WOA's total score under its group however deep the table nests it; sub-scores not
    assert canonical_name("SES-WOA/Totaalscore/Gemiddelde score (Getal)") == "ses_woa"
    assert canonical_name("Sociaal-economische status/Totaalscore/Gemiddelde score") == "ses_woa"
    assert canonical_name("SES-WOA/Financiële welvaart/Gemiddelde score (Getal)") is None


def _camel_case_file(tmp_path: Path) -> Path:
    frame = gpd.GeoDataFrame(
        {
            "buurtcode": ["BU05030000", "BU05030001"],
            "buurtnaam": ["Centrum-West", "Centrum-Oost"],
            "jaar": [2024, 2024],
            "aantalInwoners": [2855, 25],
            "bevolkingsdichtheidInwonersPerKm2": [12340, -99997],
            "huisartsenpraktijkGemiddeldeAfstandInKm": [0.4, -99997.0],
            "afstandTotOpenbaarGroenTotaal": [-99995.0, 0.3],
        },
        geometry=[
            shapely.box(85_000, 445_000, 85_100, 445_100),
            shapely.box(85_100, 445_000, 85_200, 445_100),
        ],
        crs="EPSG:28992",
    )
    path = tmp_path / "wijkenbuurten_2024.gpkg"
    frame.to_file(path, layer="buurten", driver="GPKG")
    return path


def test_pdok_2024_file_reads_under_vocabulary_names(tmp_path: Path) -> None:
    b = read_buurten(_camel_case_file(tmp_path))
    assert b["population"].tolist() == [2855, 25]
    assert b["population_density"].iloc[0] == 12340
    assert np.isnan(b["population_density"].iloc[1])  # -99997: secret
    assert np.isnan(b["distance_gp_km"].iloc[1])
    assert np.isnan(b["distance_green_km"].iloc[0])  # -99995: not yet published
    assert b.attrs["year"] == 2024


@pytest.mark.realdata
def test_delft_pdok_buurten_read_under_vocabulary_names() -> None:
    b = read_buurten(shared_path("osm-delft-roads-asa2026e", "delft_buurten_proj.gpkg"))
    delft = b[b["gemeentecode"] == "GM0503"]
    assert len(b) == 105 and len(delft) == 91  # 14 slivers of neighbouring gemeenten
    assert delft["population"].sum() == 106_080
    for key in ["population_density", "distance_gp_km", "distance_supermarket_km"]:
        assert delft[key].notna().sum() >= 80, key
    assert delft["distance_school_km"].notna().sum() >= 80
    assert b.attrs["year"] == 2023  # the file's own 'jaar' column (jrstatcode 2023BU…)

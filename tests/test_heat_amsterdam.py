"""Amsterdam end to end: heat stress next to SES on real data (examples/amsterdam-hitte.toml)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gezondewijk.run import MapResult, build_map
from gezondewijk.settings import load_config
from tests.conftest import ROOT, shared_path

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def amsterdam() -> MapResult:
    shared_path("amsterdam-heat-mindtheheat", "amsterdam_centrum_street_segments_heat.geojson")
    shared_path("cbs-buurt-2019-national", "buurt_2019_gegeneraliseerd_national.topojson")
    shared_path("cbs-ses-woa-amsterdam", "SES_WOA_scores_per_wijk_en_buurt_2019_Amsterdam.csv")
    shared_path("cbs-kwb-2025-national", "kwb2025_buurten_clean_bike_city_ai.csv")
    return build_map(load_config(ROOT / "examples" / "amsterdam-hitte.toml"), stream=None)


def test_heat_per_buurt_and_the_joins(amsterdam: MapResult) -> None:
    b = amsterdam.buurten
    assert len(b) == 518
    # SOURCES.md: 517 of 518 codes are in KWB 2025 and in the heat summary (BU0363MK01 is not)
    kwb, heat = amsterdam.joins[0], amsterdam.joins[1]
    assert (kwb.matched, heat.matched) == (517, 517)
    assert "BU0363MK01" in heat.unmatched
    summary = pd.read_csv(
        shared_path("amsterdam-heat-mindtheheat", "amsterdam_heat_per_buurt_summary.csv")
    ).set_index("CBS_Buurtcode")
    joined = b.set_index("buurtcode")["heat_pet"].dropna()
    assert joined.to_numpy() == pytest.approx(summary.loc[joined.index, "PET_mean_lw"].to_numpy())


def test_old_division_carried_over_by_area(amsterdam: MapResult) -> None:
    b = amsterdam.buurten
    # SES-WOA 2019 and RIVM 2020 use the old numeric codes; carried over to the 2022+ buurten
    assert b["ses_woa"].notna().sum() > 450
    assert b["good_health_pct"].notna().sum() > 450
    assert any("omgerekend" in n and "SES_WOA" in n for n in amsterdam.notes)
    # an area-weighted mean stays within the range of what was published
    assert b["ses_woa"].min() > -1.5 and b["ses_woa"].max() < 1.5


def test_centrum_cells_vary_inside_buurten(amsterdam: MapResult) -> None:
    cells = amsterdam.cells_frame()
    buurt_value = amsterdam.buurten.set_index("buurtcode")["heat_pet"]
    off = (cells["heat_pet"] - cells["buurtcode"].map(buurt_value)).abs()
    centrum = cells["buurtcode"].str.startswith("BU0363A")
    noord = cells["buurtcode"].str.startswith("BU0363N")
    # Centrum from its street segments: most cells differ from their buurt's mean by over 1 °C
    assert (off[centrum] > 1).mean() > 0.5
    # elsewhere the buurt value (only cells on a buurt border mix two buurten)
    assert off[noord].median() == pytest.approx(0.0, abs=1e-9)
    assert (off[noord] > 1).mean() < 0.15
    assert cells["hittestress_pet_klasse"].isin(["matig", "sterk", "licht"]).mean() > 0.5


def test_are_the_poorest_buurten_the_warmest(amsterdam: MapResult) -> None:
    assert amsterdam.inequality is not None
    table = amsterdam.inequality.set_index(["variabele", "maat"])
    rho = table.loc[("heat_pet", "rangcorrelatie")]
    assert rho["ondergrens"] < rho["schatting"] < rho["bovengrens"]
    assert rho["n_gebieden"] > 450
    # good perceived health is clearly lower in the more vulnerable buurten (a sanity anchor)
    health = table.loc[("good_health_pct", "rangcorrelatie")]
    assert health["bovengrens"] < -0.3


def test_fact_sheet_shows_the_heat_class(amsterdam: MapResult, tmp_path: Path) -> None:
    from gezondewijk.outputs import write_all
    from gezondewijk.reports.factsheet import fact_sheet
    from gezondewijk.reports.mapdata import load_map_data

    write_all(amsterdam, tmp_path, html=False, formats=["parquet", "csv"])
    data = load_map_data(tmp_path)
    code = str(amsterdam.buurten.dropna(subset=["heat_pet"])["buurtcode"].iloc[0])
    sheet = fact_sheet(data, code)
    (row,) = sheet.classes
    assert row.variable == "heat_pet" and row.unit == "°C"
    assert row.code in {"licht", "matig", "sterk", "extreem", "geen"}
    assert "Matzarakis" in row.source
    assert np.isfinite(row.value or np.nan)

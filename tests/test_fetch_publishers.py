"""``fetch`` against the publishers as they serve today (the replay in tests/publishers.py).

Each test holds a shape the public record shows (see the evidence at the top of
tests/publishers.py): RIVM's two current tables with their own keys, PDOK's yearly and
historical services and its 400 on a filter it does not offer, StatLine's discontinued
tables, a topics-as-rows CSV export, raster fill values, and ``fetch --check``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio
from affine import Affine

from gezondewijk._errors import InputDataError
from gezondewijk.fetch import Fetched, check_sources, statline
from gezondewijk.fetch.health import choose
from gezondewijk.indicators.exposure import plausible
from gezondewijk.provenance import read_sidecar
from gezondewijk.run import build_map
from gezondewijk.settings import load_config
from gezondewijk.sources import read_raster, read_statline_csv
from gezondewijk.variables import describe
from tests.fetching import downloader, fetch, fetch_buurten
from tests.publishers import FILL, Publishers, status


def _unfiltered_items(publishers: Publishers) -> list[str]:
    """Requests for a collection's items without anything that selects the gemeente."""
    return [
        r.full_path
        for r in publishers.requests_to("/items")
        if not {"gemeentecode", "filter", "bbox"} & set(r.args)
    ]


def test_a_run_of_2022_takes_the_historical_service_and_the_2022_division(
    publishers: Publishers, tmp_path: Path
) -> None:
    result = fetch(publishers, tmp_path, year=2022)
    pdok_items = publishers.requests_to("wijken-en-buurten-historisch/ogc/v1/collections/buurten_")
    assert pdok_items and not publishers.requests_to("wijken-en-buurten-2022")
    run = build_map(load_config(result.run_file), stream=None)
    b = run.buurten.set_index("buurtcode")
    assert list(b.index) == ["BU05030000", "BU05030001", "BU05030002"]
    # 50120NED (indeling 2022) and 50150NED (indeling 2024) both have 2022: the division of
    # the run's year wins; the discontinued SES table 85900NED is the only one for 2022
    rivm = next(j for j in run.joins if "rivm" in j.source)
    assert "50120NED_2022" in rivm.source and (rivm.matched, rivm.total) == (3, 3)
    assert b.loc["BU05030000", "lonely_pct"] == pytest.approx(48.0 + 3 + 0.5)
    tables = {s.tabel for s in run.sources}
    assert {"85318NED", "85560NED", "85900NED", "50120NED"} <= tables
    assert b.loc["BU05030000", "anxiety_depression_high_pct"] == pytest.approx(10.0 + 3 + 0.5)
    assert not _unfiltered_items(publishers)


def test_a_year_the_historical_service_lacks_names_the_years_it_has(
    publishers: Publishers, tmp_path: Path
) -> None:
    with pytest.raises(InputDataError, match=r"geen buurten van 2019 \(wel: 2021, 2022\)"):
        fetch_buurten(publishers, tmp_path, year=2019)


def test_2025_snake_case_water_and_codes_with_letters(
    publishers: Publishers, tmp_path: Path
) -> None:
    result = fetch(publishers, tmp_path, year=2025)
    frame = pyogrio.read_dataframe(next((tmp_path / "cache").rglob("buurten.gpkg")))
    assert {"aantal_inwoners", "water"} <= set(frame.columns)
    run = build_map(load_config(result.run_file), stream=None)
    b = run.buurten.set_index("buurtcode")
    assert "BU0503NB01" in b.index and b.loc["BU0503NB01", "population"] == 1450
    assert np.isnan(b.loc["BU05030002", "population_density"])  # -99997 in snake case too
    assert b.loc["BU05039900", "population"] == 0  # the water buurt stays, with no one in it
    # RIVM's newest division is 2024: the new code is named, not dropped silently
    rivm = next(j for j in run.joins if "rivm" in j.source)
    assert "BU0503NB01" in rivm.unmatched
    kwb = next(j for j in run.joins if "kwb" in j.source)
    assert "BU0503NB01" not in kwb.unmatched


def test_one_failing_rivm_table_is_a_note_and_the_others_count(
    publishers: Publishers, tmp_path: Path
) -> None:
    publishers.withdrawn.add("50150NED")
    result = fetch(publishers, tmp_path)
    assert any("50150NED" in n and "niet gelezen" in n for n in result.inputs.notes)
    run = build_map(load_config(result.run_file), stream=None)
    rivm = next(j for j in run.joins if "rivm" in j.source)
    assert "50120NED_2022" in rivm.source  # the newest readable table, its newest year
    assert run.buurten["lonely_pct"].notna().sum() == 2  # the 2022 division's inhabited buurten


def test_a_key_we_do_not_know_is_reported_and_the_rest_still_counts(
    publishers: Publishers, tmp_path: Path
) -> None:
    publishers.renamed = {"Eenzaam_25"}  # as if RIVM renamed 50150NED's loneliness topic
    result = fetch(publishers, tmp_path)
    note = next(n for n in result.inputs.notes if "50150NED" in n)
    assert "geen kolom voor lonely_pct" in note and "Sterk eenzaam" in note
    run = build_map(load_config(result.run_file), stream=None)
    b = run.buurten.set_index("buurtcode")
    assert "lonely_pct" not in b  # never filled from another topic
    assert (b["eenzaamheid_status"] == "ontbreekt").all()  # said so, not guessed
    assert b.drop(index="BU05030002")["stress_pct"].notna().all()
    assert any("ongelijkheid: lonely_pct niet in de gegevens" in n for n in run.notes)
    assert run.inequality is not None and set(run.inequality["variabele"]) == {"good_health_pct"}


def test_no_readable_rivm_table_at_all_names_each(publishers: Publishers, tmp_path: Path) -> None:
    publishers.withdrawn |= {"50150NED", "50120NED", "50090NED"}
    result = fetch(publishers, tmp_path)
    note = next(n for n in result.inputs.notes if "RIVM Gezondheid" in n)
    for table in ("50150NED", "50120NED", "50090NED"):
        assert table in note
    assert "rivm" not in {t.kind for t in load_config(result.run_file).tables}


def test_choose_prefers_the_division_of_the_run_year(
    publishers: Publishers, tmp_path: Path
) -> None:
    fetch(publishers, tmp_path)
    hits = []
    for path in (tmp_path / "cache").rglob("rivm_*.csv"):
        record = read_sidecar(path)
        assert record is not None
        hits.append(Fetched(path, record, True))
    assert choose(hits, 2024).path.name == "rivm_50150NED_2024.csv"
    assert choose(hits, 2023).path.name == "rivm_50150NED_2022.csv"
    assert choose(hits, 2022).path.name == "rivm_50120NED_2022.csv"
    assert choose(hits, 2020).path.name == "rivm_50090NED_2020.csv"  # its own division
    assert choose(hits, 2021).path.name == "rivm_50120NED_2020.csv"  # a tie: the newer
    assert choose(hits, 2010).path.name == "rivm_50120NED_2012.csv"  # all newer: the oldest


def test_a_discontinued_table_is_skipped_where_a_current_one_covers_its_year(
    publishers: Publishers, tmp_path: Path
) -> None:
    dl = downloader(tmp_path)
    tables = statline.find_tables(dl, publishers.endpoints().cbs, statline.KWB)
    assert {t.identifier for t in tables if t.discontinued} == {"00001NED"}
    assert statline.pick_year(tables, 2024, statline.KWB).identifier == "85984NED"
    ses = statline.find_tables(dl, publishers.endpoints().cbs, statline.SES_WOA)
    # 85900NED is discontinued, but nothing current covers its division year 2022
    assert statline.pick_year(ses, 2023, statline.SES_WOA).identifier == "85900NED"
    assert statline.pick_year(ses, 2024, statline.SES_WOA).identifier == "86092NED"


# -- StatLine exports with the topics as rows ---------------------------------------------------
TRANSPOSED = (
    '"Onderwerp";"Delft";"Centrum-West";"Centrum-Oost"\n'
    '"Regioaanduiding|Codering (code)";"GM0503    ";"BU05030000";"BU05030001"\n'
    '"Regioaanduiding|Soort regio (omschrijving)";"Gemeente";"Buurt";"Buurt"\n'
    '"Gezondheid en welzijn|Huisartsenpraktijk|Afstand tot huisartsenpraktijk (km)";'
    '"1,1";"0,6";"."\n'
    '"Detailhandel|Afstand tot grote supermarkt (km)";"0,9";"0,4";"0,7"\n'
    '"Onderwijs|Basisonderwijs|Afstand tot school (km)";"0,7";"0,5";"0,3"\n'
    '"Onderwijs|Voortgezet onderwijs|Afstand tot school (km)";"2,0";"1,5";"2,4"\n'
)


def test_a_statline_export_with_topics_as_rows_is_read(tmp_path: Path) -> None:
    path = tmp_path / "Nabijheid_voorzieningen__buurt_2021.csv"
    path.write_bytes(b"\xef\xbb\xbf" + TRANSPOSED.encode("utf-8"))
    table = read_statline_csv(path)
    assert list(table.index) == ["GM0503", "BU05030000", "BU05030001"]
    assert table.loc["BU05030000", "distance_gp_km"] == pytest.approx(0.6)
    assert np.isnan(table.loc["BU05030001", "distance_gp_km"])  # StatLine's "."
    assert table.loc["BU05030001", "distance_supermarket_km"] == pytest.approx(0.7)
    # basisonderwijs, not voortgezet onderwijs, by the group path
    assert table.loc["BU05030001", "distance_school_km"] == pytest.approx(0.3)


def test_a_topics_as_rows_export_without_codes_says_what_to_add(tmp_path: Path) -> None:
    lines = [line for line in TRANSPOSED.splitlines() if "Codering" not in line]
    path = tmp_path / "zonder_codes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"onderwerpen als rijen.*Codering"):
        read_statline_csv(path)


# -- rasters -------------------------------------------------------------------------------------
def test_fill_values_beside_the_declared_nodata_are_missing(tmp_path: Path) -> None:
    data = np.full((4, 4), 55.0, dtype="float32")
    data[0, :] = -9999.0  # the declared nodata
    data[:, 0] = np.float32(FILL)  # the fill value the Atlas Leefomgeving also writes
    path = tmp_path / "lden.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
        crs="EPSG:28992", transform=Affine(50, 0, 84_000, 0, -50, 446_000), nodata=-9999.0,
    ) as dst:  # fmt: skip
        dst.write(data, 1)
    layer = read_raster(path)
    assert np.isnan(layer.values[0]).all() and np.isnan(layer.values[:, 0]).all()
    assert np.nanmin(layer.values) == 55.0 and np.isfinite(layer.values).sum() == 9


def test_values_outside_the_plausible_range_are_not_scored() -> None:
    values, rejected = plausible(
        np.array([45.0, -1.0, 121.0, 120.0, np.nan]), describe("noise_lden")
    )
    assert rejected == 2
    assert np.array_equal(values, [45.0, np.nan, np.nan, 120.0, np.nan], equal_nan=True)
    untouched, none = plausible(np.array([1e9]), describe("population"))  # no range declared
    assert none == 0 and untouched[0] == 1e9


def test_a_noise_map_the_wcs_does_not_offer_names_the_download(
    publishers: Publishers, tmp_path: Path
) -> None:
    publishers.noise_coverages = ()
    result = fetch(publishers, tmp_path)
    note = next(n for n in result.inputs.notes if "geluidkaart" in n)
    assert "niet zeker" in note and "Geluid in Nederland" in note and "nationaalgeoregister" in note


# -- fetch --check -------------------------------------------------------------------------------
def test_check_on_the_replay_is_all_ok(publishers: Publishers, tmp_path: Path) -> None:
    results = check_sources(downloader(tmp_path), publishers.endpoints(), 2024, "GM0503")
    assert [r.source for r in results][:2] == [
        "PDOK wijk- en buurtkaart",
        "CBS Kerncijfers wijken en buurten",
    ]
    assert all(r.ok for r in results), [r.outcome for r in results if not r.ok]
    rivm = {r.table.split()[0]: r.detail for r in results if r.source.startswith("RIVM Gez")}
    assert set(rivm) == {"50090NED", "50120NED", "50150NED"}
    assert "lonely_pct ← Eenzaam_25" in rivm["50150NED"]
    assert "anxiety_depression_high_pct ← HoogRisicoAngststoornisOfDepressie_14" in rivm["50150NED"]
    assert len(publishers.log) < 40  # a few small requests, no table downloaded
    assert not list(tmp_path.rglob("*.bron.json"))  # nothing cached


def test_check_goes_on_past_a_source_that_is_down(publishers: Publishers, tmp_path: Path) -> None:
    publishers.fail("/rivm/data/gcn", *[status(502)] * 5)
    results = check_sources(downloader(tmp_path), publishers.endpoints(), 2024, "GM0503")
    gcn = next(r for r in results if r.source.startswith("RIVM GCN"))
    assert not gcn.ok and "HTTP 502" in gcn.detail
    assert next(r for r in results if r.source.startswith("RIVM Atlas")).ok  # checked after it


def test_check_reports_what_differs_and_the_cli_exits_1(
    publishers: Publishers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gezondewijk.cli import main

    publishers.property_filters["buurten"] = set()
    publishers.noise_coverages = ()
    publishers.renamed = {"HeelVeelStressAfg4Weken_17"}
    for name, value in publishers.endpoints().model_dump().items():
        monkeypatch.setenv(f"GEZONDEWIJK_URL_{name.upper()}", value)
    code = main(["fetch", "--check", "--jaar", "2024"])
    out = capsys.readouterr()
    assert code == 1
    lines = {line.split("  ")[0].strip(): line for line in out.out.splitlines()}
    assert "ANDERS: filter gemeentecode geweigerd" in lines["PDOK wijk- en buurtkaart"]
    assert "OK: population ← AantalInwoners_5" in lines["CBS Kerncijfers wijken en buurten"]
    assert "ANDERS: geen Lden-coverage" in lines["RIVM Atlas Leefomgeving geluid (Lden)"]
    assert "50150NED" in out.out and "geen kolom voor stress_pct" in out.out
    assert "wijken af van wat gezondewijk verwacht" in out.err
    assert main(["fetch"]) == 2  # neither a gemeente nor --check
    assert "geef een of meer gemeentecodes op" in capsys.readouterr().err


def test_check_refuses_offline(capsys: pytest.CaptureFixture[str]) -> None:
    from gezondewijk.cli import main

    assert main(["fetch", "--check", "--offline"]) == 2
    assert "laat --offline weg" in capsys.readouterr().err

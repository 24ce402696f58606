"""Connectors against a real HTTP server on 127.0.0.1 replaying the publishers' formats."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest

from gezondewijk._errors import InputDataError, NotCachedError, SourceUnavailableError
from gezondewijk.fetch import statline
from gezondewijk.outputs import write_all
from gezondewijk.provenance import Provenance, read_sidecar, sha256_of
from gezondewijk.run import build_map
from gezondewijk.settings import load_config
from tests.fetching import Waits, downloader, fetch, fetch_buurten
from tests.publishers import TABLES, Publishers, osm_extract, slow, status, truncated

RD = "http://www.opengis.net/def/crs/EPSG/0/28992"


def test_fetch_run_and_outputs_end_to_end(publishers: Publishers, tmp_path: Path) -> None:
    result = fetch(publishers, tmp_path)
    config = load_config(result.run_file)
    # the run file takes every source, relative to its own folder
    assert [t.kind for t in config.tables] == ["kwb", "nabijheid", "ses_woa", "rivm"]
    assert {r.variable for r in config.rasters} == {"no2", "pm25", "pm10", "noise_lden"}
    assert config.network is not None and config.network.layer == "looppaden"
    run = build_map(config, stream=None)
    b = run.buurten.set_index("buurtcode")
    # GM0518's buurt came along in the bbox-free filter test data but is not Delft's
    assert list(b.index) == ["BU05030000", "BU05030001", "BU05030002", "BU05030003"]
    assert b.loc["BU05030000", "population"] == 2855
    # sentinels: PDOK -99997 (secret) and -99995 (not yet published), OData null → missing
    assert np.isnan(b.loc["BU05030002", "population_density"])
    # Nabijheid (joined after the Kerncijfers) gives basisonderwijs, not voortgezet onderwijs
    assert b.loc["BU05030000", "distance_school_km"] == pytest.approx(0.5 + 0.05 * 3)
    # SES-WOA 86092NED: the newest period up to 2024 is 2023
    assert b.loc["BU05030001", "ses_woa"] == pytest.approx(-0.2 + 0.4 + 0.1)
    # RIVM: 50150NED (indeling 2024) has 2024 and every 2024 buurt, in its own keys
    rivm = next(j for j in run.joins if "rivm" in j.source)
    assert (rivm.matched, rivm.total, rivm.unmatched) == (4, 4, [])
    assert b.loc["BU05030000", "lonely_pct"] == pytest.approx(48.0 + 3 + 2 + 1)  # 2024, 18+
    # every buurt RIVM and CBS publish for (the 25-inhabitant buurt is suppressed by both)
    # has the social indicators, density and anxiety/depression: none silently "ontbreekt"
    published = b.drop(index="BU05030002")
    for column in (
        "lonely_pct",
        "stress_pct",
        "good_health_pct",
        "anxiety_depression_high_pct",
        "hard_to_make_ends_meet_pct",
        "ses_woa",
        "population_density",
    ):
        assert published[column].notna().all(), column
    for indicator in ("eenzaamheid", "stress", "ervaren_gezondheid", "ses", "dichtheid"):
        assert (published[f"{indicator}_status"] != "ontbreekt").all(), indicator
    assert run.inequality is not None and len(run.inequality)
    assert b["groen_variabele"].eq("distance_green_walk_m").all()
    assert b["basisvoorzieningen_variabele"].eq("basic_services_walk_m").all()
    # the noise map's fill values (-3.4e38 beside its declared nodata) are missing, and its
    # band of 150 dB is reported, not scored
    assert b["no2"].between(17, 20).all() and b["noise_lden"].between(45, 65).all()
    assert any("buiten 0–120 dB" in note for note in run.notes)
    assert np.nanmin(run.cell_values["noise_lden"]) >= 45
    # PDOK: the gemeente by its property filter, never every gemeente's outline
    assert not publishers.requests_to("collections/gemeenten/items")

    out = write_all(run, tmp_path / "uitvoer", html=True)
    sources = pyogrio.read_dataframe(out["geopackage"][0], layer="bronnen")
    assert (
        len(sources) == len(run.sources) == 1 + 4 + 3 + 1 + 1
    )  # buurten, tables, GCN 3, noise, OSM
    assert sources["sha256"].str.len().eq(64).all()
    kwb = sources[sources["bron"] == "Kerncijfers wijken en buurten 2024"].iloc[0]
    assert kwb["tabel"] == "85984NED" and kwb["url"].endswith("/85984NED/TypedDataSet")
    assert "startswith(WijkenEnBuurten,'BU0503')" in json.loads(kwb["query"])["$filter"]
    assert kwb["licentie"] == "CC BY 4.0"
    about = pyogrio.read_dataframe(out["geopackage"][0], layer="over").set_index("sleutel")
    assert "85984NED" in about.loc["bronnen", "waarde"]
    html = out["html"][0].read_text(encoding="utf-8")
    for text in ("Bron: CBS", "PDOK", "RIVM", "OpenStreetMap-bijdragers", "85984NED"):
        assert text in html
    assert "Bron: CBS" in run.credits and "OpenStreetMap" in run.credits
    # the provenance record of every file matches the file
    for source in run.sources:
        path = next(p for p in (tmp_path / "cache").rglob(source.bestand) if p.is_file())
        assert sha256_of(path) == source.sha256


def test_second_run_uses_the_cache_and_offline_names_what_is_missing(
    publishers: Publishers, tmp_path: Path
) -> None:
    fetch(publishers, tmp_path)
    first = len(publishers.log)
    assert first > 10
    fetch(publishers, tmp_path)
    assert len(publishers.log) == first  # nothing asked again
    result = fetch(publishers, tmp_path, offline=True)
    assert len(publishers.log) == first
    assert result.inputs.notes == [n for n in result.inputs.notes if "niet opgehaald" not in n]
    # a file removed from the cache: offline names it and says where to get it
    kwb = next((tmp_path / "cache").rglob("kwb.csv"))
    kwb.unlink()
    result = fetch(publishers, tmp_path, offline=True)
    missing = [n for n in result.inputs.notes if "kwb.csv" in n]
    assert missing and "--offline" in missing[0] and "Kerncijfers" in missing[0]
    assert len(publishers.log) == first
    buurten = next((tmp_path / "cache").rglob("buurten.gpkg"))
    buurten.unlink()
    with pytest.raises(NotCachedError, match=r"buurten\.gpkg.*download het zelf"):
        fetch(publishers, tmp_path, offline=True)


def test_a_damaged_cache_file_is_fetched_again_and_not_used_offline(
    publishers: Publishers, tmp_path: Path
) -> None:
    fetch(publishers, tmp_path)
    kwb = next((tmp_path / "cache").rglob("kwb.csv"))
    good = kwb.read_bytes()
    kwb.write_bytes(good[: len(good) // 2])  # cut short behind our back
    result = fetch(publishers, tmp_path, offline=True)
    assert any("kwb.csv" in n for n in result.inputs.notes)  # not trusted offline
    asked = len(publishers.log)
    fetch(publishers, tmp_path)
    assert len(publishers.log) > asked  # online: fetched again
    assert kwb.read_bytes() == good


def test_refresh_asks_conditionally_and_keeps_an_unchanged_file(
    publishers: Publishers, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    record = Provenance(bron="RIVM GCN NO2", uitgever="RIVM")
    url = f"{publishers.endpoints().rivm_gcn}/conc_NO2_2023.zip"
    first = downloader(cache, Waits()).fetch_file(url, cache / "no2.zip", record)
    assert first.provenance.etag == '"NO2-2023-v1"' and not first.from_cache
    again = downloader(cache, Waits(), refresh=True).fetch_file(url, cache / "no2.zip", record)
    asked = publishers.requests_to("conc_NO2_2023.zip")[-1]
    assert asked.headers.get("If-None-Match") == '"NO2-2023-v1"'
    assert again.from_cache and "ongewijzigd bij de bron (HTTP 304)" in again.provenance.notes
    assert sha256_of(cache / "no2.zip") == first.provenance.sha256
    # the whole fetch with --vernieuw: the GCN grids are asked for conditionally too
    fetch(publishers, tmp_path)
    grid = next((tmp_path / "cache").rglob("conc_no2_2023.asc"))
    before = sha256_of(grid)
    result = fetch(publishers, tmp_path, refresh=True)
    asked = publishers.requests_to("conc_NO2_2023.zip")[-1]
    assert asked.headers.get("If-None-Match") == '"NO2-2023-v1"'
    record = next(r for r in result.inputs.sources if r.tabel == "conc_NO2_2023")
    assert "ongewijzigd bij de bron (HTTP 304)" in record.notes
    assert sha256_of(grid) == before


def test_429_waits_as_long_as_retry_after_says(publishers: Publishers, tmp_path: Path) -> None:
    publishers.fail("ODataCatalog", status(429, **{"Retry-After": "7"}), status(503))
    waits = Waits()
    tables = statline.find_tables(
        downloader(tmp_path, waits), publishers.endpoints().cbs, statline.KWB
    )
    assert {t.identifier for t in tables} == {
        "85318NED",
        "85618NED",
        "85984NED",
        "00001NED",
        "86165NED",
    }
    assert waits.seconds == [7.0, 2.0]  # Retry-After, then the second step of the backoff


def test_a_long_retry_after_is_reported_not_waited(publishers: Publishers, tmp_path: Path) -> None:
    publishers.fail("ODataCatalog", status(429, **{"Retry-After": "3600"}))
    waits = Waits()
    with pytest.raises(SourceUnavailableError, match="3600 s te wachten"):
        statline.find_tables(downloader(tmp_path, waits), publishers.endpoints().cbs, statline.KWB)
    assert waits.seconds == []


def test_5xx_gives_up_after_the_retries_with_the_url(
    publishers: Publishers, tmp_path: Path
) -> None:
    publishers.fail("ODataCatalog", *[status(502)] * 5)
    waits = Waits()
    with pytest.raises(
        SourceUnavailableError, match=r"ODataCatalog/Tables: na 5 pogingen .*HTTP 502"
    ):
        statline.find_tables(downloader(tmp_path, waits), publishers.endpoints().cbs, statline.KWB)
    assert waits.seconds == [1.0, 2.0, 4.0, 8.0]


def test_time_out_and_truncated_body_are_retried(publishers: Publishers, tmp_path: Path) -> None:
    publishers.fail("collections/buurten/items", slow(3.0), truncated())
    waits = Waits()
    got = fetch_buurten(publishers, tmp_path, downloader(tmp_path, waits))
    assert len(pyogrio.read_dataframe(got.path)) == 4
    assert waits.seconds == [1.0, 2.0]
    publishers.fail("collections/buurten/items", *[truncated()] * 5)
    with pytest.raises(SourceUnavailableError, match="afgebroken"):
        fetch_buurten(publishers, tmp_path, name="c.gpkg")
    # nothing half-written is left where a reader would look
    assert not (tmp_path / "c.gpkg").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_pdok_pages_with_next_links_and_limit(publishers: Publishers, tmp_path: Path) -> None:
    got = fetch_buurten(publishers, tmp_path)
    pages = publishers.requests_to("collections/buurten/items")
    assert len(pages) == 2  # 4 features, 3 per page
    assert pages[0].args["gemeentecode"] == "GM0503"  # the property filter the API offers
    assert got.provenance.licentie == "CC BY 4.0"  # from the landing page's license link


def test_pdok_refuses_the_property_filter_then_the_gemeente_outline_alone(
    publishers: Publishers, tmp_path: Path
) -> None:
    # GoKoala answers 400 to a parameter the collection is not configured for; CQL is off
    publishers.property_filters["buurten"] = set()
    got = fetch_buurten(publishers, tmp_path)
    frame = pyogrio.read_dataframe(got.path)
    assert sorted(frame["buurtcode"]) == sorted(
        ["BU05030000", "BU05030001", "BU05030002", "BU05030003"]
    )  # the neighbour's buurt in the box is left out by its gemeentecode
    asked = publishers.requests_to("collections/buurten/items")
    assert asked[0].args["gemeentecode"] == "GM0503"  # refused (400)
    assert asked[1].args["filter"] == "gemeentecode='GM0503'"  # refused (400)
    assert "bbox" in asked[2].args
    outline = publishers.requests_to("collections/gemeenten/items")
    assert [r.args.get("gemeentecode") for r in outline] == ["GM0503"]  # that gemeente alone
    assert got.provenance.query == {"GM0503": f"bbox={asked[2].args['bbox']}&bbox-crs={RD}"}


def test_pdok_with_cql_takes_the_filter(publishers: Publishers, tmp_path: Path) -> None:
    publishers.property_filters["buurten"] = set()
    publishers.cql = True
    got = fetch_buurten(publishers, tmp_path)
    assert len(pyogrio.read_dataframe(got.path)) == 4
    assert not publishers.requests_to("collections/gemeenten/items")
    assert "filter=gemeentecode='GM0503'" in got.provenance.query["GM0503"]


def test_pdok_that_can_select_no_gemeente_says_so_and_downloads_nothing_more(
    publishers: Publishers, tmp_path: Path
) -> None:
    publishers.property_filters = {"buurten": set(), "gemeenten": set()}
    with pytest.raises(InputDataError, match=r"GM0503 niet selecteren.*download de wijk- en"):
        fetch_buurten(publishers, tmp_path)
    for request in publishers.requests_to("/items"):  # never a whole collection
        assert {"gemeentecode", "filter", "bbox"} & set(request.args), request.args


@pytest.mark.parametrize("where", ["pdok", "odata"])
def test_a_repeating_paging_cursor_is_an_error(
    publishers: Publishers, tmp_path: Path, where: str
) -> None:
    publishers.repeat_cursor = where
    dl = downloader(tmp_path, Waits())
    with pytest.raises(InputDataError, match="steeds naar dezelfde volgende pagina"):
        if where == "pdok":
            fetch_buurten(publishers, tmp_path, dl)
        else:
            publishers.odata_page = 1
            table = statline.TableInfo(
                "50120NED", "Gezondheid", 2022, publishers.endpoints().cbs_derden
            )
            statline.fetch_rows(dl, table, statline.RIVM, ["GM0503"])


def test_a_withdrawn_table_and_renamed_columns(publishers: Publishers, tmp_path: Path) -> None:
    dl = downloader(tmp_path, Waits())
    base = publishers.endpoints().cbs
    table = statline.pick_year(statline.find_tables(dl, base, statline.KWB), 2024, statline.KWB)
    assert table.identifier == "85984NED"  # looked up in the catalogue by title and year
    publishers.withdrawn.add("85984NED")
    with pytest.raises(InputDataError, match=r"85984NED .*bestaat niet meer"):
        statline.fetch_rows(dl, table, statline.KWB, ["GM0503"])
    publishers.withdrawn.clear()
    # one expected column renamed: reported with the topics the table has now, the rest used
    publishers.renamed = {"AantalInwoners_5"}
    rows = statline.fetch_rows(dl, table, statline.KWB, ["GM0503"])
    assert rows.missing == ["population"]
    assert "Bevolkingsdichtheid_34" in rows.headers
    # none of the expected columns left: the table is not used, and the message says why
    publishers.renamed = {
        p["Key"]
        for p in TABLES["85984NED"].properties
        if p["Key"].endswith(("_5", "_34", "_110", "_111", "_113", "_121"))
    }
    with pytest.raises(InputDataError, match="geen kolom meer voor population"):
        statline.fetch_rows(dl, table, statline.KWB, ["GM0503"])
    with pytest.raises(InputDataError, match="kies een jaar vanaf 2022"):
        statline.pick_year(statline.find_tables(dl, base, statline.KWB), 2019, statline.KWB)


def test_a_year_pdok_has_not_published(publishers: Publishers, tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="geen wijk- en buurtkaart voor 2026"):
        fetch_buurten(publishers, tmp_path, year=2026)


def test_a_failing_optional_source_is_left_out_with_a_note(
    publishers: Publishers, tmp_path: Path
) -> None:
    publishers.fail("/rivm/geo/alo/wcs", *[status(503)] * 5)
    result = fetch(publishers, tmp_path)
    assert any("geluidkaart" in n and "HTTP 503" in n for n in result.inputs.notes)
    config = load_config(result.run_file)
    assert "noise_lden" not in {r.variable for r in config.rasters}
    assert "let op: geluidkaart" in result.run_file.read_text(encoding="utf-8")


def test_rivm_years_and_margins_for_monitoring(publishers: Publishers, tmp_path: Path) -> None:
    result = fetch(publishers, tmp_path)
    files = sorted(p.name for p in (tmp_path / "cache").rglob("rivm_*.csv"))
    # every table (the discontinued 50090NED too) and every period, for monitoring
    assert files == [
        "rivm_50090NED_2016.csv",
        "rivm_50090NED_2020.csv",
        *(f"rivm_50120NED_{y}.csv" for y in (2012, 2016, 2020, 2022)),
        *(f"rivm_50150NED_{y}.csv" for y in (2012, 2016, 2020, 2022, 2024)),
    ]
    from gezondewijk.sources import read_rivm_health

    table = read_rivm_health(next((tmp_path / "cache").rglob("rivm_50120NED_2022.csv")))
    assert table.attrs["year"] == 2022
    assert table.loc["BU05030000", "lonely_pct"] == pytest.approx(51.5)
    assert table.loc["BU05030000", "lonely_pct_ondergrens"] == pytest.approx(48.5)
    assert table.loc["BU05030000", "lonely_pct_bovengrens"] == pytest.approx(54.5)
    assert table.loc["BU05030000", "anxiety_depression_high_pct"] == pytest.approx(13.5)
    record = read_sidecar(next((tmp_path / "cache").rglob("rivm_50120NED_2022.csv")))
    assert record is not None and record.tabel == "50120NED" and record.jaar == 2022
    assert record.naamsvermelding.startswith("Bron: RIVM")
    assert isinstance(result.inputs.sources[0].opgehaald, str)


def test_monitor_uses_the_published_margins(
    publishers: Publishers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gezondewijk.cli import main

    fetch(publishers, tmp_path)
    cache = tmp_path / "cache"
    code = main(
        [
            "monitor",
            "--voor",
            str(next(cache.rglob("rivm_50120NED_2020.csv"))),
            "--na",
            str(next(cache.rglob("rivm_50120NED_2022.csv"))),
            "--buurten",
            str(next(cache.rglob("buurten.gpkg"))),
            "--variabelen",
            "lonely_pct,good_health_pct",
            "--out",
            str(tmp_path / "monitor"),
        ]
    )
    assert code == 0
    assert "ruis uit de gepubliceerde 95%-marges" in capsys.readouterr().out
    change = pd.read_csv(tmp_path / "monitor" / "verandering.csv")
    # bounds ±3 points: standard error 3/1.96, threshold 1.96·√2·SE = 3·√2
    assert change["drempel"].dropna().unique() == pytest.approx([3 * np.sqrt(2)])


def test_clifetch(
    publishers: Publishers,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gezondewijk.cli import main

    for name, value in publishers.endpoints().model_dump().items():
        monkeypatch.setenv(f"GEZONDEWIJK_URL_{name.upper()}", value)
    osm = tmp_path / "extract.osm"
    osm.write_text(osm_extract(), encoding="utf-8")
    run_file = tmp_path / "GM0503.toml"
    code = main(
        [
            "fetch",
            "gm0503",
            "--jaar",
            "2024",
            "--cache",
            str(tmp_path / "c"),
            "--osm",
            str(osm),
            "--runbestand",
            str(run_file),
        ]
    )
    out = capsys.readouterr()
    assert code == 0
    assert "[1/8] buurtgrenzen 2024 (PDOK)" in out.err  # progress
    assert "85984NED" in out.out and f"gezondewijk run {run_file}" in out.out
    assert load_config(run_file).buurten.gemeenten == ["GM0503"]
    frame = pd.read_csv(next((tmp_path / "c").rglob("nabijheid.csv")))
    assert "Onderwijs/Voortgezet onderwijs/Afstand tot school (km)" in frame.columns

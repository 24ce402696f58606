"""Map viewer, fact sheets, overview and the interventions catalogue."""

from __future__ import annotations

import socket
import threading
import time
from io import BytesIO
from pathlib import Path

import geopandas as gpd
import pytest
import uvicorn
from fastapi.testclient import TestClient
from pypdf import PdfReader

from gezondewijk.demo.leefplekmeter import make_demo_campaign
from gezondewijk.interventions import load_catalogue, suggest
from gezondewijk.reports import fact_sheet, load_map_data, overview
from gezondewijk.web import WebSettings, create_app
from tests.test_browser import ARGS, CHROMIUM
from tests.test_web_browser import _axe, _offsite


def test_catalogue_has_the_workbook_examples() -> None:
    measures = load_catalogue()
    examples = " ".join(m.example for m in measures)
    for name in ("BOSS", "Skills garden", "Hitte", "Groen Groeit Mee", "Samen Stenfert"):
        assert name in examples
    assert {m.type for m in measures} == {"hardware", "software", "orgware"}
    assert {m.pbl for m in measures} == {"beschermen", "bevorderen", "faciliteren"}
    picked = suggest(["geluid_lucht"], ["verkeer_parkeren"], k=2)
    assert picked[0].key == "verkeer_luw"  # 2 points for the indicator + 1 for the theme
    assert suggest([], []) == []


def test_fact_sheet_and_overview(map_dir: Path) -> None:
    data = load_map_data(map_dir)
    code = str(data.buurten.sort_values("score")["buurtcode"].iloc[-1])
    sheet = fact_sheet(data, code)
    assert len(sheet.indicators) == 8
    assert sheet.stacking == [r.label for r in sheet.indicators if r.on]
    lonely = next(r for r in sheet.indicators if r.key == "eenzaamheid")
    assert lonely.area is not None  # the run's population-weighted mean is the reference
    assert sheet.measures  # the worst indicators pick measures
    ov = overview(data)
    assert ov.table["rang"].tolist() == list(range(1, len(data.buurten) + 1))
    assert ov.table["score"].is_monotonic_decreasing
    assert ov.table["prioriteit"].any()
    with pytest.raises(KeyError):
        fact_sheet(data, "BU00000000")


def test_pages_and_cells_window(map_dir: Path, tmp_path: Path) -> None:
    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/w.db", map_dir=map_dir))
    client = TestClient(app)
    assert client.get("/kaart").status_code == 200
    overview_page = client.get("/overzicht")
    assert overview_page.status_code == 200
    # the demo ships RIVM-style margins: the SII interval is PHE's simulation, and says so
    assert "<td>simulatie (PHE)</td>" in overview_page.text
    assert "<td>bootstrap</td>" in overview_page.text  # the concentration index
    whole = client.get("/kaart/cellen.geojson?bbox=-180,-90,180,90")
    cells = load_map_data(map_dir).cells
    assert cells is not None
    assert int(whole.headers["X-Cellen-In-Beeld"]) == len(cells)
    tiny = client.get("/kaart/cellen.geojson?bbox=0,0,0.001,0.001")
    assert tiny.json()["features"] == []
    assert client.get("/kaart/cellen.geojson?bbox=nonsense").status_code == 422
    assert client.get("/buurt?q=molen", follow_redirects=False).status_code == 303
    gpkg = client.get("/kaart/download/gezondewijk.gpkg")
    assert gpkg.status_code == 200 and gpkg.content[:16] == b"SQLite format 3\x00"
    assert client.get("/kaart/download/over.csv").status_code == 404
    assert client.get("/kaart/download/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/buurt?q=bestaat-niet").status_code == 404
    assert client.get("/buurt/BU00000000").status_code == 404
    no_map = TestClient(create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/n.db")))
    assert "GEZONDEWIJK_MAP_DIR" in no_map.get("/kaart").text


def test_pdfs_render(map_dir: Path, tmp_path: Path) -> None:
    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/w.db", map_dir=map_dir))
    client = TestClient(app)
    code = str(load_map_data(map_dir).buurten["buurtcode"].iloc[0])
    pdf = client.get(f"/buurt/{code}/factsheet.pdf")
    assert pdf.status_code == 200
    reader = PdfReader(BytesIO(pdf.content))
    assert 1 <= len(reader.pages) <= 6
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Indicatoren" in text and "Mogelijke maatregelen" in text and code in text
    ov = PdfReader(BytesIO(client.get("/overzicht.pdf").content))
    assert "ongelijk investeren" in " ".join(p.extract_text() for p in ov.pages)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_map_viewer_in_chromium(map_dir: Path, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run 'make system-deps' (make test does)")
    from playwright.sync_api import sync_playwright

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        WebSettings(database_url=f"sqlite:///{tmp_path}/w.db", map_dir=map_dir, public_url=base)
    )
    campaign = make_demo_campaign(
        app.state.sessions,
        n=120,
        areas=list(
            zip(load_map_data(map_dir).buurten["buurtcode"][:3], ["a", "b", "c"], strict=True)
        ),
    )
    assert campaign.code
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"{base}/kaart")
            page.wait_for_selector("#kaart[data-ready=ja]")
            page.wait_for_selector(".legend-row")
            from PIL import Image

            shot = Image.open(BytesIO(page.locator("#kaart").screenshot())).convert("RGB")
            colours = shot.getcolors(maxcolors=1_000_000)
            assert colours is not None and len(colours) > 8, "the map looks blank"
            box = page.locator("#kaart").bounding_box()
            assert box is not None
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_selector("#details table")
            page.select_option("#laag", "groen")
            assert "300" in page.locator("#legenda").inner_text()
            # click until a cell is under the pointer: the redraw with the cells' tiles may
            # come after any number of earlier redraws (a fixed pause, or waiting for the
            # next one, lost the race on a busy two-core machine)
            page.check("input[value=cellen]")
            for _ in range(120):
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                if page.locator("#selectie a").count():
                    break
                page.wait_for_timeout(500)
            page.wait_for_selector("#selectie a", timeout=1_000)
            assert "1 geselecteerde cellen" in page.locator("#selectie").inner_text()
            # drawn from vector tiles cut by the app, buurten and cells; no GeoJSON
            assert any("/kaart/tegels/cellen/" in u for u in requests)
            assert any("/kaart/tegels/buurten/" in u for u in requests)
            assert not any(".geojson" in u for u in requests)
            assert _axe(page) == []
            # the search moves the map to the buurt and shows its figures
            name = str(load_map_data(map_dir).buurten["buurtnaam"].iloc[-1])
            page.fill("#zoek", name)
            page.dispatch_event("#zoek", "change")
            page.wait_for_function(
                "name => document.querySelector('#details h2')?.textContent === name", arg=name
            )
            code = str(load_map_data(map_dir).buurten["buurtcode"].iloc[0])
            page.goto(f"{base}/buurt/{code}")
            assert page.locator("h1").inner_text().startswith("Buurt")
            assert page.locator("figure.spider svg").count() == 1  # ≥ 5 residents here
            assert _axe(page) == []
            page.goto(f"{base}/overzicht")
            assert _axe(page) == []
            assert _offsite(requests, base) == []
            browser.close()
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_fact_sheet_of_a_group_of_cells(map_dir: Path, tmp_path: Path) -> None:
    from gezondewijk.reports import cells_fact_sheet

    data = load_map_data(map_dir)
    assert data.cells is not None
    worst = (
        gpd.read_parquet(map_dir / "cellen.parquet").sort_values("score", ascending=False).head(12)
    )
    sheet = cells_fact_sheet(data, worst["cel_id"].tolist())
    assert sheet.name.startswith("selectie van 12 cellen")
    assert sheet.score == sum(1 for r in sheet.indicators if r.on)
    assert sheet.score >= worst["score"].min() - 1
    with pytest.raises(KeyError):
        cells_fact_sheet(data, ["H100_0_0"])
    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/w.db", map_dir=map_dir))
    client = TestClient(app)
    ids = ",".join(worst["cel_id"])
    page = client.get(f"/cellen/factsheet?ids={ids}")
    assert page.status_code == 200 and "selectie van 12 cellen" in page.text
    assert client.get(f"/cellen/kaart.png?ids={ids}").content.startswith(b"\x89PNG")
    pdf = PdfReader(BytesIO(client.get(f"/cellen/factsheet.pdf?ids={ids}").content))
    assert "selectie van 12 cellen" in " ".join(p.extract_text() for p in pdf.pages)
    assert client.get("/cellen/factsheet?ids=").status_code == 422
    assert client.get("/cellen/factsheet?ids=H100_0_0").status_code == 404


def test_fact_sheet_page_names_sources_and_variables_for_people(
    map_dir: Path, tmp_path: Path
) -> None:
    import re

    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/w.db", map_dir=map_dir))
    data = load_map_data(map_dir)
    code = str(data.buurten["buurtcode"].iloc[0])
    html = TestClient(app).get(f"/buurt/{code}").text
    # every input of the run, with its checksum-bearing record behind it
    assert "<h2>Bronnen</h2>" in html
    assert "buurten.geojson — lokaal bestand" in html
    assert "straten.geojson — lokaal bestand" in html
    # labels, not vocabulary keys; Dutch decimals
    assert "(Afstand tot groen (over het looppadennetwerk))" in html
    assert "distance_green_walk_m" not in html and "lonely_pct" not in html
    values = re.findall(r"<td>(-?[\d.]+,\d) ", html)
    assert values and all("," in v for v in values)

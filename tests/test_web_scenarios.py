"""Scenarios in the web app: drawn by an organiser, saved as files, run, compared; in Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
import uvicorn
from fastapi.testclient import TestClient

from gezondewijk.crs import RD_NEW, WGS84
from gezondewijk.demo.scenarios import write_demo_scenarios
from gezondewijk.demo.synthetic import make_synthetic_town
from gezondewijk.scenarios import read_scenario, run_scenario
from gezondewijk.web import WebSettings, create_app
from gezondewijk.web.scenario_service import BasePreparationError
from tests.test_browser import ARGS, CHROMIUM
from tests.test_web_browser import _axe, _free_port, _offsite

EMAIL, PASSWORD = "planner@gemeente.nl", "een-lang-wachtwoord"


@pytest.fixture(scope="module")
def folders(demo_config: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A scenario folder with the demo's two scenarios and its life table; an empty database."""
    folder = tmp_path_factory.mktemp("scenarios")
    write_demo_scenarios(make_synthetic_town(), folder, demo_config)
    return folder, tmp_path_factory.mktemp("db") / "w.db"


def _settings(map_dir: Path, demo_config: Path, folders: tuple[Path, Path], **more: Any):
    folder, db = folders
    return WebSettings(
        database_url=f"sqlite:///{db}",
        map_dir=map_dir,
        run_config=demo_config,
        scenario_dir=folder,
        admin_email=EMAIL,
        admin_password=PASSWORD,
        **more,
    )


@pytest.fixture(scope="module")
def client(map_dir: Path, demo_config: Path, folders: tuple[Path, Path]) -> Iterator[TestClient]:
    app = create_app(_settings(map_dir, demo_config, folders))
    assert app.state.scenarios.wait(300) is not None
    yield TestClient(app)
    app.state.engine.dispose()


def _log_in(client: TestClient) -> str:
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf": token.group(1)})
    found = re.search(r'data-csrf="([^"]+)"', client.get("/scenarios/nieuw").text)
    assert found, "the editor carries the organiser's CSRF token"
    return found.group(1)


def _lowest_ses_buurt(client: TestClient) -> shapely.Geometry:
    """The buurt of SES group 1 with most inhabitants (WGS84)."""
    base = client.app.state.scenarios.base()  # type: ignore[attr-defined]
    buurten = base.result.buurten.assign(groep=base.ses_group)
    pick = buurten[buurten["groep"] == 1].sort_values("population", ascending=False).iloc[0]
    return gpd.GeoSeries([pick.geometry], crs=RD_NEW).to_crs(WGS84).iloc[0]


def _park_and_gp(client: TestClient) -> dict[str, Any]:
    area = _lowest_ses_buurt(client)
    centre = area.representative_point()
    park = shapely.box(centre.x - 0.0012, centre.y - 0.0008, centre.x + 0.0012, centre.y + 0.0008)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"soort": "groen_erbij", "naam": "Buurtpark"},
                "geometry": shapely.geometry.mapping(park),
            },
            {
                "type": "Feature",
                "properties": {"maatregel": "voorzieningen_dichtbij"},
                "geometry": shapely.geometry.mapping(centre),
            },
        ],
    }


def test_pages_are_for_organisers_only(client: TestClient) -> None:
    fresh = TestClient(client.app, follow_redirects=False)
    for url in (
        "/scenarios",
        "/scenarios/nieuw",
        "/scenarios/park-en-huisarts",
        "/scenarios/park-en-huisarts/download/cellen.csv",
        "/scenarios/vergelijk?naam=park-en-huisarts",
    ):
        answer = fresh.get(url)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", url
    assert fresh.post("/scenarios/opslaan", json={}).status_code == 303


def test_save_run_compare_and_delete(client: TestClient, folders: tuple[Path, Path]) -> None:
    folder, _ = folders
    csrf = _log_in(client)
    listing = client.get("/scenarios").text
    assert "Buurtpark en huisarts" in listing and "Autoluwe hoofdstraat" in listing
    drawn = _park_and_gp(client)
    body = {"naam": "park-zuid", "titel": "Park zuid", "wijzigingen": drawn}
    # no CSRF token: refused, nothing written
    assert client.post("/scenarios/opslaan", json=body).status_code == 403
    assert not (folder / "park-zuid.toml").exists()
    # saved as the same files the command line reads; health settings from the form
    body |= {"levenstafel": "levenstafel.csv", "doel_gezonde_levensjaren": "3"}
    saved = client.post("/scenarios/opslaan", json=body, headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"url": "/scenarios/park-zuid"}
    scenario = read_scenario(folder / "park-zuid.toml")
    assert [c.kind for c in scenario.changes] == ["groen_erbij", "huisarts"]
    assert scenario.changes[1].measure == "voorzieningen_dichtbij"
    assert scenario.health.target_healthy_years == 3
    assert scenario.health.life_table == (folder / "levenstafel.csv").resolve()
    # the drawn park's area survives the round trip WGS84 → RD New → file (within 0.1 %)
    drawn_rd = gpd.GeoSeries(
        [shapely.geometry.shape(drawn["features"][0]["geometry"])], crs=WGS84
    ).to_crs(RD_NEW)
    assert scenario.changes[0].geometry.area == pytest.approx(drawn_rd.area.iloc[0], rel=1e-3)
    # the same name again, as a new scenario: refused, the first one kept
    again = client.post("/scenarios/opslaan", json=body, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 409 and again.json()["error"]["problems"][0]["field"] == "naam"

    page = client.get("/scenarios/park-zuid")
    assert page.status_code == 200
    text = page.text
    assert "Modelschatting" in text and "Park zuid" in text
    # the page's figures are the library's on the same files (the CLI's result)
    base = client.app.state.scenarios.base()  # type: ignore[attr-defined]
    expected = run_scenario(base, scenario, bootstrap=50)
    changed = int(expected.applied.touched.sum())
    assert changed > 0
    assert f"{changed:,}".replace(",", ".") + " cellen veranderd" in text
    layers = client.get("/scenarios/park-zuid/verschil.geojson").json()
    kinds = [f["properties"]["laag"] for f in layers["features"]]
    assert kinds.count("cel") == int((expected.cells["score_verschil"] != 0).sum())
    assert kinds.count("buurt") == len(base.result.buurten)
    assert kinds.count("wijziging") == 2
    # every output offered is there
    for name in re.findall(r'/scenarios/park-zuid/download/([a-z_.]+)"', text):
        assert client.get(f"/scenarios/park-zuid/download/{name}").status_code == 200, name
    assert client.get("/scenarios/park-zuid/download/..%2F..%2Fw.db").status_code == 404

    both = client.get("/scenarios/vergelijk?naam=park-zuid&naam=autoluw-centrum")
    assert both.status_code == 200
    assert "Park zuid" in both.text and "Autoluwe hoofdstraat" in both.text
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/scenarios/vergelijk.csv?naam=park-zuid&naam=autoluw-centrum").text
            )
        )
    )
    assert [r["scenario"] for r in rows] == ["park-zuid", "autoluw-centrum"]
    gpkg = client.get("/scenarios/vergelijk.gpkg?naam=park-zuid&naam=autoluw-centrum")
    assert gpkg.status_code == 200 and gpkg.content[:16] == b"SQLite format 3\x00"
    assert "vergelijk.gpkg?naam=park-zuid" in both.text
    assert float(rows[0]["cellen_veranderd"]) == changed

    # renamed while edited: the old files and outputs go
    body |= {"naam": "park-zuid-2", "oude_naam": "park-zuid"}
    moved = client.post("/scenarios/opslaan", json=body, headers={"X-CSRF-Token": csrf})
    assert moved.status_code == 200
    assert not (folder / "park-zuid.toml").exists() and (folder / "park-zuid-2.toml").exists()
    gone = client.post("/scenarios/park-zuid-2/verwijder", data={"csrf": csrf})
    assert gone.status_code == 200  # followed to the list
    assert not (folder / "park-zuid-2.toml").exists()
    assert not (folder / "park-zuid-2.geojson").exists()


def test_bad_and_hostile_drawings(client: TestClient, folders: tuple[Path, Path]) -> None:
    folder, _ = folders
    csrf = _log_in(client)
    before = sorted(p.name for p in folder.iterdir())
    drawn = _park_and_gp(client)
    drawn["features"].append(
        {
            "type": "Feature",
            "properties": {"soort": "snelweg"},
            "geometry": drawn["features"][1]["geometry"],
        }
    )
    drawn["features"].append(
        {
            "type": "Feature",
            "properties": {"soort": "geluid"},
            "geometry": {"type": "LineString", "coordinates": [[5.1, 52.1], [5.11, 52.1]]},
        }
    )
    drawn["features"].append(
        {
            "type": "Feature",
            "properties": {"soort": "huisarts"},
            "geometry": {"type": "Point", "coordinates": [1e9, 0]},
        }
    )

    def post(body: object, **headers: str) -> Any:
        return client.post(
            "/scenarios/opslaan",
            content=body if isinstance(body, bytes) else json.dumps(body),
            headers={"X-CSRF-Token": csrf, "Content-Type": "application/json", **headers},
        )

    answer = post({"naam": "../../etc", "titel": "", "wijzigingen": drawn})
    assert answer.status_code == 422
    problems = answer.json()["error"]["problems"]  # the app's one error shape
    where = {p["field"] for p in problems}  # a numbered change's field names its number
    assert {"naam", "titel", "wijzigingen.3.soort", "wijzigingen.4.waarde"} <= where
    assert "wijzigingen.5.geometry" in where
    assert any("snelweg" in p["problem"] + (p["fix"] or "") for p in problems)
    assert post({"naam": "nieuw", "titel": "x", "wijzigingen": drawn}).status_code == 422
    assert post(b"{not json").status_code == 422
    assert post({"naam": "x", "titel": "x", "wijzigingen": {"type": "Feature"}}).status_code == 422
    too_many = {"type": "FeatureCollection", "features": [drawn["features"][1]] * 201}
    assert post({"naam": "x", "titel": "x", "wijzigingen": too_many}).status_code == 422
    bad_table = {"naam": "x", "titel": "x", "wijzigingen": _park_and_gp(client)}
    for table in ("../../w.db", "/etc/passwd", "geen.csv"):
        got = post(bad_table | {"levenstafel": table})
        assert got.status_code == 422
        assert got.json()["error"]["problems"][0]["field"] == "levenstafel"
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written

    # a hostile title is text on the page and in the spreadsheet, never markup or a formula
    title = '=HYPERLINK("http://x")<script>alert(1)</script>'
    ok = post({"naam": "vijandig", "titel": title, "wijzigingen": _park_and_gp(client)})
    assert ok.status_code == 200
    page = client.get("/scenarios/vijandig").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    table = client.get("/scenarios/vergelijk.csv?naam=vijandig").text
    assert "'=HYPERLINK" in table and '\n"=HYPERLINK' not in table
    client.post("/scenarios/vijandig/verwijder", data={"csrf": csrf})
    assert client.get("/scenarios/vijandig").status_code == 404


def test_while_the_run_is_prepared_and_without_a_config(
    map_dir: Path, demo_config: Path, folders: tuple[Path, Path], tmp_path: Path
) -> None:
    app = create_app(
        WebSettings(
            database_url=f"sqlite:///{tmp_path}/w.db",
            map_dir=map_dir,
            admin_email=EMAIL,
            admin_password=PASSWORD,
        )
    )
    assert app.state.scenarios is None
    plain = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', plain.get("/login").text)
    assert token is not None
    plain.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf": token.group(1)})
    off = plain.get("/scenarios")
    assert off.status_code == 404 and "GEZONDEWIJK_RUN_CONFIG" in off.text
    from gezondewijk._errors import ConfigError

    with pytest.raises(ConfigError, match="GEZONDEWIJK_RUN_CONFIG"):
        create_app(
            WebSettings(
                database_url=f"sqlite:///{tmp_path}/v.db",
                map_dir=map_dir,
                run_config=tmp_path / "geen.toml",
            )
        )
    # a run that cannot be prepared says why on the page, instead of waiting for ever
    broken = tmp_path / "kapot.toml"
    broken.write_text('naam = "kapot"\n[[bronnen]]\nsoort = "onbekend"\n', encoding="utf-8")
    app = create_app(_settings(map_dir, broken, (folders[0], tmp_path / "u.db")))
    client = TestClient(app)
    _log_in(client)
    with pytest.raises(BasePreparationError, match=r"kapot\.toml"):
        app.state.scenarios.wait(60)
    answer = client.get("/scenarios/park-en-huisarts")
    assert answer.status_code == 500 and "kapot.toml" in answer.text


@pytest.fixture(scope="module")
def server(map_dir: Path, demo_config: Path, folders: tuple[Path, Path]) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(_settings(map_dir, demo_config, folders, public_url=base))
    assert app.state.scenarios.wait(300) is not None
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield base
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.slow
def test_draw_in_chromium(
    server: str, width: int, folders: tuple[Path, Path], tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run 'make system-deps' (make test does)")
    from playwright.sync_api import sync_playwright

    base = server
    name = f"getekend-{width}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": width, "height": 900})
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button.primary")
        page.goto(f"{base}/scenarios/nieuw")
        page.wait_for_selector("#kaart[data-ready=ja]", timeout=60_000)
        assert _axe(page) == []
        page.locator("#kaart").scroll_into_view_if_needed()
        box = page.locator("#kaart").bounding_box()
        assert box is not None
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        # a park: four corners, closed on the first
        page.click("[data-modus=polygon]")
        page.locator("#kaart").scroll_into_view_if_needed()
        box = page.locator("#kaart").bounding_box()
        assert box is not None
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        corners = [(cx - 30, cy - 30), (cx + 30, cy - 30), (cx + 30, cy + 30), (cx - 30, cy + 30)]
        for x, y in [*corners, corners[0]]:
            page.mouse.click(x, y)
            page.wait_for_timeout(120)
        page.wait_for_selector("#wijziging:not([hidden])")
        assert page.input_value("#w-soort") == "groen_erbij"
        # a supermarket: a point, its kind chosen in the form
        page.click("[data-modus=point]")
        page.locator("#kaart").scroll_into_view_if_needed()
        box = page.locator("#kaart").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2 + 50, box["y"] + box["height"] / 2 + 40)
        page.wait_for_function("document.querySelectorAll('#lijst li').length === 2")
        page.select_option("#w-soort", "supermarkt")
        page.fill("#w-naam", "Buurtsuper")
        page.dispatch_event("#w-naam", "change")
        assert "nieuwe supermarkt: Buurtsuper" in page.locator("#lijst").inner_text()
        # a street with no amount: the server names the change and the field
        page.click("[data-modus=linestring]")
        page.locator("#kaart").scroll_into_view_if_needed()
        box = page.locator("#kaart").bounding_box()
        assert box is not None
        y = box["y"] + box["height"] / 2 - 60
        start, end = box["x"] + box["width"] / 2 - 60, box["x"] + box["width"] / 2 + 60
        page.mouse.click(start, y)
        page.wait_for_timeout(120)
        page.mouse.click(end, y)
        page.wait_for_timeout(120)
        page.mouse.click(end, y)
        page.wait_for_function("document.querySelectorAll('#lijst li').length === 3")
        page.select_option("#w-soort", "no2")
        page.fill("#w-waarde", "")
        page.dispatch_event("#w-waarde", "change")
        page.fill("#titel", f"Park en super ({width} px)")
        assert page.input_value("#naam") == f"park-en-super-{width}-px"
        page.fill("#naam", name)
        page.click("#scenario button.primary")
        page.wait_for_selector("#fouten li")
        assert "Wijziging 3, waarde" in page.locator("#fouten").inner_text()
        assert not (folders[0] / f"{name}.toml").exists()
        page.fill("#w-waarde", "2,5")
        page.dispatch_event("#w-waarde", "change")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.click("#scenario button.primary")
        page.wait_for_url(f"**/scenarios/{name}", timeout=60_000)
        saved = read_scenario(folders[0] / f"{name}.toml")
        assert sorted(c.kind for c in saved.changes) == ["groen_erbij", "no2", "supermarkt"]
        assert next(c for c in saved.changes if c.kind == "no2").amount == 2.5
        page.wait_for_selector("#kaart[data-ready=ja]", timeout=60_000)
        assert page.locator("h1").inner_text() == f"Park en super ({width} px)"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert _axe(page) == []
        from io import BytesIO

        from PIL import Image

        shot = Image.open(BytesIO(page.locator("#kaart").screenshot())).convert("RGB")
        blues = [
            c
            for _, c in (shot.getcolors(1_000_000) or [])
            if isinstance(c, tuple) and c[2] > c[0] + 60
        ]
        assert blues, "the change map shows no cell that improved"
        page.screenshot(path=str(tmp_path / f"scenario-{width}.png"), full_page=True)
        # edited again: the drawing comes back on the map
        page.goto(f"{base}/scenarios/{name}/bewerk")
        page.wait_for_selector("#kaart[data-ready=ja]", timeout=60_000)
        assert page.locator("#lijst li").count() == 3
        # (a full-page screenshot resizes the window: taken last, not before a click)
        page.screenshot(path=str(tmp_path / f"editor-{width}.png"), full_page=True)
        page.goto(f"{base}/scenarios/vergelijk?naam={name}&naam=park-en-huisarts")
        assert _axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert _offsite(requests, base) == []
        assert errors == []
        browser.close()


def test_no_server_paths_on_scenario_pages(client: TestClient, folders: tuple[Path, Path]) -> None:
    from gezondewijk.web.errors import hide_paths

    folder, _ = folders
    _log_in(client)
    page = client.get("/scenarios").text
    assert str(folder) not in page and str(folder.parent) not in page
    assert folder.name in page  # the folder is named, not where it lives on the server
    assert hide_paths("bestand/file /srv/gezondewijk/x/levenstafel.csv: kapot") == (
        "bestand/file levenstafel.csv: kapot"
    )
    assert hide_paths("zie https://example.org/a/b.csv en 12/5") == (
        "zie https://example.org/a/b.csv en 12/5"
    )


def test_scenarios_belong_to_their_maker(client: TestClient, folders: tuple[Path, Path]) -> None:
    # issue 30: a second, non-admin organiser deleted the demo's scenario and overwrote another
    # by saving with "oude_naam"; now only the maker (or an admin) changes or deletes
    from gezondewijk.store.db import transaction
    from gezondewijk.store.repository import create_user

    folder, _ = folders
    app = client.app
    with transaction(app.state.sessions) as session:  # type: ignore[attr-defined]
        create_user(session, "tweede@gemeente.nl", "Tweede", "nog-een-lang-wachtwoord")
    other = TestClient(app)
    page = other.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    other.post(
        "/login",
        data={"email": "tweede@gemeente.nl", "password": "nog-een-lang-wachtwoord",
              "csrf": token.group(1)},
    )  # fmt: skip
    found = re.search(r'data-csrf="([^"]+)"', other.get("/scenarios/nieuw").text)
    assert found
    csrf = found.group(1)
    assert other.get("/scenarios/autoluw-centrum").status_code == 200  # may open it
    # delete the demo's scenario: refused, the files stay
    refused = other.post("/scenarios/autoluw-centrum/verwijder", data={"csrf": csrf})
    assert refused.status_code == 403 and (folder / "autoluw-centrum.toml").exists()
    # a new scenario "replacing" another's: refused, nothing overwritten or deleted
    drawn = _park_and_gp(client)
    body = {"naam": "mijn-park", "titel": "Mijn park", "wijzigingen": drawn,
            "oude_naam": "autoluw-centrum"}  # fmt: skip
    r = other.post("/scenarios/opslaan", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and "van een ander" in r.json()["error"]["problems"][0]["problem"]
    assert (folder / "autoluw-centrum.toml").exists() and not (folder / "mijn-park.toml").exists()
    # their own scenario: saved, renamed and deleted by themselves
    del body["oude_naam"]
    assert (
        other.post("/scenarios/opslaan", json=body, headers={"X-CSRF-Token": csrf}).status_code
        == 200
    )
    body |= {"naam": "mijn-park-2", "oude_naam": "mijn-park"}
    assert (
        other.post("/scenarios/opslaan", json=body, headers={"X-CSRF-Token": csrf}).status_code
        == 200
    )
    # a name that exists: the maker is asked for another, nothing overwritten
    clash = {
        "naam": "autoluw-centrum",
        "titel": "x",
        "wijzigingen": drawn,
        "oude_naam": "mijn-park-2",
    }
    r = other.post("/scenarios/opslaan", json=clash, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409
    assert other.post("/scenarios/mijn-park-2/verwijder", data={"csrf": csrf}).status_code == 200
    assert not (folder / "mijn-park-2.toml").exists()

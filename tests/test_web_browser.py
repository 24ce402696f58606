"""The Leefplekmeter in headless Chromium: a 360 px phone, keyboard, no JavaScript, axe-core."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from gezondewijk.demo.leefplekmeter import make_demo_campaign
from gezondewijk.web import WebSettings, create_app
from tests.test_browser import ARGS, CHROMIUM

AREAS = [("BU99990000", "Centrum"), ("BU99990001", "Molenwijk")]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object, object]]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    db = tmp_path_factory.mktemp("web") / "gezondewijk.db"
    app = create_app(WebSettings(database_url=f"sqlite:///{db}", public_url=base))
    SERVERS[base] = app
    filled = make_demo_campaign(app.state.sessions, areas=AREAS, n=25)
    empty = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield base, filled, empty
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run 'make system-deps' (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _axe(page) -> list[dict[str, object]]:
    source = (resources.files("gezondewijk.outputs") / "vendor" / "axe.min.js").read_text()
    page.evaluate(source)
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))",
        WCAG,
    )
    return list(result)


def _log_in(page: Any, base: str) -> None:
    """Log in as the demo organiser in this browser page."""
    page.goto(f"{base}/login")
    page.fill("#email", "demo@gezondewijk.nl")
    page.fill("#password", "demo-wachtwoord")
    page.click("button.primary")


def _offsite(requests: list[str], base: str) -> list[str]:
    return [u for u in requests if not u.startswith((base, "data:", "about:"))]


def test_phone_survey_keyboard_and_axe(server, browser) -> None:
    base, _, campaign = server
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base}/")
    page.fill("#code", campaign.code.lower())
    page.keyboard.press("Enter")
    page.wait_for_selector("fieldset.theme")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _axe(page) == []
    # keyboard only: tab into the first theme's scale and choose with the arrow keys
    page.focus("input[name=score_bewegen][value='1']")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.input_value("input[name=score_bewegen]:checked") == "3"
    page.click("label:has(input[name=score_natuur_groen][value='8'])")
    page.click("text=Toelichting geven (mag) >> nth=4")
    page.fill("#beter_natuur_groen", "Meer bomen in de straat")
    page.click("button.primary")
    page.wait_for_selector("text=Bedankt")
    assert _axe(page) == []
    assert _offsite(requests, base) == []
    assert context.cookies() == []  # residents get no cookie
    context.close()


def test_without_javascript(server, browser) -> None:
    base, _, campaign = server
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{base}/c/{campaign.code}")
    page.check("input[name=score_wonen][value='6']", force=True)
    page.click("button.primary")
    page.wait_for_selector("text=Bedankt")
    context.close()


def test_results_page_spider_web_and_axe(server, browser) -> None:
    base, campaign, _ = server
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _log_in(page, base)
    page.goto(f"{base}/beheer/{campaign.code}")
    spider = page.locator("figure.spider svg")
    spider.wait_for()
    assert spider.locator("polygon").count() >= 5  # web rings, the band and the median line
    assert page.locator("table.summary tbody tr").count() == 14
    assert _axe(page) == []
    page.select_option("#compare_by", "respondent_type")
    page.click("text=Toon")
    page.locator("figure.spider svg").wait_for()
    assert _axe(page) == []
    assert _offsite(requests, base) == []
    page.screenshot(
        path=str(Path(__file__).parent.parent / "uitvoer" / "results-phone.png")
        if (Path(__file__).parent.parent / "uitvoer").is_dir()
        else None
    )
    context.close()


def _no_sideways(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_kiosk_back_button_shows_an_empty_form(server, browser) -> None:
    base, _, _ = server
    app = server_app(base)
    kiosk = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    from gezondewijk.store.db import transaction
    from gezondewijk.store.models import Campaign

    with transaction(app.state.sessions) as session:
        session.get(Campaign, kiosk.id).mode = "kiosk"  # type: ignore[union-attr]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{base}/c/{kiosk.code}")
    assert page.locator("header nav").count() == 0  # no links away from the survey
    page.check("input[name=score_wonen][value='3']", force=True)
    page.click("text=Toelichting geven (mag) >> nth=0")
    page.fill("#beter_bewegen", "Mijn buurman Jan is vervelend")
    page.click("button.primary")
    page.wait_for_selector("text=Bedankt")
    assert "seconden" in page.inner_text("#aftellen")  # the countdown shows
    assert _axe(page) == []
    page.go_back()
    page.wait_for_selector("fieldset.theme")
    assert page.locator("input[name=score_wonen]:checked").count() == 0
    assert page.input_value("#beter_bewegen") == ""
    context.close()


def server_app(base: str) -> Any:
    return SERVERS[base]


SERVERS: dict[str, Any] = {}


def test_no_page_scrolls_sideways_at_360(server, browser, tmp_path_factory) -> None:
    base, filled, _ = server
    shots = Path(__file__).parent.parent / "uitvoer" / "schermen"
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    _log_in(page, base)
    pages = {
        "home": "/",
        "survey": f"/c/{filled.code}",
        "beheer": "/beheer",
        "nieuw": "/beheer/nieuw",
        "resultaten": f"/beheer/{filled.code}?compare_by=age_band",
        "bewerk": f"/beheer/{filled.code}/bewerk",
        "opmerkingen": f"/beheer/{filled.code}/opmerkingen",
        "invoer": f"/beheer/{filled.code}/invoer",
        "niet-gevonden": "/bestaat-niet",
    }
    for name, path in pages.items():
        page.goto(base + path)
        assert _no_sideways(page) <= 360, (name, _no_sideways(page))
        logout = page.locator("button:has-text('Uitloggen')")
        if logout.count():
            box = logout.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 360, name
        if shots.parent.is_dir():
            shots.mkdir(exist_ok=True)
            page.screenshot(path=str(shots / f"{name}-360.png"), full_page=True)
    assert _offsite(requests, base) == []
    context.close()


def test_api_docs_render_from_the_package(server, browser) -> None:
    base, _, _ = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    loaded: list[str] = []
    page.on("requestfinished", lambda r: loaded.append(r.url))
    page.goto(f"{base}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    assert "/api/campaigns/{code}/responses" in page.inner_text("#swagger-ui")
    page.goto(f"{base}/redoc")
    page.wait_for_function("document.body.innerText.includes('Submit Response')", timeout=20_000)
    # ReDoc's bundle asks for its badge image at cdn.redoc.ly; the app's CSP (img-src 'self')
    # blocks it, so nothing from another host is loaded. blob: is ReDoc's own search worker.
    assert [u for u in _offsite(loaded, base) if not u.startswith("blob:")] == []
    context.close()

"""Werksessies in headless Chromium: a facilitator and two participants see each other live.

Three browser contexts (no shared cookies): the facilitator on a laptop, two participants on
360 px phones. Input typed in one appears in the others through server-sent events, without
a reload; "klaar" marks reach the facilitator; a suggested offer–need pair is confirmed and
becomes an agreement. axe-core checks each page; no page may scroll sideways at 360 px.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from PIL import Image

from gezondewijk.demo.leefplekmeter import make_demo_campaign
from gezondewijk.reports import load_map_data
from gezondewijk.store.db import transaction
from gezondewijk.store.repository import create_user
from gezondewijk.web import WebSettings, create_app
from tests.test_browser import ARGS, CHROMIUM
from tests.test_web_browser import _axe, _offsite

#: Takes more than a few seconds (``pytest -m "not slow"`` leaves it out).
pytestmark = pytest.mark.slow

EMAIL, PASSWORD = "leider@gezondewijk.nl", "leider-wachtwoord"
#: Set to a folder to keep the screenshots (for a person to look at).
SHOTS = os.environ.get("GEZONDEWIJK_SCREENSHOTS", "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: The app behind the module's server (to set up a campaign directly).
APPS: dict[str, Any] = {}


def _heading_order(page) -> list[object]:
    """axe-core's best-practice rule ``heading-order`` (no level skipped on the way down)."""
    return list(
        page.evaluate(
            "async () => (await axe.run(document, {runOnly: {type: 'rule', values: "
            "['heading-order']}})).violations.map(v => v.nodes.map(n => n.target))"
        )
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, map_dir: Path) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    db = tmp_path_factory.mktemp("ws") / "gezondewijk.db"
    app = create_app(WebSettings(database_url=f"sqlite:///{db}", public_url=base, map_dir=map_dir))
    APPS[base] = app
    with transaction(app.state.sessions) as session:
        create_user(session, EMAIL, "Gespreksleider", PASSWORD)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="error", timeout_graceful_shutdown=1
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield base
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


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _fits(page: Any) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _start(lead: Any, title: str) -> None:
    """The facilitator starts the step called ``title``."""
    lead.locator("table.steps tr", has_text=title).locator("button").click()
    lead.locator("h2", has_text=title).wait_for()


def _join(browser: Any, base: str, code: str, name: str, domain: str) -> Any:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{base}/sessie")
    page.fill("#f-code", code.lower())
    page.keyboard.press("Enter")
    page.fill("#f-name", name)
    page.check(f"input[name=domain][value={domain}]")
    page.click("button.primary")
    page.wait_for_selector("text=U doet mee als")
    return page


def test_facilitator_and_two_participants_live(server: str, browser: Any) -> None:
    base = server
    lead_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    lead = lead_ctx.new_page()
    requests: list[str] = []
    lead.on("request", lambda r: requests.append(r.url))
    lead.goto(f"{base}/login")
    lead.fill("#email", EMAIL)
    lead.fill("#password", PASSWORD)
    lead.click("button.primary")
    lead.goto(f"{base}/beheer/sessies")
    assert _axe(lead) == []
    lead.set_viewport_size({"width": 360, "height": 740})
    _fits(lead)
    _shot(lead, "sessies-360")
    lead.set_viewport_size({"width": 1280, "height": 900})
    lead.fill("#f-title", "Samen gezond in Noord")
    lead.fill("#f-series", "Noord 2026")
    lead.check("input[value=brengen-en-halen]")
    lead.check("input[value=beleidsscan]")
    lead.fill("#f-groups", "2")
    lead.click("text=Sessie maken")
    lead.wait_for_selector(".join-code")
    code = lead.inner_text(".join-code").strip()
    assert len(code) == 6
    # the workbook's timing: pitches take 5 minutes per pair, here two groups
    assert lead.locator("table.steps tr", has_text="Pitches per duo").inner_text().count("10") == 1
    assert _axe(lead) == []

    anna = _join(browser, base, code, "Anna", "sociaal")
    bram = _join(browser, base, code, "Bram", "fysiek")
    assert anna.locator("text=Wacht tot de gespreksleider").count() == 1
    _fits(anna)

    # the step starts on the facilitator's page; the phones follow without a reload
    _start(lead, "Ronde 1: wat brengen wij?")
    anna.locator("h2", has_text="Ronde 1").wait_for(timeout=10_000)
    bram.locator("h2", has_text="Ronde 1").wait_for(timeout=10_000)
    assert lead.locator("#klaar-" + lead.get_attribute("h2[id^=stap-]", "id")[5:]).inner_text()

    anna.fill("textarea[name=text]", "Kaarten van eenzaamheid per buurt")
    anna.click("form.add button.primary")
    bram.locator(".region li", has_text="Kaarten van eenzaamheid").wait_for(timeout=10_000)
    lead.locator(".region li", has_text="Kaarten van eenzaamheid").wait_for(timeout=10_000)
    assert anna.input_value("textarea[name=text]") == ""  # sent in the background, form cleared
    bram.fill("textarea[name=text]", "Plannen voor nieuwe speelplekken")
    bram.click("form.add button.primary")
    anna.locator(".region li", has_text="speelplekken").wait_for(timeout=10_000)
    # own input has buttons, someone else's has none
    mine = anna.locator(".region li", has_text="Kaarten van eenzaamheid")
    theirs = anna.locator(".region li", has_text="speelplekken")
    assert mine.locator(".ctl").is_visible() and not theirs.locator(".ctl").is_visible()
    _fits(anna)
    assert _axe(anna) == []
    assert _heading_order(anna) == []  # issue 30: the participant page during the ideas step
    _shot(anna, "deelnemer-360")

    # "klaar": the facilitator sees who is not done yet, live
    ready = lead.locator(".ready")
    assert "Anna" in ready.inner_text() and "Bram" in ready.inner_text()
    anna.click("text=Ik ben klaar")
    anna.wait_for_selector("text=U bent klaar met deze stap")
    lead.wait_for_function(
        "() => !document.querySelector('.ready').innerText.includes('Anna')", timeout=10_000
    )
    assert "Bram" in ready.inner_text()
    _shot(lead, "leider-1280")

    _start(lead, "Ronde 2: wat halen wij?")
    bram.locator("h2", has_text="Ronde 2").wait_for(timeout=10_000)
    bram.fill("textarea[name=text]", "Kaarten met eenzaamheid in de buurt")
    bram.click("form.add button.primary")
    anna.locator(".region li", has_text="eenzaamheid in de buurt").wait_for(timeout=10_000)
    anna.fill("textarea[name=text]", "Plannen voor speelplekken")
    anna.click("form.add button.primary")
    lead.locator(".region li", has_text="Plannen voor speelplekken").wait_for(timeout=10_000)

    # matching: the app suggests, the facilitator confirms, the pair becomes an agreement
    _start(lead, "Aanbod en vraag koppelen")
    suggestion = lead.locator(".pairs li", has_text="Kaarten van eenzaamheid per buurt")
    suggestion.first.wait_for()
    suggestion.first.locator("button", has_text="Bevestig").click()
    lead.locator("h3:has-text('Bevestigde koppels') + ul li", has_text="Kaarten").wait_for(
        timeout=10_000
    )
    projector_ctx = lead_ctx.new_page()
    projector_ctx.goto(f"{base}/sessie/{code}/scherm")
    assert projector_ctx.locator(".ctl:visible, .lead-only:visible").count() == 0
    _shot(projector_ctx, "scherm-1280")
    assert _axe(projector_ctx) == []
    assert _heading_order(projector_ctx) == []
    projector_ctx.close()

    agreements = lead_ctx.request.get(f"{base}/sessie/{code}/afspraken.md").text()
    assert "Kaarten van eenzaamheid per buurt" in agreements and "Anna en Bram" in agreements
    assert "Aanbod en vraag koppelen" in agreements  # the step it came from
    pdf = lead_ctx.request.get(f"{base}/sessie/{code}/afspraken.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # the vote: both phones vote, the distribution shows on the facilitator's page
    _start(lead, "Welke strategie past bij ons?")
    anna.locator("h2", has_text="strategie").wait_for(timeout=10_000)
    bram.locator("h2", has_text="strategie").wait_for(timeout=10_000)
    anna.check("input[value='Eén gezondheidsthema voorop']")
    anna.click("form.add button.primary")
    bram.check("input[value='Eén gezondheidsthema voorop']")
    bram.click("form.add button.primary")
    lead.locator(".votes li", has_text="Eén gezondheidsthema voorop").locator(
        "text=2 (100 %)"
    ).wait_for(timeout=10_000)
    _fits(bram)
    assert _axe(bram) == []
    _shot(bram, "stemming-360")
    assert _offsite(requests, base) == []
    for page in (anna, bram):
        page.context.close()
    lead_ctx.close()


def test_participant_without_javascript(server: str, browser: Any) -> None:
    """Join, add input and remove it again with plain forms and reloads."""
    base = server
    lead_ctx = browser.new_context()
    lead = lead_ctx.new_page()
    lead.goto(f"{base}/login")
    lead.fill("#email", EMAIL)
    lead.fill("#password", PASSWORD)
    lead.click("button.primary")
    lead.goto(f"{base}/beheer/sessies")
    lead.fill("#f-title", "Zonder script")
    lead.check("input[value=omgeving-en-stress]")
    lead.click("text=Sessie maken")
    code = lead.inner_text(".join-code").strip()
    _start(lead, "Tweetallen: wat geeft stress?")

    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{base}/sessie/{code}")
    page.fill("#f-name", "Cor")
    page.click("button.primary")
    page.fill("textarea[name=text]", "Geluid van de snelweg 's nachts")
    page.check("input[name=everyone][value=nee]", force=True)
    page.fill("input[name=for_whom]", "mensen die dicht bij de weg wonen")
    page.click("form.add button.primary")
    item = page.locator(".region li", has_text="Geluid van de snelweg")
    item.wait_for()
    assert "dicht bij de weg" in item.inner_text()
    item.locator("button", has_text="Verwijder").click()
    page.wait_for_selector("text=Nog geen stressoren genoemd")
    context.close()
    lead_ctx.close()


def _login(browser: Any, base: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    lead = context.new_page()
    lead.goto(f"{base}/login")
    lead.fill("#email", EMAIL)
    lead.fill("#password", PASSWORD)
    lead.click("button.primary")
    lead.wait_for_selector("text=Uitloggen")
    return lead


def _score(page: Any, theme: str, value: str) -> None:
    page.locator(f"fieldset[id$='-{theme}']").get_by_text(value, exact=True).click()


def _send_web(page: Any, group: str, scores: dict[str, str]) -> None:
    page.select_option("select[name=group]", group)
    for theme, value in scores.items():
        _score(page, theme, value)
    page.click("form.add button.primary")


def _look(page: Any, name: str) -> None:
    """No WCAG 2.1 AA violations; at 1280 and 360 px a screenshot, no sideways scroll at 360."""
    assert _axe(page) == []
    width = page.viewport_size["width"]
    for w in (1280, 360):
        page.set_viewport_size({"width": w, "height": 800})
        if w == 360:
            _fits(page)
        _shot(page, f"{name}-{w}")
    page.set_viewport_size({"width": width, "height": 800})


def test_slide_walk_and_board(server: str, browser: Any) -> None:
    """The slide with the run's figures, the walk's spider webs, dragging on the board."""
    base = server
    lead = _login(browser, base)
    requests: list[str] = []
    lead.on("request", lambda r: requests.append(r.url))
    lead.goto(f"{base}/beheer/sessies")
    lead.fill("#f-title", "Wandeling Noord")
    for form in ("kennismakingsronde", "wandeling", "beleidsscan"):
        lead.check(f"input[value={form}]")
    lead.fill("#f-groups", "2")
    lead.click("text=Sessie maken")
    code = lead.inner_text(".join-code").strip()
    buurt = str(load_map_data(APPS[base].state.settings.map_dir).buurten["buurtnaam"].iloc[0])
    lead.fill("#f-area", buurt)
    lead.click("text=Gebied opslaan")
    lead.locator("h3", has_text=f"Wandelgebied: {buurt}").wait_for()
    lead.locator(".walk-area img").scroll_into_view_if_needed()
    lead.wait_for_function(
        "() => document.querySelector('.walk-area img').naturalWidth > 0", timeout=30_000
    )
    anna = _join(browser, base, code, "Anna", "sociaal")
    bram = _join(browser, base, code, "Bram", "fysiek")

    _start(lead, "Gezondheidsverschillen")
    anna.locator(".slide", has_text="procentpunt").wait_for(timeout=10_000)
    _look(anna, "dia")
    screen = lead.context.new_page()
    screen.goto(f"{base}/sessie/{code}/scherm")
    assert "procentpunt" in screen.inner_text(".slide")
    _shot(screen, "dia-scherm-1280")
    screen.close()

    _start(lead, "Vooraf: wat weten we")
    anna.locator("h2", has_text="Vooraf").wait_for(timeout=10_000)
    assert anna.locator(".walk-area img").count() == 1
    _send_web(anna, "1", {"bewegen": "5", "natuur_groen": "6", "wonen": "weet niet"})
    _send_web(bram, "2", {"bewegen": "4", "natuur_groen": "5", "wonen": "3"})
    lead.locator(".region", has_text="2 van 2 groepen ingevuld").wait_for(timeout=10_000)

    _start(lead, "Spinnenweb na de wandeling")
    bram.locator("h2", has_text="na de wandeling").wait_for(timeout=10_000)
    _send_web(anna, "1", {"bewegen": "5", "natuur_groen": "2", "wonen": "4"})
    _send_web(bram, "2", {"bewegen": "4", "natuur_groen": "7", "wonen": "3"})
    moved = lead.locator(".walk-summary li", has_text="Groep 2: +2").first
    moved.wait_for(timeout=10_000)  # both groups' webs after the walk have arrived
    assert "Natuur en groen" in moved.inner_text() and "Groep 1: −4" in moved.inner_text()
    assert lead.locator(".step-now .webs svg").count() == 3  # each group, and all groups
    _look(lead, "wandeling-leider")
    anna.reload()
    _look(anna, "wandeling-deelnemer")

    # the board: add in one field, drag to another; the facilitator sees it move
    _start(lead, "Pitches per duo")
    anna.locator("h2", has_text="Pitches").wait_for(timeout=10_000)
    anna.set_viewport_size({"width": 1280, "height": 900})  # dragging with a mouse
    anna.fill("textarea[name=text]", "Schoolplein groen met de nieuwe aanbesteding")
    anna.check("input[name=quadrant][value=snel-groot]", force=True)
    anna.click("form.add button.primary")
    item = anna.locator("[data-quadrant=snel-groot] li", has_text="Schoolplein")
    item.wait_for(timeout=10_000)
    item.drag_to(anna.locator("[data-quadrant=traag-groot]"))
    lead.locator("[data-quadrant=traag-groot] li", has_text="Schoolplein").wait_for(timeout=10_000)
    assert lead.locator("[data-quadrant=snel-groot] li", has_text="Schoolplein").count() == 0
    # someone else's opportunity cannot be dragged
    assert bram.locator("li", has_text="Schoolplein").get_attribute("draggable") == "false"
    assert _offsite(requests, base) == []
    for page in (anna, bram, lead):
        page.context.close()


def test_photovoice_upload_review_and_fact_sheet(server: str, browser: Any, tmp_path: Path) -> None:
    base = server
    app = APPS[base]
    buurten = load_map_data(app.state.settings.map_dir).buurten
    areas = [(str(c), str(n)) for c, n in buurten[["buurtcode", "buurtnaam"]].head(2).values]
    campaign = make_demo_campaign(
        app.state.sessions, areas=areas, n=0, owner_email=EMAIL, owner_password=PASSWORD
    )
    lead = _login(browser, base)
    lead.goto(f"{base}/beheer/{campaign.code}")
    lead.click("text=Foto's aanzetten")
    lead.locator("text=Aan: bewoners kunnen foto").wait_for()

    photo = tmp_path / "bankje.jpg"
    picture = Image.new("RGB", (900, 600), (40, 120, 60))
    picture.paste((200, 180, 40), (300, 200, 600, 400))
    picture.save(photo, format="JPEG")
    resident = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    resident.goto(f"{base}/c/{campaign.code}")
    resident.click("text=Foto toevoegen")
    _look(resident, "foto-toevoegen")
    # the place: a click on the map fills it in (kept to ~100 m)
    resident.wait_for_selector("#plek-kaart[data-ready=ja]", timeout=20_000)
    resident.locator("#plek-kaart canvas").click()
    resident.locator("#plek-status", has_text="Plek gekozen").wait_for()
    picked = float(resident.input_value("#f-lat-in").replace(",", "."))
    assert buurten.total_bounds[1] <= picked <= buurten.total_bounds[3]
    resident.set_input_files("#f-foto", str(photo))
    resident.fill("#f-caption", "Het bankje bij de speeltuin is kapot")
    resident.select_option("#f-theme", "spelen_recreatie")
    resident.select_option("#f-buurtcode", areas[0][0])
    resident.check("#f-consent")
    resident.click("text=Foto versturen")
    resident.wait_for_selector("text=Bedankt voor uw foto")

    lead.goto(f"{base}/beheer/{campaign.code}/fotos")
    assert "1 nieuw" in lead.inner_text("main") and "° N" in lead.inner_text("main")
    _look(lead, "fotos-beoordelen")
    lead.click("text=Goedkeuren")
    lead.locator(".state", has_text="goedgekeurd").wait_for()
    lead.goto(f"{base}/beheer/{campaign.code}#fotos")
    assert lead.locator("#fotos h3", has_text="Spelen en recreatie").count() == 1
    resident.goto(f"{base}/buurt/{areas[0][0]}")
    figure = resident.locator(".photo-grid figure", has_text="bankje bij de speeltuin")
    assert figure.count() == 1
    resident.locator(".photo-grid img").scroll_into_view_if_needed()
    resident.wait_for_function(
        "() => document.querySelector('.photo-grid img').naturalWidth === 900", timeout=10_000
    )
    _look(resident, "feitenblad-foto")
    resident.context.close()
    lead.context.close()

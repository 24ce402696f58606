"""The HTML map in headless Chromium: offline, draws, shows details on click."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gezondewijk.outputs import write_html_map
from gezondewijk.run import MapResult

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian chromium is missing: run 'make system-deps' (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _open(browser, path: Path, width: int = 1200, height: int = 800):
    page = browser.new_page(viewport={"width": width, "height": height})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("#legend .legend-row")
    return page, requests, errors


def test_map_draws_offline_and_shows_details(
    browser, demo_result: MapResult, tmp_path: Path
) -> None:
    path = write_html_map(demo_result, tmp_path / "kaart.html")
    page, requests, errors = _open(browser, path)
    assert errors == []
    assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests
    shot = page.screenshot()
    from io import BytesIO

    from PIL import Image

    img = Image.open(BytesIO(shot)).convert("RGB")
    box = page.locator("#map").bounding_box()
    assert box is not None
    crop = img.crop(
        (int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"]))
    )
    colours = crop.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 8, "the map looks blank"
    # click the map centre: the details table lists every indicator
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#details table")
    rows = page.locator("#details tbody tr").count()
    assert rows == len(demo_result.preset.indicators)
    # switch to an indicator layer: the legend shows its threshold source
    page.select_option("#layer", "geluid_lucht")
    assert "WHO" in page.locator("#legend").inner_text()
    page.check("input[value=buurten]")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "buurt" in page.locator("#details").inner_text().lower() or rows > 0
    page.close()


def test_map_on_a_phone(browser, demo_result: MapResult, tmp_path: Path) -> None:
    path = write_html_map(demo_result, tmp_path / "kaart.html")
    page, _, errors = _open(browser, path, width=360, height=740)
    assert errors == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert page.locator("text=synthetische voorbeelddata").first.is_visible()
    page.close()

"""The map viewer on the whole country, as a user meets it: app start, a city view in Chromium.

Measured in one run, against the straightforward way the viewer worked before (every cell
read into memory at start; the buurten and the cells in view sent as GeoJSON):

- **app start**: ``gezondewijk serve`` with ``GEZONDEWIJK_MAP_DIR`` on the national run, from
  starting the process until ``/kaart/lagen.json`` answers, and the server's memory;
- **a city view**: headless Chromium opens ``/kaart#12.5/<Eindhoven>`` on a cold server (no
  tile cut yet) and waits until MapLibre has drawn every tile in view; bytes transferred
  (the page, scripts, layer list and tiles, as the browser counts them) and seconds;
- **a second city** (Rotterdam) on the same page: only tiles travel;
- the old way: ``/kaart/buurten.geojson`` plus ``/kaart/cellen.geojson`` of the same view
  (uncompressed, as the old viewer fetched them), and reading all cells as a GeoDataFrame.

Run alone: ``python benchmarks/viewer.py [folder]`` (a folder of ``gezondewijk run``; without
one the national run is built first).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python benchmarks/viewer.py` finds the benchmarks package

from benchmarks.proctree import run_measured, tree_rss_mb  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SERVE = "import sys; from gezondewijk.cli import main; sys.exit(main(sys.argv[1:]))"
#: (label, MapLibre hash zoom/lat/lon) of the city views.
VIEWS = (("Eindhoven", "12.5/51.4416/5.4697"), ("Rotterdam", "12.5/51.9225/4.4792"))
VIEWPORT = {"width": 1280, "height": 800}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _old_way(folder: Path) -> dict[str, Any]:
    """Reading every cell into memory in WGS84, as the viewer did at start."""
    code = (
        "import geopandas as gpd, sys; "
        f"c = gpd.read_parquet({str(folder / 'cellen.parquet')!r}).to_crs(4326); "
        "c.geometry.representative_point(); print(len(c))"
    )
    r = run_measured([sys.executable, "-c", code], cwd=ROOT, limit=600)
    return {"old_load_s": r["seconds"], "old_load_mb": r["peak_tree_mb"]}


def _browse(base: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]})
        # every response, the web worker's tile fetches included: body as sent + headers
        got: list[tuple[str, int]] = []

        def finished(request: Any) -> None:
            size = request.sizes()
            got.append((request.url, size["responseBodySize"] + size["responseHeadersSize"]))

        page.on("requestfinished", finished)

        def sent() -> float:
            return sum(n for _, n in got) / 1024

        def tiles() -> int:
            return sum(1 for url, _ in got if "/tegels/" in url)

        def redraw(action: str) -> float:
            """Seconds from ``action`` until MapLibre has drawn every tile in view."""
            drawn = page.get_attribute("#kaart", "data-getekend") or "0"
            start = time.perf_counter()
            page.evaluate(action)
            page.wait_for_function(
                f"() => Number(document.getElementById('kaart').dataset.getekend || 0) > {drawn}",
                timeout=120_000,
            )
            return time.perf_counter() - start

        label, where = VIEWS[0]
        start = time.perf_counter()
        page.goto(f"{base}/kaart#{where}")
        page.wait_for_selector("#kaart[data-ready=ja]", timeout=120_000)
        out["page_s"] = time.perf_counter() - start
        out["page_kb"], out["page_tiles"] = sent(), tiles()
        out["view_city"], out["view_hash"] = label, f"#{where}"
        # the cells of the same view: the server has cut none of these tiles yet
        kb, n = sent(), tiles()
        out["view_s"] = redraw("() => document.querySelector('input[value=cellen]').click()")
        out["view_kb"], out["view_tiles"] = sent() - kb, tiles() - n
        label2, where2 = VIEWS[1]
        kb, n = sent(), tiles()
        out["second_s"] = redraw(f"() => {{ location.hash = '{where2}'; }}")
        out["second_kb"], out["second_tiles"] = sent() - kb, tiles() - n
        out["second_city"] = label2
        browser.close()
    return out


def measure(folder: Path) -> dict[str, Any]:
    """All figures of the viewer on the run in ``folder``."""
    port = _port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="gw-viewer-db-") as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "GEZONDEWIJK_DATABASE_URL": f"sqlite:///{tmp}/w.db",
            "GEZONDEWIJK_MAP_DIR": str(folder),
            "GEZONDEWIJK_PUBLIC_URL": base,
        }
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    if httpx.get(f"{base}/kaart/lagen.json", timeout=30).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.perf_counter() - start > 120:
                    raise RuntimeError("the app did not start")
                time.sleep(0.05)
            figures: dict[str, Any] = {
                "start_s": time.perf_counter() - start,
                "start_mb": tree_rss_mb(proc.pid),
            }
            figures.update(_browse(base))
            figures["after_views_mb"] = tree_rss_mb(proc.pid)
            # the old viewer's requests for the same view: all buurten, the cells in the box
            west, south, east, north = _view_box(figures["view_hash"])
            plain = {"Accept-Encoding": "identity"}
            buurten = httpx.get(f"{base}/kaart/buurten.geojson", headers=plain, timeout=120)
            cells = httpx.get(
                f"{base}/kaart/cellen.geojson?bbox={west},{south},{east},{north}",
                headers=plain,
                timeout=120,
            )
            figures["old_view_kb"] = (len(buurten.content) + len(cells.content)) / 1024
            figures["old_view_cells"] = int(cells.headers.get("X-Cellen-In-Beeld", "0"))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    figures.update(_old_way(folder))
    return figures


def _view_box(hash_text: str) -> tuple[float, float, float, float]:
    """The WGS84 box a 1280 × 800 map shows at MapLibre's ``#zoom/lat/lon`` (512-px world)."""
    import math

    zoom, lat, lon = (float(v) for v in hash_text.lstrip("#").split("/")[:3])
    per_px = 360 / (512 * 2**zoom)
    half_w = VIEWPORT["width"] / 2 * per_px  # the map is narrower than the window: an upper bound
    half_h = VIEWPORT["height"] / 2 * per_px * math.cos(math.radians(lat))
    return (lon - half_w, lat - half_h, lon + half_w, lat + half_h)


def viewer_lines(v: dict[str, Any]) -> list[str]:
    """The benchmark table of :func:`measure`'s figures."""
    return [
        "| map viewer, NL 100 m | now | before (same run) | goal |",
        "|---|---|---|---|",
        f"| app start with the national run | {v['start_s']:.1f} s, {v['start_mb']:.0f} MB "
        f"| all cells read: {v['old_load_s']:.1f} s, {v['old_load_mb']:.0f} MB | < 3 s, < 1 GB |",
        f"| map page opened on {v['view_city']}, buurten (page, scripts, tiles; cold) "
        f"| {v['page_kb']:.0f} kB, {v['page_tiles']} tiles, drawn in {v['page_s']:.2f} s "
        f"| | |",
        f"| the cells of that view (tiles not cut yet) | {v['view_kb']:.0f} kB, "
        f"{v['view_tiles']} tiles, drawn in {v['view_s']:.2f} s | buurten + cells GeoJSON: "
        f"{v['old_view_kb']:.0f} kB ({v['old_view_cells']} cells) "
        f"= {v['old_view_kb'] / max(v['page_kb'] + v['view_kb'], 1):.0f}× the whole page "
        f"| < 1 MB, < 1 s |",
        f"| second city {v['second_city']}, cells (same page) | {v['second_kb']:.0f} kB, "
        f"{v['second_tiles']} tiles, drawn in {v['second_s']:.2f} s | | < 1 MB, < 1 s |",
        f"| server memory after both views | {v['after_views_mb']:.0f} MB | | < 1 GB |",
    ]


def main() -> int:
    if len(sys.argv) > 1:
        folder = Path(sys.argv[1])
        if not (folder / "buurten.parquet").is_file():
            print(f"{folder}: not the output folder of 'gezondewijk run'", file=sys.stderr)
            return 2
        figures = measure(folder)
    else:
        from benchmarks.run import national_folder

        with tempfile.TemporaryDirectory(prefix="gw-viewer-") as tmp:
            figures = measure(national_folder(Path(tmp)))
    print("\n".join(viewer_lines(figures)))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

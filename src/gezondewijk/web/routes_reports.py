"""Map viewer, area fact sheets and the municipal overview (read from a pipeline run)."""

from __future__ import annotations

import base64
import gzip
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from gezondewijk.leefplekmeter.themes import themes
from gezondewijk.reports import cells_fact_sheet, fact_sheet, overview
from gezondewijk.reports.tiles import MAX_ZOOM, valid_tile
from gezondewijk.store.photos import approved_in_buurt
from gezondewijk.store.repository import buurt_frames
from gezondewijk.web.deps import (
    current_user,
    factory,
    heavy,
    map_data,
    map_tiles,
    pdf_response,
    render,
)
from gezondewijk.web.state import state_of

router = APIRouter(include_in_schema=False)


def area_map_png(*args: Any) -> bytes:
    """:func:`gezondewijk.reports.charts.area_map_png`, imported when first drawn.

    Matplotlib and the picture writer take ~1 s to import; the app starts without them.
    """
    from gezondewijk.reports.charts import area_map_png as draw

    return draw(*args)


def overview_png(*args: Any) -> bytes:
    """:func:`gezondewijk.reports.charts.overview_png`, imported when first drawn."""
    from gezondewijk.reports.charts import overview_png as draw

    return draw(*args)


@router.get("/kaart", response_class=HTMLResponse)
def viewer(request: Request) -> Response:
    """The interactive map: buurten and cells, a layer per indicator and per preset."""
    data = map_data(request)
    names = data.buurten[["buurtcode", "buurtnaam"]].sort_values("buurtnaam")
    files = [n for n in DOWNLOADS if (data.folder / n).is_file()]
    return render(
        request,
        "kaart.html",
        files=files,
        user=current_user(request),
        data=data,
        has_cells=data.cells is not None,
        # a national run has 13,600 buurten (600 kB of page): those names come with the
        # first use of the search field instead (/kaart/namen.json, compressed)
        names=list(names.itertuples(index=False)) if len(names) <= INLINE_NAMES else [],
        names_later=len(names) > INLINE_NAMES,
        basemap=state_of(request).settings.basemap_url,
    )


#: Up to this many buurten, the search's suggestions are part of the map page.
INLINE_NAMES = 2000


@router.get("/kaart/namen.json")
def buurt_names(request: Request) -> Any:
    """``[[name, code], ...]`` of every buurt, sorted by name (the search's suggestions)."""
    table = map_data(request).buurten[["buurtnaam", "buurtcode"]].sort_values("buurtnaam")
    return table.astype(str).to_numpy().tolist()


@router.get("/kaart/lagen.json")
def layers(request: Request) -> Any:
    """Layer descriptions (labels, thresholds with their sources)."""
    info = map_data(request).layers()
    info["basemap"] = state_of(request).settings.basemap_url
    return info


@router.get("/kaart/tegels/{layer}/{z}/{x}/{y}.pbf")
def tile(request: Request, layer: str, z: int, x: int, y: int) -> Response:
    """A vector tile (Mapbox Vector Tile, gzipped) of the buurten or the cells.

    204 where the layer has nothing; cacheable for a while (public map data, no person's
    answers), with the run's version as ETag.
    """
    if layer not in ("buurten", "cellen") or not valid_tile(z, x, y):
        raise HTTPException(
            status_code=404,
            detail=f"Geen tegel {layer[:10]}/{z}/{x}/{y}: lagen buurten en cellen, zoom 0 tot "
            f"{MAX_ZOOM}.",
        )
    tiles = map_tiles(request)
    headers = {
        "Cache-Control": "public, max-age=3600",
        "ETag": tiles.etag,
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == tiles.etag:
        return Response(status_code=304, headers=headers)
    body = tiles.tile(layer, z, x, y)
    if not body:
        return Response(status_code=204, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    return Response(body, media_type=MVT_TYPE, headers=headers)


#: The media type of a Mapbox Vector Tile.
MVT_TYPE = "application/vnd.mapbox-vector-tile"


@router.get("/kaart/zoek.json")
def find(request: Request, q: str = Query("", max_length=100)) -> Any:
    """The buurt named or coded ``q``: its code, name and bounds (WGS84), for the map."""
    data = map_data(request)
    code = data.find_buurt(q)
    if code is None:
        raise HTTPException(status_code=404, detail=f"Geen buurt gevonden voor '{q[:100]}'.")
    row = data.buurten[data.buurten["buurtcode"] == code]
    return {
        "buurtcode": code,
        "buurtnaam": str(row["buurtnaam"].iloc[0]),
        "bounds": [round(float(v), 6) for v in row.total_bounds],
    }


@router.get("/kaart/buurten.geojson")
def buurten_geojson(request: Request) -> Response:
    """All buurten with scores (WGS84)."""
    return Response(map_data(request).buurten_geojson(), media_type="application/geo+json")


@router.get("/kaart/cellen.geojson")
def cells_geojson(request: Request, bbox: str = Query(..., max_length=120)) -> Response:
    """Cells in a bounding box ``minlon,minlat,maxlon,maxlat``; empty with a count when too many."""
    try:
        box = tuple(float(v) for v in bbox.split(","))
        if len(box) != 4:
            raise ValueError
    except ValueError:
        raise HTTPException(
            status_code=422, detail="bbox: give minlon,minlat,maxlon,maxlat"
        ) from None
    text, count = map_data(request).cells_geojson(box)
    return Response(
        text, media_type="application/geo+json", headers={"X-Cellen-In-Beeld": str(count)}
    )


#: Files of a run the app offers for download (GIS and spreadsheets), with their media types.
DOWNLOADS = {
    "gezondewijk.gpkg": "application/geopackage+sqlite3",
    "buurten.parquet": "application/vnd.apache.parquet",
    "cellen.parquet": "application/vnd.apache.parquet",
    "buurten.csv": "text/csv; charset=utf-8",
    "cellen.csv": "text/csv; charset=utf-8",
    "indicatoren.csv": "text/csv; charset=utf-8",
    "drempels.csv": "text/csv; charset=utf-8",
}


@router.get("/kaart/download/{name}")
def download(request: Request, name: str) -> Response:
    """The run's GeoPackage, GeoParquet and CSV files (the same as ``gezondewijk run`` wrote)."""
    data = map_data(request)
    path = data.folder / name
    if name not in DOWNLOADS or not path.is_file():
        raise HTTPException(
            status_code=404,
            detail=f"Geen bestand '{name[:40]}'. Beschikbaar: "
            + ", ".join(n for n in DOWNLOADS if (data.folder / n).is_file()),
        )
    return FileResponse(path, media_type=DOWNLOADS[name], filename=name)


@router.get("/buurt")
def search(request: Request, q: str = Query("", max_length=100)) -> Response:
    """Find a buurt by name or code and go to its fact sheet."""
    code = map_data(request).find_buurt(q)
    if code is not None:
        return RedirectResponse(f"/buurt/{code}", status_code=303)
    return render(
        request,
        "message.html",
        status_code=404,
        title="Niet gevonden",
        text=f"Geen buurt gevonden voor '{q[:100]}'. Probeer een deel van de naam "
        "of een code zoals BU07720000.",
    )


def _sheet_context(request: Request, code: str) -> dict[str, Any]:
    data = map_data(request)
    with factory(request)() as session:
        answers, responses = buurt_frames(session, code)
    try:
        sheet = fact_sheet(data, code, answers=answers, responses=responses)
    except KeyError:
        raise HTTPException(
            status_code=404, detail=f"Buurt {code[:12]} zit niet in deze kaart."
        ) from None
    return {
        "sheet": sheet,
        "theme_names": {t.key: t.name["nl"] for t in themes()},
        "joins": data.joins(),
    }


@router.get("/buurt/{code}", response_class=HTMLResponse)
async def sheet_page(request: Request, code: str) -> Response:
    """The fact sheet of one buurt (assembled on the rendering pool)."""

    def page() -> Response:
        ctx = _sheet_context(request, code)
        with factory(request)() as session:
            photos = approved_in_buurt(session, code)
        return render(request, "factsheet.html", user=current_user(request), photos=photos, **ctx)

    return await heavy(request, page)


def _buurt_png(request: Request, code: str) -> bytes:
    data = map_data(request)
    if not data.has_buurt(code):
        raise HTTPException(status_code=404, detail="onbekende buurt / unknown buurt")
    return area_map_png(data, code)


@router.get("/buurt/{code}/kaart.png")
async def sheet_map(request: Request, code: str) -> Response:
    """The fact sheet's map excerpt (cached per buurt)."""
    png = await heavy(request, lambda: _buurt_png(request, code), key=("buurt.png", code))
    return Response(png, media_type="image/png")


@router.get("/buurt/{code}/factsheet.pdf")
async def sheet_pdf(request: Request, code: str) -> Response:
    """The fact sheet as PDF."""

    def pdf() -> Response:
        ctx = _sheet_context(request, code)
        png = _buurt_png(request, code)
        ctx["map_src"] = "data:image/png;base64," + base64.b64encode(png).decode()
        return pdf_response(request, "factsheet_print.html", **ctx)

    return await heavy(request, pdf)


MAX_SELECTED = 2000


def _cell_ids(ids: str) -> list[str]:
    cells = [c.strip() for c in ids.split(",") if c.strip()]
    if not cells or len(cells) > MAX_SELECTED:
        raise HTTPException(
            status_code=422,
            detail=f"ids: give 1 to {MAX_SELECTED} cell ids "
            "separated by commas (e.g. H100_1532_3061).",
        )
    return cells


def _cells_context(request: Request, ids: str) -> dict[str, Any]:
    data = map_data(request)
    cells = _cell_ids(ids)
    codes = data.buurten_of_cells(cells)
    if not codes:
        raise HTTPException(status_code=404, detail="Geen van deze cellen zit in de kaart.")
    with factory(request)() as session:
        answers, responses = buurt_frames(session, codes)
    sheet = cells_fact_sheet(data, cells, answers=answers, responses=responses)
    return {
        "sheet": sheet,
        "theme_names": {t.key: t.name["nl"] for t in themes()},
        "joins": data.joins(),
        "map_src": f"/cellen/kaart.png?ids={','.join(cells)}",
        "pdf_src": f"/cellen/factsheet.pdf?ids={','.join(cells)}",
        "group": True,
    }


@router.get("/cellen/factsheet", response_class=HTMLResponse)
async def cells_sheet(request: Request, ids: str = Query(..., max_length=40_000)) -> Response:
    """The fact sheet of a group of cells selected on the map."""

    def page() -> Response:
        ctx = _cells_context(request, ids)
        return render(request, "factsheet.html", user=current_user(request), **ctx)

    return await heavy(request, page)


def _cells_png(request: Request, cells: list[str]) -> bytes:
    return area_map_png(map_data(request), "", cells)


@router.get("/cellen/kaart.png")
async def cells_map(request: Request, ids: str = Query(..., max_length=40_000)) -> Response:
    """Map excerpt of a group of cells (cached per selection)."""
    cells = _cell_ids(ids)
    png = await heavy(request, lambda: _cells_png(request, cells), key=("cellen.png", *cells))
    return Response(png, media_type="image/png")


@router.get("/cellen/factsheet.pdf")
async def cells_pdf(request: Request, ids: str = Query(..., max_length=40_000)) -> Response:
    """The group-of-cells fact sheet as PDF."""

    def pdf() -> Response:
        ctx = _cells_context(request, ids)
        png = _cells_png(request, _cell_ids(ids))
        ctx["map_src"] = "data:image/png;base64," + base64.b64encode(png).decode()
        return pdf_response(request, "factsheet_print.html", **ctx)

    return await heavy(request, pdf)


@router.get("/overzicht", response_class=HTMLResponse)
async def overview_page(request: Request) -> Response:
    """Municipal overview: buurten ranked by burden and vulnerability, inequality."""

    def page() -> Response:
        ov = overview(map_data(request))
        return render(request, "overview.html", user=current_user(request), ov=ov)

    return await heavy(request, page)


def _overview_png(request: Request) -> bytes:
    ov = overview(map_data(request))
    return overview_png(ov.table, ov.vulnerability_label)


@router.get("/overzicht/grafiek.png")
async def overview_chart(request: Request) -> Response:
    """Scatter of burden against vulnerability (cached: it depends on the run only)."""
    png = await heavy(request, lambda: _overview_png(request), key=("overzicht.png",))
    return Response(png, media_type="image/png")


@router.get("/overzicht.pdf")
async def overview_pdf(request: Request) -> Response:
    """The printable summary for the college/council."""

    def pdf() -> Response:
        ov = overview(map_data(request))
        png = overview_png(ov.table, ov.vulnerability_label)
        return pdf_response(
            request,
            "overview_print.html",
            ov=ov,
            chart_uri="data:image/png;base64," + base64.b64encode(png).decode(),
        )

    return await heavy(request, pdf)

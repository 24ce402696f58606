"""Scenarios in the map viewer: drawn by an organiser, run on the map's run, compared.

Every page here is for logged-in organisers: a scenario is a draft of a plan. The files are
the ones ``gezondewijk scenario`` reads (TOML + GeoJSON in ``GEZONDEWIJK_SCENARIO_DIR``);
the web app and the command line call the same library (:mod:`gezondewijk.scenarios`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.interventions import load_catalogue
from gezondewijk.scenarios import KINDS, HealthSettings, ScenarioResult
from gezondewijk.scenarios.files import scenario_from_geojson
from gezondewijk.scenarios.write import (
    SCENARIO_FILES,
    change_layers,
    comparison_table,
    render_comparison,
    render_factsheet,
    write_comparison_buurten,
)
from gezondewijk.spreadsheet_safety import csv_text
from gezondewijk.store.db import transaction
from gezondewijk.store.scenario_owners import forget_owner, may_change, record_owner
from gezondewijk.web.deps import CurrentOrganiser, check_csrf, factory, render, require_user
from gezondewijk.web.errors import hide_paths, refusal_json
from gezondewijk.web.scenario_service import (
    BasePreparationError,
    ScenarioExistsError,
    ScenarioService,
)
from gezondewijk.web.state import state_of

router = APIRouter(include_in_schema=False)

#: Names the pages themselves use (a scenario may not take them).
RESERVED = ("nieuw", "vergelijk", "opslaan")
#: Outputs of a scenario the app offers for download, with their media types.
DOWNLOADS = SCENARIO_FILES
#: ``?naam=a&naam=b``: the scenarios to compare.
Names = Annotated[list[str] | None, Query(max_length=60)]
#: Most scenarios side by side.
MAX_COMPARED = 6


def _service(request: Request) -> ScenarioService:
    found: ScenarioService | None = state_of(request).scenarios
    if found is None:
        raise HTTPException(
            status_code=404,
            detail="Scenario's staan uit: start de app met GEZONDEWIJK_RUN_CONFIG=<run.toml van "
            "de kaart> (en GEZONDEWIJK_MAP_DIR). / Scenarios are off: set "
            "GEZONDEWIJK_RUN_CONFIG.",
        )
    return found


@contextmanager
def _known(name: str) -> Iterator[None]:
    """A 404 naming the scenario where the service has none of that name (``KeyError``)."""
    try:
        yield
    except KeyError:
        raise HTTPException(status_code=404, detail=f"Geen scenario '{name[:60]}'.") from None


def _waiting(request: Request, user: Any, again: str) -> Response:
    """The page shown while the run is being prepared; it reloads itself."""
    return render(
        request,
        "scenario_wait.html",
        status_code=503,
        headers={"Retry-After": "3"},
        user=user,
        again=again,
    )


def _unavailable(request: Request, user: Any, exc: Exception) -> Response:
    return render(
        request,
        "message.html",
        status_code=500 if isinstance(exc, BasePreparationError) else 422,
        user=user,
        title="Scenario niet door te rekenen",
        text=hide_paths(str(exc)),
    )


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios(request: Request, user: CurrentOrganiser) -> Response:
    """The scenarios of this map: open, draw a new one, compare several."""
    service = _service(request)
    try:
        ready = service.base() is not None
        problem = ""
    except BasePreparationError as exc:
        ready, problem = False, hide_paths(str(exc))
    return render(
        request,
        "scenarios.html",
        user=user,
        files=service.files(),
        ready=ready,
        problem=problem,
        folder=service.folder.name,
        max_compared=MAX_COMPARED,
    )


def _editor(request: Request, name: str = "") -> Response:
    user = require_user(request)
    service = _service(request)
    scenario = None
    if name:
        try:
            with _known(name):
                scenario = service.load(name)
        except InputDataError as exc:
            return _unavailable(request, user, exc)
    kinds = [
        {"key": key, "label": label, "types": list(types), "unit": unit}
        for key, (label, _, types, unit) in KINDS.items()
    ]
    measures = [
        {
            "key": m.key,
            "title": m.title,
            "changes": [{"soort": d.soort, "waarde": d.waarde} for d in m.scenario],
        }
        for m in load_catalogue()
        if m.scenario
    ]
    tables = sorted(p.name for p in service.folder.glob("*.csv"))
    health = scenario.health if scenario else HealthSettings()
    return render(
        request,
        "scenario_edit.html",
        user=user,
        scenario=scenario,
        kinds=kinds,
        kinds_json=json.dumps(kinds, ensure_ascii=False),
        measures_json=json.dumps(measures, ensure_ascii=False),
        tables=tables,
        table=health.life_table.name if health.life_table else "",
        health=health,
    )


@router.get("/scenarios/nieuw", response_class=HTMLResponse)
def new_scenario(request: Request) -> Response:
    """Draw a new scenario on the map."""
    return _editor(request)


@router.post("/scenarios/opslaan")
async def save(request: Request, user: CurrentOrganiser) -> Response:
    """Save a drawn scenario (JSON from the editor) as TOML + GeoJSON; where to go next.

    The body: ``naam``, ``titel``, ``beschrijving``, ``oude_naam`` (when edited),
    ``levenstafel`` (a CSV in the scenario folder, or ``""``), ``doel_gezonde_levensjaren``,
    ``doel_minder_ongelijkheid`` (%), ``wijzigingen`` (a GeoJSON FeatureCollection, WGS84).
    Answers 422 with ``fouten`` (each with ``wijziging``: the feature's number, ``veld`` and
    ``melding``) and writes nothing when anything is wrong.
    """
    check_csrf(request, request.headers.get("x-csrf-token"))
    service = _service(request)
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _problems([InputDataError("geen JSON-object.", field="body")])
    try:
        health = _health(service, body)
        name = str(body.get("naam", ""))
        if name in RESERVED:
            raise InputDataErrors(
                [InputDataError(f"de naam '{name}' is gereserveerd.", field="naam")]
            )
        old = existing = None
        if body.get("oude_naam"):
            old = str(body["oude_naam"])
            try:
                existing = service.load(old)
            except (KeyError, InputDataError):
                existing = None
            if existing is not None and not _may_change(request, user, old):
                return _problems([_not_yours(old)], status=403)
        scenario = scenario_from_geojson(
            name,
            str(body.get("titel", "")),
            body.get("wijzigingen"),
            description=str(body.get("beschrijving", "")),
            run=service.run_config.resolve(),
            health=health,
            inequality=existing.inequality if existing else None,
        )
        service.save(scenario, replaces=(old or "") if existing is not None else "")
        with transaction(factory(request)) as session:
            record_owner(session, scenario.name, user, renamed_from=old or "")
    except InputDataErrors as exc:
        return _problems(exc.errors)
    except InputDataError as exc:
        return _problems([exc])
    except ScenarioExistsError as exc:
        return _problems([InputDataError(str(exc), field="naam")], status=409)
    return JSONResponse({"url": f"/scenarios/{scenario.name}"})


def _health(service: ScenarioService, body: dict[str, Any]) -> HealthSettings:
    """The ``[gezondheid]`` settings from the editor's fields."""

    def number(key: str, low: float, high: float) -> float | None:
        value = body.get(key)
        if value in (None, ""):
            return None
        try:
            out = float(str(value).replace(",", "."))
        except ValueError:
            out = float("nan")
        if not low < out <= high:
            raise InputDataError(
                f"waarde buiten ({low:g}, {high:g}].", field=key, fix="geef een getal of niets."
            )
        return out

    table = str(body.get("levenstafel") or "")
    path = None
    if table:
        path = service.folder / table
        if "/" in table or "\\" in table or not table.endswith(".csv") or not path.is_file():
            raise InputDataError(
                "onbekende levenstafel.",
                field="levenstafel",
                fix=f"kies een CSV uit de scenariomap {service.folder.name}.",
            )
    years = number("doel_gezonde_levensjaren", 0, 20)
    percent = number("doel_minder_ongelijkheid", 0, 100)
    return HealthSettings(
        life_table=None if path is None else path.resolve(),
        target_healthy_years=years,
        target_inequality_reduction=None if percent is None else percent / 100,
    )


def _problems(errors: list[InputDataError], status: int = 422) -> JSONResponse:
    """The one error shape (web/errors.py); each problem also names its change (``row``)."""
    return refusal_json(status, errors, rows=True)


@router.get("/scenarios/vergelijk", response_class=HTMLResponse)
def compare(request: Request, user: CurrentOrganiser, naam: Names = None) -> Response:
    """Scenarios side by side: a table and each one's map."""
    got = _compared(request, naam)
    if isinstance(got, Response):
        return _waiting(request, user, str(request.url)) if got.status_code == 503 else got
    service = _service(request)
    base = service.base()
    assert base is not None
    body = render_comparison(
        base,
        got,
        sheet_href=lambda n: f"/scenarios/{n}",
        map_href=lambda n: f"/scenarios/{n}/download/kaart_verschil.png",
        body_only=True,
    )
    query = "&".join(f"naam={r.scenario.name}" for r in got)
    return render(request, "scenario_compare.html", user=user, body=body, query=query)


@router.get("/scenarios/vergelijk.csv")
def compare_csv(request: Request, _user: CurrentOrganiser, naam: Names = None) -> Response:
    """The comparison table as CSV (formula-safe, as every CSV of the project)."""
    got = _compared(request, naam)
    if isinstance(got, Response):
        return got
    return Response(
        csv_text(comparison_table(got)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="vergelijking.csv"'},
    )


@router.get("/scenarios/vergelijk.gpkg")
def compare_gpkg(request: Request, _user: CurrentOrganiser, naam: Names = None) -> Response:
    """The comparison per buurt as a GeoPackage (each scenario's change side by side)."""
    got = _compared(request, naam)
    if isinstance(got, Response):
        return got
    folder = Path(tempfile.mkdtemp(prefix="vergelijking-"))
    path = write_comparison_buurten(got, folder / "vergelijking.gpkg")
    return FileResponse(
        path,
        media_type="application/geopackage+sqlite3",
        filename="vergelijking.gpkg",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _compared(request: Request, given: list[str] | None) -> list[ScenarioResult] | Response:
    service = _service(request)
    names = list(dict.fromkeys(given or []))
    if not 1 <= len(names) <= MAX_COMPARED:
        raise HTTPException(
            status_code=422,
            detail=f"Kies 1 tot {MAX_COMPARED} scenario's om te vergelijken.",
        )
    results = []
    for name in names:
        try:
            with _known(name):
                result = service.result(name)
        except (InputDataError, BasePreparationError) as exc:
            raise HTTPException(
                status_code=422, detail=f"{name[:60]}: {hide_paths(str(exc))}"
            ) from None
        if result is None:
            return Response(status_code=503, headers={"Retry-After": "3"})
        results.append(result)
    return results


@router.get("/scenarios/{name}", response_class=HTMLResponse)
def scenario_page(request: Request, user: CurrentOrganiser, name: str) -> Response:
    """A scenario's fact sheet: the change on the map, who gains, inequality, health."""
    service = _service(request)
    try:
        with _known(name):
            result = service.result(name)
    except (InputDataError, BasePreparationError) as exc:
        return _unavailable(request, user, exc)
    if result is None:
        return _waiting(request, user, f"/scenarios/{name}")
    base = service.base()
    assert base is not None
    body = render_factsheet(
        base, result, map_src=f"/scenarios/{name}/download/kaart_verschil.png", body_only=True
    )
    folder = service.output_folder(name)
    files = [f for f in DOWNLOADS if (folder / f).is_file()]
    return render(
        request,
        "scenario.html",
        user=user,
        result=result,
        body=body,
        files=files,
    )


@router.get("/scenarios/{name}/verschil.geojson")
def change_geojson(request: Request, _user: CurrentOrganiser, name: str) -> Response:
    """The change per cell and per buurt and the drawn changes (WGS84), for the map."""
    service = _service(request)
    try:
        with _known(name):
            result = service.result(name)
    except (InputDataError, BasePreparationError) as exc:
        raise HTTPException(status_code=422, detail=hide_paths(str(exc))) from None
    base = service.base()
    if result is None or base is None:
        return Response(status_code=503, headers={"Retry-After": "3"})
    return Response(change_layers(base, result).to_json(), media_type="application/geo+json")


@router.get("/scenarios/{name}/wijzigingen.geojson")
def changes_geojson(request: Request, _user: CurrentOrganiser, name: str) -> Response:
    """The scenario's GeoJSON file as stored (for the editor)."""
    service = _service(request)
    with _known(name):
        path = service.path(name).with_suffix(".geojson")
    if not path.is_file():
        return JSONResponse({"type": "FeatureCollection", "features": []})
    return FileResponse(path, media_type="application/geo+json")


@router.get("/scenarios/{name}/bewerk", response_class=HTMLResponse)
def edit(request: Request, name: str) -> Response:
    """Change a scenario on the map."""
    return _editor(request, name)


@router.get("/scenarios/{name}/download/{file}")
def download(request: Request, _user: CurrentOrganiser, name: str, file: str) -> Response:
    """One of the scenario's outputs (as ``gezondewijk scenario`` writes them)."""
    service = _service(request)
    with _known(name):
        folder = service.output_folder(name)
    path = folder / file
    if file not in DOWNLOADS or not path.is_file():
        raise HTTPException(
            status_code=404,
            detail=f"Geen bestand '{file[:40]}'. Open eerst het scenario; dan zijn er: "
            + ", ".join(DOWNLOADS),
        )
    inline = file.endswith(".png")
    return FileResponse(
        path,
        media_type=DOWNLOADS[file],
        filename=None if inline else f"{name}-{file}",
    )


@router.post("/scenarios/{name}/verwijder")
def delete(request: Request, user: CurrentOrganiser, name: str, csrf: str = Form("")) -> Response:
    """Remove a scenario's files and outputs (its owner or an admin only)."""
    check_csrf(request, csrf)
    if not _may_change(request, user, name):
        raise HTTPException(status_code=403, detail=_not_yours(name).problem)
    with _known(name):
        _service(request).delete(name)
    with transaction(factory(request)) as session:
        forget_owner(session, name)
    return RedirectResponse("/scenarios", status_code=303)


def _may_change(request: Request, user: Any, name: str) -> bool:
    with factory(request)() as session:
        return may_change(session, user, name)


def _not_yours(name: str) -> InputDataError:
    return InputDataError(
        f"het scenario '{name[:60]}' is van een ander; u kunt het openen, niet wijzigen of "
        "verwijderen.",
        field="oude_naam",
        fix="sla uw versie op onder een nieuwe naam, of vraag de maker of een beheerder",
    )

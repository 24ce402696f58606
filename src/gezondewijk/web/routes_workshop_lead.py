"""Werksessies for the facilitator: compose, lead step by step, decide pairs, export.

Who may do what is decided in :mod:`gezondewijk.web.workshop_access`.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import segno
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Workshop
from gezondewijk.store.workshops import (
    add_entry,
    create_workshop,
    delete_workshop,
    detail,
    entries_of,
    export_workshop,
    joined_since,
    participants_of,
    remove_participant,
    set_area,
    set_joining,
    set_step_state,
    steps_of,
    workshops_of,
)
from gezondewijk.web.deps import (
    CurrentOrganiser,
    SessionDep,
    factory,
    loaded_map,
    pdf_response,
    render,
)
from gezondewijk.web.security import csrf_ok
from gezondewijk.web.state import state_of
from gezondewijk.web.workshop_access import (
    entry_or_404,
    join_url,
    lead_change,
    lead_or_403,
    needs_area,
    page_context,
    posted_form,
    refused,
    sent_live,
    step_or_404,
)
from gezondewijk.web.workshop_views import (
    Viewer,
    spec_of,
    step_title,
)
from gezondewijk.werkvormen.agreements import Agreement, agreements_csv, agreements_markdown
from gezondewijk.werkvormen.catalogue import work_forms
from gezondewijk.werkvormen.inputs.afspraken import AFSPRAKEN, agreements_of
from gezondewijk.werkvormen.inputs.koppelen import (
    DECISION,
    KOPPELEN,
    VERDICTS,
    agreement_of_pair,
    decision,
)
from gezondewijk.werkvormen.session import parse_workshop

router = APIRouter(include_in_schema=False)
# --- facilitator: compose --------------------------------------------------------------


@router.get("/beheer/sessies", response_class=HTMLResponse)
def workshops_page(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    """The facilitator's werksessies and a form for a new one."""
    rows = workshops_of(session, user)
    return render(request, "ws_list.html", user=user, rows=rows, forms=work_forms(), values={})


@router.post("/beheer/sessies", response_class=HTMLResponse)
async def new_workshop(request: Request, user: CurrentOrganiser) -> Response:
    """Create a werksessie from the chosen work forms and go to its facilitator page."""
    form = await posted_form(request)
    if not csrf_ok(request.session, form.get("csrf")):
        raise HTTPException(status_code=403, detail="Formulier verlopen; laad opnieuw.")
    try:
        data = parse_workshop(form)
    except InputDataErrors as exc:
        with factory(request)() as session:
            rows = workshops_of(session, user)
        return render(
            request,
            "ws_list.html",
            status_code=422,
            user=user,
            rows=rows,
            forms=work_forms(),
            values=form,
            errors=exc.errors,
        )
    with transaction(factory(request)) as session:
        code = create_workshop(session, data, user.id).code
    return RedirectResponse(f"/sessie/{code}/leiden", status_code=303)


@router.get("/sessie/{code}/leiden", response_class=HTMLResponse)
def lead_page(request: Request, session: SessionDep, code: str) -> Response:
    """The facilitator's page: steps with start/close, timer, input, who is not done."""
    workshop, who = lead_or_403(request, session, code)
    viewer = Viewer(leader=True, csrf=who.csrf)
    context = page_context(request, session, workshop, who, viewer)
    participants = participants_of(session, workshop.id)
    last_minute = joined_since(session, workshop.id, datetime.now(UTC) - timedelta(minutes=1))
    data = loaded_map(request)
    names = []
    if data is not None and needs_area(workshop) and len(data.buurten) <= 2000:
        ordered = data.buurten.sort_values("buurtnaam")
        names = [
            f"{name} ({code})"
            for name, code in zip(ordered["buurtnaam"], ordered["buurtcode"], strict=True)
        ]
    return render(
        request,
        "ws_lead.html",
        user=who.user,
        join_url=join_url(request, code),
        buurt_names=names,
        participants=participants,
        joined_last_minute=last_minute,
        **context,
    )


@router.get("/sessie/{code}/scherm", response_class=HTMLResponse)
def projector_page(request: Request, session: SessionDep, code: str) -> Response:
    """The projector view: the open step's input, large, without buttons."""
    workshop, who = lead_or_403(request, session, code)
    context = page_context(request, session, workshop, who, Viewer(projector=True))
    return render(request, "ws_projector.html", join_url=join_url(request, code), **context)


@router.get("/sessie/{code}/qr.svg")
def join_qr(request: Request, session: SessionDep, code: str) -> Response:
    """QR code of the join link."""
    workshop, _ = lead_or_403(request, session, code)
    buffer = io.BytesIO()
    segno.make(join_url(request, workshop.code), error="m").save(
        buffer, kind="svg", scale=6, border=2, title="QR-code om mee te doen"
    )
    return Response(buffer.getvalue(), media_type="image/svg+xml")


@router.post("/sessie/{code}/leiden/stap/{step_id}")
async def change_step(request: Request, code: str, step_id: int) -> Response:
    """Start (``state=open``), close (``dicht``) or reset (``wacht``) a step."""
    form = await posted_form(request)
    with lead_change(request, code, form) as (session, workshop):
        step = step_or_404(session, workshop, step_id)
        state = str(form.get("state", ""))
        if state not in ("open", "dicht", "wacht"):
            raise HTTPException(status_code=422, detail="Kies open, dicht of wacht.")
        set_step_state(session, workshop, step, state)
        workshop_id = workshop.id
    state_of(request).live.poke(workshop_id)
    if sent_live(request):
        return Response(status_code=204)
    return RedirectResponse(f"/sessie/{code}/leiden", status_code=303)


@router.post("/sessie/{code}/leiden/meedoen")
async def lock_joining(request: Request, code: str) -> Response:
    """Close (``state=dicht``) or open (``state=open``) joining; those in stay."""
    form = await posted_form(request)
    with lead_change(request, code, form) as (session, workshop):
        set_joining(session, workshop, form.get("state") == "dicht")
        workshop_id = workshop.id
    state_of(request).live.poke(workshop_id)
    return RedirectResponse(f"/sessie/{code}/leiden#deelnemers", status_code=303)


@router.post("/sessie/{code}/leiden/deelnemer/{participant_id}/verwijderen")
async def remove_person(request: Request, code: str, participant_id: int) -> Response:
    """Remove a participant: their browser can no longer add input; what they added stays."""
    form = await posted_form(request)
    with lead_change(request, code, form) as (session, workshop):
        if not remove_participant(session, workshop, participant_id):
            raise HTTPException(status_code=404, detail="Deze deelnemer is er niet (meer).")
        workshop_id = workshop.id
    state_of(request).live.poke(workshop_id)
    return RedirectResponse(f"/sessie/{code}/leiden#deelnemers", status_code=303)


@router.post("/sessie/{code}/leiden/gebied")
async def choose_area(request: Request, code: str) -> Response:
    """Choose the buurt of the walk (work form *wandeling*): a name or buurt code."""
    form = await posted_form(request)
    data = loaded_map(request)
    term = str(form.get("area", "")).strip()[:100]
    with lead_change(request, code, form) as (session, workshop):
        if data is None:
            problem = (
                "Er is geen kaart geladen (GEZONDEWIJK_MAP_DIR); kies dan een gebied op papier."
            )
            return refused(request, code, [InputDataError(problem, field="area")], 409)
        # the picker gives "Naam (BU…)": the code decides; else a name or code as typed
        picked = re.search(r"\bBU\d{4}[0-9A-Z]{4}\b", term.upper())
        found = data.find_buurt(picked.group(0) if picked else term) if term else ""
        if found is None:
            problem = f"Geen buurt gevonden voor '{term[:60]}'."
            fix = "typ een deel van de buurtnaam of een code zoals BU05180000"
            return refused(request, code, [InputDataError(problem, field="area", fix=fix)], 422)
        set_area(session, workshop, found)
        workshop_id = workshop.id
    state_of(request).live.poke(workshop_id)
    return RedirectResponse(f"/sessie/{code}/leiden#gebied", status_code=303)


@router.post("/sessie/{code}/leiden/koppel/{step_id}")
async def decide_match(request: Request, code: str, step_id: int) -> Response:
    """Confirm (``verdict=ja``) or reject (``nee``) a suggested offer–need pair.

    A confirmed pair becomes an agreement in the work form's agreements step, with both
    authors as its owners and a link to this step.
    """
    form = await posted_form(request)
    with lead_change(request, code, form) as (session, workshop):
        step = step_or_404(session, workshop, step_id)
        verdict = str(form.get("verdict", ""))
        try:
            offer = entry_or_404(session, workshop, int(str(form.get("offer", "0"))))
            need = entry_or_404(session, workshop, int(str(form.get("need", "0"))))
        except ValueError:
            raise HTTPException(status_code=422, detail="Onbekend aanbod of vraag.") from None
        if verdict not in VERDICTS or spec_of(step)[1].kind is not KOPPELEN:
            raise HTTPException(status_code=422, detail="Bevestig (ja) of verwerp (nee).")
        add_entry(session, workshop, step, None, decision(offer, need, verdict), DECISION)
        if verdict == "ja":
            target = next(
                (
                    s
                    for s in steps_of(session, workshop.id)
                    if s.form_key == step.form_key and spec_of(s)[1].kind is AFSPRAKEN
                ),
                step,
            )
            pair = agreement_of_pair(offer, need, step.id)
            add_entry(session, workshop, target, None, pair, AFSPRAKEN.key)
        workshop_id = workshop.id
    state_of(request).live.poke(workshop_id)
    if sent_live(request):
        return Response(status_code=204)
    return RedirectResponse(f"/sessie/{code}/leiden#stap-{step_id}", status_code=303)


# --- actions and data --------------------------------------------------------------------


def _agreements(session: Session, workshop: Workshop) -> list[Agreement]:
    titles = {s.id: step_title(s) for s in steps_of(session, workshop.id)}
    return agreements_of([(e, detail(e)) for e in entries_of(session, workshop.id)], titles)


@router.get("/sessie/{code}/afspraken.{fmt}")
def actions_export(request: Request, session: SessionDep, code: str, fmt: str) -> Response:
    """The workshop's actions as Markdown, CSV or PDF (facilitator only)."""
    workshop, _ = lead_or_403(request, session, code)
    rows = _agreements(session, workshop)
    name = f"afspraken-{workshop.code}"
    if fmt == "md":
        body = agreements_markdown(workshop.title, rows)
        media = "text/markdown; charset=utf-8"
    elif fmt == "csv":
        body = "\ufeff" + agreements_csv(rows)
        media = "text/csv; charset=utf-8"
    elif fmt == "pdf":
        return pdf_response(request, "ws_actions_print.html", workshop=workshop, rows=rows)
    else:
        raise HTTPException(status_code=404, detail="Kies .md, .csv of .pdf")
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.get("/sessie/{code}/export.json")
def workshop_export(request: Request, session: SessionDep, code: str) -> Response:
    """Everything of the workshop as JSON (facilitator only)."""
    workshop, _ = lead_or_403(request, session, code)
    data = export_workshop(session, workshop)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="werksessie-{code}.json"'},
    )


@router.post("/sessie/{code}/verwijderen")
async def workshop_delete(request: Request, code: str) -> Response:
    """Delete the workshop and everything in it (facilitator only)."""
    form = await posted_form(request)
    with lead_change(request, code, form) as (session, workshop):
        if form.get("confirm") != workshop.code:
            raise HTTPException(
                status_code=422,
                detail="Typ de code van de sessie om het verwijderen te bevestigen.",
            )
        workshop_id = workshop.id
        delete_workshop(session, workshop)
    state_of(request).live.poke(workshop_id)
    return RedirectResponse("/beheer/sessies", status_code=303)

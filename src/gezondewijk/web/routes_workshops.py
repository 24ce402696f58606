"""Werksessies: the facilitator composes and leads, participants join and add input live.

Participants join with a display name (and their domain where a work form needs it) and
no account: their browser gets a random token in a cookie for this workshop only
(``HttpOnly``, ``SameSite=Strict``), of which the server stores the SHA-256. Every form is
a plain POST that works without JavaScript (the page reloads); with JavaScript the form is
sent in the background and the change arrives, for everybody, through the event stream
(server-sent events, :mod:`gezondewijk.web.live`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import segno
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy.orm import Session

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.reports.slide import inequality_slide
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Participant, User, Workshop, WorkshopEntry, WorkshopStep
from gezondewijk.store.workshops import (
    FACILITATOR,
    WorkshopRuleError,
    add_entry,
    change_entry,
    create_workshop,
    delete_workshop,
    detail,
    entries_of,
    export_workshop,
    join,
    joined_since,
    may_lead,
    participant_by_token,
    participants_of,
    previous_in_series,
    ready_ids,
    remove_entry,
    remove_participant,
    set_area,
    set_joining,
    set_ready,
    set_step_state,
    steps_of,
    workshop_by_code,
    workshops_of,
)
from gezondewijk.web.deps import (
    current_user,
    factory,
    loaded_map,
    pdf_response,
    render,
    require_user,
    too_many,
)
from gezondewijk.web.errors import refusal_json
from gezondewijk.web.limits import StreamLimits, client_key
from gezondewijk.web.security import csrf_ok, csrf_token
from gezondewijk.web.workshop_views import (
    Viewer,
    form_start,
    not_ready,
    spec_of,
    step_title,
    step_view,
)
from gezondewijk.werkvormen.agreements import Agreement, agreements_csv, agreements_markdown
from gezondewijk.werkvormen.catalogue import DOMAINS, WorkForm, work_forms
from gezondewijk.werkvormen.inputs.afspraken import AFSPRAKEN, agreements_of
from gezondewijk.werkvormen.inputs.koppelen import (
    DECISION,
    KOPPELEN,
    VERDICTS,
    agreement_of_pair,
    decision,
)
from gezondewijk.werkvormen.session import parse_entry, parse_name, parse_workshop

router = APIRouter(include_in_schema=False)

#: Days a participant's cookie lasts (a workshop with homework spans a few days).
COOKIE_DAYS = 14


def _cookie(code: str) -> str:
    return f"ws_{code}"


def _participant_csrf(request: Request, token: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, f"werksessie:{token}".encode(), hashlib.sha256).hexdigest()[:32]


class _Who:
    """Who sends a request to a workshop: a participant, its facilitator, or neither."""

    def __init__(self, user: User | None, person: Participant | None, csrf: str):
        self.user = user
        self.person = person
        self.csrf = csrf

    @property
    def leader(self) -> bool:
        return self.user is not None


def _workshop(session: Session, code: str) -> Workshop:
    workshop = workshop_by_code(session, code)
    if workshop is None:
        raise HTTPException(
            status_code=404,
            detail=f"Geen werksessie met code '{code[:12]}'. Controleer de code bij de "
            "gespreksleider. / No session with this code.",
        )
    return workshop


def _who(request: Request, session: Session, workshop: Workshop) -> _Who:
    user = current_user(request)
    if may_lead(session, user, workshop):
        return _Who(user, None, csrf_token(request.session))
    token = request.cookies.get(_cookie(workshop.code), "")
    person = participant_by_token(session, workshop.id, token)
    return _Who(None, person, _participant_csrf(request, token) if person else "")


def _check_csrf(who: _Who, sent: object) -> None:
    if not who.csrf or not isinstance(sent, str) or not hmac.compare_digest(who.csrf, sent):
        raise HTTPException(
            status_code=403,
            detail="Formulier verlopen; laad de pagina opnieuw. / Form expired, reload the page.",
        )


def _live(request: Request) -> bool:
    """Whether the browser sent the form in the background (``werksessie.js``)."""
    return request.headers.get("x-live") == "1"


def _done(request: Request, code: str, workshop_id: int, anchor: str = "") -> Response:
    request.app.state.live.poke(workshop_id)
    if _live(request):
        return Response(status_code=204)
    return RedirectResponse(f"/sessie/{code}{anchor}", status_code=303)


def _refused(request: Request, code: str, errors: list[InputDataError], status: int) -> Response:
    if _live(request):
        # the one error shape of the app (web/errors.py)
        return refusal_json(status, errors)
    return render(
        request,
        "message.html",
        status_code=status,
        title="Niet opgeslagen",
        text=" ".join(e.problem + (f" Oplossing: {e.fix}." if e.fix else "") for e in errors),
        back=f"/sessie/{code}",
    )


async def _posted(request: Request) -> dict[str, Any]:
    """The posted form's text fields; ``forms`` (checkboxes) as a list."""
    form = await request.form()
    data: dict[str, Any] = {"forms": []}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            continue
        if key == "forms":
            data["forms"].append(value)
        else:
            data[key] = value
    return data


# --- facilitator: compose --------------------------------------------------------------


@router.get("/beheer/sessies", response_class=HTMLResponse)
def workshops_page(request: Request) -> Response:
    """The facilitator's werksessies and a form for a new one."""
    user = require_user(request)
    with factory(request)() as session:
        rows = workshops_of(session, user)
    return render(request, "ws_list.html", user=user, rows=rows, forms=work_forms(), values={})


@router.post("/beheer/sessies", response_class=HTMLResponse)
async def new_workshop(request: Request) -> Response:
    """Create a werksessie from the chosen work forms and go to its facilitator page."""
    user = require_user(request)
    form = await _posted(request)
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


# --- pages -------------------------------------------------------------------------------


def _walk_area(request: Request, workshop: Workshop) -> dict[str, Any] | None:
    """The walk area's name, map excerpt and map-viewer link, where a run is loaded."""
    data = loaded_map(request)
    if data is None or not workshop.area or not data.has_buurt(workshop.area):
        return None
    row = data.buurten[data.buurten["buurtcode"] == workshop.area].iloc[0]
    centre = row.geometry.representative_point()
    return {
        "code": workshop.area,
        "name": str(row["buurtnaam"]),
        # the map viewer keeps its view in the address (MapLibre's hash: zoom/lat/lon)
        "viewer": f"/kaart#15/{centre.y:.5f}/{centre.x:.5f}",
    }


def _forms(workshop: Workshop) -> list[WorkForm]:
    """The workshop's work forms, in order."""
    known = work_forms()
    return [known[k] for k in workshop.form_keys if k in known]


def _needs_area(workshop: Workshop) -> bool:
    """Whether one of the workshop's work forms takes place in a buurt (the walk)."""
    return any(f.needs_area for f in _forms(workshop))


def _page_context(
    request: Request, session: Session, workshop: Workshop, who: _Who, viewer: Viewer
) -> dict[str, Any]:
    steps = steps_of(session, workshop.id)
    current = next((s for s in steps if s.state == "open"), None)
    views = {s.id: step_view(session, workshop, s) for s in steps if s.state != "wacht"}
    previous = previous_in_series(session, workshop)
    earlier_actions = []
    if previous is not None:
        earlier_actions = [
            (e, detail(e)) for e in entries_of(session, previous.id) if e.kind == AFSPRAKEN.key
        ]
    forms = _forms(workshop)
    ends = None
    if current is not None and current.started_at is not None:
        started = current.started_at.replace(tzinfo=current.started_at.tzinfo or UTC)
        ends = started + timedelta(minutes=current.minutes)
    context: dict[str, Any] = {
        "workshop": workshop,
        "steps": steps,
        "current": current,
        "ends": ends,
        "views": views,
        "viewer": viewer,
        "who": who,
        "forms": forms,
        "spec_of": spec_of,
        "previous": previous,
        "earlier_actions": earlier_actions,
        "domains": DOMAINS,
        "seq": workshop.version,
        "needs_area": _needs_area(workshop),
        "walk_area": _walk_area(request, workshop) if _needs_area(workshop) else None,
        "slide": None,
        "mine_ready": (
            current is not None
            and who.person is not None
            and who.person.id in ready_ids(session, current.id)
        ),
    }
    if current is not None:
        person = who.person.id if who.person is not None else None
        context["form_start"] = form_start(session, workshop, current, person)
    if any(spec_of(s)[1].kind.shows_run_figures for s in steps):
        context["slide"] = inequality_slide(loaded_map(request))
    if current is not None and who.leader:
        people = participants_of(session, workshop.id)
        context["not_ready"] = not_ready(session, workshop, current)
        context["people"] = people
    return context


@router.get("/sessie", response_class=HTMLResponse)
def join_by_code(request: Request, code: str = "") -> Response:
    """Type a workshop's code (or come with ``?code=``)."""
    if code.strip():
        clean = "".join(ch for ch in code.upper() if ch.isalnum())[:12]
        return RedirectResponse(f"/sessie/{clean}", status_code=303)
    return render(request, "ws_code.html")


@router.get("/sessie/{code}", response_class=HTMLResponse)
def participant_page(request: Request, code: str) -> Response:
    """A participant's view: the open step, its input and a form; or the join form."""
    with factory(request)() as session:
        workshop = _workshop(session, code)
        who = _who(request, session, workshop)
        if who.person is None:
            forms = _forms(workshop)
            return render(
                request,
                "ws_join.html",
                workshop=workshop,
                needs_domain=any(f.needs_domain for f in forms),
                domains=DOMAINS,
                leader=who.leader,
                values={},
            )
        viewer = Viewer(me=who.person.id, csrf=who.csrf)
        context = _page_context(request, session, workshop, who, viewer)
    return render(request, "ws_participant.html", **context)


@router.post("/sessie/{code}/meedoen", response_class=HTMLResponse)
async def join_workshop(request: Request, code: str) -> Response:
    """Join with a display name (and domain); the browser gets its own cookie.

    One address may join a few times a minute (a family on one phone, a class behind one
    router), not hundreds: :attr:`WebSettings.joins_per_minute`, counted in memory only.
    """
    form = await _posted(request)
    if not request.app.state.join_limiter.allow(client_key(request)):
        return too_many(
            request,
            "Vanaf dit adres is de afgelopen minuut al vaak meegedaan. Probeer het over een "
            "minuut opnieuw, of vraag de gespreksleider. / Too many joins from here.",
            back=f"/sessie/{code}",
        )
    with transaction(factory(request)) as session:
        workshop = _workshop(session, code)
        forms = _forms(workshop)
        needs_domain = any(f.needs_domain for f in forms)
        try:
            name, domain = parse_name(
                form.get("name"), form.get("domain"), needs_domain=needs_domain
            )
            _person, token = join(session, workshop, name, domain)
        except InputDataErrors as exc:
            return render(
                request,
                "ws_join.html",
                status_code=422,
                workshop=workshop,
                needs_domain=needs_domain,
                domains=DOMAINS,
                values=form,
                errors=exc.errors,
            )
        except WorkshopRuleError as exc:
            return _refused(request, code, [InputDataError(str(exc))], exc.status_code)
        workshop_id, code = workshop.id, workshop.code
    request.app.state.live.poke(workshop_id)
    response = RedirectResponse(f"/sessie/{code}", status_code=303)
    response.set_cookie(
        _cookie(code),
        token,
        max_age=COOKIE_DAYS * 86400,
        path=f"/sessie/{code}",
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.public_url.startswith("https"),
    )
    return response


@contextmanager
def _lead_change(
    request: Request, code: str, form: dict[str, Any]
) -> Iterator[tuple[Session, Workshop]]:
    """One transaction for a change by the workshop's facilitator (CSRF checked)."""
    with transaction(factory(request)) as session:
        workshop, who = _lead(request, session, code)
        _check_csrf(who, form.get("csrf"))
        yield session, workshop


@contextmanager
def _member_change(
    request: Request, code: str, form: dict[str, Any]
) -> Iterator[tuple[Session, Workshop, _Who]]:
    """One transaction for a change by a participant or the facilitator (joined, CSRF checked)."""
    with transaction(factory(request)) as session:
        workshop = _workshop(session, code)
        who = _who(request, session, workshop)
        _member(who)
        _check_csrf(who, form.get("csrf"))
        yield session, workshop, who


def _step(session: Session, workshop: Workshop, step_id: int) -> WorkshopStep:
    step = session.get(WorkshopStep, step_id)
    if step is None or step.workshop_id != workshop.id:
        raise HTTPException(status_code=404, detail="Deze stap bestaat niet (meer).")
    return step


def _entry(session: Session, workshop: Workshop, entry_id: int) -> WorkshopEntry:
    entry = session.get(WorkshopEntry, entry_id)
    if entry is None or entry.workshop_id != workshop.id or entry.removed:
        raise HTTPException(status_code=404, detail="Deze bijdrage bestaat niet (meer).")
    return entry


def _member(who: _Who) -> None:
    if who.person is None and not who.leader:
        raise HTTPException(
            status_code=403,
            detail="Doe eerst mee met uw naam (open de link of code opnieuw). / Join first.",
        )


@router.post("/sessie/{code}/stap/{step_id}/invoer")
async def add_input(request: Request, code: str, step_id: int) -> Response:
    """Add a piece of input to a step (participants: only while it is open)."""
    form = await _posted(request)
    with _member_change(request, code, form) as (session, workshop, who):
        step = _step(session, workshop, step_id)
        _, spec = spec_of(step)
        try:
            data = parse_entry(
                spec,
                form,
                domain=who.person.domain if who.person else "anders",
                groups=workshop.groups,
            )
            add_entry(session, workshop, step, who.person, data, spec.input)
        except InputDataErrors as exc:
            return _refused(request, code, exc.errors, 422)
        except WorkshopRuleError as exc:
            return _refused(request, code, [InputDataError(str(exc))], exc.status_code)
        workshop_id = workshop.id
    return _done(request, code, workshop_id, f"#stap-{step_id}")


@router.post("/sessie/{code}/invoer/{entry_id}/wijzig")
async def edit_input(request: Request, code: str, entry_id: int) -> Response:
    """Change a piece of input: its author while the step is open, or the facilitator."""
    form = await _posted(request)
    with _member_change(request, code, form) as (session, workshop, who):
        entry = _entry(session, workshop, entry_id)
        step = _step(session, workshop, entry.step_id)
        _, spec = spec_of(step)
        try:
            stored = spec.kind.stored_as_form(entry, detail(entry))
            data = parse_entry(
                spec,
                stored | {k: v for k, v in form.items() if k != "csrf"},
                domain=entry.domain or "anders",
                groups=workshop.groups,
            )
            change_entry(session, workshop, step, entry, who.person, data)
        except InputDataErrors as exc:
            return _refused(request, code, exc.errors, 422)
        except WorkshopRuleError as exc:
            return _refused(request, code, [InputDataError(str(exc))], exc.status_code)
        workshop_id = workshop.id
    return _done(request, code, workshop_id, f"#stap-{step.id}")


@router.post("/sessie/{code}/invoer/{entry_id}/verwijder")
async def remove_input(request: Request, code: str, entry_id: int) -> Response:
    """Remove a piece of input: its author while the step is open, or the facilitator."""
    form = await _posted(request)
    with _member_change(request, code, form) as (session, workshop, who):
        entry = _entry(session, workshop, entry_id)
        step = _step(session, workshop, entry.step_id)
        try:
            remove_entry(session, workshop, step, entry, who.person)
        except WorkshopRuleError as exc:
            return _refused(request, code, [InputDataError(str(exc))], exc.status_code)
        workshop_id = workshop.id
    return _done(request, code, workshop_id, f"#stap-{step.id}")


@router.post("/sessie/{code}/stap/{step_id}/klaar")
async def mark_ready(request: Request, code: str, step_id: int) -> Response:
    """Mark (``klaar=1``) or unmark (``klaar=0``) oneself as done with a step."""
    form = await _posted(request)
    with _member_change(request, code, form) as (session, workshop, who):
        if who.person is None:
            raise HTTPException(status_code=403, detail="Alleen deelnemers melden zich klaar.")
        step = _step(session, workshop, step_id)
        set_ready(session, workshop, step, who.person, form.get("klaar", "1") != "0")
        workshop_id = workshop.id
    return _done(request, code, workshop_id)


def _stream_access(request: Request, code: str) -> tuple[int, str]:
    """The workshop's id and who is asking, when they joined it or lead it.

    Checked before streaming, with the stream caps (:class:`~gezondewijk.web.limits.StreamLimits`):
    a refusal is a 503 before the stream starts.

    Raises
    ------
    BusyError
        When this address or this process holds its maximum of live streams.
    """
    with factory(request)() as session:
        workshop = _workshop(session, code)
        who = _who(request, session, workshop)
        _member(who)
        viewer = f"u{who.user.id}" if who.user is not None else f"p{who.person.id}"  # type: ignore[union-attr]
    request.app.state.streams.check(client_key(request))
    return workshop.id, viewer


@router.get("/sessie/{code}/live", response_class=EventSourceResponse)
async def live(
    request: Request, access: tuple[int, str] = Depends(_stream_access), na: int = 0
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: every change after ``na`` (or the ``Last-Event-ID`` header).

    Events: ``inhoud`` (a step's input, rendered), ``klaar`` (who is not done yet),
    ``stap`` (a step was started or closed: reload), ``versie`` (nothing to show) and
    ``einde`` (a newer stream of the same person replaced this one: do not reconnect).
    FastAPI sends a keep-alive comment every 15 s, so a stream whose browser is gone fails
    and is closed within that time.
    """
    workshop_id, viewer = access
    last = request.headers.get("last-event-id", "")
    after = int(last) if last.isdigit() else max(na, 0)
    streams: StreamLimits = request.app.state.streams
    async with (
        streams.stream(viewer, client_key(request)) as ticket,
        request.app.state.live.subscribe(workshop_id, after) as sub,
    ):
        yield ServerSentEvent(retry=2000, comment="verbonden")
        while True:
            getter = asyncio.ensure_future(sub.queue.get())
            ended = asyncio.ensure_future(ticket.ended.wait())
            done, pending = await asyncio.wait({getter, ended}, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            if ended in done:
                yield ServerSentEvent(event="einde", data={"reden": "nieuwere verbinding"})
                return
            for seq, name, data in getter.result():
                yield ServerSentEvent(id=str(seq), event=name, data=data)


# --- facilitator: lead -------------------------------------------------------------------


def _lead(request: Request, session: Session, code: str) -> tuple[Workshop, _Who]:
    workshop = _workshop(session, code)
    user = require_user(request)
    if not may_lead(session, user, workshop):
        raise HTTPException(status_code=403, detail="Niet uw werksessie / not your session")
    return workshop, _Who(user, None, csrf_token(request.session))


def _join_url(request: Request, code: str) -> str:
    return f"{request.app.state.settings.public_url.rstrip('/')}/sessie/{code}"


@router.get("/sessie/{code}/leiden", response_class=HTMLResponse)
def lead_page(request: Request, code: str) -> Response:
    """The facilitator's page: steps with start/close, timer, input, who is not done."""
    with factory(request)() as session:
        workshop, who = _lead(request, session, code)
        viewer = Viewer(leader=True, csrf=who.csrf)
        context = _page_context(request, session, workshop, who, viewer)
        participants = participants_of(session, workshop.id)
        last_minute = joined_since(session, workshop.id, datetime.now(UTC) - timedelta(minutes=1))
    data = loaded_map(request)
    names = []
    if data is not None and _needs_area(workshop) and len(data.buurten) <= 2000:
        ordered = data.buurten.sort_values("buurtnaam")
        names = [
            f"{name} ({code})"
            for name, code in zip(ordered["buurtnaam"], ordered["buurtcode"], strict=True)
        ]
    return render(
        request,
        "ws_lead.html",
        user=who.user,
        join_url=_join_url(request, code),
        buurt_names=names,
        participants=participants,
        joined_last_minute=last_minute,
        **context,
    )


@router.get("/sessie/{code}/scherm", response_class=HTMLResponse)
def projector_page(request: Request, code: str) -> Response:
    """The projector view: the open step's input, large, without buttons."""
    with factory(request)() as session:
        workshop, who = _lead(request, session, code)
        context = _page_context(request, session, workshop, who, Viewer(projector=True))
    return render(request, "ws_projector.html", join_url=_join_url(request, code), **context)


@router.get("/sessie/{code}/qr.svg")
def join_qr(request: Request, code: str) -> Response:
    """QR code of the join link."""
    with factory(request)() as session:
        workshop, _ = _lead(request, session, code)
    buffer = io.BytesIO()
    segno.make(_join_url(request, workshop.code), error="m").save(
        buffer, kind="svg", scale=6, border=2, title="QR-code om mee te doen"
    )
    return Response(buffer.getvalue(), media_type="image/svg+xml")


@router.post("/sessie/{code}/leiden/stap/{step_id}")
async def change_step(request: Request, code: str, step_id: int) -> Response:
    """Start (``state=open``), close (``dicht``) or reset (``wacht``) a step."""
    form = await _posted(request)
    with _lead_change(request, code, form) as (session, workshop):
        step = _step(session, workshop, step_id)
        state = str(form.get("state", ""))
        if state not in ("open", "dicht", "wacht"):
            raise HTTPException(status_code=422, detail="Kies open, dicht of wacht.")
        set_step_state(session, workshop, step, state)
        workshop_id = workshop.id
    request.app.state.live.poke(workshop_id)
    if _live(request):
        return Response(status_code=204)
    return RedirectResponse(f"/sessie/{code}/leiden", status_code=303)


@router.post("/sessie/{code}/leiden/meedoen")
async def lock_joining(request: Request, code: str) -> Response:
    """Close (``state=dicht``) or open (``state=open``) joining; those in stay."""
    form = await _posted(request)
    with _lead_change(request, code, form) as (session, workshop):
        set_joining(session, workshop, form.get("state") == "dicht")
        workshop_id = workshop.id
    request.app.state.live.poke(workshop_id)
    return RedirectResponse(f"/sessie/{code}/leiden#deelnemers", status_code=303)


@router.post("/sessie/{code}/leiden/deelnemer/{participant_id}/verwijderen")
async def remove_person(request: Request, code: str, participant_id: int) -> Response:
    """Remove a participant: their browser can no longer add input; what they added stays."""
    form = await _posted(request)
    with _lead_change(request, code, form) as (session, workshop):
        if not remove_participant(session, workshop, participant_id):
            raise HTTPException(status_code=404, detail="Deze deelnemer is er niet (meer).")
        workshop_id = workshop.id
    request.app.state.live.poke(workshop_id)
    return RedirectResponse(f"/sessie/{code}/leiden#deelnemers", status_code=303)


@router.post("/sessie/{code}/leiden/gebied")
async def choose_area(request: Request, code: str) -> Response:
    """Choose the buurt of the walk (work form *wandeling*): a name or buurt code."""
    form = await _posted(request)
    data = loaded_map(request)
    term = str(form.get("area", "")).strip()[:100]
    with _lead_change(request, code, form) as (session, workshop):
        if data is None:
            problem = (
                "Er is geen kaart geladen (GEZONDEWIJK_MAP_DIR); kies dan een gebied op papier."
            )
            return _refused(request, code, [InputDataError(problem, field="area")], 409)
        # the picker gives "Naam (BU…)": the code decides; else a name or code as typed
        picked = re.search(r"\bBU\d{4}[0-9A-Z]{4}\b", term.upper())
        found = data.find_buurt(picked.group(0) if picked else term) if term else ""
        if found is None:
            problem = f"Geen buurt gevonden voor '{term[:60]}'."
            fix = "typ een deel van de buurtnaam of een code zoals BU05180000"
            return _refused(request, code, [InputDataError(problem, field="area", fix=fix)], 422)
        set_area(session, workshop, found)
        workshop_id = workshop.id
    request.app.state.live.poke(workshop_id)
    return RedirectResponse(f"/sessie/{code}/leiden#gebied", status_code=303)


@router.post("/sessie/{code}/leiden/koppel/{step_id}")
async def decide_match(request: Request, code: str, step_id: int) -> Response:
    """Confirm (``verdict=ja``) or reject (``nee``) a suggested offer–need pair.

    A confirmed pair becomes an agreement in the work form's agreements step, with both
    authors as its owners and a link to this step.
    """
    form = await _posted(request)
    with _lead_change(request, code, form) as (session, workshop):
        step = _step(session, workshop, step_id)
        verdict = str(form.get("verdict", ""))
        try:
            offer = _entry(session, workshop, int(str(form.get("offer", "0"))))
            need = _entry(session, workshop, int(str(form.get("need", "0"))))
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
    request.app.state.live.poke(workshop_id)
    if _live(request):
        return Response(status_code=204)
    return RedirectResponse(f"/sessie/{code}/leiden#stap-{step_id}", status_code=303)


# --- actions and data --------------------------------------------------------------------


def _agreements(session: Session, workshop: Workshop) -> list[Agreement]:
    titles = {s.id: step_title(s) for s in steps_of(session, workshop.id)}
    return agreements_of([(e, detail(e)) for e in entries_of(session, workshop.id)], titles)


@router.get("/sessie/{code}/afspraken.{fmt}")
def actions_export(request: Request, code: str, fmt: str) -> Response:
    """The workshop's actions as Markdown, CSV or PDF (facilitator only)."""
    with factory(request)() as session:
        workshop, _ = _lead(request, session, code)
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
def workshop_export(request: Request, code: str) -> Response:
    """Everything of the workshop as JSON (facilitator only)."""
    with factory(request)() as session:
        workshop, _ = _lead(request, session, code)
        data = export_workshop(session, workshop)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="werksessie-{code}.json"'},
    )


@router.post("/sessie/{code}/verwijderen")
async def workshop_delete(request: Request, code: str) -> Response:
    """Delete the workshop and everything in it (facilitator only)."""
    form = await _posted(request)
    with _lead_change(request, code, form) as (session, workshop):
        if form.get("confirm") != workshop.code:
            raise HTTPException(
                status_code=422,
                detail="Typ de code van de sessie om het verwijderen te bevestigen.",
            )
        workshop_id = workshop.id
        delete_workshop(session, workshop)
    request.app.state.live.poke(workshop_id)
    return RedirectResponse("/beheer/sessies", status_code=303)


__all__ = ["FACILITATOR", "router"]

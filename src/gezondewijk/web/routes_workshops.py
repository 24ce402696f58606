"""Werksessies for participants: join with a name, add input live, follow the stream.

Who may do what is decided in :mod:`gezondewijk.web.workshop_access`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy.orm import Session

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Workshop
from gezondewijk.store.workshops import (
    WorkshopRuleError,
    add_entry,
    change_entry,
    detail,
    join,
    remove_entry,
    set_ready,
)
from gezondewijk.web.deps import (
    SessionDep,
    factory,
    render,
    too_many,
)
from gezondewijk.web.limits import StreamLimits, client_key
from gezondewijk.web.state import state_of
from gezondewijk.web.workshop_access import (
    COOKIE_DAYS,
    Who,
    cookie_name,
    done,
    entry_or_404,
    forms_of,
    member_change,
    page_context,
    posted_form,
    refused,
    require_member,
    step_or_404,
    who_asks,
    workshop_or_404,
)
from gezondewijk.web.workshop_views import (
    Viewer,
    spec_of,
)
from gezondewijk.werkvormen.catalogue import DOMAINS
from gezondewijk.werkvormen.session import parse_entry, parse_name

router = APIRouter(include_in_schema=False)


@router.get("/sessie", response_class=HTMLResponse)
def join_by_code(request: Request, code: str = "") -> Response:
    """Type a workshop's code (or come with ``?code=``)."""
    if code.strip():
        clean = "".join(ch for ch in code.upper() if ch.isalnum())[:12]
        return RedirectResponse(f"/sessie/{clean}", status_code=303)
    return render(request, "ws_code.html")


@router.get("/sessie/{code}", response_class=HTMLResponse)
def participant_page(request: Request, session: SessionDep, code: str) -> Response:
    """A participant's view: the open step, its input and a form; or the join form."""
    workshop = workshop_or_404(session, code)
    who = who_asks(request, session, workshop)
    if who.person is None:
        forms = forms_of(workshop)
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
    context = page_context(request, session, workshop, who, viewer)
    return render(request, "ws_participant.html", **context)


@router.post("/sessie/{code}/meedoen", response_class=HTMLResponse)
async def join_workshop(request: Request, code: str) -> Response:
    """Join with a display name (and domain); the browser gets its own cookie.

    One address may join a few times a minute (a family on one phone, a class behind one
    router), not hundreds: :attr:`WebSettings.joins_per_minute`, counted in memory only.
    """
    form = await posted_form(request)
    if not state_of(request).join_limiter.allow(client_key(request)):
        return too_many(
            request,
            "Vanaf dit adres is de afgelopen minuut al vaak meegedaan. Probeer het over een "
            "minuut opnieuw, of vraag de gespreksleider. / Too many joins from here.",
            back=f"/sessie/{code}",
        )
    with transaction(factory(request)) as session:
        workshop = workshop_or_404(session, code)
        forms = forms_of(workshop)
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
            return refused(request, code, [InputDataError(str(exc))], exc.status_code)
        workshop_id, code = workshop.id, workshop.code
    state_of(request).live.poke(workshop_id)
    response = RedirectResponse(f"/sessie/{code}", status_code=303)
    response.set_cookie(
        cookie_name(code),
        token,
        max_age=COOKIE_DAYS * 86400,
        path=f"/sessie/{code}",
        httponly=True,
        samesite="strict",
        secure=state_of(request).settings.public_url.startswith("https"),
    )
    return response


#: A participant's (or the facilitator's) change to input: it returns the step it changed.
_Change = Callable[[Session, Workshop, Who], int]


def _input_change(request: Request, code: str, form: dict[str, Any], change: _Change) -> Response:
    """Run ``change`` in one transaction; a refusal (bad input, the workshop's rules) says why."""
    with member_change(request, code, form) as (session, workshop, who):
        try:
            step_id = change(session, workshop, who)
        except InputDataErrors as exc:
            return refused(request, code, exc.errors, 422)
        except WorkshopRuleError as exc:
            return refused(request, code, [InputDataError(str(exc))], exc.status_code)
        workshop_id = workshop.id
    return done(request, code, workshop_id, f"#stap-{step_id}")


@router.post("/sessie/{code}/stap/{step_id}/invoer")
async def add_input(request: Request, code: str, step_id: int) -> Response:
    """Add a piece of input to a step (participants: only while it is open)."""
    form = await posted_form(request)

    def add(session: Session, workshop: Workshop, who: Who) -> int:
        step = step_or_404(session, workshop, step_id)
        spec = spec_of(step)[1]
        domain = who.person.domain if who.person else "anders"
        data = parse_entry(spec, form, domain=domain, groups=workshop.groups)
        add_entry(session, workshop, step, who.person, data, spec.input)
        return step.id

    return _input_change(request, code, form, add)


@router.post("/sessie/{code}/invoer/{entry_id}/wijzig")
async def edit_input(request: Request, code: str, entry_id: int) -> Response:
    """Change a piece of input: its author while the step is open, or the facilitator."""
    form = await posted_form(request)

    def edit(session: Session, workshop: Workshop, who: Who) -> int:
        entry = entry_or_404(session, workshop, entry_id)
        step = step_or_404(session, workshop, entry.step_id)
        spec = spec_of(step)[1]
        # an edit may send only the text: the stored fields under the posted ones
        fields = spec.kind.stored_as_form(entry, detail(entry))
        fields |= {k: v for k, v in form.items() if k != "csrf"}
        data = parse_entry(spec, fields, domain=entry.domain or "anders", groups=workshop.groups)
        change_entry(session, workshop, step, entry, who.person, data)
        return step.id

    return _input_change(request, code, form, edit)


@router.post("/sessie/{code}/invoer/{entry_id}/verwijder")
async def remove_input(request: Request, code: str, entry_id: int) -> Response:
    """Remove a piece of input: its author while the step is open, or the facilitator."""
    form = await posted_form(request)

    def remove(session: Session, workshop: Workshop, who: Who) -> int:
        entry = entry_or_404(session, workshop, entry_id)
        step = step_or_404(session, workshop, entry.step_id)
        remove_entry(session, workshop, step, entry, who.person)
        return step.id

    return _input_change(request, code, form, remove)


@router.post("/sessie/{code}/stap/{step_id}/klaar")
async def mark_ready(request: Request, code: str, step_id: int) -> Response:
    """Mark (``klaar=1``) or unmark (``klaar=0``) oneself as done with a step."""
    form = await posted_form(request)
    with member_change(request, code, form) as (session, workshop, who):
        if who.person is None:
            raise HTTPException(status_code=403, detail="Alleen deelnemers melden zich klaar.")
        step = step_or_404(session, workshop, step_id)
        set_ready(session, workshop, step, who.person, form.get("klaar", "1") != "0")
        workshop_id = workshop.id
    return done(request, code, workshop_id)


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
        workshop = workshop_or_404(session, code)
        who = who_asks(request, session, workshop)
        require_member(who)
        viewer = f"u{who.user.id}" if who.user is not None else f"p{who.person.id}"  # type: ignore[union-attr]
    state_of(request).streams.check(client_key(request))
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
    streams: StreamLimits = state_of(request).streams
    async with (
        streams.stream(viewer, client_key(request)) as ticket,
        state_of(request).live.subscribe(workshop_id, after) as sub,
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

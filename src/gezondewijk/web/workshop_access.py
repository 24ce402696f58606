"""Who may do what in a werksessie, and the page context its pages share.

Participants join with a display name (and their domain where a work form needs it) and
no account: their browser gets a random token in a cookie for this workshop only
(``HttpOnly``, ``SameSite=Strict``), of which the server stores the SHA-256. Every form is
a plain POST that works without JavaScript (the page reloads); with JavaScript the form is
sent in the background and the change arrives, for everybody, through the event stream
(server-sent events, :mod:`gezondewijk.web.live`). The routes are in
:mod:`~gezondewijk.web.routes_workshops` (participants) and
:mod:`~gezondewijk.web.routes_workshop_lead` (the facilitator).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from gezondewijk._errors import InputDataError
from gezondewijk.reports.slide import inequality_slide
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Participant, User, Workshop, WorkshopEntry, WorkshopStep
from gezondewijk.store.workshops import (
    detail,
    entries_of,
    may_lead,
    participant_by_token,
    participants_of,
    previous_in_series,
    ready_ids,
    steps_of,
    workshop_by_code,
)
from gezondewijk.web.deps import (
    current_user,
    factory,
    loaded_map,
    render,
    require_user,
)
from gezondewijk.web.errors import refusal_json
from gezondewijk.web.security import csrf_token
from gezondewijk.web.state import state_of
from gezondewijk.web.workshop_views import (
    Viewer,
    form_start,
    not_ready,
    spec_of,
    step_view,
)
from gezondewijk.werkvormen.catalogue import DOMAINS, WorkForm, work_forms
from gezondewijk.werkvormen.inputs.afspraken import AFSPRAKEN

#: Days a participant's cookie lasts (a workshop with homework spans a few days).
COOKIE_DAYS = 14


def cookie_name(code: str) -> str:
    """The name of the cookie with a participant's token for workshop ``code``."""
    return f"ws_{code}"


def participant_csrf(request: Request, token: str) -> str:
    """The CSRF token of a participant (derived from their token and the app's key)."""
    key = state_of(request).settings.secret_key.encode()
    return hmac.new(key, f"werksessie:{token}".encode(), hashlib.sha256).hexdigest()[:32]


class Who:
    """Who sends a request to a workshop: a participant, its facilitator, or neither."""

    def __init__(self, user: User | None, person: Participant | None, csrf: str):
        self.user = user
        self.person = person
        self.csrf = csrf

    @property
    def leader(self) -> bool:
        """Whether the facilitator asks."""
        return self.user is not None


def workshop_or_404(session: Session, code: str) -> Workshop:
    """The workshop with this code, or a 404 that says to check the code."""
    workshop = workshop_by_code(session, code)
    if workshop is None:
        raise HTTPException(
            status_code=404,
            detail=f"Geen werksessie met code '{code[:12]}'. Controleer de code bij de "
            "gespreksleider. / No session with this code.",
        )
    return workshop


def who_asks(request: Request, session: Session, workshop: Workshop) -> Who:
    """Who sends this request: the workshop's facilitator, a participant, or neither."""
    user = current_user(request)
    if may_lead(session, user, workshop):
        return Who(user, None, csrf_token(request.session))
    token = request.cookies.get(cookie_name(workshop.code), "")
    person = participant_by_token(session, workshop.id, token)
    return Who(None, person, participant_csrf(request, token) if person else "")


def check_member_csrf(who: Who, sent: object) -> None:
    """A 403 unless ``sent`` is the CSRF token of who asks."""
    if not who.csrf or not isinstance(sent, str) or not hmac.compare_digest(who.csrf, sent):
        raise HTTPException(
            status_code=403,
            detail="Formulier verlopen; laad de pagina opnieuw. / Form expired, reload the page.",
        )


def sent_live(request: Request) -> bool:
    """Whether the browser sent the form in the background (``werksessie.js``)."""
    return request.headers.get("x-live") == "1"


def done(request: Request, code: str, workshop_id: int, anchor: str = "") -> Response:
    """After a change: wake the workshop's streams; 204 for a live form, else back to the page."""
    state_of(request).live.poke(workshop_id)
    if sent_live(request):
        return Response(status_code=204)
    return RedirectResponse(f"/sessie/{code}{anchor}", status_code=303)


def refused(request: Request, code: str, errors: list[InputDataError], status: int) -> Response:
    """A refusal: the one JSON error shape for a live form, else a page that says why."""
    if sent_live(request):
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


async def posted_form(request: Request) -> dict[str, Any]:
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


# --- pages -------------------------------------------------------------------------------


def walk_area(request: Request, workshop: Workshop) -> dict[str, Any] | None:
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


def forms_of(workshop: Workshop) -> list[WorkForm]:
    """The workshop's work forms, in order."""
    known = work_forms()
    return [known[k] for k in workshop.form_keys if k in known]


def needs_area(workshop: Workshop) -> bool:
    """Whether one of the workshop's work forms takes place in a buurt (the walk)."""
    return any(f.needs_area for f in forms_of(workshop))


def page_context(
    request: Request, session: Session, workshop: Workshop, who: Who, viewer: Viewer
) -> dict[str, Any]:
    """What the participant, facilitator and projector pages of a workshop share."""
    steps = steps_of(session, workshop.id)
    current = next((s for s in steps if s.state == "open"), None)
    views = {s.id: step_view(session, workshop, s) for s in steps if s.state != "wacht"}
    previous = previous_in_series(session, workshop)
    earlier_actions = []
    if previous is not None:
        earlier_actions = [
            (e, detail(e)) for e in entries_of(session, previous.id) if e.kind == AFSPRAKEN.key
        ]
    forms = forms_of(workshop)
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
        "needs_area": needs_area(workshop),
        "walk_area": walk_area(request, workshop) if needs_area(workshop) else None,
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


@contextmanager
def lead_change(
    request: Request, code: str, form: dict[str, Any]
) -> Iterator[tuple[Session, Workshop]]:
    """One transaction for a change by the workshop's facilitator (CSRF checked)."""
    with transaction(factory(request)) as session:
        workshop, who = lead_or_403(request, session, code)
        check_member_csrf(who, form.get("csrf"))
        yield session, workshop


@contextmanager
def member_change(
    request: Request, code: str, form: dict[str, Any]
) -> Iterator[tuple[Session, Workshop, Who]]:
    """One transaction for a change by a participant or the facilitator (joined, CSRF checked)."""
    with transaction(factory(request)) as session:
        workshop = workshop_or_404(session, code)
        who = who_asks(request, session, workshop)
        require_member(who)
        check_member_csrf(who, form.get("csrf"))
        yield session, workshop, who


def step_or_404(session: Session, workshop: Workshop, step_id: int) -> WorkshopStep:
    """A step of this workshop, or a 404."""
    step = session.get(WorkshopStep, step_id)
    if step is None or step.workshop_id != workshop.id:
        raise HTTPException(status_code=404, detail="Deze stap bestaat niet (meer).")
    return step


def entry_or_404(session: Session, workshop: Workshop, entry_id: int) -> WorkshopEntry:
    """A piece of input of this workshop that was not removed, or a 404."""
    entry = session.get(WorkshopEntry, entry_id)
    if entry is None or entry.workshop_id != workshop.id or entry.removed:
        raise HTTPException(status_code=404, detail="Deze bijdrage bestaat niet (meer).")
    return entry


def require_member(who: Who) -> None:
    """A 403 unless who asks joined the workshop or leads it."""
    if who.person is None and not who.leader:
        raise HTTPException(
            status_code=403,
            detail="Doe eerst mee met uw naam (open de link of code opnieuw). / Join first.",
        )


def lead_or_403(request: Request, session: Session, code: str) -> tuple[Workshop, Who]:
    """The workshop and its facilitator (a 403 for another organiser, log-in for nobody)."""
    workshop = workshop_or_404(session, code)
    user = require_user(request)
    if not may_lead(session, user, workshop):
        raise HTTPException(status_code=403, detail="Niet uw werksessie / not your session")
    return workshop, Who(user, None, csrf_token(request.session))


def join_url(request: Request, code: str) -> str:
    """The address participants open to join."""
    return f"{state_of(request).settings.public_url.rstrip('/')}/sessie/{code}"

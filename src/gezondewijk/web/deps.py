"""Request-scoped helpers shared by the routes: rendering, who is asking, which campaign."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from gezondewijk._errors import InputDataError
from gezondewijk.leefplekmeter import modes
from gezondewijk.leefplekmeter.campaigns import campaign_state, today_nl
from gezondewijk.leefplekmeter.intake import accept, submission_from_form
from gezondewijk.leefplekmeter.modes import MODES
from gezondewijk.leefplekmeter.themes import SCALES, addresses_informally, themes
from gezondewijk.reports import MapData, load_map_data
from gezondewijk.reports.tiles import TileSource
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Campaign, User
from gezondewijk.store.repository import campaign_by_code, store_submission
from gezondewijk.store.users import shares_with
from gezondewijk.web.limits import client_key
from gezondewijk.web.security import csrf_ok, csrf_token
from gezondewijk.web.state import state_of

T = TypeVar("T")


def factory(request: Request) -> sessionmaker[Session]:
    """The app's session factory."""
    return state_of(request).sessions


def render(
    request: Request,
    name: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a template with the common context (language, organiser, CSRF token)."""
    templates = state_of(request).templates
    user = context.pop("user", None)
    lang = context.pop("lang", "nl")
    csrf = csrf_token(request.session) if user is not None else ""
    return templates.TemplateResponse(
        request,
        name,
        {"lang": lang, "user": user, "csrf": csrf, **context},
        status_code=status_code,
        headers=headers,
    )


async def heavy(request: Request, work: Callable[[], T], key: object = None) -> T:
    """Run ``work`` on the app's rendering pool (:class:`~gezondewijk.web.limits.RenderPool`).

    Maps, fact sheets and PDFs go here, never on the thread pool residents' pages need; a full
    pool answers 503 with ``Retry-After`` at once. ``key`` caches the result (with the run).
    """
    return await state_of(request).renders.run(client_key(request), work, key)


def pdf_response(request: Request, template: str, **ctx: Any) -> Response:
    """A page printed to PDF through the app's one Chromium queue (cached; 503 when busy)."""
    html = state_of(request).templates.get_template(template).render(print=True, **ctx)
    return Response(state_of(request).pdfs.render(html), media_type="application/pdf")


def current_user(request: Request) -> User | None:
    """The logged-in organiser, or ``None``."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    with factory(request)() as session:
        return session.get(User, user_id)


def require_user(request: Request) -> User:
    """The logged-in organiser; otherwise a redirect to the login page.

    An account with the role *alleen lezen* (``viewer``) may open every page its team may, and
    change nothing: any request other than ``GET``/``HEAD`` (but logging out) is refused here,
    in the one place every organiser route passes. A deactivated account is logged out.
    """
    user = current_user(request)
    if user is None or not user.active:
        request.session.clear()
        raise HTTPException(status_code=303, headers={"Location": "/login"})
    if user.role == "viewer" and request.method not in ("GET", "HEAD"):
        raise HTTPException(
            status_code=403,
            detail="Uw account is 'alleen lezen': u kunt kijken, niet wijzigen. Vraag een "
            "beheerder om de rol organisator. / Read-only account.",
        )
    return user


def campaign_or_404(request: Request, code: str, *, recent: bool = False) -> Campaign:
    """The campaign with this code, or a 404 that says how to fix the code.

    ``recent=True`` (residents' form and API) may use a copy read up to
    ``WebSettings.campaign_cache_s`` seconds ago (:mod:`gezondewijk.web.campaign_cache`);
    organiser pages read the database.
    """
    if recent:
        campaign = state_of(request).campaigns.get(code)
    else:
        with factory(request)() as session:
            campaign = campaign_by_code(session, code)
    if campaign is None:
        raise HTTPException(
            status_code=404,
            detail=f"Geen campagne met code '{code[:12]}'. Controleer de code "
            "op de uitnodiging. / No campaign with this code.",
        )
    return campaign


def may_manage(request: Request, user: User | None, campaign: Campaign) -> bool:
    """Whether this account may see everything of the campaign: its maker's team, an admin."""
    if user is None:
        return False
    with factory(request)() as session:
        return shares_with(session, user, campaign.owner_id)


def own_campaign(request: Request, code: str) -> tuple[User, Campaign]:
    """A campaign the logged-in organiser may manage (admins may manage every campaign)."""
    user = require_user(request)
    campaign = campaign_or_404(request, code)
    if not may_manage(request, user, campaign):
        raise HTTPException(status_code=403, detail="Niet uw campagne / not your campaign")
    return user, campaign


def resident_mode(campaign: Campaign) -> str:
    """The mode a resident's form is stored with (a paper campaign's web form: individual)."""
    return modes.resident_mode(campaign.mode)


def closed_page(request: Request, campaign: Campaign, lang: str) -> HTMLResponse | None:
    """A page that says why the campaign takes no forms now, or ``None`` when it does."""
    state = campaign_state(campaign.status, campaign.starts_on, campaign.ends_on, today_nl())
    if state.accepts:
        return None
    return render(
        request,
        "message.html",
        status_code=403,
        lang=lang,
        title=campaign.title,
        text=state.message["en" if lang == "en" else "nl"],
    )


def limited(request: Request) -> HTMLResponse | None:
    """A 429 page when this client sent too many forms this minute, else ``None``."""
    client = request.client.host if request.client else "?"
    if state_of(request).limiter.allow(client):
        return None
    return too_many(
        request,
        "Er komen te veel formulieren tegelijk binnen. Probeer het over een "
        "minuut opnieuw. / Too many forms; try again in a minute.",
    )


def too_many(request: Request, text: str, back: str = "") -> HTMLResponse:
    """The 429 page of a per-minute limit: wait a minute (``Retry-After: 60``)."""
    return render(
        request,
        "message.html",
        status_code=429,
        headers={"Retry-After": "60"},
        title="Even wachten",
        text=text,
        back=back or None,
    )


def survey_context(
    request: Request,
    campaign: Campaign,
    lang: str,
    *,
    mode: str,
    errors: list[InputDataError] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the survey template needs (residents' form and the organiser's paper entry)."""
    scale = SCALES[campaign.scale]
    return {
        "campaign": campaign,
        "themes": themes(),
        "variant": campaign.variant,
        "informal": addresses_informally(campaign.variant),
        "scale": scale,
        "points": scale.points(),
        "mode": MODES[mode],
        "kiosk": MODES[mode].shared_device,
        "form_token": state_of(request).form_tokens.issue(campaign.code),
        "token_hours": state_of(request).form_tokens.max_age_hours,
        "errors": errors or [],
        "error_fields": {e.field for e in (errors or [])},
        "values": values or {},
        "areas": campaign.area_list(),
        "lang": lang,
    }


def receive(
    request: Request, campaign: Campaign, form: dict[str, Any], mode: str, lang: str = "nl"
) -> int:
    """Check and store a posted form once; returns the response id.

    Raises
    ------
    InputDataErrors
        With every field at fault, in the resident's language; nothing is stored then.
    """
    data = submission_from_form(form, mode)
    sub = accept(
        data,
        scale=campaign.scale,
        areas=[c for c, _ in campaign.area_list()],
        token_problem=state_of(request).form_tokens.check(data["form_token"], campaign.code),
        lang=lang,
        public=MODES[mode].public,
    )
    return store_submission(factory(request), campaign, sub).response_id


def loaded_map(request: Request) -> MapData | None:
    """The run the app shows (``GEZONDEWIJK_MAP_DIR``), read once; ``None`` when none is set."""
    state = state_of(request)
    if state.map_data is None:
        folder = state.settings.map_dir
        if not folder:
            return None
        loaded = load_map_data(folder)
        state.map_tiles = TileSource(loaded)  # before map_data: other threads test that
        state.map_data = loaded
    return state.map_data


def map_tiles(request: Request) -> TileSource:
    """The vector tiles of the loaded run (404 page when none is loaded)."""
    map_data(request)
    tiles: TileSource = state_of(request).map_tiles
    return tiles


def map_data(request: Request) -> MapData:
    """The loaded run, or a page that says how to load one."""
    data = loaded_map(request)
    if data is None:
        raise HTTPException(
            status_code=404,
            detail=(
                "Er is geen kaart geladen. Start de app met GEZONDEWIJK_MAP_DIR="
                "<uitvoermap van 'gezondewijk run'>. / No map loaded: set "
                "GEZONDEWIJK_MAP_DIR."
            ),
        )
    return data


@contextmanager
def stored_campaign(request: Request, campaign: Campaign) -> Iterator[tuple[Session, Campaign]]:
    """The campaign as stored, in one transaction (404 when it was deleted meanwhile).

    Afterwards residents' requests in this process read the changed campaign at once.
    """
    try:
        with transaction(factory(request)) as session:
            target = session.get(Campaign, campaign.id)
            if target is None:
                raise HTTPException(status_code=404, detail="Deze campagne bestaat niet meer.")
            yield session, target
    finally:
        state_of(request).campaigns.forget(campaign.code)


def check_csrf(request: Request, token: str | None) -> None:
    """A 403 unless ``token`` is the organiser's CSRF token."""
    if not csrf_ok(request.session, token):
        raise HTTPException(
            status_code=403,
            detail="Formulier verlopen (CSRF); laad de pagina "
            "opnieuw. / Form expired, reload the page.",
        )


def read_session(request: Request) -> Iterator[Session]:
    """A session for reading during one request (changes go through :func:`transaction`).

    Writes keep an explicit ``transaction()`` in the route: it commits before the route
    answers, so the page a redirect leads to sees the change.
    """
    with factory(request)() as session:
        yield session


#: A read-only database session for the request.
SessionDep = Annotated[Session, Depends(read_session)]
#: The logged-in organiser (else a redirect to the login page; read-only accounts only read).
CurrentOrganiser = Annotated[User, Depends(require_user)]
#: The logged-in organiser and a campaign of their team (``code`` in the path; 403/404).
OwnCampaign = Annotated[tuple[User, Campaign], Depends(own_campaign)]

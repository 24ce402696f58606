"""Request-scoped helpers shared by the routes."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, sessionmaker

from gezondewijk.store.models import Campaign, User
from gezondewijk.store.repository import campaign_by_code
from gezondewijk.web.security import csrf_token


def factory(request: Request) -> sessionmaker[Session]:
    """The app's session factory."""
    return request.app.state.sessions


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the common context (language, organiser, CSRF token)."""
    templates = request.app.state.templates
    user = context.pop("user", None)
    lang = context.pop("lang", "nl")
    csrf = csrf_token(request.session) if user is not None else ""
    return templates.TemplateResponse(
        request,
        name,
        {"lang": lang, "user": user, "csrf": csrf, **context},
        status_code=status_code,
    )


def current_user(request: Request) -> User | None:
    """The logged-in organiser, or ``None``."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    with factory(request)() as session:
        return session.get(User, user_id)


def require_user(request: Request) -> User:
    """The logged-in organiser; otherwise a redirect to the login page."""
    user = current_user(request)
    if user is None:
        raise HTTPException(status_code=303, headers={"Location": "/login"})
    return user


def campaign_or_404(request: Request, code: str) -> Campaign:
    """The campaign with this code, or a 404 that says how to fix the code."""
    with factory(request)() as session:
        campaign = campaign_by_code(session, code)
    if campaign is None:
        raise HTTPException(
            status_code=404,
            detail=f"Geen campagne met code '{code[:12]}'. Controleer de code "
            "op de uitnodiging. / No campaign with this code.",
        )
    return campaign


def own_campaign(request: Request, code: str) -> tuple[User, Campaign]:
    """A campaign the logged-in organiser may manage (admins may manage every campaign)."""
    user = require_user(request)
    campaign = campaign_or_404(request, code)
    if user.role != "admin" and campaign.owner_id != user.id:
        raise HTTPException(status_code=403, detail="Niet uw campagne / not your campaign")
    return user, campaign

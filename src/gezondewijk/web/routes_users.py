"""User management for the admin: add or invite an organiser, reset a password, deactivate.

Accounts get a role (:data:`gezondewijk.store.users.ROLES`) and a team; a new account and a
password reset both get a link that expires (:data:`~gezondewijk.store.users.INVITE_DAYS`),
shown once to the admin to pass on; only the link's hash is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from gezondewijk._errors import InputDataError
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Team, User
from gezondewijk.store.users import (
    INVITE_DAYS,
    ROLES,
    add_account,
    new_invite,
    use_invite,
    valid_invite,
)
from gezondewijk.web.deps import SessionDep, check_csrf, factory, render, require_user
from gezondewijk.web.security import csrf_token
from gezondewijk.web.state import state_of

router = APIRouter(include_in_schema=False)


def _admin(request: Request) -> User:
    user = require_user(request)
    if user.role != "admin":
        raise HTTPException(status_code=403, detail="Alleen voor beheerders / admins only")
    return user


def _page(
    request: Request,
    admin: User,
    *,
    link: str = "",
    link_for: str = "",
    errors: list[InputDataError] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with factory(request)() as session:
        rows = session.execute(
            select(User, Team.name).outerjoin(Team, User.team_id == Team.id).order_by(User.email)
        ).all()
        teams = list(session.scalars(select(Team.name).order_by(Team.name)))
    return render(
        request,
        "users.html",
        status_code=status_code,
        user=admin,
        rows=rows,
        teams=teams,
        roles=ROLES,
        link=link,
        link_for=link_for,
        days=INVITE_DAYS,
        errors=errors or [],
        values=values or {},
    )


def _link(request: Request, token: str) -> str:
    return f"{state_of(request).settings.public_url.rstrip('/')}/uitnodiging/{token}"


@router.get("/beheer/gebruikers", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    """Everyone with an account: role, team, active; add one."""
    return _page(request, _admin(request))


@router.post("/beheer/gebruikers", response_class=HTMLResponse)
def add_user(
    request: Request,
    email: str = Form(""),
    name: str = Form(""),
    role: str = Form("organiser"),
    team: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    """Add an account; the page shows its invite link once (valid ``INVITE_DAYS`` days)."""
    admin = _admin(request)
    check_csrf(request, csrf)
    try:
        with transaction(factory(request)) as session:
            user, token = add_account(session, email, name, role, team)
            address = user.email
    except InputDataError as exc:
        values = {"email": email, "name": name, "role": role, "team": team}
        return _page(request, admin, errors=[exc], values=values, status_code=422)
    return _page(request, admin, link=_link(request, token), link_for=address)


@router.post("/beheer/gebruikers/{user_id}/link", response_class=HTMLResponse)
def reset_link(request: Request, user_id: int, csrf: str = Form("")) -> Response:
    """A new link to set the password (a reset); earlier links stop working."""
    admin = _admin(request)
    check_csrf(request, csrf)
    with transaction(factory(request)) as session:
        user = session.get(User, user_id)
        if user is None:
            raise HTTPException(status_code=404, detail="Geen account / no such account")
        token, address = new_invite(session, user), user.email
    return _page(request, admin, link=_link(request, token), link_for=address)


@router.post("/beheer/gebruikers/{user_id}/actief")
def set_active(
    request: Request, user_id: int, active: str = Form(""), csrf: str = Form("")
) -> Response:
    """Deactivate (``active=nee``) or activate an account; its work stays."""
    admin = _admin(request)
    check_csrf(request, csrf)
    if user_id == admin.id:
        raise HTTPException(status_code=409, detail="U kunt uzelf niet uitzetten.")
    with transaction(factory(request)) as session:
        user = session.get(User, user_id)
        if user is None:
            raise HTTPException(status_code=404, detail="Geen account / no such account")
        user.active = active != "nee"
    return RedirectResponse("/beheer/gebruikers", status_code=303)


@router.get("/uitnodiging/{token}", response_class=HTMLResponse)
def invite_page(request: Request, session: SessionDep, token: str) -> Response:
    """Set a password through an invite or reset link."""
    invite = valid_invite(session, token)
    if invite is None:
        return _expired(request)
    return render(request, "invite.html", token=token, csrf_login=csrf_token(request.session))


@router.post("/uitnodiging/{token}", response_class=HTMLResponse)
def use_invite_link(
    request: Request,
    token: str,
    password: str = Form(""),
    again: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    """Set the password (once); then log in."""
    check_csrf(request, csrf)
    problem = None
    if password != again:
        problem = InputDataError(
            "de wachtwoorden verschillen.", field="again", fix="typ het twee keer gelijk"
        )
    else:
        try:
            with transaction(factory(request)) as session:
                user = use_invite(session, token, password)
            if user is None:
                return _expired(request)
        except InputDataError as exc:
            problem = exc
    if problem is not None:
        return render(
            request,
            "invite.html",
            status_code=422,
            token=token,
            csrf_login=csrf_token(request.session),
            error=f"{problem.problem} {problem.fix or ''}".strip(),
        )
    return RedirectResponse("/login", status_code=303)


def _expired(request: Request) -> Response:
    return render(
        request,
        "message.html",
        status_code=410,
        title="Link verlopen",
        text="Deze link is verlopen of al gebruikt. Vraag de beheerder om een nieuwe. / "
        "This link has expired or was used.",
    )

"""Organiser accounts: roles, teams, invite links, deactivation.

A team's members share what each of them made (campaigns, werksessies, scenarios): access is
decided by the maker's team (:func:`team_ids`), so nothing else needs a team column.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gezondewijk._errors import InputDataError
from gezondewijk.store.models import Invite, Team, User
from gezondewijk.store.repository import create_user, hash_password

#: Roles and their Dutch names, once.
ROLES: dict[str, str] = {
    "admin": "beheerder",
    "organiser": "organisator",
    "viewer": "alleen lezen",
}
#: Days an invite or reset link stays valid.
INVITE_DAYS = 7


def team_ids(session: Session, user: User) -> set[int]:
    """The ids of the accounts whose work ``user`` shares.

    Their team's members, or only themselves without a team.
    """
    if user.team_id is None:
        return {user.id}
    return set(session.scalars(select(User.id).where(User.team_id == user.team_id)))


def shares_with(session: Session, user: User | None, owner_id: int | None) -> bool:
    """Whether ``user`` may work on what ``owner_id`` made: an admin, the maker or a teammate."""
    if user is None:
        return False
    if user.role == "admin":
        return True
    return owner_id is not None and owner_id in team_ids(session, user)


def team_named(session: Session, name: str) -> Team | None:
    """The team of this name, made when new (``None`` for an empty name)."""
    name = name.strip()[:120]
    if not name:
        return None
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def add_account(
    session: Session, email: str, name: str, role: str, team_name: str
) -> tuple[User, str]:
    """A new account without a password, and the token of its invite link.

    Raises
    ------
    InputDataError
        For an unknown role, an e-mail address that is not one, or one that has an account.
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise InputDataError(
            f"onbekende rol '{role[:20]}'.", field="role", fix=f"kies {', '.join(ROLES.values())}"
        )
    if "@" not in email or len(email) > 254 or " " in email:
        raise InputDataError(
            "dit is geen e-mailadres.", field="email", fix="bijv. naam@gemeente.nl"
        )
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise InputDataError(
            "er is al een account met dit e-mailadres.",
            field="email",
            fix="stuur die persoon een nieuwe link (wachtwoord opnieuw instellen)",
        )
    # a password nobody knows until the invite is used
    user = create_user(session, email, name.strip()[:120] or email, secrets.token_urlsafe(32))
    user.role = role
    team = team_named(session, team_name)
    user.team_id = None if team is None else team.id
    session.flush()
    return user, new_invite(session, user)


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_invite(session: Session, user: User, days: int = INVITE_DAYS) -> str:
    """A link token to set ``user``'s password, valid ``days``; earlier unused links expire."""
    now = datetime.now(UTC)
    for old in session.scalars(
        select(Invite).where(Invite.user_id == user.id, Invite.used_at.is_(None))
    ):
        old.expires_at = now
    token = secrets.token_urlsafe(24)
    session.add(Invite(user_id=user.id, token_hash=_hash(token), expires_at=now + timedelta(days)))
    return token


def valid_invite(session: Session, token: str) -> Invite | None:
    """The unused, unexpired invite of this token, or ``None``."""
    if not token or len(token) > 100:
        return None
    invite = session.scalar(select(Invite).where(Invite.token_hash == _hash(token)))
    if invite is None or invite.used_at is not None:
        return None
    expires = invite.expires_at
    if expires.tzinfo is None:  # SQLite gives naive datetimes back
        expires = expires.replace(tzinfo=UTC)
    return invite if expires > datetime.now(UTC) else None


def use_invite(session: Session, token: str, password: str) -> User | None:
    """Set the password through an invite link (once); ``None`` when the link is not valid.

    Raises
    ------
    InputDataError
        When the password is shorter than 12 characters.
    """
    invite = valid_invite(session, token)
    if invite is None:
        return None
    if len(password) < 12:
        raise InputDataError(
            "het wachtwoord is te kort.", field="password", fix="kies minstens 12 tekens"
        )
    user = session.get(User, invite.user_id)
    if user is None:
        return None
    user.password_hash = hash_password(password)
    user.active = True
    invite.used_at = datetime.now(UTC)
    return user

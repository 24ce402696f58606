"""The owner of each scenario made in the app (:class:`~gezondewijk.store.models.ScenarioOwner`)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gezondewijk.store.models import ScenarioOwner, User
from gezondewijk.store.users import shares_with


def owner_of(session: Session, name: str) -> int | None:
    """The id of the user who made scenario ``name`` in the app, or ``None``."""
    return session.scalar(select(ScenarioOwner.owner_id).where(ScenarioOwner.name == name))


def may_change(session: Session, user: User, name: str) -> bool:
    """Whether ``user`` may change or delete scenario ``name``: its maker's team, an admin."""
    return shares_with(session, user, owner_of(session, name))


def record_owner(session: Session, name: str, user: User, *, renamed_from: str = "") -> None:
    """Record who owns ``name``: the owner it had under ``renamed_from``, else ``user``."""
    owner = user.id
    if renamed_from and renamed_from != name:
        previous = session.get(ScenarioOwner, renamed_from)
        if previous is not None and previous.owner_id is not None:
            owner = previous.owner_id
        session.execute(delete(ScenarioOwner).where(ScenarioOwner.name == renamed_from))
    if session.get(ScenarioOwner, name) is None:
        session.add(ScenarioOwner(name=name, owner_id=owner))


def forget_owner(session: Session, name: str) -> None:
    """Remove the record of a deleted scenario."""
    session.execute(delete(ScenarioOwner).where(ScenarioOwner.name == name))

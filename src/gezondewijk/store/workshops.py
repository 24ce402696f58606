"""Storing werksessies: workshops, participants, input, ready marks and the change log.

Every change takes the workshop's next version number under the row's lock
(:func:`bump`) and writes it to ``workshop_events`` in the same transaction. Event streams
read that log (``seq > last seen``), so a participant who reconnects, a second web worker
or a restarted server all see every change, in order.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from gezondewijk._errors import NotYourInputError, WorkshopRuleError
from gezondewijk.store.models import (
    Participant,
    ReadyMark,
    User,
    Workshop,
    WorkshopEntry,
    WorkshopEvent,
    WorkshopForm,
    WorkshopStep,
)
from gezondewijk.store.repository import new_code
from gezondewijk.store.users import shares_with, team_ids
from gezondewijk.werkvormen.inputs import EntryIn, input_kinds
from gezondewijk.werkvormen.session import (
    MAX_ENTRIES_PER_STEP,
    MAX_PARTICIPANTS,
    WorkshopIn,
    plan,
)

#: Who the facilitator's own input is from.
FACILITATOR = "Gespreksleider"


@dataclass(frozen=True)
class Event:
    """One line of a workshop's change log."""

    seq: int
    kind: str
    ref: int


def _now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> bytes:
    """The SHA-256 of a participant's token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).digest()


def bump(session: Session, workshop_id: int, kind: str, ref: int) -> int:
    """Take the workshop's next version number and log the change under it.

    The ``UPDATE … RETURNING`` locks the workshop's row until the transaction ends, so two
    changes to one workshop commit in the order of their numbers (on PostgreSQL a plain
    sequence would not promise that, and a reader could skip a number committed late).
    """
    seq = session.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id)
        .values(version=Workshop.version + 1)
        .returning(Workshop.version)
    ).scalar_one()
    session.add(WorkshopEvent(workshop_id=workshop_id, seq=seq, kind=kind, ref=ref))
    return int(seq)


def create_workshop(session: Session, data: WorkshopIn, owner_id: int | None) -> Workshop:
    """Store a workshop with its planned steps and a fresh join code."""
    workshop = Workshop(
        code=new_code(session, column=Workshop.code),
        title=data.title,
        series=data.series,
        forms=[WorkshopForm(position=i, form_key=key) for i, key in enumerate(data.forms)],
        groups=data.groups,
        owner_id=owner_id,
        version=0,
    )
    session.add(workshop)
    session.flush()
    for position, planned in enumerate(plan(data.forms, data.groups)):
        session.add(
            WorkshopStep(
                workshop_id=workshop.id,
                position=position,
                form_key=planned.form_key,
                step_key=planned.step_key,
                minutes=planned.minutes,
                state="wacht",
            )
        )
    session.flush()
    return workshop


def workshop_by_code(session: Session, code: str) -> Workshop | None:
    """The workshop with this join code (case-insensitive), or ``None``."""
    return session.scalar(select(Workshop).where(Workshop.code == code.strip().upper()[:12]))


def workshops_of(session: Session, user: User) -> list[tuple[Workshop, int]]:
    """The user's workshops (an admin's: all), newest first, with their number of people."""
    people = (
        select(func.count(Participant.id))
        .where(Participant.workshop_id == Workshop.id)
        .scalar_subquery()
    )
    query = select(Workshop, people).order_by(Workshop.created_at.desc(), Workshop.id.desc())
    if user.role != "admin":
        query = query.where(Workshop.owner_id.in_(team_ids(session, user)))
    return [(w, int(n)) for w, n in session.execute(query).all()]


def may_lead(session: Session, user: User | None, workshop: Workshop) -> bool:
    """Whether this account may lead the workshop: its maker's team, or an admin."""
    return shares_with(session, user, workshop.owner_id)


def steps_of(session: Session, workshop_id: int) -> list[WorkshopStep]:
    """The workshop's steps in order."""
    return list(
        session.scalars(
            select(WorkshopStep)
            .where(WorkshopStep.workshop_id == workshop_id)
            .order_by(WorkshopStep.position)
        )
    )


def join(session: Session, workshop: Workshop, name: str, domain: str) -> tuple[Participant, str]:
    """Add a participant; returns them and the token for their browser's cookie.

    Raises
    ------
    WorkshopRuleError
        When the workshop is full or its facilitator closed joining.
    """
    if workshop.joining_locked:
        raise WorkshopRuleError(
            "Meedoen is gesloten door de gespreksleider. Vraag de gespreksleider om het te "
            "openen. / Joining is closed."
        )
    count = session.scalar(
        select(func.count(Participant.id)).where(
            Participant.workshop_id == workshop.id, Participant.removed_at.is_(None)
        )
    )
    if (count or 0) >= MAX_PARTICIPANTS:
        raise WorkshopRuleError(
            f"Deze sessie is vol ({MAX_PARTICIPANTS} deelnemers). Vraag de gespreksleider."
        )
    token = secrets.token_urlsafe(24)
    person = Participant(
        workshop_id=workshop.id, name=name, domain=domain, token_hash=token_hash(token)
    )
    session.add(person)
    session.flush()
    bump(session, workshop.id, "joined", person.id)
    return person, token


def participant_by_token(session: Session, workshop_id: int, token: str) -> Participant | None:
    """The participant whose browser holds ``token`` in this workshop, or ``None``."""
    if not token or len(token) > 100:
        return None
    return session.scalar(
        select(Participant).where(
            Participant.workshop_id == workshop_id,
            Participant.token_hash == token_hash(token),
            Participant.removed_at.is_(None),
        )
    )


def participants_of(session: Session, workshop_id: int) -> list[Participant]:
    """Everyone who joined and was not removed, in order of joining."""
    return list(
        session.scalars(
            select(Participant)
            .where(Participant.workshop_id == workshop_id, Participant.removed_at.is_(None))
            .order_by(Participant.id)
        )
    )


#: Added to a removed participant's name on their input, which stays.
REMOVED_MARK = " (verwijderd)"


def joined_since(session: Session, workshop_id: int, since: datetime) -> int:
    """How many joined the workshop since ``since`` (removed ones included)."""
    return int(
        session.scalar(
            select(func.count(Participant.id)).where(
                Participant.workshop_id == workshop_id, Participant.joined_at >= since
            )
        )
        or 0
    )


def set_joining(session: Session, workshop: Workshop, locked: bool) -> None:
    """Close (``locked``) or open joining; those who joined stay."""
    workshop.joining_locked = locked
    bump(session, workshop.id, "joining", int(locked))


def remove_participant(session: Session, workshop: Workshop, participant_id: int) -> bool:
    """Remove a participant: their browser can no longer take part; their input stays.

    The input is marked with :data:`REMOVED_MARK` after the name. ``False`` when there was
    no such participant (or they were removed already).
    """
    person = session.get(Participant, participant_id)
    if person is None or person.workshop_id != workshop.id or person.removed_at is not None:
        return False
    person.removed_at = datetime.now(UTC)
    mark = (person.name + REMOVED_MARK)[:60]
    session.execute(
        update(WorkshopEntry).where(WorkshopEntry.participant_id == person.id).values(author=mark)
    )
    bump(session, workshop.id, "joined", person.id)
    return True


def set_step_state(session: Session, workshop: Workshop, step: WorkshopStep, state: str) -> None:
    """Start (``open``), close (``dicht``) or reset (``wacht``) a step.

    Starting a step closes any other open step: participants always know where they are.
    """
    if state not in ("open", "dicht", "wacht"):
        raise ValueError(f"unknown step state {state!r}")
    now = _now()
    if state == "open":
        for other in steps_of(session, workshop.id):
            if other.state == "open" and other.id != step.id:
                other.state = "dicht"
                other.closed_at = now
                bump(session, workshop.id, "step", other.id)
        step.started_at = now
        step.closed_at = None
    elif state == "dicht":
        step.closed_at = now
    else:
        step.started_at = step.closed_at = None
    step.state = state
    bump(session, workshop.id, "step", step.id)


def set_area(session: Session, workshop: Workshop, buurtcode: str) -> None:
    """Set the walk area (a buurt code, ``""`` for none); open pages reload to show it."""
    workshop.area = buurtcode
    bump(session, workshop.id, "step", 0)


def _earlier(session: Session, step: WorkshopStep, whose: Any) -> WorkshopEntry | None:
    """The input in ``step`` that a new one replaces (a vote, a group's web), if any."""
    return session.scalar(
        select(WorkshopEntry).where(
            WorkshopEntry.step_id == step.id, whose, WorkshopEntry.removed.is_(False)
        )
    )


def _replace(
    session: Session,
    workshop: Workshop,
    earlier: WorkshopEntry,
    who: Participant | None,
    data: EntryIn,
) -> WorkshopEntry:
    """Put ``data`` in the place of ``earlier``, sent by ``who``, as one more change."""
    earlier.text = data.text
    earlier.category = data.category
    earlier.detail = dict(data.detail)
    earlier.participant_id = None if who is None else who.id
    earlier.author = FACILITATOR if who is None else who.name
    earlier.updated_at = _now()
    bump(session, workshop.id, "entry", earlier.id)
    return earlier


def _not_open(step: WorkshopStep) -> str:
    return (
        "Deze stap is gesloten; u kunt er niets meer aan toevoegen."
        if step.state == "dicht"
        else "Deze stap is nog niet begonnen."
    )


def add_entry(
    session: Session,
    workshop: Workshop,
    step: WorkshopStep,
    who: Participant | None,
    data: EntryIn,
    kind: str,
) -> WorkshopEntry:
    """Store a piece of input of ``kind`` (``who=None``: the facilitator's own).

    The kind decides (:attr:`InputKind.replaces`): a vote replaces the participant's
    earlier vote in the same step (``own``); a group's spider web replaces the web of the
    same group in that step, whoever of the group sends it, the last sender named (``group``).

    Raises
    ------
    WorkshopRuleError
        When a participant writes in a step that is not open, or has added too much to it.
    """
    known = input_kinds().get(kind)
    replaces = known.replaces if known is not None else ""
    if replaces == "group":
        if who is not None and step.state != "open":
            raise WorkshopRuleError(_not_open(step))
        # the workshop's row lock first, so two members of a group cannot both add a web
        session.execute(select(Workshop.id).where(Workshop.id == workshop.id).with_for_update())
        earlier = _earlier(session, step, WorkshopEntry.category == data.category)
        if earlier is not None:
            return _replace(session, workshop, earlier, who, data)
    elif who is not None:
        if step.state != "open":
            raise WorkshopRuleError(_not_open(step))
        mine = session.scalar(
            select(func.count(WorkshopEntry.id)).where(
                WorkshopEntry.step_id == step.id,
                WorkshopEntry.participant_id == who.id,
                WorkshopEntry.removed.is_(False),
            )
        )
        if replaces == "own":
            earlier = _earlier(session, step, WorkshopEntry.participant_id == who.id)
            if earlier is not None:
                return _replace(session, workshop, earlier, who, data)
        elif (mine or 0) >= MAX_ENTRIES_PER_STEP:
            raise WorkshopRuleError(
                f"U heeft al {MAX_ENTRIES_PER_STEP} bijdragen in deze stap; "
                "pas er een aan of voeg ze samen."
            )
    entry = WorkshopEntry(
        workshop_id=workshop.id,
        step_id=step.id,
        participant_id=None if who is None else who.id,
        author=FACILITATOR if who is None else who.name,
        domain="" if who is None else who.domain,
        kind=kind,
        text=data.text,
        category=data.category,
        detail=dict(data.detail),
        removed=False,
    )
    session.add(entry)
    session.flush()
    bump(session, workshop.id, "entry", entry.id)
    return entry


def _editable(step: WorkshopStep, entry: WorkshopEntry, who: Participant | None) -> None:
    if who is None:
        return  # the facilitator may change and remove any input, in any state
    if entry.participant_id != who.id:
        raise NotYourInputError("Dit is de bijdrage van iemand anders.")
    if step.state != "open":
        raise WorkshopRuleError("Deze stap is gesloten; bijdragen zijn niet meer te wijzigen.")


def change_entry(
    session: Session,
    workshop: Workshop,
    step: WorkshopStep,
    entry: WorkshopEntry,
    who: Participant | None,
    data: EntryIn,
) -> None:
    """Change a piece of input (its author while the step is open, or the facilitator)."""
    _editable(step, entry, who)
    entry.text = data.text
    entry.category = data.category
    entry.detail = dict(data.detail)
    entry.updated_at = _now()
    bump(session, workshop.id, "entry", entry.id)


def remove_entry(
    session: Session,
    workshop: Workshop,
    step: WorkshopStep,
    entry: WorkshopEntry,
    who: Participant | None,
) -> None:
    """Remove a piece of input: its text is wiped, the row stays as a tombstone."""
    _editable(step, entry, who)
    entry.text = ""
    entry.category = ""
    entry.detail = {}
    entry.removed = True
    entry.updated_at = _now()
    bump(session, workshop.id, "entry", entry.id)


def set_ready(
    session: Session, workshop: Workshop, step: WorkshopStep, who: Participant, ready: bool
) -> None:
    """Mark or unmark a participant as done with a step."""
    mark = session.get(ReadyMark, (step.id, who.id))
    if ready and mark is None:
        session.add(ReadyMark(step_id=step.id, participant_id=who.id))
    elif not ready and mark is not None:
        session.delete(mark)
    else:
        return
    session.flush()
    bump(session, workshop.id, "ready", step.id)


def ready_ids(session: Session, step_id: int) -> set[int]:
    """Participants who marked the step as done."""
    return set(
        session.scalars(select(ReadyMark.participant_id).where(ReadyMark.step_id == step_id))
    )


def entries_of(
    session: Session, workshop_id: int, step_ids: list[int] | None = None
) -> list[WorkshopEntry]:
    """The workshop's input that was not removed (of some steps only), oldest first."""
    query = select(WorkshopEntry).where(
        WorkshopEntry.workshop_id == workshop_id, WorkshopEntry.removed.is_(False)
    )
    if step_ids is not None:
        query = query.where(WorkshopEntry.step_id.in_(step_ids))
    return list(session.scalars(query.order_by(WorkshopEntry.id)))


def events_since(session: Session, workshop_id: int, seq: int, limit: int = 2000) -> list[Event]:
    """Changes after ``seq``, in order (at most ``limit``)."""
    rows = session.execute(
        select(WorkshopEvent.seq, WorkshopEvent.kind, WorkshopEvent.ref)
        .where(WorkshopEvent.workshop_id == workshop_id, WorkshopEvent.seq > seq)
        .order_by(WorkshopEvent.seq)
        .limit(limit)
    ).all()
    return [Event(int(s), str(k), int(r)) for s, k, r in rows]


def detail(entry: WorkshopEntry) -> dict[str, Any]:
    """The kind-specific fields of an entry (a copy: changing it changes nothing stored)."""
    return dict(entry.detail) if isinstance(entry.detail, dict) else {}


def previous_in_series(session: Session, workshop: Workshop) -> Workshop | None:
    """The workshop of the same series and facilitator held just before this one."""
    if not workshop.series:
        return None
    return session.scalar(
        select(Workshop)
        .where(
            Workshop.series == workshop.series,
            Workshop.owner_id == workshop.owner_id,
            Workshop.id < workshop.id,
        )
        .order_by(Workshop.id.desc())
        .limit(1)
    )


def delete_workshop(session: Session, workshop: Workshop) -> None:
    """Delete a workshop with everything in it (participants, input, log)."""
    wid = workshop.id
    session.execute(delete(WorkshopEvent).where(WorkshopEvent.workshop_id == wid))
    session.execute(delete(WorkshopEntry).where(WorkshopEntry.workshop_id == wid))
    step_ids = select(WorkshopStep.id).where(WorkshopStep.workshop_id == wid)
    session.execute(delete(ReadyMark).where(ReadyMark.step_id.in_(step_ids)))
    session.execute(delete(Participant).where(Participant.workshop_id == wid))
    session.execute(delete(WorkshopStep).where(WorkshopStep.workshop_id == wid))
    session.execute(delete(Workshop).where(Workshop.id == wid))


def export_workshop(session: Session, workshop: Workshop) -> dict[str, Any]:
    """Everything of a workshop as plain data (the facilitator's JSON export)."""
    steps = steps_of(session, workshop.id)
    people = participants_of(session, workshop.id)
    return {
        "code": workshop.code,
        "title": workshop.title,
        "series": workshop.series,
        "forms": workshop.form_keys,
        "groups": workshop.groups,
        "created_at": workshop.created_at.isoformat(),
        "steps": [
            {
                "id": s.id,
                "form": s.form_key,
                "step": s.step_key,
                "minutes": s.minutes,
                "state": s.state,
                "started_at": s.started_at.isoformat() if s.started_at else None,
                "closed_at": s.closed_at.isoformat() if s.closed_at else None,
                "ready": sorted(ready_ids(session, s.id)),
            }
            for s in steps
        ],
        "participants": [{"id": p.id, "name": p.name, "domain": p.domain} for p in people],
        "entries": [
            {
                "id": e.id,
                "step": e.step_id,
                "participant": e.participant_id,
                "author": e.author,
                "domain": e.domain,
                "kind": e.kind,
                "text": e.text,
                "category": e.category,
                **detail(e),
                "created_at": e.created_at.isoformat(),
            }
            for e in entries_of(session, workshop.id)
        ],
    }

"""Repository functions shared by the web app, the API and the CLI."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gezondewijk._errors import (
    CampaignGoneError,
    InputDataError,
    TokenUsedElsewhereError,
)
from gezondewijk.leefplekmeter.campaigns import STATUSES, CampaignIn
from gezondewijk.leefplekmeter.moderation import REVIEWS
from gezondewijk.leefplekmeter.submission import FORM_FIELDS, SubmissionIn
from gezondewijk.store.models import Answer, Base, Campaign, CampaignArea, Photo, Response, User
from gezondewijk.store.writes import group_commit

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud and type


def _today() -> date:
    return datetime.now(UTC).date()


def hash_password(password: str) -> str:
    """Hash a password with scrypt (RFC 7914) and a random salt.

    scrypt from the standard library: memory-hard, no extra dependency.
    """
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def set_password(session: Session, email: str, password: str) -> bool:
    """Give the account ``email`` a new password (hashed); ``False`` when there is none.

    Raises
    ------
    InputDataError
        When the password is shorter than 12 characters.
    """
    if len(password) < 12:
        raise InputDataError(
            "het wachtwoord is te kort / password too short.",
            field="wachtwoord",
            fix="kies minstens 12 tekens.",
        )
    user = session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        return False
    user.password_hash = hash_password(password)
    return True


def verify_password(password: str, stored: str) -> bool:
    """Check a password against :func:`hash_password`'s output in constant time."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        test = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
        )
    except ValueError:
        return False
    return hmac.compare_digest(test.hex(), digest)


def create_user(
    session: Session, email: str, name: str, password: str, role: str = "organiser"
) -> User:
    """Add an account (e-mail addresses are stored lower case)."""
    user = User(
        email=email.strip().lower(), name=name, password_hash=hash_password(password), role=role
    )
    session.add(user)
    session.flush()
    return user


#: Hash of a random password nobody knows: checked for unknown accounts, so that a wrong
#: e-mail address costs as much time as a wrong password (no account enumeration by timing).
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this e-mail and password, or ``None``.

    An unknown address is checked against a dummy hash, so both answers take one scrypt.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, user.password_hash):
        return None
    if not user.active:
        return None  # deactivated by an admin: what it made stays, it cannot log in
    return user


def new_code(session: Session, length: int = 6, column: Any = Campaign.code) -> str:
    """A short, unused code people can type (e.g. ``K7TQ2M``): a campaign's, or ``column``'s."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if session.scalar(select(column).where(column == code)) is None:
            return code


def create_campaign(session: Session, data: CampaignIn, owner_id: int | None) -> Campaign:
    """Store a new campaign with a fresh join code."""
    campaign = Campaign(code=new_code(session), owner_id=owner_id)
    _apply(session, campaign, data)
    session.add(campaign)
    session.flush()
    return campaign


def update_campaign(session: Session, campaign: Campaign, data: CampaignIn) -> Campaign:
    """Change a campaign's settings (its code, answers and owner stay)."""
    _apply(session, campaign, data)
    session.add(campaign)
    session.flush()
    return campaign


def _apply(session: Session, campaign: Campaign, data: CampaignIn) -> None:
    campaign.title = data.title
    campaign.intro = data.intro
    campaign.variant = data.variant
    campaign.scale = data.scale
    campaign.language = data.language
    campaign.mode = data.mode
    if campaign.areas:
        # the old rows go first: the new ones take the same (campaign, position) keys
        campaign.areas.clear()
        session.flush()
    campaign.areas = [
        CampaignArea(position=i, code=code, name=data.area_names[i] if data.area_names else "")
        for i, code in enumerate(data.areas)
    ]
    campaign.starts_on = data.starts_on
    campaign.ends_on = data.ends_on


def set_status(session: Session, campaign: Campaign, status: str) -> None:
    """Open, pause or close a campaign (see :data:`~gezondewijk.leefplekmeter.campaigns.STATUSES`).

    Raises
    ------
    ValueError
        For an unknown status.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status '{status}'; use one of {', '.join(STATUSES)}")
    campaign.status = status
    session.add(campaign)


def campaigns_with_counts(
    session: Session, owner_ids: int | set[int] | None
) -> list[tuple[Campaign, int]]:
    """Campaigns (of one owner, or all for ``None``) with their number of forms, newest first.

    One query with a grouped count, not one count per campaign.
    """
    counts = (
        select(Response.campaign_id, func.count(Response.id).label("n"))
        .group_by(Response.campaign_id)
        .subquery()
    )
    stmt = (
        select(Campaign, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    )
    if isinstance(owner_ids, int):
        owner_ids = {owner_ids}
    if owner_ids is not None:
        stmt = stmt.where(Campaign.owner_id.in_(owner_ids))
    return [(c, int(n)) for c, n in session.execute(stmt).all()]


def campaign_by_code(session: Session, code: str) -> Campaign | None:
    """The campaign with this join code (case-insensitive), or ``None``."""
    return session.scalar(select(Campaign).where(Campaign.code == code.strip().upper()))


@dataclass
class Stored:
    """Result of :func:`store_submission`."""

    response_id: int
    created: bool


def _existing(session: Session, token: str, campaign_id: int) -> int | None:
    row = session.execute(
        select(Response.id, Response.campaign_id).where(Response.form_token == token)
    ).first()
    if row is None:
        return None
    if row.campaign_id != campaign_id:
        raise TokenUsedElsewhereError(
            "this form token belongs to another campaign; load the form again"
        )
    return int(row.id)


async def store_if_allowed_async(
    factory: sessionmaker[Session],
    campaign: Campaign,
    sub: SubmissionIn,
    allowed: Callable[[Connection], bool],
) -> Stored | None:
    """:func:`store_submission` after a rate limiter's count, in the same transaction.

    ``allowed`` (see :mod:`gezondewijk.store.throttle`) runs first: the hit and the form are
    committed together, one commit instead of two. When it refuses, nothing is stored, the
    hit still counts, and the answer is ``None``. A resent form token (answered with the
    first copy) is not counted. For an ``async`` endpoint: the write is awaited, nothing
    blocks the event loop.
    """
    try:
        return _stored(await group_commit(factory).run_async(_form_write(campaign, sub, allowed)))
    except IntegrityError as error:
        return await asyncio.to_thread(_first_copy, factory, campaign, sub, error)


def store_submission(
    factory: sessionmaker[Session], campaign: Campaign, sub: SubmissionIn
) -> Stored:
    """Store a validated submission once; a resubmitted form token returns the first copy.

    Either every answer is stored or none. The form is inserted straight away (PostgreSQL:
    the form and its answers in one statement; SQLite: the form, then its answers in one
    ``executemany``), in a transaction shared with the forms that arrive at the same moment
    (:class:`~gezondewijk.store.writes.GroupCommit`); only when the token's unique constraint
    refuses it is the first copy looked up. The ORM's unit of work and a look-up before every
    insert cost more CPU per form than the database's own work.

    Raises
    ------
    TokenUsedElsewhereError
        When the token is stored with another campaign (its answers are never returned).
    CampaignGoneError
        When the campaign was deleted meanwhile (nothing is stored).
    """
    try:
        stored = _stored(group_commit(factory).run(_form_write(campaign, sub, None)))
    except IntegrityError as error:
        stored = _first_copy(factory, campaign, sub, error)
    assert stored is not None  # nothing to refuse it
    return stored


def _stored(response_id: int | None) -> Stored | None:
    return None if response_id is None else Stored(response_id, True)


def _first_copy(
    factory: sessionmaker[Session], campaign: Campaign, sub: SubmissionIn, error: IntegrityError
) -> Stored:
    """After a refused insert: the first copy of a resent form token, or why it was refused.

    Raises
    ------
    TokenUsedElsewhereError, CampaignGoneError
        See :func:`store_submission`; otherwise ``error``, the database's own, again.
    """
    with factory() as session:
        existing = _existing(session, sub.form_token, campaign.id)
        if existing is not None:
            return Stored(existing, False)
        if session.get(Campaign, campaign.id) is None:
            raise CampaignGoneError(
                f"campaign {campaign.code} no longer exists; nothing was stored"
            ) from None
    raise error


def _form_write(
    campaign: Campaign,
    sub: SubmissionIn,
    allowed: Callable[[Connection], bool] | None,
) -> Callable[[Connection], int | None]:
    """The write of one form (for :class:`~gezondewijk.store.writes.GroupCommit`).

    It returns the new form's id, or ``None`` when ``allowed`` refuses it.
    """
    row = {
        "campaign_id": campaign.id,
        "form_token": sub.form_token,
        "submitted_on": _today(),
        "mode": sub.mode,
        "respondent_type": sub.respondent_type,
        "age_band": sub.age_band,
        "gender": sub.gender,
        "buurtcode": sub.buurtcode,
        "group_size": sub.group_size,
        "variant": campaign.variant,
        "language": sub.language,
    }
    answers = [
        {
            "theme": a.theme,
            "score": a.score,
            "scale": campaign.scale,
            "dont_know": a.dont_know or a.score is None,
            "good": a.good.strip(),
            "better": a.better.strip(),
        }
        for a in sub.answers
    ]

    def write(conn: Connection) -> int | None:
        if allowed is not None and not allowed(conn):
            return None
        if conn.dialect.name == "postgresql":
            # the form and its answers in one statement: one round trip
            arrays = {f"{k}s": [a[k] for a in answers] for k in _ANSWER_ARRAYS}
            values = {**row, "scale": campaign.scale, **arrays}
            return int(conn.execute(_INSERT_FORM_PG, values).scalar_one())
        response_id = int(conn.execute(_INSERT_RESPONSE, row).scalar_one())
        conn.execute(_INSERT_ANSWER, [{"response_id": response_id, **a} for a in answers])
        return response_id

    return write


#: Table-level (Core) inserts: no ORM bulk-persistence step between the rows and the driver.
_RESPONSES = Base.metadata.tables[Response.__tablename__]
_INSERT_RESPONSE = insert(_RESPONSES).returning(_RESPONSES.c.id)

_INSERT_ANSWER = insert(Base.metadata.tables[Answer.__tablename__])
#: The answers' columns sent as arrays to :data:`_INSERT_FORM_PG`, with their SQL types.
_ANSWER_ARRAYS = {
    "theme": "varchar",
    "score": "smallint",
    "dont_know": "boolean",
    "good": "text",
    "better": "text",
}
#: A form and its answers in one PostgreSQL statement (one round trip, one plan). SQLite
#: runs in-process and writes the answers with one ``executemany``; on PostgreSQL that is
#: 8-15 statements on the server, and Core's ``insert().values(rows)`` is compiled anew for
#: every form.
_INSERT_FORM_PG = text(
    "WITH form AS (INSERT INTO responses (campaign_id, form_token, submitted_on, mode, "
    "respondent_type, age_band, gender, buurtcode, group_size, variant, language) "
    "VALUES (:campaign_id, :form_token, :submitted_on, :mode, :respondent_type, :age_band, "
    ":gender, :buurtcode, :group_size, :variant, :language) RETURNING id), "
    "answer AS (INSERT INTO answers (response_id, theme, score, scale, dont_know, good, "
    "better, good_review, better_review) "
    "SELECT form.id, a.theme, a.score, :scale, a.dont_know, a.good, a.better, "
    "'pending', 'pending' FROM form, unnest("
    + ", ".join(f"CAST(:{k}s AS {t}[])" for k, t in _ANSWER_ARRAYS.items())
    + ") AS a("
    + ", ".join(_ANSWER_ARRAYS)
    + ")) SELECT id FROM form"
)


def count_responses(session: Session, campaign_id: int) -> int:
    """Number of stored forms of a campaign."""
    return int(
        session.scalar(select(func.count(Response.id)).where(Response.campaign_id == campaign_id))
        or 0
    )


def responses_frame(session: Session, campaign_ids: list[int]) -> pd.DataFrame:
    """One row per form (no personal data beyond the optional bands the resident chose)."""
    rows = (
        session.execute(select(Response).where(Response.campaign_id.in_(campaign_ids)))
        .scalars()
        .all()
    )
    columns = ["id", "campaign_id", *FORM_FIELDS]
    return pd.DataFrame([{c: getattr(r, c) for c in columns} for r in rows], columns=columns)


def answers_frame(session: Session, campaign_ids: list[int]) -> pd.DataFrame:
    """Long table: one row per answer (theme) with its scale."""
    stmt = (
        select(Answer, Response.campaign_id)
        .join(Response)
        .where(Response.campaign_id.in_(campaign_ids))
    )
    rows = session.execute(stmt).all()
    return pd.DataFrame(
        [
            {
                "response_id": a.response_id,
                "campaign_id": cid,
                "theme": a.theme,
                "score": a.score,
                "scale": a.scale,
                "dont_know": a.dont_know,
                "good": a.good,
                "better": a.better,
                "good_review": a.good_review,
                "better_review": a.better_review,
            }
            for a, cid in rows
        ],
        columns=[
            "response_id",
            "campaign_id",
            "theme",
            "score",
            "scale",
            "dont_know",
            "good",
            "better",
            "good_review",
            "better_review",
        ],
    )


def comments_to_review(session: Session, campaign_id: int) -> list[tuple[Answer, str]]:
    """Every non-empty comment of a campaign with its answer, newest form first.

    Returns ``(answer, kind)`` pairs, ``kind`` being ``good`` or ``better``.
    """
    stmt = (
        select(Answer)
        .join(Response)
        .where(Response.campaign_id == campaign_id)
        .where((Answer.good != "") | (Answer.better != ""))
        .order_by(Answer.response_id.desc(), Answer.id)
    )
    out = []
    for answer in session.scalars(stmt):
        for kind in ("good", "better"):
            if getattr(answer, kind).strip():
                out.append((answer, kind))
    return out


def review_comment(
    session: Session, campaign_id: int, answer_id: int, kind: str, decision: str
) -> bool:
    """Approve or reject one comment of this campaign; ``False`` when there is no such comment."""
    if kind not in ("good", "better") or decision not in REVIEWS:
        return False
    answer = session.scalar(
        select(Answer)
        .join(Response)
        .where(Answer.id == answer_id, Response.campaign_id == campaign_id)
    )
    if answer is None:
        return False
    setattr(answer, f"{kind}_review", decision)
    return True


def delete_campaign(session: Session, campaign: Campaign) -> int:
    """Delete a campaign with every response and answer; returns the number of forms deleted."""
    n = count_responses(session, campaign.id)
    ids = select(Response.id).where(Response.campaign_id == campaign.id)
    session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
    session.execute(delete(Response).where(Response.campaign_id == campaign.id))
    session.execute(delete(Photo).where(Photo.campaign_id == campaign.id))
    session.delete(campaign)
    return n


def buurt_frames(session: Session, buurtcode: str | list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answers and forms given for one buurt (or several), over every campaign."""
    codes = [buurtcode] if isinstance(buurtcode, str) else buurtcode
    ids = list(
        session.scalars(
            select(Response.campaign_id).where(Response.buurtcode.in_(codes)).distinct()
        )
    )
    responses = responses_frame(session, ids)
    responses = responses[responses["buurtcode"].isin(codes)]
    answers = answers_frame(session, ids)
    return answers[answers["response_id"].isin(responses["id"])], responses

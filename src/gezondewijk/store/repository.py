"""Repository functions shared by the web app, the API and the CLI."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gezondewijk.leefplekmeter.submission import FORM_FIELDS, SubmissionIn
from gezondewijk.store.models import Answer, Campaign, Response, User

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud and type


def _today() -> date:
    return datetime.now(UTC).date()


def hash_password(password: str) -> str:
    """Hash a password with scrypt (RFC 7914) and a random salt.

    scrypt from the standard library: memory-hard, no extra dependency.
    """
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


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


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this e-mail and password, or ``None``."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not verify_password(password, user.password_hash):
        return None
    return user


def new_code(session: Session, length: int = 6) -> str:
    """A short, unused campaign code residents can type (e.g. ``K7TQ2M``)."""
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if session.scalar(select(Campaign.id).where(Campaign.code == code)) is None:
            return code


def campaign_by_code(session: Session, code: str) -> Campaign | None:
    """The campaign with this join code (case-insensitive), or ``None``."""
    return session.scalar(select(Campaign).where(Campaign.code == code.strip().upper()))


@dataclass
class Stored:
    """Result of :func:`store_submission`."""

    response_id: int
    created: bool


def store_submission(
    factory: sessionmaker[Session], campaign: Campaign, sub: SubmissionIn
) -> Stored:
    """Store a validated submission once; a resubmitted form token returns the first copy.

    The whole form is one transaction: either every answer is stored or none.
    """
    with factory() as session:
        existing = session.scalar(select(Response.id).where(Response.form_token == sub.form_token))
        if existing is not None:
            return Stored(existing, False)
        # Core inserts (one for the form, one multi-row for its answers): the ORM unit of work
        # would cost more CPU per form than the database does
        response_id = session.execute(
            insert(Response)
            .values(
                campaign_id=campaign.id,
                form_token=sub.form_token,
                submitted_on=_today(),
                mode=sub.mode,
                respondent_type=sub.respondent_type,
                age_band=sub.age_band,
                gender=sub.gender,
                buurtcode=sub.buurtcode,
                group_size=sub.group_size,
                variant=campaign.variant,
                language=sub.language,
            )
            .returning(Response.id)
        ).scalar_one()
        session.execute(
            insert(Answer),
            [
                {
                    "response_id": response_id,
                    "theme": a.theme,
                    "score": a.score,
                    "scale": campaign.scale,
                    "dont_know": a.dont_know or a.score is None,
                    "good": a.good.strip(),
                    "better": a.better.strip(),
                }
                for a in sub.answers
            ],
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = session.scalar(
                select(Response.id).where(Response.form_token == sub.form_token)
            )
            if existing is None:
                raise
            return Stored(existing, False)
        return Stored(int(response_id), True)


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
        ],
    )


def delete_campaign(session: Session, campaign: Campaign) -> int:
    """Delete a campaign with every response and answer; returns the number of forms deleted."""
    n = count_responses(session, campaign.id)
    ids = select(Response.id).where(Response.campaign_id == campaign.id)
    session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
    session.execute(delete(Response).where(Response.campaign_id == campaign.id))
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

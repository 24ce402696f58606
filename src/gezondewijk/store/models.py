"""Database tables of the Leefplekmeter (SQLAlchemy 2, declarative, typed)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Team(Base):
    """A team, e.g. one gemeente in a GGD region.

    Its members share campaigns, werksessies and scenarios.
    """

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class User(Base):
    """An organiser or admin account (residents never have one).

    ``role``: ``admin`` (beheerder), ``organiser`` (organisator) or ``viewer`` (alleen lezen);
    see :data:`gezondewijk.store.users.ROLES`.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="organiser")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )
    #: A deactivated account cannot log in; what it made stays.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Invite(Base):
    """A link to set a password: for a new account or a reset. Only its SHA-256 is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Campaign(Base):
    """A Leefplekmeter campaign: areas, variant, scale, mode, period, intro text."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    variant: Mapped[str] = mapped_column(String(20), default="standard")
    scale: Mapped[str] = mapped_column(String(20), default="cijfer10")
    language: Mapped[str] = mapped_column(String(2), default="nl")
    mode: Mapped[str] = mapped_column(String(20), default="individual")
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: ``open``, ``paused`` or ``closed`` (set by the organiser; the period is checked as well).
    status: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    #: Whether residents may add photos (photovoice, GezondIn werkboek 2026, chapter 6).
    photovoice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    responses: Mapped[list[Response]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", passive_deletes=True
    )
    #: The campaign's buurten, in the organiser's order.
    areas: Mapped[list[CampaignArea]] = relationship(
        order_by="CampaignArea.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )

    def area_list(self) -> list[tuple[str, str]]:
        """(code, name) of the campaign's buurten; the code where no name was given."""
        return [(a.code, a.name or a.code) for a in self.areas]

    def area_codes(self) -> list[str]:
        """The codes of the campaign's buurten."""
        return [a.code for a in self.areas]


class CampaignArea(Base):
    """One buurt of a campaign: its CBS code and the name residents see (may hold commas)."""

    __tablename__ = "campaign_areas"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(Text, default="")


class Response(Base):
    """One filled-in form: a person, or a group with one agreed score per theme.

    No IP address, user agent or other tracking data is stored; ``submitted_on`` is a date.
    """

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    form_token: Mapped[str] = mapped_column(String(128), unique=True)
    submitted_on: Mapped[date] = mapped_column(Date, default=lambda: _now().date())
    mode: Mapped[str] = mapped_column(String(20), default="individual")
    respondent_type: Mapped[str] = mapped_column(String(20), default="bewoner")
    age_band: Mapped[str] = mapped_column(String(20), default="")
    gender: Mapped[str] = mapped_column(String(20), default="")
    buurtcode: Mapped[str] = mapped_column(String(10), default="")
    group_size: Mapped[int] = mapped_column(SmallInteger, default=1)
    variant: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), default="nl")

    campaign: Mapped[Campaign] = relationship(back_populates="responses")
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Base):
    """The answer to one theme: a score on a stated scale, or "weet ik niet", and comments."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "theme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str] = mapped_column(String(40))
    score: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    scale: Mapped[str] = mapped_column(String(20))
    dont_know: Mapped[bool] = mapped_column(Boolean, default=False)
    good: Mapped[str] = mapped_column(Text, default="")
    better: Mapped[str] = mapped_column(Text, default="")
    #: Moderation of each comment: ``pending``, ``approved`` or ``rejected``. Only approved
    #: comments appear on public pages; the campaign's organisers see every comment.
    good_review: Mapped[str] = mapped_column(
        String(10), default="pending", server_default="pending"
    )
    better_review: Mapped[str] = mapped_column(
        String(10), default="pending", server_default="pending"
    )

    response: Mapped[Response] = relationship(back_populates="answers")


class Photo(Base):
    """A resident's photo (photovoice) with caption, theme and optionally a place.

    ``jpeg`` is a new JPEG made from the pixels only
    (:func:`gezondewijk.leefplekmeter.photos.clean_photo`): no EXIF location, camera or
    payload of the upload is kept. ``review`` is ``pending``, ``approved`` or ``rejected``;
    only approved photos are shown publicly. No IP address or time of day is stored.
    """

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    submitted_on: Mapped[date] = mapped_column(Date, default=lambda: _now().date())
    theme: Mapped[str] = mapped_column(String(40))
    caption: Mapped[str] = mapped_column(Text)
    buurtcode: Mapped[str] = mapped_column(String(10), default="", server_default="", index=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: Loaded only when the picture itself is sent (lists read the other columns).
    jpeg: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    review: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")


class WindowCount(Base):
    """Hits of one throttle key in one time window, shared by every web worker.

    Used for the submission rate limit and log-in throttling when the app runs in several
    processes. ``key`` is a keyed hash (:mod:`gezondewijk.store.throttle`) whose key changes
    with every window; no address or e-mail address is stored, and rows older than the
    previous window are deleted.
    """

    __tablename__ = "window_counts"

    key: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    #: Start of the window (seconds since 1970) and its length in seconds.
    start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    span: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class Workshop(Base):
    """A live werksessie: work forms run step by step by a facilitator (an organiser).

    ``version`` counts every change; each change takes the next number under the row's
    lock (:func:`gezondewijk.store.workshops.bump`), so on every database the numbers are
    committed in order and a reader that has seen number *n* has seen everything before it.
    """

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Workshops of one series show the previous one's agreements at their start.
    series: Mapped[str] = mapped_column(String(120), default="", index=True)
    groups: Mapped[int] = mapped_column(SmallInteger, default=1)
    #: Buurt code of the walk area (work form *wandeling*), ``""`` when none is chosen.
    area: Mapped[str] = mapped_column(String(12), default="", server_default="")
    #: The facilitator closed joining: nobody new can join (those in stay).
    joining_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    steps: Mapped[list[WorkshopStep]] = relationship(
        order_by="WorkshopStep.position", cascade="all, delete-orphan", passive_deletes=True
    )
    #: The work forms, in the order they are run.
    forms: Mapped[list[WorkshopForm]] = relationship(
        order_by="WorkshopForm.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )

    @property
    def form_keys(self) -> list[str]:
        """Keys of the workshop's work forms, in order."""
        return [f.form_key for f in self.forms]


class WorkshopForm(Base):
    """One work form of a workshop, at its place in the order."""

    __tablename__ = "workshop_forms"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    form_key: Mapped[str] = mapped_column(String(40))


class WorkshopStep(Base):
    """One step of a work form in a workshop: ``wacht`` (not started), ``open`` or ``dicht``."""

    __tablename__ = "workshop_steps"
    __table_args__ = (UniqueConstraint("workshop_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    form_key: Mapped[str] = mapped_column(String(40))
    step_key: Mapped[str] = mapped_column(String(40))
    #: Planned minutes (the workbook's duration for the workshop's number of groups).
    minutes: Mapped[int] = mapped_column(SmallInteger)
    state: Mapped[str] = mapped_column(String(10), default="wacht")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Participant(Base):
    """Someone who joined a workshop with a display name (no account, no address stored).

    The participant's browser keeps a random token in a cookie; only its SHA-256 is stored.
    """

    __tablename__ = "workshop_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    #: ``sociaal``, ``fysiek``, ``anders`` or ``""`` (not asked).
    domain: Mapped[str] = mapped_column(String(10), default="")
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    #: When the facilitator removed this participant (their input stays, marked).
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WorkshopEntry(Base):
    """One piece of input in a step: an idea, offer, need, stressor, cause, vote or action.

    ``participant_id`` is empty for the facilitator's own input. ``detail`` holds the
    fields of the input kind as JSON (e.g. an action's owner and date). A removed entry
    keeps its row with empty text and ``removed`` set, so that readers of the event log
    learn that it went.
    """

    __tablename__ = "workshop_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_steps.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_participants.id", ondelete="SET NULL"), nullable=True
    )
    author: Mapped[str] = mapped_column(String(60))
    domain: Mapped[str] = mapped_column(String(10), default="")
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ReadyMark(Base):
    """A participant marked "klaar" (done) in a step."""

    __tablename__ = "workshop_ready"

    step_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_steps.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_participants.id", ondelete="CASCADE"), primary_key=True
    )


class WorkshopEvent(Base):
    """The change log of a workshop, read by the live event streams.

    ``kind`` is ``entry`` (``ref``: the entry), ``step`` (``ref``: the step that was
    started, closed or reopened), ``ready`` (``ref``: the step) or ``joined``
    (``ref``: the participant).
    """

    __tablename__ = "workshop_events"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref: Mapped[int] = mapped_column(Integer)


class ScenarioOwner(Base):
    """Who made a scenario in the app: only they (or an admin) change or delete it.

    Scenarios are files (TOML + GeoJSON, editable in QGIS); this row is the app's record of
    their owner. A file without a row (written by ``gezondewijk scenario`` or the demo) belongs
    to nobody: any organiser may open it, only an admin change or delete it.
    """

    __tablename__ = "scenario_owners"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

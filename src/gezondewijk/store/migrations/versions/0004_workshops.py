"""Werksessies: workshops, their steps, participants, input, ready marks and change log.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _ref(table: str, ondelete: str = "CASCADE") -> sa.ForeignKey:
    return sa.ForeignKey(f"{table}.id", ondelete=ondelete)


def upgrade() -> None:
    """Create the six workshop tables."""
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("series", sa.String(120), nullable=False, index=True),
        sa.Column("forms", sa.Text, nullable=False),
        sa.Column("groups", sa.SmallInteger, nullable=False),
        sa.Column("owner_id", sa.Integer, _ref("users", "SET NULL"), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "workshop_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workshop_id", sa.Integer, _ref("workshops"), nullable=False, index=True),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("form_key", sa.String(40), nullable=False),
        sa.Column("step_key", sa.String(40), nullable=False),
        sa.Column("minutes", sa.SmallInteger, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("started_at", _TZ, nullable=True),
        sa.Column("closed_at", _TZ, nullable=True),
        sa.UniqueConstraint("workshop_id", "position"),
    )
    op.create_table(
        "workshop_participants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workshop_id", sa.Integer, _ref("workshops"), nullable=False, index=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("domain", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("joined_at", _TZ, nullable=False),
    )
    op.create_table(
        "workshop_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workshop_id", sa.Integer, _ref("workshops"), nullable=False, index=True),
        sa.Column("step_id", sa.Integer, _ref("workshop_steps"), nullable=False, index=True),
        sa.Column(
            "participant_id", sa.Integer, _ref("workshop_participants", "SET NULL"), nullable=True
        ),
        sa.Column("author", sa.String(60), nullable=False),
        sa.Column("domain", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("category", sa.String(120), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    )
    op.create_table(
        "workshop_ready",
        sa.Column("step_id", sa.Integer, _ref("workshop_steps"), primary_key=True),
        sa.Column("participant_id", sa.Integer, _ref("workshop_participants"), primary_key=True),
    )
    op.create_table(
        "workshop_events",
        sa.Column("workshop_id", sa.Integer, _ref("workshops"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("ref", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    """Drop the workshop tables."""
    for table in (
        "workshop_events",
        "workshop_ready",
        "workshop_entries",
        "workshop_participants",
        "workshop_steps",
        "workshops",
    ):
        op.drop_table(table)

"""Leefplekmeter: users, campaigns, responses, answers.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True, index=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("intro", sa.Text, nullable=False),
        sa.Column("variant", sa.String(20), nullable=False),
        sa.Column("scale", sa.String(20), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("areas", sa.Text, nullable=False),
        sa.Column("area_names", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=True),
        sa.Column("ends_on", sa.Date, nullable=True),
        sa.Column(
            "owner_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer,
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("form_token", sa.String(128), nullable=False, unique=True),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("respondent_type", sa.String(20), nullable=False),
        sa.Column("age_band", sa.String(20), nullable=False),
        sa.Column("gender", sa.String(20), nullable=False),
        sa.Column("buurtcode", sa.String(10), nullable=False),
        sa.Column("group_size", sa.SmallInteger, nullable=False),
        sa.Column("variant", sa.String(20), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "response_id",
            sa.Integer,
            sa.ForeignKey("responses.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("theme", sa.String(40), nullable=False),
        sa.Column("score", sa.SmallInteger, nullable=True),
        sa.Column("scale", sa.String(20), nullable=False),
        sa.Column("dont_know", sa.Boolean, nullable=False),
        sa.Column("good", sa.Text, nullable=False),
        sa.Column("better", sa.Text, nullable=False),
        sa.UniqueConstraint("response_id", "theme"),
    )


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_table("answers")
    op.drop_table("responses")
    op.drop_table("campaigns")
    op.drop_table("users")

"""Teams, account states and invite links for user management.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``teams``, ``users.team_id``, ``users.active`` and ``invites``."""
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.create_foreign_key(
            "fk_users_team_id", "teams", ["team_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_invites_user_id", "invites", ["user_id"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_invites_user_id", table_name="invites")
    op.drop_table("invites")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_team_id", type_="foreignkey")
        batch.drop_column("active")
        batch.drop_column("team_id")
    op.drop_table("teams")

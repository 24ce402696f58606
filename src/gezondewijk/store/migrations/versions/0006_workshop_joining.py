"""A workshop's facilitator can close joining and remove participants.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``workshops.joining_locked`` and ``workshop_participants.removed_at``."""
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(
            sa.Column("joining_locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("workshop_participants") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("workshop_participants") as batch:
        batch.drop_column("removed_at")
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("joining_locked")

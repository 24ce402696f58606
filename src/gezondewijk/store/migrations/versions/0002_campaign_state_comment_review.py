"""Campaign state (open/paused/closed) and moderation of comments.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``campaigns.status`` and ``answers.good_review``/``better_review``."""
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="open"))
    with op.batch_alter_table("answers") as batch:
        batch.add_column(
            sa.Column("good_review", sa.String(10), nullable=False, server_default="pending")
        )
        batch.add_column(
            sa.Column("better_review", sa.String(10), nullable=False, server_default="pending")
        )


def downgrade() -> None:
    """Drop the three columns."""
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("better_review")
        batch.drop_column("good_review")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("status")

"""Throttle counts shared by several web workers.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``window_counts`` (keyed hash, window start and length, hits)."""
    op.create_table(
        "window_counts",
        sa.Column("key", sa.LargeBinary(16), primary_key=True),
        sa.Column("start", sa.BigInteger, primary_key=True),
        sa.Column("span", sa.Integer, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    """Drop ``window_counts``."""
    op.drop_table("window_counts")

"""The walk area of a werksessie, and photovoice: the campaign switch and the photos.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``workshops.area``, ``campaigns.photovoice`` and the ``photos`` table."""
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(sa.Column("area", sa.String(12), nullable=False, server_default=""))
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("photovoice", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("theme", sa.String(40), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("buurtcode", sa.String(10), nullable=False, server_default=""),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("jpeg", sa.LargeBinary(), nullable=False),
        sa.Column("review", sa.String(10), nullable=False, server_default="pending"),
    )
    op.create_index("ix_photos_campaign_id", "photos", ["campaign_id"])
    op.create_index("ix_photos_buurtcode", "photos", ["buurtcode"])


def downgrade() -> None:
    """Drop the photos and the two columns."""
    op.drop_index("ix_photos_buurtcode", table_name="photos")
    op.drop_index("ix_photos_campaign_id", table_name="photos")
    op.drop_table("photos")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("photovoice")
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("area")

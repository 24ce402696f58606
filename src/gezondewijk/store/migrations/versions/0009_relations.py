"""Campaign buurten and workshop work forms as rows; workshop input's fields as JSON.

Comma-joined text could not hold a buurt name with a comma in it ("Muschberg,
Geestenberg"). Existing rows are converted: ``campaigns.areas``/``area_names`` become
``campaign_areas``, ``workshops.forms`` becomes ``workshop_forms``, and
``workshop_entries.detail`` becomes a JSON column (``json`` on PostgreSQL).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _split(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]


def upgrade() -> None:
    """Create the two tables, copy the comma-joined values into them, drop the old columns."""
    areas = op.create_table(
        "campaign_areas",
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.SmallInteger(), primary_key=True),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
    )
    forms = op.create_table(
        "workshop_forms",
        sa.Column(
            "workshop_id",
            sa.Integer(),
            sa.ForeignKey("workshops.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.SmallInteger(), primary_key=True),
        sa.Column("form_key", sa.String(40), nullable=False),
    )
    conn = op.get_bind()
    area_rows = []
    for campaign_id, codes, names in conn.execute(
        sa.text("SELECT id, areas, area_names FROM campaigns")
    ):
        given = _split(names)
        for position, code in enumerate(_split(codes)):
            name = given[position] if position < len(given) else ""
            area_rows.append(
                {"campaign_id": campaign_id, "position": position, "code": code, "name": name}
            )
    if area_rows:
        op.bulk_insert(areas, area_rows)
    form_rows = [
        {"workshop_id": workshop_id, "position": position, "form_key": key}
        for workshop_id, keys in conn.execute(sa.text("SELECT id, forms FROM workshops"))
        for position, key in enumerate(_split(keys))
    ]
    if form_rows:
        op.bulk_insert(forms, form_rows)
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("areas")
        batch.drop_column("area_names")
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("forms")
    with op.batch_alter_table("workshop_entries") as batch:
        batch.alter_column(
            "detail",
            type_=sa.JSON(),
            existing_type=sa.Text(),
            existing_nullable=False,
            postgresql_using="detail::json",
        )


def downgrade() -> None:
    """Back to comma-joined text (a comma inside a name becomes " -")."""
    with op.batch_alter_table("workshop_entries") as batch:
        batch.alter_column(
            "detail",
            type_=sa.Text(),
            existing_type=sa.JSON(),
            existing_nullable=False,
            postgresql_using="detail::text",
        )
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("areas", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("area_names", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(sa.Column("forms", sa.Text(), nullable=False, server_default=""))
    conn = op.get_bind()
    joined: dict[int, tuple[list[str], list[str]]] = {}
    for campaign_id, code, name in conn.execute(
        sa.text("SELECT campaign_id, code, name FROM campaign_areas ORDER BY campaign_id, position")
    ):
        codes, names = joined.setdefault(campaign_id, ([], []))
        codes.append(code)
        names.append(name.replace(",", " -"))
    for campaign_id, (codes, names) in joined.items():
        conn.execute(
            sa.text("UPDATE campaigns SET areas = :a, area_names = :n WHERE id = :i"),
            {"a": ",".join(codes), "n": ",".join(names) if all(names) else "", "i": campaign_id},
        )
    keys: dict[int, list[str]] = {}
    for workshop_id, key in conn.execute(
        sa.text("SELECT workshop_id, form_key FROM workshop_forms ORDER BY workshop_id, position")
    ):
        keys.setdefault(workshop_id, []).append(key)
    for workshop_id, chosen in keys.items():
        conn.execute(
            sa.text("UPDATE workshops SET forms = :f WHERE id = :i"),
            {"f": ",".join(chosen), "i": workshop_id},
        )
    op.drop_table("workshop_forms")
    op.drop_table("campaign_areas")

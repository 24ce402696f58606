"""Campaign buurten and workshop work forms are rows, not comma-joined text (migration 0009)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gezondewijk.leefplekmeter.campaigns import parse_campaign, split_names
from gezondewijk.store.db import make_engine, migrate, transaction
from gezondewijk.store.models import Campaign
from gezondewijk.store.repository import create_user
from tests.test_web_event import _log_in_as

#: Real buurt names with a comma: 15 of 227 in Eindhoven and Utrecht (CBS wijk- en buurtkaart).
COMMA_NAMES = ["Muschberg, Geestenberg", "Rochusbuurt, Wijk van Munster"]


def test_names_are_separated_by_semicolons_and_may_hold_commas() -> None:
    assert split_names("Muschberg, Geestenberg; Centrum", 2) == [
        "Muschberg, Geestenberg",
        "Centrum",
    ]
    assert split_names("Muschberg, Geestenberg", 1) == ["Muschberg, Geestenberg"]
    # an older form with commas between names, one per code, still reads as before
    assert split_names("Centrum, Molenwijk", 2) == ["Centrum", "Molenwijk"]
    data = parse_campaign(
        {"title": "X", "areas": "BU07721110; BU07720000", "area_names": "; ".join(COMMA_NAMES)}
    )
    assert data.area_names == COMMA_NAMES


def test_a_campaign_with_a_comma_in_a_buurt_name(app: Any) -> None:
    with transaction(app.state.sessions) as session:
        create_user(session, "org@gemeente.nl", "Organisator", "een-lang-wachtwoord")
    client, _ = _log_in_as(app, "org@gemeente.nl", "een-lang-wachtwoord")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/beheer/nieuw").text)
    assert csrf is not None
    form = {
        "csrf": csrf[1],
        "title": "Komma's",
        "areas": "BU07721110; BU07720000",
        "area_names": "; ".join(COMMA_NAMES),
    }
    r = client.post("/beheer/nieuw", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    code = r.headers["location"].rsplit("/", 1)[1]
    with app.state.sessions() as session:
        stored = session.scalar(sa.select(Campaign).where(Campaign.code == code))
        assert stored is not None
        assert stored.area_list() == list(
            zip(["BU07721110", "BU07720000"], COMMA_NAMES, strict=True)
        )
    # editing shows them back, each whole, and saving again keeps them
    page = client.get(f"/beheer/{code}/bewerk").text
    assert "Muschberg, Geestenberg; Rochusbuurt, Wijk van Munster" in page
    edit_csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert edit_csrf is not None
    again = {**form, "csrf": edit_csrf[1], "title": "Komma's (2)"}
    r = client.post(f"/beheer/{code}/bewerk", data=again, follow_redirects=False)
    assert r.status_code == 303, r.text
    with app.state.sessions() as session:
        stored = session.scalar(sa.select(Campaign).where(Campaign.code == code))
        assert stored is not None and stored.title == "Komma's (2)"
        assert [name for _, name in stored.area_list()] == COMMA_NAMES


def test_the_migration_converts_rows_that_are_there(db_url: str) -> None:
    """0008 → 0009 on a database with campaigns, workshops and input in it, and back."""
    migrate(db_url, "0008")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        columns = ["id", "code", "title", "intro", "variant", "scale", "language", "mode"]
        columns += ["areas", "area_names", "status", "photovoice", "created_at"]
        campaigns = sa.table("campaigns", *(sa.column(c) for c in columns))
        base = {
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "intro": "",
            "variant": "standard",
            "scale": "cijfer10",
            "language": "nl",
            "mode": "individual",
            "status": "open",
            "photovoice": False,
        }
        conn.execute(
            campaigns.insert(),
            [
                {
                    **base,
                    "id": 1,
                    "code": "AAA",
                    "title": "Namen",
                    "areas": "BU1,BU2",
                    "area_names": "Centrum,Muschberg - Geestenberg",
                },
                {
                    **base,
                    "id": 2,
                    "code": "BBB",
                    "title": "Geen namen",
                    "areas": "BU3,BU4",
                    "area_names": "",
                },
                {**base, "id": 3, "code": "CCC", "title": "Leeg", "areas": "", "area_names": ""},
            ],
        )
        conn.execute(
            sa.text(
                "INSERT INTO workshops (id, code, title, series, forms, groups, area, "
                "joining_locked, version, created_at) VALUES (1, 'WS1', 'Sessie', '', "
                "'brengen-en-halen,wandeling', 1, '', false, 0, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO workshop_steps (id, workshop_id, position, form_key, step_key, "
                "minutes, state) VALUES (1, 1, 0, 'wandeling', 'voor', 10, 'open')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO workshop_entries (id, workshop_id, step_id, author, domain, kind, "
                "text, category, detail, removed, created_at, updated_at) VALUES (1, 1, 1, 'A', "
                "'', 'spinnenweb', '', 'Groep 1', :d, false, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"
            ),
            {"d": '{"group": 1, "scores": {"groen": 5, "lucht": null}}'},
        )
    migrate(db_url)
    with engine.connect() as conn:
        areas = conn.execute(
            sa.text(
                "SELECT campaign_id, position, code, name FROM campaign_areas "
                "ORDER BY campaign_id, position"
            )
        ).all()
        forms = conn.execute(
            sa.text("SELECT form_key FROM workshop_forms ORDER BY position")
        ).scalars()
        assert [tuple(r) for r in areas] == [
            (1, 0, "BU1", "Centrum"),
            (1, 1, "BU2", "Muschberg - Geestenberg"),
            (2, 0, "BU3", ""),
            (2, 1, "BU4", ""),
        ]
        assert list(forms) == ["brengen-en-halen", "wandeling"]
        detail = conn.execute(
            sa.select(sa.column("detail", sa.JSON)).select_from(sa.table("workshop_entries"))
        ).scalar_one()
        assert detail == {"group": 1, "scores": {"groen": 5, "lucht": None}}
    with sa.orm.Session(engine) as session:
        named, plain = session.get(Campaign, 1), session.get(Campaign, 2)
        assert named is not None and plain is not None
        assert named.area_list() == [("BU1", "Centrum"), ("BU2", "Muschberg - Geestenberg")]
        assert plain.area_list() == [("BU3", "BU3"), ("BU4", "BU4")]
    # and back: the comma-joined columns return with the same values
    migrate(db_url, "0008")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, areas, area_names FROM campaigns ORDER BY id")
        ).all()
        assert [tuple(r) for r in rows] == [
            (1, "BU1,BU2", "Centrum,Muschberg - Geestenberg"),
            (2, "BU3,BU4", ""),
            (3, "", ""),
        ]
        assert conn.execute(sa.text("SELECT forms FROM workshops")).scalar_one() == (
            "brengen-en-halen,wandeling"
        )
    engine.dispose()

"""Trust at a public event (issue 30): each test failed on the code before the fix."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gezondewijk import ConfigError
from gezondewijk.cli import main
from gezondewijk.demo.leefplekmeter import DEMO_EMAIL, make_demo_campaign
from gezondewijk.web import WebSettings, create_app

AREAS = [("BU99990000", "Centrum"), ("BU99990001", "Molenwijk")]


def test_every_get_route_answers_head(app, map_dir: Path) -> None:
    app.state.settings.map_dir = str(map_dir)
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    client = TestClient(app)
    code = client.get("/kaart").text and "BU99990000"
    for path in ("/", "/kaart", f"/c/{campaign.code}", "/docs", f"/buurt/{code}"):
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == get.status_code, path
        assert head.status_code != 405, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
    # a route without GET still says so
    assert client.head("/api/v1/antwoorden").status_code in {404, 405}


def test_production_refuses_the_published_demo_password(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'event.db'}"
    dev = create_app(WebSettings(database_url=url))
    make_demo_campaign(dev.state.sessions, areas=AREAS, n=0)
    dev.state.engine.dispose()
    production = WebSettings(
        database_url=url,
        environment="production",
        secret_key="s" * 40,
        admin_email="beheer@gemeente.nl",
        admin_password="een-lang-wachtwoord",
    )
    with pytest.raises(ConfigError, match="gezondewijk wachtwoord") as err:
        create_app(production)
    assert DEMO_EMAIL in str(err.value)
    # the fix the message names: a new password for the demo account
    monkeypatch.setenv("GEZONDEWIJK_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    assert main(["wachtwoord", DEMO_EMAIL, "--stdin"]) == 2  # too short: refused
    monkeypatch.setattr("sys.stdin", io.StringIO("een-eigen-geheim-wachtwoord\n"))
    assert main(["wachtwoord", DEMO_EMAIL, "--stdin"]) == 0
    app = create_app(production)  # now it starts
    app.state.engine.dispose()
    monkeypatch.setattr("sys.stdin", io.StringIO("een-eigen-geheim-wachtwoord\n"))
    assert main(["wachtwoord", "niemand@gemeente.nl", "--stdin"]) == 2


def test_the_photo_page_may_ask_for_the_place(app) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    client = TestClient(app)
    photo = client.get(f"/c/{campaign.code}/foto")
    # "Gebruik mijn huidige plek" needs geolocation for our own origin on this page
    assert "geolocation=(self)" in photo.headers["permissions-policy"]
    assert "camera=()" in photo.headers["permissions-policy"]
    for other in (f"/c/{campaign.code}", "/", "/kaart"):
        assert "geolocation=()" in client.get(other).headers["permissions-policy"], other

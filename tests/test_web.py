"""The Leefplekmeter web app and API, against SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from io import BytesIO
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from gezondewijk.demo.leefplekmeter import make_demo_campaign
from gezondewijk.leefplekmeter.themes import theme_keys
from gezondewijk.outputs import write_csv, write_geoparquet
from gezondewijk.run import MapResult
from gezondewijk.store.repository import count_responses
from gezondewijk.web import WebSettings, create_app

AREAS = [("BU99990000", "Centrum"), ("BU99990001", "Molenwijk")]


def _login(
    client: TestClient, email: str = "demo@gezondewijk.nl", password: str = "demo-wachtwoord"
) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/login", data={"email": email, "password": password, "csrf": token}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    page = client.get("/beheer")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def _submission(client: TestClient, code: str, **extra: object) -> dict[str, object]:
    """A whole form with a token the app issued for this campaign (as an app would get it)."""
    body: dict[str, object] = {
        "form_token": client.get(f"/api/campaigns/{code}").json()["form_token"],
        "answers": [{"theme": k, "score": 1 + i % 10} for i, k in enumerate(theme_keys())],
    }
    body.update(extra)
    return body


def _count(app, campaign) -> int:
    with app.state.sessions() as session:
        return count_responses(session, campaign.id)


def test_resident_fills_in_the_form_without_cookies(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    page = client.get(f"/c/{campaign.code}")
    assert page.status_code == 200 and "set-cookie" not in page.headers
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {
        "form_token": token,
        "score_bewegen": "7",
        "score_natuur_groen": "weet",
        "beter_bewegen": "Meer fietspaden",
        "buurtcode": "BU99990001",
        "lang": "nl",
    }
    r = client.post(f"/c/{campaign.code}", data=form)
    assert r.status_code == 200 and "Bedankt" in r.text
    again = client.post(f"/c/{campaign.code}", data=form)  # the same form token: stored once
    assert again.status_code == 200
    assert _count(app, campaign) == 1
    assert "content-security-policy" in {k.lower() for k in r.headers}


def test_api_stores_once_and_reports_after_five(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    body = _submission(client, campaign.code)
    first = client.post(f"/api/campaigns/{campaign.code}/responses", json=body)
    assert first.status_code == 201 and first.json()["created"] is True
    second = client.post(f"/api/campaigns/{campaign.code}/responses", json=body)
    assert second.status_code == 200 and second.json() == {
        "id": first.json()["id"],
        "created": False,
    }
    results = client.get(f"/api/campaigns/{campaign.code}/results").json()
    assert results["n_forms"] == 1 and results["shown"] is False
    assert all(t["median"] is None for t in results["themes"])  # < 5: nothing shown
    for _ in range(4):
        client.post(
            f"/api/campaigns/{campaign.code}/responses", json=_submission(client, campaign.code)
        )
    results = client.get(f"/api/campaigns/{campaign.code}/results").json()
    assert results["shown"] is True
    bewegen = next(t for t in results["themes"] if t["theme"] == "bewegen")
    assert bewegen["n"] == 5 and bewegen["median"] == 1.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answers": [{"theme": "bewegen", "score": 11}]}, "answers.0.score"),
        ({"answers": [{"theme": "onbekend", "score": 5}]}, "answers.0.theme"),
        ({"answers": [{"theme": "bewegen", "score": "zeven"}]}, "answers.0.score"),
        ({"answers": [{"theme": "bewegen", "score": 5, "good": "x" * 2001}]}, "answers.0.good"),
        ({"buurtcode": "BU12345678"}, "buurtcode"),
        (
            {"answers": [{"theme": "bewegen", "score": 5}, {"theme": "bewegen", "score": 6}]},
            "answers.1.theme",
        ),
        ({"group_size": 4}, "group_size"),
    ],
)
def test_bad_input_gets_4xx_and_changes_nothing(app, client: TestClient, change, field) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    r = client.post(
        f"/api/campaigns/{campaign.code}/responses",
        json=_submission(client, campaign.code, **change),
    )
    assert r.status_code == 422
    problems = r.json()["error"]["problems"]
    assert any(field in (p["field"] or "") for p in problems), problems
    assert all(p["fix"] for p in problems)
    assert _count(app, campaign) == 0


def test_broken_encoding_and_oversized_body(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    url = f"/api/campaigns/{campaign.code}/responses"
    r = client.post(
        url,
        content=b'{"form_token": "\xff\xfe", "answers": []}',
        headers={"content-type": "application/json"},
    )
    assert 400 <= r.status_code < 500
    r = client.post(url, content=b"x" * 300_000, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert client.get("/api/campaigns/NOPE99/results").json()["error"]["message"]
    assert _count(app, campaign) == 0


def test_html_form_errors_are_shown_and_nothing_stored(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    r = client.post(
        f"/c/{campaign.code}", data={"form_token": "forged-token-0123456789", "score_bewegen": "5"}
    )
    assert r.status_code == 422 and "verlopen" in r.text
    page = client.get(f"/c/{campaign.code}")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(f"/c/{campaign.code}", data={"form_token": token, "score_bewegen": "99"})
    # residents read the theme and what to do, never an internal name (issue 9, item 13)
    assert r.status_code == 422 and "kies een cijfer van 1 tot 10" in r.text
    assert "answers.0.score" not in r.text and 'href="#thema-bewegen"' in r.text
    assert _count(app, campaign) == 0


def test_organiser_flow_results_export_delete(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=30)
    assert client.get(f"/beheer/{campaign.code}", follow_redirects=False).status_code == 303
    csrf = _login(client)
    page = client.get(f"/beheer/{campaign.code}")
    assert page.status_code == 200
    assert "<svg" in page.text and "Prioriteiten" in page.text and "<table" in page.text
    compare = client.get(f"/beheer/{campaign.code}?compare_by=respondent_type")
    assert compare.status_code == 200
    long = pd.read_csv(BytesIO(client.get(f"/beheer/{campaign.code}/export.csv").content))
    assert len(long) == 30 * 14 and {"theme", "score", "scale"} <= set(long.columns)
    assert (long["scale"] == "cijfer10").all()
    wide = pd.read_csv(
        BytesIO(client.get(f"/beheer/{campaign.code}/export.csv?layout=wide").content)
    )
    assert len(wide) == 30 and "natuur_groen_beter" in wide.columns
    xlsx = pd.read_excel(
        BytesIO(client.get(f"/beheer/{campaign.code}/export.xlsx").content), sheet_name=None
    )
    assert set(xlsx) == {"lang", "breed"}
    pdf = client.get(f"/beheer/{campaign.code}/papier.pdf")
    assert pdf.content.startswith(b"%PDF") and pdf.content.count(b"/Type /Page") >= 3
    assert client.get(f"/beheer/{campaign.code}/spinnenweb.pdf").content.startswith(b"%PDF")
    # deleting needs the CSRF token and the typed code; then everything is gone
    bad = client.post(f"/beheer/{campaign.code}/verwijder", data={"bevestig": campaign.code})
    assert bad.status_code == 403
    r = client.post(
        f"/beheer/{campaign.code}/verwijder",
        data={"bevestig": campaign.code, "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert _count(app, campaign) == 0
    assert client.get(f"/api/campaigns/{campaign.code}").status_code == 404


def test_create_campaign_and_paper_entry(app, client: TestClient) -> None:
    make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    csrf = _login(client)
    r = client.post(
        "/beheer/nieuw",
        data={
            "title": "Wandeling Molenwijk",
            "variant": "youth",
            "mode": "walk",
            "areas": "BU99990001",
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    code = r.headers["location"].rsplit("/", 1)[-1]
    info = client.get(f"/api/campaigns/{code}").json()
    assert info["scale"] == "jeugd7" and info["scale_high"] == 7
    assert "je" in info["themes"][0]["question"]
    bad = client.post("/beheer/nieuw", data={"title": "", "areas": "Molenwijk", "csrf": csrf})
    assert bad.status_code == 422 and "buurtcode" in bad.text
    page = client.get(f"/beheer/{code}/invoer")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"/beheer/{code}/invoer",
        data={"form_token": token, "csrf": csrf, "score_wonen": "6"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    long = pd.read_csv(BytesIO(client.get(f"/beheer/{code}/export.csv").content))
    assert long["mode"].tolist() == ["paper"]


def test_wrong_password_and_foreign_campaign(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/login", data={"email": "demo@gezondewijk.nl", "password": "fout", "csrf": token}
    )
    assert r.status_code == 401
    from gezondewijk.store.db import transaction
    from gezondewijk.store.repository import create_user

    with transaction(app.state.sessions) as session:
        create_user(session, "ander@example.org", "Ander", "een-lang-wachtwoord")
    _login(client, "ander@example.org", "een-lang-wachtwoord")
    assert client.get(f"/beheer/{campaign.code}").status_code == 403


@pytest.fixture
def three_a_minute(db_url: str) -> Iterator[tuple[Any, TestClient, Any, str]]:
    """An app that takes 3 forms a minute: the app, a client, a campaign and its form URL."""
    app = create_app(WebSettings(database_url=db_url, submit_limit_per_minute=3))
    try:
        client = TestClient(app)
        campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
        yield app, client, campaign, f"/api/campaigns/{campaign.code}/responses"
    finally:
        app.state.engine.dispose()


def test_rate_limit_answers_429(three_a_minute: tuple[Any, TestClient, Any, str]) -> None:
    app, client, campaign, url = three_a_minute
    codes = [
        client.post(url, json=_submission(client, campaign.code)).status_code for _ in range(5)
    ]
    assert codes[:3] == [201, 201, 201] and codes[3:] == [429, 429]
    assert _count(app, campaign) == 3


def test_refused_forms_count_towards_the_limit_and_the_limit_comes_first(
    three_a_minute: tuple[Any, TestClient, Any, str],
) -> None:
    # valid forms are counted in their own transaction (one commit for the count and the
    # form); refused ones are counted apart: both must add up to one limit
    app, client, campaign, url = three_a_minute
    other = app.state.form_tokens.issue("ANDERE")  # a real token of another campaign
    forged = {**_submission(client, campaign.code), "form_token": other}
    codes = [client.post(url, json=forged).status_code for _ in range(2)]
    assert all(c not in (201, 429) for c in codes), codes
    codes.append(client.post(url, json=_submission(client, campaign.code)).status_code)
    codes.append(client.post(url, json=_submission(client, campaign.code)).status_code)
    codes.append(client.post(url, json=forged).status_code)
    assert codes[2:] == [201, 429, 429]
    assert _count(app, campaign) == 1  # the refused valid form stored nothing


def test_residents_next_to_data(db_url: str, tmp_path, demo_result: MapResult) -> None:
    # a real run folder whose two campaign buurten carry hand-set indicator states
    data = pd.DataFrame(
        {
            "buurtcode": ["BU99990000", "BU99990001"],
            "population": [1000, 3000],
            "groen_aan": [1, 1],
            "basisvoorzieningen_aan": [0, 0],
            "geluid_lucht_aan": [1, 0],
            "eenzaamheid_aan": [0, 1],
            "dichtheid_aan": [0, 0],
        }
    )
    buurten = demo_result.buurten.copy()
    rows = buurten["buurtcode"].isin(data["buurtcode"]).to_numpy()
    for col in data.columns[1:]:
        values = data.set_index("buurtcode").loc[buurten["buurtcode"][rows], col]
        buurten.loc[rows, col] = values.to_numpy()
    run = replace(demo_result, buurten=buurten)
    write_geoparquet(run, tmp_path)
    write_csv(run, tmp_path)
    app = create_app(WebSettings(database_url=db_url, map_dir=tmp_path))
    try:
        client = TestClient(app)
        campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
        url = f"/api/campaigns/{campaign.code}/responses"
        for _ in range(6):  # residents rate green 9/10, facilities 2/10
            client.post(
                url,
                json=_submission(
                    client,
                    campaign.code,
                    answers=[
                        {"theme": "natuur_groen", "score": 9},
                        {"theme": "voorzieningen", "score": 2},
                    ],
                ),
            )
        _login(client)
        page = client.get(f"/beheer/{campaign.code}").text
        assert "Bewoners en data naast elkaar" in page
        rows = re.findall(r"<tr( class=\"disagree\")?><th scope=\"row\">([^<]+)</th>", page)
        flagged = {name for cls, name in rows if cls}
        assert flagged == {"Natuur en groen", "Voorzieningen"}
    finally:
        app.state.engine.dispose()

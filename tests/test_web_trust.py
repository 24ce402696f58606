"""What broke when the web app was tried as a resident, an organiser and an analyst (issue 9).

Each test failed on the code before the fix; SQLite and PostgreSQL both.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
from concurrent.futures import Future
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from gezondewijk.demo.leefplekmeter import make_demo_campaign
from gezondewijk.leefplekmeter.moderation import personal_data_flags
from gezondewijk.leefplekmeter.submission import SubmissionIn
from gezondewijk.leefplekmeter.themes import theme_keys
from gezondewijk.reports.pdf import PdfBusyError, PdfQueue, PdfUnavailableError
from gezondewijk.spreadsheet_safety import csv_text, neutralise_text
from gezondewijk.store import repository
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Campaign
from gezondewijk.store.repository import (
    TokenUsedElsewhereError,
    count_responses,
    create_user,
    store_submission,
)
from gezondewijk.web import WebSettings, create_app
from gezondewijk.web.security import FormTokens, LoginThrottle
from tests.test_browser import CHROMIUM

AREAS = [("BU99990000", "Centrum"), ("BU99990001", "Molenwijk")]
HOSTILE = '=HYPERLINK("http://example.org/x","Klik hier")'


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found is not None
    return found.group(1)


def _login(client: TestClient, email="demo@gezondewijk.nl", password="demo-wachtwoord") -> str:
    token = _csrf(client.get("/login").text)
    r = client.post("/login", data={"email": email, "password": password, "csrf": token})
    assert r.status_code == 200, r.text  # followed to /beheer
    return _csrf(client.get("/beheer").text)


def _token(client: TestClient, code: str) -> str:
    return str(client.get(f"/api/campaigns/{code}").json()["form_token"])


def _post(client: TestClient, code: str, **extra: object) -> Any:
    body: dict[str, object] = {
        "form_token": _token(client, code),
        "answers": [{"theme": k, "score": 6} for k in theme_keys()],
    }
    body.update(extra)
    return client.post(f"/api/campaigns/{code}/responses", json=body)


def _count(app: Any, campaign: Campaign) -> int:
    with app.state.sessions() as session:
        return count_responses(session, campaign.id)


def _set(app: Any, campaign: Campaign, **values: object) -> None:
    with transaction(app.state.sessions) as session:
        target = session.get(Campaign, campaign.id)
        for k, v in values.items():
            setattr(target, k, v)
    app.state.campaigns.forget(campaign.code)  # as the organiser pages do after a change


# 1. formula injection -------------------------------------------------------------------


def test_exports_neutralise_formulas(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    answers = [{"theme": "bewegen", "score": 5, "better": HOSTILE, "good": "@SUM(1+1)"}]
    assert _post(client, campaign.code, answers=answers).status_code == 201
    _login(client)
    text = client.get(f"/beheer/{campaign.code}/export.csv").text
    assert HOSTILE.replace('"', '""') not in text.replace("'=", "")  # never unprefixed
    long = pd.read_csv(BytesIO(text.encode()))
    assert long.loc[0, "better"] == "'" + HOSTILE and long.loc[0, "good"] == "'@SUM(1+1)"
    book = openpyxl.load_workbook(
        BytesIO(client.get(f"/beheer/{campaign.code}/export.xlsx").content)
    )
    cells = [c for row in book["lang"].iter_rows() for c in row if isinstance(c.value, str)]
    hostile = [c for c in cells if "HYPERLINK" in c.value]
    assert hostile and all(c.data_type == "s" and c.value.startswith("'") for c in hostile)
    assert not any(c.data_type == "f" for c in cells)
    assert neutralise_text("-2+3") == "'-2+3" and neutralise_text("\tx") == "'\tx"
    assert neutralise_text(-2) == -2 and neutralise_text("Meer bomen") == "Meer bomen"
    assert csv_text(pd.DataFrame({"a": ["+1"], "b": [3]})).splitlines()[1] == '"\'+1",3'


# 2. kiosk --------------------------------------------------------------------------------


def test_kiosk_pages_are_not_cached_and_lead_nowhere(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    _set(app, campaign, mode="kiosk")
    page = client.get(f"/c/{campaign.code}")
    assert page.headers["cache-control"] == "no-store"
    links = re.findall(r'href="([^"]+)"', page.text)
    assert [h for h in links if not h.startswith(("/static/", "#"))] == [], links
    assert 'autocomplete="off"' in page.text and "/static/kiosk.js" in page.text
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    thanks = client.post(f"/c/{campaign.code}", data={"form_token": token, "score_wonen": "4"})
    assert thanks.status_code == 200 and thanks.headers["cache-control"] == "no-store"
    assert "http-equiv" not in thanks.text  # no meta refresh (WCAG 2.2.1, axe)
    links = re.findall(r'href="([^"]+)"', thanks.text)
    assert [h for h in links if not h.startswith(("/static/", "#"))] == [f"/c/{campaign.code}"]


# 3. comments ---------------------------------------------------------------------------


def test_comments_public_only_after_approval(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    for i in range(6):
        text = "Bel me: 06-12345678" if i == 0 else "Meer bankjes"
        answers = [{"theme": "bewegen", "score": 5, "better": text}]
        assert _post(client, campaign.code, answers=answers).status_code == 201
    public = client.get(f"/api/campaigns/{campaign.code}/results").json()
    assert public["shown"] is True and public["comments"] == {}
    # another organiser gets the public version too
    with transaction(app.state.sessions) as session:
        create_user(session, "ander@example.org", "Ander", "een-lang-wachtwoord")
    other = TestClient(app)
    _login(other, "ander@example.org", "een-lang-wachtwoord")
    assert other.get(f"/api/campaigns/{campaign.code}/results").json()["comments"] == {}
    # the campaign's own organiser sees all, grouped with a count
    csrf = _login(client)
    own = client.get(f"/api/campaigns/{campaign.code}/results").json()
    assert own["comments"]["bewegen"]["beter"] == [
        {"text": "Meer bankjes", "count": 5},
        {"text": "Bel me: 06-12345678", "count": 1},
    ]
    page = client.get(f"/beheer/{campaign.code}/opmerkingen").text
    assert page.count("Let op, mogelijk persoonsgegevens: telefoonnummer") == 1
    ids = re.findall(r'name="answer_id" value="(\d+)"', page)
    flagged = re.search(
        r'id="c(\d+)-better"><strong>[^<]+</strong>[^<]*<span[^>]*>[^<]*</span><br>\s*Bel', page
    )
    assert flagged is not None
    for answer_id in dict.fromkeys(ids):
        decision = "rejected" if answer_id == flagged.group(1) else "approved"
        r = client.post(
            f"/beheer/{campaign.code}/opmerkingen",
            data={"answer_id": answer_id, "kind": "better", "decision": decision, "csrf": csrf},
        )
        assert r.status_code == 200
    public = TestClient(app).get(f"/api/campaigns/{campaign.code}/results").json()
    assert public["comments"]["bewegen"]["beter"] == [{"text": "Meer bankjes", "count": 5}]
    # a comment of another campaign cannot be reviewed through this one
    second = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    r = client.post(
        f"/beheer/{second.code}/opmerkingen",
        data={"answer_id": ids[0], "kind": "better", "decision": "approved", "csrf": csrf},
    )
    assert r.status_code == 404


def test_personal_data_flags() -> None:
    assert personal_data_flags("mail jan@example.org") == ["e-mailadres"]
    assert personal_data_flags("+31 6 1234 5678") == ["telefoonnummer"]
    assert personal_data_flags("ik woon op de Kerkstraat 12a") == ["adres (straat en huisnummer)"]
    assert personal_data_flags("2611 AB") == ["postcode"]
    assert personal_data_flags("In 2023 kwamen er 3 bankjes bij in het park") == []


# 4. period and state -------------------------------------------------------------------


def test_campaign_period_and_state_are_enforced(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    token = _token(client, campaign.code)
    _set(app, campaign, starts_on=date(2020, 1, 1), ends_on=date(2020, 3, 1))
    page = client.get(f"/c/{campaign.code}")
    assert page.status_code == 403 and "afgelopen op 1-3-2020" in page.text
    r = client.post(f"/c/{campaign.code}", data={"form_token": token, "score_wonen": "6"})
    assert r.status_code == 403
    api = _post(client, campaign.code)
    assert api.status_code == 403 and "afgelopen" in api.json()["error"]["message"]
    _set(app, campaign, starts_on=date.today() + timedelta(days=30), ends_on=None)
    assert "begint op" in client.get(f"/c/{campaign.code}").text
    assert _count(app, campaign) == 0
    # organisers validate, edit and close
    _set(app, campaign, starts_on=None)
    csrf = _login(client)
    bad = client.post(
        "/beheer/nieuw",
        data={
            "title": "Voorjaar",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
            "csrf": csrf,
        },
    )
    assert bad.status_code == 422 and "vóór de begindatum" in bad.text
    assert 'value="Voorjaar"' in bad.text  # what was typed stays
    edit = client.get(f"/beheer/{campaign.code}/bewerk")
    assert edit.status_code == 200 and ">BU99990000; BU99990001</textarea>" in edit.text
    r = client.post(
        f"/beheer/{campaign.code}/bewerk",
        data={"title": "Nieuwe titel", "areas": "BU99990000", "csrf": csrf, "mode": "walk"},
    )
    assert r.status_code == 200 and "Nieuwe titel" in r.text and "wandeling" in r.text
    r = client.post(f"/beheer/{campaign.code}/status", data={"status": "closed", "csrf": csrf})
    assert r.status_code == 200 and "gesloten" in r.text
    assert "is gesloten" in TestClient(app).get(f"/c/{campaign.code}").text
    assert _post(client, campaign.code).status_code == 403
    client.post(f"/beheer/{campaign.code}/status", data={"status": "open", "csrf": csrf})
    assert _post(client, campaign.code).status_code == 201


# 5. form tokens ----------------------------------------------------------------------


def test_form_tokens_are_bound_expire_and_paper_is_for_organisers(
    app, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    second = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    body = {"form_token": _token(client, first.code), "answers": [{"theme": "wonen", "score": 5}]}
    assert client.post(f"/api/campaigns/{first.code}/responses", json=body).status_code == 201
    reused = client.post(f"/api/campaigns/{second.code}/responses", json=body)
    assert reused.status_code == 422 and "id" not in reused.json()
    assert reused.json()["error"]["problems"][0]["field"] == "form_token"
    made_up = dict(body, form_token="a" * 32)
    assert client.post(f"/api/campaigns/{first.code}/responses", json=made_up).status_code == 422
    paper = _post(client, first.code, mode="paper")
    assert paper.status_code == 422 and paper.json()["error"]["problems"][0]["field"] == "mode"
    assert _count(app, second) == 0 and _count(app, first) == 1
    # expiry: a token issued 25 hours ago
    tokens = FormTokens("x" * 40, max_age_hours=24)
    now = time.time()
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: now - 25 * 3600)
        old = tokens.issue("ABC123")
    assert "ouder dan 24 uur" in tokens.check(old, "ABC123")
    assert tokens.check(tokens.issue("ABC123"), "ABC123") == ""
    assert "andere campagne" in tokens.check(tokens.issue("ABC123"), "XYZ789")
    # the store never hands out another campaign's response
    sub = SubmissionIn.model_validate(
        {"form_token": body["form_token"], "answers": [{"theme": "wonen", "score": 5}]}
    )
    with pytest.raises(TokenUsedElsewhereError):
        store_submission(app.state.sessions, second, sub)
    # the survey page says how long the form stays valid
    assert "blijft 24 uur geldig" in client.get(f"/c/{first.code}").text


# 6. request size -----------------------------------------------------------------------


def test_chunked_body_is_limited_on_bytes_received(tmp_path: Path) -> None:
    """20 MB sent chunked (no Content-Length) to a real server: 413 long before the end."""
    import socket
    import threading

    import uvicorn

    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/c.db"))
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        for path, kind in (
            (f"/api/campaigns/{campaign.code}/responses", "application/json"),
            (f"/c/{campaign.code}", "application/x-www-form-urlencoded"),
            ("/login", "application/x-www-form-urlencoded"),
        ):
            sent, reply = _send_chunked(port, path, kind, total=20 * 2**20)
            assert reply.startswith(b"HTTP/1.1 413"), reply[:80]
            assert sent < 5 * 2**20  # refused after the limit, not read in full
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()
    with app.state.sessions() as session:
        assert count_responses(session, campaign.id) == 0


def _send_chunked(port: int, path: str, kind: str, total: int) -> tuple[int, bytes]:
    import select
    import socket

    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
    )
    piece = b"10000\r\n" + b"x" * 65536 + b"\r\n"
    sent = 0
    try:
        while sent < total:
            if select.select([sock], [], [], 0)[0]:
                break  # the server answered
            sock.sendall(piece)
            sent += 65536
    except OSError:
        pass  # the server closed the connection after answering
    sock.settimeout(10)
    reply = b""
    with contextlib.suppress(OSError):
        reply = sock.recv(4096)
    sock.close()
    return sent, reply


# 7. log-in ---------------------------------------------------------------------------


def test_login_is_throttled_and_unknown_accounts_cost_a_hash(
    app, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    token = _csrf(client.get("/login").text)
    codes = [
        client.post(
            "/login", data={"email": "demo@gezondewijk.nl", "password": "fout", "csrf": token}
        ).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    r = client.post(
        "/login",
        data={"email": "demo@gezondewijk.nl", "password": "demo-wachtwoord", "csrf": token},
    )
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # locked for a while
    calls: list[str] = []
    real = repository.verify_password

    def counted(password: str, stored: str) -> bool:
        calls.append(stored)
        return real(password, stored)

    monkeypatch.setattr(repository, "verify_password", counted)
    with app.state.sessions() as session:
        assert repository.authenticate(session, "niemand@example.org", "x") is None
    assert len(calls) == 1  # the dummy hash was checked, as for a known account
    throttle = LoginThrottle(per_account=2, per_client=3, window_s=60)
    for _ in range(2):
        throttle.failed("a@x.nl", "c1")
    assert throttle.wait_s("A@x.nl", "c2") > 0 and throttle.wait_s("b@x.nl", "c2") == 0
    throttle.failed("b@x.nl", "c1")
    assert throttle.wait_s("c@x.nl", "c1") > 0  # per client too


# 8. production -----------------------------------------------------------------------


def test_production_refuses_demo_and_empty_admin_password(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ADMIN_PASSWORD"):
        WebSettings(environment="production", secret_key="s" * 40, admin_email="a@b.nl")
    env = {
        "GEZONDEWIJK_ENVIRONMENT": "production",
        "GEZONDEWIJK_SECRET_KEY": "s" * 40,
        "GEZONDEWIJK_ADMIN_EMAIL": "beheer@gemeente.nl",
        "GEZONDEWIJK_ADMIN_PASSWORD": "een-lang-wachtwoord",
        "GEZONDEWIJK_DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        "PATH": "/usr/bin:/bin",
    }
    run = subprocess.run(
        [sys.executable, "-m", "gezondewijk.cli", "serve", "--demo", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and "--demo" in run.stderr and "production" in run.stderr
    assert not (tmp_path / "p.db").exists()  # refused before anything was made


# 9. PDFs -------------------------------------------------------------------------------


def test_pdf_queue_is_bounded_cached_and_says_why(app, client: TestClient) -> None:
    with pytest.raises(PdfUnavailableError, match="apt-get install chromium"):
        PdfQueue("/nonexistent/chromium").render("<p>x</p>")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run 'make system-deps' (make test does)")
    queue = PdfQueue(CHROMIUM, max_waiting=1)
    try:
        first = queue.render("<h1>Overzicht</h1>")
        assert first.startswith(b"%PDF") and queue.render("<h1>Overzicht</h1>") == first
        assert queue.rendered == 1  # the second came from the cache
    finally:
        queue.close()
    full = PdfQueue(CHROMIUM, max_waiting=1)
    full._start = lambda: None  # type: ignore[method-assign]  # no worker: the queue stays full
    full._jobs.put_nowait(("<p>waiting</p>", Future()))
    with pytest.raises(PdfBusyError):
        full.render("<p>one more</p>")
    app.state.pdfs = full
    make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    _login(client)
    code = re.findall(r'href="/beheer/([A-Z0-9]{6})"', client.get("/beheer").text)[0]
    r = client.get(f"/beheer/{code}/spinnenweb.pdf")
    assert r.status_code == 503 and r.headers["retry-after"] == "10"


def test_pdfs_need_no_dev_extras() -> None:
    import tomllib

    from tests.conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("playwright") for d in project["dependencies"])


# 11, 15, 16: printed forms ---------------------------------------------------------------


def test_paper_form_and_empty_spider_web(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    _set(app, campaign, variant="children", scale="kind3")
    _login(client)
    paper = PdfReader(BytesIO(client.get(f"/beheer/{campaign.code}/papier.pdf").content))
    text = " ".join(p.extract_text() for p in paper.pages)
    assert len(paper.pages) >= 3
    for words in ("Leeftijd", "Molenwijk", "Aantal deelnemers", "Jouw buurt"):
        assert words in text, words
    assert "Gender" not in text  # children are not asked for gender
    spider = PdfReader(BytesIO(client.get(f"/beheer/{campaign.code}/spinnenweb.pdf").content))
    drawn = " ".join(spider.pages[0].extract_text().split())  # long names wrap on two lines
    from gezondewijk.leefplekmeter.themes import themes

    for theme in themes():
        assert theme.name["nl"].split(" (")[0] in drawn
    from gezondewijk.leefplekmeter.paper import empty_spider_svg

    svg = empty_spider_svg("x")
    assert svg.count("<line") == 14 and svg.count("<polygon") == 4  # a spoke per theme, 4 rings


def test_children_see_faces_and_no_gender(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=0)
    _set(app, campaign, variant="children", scale="kind3")
    page = client.get(f"/c/{campaign.code}").text
    assert page.count('class="face"') == 14 * 3
    assert page.count("niet fijn") == 14 and 'name="gender"' not in page
    assert "Jouw buurt" in page and "Uw buurt" not in page and " u " not in page


# 13, 15, 17, 20: what organisers and visitors read ------------------------------------


def test_organiser_pages_say_what_they_mean(app, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=AREAS, n=30)
    _set(app, campaign, starts_on=date(2026, 1, 5), ends_on=date(2099, 1, 1))
    csrf = _login(client)
    page = client.get(f"/beheer/{campaign.code}?compare_by=buurtcode").text
    for shown in ("standaard", "individueel", "5-1-2026", "Centrum (BU99990000)", "Molenwijk"):
        assert shown in page, shown
    assert "individual" not in page
    assert '<table class="groups">' in page and page.count('<th scope="col">Centrum') == 1
    assert re.search(r"<td>\d,\d</td>", page)  # Dutch decimals
    # identical comments once, with a count
    counts = re.findall(r'<span class="count">\((\d+)×\)</span>', page)
    assert counts and sum(int(c) for c in counts) > len(counts)
    wrong = client.post(
        "/beheer/nieuw",
        data={
            "title": "X",
            "areas": "BU99990000",
            "area_names": "Centrum; Molenwijk",
            "csrf": csrf,
        },
    )
    assert wrong.status_code == 422 and "2 buurtnamen voor 1 buurtcodes" in wrong.text
    token = re.search(
        r'name="form_token" value="([^"]+)"', client.get(f"/beheer/{campaign.code}/invoer").text
    ).group(1)  # type: ignore[union-attr]
    saved = client.post(
        f"/beheer/{campaign.code}/invoer",
        data={"form_token": token, "csrf": csrf, "score_wonen": "6", "group_size": "4"},
    )
    assert saved.status_code == 200 and "Formulier opgeslagen" in saved.text
    assert 'name="age_band"' in saved.text and 'name="group_size"' in saved.text
    assert "Er zijn nu 31 formulieren" in saved.text


def test_visitors_get_dutch_pages_head_and_api_docs(client: TestClient) -> None:
    assert client.head("/").status_code == 200
    home = client.get("/").text
    assert "Leefplekmeter" in home and 'href="/kaart"' in home and 'href="/docs"' in home
    missing = client.get("/bestaat-niet")
    assert missing.status_code == 404 and "Not Found" not in missing.text
    assert "bestaat niet" in missing.text
    assert client.get("/api", follow_redirects=False).headers["location"] == "/docs"
    docs = client.get("/docs").text
    assert "/vendor/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert "/vendor/redoc.standalone.js" in client.get("/redoc").text
    assert client.get("/vendor/swagger-ui-bundle.js").status_code == 200
    help_text = subprocess.run(
        [sys.executable, "-m", "gezondewijk.cli", "--help"], capture_output=True, text=True
    ).stdout
    assert ":func:" not in help_text and ":mod:" not in help_text and "``" not in help_text


# 10, 13, 14, 18: map, overview and fact sheet -----------------------------------------


def test_overview_and_fact_sheet_read_right(map_dir: Path, tmp_path: Path) -> None:
    from gezondewijk.reports import load_map_data, overview

    data = load_map_data(map_dir)
    ov = overview(data)
    ses = data.buurten.set_index("buurtcode")["ses_woa"]
    shown = ov.table.set_index("buurtcode")["kwetsbaarheid_waarde"]
    # plotted and shown as published, not sign-flipped
    assert np.allclose(shown, ses.reindex(shown.index), equal_nan=True)
    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/w.db", map_dir=map_dir))
    client = TestClient(app)
    page = client.get("/overzicht").text
    for internal in ("lonely_pct", "no2+pm25", "population_density", ">sii<", "kloof_q1_q5"):
        assert internal not in page, internal
    assert "((" not in page and "SII: absolute kloof" in page and "Slope Index" in page
    code = str(data.buurten["buurtcode"].iloc[0])
    sheet = client.get(f"/buurt/{code}").text
    header = re.search(r"<thead>(.*?)</thead>", sheet, re.S).group(1)  # type: ignore[union-attr]
    row = re.search(r"<tbody>\s*(<tr.*?</tr>)", sheet, re.S).group(1)  # type: ignore[union-attr]
    assert header.count("<th") == row.count("<th") + row.count("<td")
    if "Gemeente" not in header:
        assert "geen kolom" in sheet  # the page says why the column is missing
    assert not re.search(r"<td>\d+\.\d ", sheet)  # no English decimals
    layers = client.get("/kaart/lagen.json").json()
    colours = layers["score_colours"]
    assert len(colours) == layers["max_score"] + 1 and len(set(colours)) == len(colours)
    app.state.engine.dispose()

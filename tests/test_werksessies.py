"""Werksessies through the web app and its storage, on SQLite and PostgreSQL.

The rules of issue 8: only the facilitator changes steps and removes others' input; a
participant edits and removes their own while the step is open; a closed step is read-only;
input limits give Dutch messages that name the field; reconnecting and restarting lose
nothing; the facilitator can export and delete everything; no address is stored.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select

from gezondewijk.leefplekmeter.themes import themes
from gezondewijk.reports import load_map_data
from gezondewijk.reports.slide import inequality_slide
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Base, WorkshopEvent
from gezondewijk.store.repository import create_user
from gezondewijk.web import WebSettings, create_app
from gezondewijk.werkvormen.agreements import Agreement, agreements_csv, agreements_markdown
from gezondewijk.werkvormen.catalogue import work_forms
from gezondewijk.werkvormen.inputs import MAX_TEXT
from gezondewijk.werkvormen.session import (
    MAX_ENTRIES_PER_STEP,
    parse_entry,
    parse_workshop,
    plan,
)
from gezondewijk.werkvormen.walk import GroupWeb, compare_walk

LEADER = ("leider@example.org", "een-lang-wachtwoord")


def _csrf(text: str) -> str:
    found = re.search(r'data-csrf="([^"]+)"', text) or re.search(
        r'name="csrf" value="([^"]+)"', text
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def _leader(app: Any, email: str = LEADER[0]) -> tuple[TestClient, str]:
    with transaction(app.state.sessions) as session:
        create_user(session, email, "Leider", LEADER[1])
    client = TestClient(app)
    token = _csrf(client.get("/login").text)
    r = client.post("/login", data={"email": email, "password": LEADER[1], "csrf": token})
    assert r.status_code == 200
    return client, _csrf(client.get("/beheer/sessies").text)


def _workshop(
    lead: TestClient, csrf: str, *forms: str, series: str = ""
) -> tuple[str, dict[str, int]]:
    r = lead.post(
        "/beheer/sessies",
        data={
            "csrf": csrf,
            "title": "Sessie",
            "series": series,
            "forms": list(forms),
            "groups": "2",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    code = r.headers["location"].split("/")[2]
    page = lead.get(f"/sessie/{code}/leiden").text
    steps: dict[str, int] = {}
    for step_id, title in re.findall(
        r'action="/sessie/\w+/leiden/stap/(\d+)".*?<span class="vh"> ([^<]+)</span>', page, re.S
    ):
        steps.setdefault(title, int(step_id))
    return code, steps


def _join(app: Any, code: str, name: str, domain: str = "") -> tuple[TestClient, str]:
    person = TestClient(app)
    r = person.post(f"/sessie/{code}/meedoen", data={"name": name, "domain": domain})
    assert r.status_code == 200, r.text
    return person, _csrf(r.text)


def _state(lead: TestClient, csrf: str, code: str, step: int, state: str) -> None:
    r = lead.post(
        f"/sessie/{code}/leiden/stap/{step}",
        data={"csrf": csrf, "state": state},
        headers={"X-Live": "1"},
    )
    assert r.status_code == 204, r.text


def _add(client: TestClient, csrf: str, code: str, step: int, **fields: str) -> Any:
    return client.post(
        f"/sessie/{code}/stap/{step}/invoer", data={"csrf": csrf, **fields}, headers={"X-Live": "1"}
    )


def _problem(r: Any) -> str:
    """The first problem of a refusal in the app's one error shape."""
    return str(r.json()["error"]["problems"][0]["problem"])


def _entries(lead: TestClient, code: str) -> list[dict[str, Any]]:
    return list(lead.get(f"/sessie/{code}/export.json").json()["entries"])


# --- plain data ---------------------------------------------------------------------------


def test_plan_follows_the_workbook_timing() -> None:
    steps = plan(["beleidsscan"], groups=3)
    minutes = {s.step_key: s.minutes for s in steps}
    assert minutes["pitches"] == 15  # 5 minutes per pair
    assert minutes["scan"] == 180 and steps[1].step.homework
    assert [s.step_key for s in plan(["kennismakingsronde"])] == ["uitleg", "ronde", "verschillen"]


def test_bad_workshop_and_entry_input_name_the_field() -> None:
    with pytest.raises(ValueError) as caught:
        parse_workshop({"title": "", "forms": ["bestaat-niet"], "groups": "99"})
    fields = {e.field for e in caught.value.errors}  # type: ignore[attr-defined]
    assert fields == {"title", "forms", "groups"}
    causes = work_forms()["oorzaak-ruimte-oplossing"].step("oorzaken")
    with pytest.raises(ValueError) as caught:
        parse_entry(causes, {"text": "x" * (MAX_TEXT + 5), "relation": "+++", "measure": "Iets"})
    messages = {e.field: e.problem for e in caught.value.errors}  # type: ignore[attr-defined]
    assert set(messages) == {"text", "category", "relation", "measure"}
    assert "500" in messages["text"] and "catalogus" in messages["measure"]
    stress = work_forms()["omgeving-en-stress"].step("tweetallen")
    with pytest.raises(ValueError, match="Voor wie"):
        parse_entry(stress, {"text": "Lawaai", "everyone": "nee"})
    ok = parse_entry(stress, {"text": " Lawaai\x00 ", "everyone": "ja", "for_whom": "x"})
    assert ok.text == "Lawaai" and ok.detail == {"everyone": True, "for_whom": ""}


def test_agreement_exports_are_safe() -> None:
    rows = [Agreement('=HYPERLINK("http://x")', "Anna | Bram", "2026-12-01", "Koppelen", "Leider")]
    text = agreements_csv(rows)
    assert "'=HYPERLINK" in text and "1-12-2026" in text
    md = agreements_markdown("Titel", rows)
    assert "Anna \\| Bram" in md  # a pipe cannot break the table


# --- through the app, on both databases --------------------------------------------------


def test_schema_of_the_migrations_matches_the_models(app: Any) -> None:
    found = set(inspect(app.state.engine).get_table_names())
    assert {t for t in Base.metadata.tables} <= found
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.state.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if re.search("workshop|photo|campaign", repr(d))] == []


def test_rules_of_a_workshop(app: Any) -> None:
    lead, csrf = _leader(app)
    code, steps = _workshop(lead, csrf, "brengen-en-halen")
    anna, anna_csrf = _join(app, code, "Anna", "sociaal")
    bram, bram_csrf = _join(app, code, "Bram", "fysiek")
    offers = steps["Ronde 1: wat brengen wij?"]

    # not started: nothing can be added
    r = _add(anna, anna_csrf, code, offers, text="Kaarten")
    assert (
        r.status_code == 409 and "nog niet begonnen" in r.json()["error"]["problems"][0]["problem"]
    )
    # only the facilitator starts steps
    r = anna.post(
        f"/sessie/{code}/leiden/stap/{offers}",
        data={"csrf": anna_csrf, "state": "open"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/login"
    states = {s["id"]: s["state"] for s in lead.get(f"/sessie/{code}/export.json").json()["steps"]}
    assert states[offers] == "wacht"
    _state(lead, csrf, code, offers, "open")

    assert _add(anna, anna_csrf, code, offers, text="Kaarten van eenzaamheid").status_code == 204
    # a request from another site carries no valid token
    assert _add(anna, "vervalst", code, offers, text="x").status_code == 403
    # someone else's input: not Bram's to change or remove
    mine = _entries(lead, code)[0]
    r = bram.post(
        f"/sessie/{code}/invoer/{mine['id']}/verwijder",
        data={"csrf": bram_csrf},
        headers={"X-Live": "1"},
    )
    assert r.status_code == 403 and "iemand anders" in r.json()["error"]["problems"][0]["problem"]
    # one's own: editable while open
    r = anna.post(
        f"/sessie/{code}/invoer/{mine['id']}/wijzig",
        data={"csrf": anna_csrf, "text": "Kaarten van eenzaamheid per buurt"},
        headers={"X-Live": "1"},
    )
    assert r.status_code == 204
    assert _entries(lead, code)[0]["text"] == "Kaarten van eenzaamheid per buurt"
    # closed: read-only for participants, not for the facilitator
    _state(lead, csrf, code, offers, "dicht")
    r = anna.post(
        f"/sessie/{code}/invoer/{mine['id']}/wijzig",
        data={"csrf": anna_csrf, "text": "later"},
        headers={"X-Live": "1"},
    )
    # a closed step is a conflict (409) wherever it is met; someone else's input is 403
    assert r.status_code == 409 and "gesloten" in r.json()["error"]["problems"][0]["problem"]
    assert _add(bram, bram_csrf, code, offers, text="Te laat").status_code == 409
    r = lead.post(
        f"/sessie/{code}/invoer/{mine['id']}/verwijder",
        data={"csrf": csrf},
        headers={"X-Live": "1"},
    )
    assert r.status_code == 204 and _entries(lead, code) == []
    # the participant's page shows the closed step read-only (no add form)
    page = anna.get(f"/sessie/{code}").text
    assert 'class="add"' not in page and "Eerdere stappen" in page


def test_limits_and_messages(app: Any) -> None:
    lead, csrf = _leader(app)
    code, steps = _workshop(lead, csrf, "kennismakingsronde")
    person = TestClient(app)
    r = person.post(f"/sessie/{code}/meedoen", data={"name": "   "})
    assert r.status_code == 422 and "Vul een naam in" in r.text
    anna, anna_csrf = _join(app, code, "Anna")
    step = steps["Wat betekent gezondheid voor mij?"]
    _state(lead, csrf, code, step, "open")
    r = _add(anna, anna_csrf, code, step, text="x" * (MAX_TEXT + 1), category="Zingeving")
    assert r.status_code == 422
    (problem,) = r.json()["error"]["problems"]  # the app's one error shape
    assert (problem["field"], problem["problem"]) == (
        "text",
        f"De tekst is langer dan {MAX_TEXT} tekens.",
    )
    r = _add(anna, anna_csrf, code, step, text="Wandelen")
    assert r.json()["error"]["problems"][0]["field"] == "category"
    for n in range(MAX_ENTRIES_PER_STEP):
        assert (
            _add(anna, anna_csrf, code, step, text=f"idee {n}", category="Meedoen").status_code
            == 204
        )
    r = _add(anna, anna_csrf, code, step, text="nog een", category="Meedoen")
    assert (
        r.status_code == 409
        and str(MAX_ENTRIES_PER_STEP) in r.json()["error"]["problems"][0]["problem"]
    )
    # without JavaScript the same refusal is a page that says what to do
    r = anna.post(f"/sessie/{code}/stap/{step}/invoer", data={"csrf": anna_csrf, "text": ""})
    assert r.status_code == 422 and "Vul iets in" in r.text and f"/sessie/{code}" in r.text
    # a body with no Content-Length (chunked) is still counted against the limit
    big = iter([b"csrf=x&text=", b"y" * 300_000])
    r = anna.post(
        f"/sessie/{code}/stap/{step}/invoer",
        content=big,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413


def test_votes_replace_and_stressors_flag_look_alikes(app: Any) -> None:
    lead, csrf = _leader(app)
    code, steps = _workshop(lead, csrf, "omgeving-en-stress", "beleidsscan")
    anna, anna_csrf = _join(app, code, "Anna", "sociaal")
    vote = steps["Welke strategie past bij ons?"]
    _state(lead, csrf, code, vote, "open")
    assert _add(anna, anna_csrf, code, vote, text="Gezondheid staat centraal").status_code == 204
    assert _add(anna, anna_csrf, code, vote, text="Eén gezondheidsthema voorop").status_code == 204
    assert _add(anna, anna_csrf, code, vote, text="Iets anders").status_code == 422
    votes = [e for e in _entries(lead, code) if e["kind"] == "stemming"]
    assert [v["text"] for v in votes] == ["Eén gezondheidsthema voorop"]  # one vote each
    assert "1 (100 %)" in lead.get(f"/sessie/{code}/leiden").text

    pairs = steps["Tweetallen: wat geeft stress?"]
    _state(lead, csrf, code, pairs, "open")
    _add(anna, anna_csrf, code, pairs, text="Lawaai van het verkeer", everyone="ja")
    _add(anna, anna_csrf, code, pairs, text="Verkeerslawaai", everyone="nee", for_whom="ouderen")
    _add(anna, anna_csrf, code, pairs, text="Geen bankjes om uit te rusten", everyone="ja")
    page = anna.get(f"/sessie/{code}").text
    flagged = re.findall(r"Lijkt al genoemd: ([^<]+)", page)
    assert flagged == ["“Lawaai van het verkeer”"]


def test_reconnect_and_restart_lose_nothing(db_url: str) -> None:
    settings = WebSettings(database_url=db_url, secret_key="k" * 40)
    app = create_app(settings)
    lead, csrf = _leader(app)
    code, steps = _workshop(lead, csrf, "oorzaak-ruimte-oplossing")
    anna, anna_csrf = _join(app, code, "Anna")
    step = steps["Oorzaken, relatie met ruimte en oplossingen"]
    _state(lead, csrf, code, step, "open")
    for n in range(3):
        r = _add(
            anna,
            anna_csrf,
            code,
            step,
            text=f"oorzaak {n}",
            category="Eenzaamheid ouderen",
            relation="++",
        )
        assert r.status_code == 204
    app.state.engine.dispose()

    # a new process on the same database: the log is complete and in order
    again = create_app(settings)
    with again.state.sessions() as session:
        seqs = list(session.scalars(select(WorkshopEvent.seq).order_by(WorkshopEvent.seq)))
    assert seqs == list(range(1, len(seqs) + 1))
    browser = TestClient(again, cookies=anna.cookies)  # the same cookie, the restarted server
    page = browser.get(f"/sessie/{code}").text
    assert all(f"oorzaak {n}" in page for n in range(3))
    assert "3 oorzaken (minstens 5 is het doel)" in page

    # a stream that reconnects after change 4 gets the step's input as it is now
    async def first_messages() -> list[Any]:
        hub = again.state.live
        with again.state.sessions() as session:
            workshop_id = session.scalar(select(WorkshopEvent.workshop_id))
        async with hub.subscribe(workshop_id, 4) as sub:
            return await asyncio.wait_for(sub.queue.get(), 5)

    messages = asyncio.run(first_messages())
    contents = [m for m in messages if m[1] == "inhoud"]
    assert contents and contents[-1][0] == seqs[-1]
    assert all(f"oorzaak {n}" in contents[-1][2]["html"] for n in range(3))
    again.state.engine.dispose()


def test_series_export_delete_and_no_addresses(app: Any) -> None:
    lead, csrf = _leader(app)
    first, steps = _workshop(lead, csrf, "kennismakingsronde", "brengen-en-halen", series="Noord")
    agree = steps["Conclusies en vervolgafspraken"]
    _state(lead, csrf, first, agree, "open")
    r = _add(lead, csrf, first, agree, text="=Kaarten delen", owner="Anna", due="2026-12-01")
    assert r.status_code == 204
    csv_text = lead.get(f"/sessie/{first}/afspraken.csv").text
    assert "'=Kaarten delen" in csv_text and "1-12-2026" in csv_text
    # the next workshop of the series opens with what was agreed
    second, _ = _workshop(lead, csrf, "omgeving-en-stress", series="Noord")
    anna, _ = _join(app, second, "Anna")
    page = anna.get(f"/sessie/{second}").text
    assert "Wat hebben we afgesproken?" in page and "=Kaarten delen" in page
    # another organiser cannot lead, export or delete it
    other, other_csrf = _leader(app, "ander@example.org")
    assert other.get(f"/sessie/{second}/leiden").status_code == 403
    assert other.get(f"/sessie/{second}/export.json").status_code == 403
    r = other.post(f"/sessie/{second}/verwijderen", data={"csrf": other_csrf, "confirm": second})
    assert r.status_code == 403
    # nothing stored looks like an address or a browser
    with app.state.sessions() as session:
        dump = json.dumps(
            [
                [str(v) for v in row]
                for table in Base.metadata.sorted_tables
                if table.name.startswith("workshop")
                for row in session.execute(table.select()).all()
            ]
        )
    assert "127.0.0.1" not in dump and "testclient" not in dump.lower()
    # delete: confirmation by code, then everything is gone
    r = lead.post(f"/sessie/{second}/verwijderen", data={"csrf": csrf, "confirm": "fout"})
    assert r.status_code == 422
    r = lead.post(f"/sessie/{second}/verwijderen", data={"csrf": csrf, "confirm": second})
    assert r.status_code == 200
    assert lead.get(f"/sessie/{second}/leiden").status_code == 404
    assert anna.get(f"/sessie/{second}").status_code == 404
    assert lead.get(f"/sessie/{first}/leiden").status_code == 200  # the other one stays


# --- wandeling met de Leefplekmeter and the slide ----------------------------------------


def _web(group: int, moment: str, **scores: int | None) -> GroupWeb:
    return GroupWeb(group, moment, scores)


def test_walk_comparison_by_hand() -> None:
    before = [
        _web(1, "voor", bewegen=4, natuur_groen=None, wonen=5),
        _web(2, "voor", bewegen=6, natuur_groen=3),
    ]
    after = [
        _web(1, "na", bewegen=6, natuur_groen=2, wonen=5),
        _web(2, "na", bewegen=6, natuur_groen=7),
        _web(3, "na", bewegen=1),  # no web before: counts in the spread, not in the change
    ]
    c = compare_walk(before, after)
    rows = {t.key: t for t in c.themes}
    assert c.groups == [1, 2, 3] and c.paired == 2
    # bewegen: changes +2 (group 1) and 0 (group 2) → +1; after 6, 6, 1 → spread 5
    assert rows["bewegen"].change == 1.0 and rows["bewegen"].spread == 5.0
    assert rows["bewegen"].changes == {1: 2.0, 2: 0.0} and rows["bewegen"].shift == 1.0
    assert rows["bewegen"].before == 5.0 and rows["bewegen"].after == pytest.approx(13 / 3)
    # natuur_groen: group 1 did not know before (no pair), group 2 went 3 → 7
    assert rows["natuur_groen"].change == 4.0 and rows["natuur_groen"].unknown_before == 1
    assert rows["wonen"].change == 0.0 and rows["wonen"].spread is None  # one group after
    assert [t.key for t in c.most_changed()] == ["natuur_groen", "bewegen"]  # 0 is no change
    assert [t.key for t in c.most_apart(1)] == ["bewegen"]
    assert (c.unknown_before, c.unknown_after) == (1, 0)


def test_group_web_is_checked_like_a_leefplekmeter_form() -> None:
    step = work_forms()["wandeling"].step("voor")
    with pytest.raises(ValueError) as caught:
        parse_entry(step, {"group": "3", "score_bewegen": "9"}, groups=2)
    messages = {e.field: e.problem for e in caught.value.errors}  # type: ignore[attr-defined]
    assert set(messages) == {"group", "score_bewegen"}
    assert "1 tot 7" in messages["score_bewegen"]
    with pytest.raises(ValueError, match="nog geen enkel thema"):
        parse_entry(step, {"group": "1"}, groups=2)
    ok = parse_entry(step, {"group": "2", "score_bewegen": "3", "score_wonen": "weet"}, groups=2)
    assert ok.category == "Groep 2"
    assert ok.detail == {"moment": "voor", "group": 2, "scores": {"bewegen": 3, "wonen": None}}


def test_slide_uses_the_runs_own_figures(map_dir: Path) -> None:
    data = load_map_data(map_dir)
    slide = inequality_slide(data)
    health = data.buurten.dropna(subset=["good_health_pct"])
    best = health.loc[health["good_health_pct"].idxmax()]
    worst = health.loc[health["good_health_pct"].idxmin()]
    gap = round(best["good_health_pct"] - worst["good_health_pct"])
    assert slide.figures[0].value == f"{gap} procentpunt"
    assert (
        best["buurtnaam"] in slide.figures[0].text and worst["buurtnaam"] in slide.figures[0].text
    )
    table = data.inequality
    assert table is not None
    row = table[(table["variabele"] == "good_health_pct") & (table["maat"] == "kloof_q1_q5")]
    assert slide.figures[1].value == f"{round(abs(row['schatting'].iloc[0]))} procentpunt"
    assert slide.figures[1].text.startswith("minder")  # fewer healthy in the vulnerable fifth
    assert slide.synthetic and "8 jaar korter" in slide.national
    assert inequality_slide(None).figures == []


@pytest.fixture
def map_app(db_url: str, map_dir: Path) -> Any:
    app = create_app(
        WebSettings(database_url=db_url, submit_limit_per_minute=10_000, map_dir=map_dir)
    )
    yield app
    app.state.engine.dispose()


def _scores(value: int | str, **other: int | str) -> dict[str, str]:
    return {f"score_{t.key}": str(other.get(t.key, value)) for t in themes()}


def test_walk_and_slide_in_a_workshop(map_app: Any) -> None:
    lead, csrf = _leader(map_app)
    code, steps = _workshop(lead, csrf, "kennismakingsronde", "wandeling")
    anna, anna_csrf = _join(map_app, code, "Anna")
    bram, bram_csrf = _join(map_app, code, "Bram")
    # the slide with the run's own figures
    _state(lead, csrf, code, steps["Gezondheidsverschillen"], "open")
    page = anna.get(f"/sessie/{code}").text
    assert "procentpunt" in page and "8 jaar korter" in page and "verzonnen voorbeelddata" in page
    # the walk area: a buurt by name; an unknown one is refused with the fix
    data = load_map_data(map_app.state.settings.map_dir)
    name = str(data.buurten["buurtnaam"].iloc[0])
    r = lead.post(f"/sessie/{code}/leiden/gebied", data={"csrf": csrf, "area": "Atlantis"})
    assert r.status_code == 422 and "Geen buurt gevonden voor &#39;Atlantis&#39;" in r.text
    assert "Oplossing: typ een deel van de buurtnaam" in r.text
    # the picker lists "Naam (code)"; what it gives is taken by its code
    picked = f"{name} ({data.buurten['buurtcode'].iloc[0]})"
    assert f'<option value="{picked}">' in lead.get(f"/sessie/{code}/leiden").text
    r = lead.post(f"/sessie/{code}/leiden/gebied", data={"csrf": csrf, "area": picked})
    assert r.status_code == 200
    r = anna.post(f"/sessie/{code}/leiden/gebied", data={"csrf": anna_csrf, "area": name})
    assert r.status_code in (303, 401, 403) or "/login" in str(r.url)  # not the facilitator
    # before the walk: one web per group, sent again → replaced
    before = steps["Vooraf: wat weten we van achter het bureau?"]
    _state(lead, csrf, code, before, "open")
    page = anna.get(f"/sessie/{code}").text
    assert f"Wandelgebied: {name}" in page and "/kaart.png" in page
    assert 'name="score_bewegen"' in page and 'value="weet"' in page
    assert _add(anna, anna_csrf, code, before, group="1", **_scores(3)).status_code == 204
    assert _add(bram, bram_csrf, code, before, group="2", **_scores(5)).status_code == 204
    r = _add(bram, bram_csrf, code, before, group="1", **_scores(4, wonen="weet"))
    assert r.status_code == 204  # Bram corrects group 1's web: it replaces Anna's
    webs = [e for e in _entries(lead, code) if e["kind"] == "spinnenweb"]
    assert len(webs) == 2 and {w["author"] for w in webs} == {"Bram"}
    page = bram.get(f"/sessie/{code}").text  # the form starts from the group's web so far
    assert 'name="score_bewegen" value="4" checked' in page
    assert 'name="score_wonen" value="weet" checked' in page
    r = _add(anna, anna_csrf, code, before, group="7", **_scores(3))
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == "group"
    # after the walk: the comparison names where they changed most and disagree most
    after = steps["Spinnenweb na de wandeling"]
    _state(lead, csrf, code, after, "open")
    r = _add(anna, anna_csrf, code, before, group="1", **_scores(6))
    assert r.status_code == 409  # the step before the walk is closed now
    assert _add(anna, anna_csrf, code, after, group="1", **_scores(4, natuur_groen=7)).is_success
    assert _add(bram, bram_csrf, code, after, group="2", **_scores(5, natuur_groen=1)).is_success
    page = lead.get(f"/sessie/{code}/leiden").text
    moved = page.split("Het meest veranderd door de wandeling")[1].split("</ul>")[0]
    # group 1: 4 → 7, group 2: 5 → 1: on average 3.5 points different, whichever way
    assert "Natuur en groen" in moved and "3,5" in moved and "Groep 2: −4" in moved
    assert "Bewegen" not in moved  # unchanged
    apart = page.split("Waar de groepen het minst eens zijn")[1].split("</ul>")[0]
    assert "Natuur en groen" in apart and "6 punten" in apart
    assert "Groep 1: vooraf en na de wandeling" in page and page.count("<svg") >= 3
    assert "“Weet ik niet”: 1 keer vooraf, 0 keer na de wandeling." in page

"""The survey under load, made correct: group commits, shared limits, the campaign cache."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from gezondewijk.demo.leefplekmeter import make_demo_campaign
from gezondewijk.leefplekmeter.themes import theme_keys
from gezondewijk.store.db import make_engine, migrate, session_factory, transaction
from gezondewijk.store.models import Campaign, Response, WindowCount
from gezondewijk.store.throttle import WindowCounts
from gezondewijk.store.writes import GroupCommit
from gezondewijk.web import WebSettings, create_app
from gezondewijk.web.campaign_cache import CampaignCache

SECRET = "scale-test-secret-" + "s" * 32


def _apps(db_url: str, n: int, **settings: Any) -> list[Any]:
    """``n`` apps on one database, as ``serve --workers n`` runs them (shared secret)."""
    return [
        create_app(
            WebSettings(database_url=db_url, secret_key=SECRET, shared_limits=True, **settings)
        )
        for _ in range(n)
    ]


@pytest.fixture
def two_workers(db_url: str) -> Iterator[list[Any]]:
    apps = _apps(db_url, 2, submit_limit_per_minute=3)
    yield apps
    for a in apps:
        a.state.engine.dispose()


def _post(client: TestClient, code: str) -> int:
    token = client.get(f"/api/campaigns/{code}").json()["form_token"]
    body = {"form_token": token, "answers": [{"theme": k, "score": 6} for k in theme_keys()]}
    return client.post(f"/api/campaigns/{code}/responses", json=body).status_code


def test_group_commit_gives_each_caller_its_own_result_or_error(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    campaign = make_demo_campaign(session_factory(engine), areas=[], n=0)
    group = GroupCommit(engine)
    leader_writing = threading.Event()

    def form(token: str, slow: bool = False) -> Any:
        def write(conn: Any) -> int:
            if slow:  # hold the first transaction open so that the others queue up behind it
                leader_writing.set()
                time.sleep(0.3)
            new = insert(Response).values(campaign_id=campaign.id, form_token=token, variant="x")
            return int(conn.execute(new.returning(Response.id)).scalar_one())

        return write

    results: list[Any] = []

    def call(token: str, slow: bool = False) -> None:
        try:
            results.append(group.run(form(token, slow)))
        except Exception as exc:  # kept for the assertions
            results.append(exc)

    leader = threading.Thread(target=call, args=("lead", True))
    leader.start()
    assert leader_writing.wait(10)
    # 20 queue up behind the leader; one of them repeats a token of the same batch
    tokens = [f"t{i}" for i in range(20)] + ["t3"]
    threads = [threading.Thread(target=call, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
        time.sleep(0.005)
    for t in [leader, *threads]:
        t.join(30)
    ids = [v for v in results if isinstance(v, int)]
    errors = [v for v in results if isinstance(v, Exception)]
    assert len(ids) + len(errors) == 22, results
    # the batch with the repeated token failed as a whole, and was redone job by job
    assert len(ids) == 21 and len(set(ids)) == 21, errors
    assert len(errors) == 1 and isinstance(errors[0], IntegrityError)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count(Response.id))).scalar_one()
    assert stored == 21
    engine.dispose()


def test_group_commit_serves_async_callers_and_its_writer_ends_when_idle(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    campaign = make_demo_campaign(session_factory(engine), areas=[], n=0)
    group = GroupCommit(engine, idle_s=0.2)

    def form(token: str) -> Any:
        new = insert(Response).values(campaign_id=campaign.id, form_token=token, variant="x")
        return lambda conn: int(conn.execute(new.returning(Response.id)).scalar_one())

    async def residents(tokens: list[str]) -> list[Any]:
        return await asyncio.gather(
            *(group.run_async(form(t)) for t in tokens), return_exceptions=True
        )

    results = asyncio.run(residents([f"a{i}" for i in range(30)] + ["a7"]))
    ids = [r for r in results if isinstance(r, int)]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert isinstance(results[-1], IntegrityError)  # the repeated token: its own error
    deadline = time.monotonic() + 10
    while group._writing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not group._writing, "the writer thread ends when there is nothing to write"
    assert group.run(form("after")) > max(ids)  # and starts again for the next write
    engine.dispose()


def test_a_write_whose_caller_gave_up_is_skipped_and_the_others_are_answered(
    db_url: str,
) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    campaign = make_demo_campaign(session_factory(engine), areas=[], n=0)
    group = GroupCommit(engine)
    writing, go_on = threading.Event(), threading.Event()

    def form(token: str, hold: bool = False) -> Any:
        def write(conn: Any) -> int:
            if hold:  # keep the writer busy while the next batch queues up
                writing.set()
                go_on.wait(10)
            new = insert(Response).values(campaign_id=campaign.id, form_token=token, variant="x")
            return int(conn.execute(new.returning(Response.id)).scalar_one())

        return write

    first = group.submit(form("first", hold=True))
    assert writing.wait(10)
    queued = [group.submit(form(f"q{i}")) for i in range(5)]
    assert queued[2].cancel()  # the resident's request was cancelled while waiting
    go_on.set()
    assert first.result(10) > 0
    ids = [f.result(10) for i, f in enumerate(queued) if i != 2]
    assert len(set(ids)) == 4
    with engine.connect() as conn:
        tokens = set(conn.execute(select(Response.form_token)).scalars())
    assert "q2" not in tokens and {"first", "q0", "q1", "q3", "q4"} <= tokens
    engine.dispose()


def test_sliding_window_weighs_the_previous_window(db_url: str) -> None:
    """Cloudflare's estimate p (1 - f) + c, with p read in the same statement as the count."""
    migrate(db_url)
    engine = make_engine(db_url)
    counts = WindowCounts(session_factory(engine), SECRET, 60)
    start = 1_800_000_000 // 60 * 60
    for second in (1, 2, 3, 4):
        counts.hit("c", now=start + second)  # four hits in one window
    assert counts.hit("c", now=start + 5).hits == 5
    # a quarter into the next window: 5 * 0.75 + 1 (this hit)
    assert counts.hit("c", now=start + 75).hits == pytest.approx(4.75)
    assert counts.estimate("c", now=start + 75).hits == pytest.approx(4.75)
    assert counts.hit("other", now=start + 75).hits == 1  # keys are counted apart
    # two windows on: the old rows no longer count (and are deleted)
    assert counts.hit("c", now=start + 150).hits == pytest.approx(0.5 * 1 + 1)
    with engine.connect() as conn:
        starts = set(conn.execute(select(WindowCount.start)).scalars())
    assert starts == {start + 60, start + 120}
    engine.dispose()


def test_rate_limit_is_one_limit_across_worker_processes(two_workers: list[Any]) -> None:
    first, second = two_workers
    campaign = make_demo_campaign(first.state.sessions, areas=[], n=0)
    clients = [TestClient(first), TestClient(second)]
    # alternating workers: a per-process counter would allow 3 on each (6 in all)
    codes = [_post(clients[i % 2], campaign.code) for i in range(6)]
    assert codes[:3] == [201, 201, 201] and codes[3:] == [429, 429, 429]
    with first.state.sessions() as session:
        rows = session.scalars(select(WindowCount)).all()
    assert rows, "the counts are in the database, not in one process"
    for row in rows:  # a keyed 16-byte hash, never the address itself
        assert len(row.key) == 16 and b"testclient" not in row.key
        assert row.span == 60 and row.start % 60 == 0


def test_failed_logins_count_for_every_worker(two_workers: list[Any]) -> None:
    first, second = two_workers
    make_demo_campaign(first.state.sessions, areas=[], n=0)  # makes the demo account
    clients = [TestClient(first), TestClient(second)]
    codes = []
    for i in range(7):
        c = clients[i % 2]
        page = c.get("/login").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        r = c.post(
            "/login",
            data={"email": "demo@gezondewijk.nl", "password": "fout", "csrf": csrf},
            follow_redirects=False,
        )
        codes.append(r.status_code)
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


def test_campaign_cache_reads_again_after_its_time_or_a_change(db_url: str) -> None:
    migrate(db_url)
    engine = make_engine(db_url)
    factory = session_factory(engine)
    campaign = make_demo_campaign(factory, areas=[], n=0)
    cache = CampaignCache(factory, ttl_s=0.3)
    assert cache.get(campaign.code.lower()) is not None  # codes are case-insensitive
    with transaction(factory) as session:
        stored = session.get(Campaign, campaign.id)
        assert stored is not None
        stored.status = "paused"
    # another process changed it: this one serves its copy for at most ttl_s
    cached = cache.get(campaign.code)
    assert cached is not None and cached.status == "open"
    time.sleep(0.35)
    fresh = cache.get(campaign.code)
    assert fresh is not None and fresh.status == "paused"
    with transaction(factory) as session:
        stored = session.get(Campaign, campaign.id)
        assert stored is not None
        stored.status = "open"
    cache.forget(campaign.code)  # what the organiser pages do after a change
    again = cache.get(campaign.code)
    assert again is not None and again.status == "open"
    assert cache.get("NOPE99") is None
    engine.dispose()


def test_organiser_pause_applies_at_once_in_its_worker(app: Any, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=[], n=0)
    assert _post(client, campaign.code) == 201  # now cached
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post(
        "/login", data={"email": "demo@gezondewijk.nl", "password": "demo-wachtwoord", "csrf": csrf}
    )
    beheer = client.get("/beheer").text
    csrf = beheer.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = client.post(f"/beheer/{campaign.code}/status", data={"status": "paused", "csrf": csrf})
    assert r.status_code in (200, 303)
    resident = TestClient(app)  # no organiser cookie
    assert _post(resident, campaign.code) == 403


def test_form_for_a_campaign_deleted_meanwhile_is_refused_and_not_stored(
    app: Any, client: TestClient
) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=[], n=0)
    token = client.get(f"/api/campaigns/{campaign.code}").json()["form_token"]  # cached now
    with transaction(app.state.sessions) as session:  # deleted by another worker
        session.delete(session.get(Campaign, campaign.id))
    body = {"form_token": token, "answers": [{"theme": k, "score": 6} for k in theme_keys()]}
    r = client.post(f"/api/campaigns/{campaign.code}/responses", json=body)
    assert r.status_code == 404
    assert "bestaat niet meer" in r.json()["error"]["message"]
    with app.state.sessions() as session:
        assert session.scalar(select(func.count(Response.id))) == 0


def test_residents_api_sets_no_cookie(app: Any, client: TestClient) -> None:
    campaign = make_demo_campaign(app.state.sessions, areas=[], n=0)
    info = client.get(f"/api/campaigns/{campaign.code}")
    assert info.status_code == 200 and "set-cookie" not in info.headers
    assert _post(client, campaign.code) == 201
    assert not client.cookies

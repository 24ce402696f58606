from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gezondewijk.demo import make_synthetic_town, write_synthetic_inputs
from gezondewijk.run import MapResult, build_map
from gezondewijk.settings import load_config
from tests.publishers import Publishers

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A file in ../shared/data; skip where absent (own clone), fail where CI=true."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        reason = f"real data not found at {path} (clone the project next to shared/)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    return write_synthetic_inputs(make_synthetic_town(), folder / "invoer")


@pytest.fixture(scope="session")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic town (addresses, street network, four destination layers), 20 draws."""
    config = write_synthetic_inputs(make_synthetic_town(), tmp_path_factory.mktemp("stad"))
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("synthetic = true", "synthetic = true\nstability_draws = 20"))
    return config


@pytest.fixture(scope="session")
def demo_result(demo_config: Path) -> MapResult:
    return build_map(load_config(demo_config), stream=None)


@pytest.fixture(scope="session")
def map_dir(demo_result: MapResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo run written as a map folder (read only: tests must not change it)."""
    from gezondewijk.outputs import write_all

    folder = tmp_path_factory.mktemp("kaart")
    write_all(demo_result, folder, html=False)
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh, empty database per test: SQLite in a temp file, and PostgreSQL for real.

    PostgreSQL comes from ``GEZONDEWIJK_TEST_POSTGRES_URL`` (``make test`` installs, starts and
    sets it); without it the PostgreSQL half skips, except where ``CI=true``.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gezondewijk.db'}"
        return
    admin_url = os.environ.get("GEZONDEWIJK_TEST_POSTGRES_URL")
    if not admin_url:
        reason = "GEZONDEWIJK_TEST_POSTGRES_URL not set (make test starts PostgreSQL and sets it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    import secrets

    import psycopg

    name = f"gw_test_{secrets.token_hex(4)}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    # an autovacuum worker (a superuser's process) may be in the database for a moment;
    # FORCE may not end it, so try again shortly (it is done in well under a second)
    for attempt in range(20):
        try:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            break
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture
def app(db_url: str):
    """The web app on a fresh database (SQLite and PostgreSQL), with no practical form limit."""
    from gezondewijk.web import WebSettings, create_app

    app = create_app(WebSettings(database_url=db_url, submit_limit_per_minute=10_000))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of :func:`app`."""
    from fastapi.testclient import TestClient

    return TestClient(app)


@pytest.fixture
def publishers() -> Iterator[Publishers]:
    """The publishers' services replayed on 127.0.0.1 (see tests/publishers.py)."""
    import re

    from pytest_httpserver import HTTPServer

    # threaded: a request held up by a time-out test must not block the retry behind it
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    fake = Publishers(server)
    server.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    yield fake
    server.clear()
    server.stop()


def _check_error_shape(response: object) -> None:
    """Every JSON error the app sends has the one shape (gezondewijk.web.errors)."""
    status = getattr(response, "status_code", 0)
    headers = getattr(response, "headers", {})
    if status < 400 or not str(headers.get("content-type", "")).startswith("application/json"):
        return
    if not getattr(response, "content", b"x"):  # a HEAD answer has the headers only
        return
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}, f"{status}: not the one error shape: {body}"
    assert set(body["error"]) == {"message", "problems"}, body
    for problem in body["error"]["problems"]:
        assert set(problem) == {"field", "problem", "fix"}, problem


@pytest.fixture(autouse=True)
def every_error_has_the_one_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test client answer with an error status is parsed and checked for the one shape."""
    from starlette.testclient import TestClient

    original = TestClient.request

    def checked(self: TestClient, *args: object, **kwargs: object) -> object:
        response = original(self, *args, **kwargs)  # type: ignore[arg-type]
        _check_error_shape(response)
        return response

    monkeypatch.setattr(TestClient, "request", checked)

"""One error shape: every error the app sends, JSON or page, comes from the one set of handlers."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from gezondewijk._errors import InputDataError
from gezondewijk.demo.leefplekmeter import make_demo_campaign
from gezondewijk.leefplekmeter.themes import theme_keys
from gezondewijk.reports.pdf import PdfBusyError, PdfUnavailableError
from gezondewijk.store.repository import TokenUsedElsewhereError
from gezondewijk.web import WebSettings, create_app

ROOT = Path(__file__).resolve().parents[1]
AREAS = [("BU99990000", "Centrum"), ("BU99990001", "Molenwijk")]


def _assert_shape(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"message", "problems"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"].strip()
    for problem in body["error"]["problems"]:
        assert set(problem) == {"field", "problem", "fix"}, problem


def _assert_page(response: Any, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<main id="inhoud"' in response.text or "<main" in response.text
    assert "Traceback" not in response.text


@pytest.fixture
def errors_app(db_url: str):
    app = create_app(WebSettings(database_url=db_url, submit_limit_per_minute=3))
    yield app
    app.state.engine.dispose()


def test_every_api_error_has_the_one_shape(errors_app) -> None:
    client = TestClient(errors_app)
    campaign = make_demo_campaign(errors_app.state.sessions, areas=AREAS, n=0)
    other = make_demo_campaign(errors_app.state.sessions, areas=AREAS, n=0)
    url = f"/api/campaigns/{campaign.code}/responses"
    _assert_shape(client.get("/api/campaigns/NOPE99"), 404)
    _assert_shape(client.get("/api/bestaat-niet"), 404)
    _assert_shape(client.delete(f"/api/campaigns/{campaign.code}"), 405)
    _assert_shape(
        client.post(url, content=b"{not json", headers={"content-type": "application/json"}), 422
    )
    _assert_shape(client.post(url, json={"answers": "geen lijst"}), 422)
    token = client.get(f"/api/campaigns/{campaign.code}").json()["form_token"]
    answers = [{"theme": k, "score": 11} for k in theme_keys()]
    _assert_shape(client.post(url, json={"form_token": token, "answers": answers}), 422)
    ok = client.post(url, json={"form_token": token, "answers": [{"theme": "wonen", "score": 5}]})
    assert ok.status_code == 201
    reused = client.post(
        f"/api/campaigns/{other.code}/responses",
        json={"form_token": token, "answers": [{"theme": "wonen", "score": 5}]},
    )
    _assert_shape(reused, 422)
    _assert_shape(
        client.post(url, content=b"x" * 300_000, headers={"content-type": "application/json"}), 413
    )
    for _ in range(5):
        fresh = client.get(f"/api/campaigns/{campaign.code}").json()["form_token"]
        last = client.post(
            url, json={"form_token": fresh, "answers": [{"theme": "wonen", "score": 5}]}
        )
    _assert_shape(last, 429)


def test_every_handler_writes_the_one_shape(errors_app) -> None:
    """Each registered handler, and an unexpected crash, answers in the same shape."""
    raised = {
        "input": InputDataError("kapot", field="x", fix="heel maken"),
        "token": TokenUsedElsewhereError("elders"),
        "busy": PdfBusyError(retry_after=10),
        "pdf": PdfUnavailableError("geen Chromium"),
        "crash": RuntimeError("onverwacht"),
    }
    for name, exc in raised.items():

        def boom(exc: Exception = exc) -> None:
            raise exc

        route = partial(boom, exc)
        errors_app.add_api_route(f"/api/_test/{name}", route, response_model=None)
        errors_app.add_api_route(f"/_test/{name}", route, response_model=None)
    client = TestClient(errors_app, raise_server_exceptions=False)
    statuses = {"input": 422, "token": 409, "busy": 503, "pdf": 503, "crash": 500}
    for name, status in statuses.items():
        _assert_shape(client.get(f"/api/_test/{name}"), status)
        _assert_page(client.get(f"/_test/{name}"), status)
    crash = client.get("/api/_test/crash").json()
    assert "onverwacht" not in crash["error"]["message"]  # no internals to the outside
    assert client.get("/api/_test/busy").headers["retry-after"] == "10"


def _instances() -> dict[str, Exception]:
    """One instance of every domain exception of gezondewijk._errors."""
    from gezondewijk import _errors

    special = {
        "PdfBusyError": lambda: _errors.PdfBusyError(retry_after=10),
        "InputDataErrors": lambda: _errors.InputDataErrors([InputDataError("x", field="y")]),
    }
    found: dict[str, Exception] = {}
    for name, cls in vars(_errors).items():
        if isinstance(cls, type) and issubclass(cls, _errors.GezondewijkError):
            found[name] = special[name]() if name in special else cls("Iets ging mis.")
    return found


def test_every_domain_exception_answers_with_its_own_status(errors_app) -> None:
    """The status lives on the exception class; the one handler writes the one shape."""
    instances = _instances()
    assert len(instances) >= 18  # the check sees the exceptions
    for name, exc in instances.items():

        def boom(exc: Exception = exc) -> None:
            raise exc

        errors_app.add_api_route(f"/api/_domain/{name}", partial(boom, exc), response_model=None)
    client = TestClient(errors_app, raise_server_exceptions=False)
    for name, exc in instances.items():
        status = 422 if isinstance(exc, InputDataError) else exc.status_code  # type: ignore[attr-defined]
        response = client.get(f"/api/_domain/{name}")
        _assert_shape(response, status)
        if status == 500:  # not meant for a visitor: nothing of the inside goes out
            assert "Iets ging mis" not in response.text
        if getattr(exc, "retry_after", None):
            assert response.headers["retry-after"] == str(exc.retry_after)  # type: ignore[attr-defined]


def test_every_domain_exception_is_in_errors_and_subclasses_a_built_in() -> None:

    outside = []
    for path in (ROOT / "src" / "gezondewijk").rglob("*.py"):
        if path.name == "_errors.py" or "vendor" in path.parts:
            continue
        for match in re.finditer(r"^class (\w+)\((.*)\):", path.read_text(encoding="utf-8"), re.M):
            if re.search(r"Error\b|Exception\b", match.group(2)):
                outside.append(f"{path.name}: {match.group(1)}")
    assert outside == ["http.py: NotFound", "http.py: Refused", "http.py: _TruncatedError"]
    for name, exc in _instances().items():
        builtins = [c for c in type(exc).__mro__ if c.__module__ == "builtins"]
        assert builtins[0] is not Exception or name == "GezondewijkError", name


def test_no_route_writes_an_error_body_itself() -> None:
    """Only web/errors.py builds error bodies; routes raise."""
    offenders = []
    for path in (ROOT / "src" / "gezondewijk" / "web").glob("*.py"):
        if path.name == "errors.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"[\"']error[\"']\s*:", text) or "error_body(" in text:
            offenders.append(path.name)
    assert not offenders


def test_the_guard_on_every_test_client_answer_sees_another_shape() -> None:
    """tests/conftest.py checks every JSON error answer of every test; it would see this."""
    from tests.conftest import _check_error_shape

    class Answer:
        status_code = 422
        headers: ClassVar[dict[str, str]] = {"content-type": "application/json"}

        def json(self) -> dict[str, Any]:
            return {"fouten": [{"veld": "x"}]}

    with pytest.raises(AssertionError, match="not the one error shape"):
        _check_error_shape(Answer())
    Answer.status_code = 200
    _check_error_shape(Answer())  # a success is not an error

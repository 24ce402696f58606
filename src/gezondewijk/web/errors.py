"""The one error shape of the web app, written by one set of handlers.

JSON under ``/api``: ``{"error": {"message": …, "problems": [{"field", "problem", "fix"}]}}``;
elsewhere a page in the site's design with the same message and problems. Routes raise
(``HTTPException``, :class:`~gezondewijk._errors.InputDataError`, …) and never build error
bodies themselves (as datasette's ``handle_exception``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gezondewijk._errors import GezondewijkError, InputDataError, InputDataErrors
from gezondewijk.web.security import apply_security_headers
from gezondewijk.web.state import state_of

#: Page titles per status, Dutch first.
TITLES = {
    400: "De vraag klopt niet / Bad request",
    403: "Geen toegang / Forbidden",
    404: "Niet gevonden / Not found",
    405: "Dit kan hier niet / Method not allowed",
    409: "Conflict",
    410: "Niet meer beschikbaar / Gone",
    413: "Te groot / Too large",
    422: "De invoer klopt niet / Invalid input",
    429: "Even wachten / Too many requests",
    500: "Er ging iets mis / Server error",
    503: "Even geduld / Service unavailable",
}
#: Messages for the statuses Starlette raises by itself (its detail is the English phrase).
DEFAULT_TEXT = {
    404: "Deze pagina of dit adres bestaat niet. Kijk of de link klopt, of begin op de "
    "startpagina. / This page does not exist.",
    405: "Dit adres kan zo niet gebruikt worden. / This address does not accept this method.",
    413: "Het verzoek is te groot. Maak de toelichting korter. / The request is too large; "
    "send shorter comments.",
}
#: The 413 of a photo upload: the photo, not the text, was too large.
PHOTO_TOO_LARGE = (
    "De foto is te groot om te versturen. Kies een kleinere foto, of maak hem eerst kleiner "
    "(een schermafbeelding of 'delen als JPEG' helpt); uw tekst kunt u hierna opnieuw "
    "invullen. / The photo is too large to send; choose a smaller one."
)


#: An absolute server path (``/srv/data/run/x.csv``, ``C:\\data\\x.csv``): its folders go.
_SERVER_PATH = re.compile(
    r"(?<![\w.:/])(?:[A-Za-z]:)?[/\\](?:[^\s/\\'\"<>]+[/\\])+(?=[^\s/\\'\"<>])"
)


def hide_paths(text: str) -> str:
    """``text`` with every absolute server path cut to its last part (never show server paths).

    ``bestand /srv/gezondewijk/scenarios/levenstafel.csv`` → ``bestand levenstafel.csv``.
    """
    return _SERVER_PATH.sub("", text)


def problems_of(errors: Iterable[InputDataError]) -> list[dict[str, str | None]]:
    """``field``, ``problem`` and ``fix`` of each error, without server paths."""
    return [
        {
            "field": e.field,
            "problem": hide_paths(e.problem),
            "fix": None if e.fix is None else hide_paths(e.fix),
        }
        for e in errors
    ]


def error_body(message: str, problems: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one JSON error shape."""
    return {"error": {"message": message, "problems": problems or []}}


def refusal_json(
    status: int, errors: Iterable[InputDataError], *, rows: bool = False
) -> JSONResponse:
    """The one error shape as JSON for a page's own script (werksessie, scenario editor).

    ``rows``: a problem of one of the scenario editor's numbered changes names it in its
    field, as a path like the API's (``wijzigingen.3.soort``), so the shape stays the one.
    """
    listed = list(errors)
    problems: list[dict[str, Any]] = list(problems_of(listed))
    if rows:
        problems = [
            {**p, "field": f"wijzigingen.{e.row}.{p['field'] or ''}".rstrip(".")}
            if e.row is not None
            else p
            for p, e in zip(problems, listed, strict=True)
        ]
    return JSONResponse(
        error_body(TITLES.get(status, "Niet opgeslagen"), problems), status_code=status
    )


def error_response(
    request: Request,
    status: int,
    message: str,
    problems: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """JSON for the API, a page for people; same message and problems; no server paths."""
    message = hide_paths(message)
    if request.url.path.startswith("/api") or request.url.path == "/openapi.json":
        return JSONResponse(
            error_body(message, problems), status_code=status, headers=dict(headers or {})
        )
    from gezondewijk.web.deps import render

    return render(
        request,
        "message.html",
        status_code=status,
        headers=dict(headers or {}),
        title=TITLES.get(status, f"Fout {status}"),
        text=message,
        problems=problems or [],
    )


class App(FastAPI):
    """FastAPI with :class:`TooLargeInOneShape` around its whole middleware stack."""

    def build_middleware_stack(self) -> ASGIApp:
        """Wrap the stack FastAPI builds (body limit included) in the 413 rewriter."""
        return TooLargeInOneShape(super().build_middleware_stack())


class TooLargeInOneShape:
    """Rewrite Starlette's own plain-text 413 into the one error shape (outermost layer).

    FastAPI's ``max_body_size`` (Starlette's ``RequestBodyLimitMiddleware``) sits outside the
    app's handlers and answers a declared ``Content-Length`` over the limit itself, in plain
    text; this layer, outside it, sends the same 413 as JSON under ``/api`` and as a page
    elsewhere, with the security headers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass everything through but a plain-text 413, which is sent again in the shape."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rewriting = False

        async def send_shaped(message: Message) -> None:
            nonlocal rewriting
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                rewriting = message["status"] == 413 and headers.get(
                    b"content-type", b""
                ).startswith(b"text/plain")
            if not rewriting:
                await send(message)
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                request = Request(scope)
                photo = request.url.path.endswith("/foto")
                response = error_response(
                    request, 413, PHOTO_TOO_LARGE if photo else DEFAULT_TEXT[413]
                )
                apply_security_headers(response, request.url.path, state_of(request).csp)
                await response(scope, receive, send)

        await self.app(scope, receive, send_shaped)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the one error shape."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 303 and exc.headers and "Location" in exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=303)
        detail = str(exc.detail)
        if detail in (HTTPStatus(exc.status_code).phrase, "Content Too Large"):
            detail = DEFAULT_TEXT.get(exc.status_code, detail)
        return error_response(request, exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "field": ".".join(str(p) for p in e["loc"]),
                "problem": e["msg"],
                "fix": "zie /docs / see /docs",
            }
            for e in exc.errors()
        ]
        return error_response(request, 422, TITLES[422], problems)

    @app.exception_handler(GezondewijkError)
    async def domain_error(request: Request, exc: GezondewijkError) -> Response:
        # the status and what to say live on the exception class (gezondewijk._errors)
        status = exc.status_code
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        if isinstance(exc, InputDataError):
            errors = exc.errors if isinstance(exc, InputDataErrors) else [exc]
            return error_response(request, 422, TITLES[422], problems_of(errors))
        if status >= 500 and status != 503:
            return await unexpected(request, exc)
        problems = exc.problems()
        text = TITLES.get(status, exc.public_message()) if problems else exc.public_message()
        return error_response(request, status, text, problems, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # the details go to the server log (Starlette re-raises after this response), never
        # to the visitor
        return error_response(
            request,
            500,
            "Er ging iets mis aan onze kant; probeer het later opnieuw. Blijft het misgaan, "
            "meld het dan aan de beheerder. / Something went wrong on our side.",
        )

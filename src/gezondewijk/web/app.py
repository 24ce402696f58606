"""The FastAPI application factory."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.store.db import make_engine, migrate, session_factory, transaction
from gezondewijk.store.models import User
from gezondewijk.store.repository import create_user
from gezondewijk.web.security import FormTokens, RateLimiter, SecurityHeaders
from gezondewijk.web.settings import WebSettings


def error_body(exc: InputDataError) -> dict[str, Any]:
    """The one JSON error shape: a message and the problems with field and fix."""
    errors = exc.errors if isinstance(exc, InputDataErrors) else [exc]
    return {
        "error": {
            "message": "De invoer klopt niet / invalid input",
            "problems": [{"field": e.field, "problem": e.problem, "fix": e.fix} for e in errors],
        }
    }


def dutch_number(value: float, decimals: int = 1) -> str:
    """A number as Dutch readers write it: ``11420.0`` → ``11.420,0``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Build the app: migrate the database, create the first admin, mount the routes."""
    from sqlalchemy import select

    from gezondewijk.web import api, routes_organiser, routes_reports, routes_survey

    settings = settings or WebSettings.from_env()
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = session_factory(engine)
    if settings.admin_email and settings.admin_password:
        with transaction(factory) as session:
            if (
                session.scalar(select(User).where(User.email == settings.admin_email.lower()))
                is None
            ):
                create_user(
                    session,
                    settings.admin_email,
                    "Beheerder",
                    settings.admin_password,
                    role="admin",
                )

    app = FastAPI(
        title="gezondewijk Leefplekmeter",
        version="0.1.0",
        description="Leefplekmeter: bewoners over hun leefplek. JSON API; "
        "no IP addresses or tracking are stored.",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = factory
    app.state.form_tokens = FormTokens(settings.secret_key)
    app.state.limiter = RateLimiter(settings.submit_limit_per_minute)
    folder = resources.files("gezondewijk.web")
    app.state.templates = Jinja2Templates(directory=str(folder / "templates"))
    app.state.templates.env.filters["nl1"] = dutch_number
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="gw_beheer",
        same_site="strict",
        https_only=settings.public_url.startswith("https"),
    )
    app.add_middleware(SecurityHeaders, basemap_url=settings.basemap_url)
    app.mount("/static", StaticFiles(directory=str(folder / "static")), name="static")
    vendor = resources.files("gezondewijk.outputs") / "vendor"
    app.mount("/vendor", StaticFiles(directory=str(vendor), check_dir=False), name="vendor")
    app.state.map_data = None

    @app.middleware("http")
    async def limit_body(request: Request, call_next):  # type: ignore[no-untyped-def]
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            return JSONResponse(
                {
                    "error": {
                        "message": "request too large",
                        "problems": [
                            {
                                "field": "body",
                                "problem": f"more than {settings.max_body_bytes} bytes",
                                "fix": "send shorter comments",
                            }
                        ],
                    }
                },
                status_code=413,
            )
        return await call_next(request)

    @app.exception_handler(InputDataError)
    async def input_error(_request: Request, exc: InputDataError) -> Response:
        return JSONResponse(error_body(exc), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 303 and exc.headers and "Location" in exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=303)
        if request.url.path.startswith("/api"):
            return JSONResponse(
                {"error": {"message": str(exc.detail), "problems": []}},
                status_code=exc.status_code,
                headers=exc.headers,
            )
        from gezondewijk.web.deps import render

        return render(
            request,
            "message.html",
            status_code=exc.status_code,
            title=f"Fout {exc.status_code}",
            text=str(exc.detail),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"], "fix": "see /docs"}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"error": {"message": "De invoer klopt niet / invalid input", "problems": problems}},
            status_code=422,
        )

    app.include_router(routes_survey.router)
    app.include_router(routes_organiser.router)
    app.include_router(api.router)
    app.include_router(routes_reports.router)
    return app

"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gezondewijk._errors import ConfigError
from gezondewijk.demo.leefplekmeter import DEMO_EMAIL, DEMO_PASSWORD
from gezondewijk.reports.pdf import PdfQueue
from gezondewijk.store.db import make_engine, migrate, session_factory, transaction, warm_pool
from gezondewijk.store.models import User
from gezondewijk.store.repository import create_user, verify_password
from gezondewijk.store.throttle import WindowCounts
from gezondewijk.web.campaign_cache import CampaignCache
from gezondewijk.web.compression import CompressPublicData
from gezondewijk.web.errors import App, install_error_handlers
from gezondewijk.web.format import install_filters
from gezondewijk.web.head import HeadAsGet
from gezondewijk.web.limits import RenderPool, StreamLimits
from gezondewijk.web.live import LiveHub
from gezondewijk.web.scenario_service import ScenarioService
from gezondewijk.web.security import (
    FormTokens,
    LoginThrottle,
    RateLimiter,
    SecurityHeaders,
    SharedLoginThrottle,
    SharedRateLimiter,
    csp_for,
)
from gezondewijk.web.sessions import OrganiserSessions
from gezondewijk.web.settings import WebSettings
from gezondewijk.web.workshop_views import messages_builder

#: Window of the log-in throttle (OWASP: lock out for a while, not for ever).
LOGIN_WINDOW_S = 900


def app_from_env() -> FastAPI:
    """The app with settings from ``GEZONDEWIJK_*`` variables (uvicorn's ``--factory``).

    ``gezondewijk serve --workers N`` starts N processes with this factory; it puts the shared
    secret key and ``GEZONDEWIJK_SHARED_LIMITS=true`` in their environment first.

    Everything made while starting (modules, routes, templates: millions of objects with
    pandas and GeoPandas loaded) is then moved out of the cyclic garbage collector's sight
    with :func:`gc.freeze`, as the Python documentation advises for servers. Without it
    every full collection walked them all again: under the load test 25 full collections
    in four workers stopped each worker for 140 ms on average, 220 ms at most, and set the
    tail latency of the survey API.
    """
    app = create_app(WebSettings.from_env())
    gc.freeze()
    return app


def scenario_service(settings: WebSettings) -> ScenarioService | None:
    """Scenarios on the map's run, when ``run_config`` names it; preparing starts at once."""
    if settings.run_config is None:
        return None
    config = settings.run_config
    if not config.is_file():
        raise ConfigError(
            f"GEZONDEWIJK_RUN_CONFIG: geen bestand {config} (geef de run.toml van de kaart)."
        )
    folder = settings.scenario_dir or config.parent / "scenarios"
    out = settings.map_dir / "scenarios" if settings.map_dir else folder / "uitvoer"
    service = ScenarioService(config, folder, out)
    service.start()
    return service


def refuse_published_demo_password(factory: sessionmaker[Session]) -> None:
    """Refuse to serve in production while the demo account still has its published password.

    Raises
    ------
    ConfigError
        Saying how to change the password or remove the account.
    """
    with factory() as session:
        user = session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is not None and verify_password(DEMO_PASSWORD, user.password_hash):
        raise ConfigError(
            f"deze database heeft het demo-account {DEMO_EMAIL} met het gepubliceerde "
            "wachtwoord; met GEZONDEWIJK_ENVIRONMENT=production start de app zo niet. "
            f"Oplossing / fix: geef het een eigen wachtwoord met 'gezondewijk wachtwoord "
            f"{DEMO_EMAIL}' (met GEZONDEWIJK_DATABASE_URL van deze database), of begin met "
            "een lege database."
        )


def _first_admin(settings: WebSettings, factory: sessionmaker[Session]) -> None:
    """The administrator account of the settings, made once (by whichever worker is first)."""
    if not (settings.admin_email and settings.admin_password):
        return
    email = settings.admin_email.lower()
    try:
        with transaction(factory) as session:
            if session.scalar(select(User).where(User.email == email)) is None:
                create_user(session, email, "Beheerder", settings.admin_password, role="admin")
    except IntegrityError:
        pass  # another worker process made the account at the same moment


def _set_state(
    app: FastAPI,
    settings: WebSettings,
    engine: Engine,
    factory: sessionmaker[Session],
    pools: tuple[PdfQueue, RenderPool],
) -> None:
    """Everything the app keeps for its lifetime (typed in :class:`~.state.AppState`)."""
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = factory
    app.state.campaigns = CampaignCache(factory, settings.campaign_cache_s)
    app.state.form_tokens = FormTokens(settings.secret_key, settings.form_token_hours)
    if settings.shared_limits:
        # several worker processes: one count for all of them, in the database
        app.state.limiter = SharedRateLimiter(
            WindowCounts(factory, settings.secret_key, 60), settings.submit_limit_per_minute
        )
        app.state.login_throttle = SharedLoginThrottle(
            WindowCounts(factory, settings.secret_key, LOGIN_WINDOW_S)
        )
    else:
        app.state.limiter = RateLimiter(settings.submit_limit_per_minute)
        app.state.login_throttle = LoginThrottle(window_s=LOGIN_WINDOW_S)
    app.state.pdfs, app.state.renders = pools
    app.state.join_limiter = RateLimiter(settings.joins_per_minute)
    folder = resources.files("gezondewijk.web")
    app.state.templates = Jinja2Templates(directory=str(folder / "templates"))
    install_filters(app.state.templates.env)
    app.state.streams = StreamLimits(
        settings.streams_per_viewer, settings.streams_per_client, settings.streams_per_process
    )
    app.state.live = LiveHub(
        factory, messages_builder(app.state.templates.env), batch_s=settings.live_batch_s
    )
    app.state.csp = csp_for(settings.basemap_url)
    app.state.map_data = None
    app.state.scenarios = scenario_service(settings)


def _add_middleware(app: FastAPI, settings: WebSettings) -> None:
    """Sessions, security headers, compression and HEAD-as-GET, outermost last."""
    app.add_middleware(
        OrganiserSessions,
        secret_key=settings.secret_key,
        same_site="strict",
        https_only=settings.public_url.startswith("https"),
    )
    app.add_middleware(SecurityHeaders, csp=app.state.csp)
    app.add_middleware(CompressPublicData)
    # outermost: a HEAD request is a GET from here on (every GET route answers HEAD)
    app.add_middleware(HeadAsGet)


def _include_routes(app: FastAPI) -> None:
    """The static files and every router, in the order their paths must be tried."""
    from gezondewijk.web import (
        api,
        routes_docs,
        routes_organiser,
        routes_photos,
        routes_reports,
        routes_scenarios,
        routes_survey,
        routes_users,
        routes_workshop_lead,
        routes_workshops,
    )

    folder = resources.files("gezondewijk.web")
    app.mount("/static", StaticFiles(directory=str(folder / "static")), name="static")
    vendor = resources.files("gezondewijk.outputs") / "vendor"
    app.mount("/vendor", StaticFiles(directory=str(vendor), check_dir=False), name="vendor")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """No icon: an empty answer instead of a 404 in every browser's console."""
        return Response(status_code=204)

    app.include_router(routes_survey.router)
    # before the organiser's /beheer/{code}: /beheer/sessies is not a campaign code
    app.include_router(routes_workshops.router)
    app.include_router(routes_workshop_lead.router)
    app.include_router(routes_photos.router)
    # before the organiser's /beheer/{code}: /beheer/gebruikers is not a campaign code
    app.include_router(routes_users.router)
    app.include_router(routes_organiser.router)
    app.include_router(api.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_scenarios.router)
    app.include_router(routes_docs.router)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Build the app: migrate the database, create the first admin, mount the routes."""
    settings = settings or WebSettings.from_env()
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    warm_pool(engine)
    factory = session_factory(engine)
    if settings.environment == "production":
        refuse_published_demo_password(factory)
    _first_admin(settings, factory)
    pdfs = PdfQueue(str(settings.chromium_path), max_waiting=settings.pdf_queue)
    renders = RenderPool(
        settings.render_workers, settings.render_waiting, settings.render_per_client
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        pdfs.close()
        renders.close()

    app = App(
        title="gezondewijk Leefplekmeter",
        version="0.1.0",
        description="Leefplekmeter: bewoners over hun leefplek. JSON API; "
        "no IP addresses or tracking are stored.",
        docs_url=None,  # served from the package by routes_docs (no CDN)
        redoc_url=None,
        lifespan=lifespan,
        # counted on the bytes received (chunked bodies and lying Content-Length headers too),
        # for every route: Starlette's RequestBodyLimitMiddleware
        max_body_size=settings.max_body_bytes,
    )
    _set_state(app, settings, engine, factory, (pdfs, renders))
    _add_middleware(app, settings)
    install_error_handlers(app)
    _include_routes(app)
    return app

"""What the app keeps for its lifetime, typed: every route reads it through :func:`state_of`.

Starlette's ``app.state`` takes any attribute; :class:`AppState` names the ones
:func:`gezondewijk.web.app.create_app` sets, with their types, so that a misspelt or
missing one is a type error instead of an ``AttributeError`` on a visitor's request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from fastapi import Request

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from gezondewijk.reports import MapData
    from gezondewijk.reports.pdf import PdfQueue
    from gezondewijk.reports.tiles import TileSource
    from gezondewijk.web.campaign_cache import CampaignCache
    from gezondewijk.web.limits import RenderPool, StreamLimits
    from gezondewijk.web.live import LiveHub
    from gezondewijk.web.scenario_service import ScenarioService
    from gezondewijk.web.security import (
        FormTokens,
        LoginThrottle,
        RateLimiter,
        SharedLoginThrottle,
        SharedRateLimiter,
    )
    from gezondewijk.web.settings import WebSettings


class AppState(Protocol):
    """The attributes of ``app.state`` (set once in ``create_app``)."""

    settings: WebSettings
    engine: Engine
    sessions: sessionmaker[Session]
    campaigns: CampaignCache
    form_tokens: FormTokens
    limiter: RateLimiter | SharedRateLimiter
    login_throttle: LoginThrottle | SharedLoginThrottle
    join_limiter: RateLimiter
    pdfs: PdfQueue
    renders: RenderPool
    templates: Jinja2Templates
    streams: StreamLimits
    live: LiveHub
    csp: str
    map_data: MapData | None
    map_tiles: TileSource
    scenarios: ScenarioService | None


def state_of(request: Request) -> AppState:
    """The app's state, typed."""
    return cast("AppState", request.app.state)

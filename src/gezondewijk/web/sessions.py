"""Organiser sessions only where an organiser can be: not on residents' API calls."""

from __future__ import annotations

from typing import Literal

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

#: Name of the organiser's signed session cookie (residents never get a cookie).
COOKIE = "gw_beheer"


def _sends_cookie(scope: Scope, name: bytes) -> bool:
    return any(key == b"cookie" and name + b"=" in value for key, value in scope.get("headers", ()))


class OrganiserSessions:
    """Starlette's signed-cookie sessions, skipped for ``/api/`` requests without the cookie.

    A resident's app sends no cookie, so its requests get an empty session without the
    middleware's cookie decoding and response wrapping (a pure-ASGI pass-through). An organiser
    who is logged in sends the cookie and gets the full session on the API too (the results
    endpoint shows them every comment).

    Parameters
    ----------
    app
        The wrapped ASGI app.
    secret_key, same_site, https_only
        As :class:`starlette.middleware.sessions.SessionMiddleware`.
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: str,
        same_site: Literal["lax", "strict", "none"] = "strict",
        https_only: bool = False,
    ) -> None:
        self.app = app
        self.with_session = SessionMiddleware(
            app,
            secret_key=secret_key,
            session_cookie=COOKIE,
            same_site=same_site,
            https_only=https_only,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route the request past or through the session middleware."""
        if (
            scope["type"] == "http"
            and scope["path"].startswith("/api/")
            and not _sends_cookie(scope, COOKIE.encode())
        ):
            scope["session"] = {}
            await self.app(scope, receive, send)
            return
        await self.with_session(scope, receive, send)

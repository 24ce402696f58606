"""CSRF tokens, signed form tokens, rate limits and security headers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from threading import Lock

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    """Strict headers: nothing loads from another host, no referrer leaks.

    The one exception is a base map the municipality configures (``basemap_url``): its host is
    then allowed for images only.
    """

    def __init__(self, app: object, basemap_url: str = "") -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.csp = CSP
        if basemap_url:
            from urllib.parse import urlsplit

            parts = urlsplit(basemap_url)
            self.csp = CSP.replace(
                "img-src 'self' data:", f"img-src 'self' data: {parts.scheme}://{parts.netloc}"
            )

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Add the headers to every response."""
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = self.csp
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
        return response


class FormTokens:
    """Signed, random tokens that make each resident form single-use and idempotent.

    A token is issued with the form and stored with the answers; the same token submitted
    again returns the first stored copy. No cookie is set on residents.
    """

    def __init__(self, secret: str) -> None:
        self._s = URLSafeSerializer(secret, salt="leefplekmeter-form")

    def issue(self, campaign_code: str) -> str:
        """A new token bound to a campaign."""
        return str(self._s.dumps([campaign_code, secrets.token_hex(8)]))

    def valid(self, token: str, campaign_code: str) -> bool:
        """Whether the token was issued by this server for this campaign."""
        try:
            code, _ = self._s.loads(token)
        except (BadSignature, ValueError, TypeError):
            return False
        return bool(code == campaign_code)


def csrf_token(session: dict[str, object]) -> str:
    """The organiser session's CSRF token (created on first use)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: dict[str, object], submitted: str | None) -> bool:
    """Constant-time check of a submitted CSRF token against the session's."""
    expected = session.get("csrf")
    return (
        isinstance(expected, str)
        and submitted is not None
        and hmac.compare_digest(expected, submitted)
    )


class RateLimiter:
    """Sliding one-minute window per client, in memory only.

    The client key is a salted hash of the address that lives only in this process's memory
    for a minute; it is never written anywhere (residents' privacy).
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._salt = secrets.token_bytes(16)
        self._hits: dict[bytes, deque[float]] = {}
        self._lock = Lock()

    def allow(self, client: str) -> bool:
        """Record a hit and say whether it is within the limit."""
        key = hashlib.blake2b(client.encode(), key=self._salt, digest_size=16).digest()
        now = time.monotonic()
        with self._lock:
            window = self._hits.setdefault(key, deque())
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= self.per_minute:
                return False
            window.append(now)
            if len(self._hits) > 50_000:
                self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < 60}
            return True

"""CSRF tokens, signed form tokens, rate limits, log-in throttling and security headers."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from threading import Lock

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Connection
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gezondewijk.store.throttle import WindowCounts

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


def csp_for(basemap_url: str = "") -> str:
    """The Content-Security-Policy: everything from this host, a base map's host for images."""
    if not basemap_url:
        return CSP
    from urllib.parse import urlsplit

    parts = urlsplit(basemap_url)
    host = f"{parts.scheme}://{parts.netloc}"
    # MapLibre fetches the base map's tiles (connect-src) and draws them as images
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {host}").replace(
        "default-src 'self';", f"default-src 'self'; connect-src 'self' {host};"
    )


def apply_security_headers(response: Response, path: str, csp: str) -> None:
    """Set the strict headers of :func:`set_security_headers` on one response."""
    set_security_headers(response.headers, path, csp)


#: Pages that may ask the browser for the resident's location: the photo upload only.
GEOLOCATION_PAGES = re.compile(r"^/c/[A-Za-z0-9]{1,12}/foto$")


def set_security_headers(headers: MutableHeaders, path: str, csp: str) -> None:
    """Set the strict headers of a response for ``path``.

    Every page but the static assets and the map's vector tiles (public figures of areas,
    with their own ``Cache-Control``) is ``Cache-Control: no-store``: a shared kiosk's Back
    button must not bring back the previous person's answers, nor an organiser's results
    after logging out. The API documentation pages (Swagger UI, ReDoc, served from the
    package) also allow inline styles, which both inject; scripts stay ``'self'``.
    """
    if not path.startswith(("/static/", "/vendor/", "/kaart/tegels/")):
        headers["Cache-Control"] = "no-store"
    if path in ("/docs", "/redoc"):
        csp = csp.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        csp += "; worker-src 'self' blob:"
    headers["Content-Security-Policy"] = csp
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    # the photo page's "Gebruik mijn huidige plek" asks the browser for the place (our own
    # origin only; the place goes into the form, the photo's own GPS data is removed)
    where = "(self)" if GEOLOCATION_PAGES.match(path) else "()"
    headers["Permissions-Policy"] = f"geolocation={where}, camera=(), microphone=()"


class SecurityHeaders:
    """Strict headers on every response: nothing loads from another host, no referrer leaks.

    A pure ASGI middleware: it only adds headers to the ``http.response.start`` message.
    Starlette's ``BaseHTTPMiddleware`` would run every request through an extra task and
    memory stream (measured: most of the server's CPU under the survey load test).
    """

    def __init__(self, app: ASGIApp, csp: str = CSP) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the security headers to the response on its way back."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                set_security_headers(headers, path, self.csp)
                message = {**message, "headers": headers.raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class FormTokens:
    """Signed, random tokens that make each resident form single-use and idempotent.

    A token is issued with the form, bound to one campaign and valid for ``max_age_hours``
    (the form says so); it is stored with the answers, and the same token submitted again
    returns the first stored copy. No cookie is set on residents.
    """

    def __init__(self, secret: str, max_age_hours: int = 24) -> None:
        self._s = URLSafeTimedSerializer(secret, salt="leefplekmeter-form")
        self.max_age_hours = max_age_hours

    def issue(self, campaign_code: str) -> str:
        """A new token bound to a campaign."""
        return str(self._s.dumps([campaign_code, secrets.token_hex(8)]))

    def check(self, token: str, campaign_code: str) -> str:
        """``""`` when the token is valid for this campaign, else why not (Dutch, for residents).

        Tokens made by anyone but this server, made for another campaign or older than
        ``max_age_hours`` are refused.
        """
        try:
            code, _ = self._s.loads(token, max_age=self.max_age_hours * 3600)
        except SignatureExpired:
            return f"dit formulier is ouder dan {self.max_age_hours} uur en verlopen"
        except (BadSignature, ValueError, TypeError):
            return "dit formulier is verlopen of komt niet van deze website"
        if code != campaign_code:
            return "dit formulier hoort bij een andere campagne"
        return ""

    def valid(self, token: str, campaign_code: str) -> bool:
        """Whether the token was issued by this server for this campaign and has not expired."""
        return self.check(token, campaign_code) == ""


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

    def counter(self, client: str) -> Callable[[Connection], bool]:
        """:meth:`allow` as a write in the form's own transaction (here: in memory)."""
        return lambda conn: self.allow(client)


class SharedRateLimiter:
    """The submission limit counted in the database: one limit for all worker processes.

    Same interface as :class:`RateLimiter`; the counting, the sliding-window estimate and the
    privacy of the keys are described in :mod:`gezondewijk.store.throttle`.
    """

    def __init__(self, counts: WindowCounts, per_minute: int) -> None:
        self.counts = counts
        self.per_minute = per_minute

    def allow(self, client: str) -> bool:
        """Record a hit and say whether it is within the limit."""
        return self.counts.hit("submit:" + client).hits <= self.per_minute

    def counter(self, client: str) -> Callable[[Connection], bool]:
        """:meth:`allow` as a write in the form's own transaction: one commit for both."""
        count = self.counts.counter("submit:" + client)
        return lambda conn: count(conn).hits <= self.per_minute


def _key(salt: bytes, text: str) -> bytes:
    return hashlib.blake2b(text.encode(), key=salt, digest_size=16).digest()


def _login_names(account: str, client: str) -> tuple[str, str]:
    """What a log-in throttle counts: the account (any case, spaces trimmed) and the client."""
    return "a:" + account.strip().lower(), "c:" + client


class LoginThrottle:
    """Failed log-ins counted per account and per client in a sliding window, in memory only.

    After ``per_account`` failures for one e-mail address, or ``per_client`` from one client,
    within ``window_s`` seconds, further attempts are refused until the oldest failure leaves
    the window (OWASP Authentication Cheat Sheet: "account lockout" with a time-out, and a
    per-source limit against password spraying). Keys are salted hashes that live only in
    this process; no address is written anywhere. A successful log-in clears its account.
    """

    def __init__(self, per_account: int = 5, per_client: int = 20, window_s: float = 900) -> None:
        self.per_account = per_account
        self.per_client = per_client
        self.window_s = window_s
        self._salt = secrets.token_bytes(16)
        self._fails: dict[bytes, deque[float]] = {}
        self._lock = Lock()

    def _window(self, key: bytes, now: float) -> deque[float]:
        window = self._fails.setdefault(key, deque())
        while window and now - window[0] > self.window_s:
            window.popleft()
        return window

    def wait_s(self, account: str, client: str) -> int:
        """Seconds to wait before another attempt is allowed (0: go ahead)."""
        now = time.monotonic()
        wait = 0.0
        names = _login_names(account, client)
        with self._lock:
            for name, limit in zip(names, (self.per_account, self.per_client), strict=True):
                window = self._window(_key(self._salt, name), now)
                if len(window) >= limit:
                    wait = max(wait, self.window_s - (now - window[0]))
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, account: str, client: str) -> None:
        """Record a failed attempt."""
        now = time.monotonic()
        with self._lock:
            for name in _login_names(account, client):
                self._window(_key(self._salt, name), now).append(now)
            if len(self._fails) > 50_000:
                self._fails = {
                    k: v for k, v in self._fails.items() if v and now - v[-1] < self.window_s
                }

    def succeeded(self, account: str) -> None:
        """Forget an account's failures after a successful log-in."""
        account_name, _ = _login_names(account, "")
        with self._lock:
            self._fails.pop(_key(self._salt, account_name), None)


class SharedLoginThrottle:
    """:class:`LoginThrottle`'s rules with the failures counted in the database.

    For several worker processes: a failure seen by one counts for all. ``counts`` has the
    throttle's window as its span; the wait given is the time left in the current window
    (the sliding estimate may lift the block a little sooner).
    """

    def __init__(self, counts: WindowCounts, per_account: int = 5, per_client: int = 20) -> None:
        self.counts = counts
        self.per_account = per_account
        self.per_client = per_client

    def wait_s(self, account: str, client: str) -> int:
        """Seconds to wait before another attempt is allowed (0: go ahead)."""
        wait = 0.0
        names = _login_names(account, client)
        for name, limit in zip(names, (self.per_account, self.per_client), strict=True):
            estimate = self.counts.estimate(name)
            if estimate.hits >= limit:
                wait = max(wait, estimate.window_left_s)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, account: str, client: str) -> None:
        """Record a failed attempt."""
        for name in _login_names(account, client):
            self.counts.hit(name)

    def succeeded(self, account: str) -> None:
        """Forget an account's failures after a successful log-in."""
        account_name, _ = _login_names(account, "")
        self.counts.clear(account_name)

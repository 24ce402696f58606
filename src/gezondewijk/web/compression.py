"""Gzip for the map's data and the static assets, never for pages or the survey API.

Compressing a response that carries a secret (a CSRF or form token) next to text an
attacker can put into the same response lets the compressed size leak the secret (BREACH,
https://www.breachattack.com/). The map's JSON and the scripts carry neither, and are where
the bytes are: the layer list, a buurt search, GeoJSON, MapLibre GL JS (800 kB → 220 kB).
Vector tiles come gzipped from :mod:`gezondewijk.reports.tiles` and pass through as they are.
"""

from __future__ import annotations

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

#: Paths whose responses are compressed (when the browser accepts gzip).
COMPRESSED = ("/kaart/", "/static/", "/vendor/")
#: Under those: downloads are files of hundreds of MB (Parquet is compressed already).
NOT_COMPRESSED = ("/kaart/download/",)


class CompressPublicData:
    """Pure ASGI: :class:`GZipMiddleware` for :data:`COMPRESSED`, the app as is elsewhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(
            app,
            minimum_size=1000,
            compresslevel=6,
            exclude_content_types=DEFAULT_EXCLUDED_CONTENT_TYPES,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Compress map data and assets; pass everything else through."""
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(COMPRESSED) and not path.startswith(NOT_COMPRESSED):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)

"""The API documentation (Swagger UI at /docs, ReDoc at /redoc), served from the package.

FastAPI's own pages load their scripts from a CDN and run an inline script, which the app's
Content-Security-Policy (``script-src 'self'``) rightly blocks; these pages load the same
tools from ``/vendor`` (copied from npm at build time) and start them from a static file.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gezondewijk.web.deps import render

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger(request: Request) -> Response:
    """Swagger UI: try the JSON API in the browser."""
    return render(request, "api_docs.html")


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> Response:
    """ReDoc: the JSON API as a readable reference."""
    return render(request, "api_redoc.html")


@router.get("/api")
def api_root() -> Response:
    """The README's link to the API: its documentation."""
    return RedirectResponse("/docs", status_code=307)

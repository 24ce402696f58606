"""Every web setting and every endpoint is documented (docs/web.md).

The endpoints come from the app itself (``app.routes``), not a hand-kept list of routers, so a
new router or route cannot slip past (as datasette's documentation tests walk its registries).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gezondewijk.web import WebSettings, create_app
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
#: A documented endpoint: a table row "| GET, POST | `/path`, `/other` | …".
ROW = re.compile(r"^\| ([A-Z, ]+) \| (`[^|]+) \|", re.MULTILINE)


def _paths(cell: str) -> list[str]:
    """The paths of a row's path cell, parameters as ``{}``.

    A cell may list several (`/a/{code}/x`, `/a/{code}/y`), shorthand for the last segment
    (`/wijzig`, `/verwijder` after `/a/{id}/wijzig`) and queries (`?naam=a`), which are dropped.
    """
    out: list[str] = []
    for item in re.findall(r"`([^`]+)`", cell):
        item = item.split("?")[0]
        if out and item.startswith("/") and item.count("/") == 1:
            item = out[0].rsplit("/", 1)[0] + item
        out.append(re.sub(r"\{[^}]*\}", "{}", item))
    return out


def test_every_setting_is_documented() -> None:
    for name in WebSettings.model_fields:
        assert f"GEZONDEWIJK_{name.upper()}" in DOC, name


def _endpoints(routes: list[Any]) -> list[Any]:
    """Every route with methods, through included routers (FastAPI keeps those wrapped, each
    with its ``original_router``); mounts (static files) have none."""
    out = []
    for route in routes:
        if hasattr(route, "original_router"):
            out += _endpoints(route.original_router.routes)
        elif getattr(route, "methods", None):
            out.append(route)
    return out


def test_every_endpoint_is_documented(tmp_path: Path) -> None:
    documented = {
        (method.strip(), path)
        for methods, cell in ROW.findall(DOC)
        for method in methods.split(",")
        for path in _paths(cell)
    }
    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path / 'docs.db'}"))
    routes = _endpoints(app.routes)
    assert len(routes) > 80  # every router of the app, not a hand-picked few
    missing = [
        (method, route.path)
        for route in routes
        for method in sorted(set(route.methods) - {"HEAD"})  # HEAD: every GET has one
        if (method, re.sub(r"\{[^}]*\}", "{}", route.path)) not in documented
    ]
    app.state.engine.dispose()
    assert missing == []

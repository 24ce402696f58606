"""Every web setting and every endpoint is documented (docs/web.md)."""

from __future__ import annotations

from gezondewijk.web import (
    WebSettings,
    api,
    routes_docs,
    routes_organiser,
    routes_reports,
    routes_survey,
)
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    for name in WebSettings.model_fields:
        assert f"GEZONDEWIJK_{name.upper()}" in DOC, name


def test_every_endpoint_is_documented() -> None:
    for module in (routes_survey, routes_organiser, routes_reports, api, routes_docs):
        for route in module.router.routes:
            for method in route.methods - {"HEAD"}:
                assert f"| {method} | `{route.path}` |" in DOC, (method, route.path)

"""Outputs: GeoPackage, GeoParquet, CSV, a PNG overview and a self-contained HTML map.

The names below are loaded on first use, so that ``python -m gezondewijk.outputs.gpkg_worker``
starts without loading the whole pipeline.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gezondewijk.outputs.export import (
        FORMATS,
        parse_formats,
        write_all,
        write_csv,
        write_geopackage,
        write_geoparquet,
    )
    from gezondewijk.outputs.htmlmap import write_html_map
    from gezondewijk.outputs.picture import write_png_map

_WHERE = {
    "FORMATS": "export",
    "parse_formats": "export",
    "write_all": "export",
    "write_csv": "export",
    "write_geopackage": "export",
    "write_geoparquet": "export",
    "write_html_map": "htmlmap",
    "write_png_map": "picture",
}

__all__ = [
    "FORMATS",
    "parse_formats",
    "write_all",
    "write_csv",
    "write_geopackage",
    "write_geoparquet",
    "write_html_map",
    "write_png_map",
]


def __getattr__(name: str) -> object:
    if name in _WHERE:
        return getattr(import_module(f"gezondewijk.outputs.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'gezondewijk.outputs' has no attribute {name!r}")

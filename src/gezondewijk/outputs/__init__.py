"""Outputs: GeoPackage, GeoParquet, CSV, a PNG overview and a self-contained HTML map."""

from gezondewijk.outputs.export import write_all, write_csv, write_geopackage, write_geoparquet
from gezondewijk.outputs.htmlmap import write_html_map
from gezondewijk.outputs.picture import write_png_map

__all__ = [
    "write_all",
    "write_csv",
    "write_geopackage",
    "write_geoparquet",
    "write_html_map",
    "write_png_map",
]

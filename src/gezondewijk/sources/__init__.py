"""Readers for inputs as the publishers ship them (CBS, RIVM, OpenStreetMap, own layers).

Each reader returns tidy pandas/GeoPandas objects with CBS sentinels turned into missing
values, area codes normalised, and columns renamed to the keys of :mod:`gezondewijk.variables`.
Bad input raises :class:`gezondewijk.InputDataError` naming the file, row or field and the fix.
"""

from gezondewijk.sources._tables import is_numeric_column
from gezondewijk.sources.buurten import read_buurten
from gezondewijk.sources.layers import read_features
from gezondewijk.sources.rasters import RasterLayer, read_raster
from gezondewijk.sources.rivm import read_rivm_health
from gezondewijk.sources.statline import read_area_table, read_statline_csv, table_kind

__all__ = [
    "RasterLayer",
    "is_numeric_column",
    "read_area_table",
    "read_buurten",
    "read_features",
    "read_raster",
    "read_rivm_health",
    "read_statline_csv",
    "table_kind",
]

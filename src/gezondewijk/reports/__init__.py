"""What a municipality reads and acts on: map data, area fact sheets, the overview.

Everything is read from a pipeline run's output folder.
"""

from gezondewijk.reports.factsheet import FactSheet, cells_fact_sheet, fact_sheet
from gezondewijk.reports.mapdata import MapData, load_map_data
from gezondewijk.reports.overview import Overview, overview

__all__ = [
    "FactSheet",
    "MapData",
    "Overview",
    "cells_fact_sheet",
    "fact_sheet",
    "load_map_data",
    "overview",
]

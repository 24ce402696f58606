"""Indicators on cells and buurten: areal interpolation, raster exposure, proximity, density."""

from gezondewijk.indicators.derived import density_per_km2, mean_of_available
from gezondewijk.indicators.exposure import distance_to_nearest, raster_at_points
from gezondewijk.indicators.interpolate import areal_interpolate, cells_to_buurten

__all__ = [
    "areal_interpolate",
    "cells_to_buurten",
    "density_per_km2",
    "distance_to_nearest",
    "mean_of_available",
    "raster_at_points",
]

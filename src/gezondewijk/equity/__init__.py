"""Equity and monitoring.

Inequality across SES-ranked areas, change over years, healthy life expectancy (Sullivan).
"""

from gezondewijk.equity.inequality import (
    concentration_index,
    inequality_summary,
    quintile_gap,
    ridit_ranks,
    slope_change,
    slope_index,
)
from gezondewijk.equity.monitoring import (
    change_between_years,
    inequality_trend,
    published_noise,
)
from gezondewijk.equity.slope_simulation import SimulatedSlope, slope_index_simulated
from gezondewijk.equity.sullivan import life_table, sullivan

__all__ = [
    "SimulatedSlope",
    "change_between_years",
    "concentration_index",
    "inequality_summary",
    "inequality_trend",
    "life_table",
    "published_noise",
    "quintile_gap",
    "ridit_ranks",
    "slope_change",
    "slope_index",
    "slope_index_simulated",
    "sullivan",
]

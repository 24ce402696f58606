"""Health effects of a change in exposure: published exposure–response functions.

Air pollution and green space → mortality (log-linear relative risks with their 95 %
intervals), road-traffic noise → highly annoyed and highly sleep-disturbed (WHO 2018), and
the life years these give with the equity module's life table. Every function cites its
source; every result is a model estimate under the assumptions its docstring states.
"""

from gezondewijk.effects.life_years import LifeYears, life_years_gained
from gezondewijk.effects.noise import (
    LNIGHT_FROM_LDEN_DB,
    highly_annoyed_pct,
    highly_sleep_disturbed_pct,
    sleep_disturbed_interval,
)
from gezondewijk.effects.relative_risk import (
    GREEN_NDVI_MORTALITY,
    NO2_MORTALITY,
    PM25_MORTALITY,
    RelativeRisk,
)

__all__ = [
    "GREEN_NDVI_MORTALITY",
    "LNIGHT_FROM_LDEN_DB",
    "NO2_MORTALITY",
    "PM25_MORTALITY",
    "LifeYears",
    "RelativeRisk",
    "highly_annoyed_pct",
    "highly_sleep_disturbed_pct",
    "life_years_gained",
    "sleep_disturbed_interval",
]

r"""Log-linear relative risks of mortality per unit of exposure, as health impact assessments use.

A relative risk :math:`RR` per increment :math:`u` of exposure gives
:math:`\beta = \ln(RR)/u`; a change :math:`\Delta x` (after minus before) multiplies the
mortality rate by :math:`e^{\beta\Delta x}`, so the deaths avoided among :math:`D_0` baseline
deaths are

.. math:: \Delta D = D_0\,\bigl(1 - e^{\beta \Delta x}\bigr)

(WHO AirQ+ and the WHO health risk assessment of air pollution, 2016, "Health risk assessment
of air pollution: general principles", §3: the attributable fraction of a counterfactual
exposure). The 95 % interval comes from the same formula with the relative risk's bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Bound = Literal["central", "lower", "upper"]


@dataclass(frozen=True)
class RelativeRisk:
    """A relative risk per ``increment`` of an exposure, with its published 95 % interval.

    Attributes
    ----------
    exposure
        The variable (``pm25``, ``no2``, ``ndvi``).
    outcome
        The outcome in Dutch.
    rr, lower, upper
        The relative risk per ``increment`` and its 95 % confidence limits.
    increment
        The exposure step the relative risk is given for (10 µg/m³, 0.1 NDVI).
    min_age
        The youngest age the function applies to (the cohorts' ages).
    source
        The publication, for every output that uses it.
    """

    exposure: str
    outcome: str
    rr: float
    lower: float
    upper: float
    increment: float
    min_age: int
    source: str

    def beta(self, bound: Bound = "central") -> float:
        r""":math:`\beta = \ln(RR)/u` for the central estimate or one of the bounds."""
        rr = {"central": self.rr, "lower": self.lower, "upper": self.upper}[bound]
        return float(np.log(rr) / self.increment)

    def fraction_avoided(self, change: np.ndarray | float, bound: Bound = "central") -> np.ndarray:
        r"""Share of baseline deaths avoided by an exposure change :math:`\Delta x`.

        :math:`1 - e^{\beta\Delta x}`: positive where the change lowers the risk (less
        pollution, more green), negative where it raises it.
        """
        return 1.0 - np.exp(self.beta(bound) * np.asarray(change, dtype="float64"))

    def interval(self, change: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Central, low and high fraction avoided (low ≤ central ≤ high for every sign)."""
        central = self.fraction_avoided(change)
        a, b = self.fraction_avoided(change, "lower"), self.fraction_avoided(change, "upper")
        return central, np.minimum(a, b), np.maximum(a, b)


#: WHO global air quality guidelines 2021, §3.2.1 and Table 3.1: long-term PM2.5 and
#: all-cause (non-accidental) mortality, RR 1.08 (95 % CI 1.06–1.09) per 10 µg/m³, from the
#: systematic review of Chen & Hoek (2020), Environ Int 143:105974. Adults (cohorts of 30+,
#: the age the WHO and EEA health risk assessments apply it from).
PM25_MORTALITY = RelativeRisk(
    exposure="pm25",
    outcome="sterfte (natuurlijke oorzaken)",
    rr=1.08,
    lower=1.06,
    upper=1.09,
    increment=10.0,
    min_age=30,
    source="WHO Global Air Quality Guidelines 2021 (Chen & Hoek 2020): RR 1,08 (1,06–1,09) "
    "per 10 µg/m³ PM2,5",
)

#: WHO global air quality guidelines 2021, §3.2.4: long-term NO2 and all-cause
#: (non-accidental) mortality, RR 1.02 (95 % CI 1.01–1.04) per 10 µg/m³, from Huangfu &
#: Atkinson (2020), Environ Int 144:105998. Adults 30+.
NO2_MORTALITY = RelativeRisk(
    exposure="no2",
    outcome="sterfte (natuurlijke oorzaken)",
    rr=1.02,
    lower=1.01,
    upper=1.04,
    increment=10.0,
    min_age=30,
    source="WHO Global Air Quality Guidelines 2021 (Huangfu & Atkinson 2020): RR 1,02 "
    "(1,01–1,04) per 10 µg/m³ NO2",
)

#: Rojas-Rueda et al. (2019), "Green spaces and mortality: a systematic review and
#: meta-analysis of cohort studies", Lancet Planet Health 3:e469–e477: all-cause mortality HR
#: 0.96 (95 % CI 0.94–0.97) per 0.1 increase of NDVI within 500 m or less of the home; the
#: function Barboza et al. (2021, Lancet Planet Health 5:e718) use for the WHO
#: recommendation of green space of at least 0.5 ha within 300 m. Adults (20+ in Barboza).
GREEN_NDVI_MORTALITY = RelativeRisk(
    exposure="ndvi",
    outcome="sterfte (alle oorzaken)",
    rr=0.96,
    lower=0.94,
    upper=0.97,
    increment=0.1,
    min_age=20,
    source="Rojas-Rueda e.a. 2019 (Lancet Planet Health): HR 0,96 (0,94–0,97) per 0,1 NDVI "
    "binnen 500 m; zo gebruikt door Barboza e.a. 2021 voor groen ≥ 0,5 ha binnen 300 m",
)

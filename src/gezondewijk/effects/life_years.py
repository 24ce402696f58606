r"""Life years from a change in mortality, with the equity module's life table.

A change of exposure multiplies the mortality rate of the ages it applies to by
:math:`f = e^{\beta\Delta x}` (see :mod:`gezondewijk.effects.relative_risk`). The life table
of :func:`gezondewijk.equity.life_table` (Chiang II) is built twice, with the observed deaths
:math:`D_x` and with :math:`D_x f` from ``min_age`` on, and the Sullivan health expectancy
(:func:`gezondewijk.equity.sullivan`) on both, with the same prevalence of poor health:

- life expectancy gained at birth :math:`\Delta e_0 = e'_0 - e_0` (years per person);
- healthy life years gained :math:`\Delta HLE_0` (years in good perceived health per person;
  the measure of Eindhoven's aim of three extra healthy years per inhabitant, werkboek §4.1);
- deaths avoided per year :math:`\sum_{x \ge \text{min\_age}} D_x (1 - f) / \sum_x P_x` per
  inhabitant;
- life years gained per year, the years of life lost that the avoided deaths would have cost:
  each avoided death counts the remaining life expectancy at the middle of its age group,
  :math:`\tfrac12(e_x + e_{x+n})` (the open group :math:`e_\omega`), as the WHO's
  years-of-life-lost method (WHO 2016, health risk assessment of air pollution, §3.4).

These are period measures: what a population with this year's death rates and the new
exposure would live, not a forecast for the people now living there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gezondewijk.equity.sullivan import life_table, sullivan


@dataclass(frozen=True)
class LifeYears:
    """What one mortality factor gives, per inhabitant of the reference population."""

    factor: float
    life_expectancy_gain: float
    healthy_life_years_gain: float
    deaths_avoided_per_person: float
    life_years_per_person: float


def life_years_gained(
    age_start: np.ndarray,
    population: np.ndarray,
    deaths: np.ndarray,
    factor: float,
    *,
    min_age: float,
    unhealthy_share: np.ndarray | float = 0.0,
) -> LifeYears:
    r"""Life years gained when mortality from ``min_age`` on is multiplied by ``factor``.

    Parameters
    ----------
    age_start, population, deaths
        The reference life table's age groups (start ages), mid-year population and deaths
        in one year (CBS StatLine, or the gemeente's own figures).
    factor
        :math:`f = e^{\beta\Delta x}` (below 1: fewer deaths).
    min_age
        The youngest age the exposure–response function applies to.
    unhealthy_share
        Prevalence of poor perceived health per age group (or one share for all), for the
        healthy life years (Sullivan).

    Returns
    -------
    LifeYears
        The gains per person (see the module notes for each formula).
    """
    x = np.asarray(age_start, dtype="float64")
    p = np.asarray(population, dtype="float64")
    d = np.asarray(deaths, dtype="float64")
    applies = x >= min_age
    scaled = np.where(applies, d * factor, d)
    pi = np.broadcast_to(np.asarray(unhealthy_share, dtype="float64"), x.shape)
    # a scenario's gain is a difference of two tables with the same bands: any bands the
    # user's table has are used (PHE's 20-band rule is for publishing a life expectancy)
    before = sullivan(life_table(x, p, d, phe_bands=False), pi)
    after = sullivan(life_table(x, p, scaled, phe_bands=False), pi)
    e = before["e"].to_numpy()
    mid = np.append((e[:-1] + e[1:]) / 2, e[-1])
    avoided = d - scaled
    total = p.sum()
    return LifeYears(
        factor=float(factor),
        life_expectancy_gain=float(after["e"].iloc[0] - before["e"].iloc[0]),
        healthy_life_years_gain=float(after["hle"].iloc[0] - before["hle"].iloc[0]),
        deaths_avoided_per_person=float(avoided.sum() / total),
        life_years_per_person=float((avoided * mid).sum() / total),
    )

"""Healthy life expectancy by the Sullivan method (Jagger et al., EHLEIS 2014)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError


def life_table(
    age_start: np.ndarray,
    population: np.ndarray,
    deaths: np.ndarray,
    *,
    ax: float | np.ndarray = 0.5,
    first_q: float | None = None,
    first_l_weight: float | None = None,
    radix: float = 100_000.0,
) -> pd.DataFrame:
    r"""Build an abridged period life table from mid-year population and deaths by age group.

    Parameters
    ----------
    age_start
        Start of each age group (e.g. 0, 1, 5, 10, …, 85); the last group is open-ended.
    population, deaths
        Mid-year population and deaths in one year per group.
    ax
        Fraction of the interval lived by those who die in it (0.5: deaths spread evenly).
    first_q
        Probability of death in the first interval where it is computed otherwise (Eurostat's
        infant formula, Jagger et al. 2014 Appendix 1 §4).
    first_l_weight
        Eurostat's person-years in the first year of life, :math:`L_0 = w\,l_0 + (1-w)\,l_1`
        with :math:`w = 0.2` (Appendix 1 §7); ``None`` uses ``ax``.

    Returns
    -------
    pandas.DataFrame
        Columns ``x, n, P, D, m, a, q, l, L, T, e``.

    Notes
    -----
    Jagger et al. (2014), Appendix 1 §10: :math:`{}_nm_x = D_x/P_x`,
    :math:`{}_nq_x = n\,m / (1 + n(1-a)m)`, :math:`l_{x+n} = l_x(1 - q_x)`,
    :math:`{}_nL_x = n(1-a)\,l_{x+n} + n\,a\,l_x`, for the open last group
    :math:`L_\omega = l_\omega / m_\omega` (§8), :math:`T_x = \sum_{i \ge x} L_i` and
    :math:`e_x = T_x / l_x`.

    Raises
    ------
    InputDataError
        When the ages are not increasing or a group has no population.
    """
    x = np.asarray(age_start, dtype="float64")
    p = np.asarray(population, dtype="float64")
    d = np.asarray(deaths, dtype="float64")
    if len(x) < 2 or np.any(np.diff(x) <= 0):
        raise InputDataError(
            "age groups must start at increasing ages (0, 1, 5, 10, …).",
            field="age",
            fix="sort the rows by age; give at least two groups.",
        )
    if np.any(p <= 0):
        row = int(np.flatnonzero(p <= 0)[0]) + 1
        raise InputDataError(
            "population must be positive in every age group.",
            row=row,
            field="population",
            fix="merge empty age groups with a neighbour.",
        )
    n = np.append(np.diff(x), np.nan)
    a = np.broadcast_to(np.asarray(ax, dtype="float64"), x.shape).copy()
    m = d / p
    q = n * m / (1 + n * (1 - a) * m)
    if first_q is not None:
        q[0] = first_q
    q[-1] = 1.0
    surv = np.empty_like(x)
    surv[0] = radix
    for i in range(1, len(x)):
        surv[i] = surv[i - 1] * (1 - q[i - 1])
    big_l = np.empty_like(x)
    big_l[:-1] = n[:-1] * (1 - a[:-1]) * surv[1:] + n[:-1] * a[:-1] * surv[:-1]
    if first_l_weight is not None:
        big_l[0] = n[0] * (first_l_weight * surv[0] + (1 - first_l_weight) * surv[1])
    big_l[-1] = surv[-1] / m[-1]
    t = big_l[::-1].cumsum()[::-1]
    q_out = q.copy()
    q_out[-1] = np.nan
    return pd.DataFrame(
        {
            "x": x,
            "n": n,
            "P": p,
            "D": d,
            "m": m,
            "a": a,
            "q": q_out,
            "l": surv,
            "L": big_l,
            "T": t,
            "e": t / surv,
        }
    )


def sullivan(
    table: pd.DataFrame, unhealthy_share: np.ndarray, survey_n: np.ndarray | None = None
) -> pd.DataFrame:
    r"""Health expectancy (e.g. years in good perceived health) by the Sullivan method.

    Parameters
    ----------
    table
        A life table from :func:`life_table`.
    unhealthy_share
        Prevalence :math:`\pi_x` (0-1) of the unhealthy state per age group (e.g. 1 minus the
        RIVM share with good or very good perceived health).
    survey_n
        Survey respondents per age group, for the standard error.

    Returns
    -------
    pandas.DataFrame
        The life table plus ``pi``, ``L_healthy``, ``T_healthy``, ``hle`` (healthy life
        expectancy), ``hle_pct`` (share of remaining life in health, %) and, with ``survey_n``,
        ``hle_se`` (standard error ignoring the mortality variance).

    Notes
    -----
    Sullivan (1971); Jagger et al. (2014): :math:`L^h_x = (1-\pi_x) L_x`,
    :math:`HLE_x = \sum_{i\ge x} L^h_i / l_x`. The variance from the prevalence alone
    (Mathers, 1991; Appendix 1 §11) is
    :math:`S^2(HLE_x) = \sum_{i\ge x} L_i^2\,\pi_i(1-\pi_i)/N_i \,/\, l_x^2`.
    """
    pi = np.asarray(unhealthy_share, dtype="float64")
    if np.any((pi < 0) | (pi > 1)):
        raise InputDataError(
            "prevalence must be a share between 0 and 1.",
            field="prevalence",
            fix="divide percentages by 100.",
        )
    out = table.copy()
    out["pi"] = pi
    out["L_healthy"] = (1 - pi) * out["L"]
    out["T_healthy"] = out["L_healthy"][::-1].cumsum()[::-1]
    out["hle"] = out["T_healthy"] / out["l"]
    out["hle_pct"] = 100 * out["hle"] / out["e"]
    if survey_n is not None:
        var_terms = out["L"] ** 2 * pi * (1 - pi) / np.asarray(survey_n, dtype="float64")
        out["hle_se"] = np.sqrt(var_terms[::-1].cumsum()[::-1] / out["l"] ** 2)
    return out

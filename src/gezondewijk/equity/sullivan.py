"""Life expectancy (Chiang II, PHE) and healthy life expectancy (Sullivan, Jagger et al. 2014)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the standard normal quantile (norm.ppf)

from gezondewijk._errors import InputDataError

#: PHE does not publish life expectancy for a total population of 5,000 or less.
MIN_TOTAL_POPULATION = 5_000
#: PHE suppresses a life expectancy whose 95 % confidence interval is wider than 20 years.
MAX_CI_WIDTH_YEARS = 20.0
#: The age bands PHE's calculator needs, all 20 of them: 0, 1-4, 5-9, …, 85-89, 90+
#: (PHEindicatormethods ``phe_life_expectancy``: ``number_age_bands <- 20``; a group with any
#: other number of bands gets NA).
PHE_AGE_BANDS = (0.0, 1.0, *map(float, range(5, 95, 5)))

SUPPRESSION_REASONS = {
    "deaths_over_population": "sterfte boven bevolking in een leeftijdsgroep "
    "(deaths above population in an age band)",
    "small_population": "totale bevolking 5.000 of minder (total population 5,000 or less)",
    "no_deaths_open_group": "geen sterfte in de oudste groep (no deaths in the open age group)",
    "wide_interval": "95%-interval breder dan 20 jaar (95% interval wider than 20 years)",
    "age_bands": "niet de 20 leeftijdsgroepen 0, 1-4, 5-9, …, 85-89, 90+ die de methode van "
    "PHE vraagt: niet berekend (not PHE's 20 age bands: not computed)",
}


def life_table(
    age_start: np.ndarray,
    population: np.ndarray,
    deaths: np.ndarray,
    *,
    ax: float | np.ndarray | None = None,
    infant_ax: float = 0.1,
    first_q: float | None = None,
    first_l_weight: float | None = None,
    radix: float = 100_000.0,
    level: float = 0.95,
    phe_bands: bool | None = None,
) -> pd.DataFrame:
    r"""Build an abridged period life table with confidence intervals and suppression flags.

    Parameters
    ----------
    age_start
        Start of each age group (e.g. 0, 1, 5, 10, …, 90); the last group is open-ended.
    population, deaths
        Mid-year population and deaths in one year per group.
    ax
        Fraction of the interval lived by those who die in it. ``None`` (default): PHE's
        values, ``infant_ax`` in the group starting at age 0 and 0.5 elsewhere. A number or
        an array overrides them (the Sullivan guide's examples take 0.5 everywhere).
    infant_ax
        :math:`a_0` of the first year of life (0.1, PHE / ONS).
    first_q
        Probability of death in the first interval where it is computed otherwise (Eurostat's
        infant formula, Jagger et al. 2014 Appendix 1 §4).
    first_l_weight
        Eurostat's person-years in the first year of life, :math:`L_0 = w\,l_0 + (1-w)\,l_1`
        with :math:`w = 0.2` (Appendix 1 §7); ``None`` uses ``ax``.
    level
        Confidence level of ``e_lower`` and ``e_upper``.
    phe_bands
        Require PHE's 20 age bands (:data:`PHE_AGE_BANDS`). ``None`` (default): required with
        PHE's own :math:`a_x` (``ax=None``), as PHE does; another band layout then gives no
        life expectancy (``e``, its limits: NaN) and the reason ``age_bands``: a table that
        ends at 85+ or merges bands would give a number PHE's method does not. With ``ax``
        given (the Sullivan guide's examples end at 85+) any increasing bands are used.

    Returns
    -------
    pandas.DataFrame
        Columns ``x, n, P, D, m, a, q, l, L, T, e`` and ``e_se, e_lower, e_upper`` (Chiang II
        with Silcocks' open interval), ``suppressed`` and ``suppression`` (why, in words;
        empty when not suppressed). A suppressed life expectancy is still given, flagged.

    Notes
    -----
    Life table (Chiang, 1968; Jagger et al. 2014 Appendix 1 §10; PHE life expectancy
    calculator): :math:`{}_nm_x = D_x/P_x`, :math:`{}_nq_x = n\,m / (1 + n(1-a)m)` capped at 1,
    :math:`l_{x+n} = l_x(1 - q_x)`, :math:`{}_nL_x = n(1-a)\,l_{x+n} + n\,a\,l_x`, for the open
    last group :math:`L_\omega = l_\omega / m_\omega`, :math:`T_x = \sum_{i \ge x} L_i`,
    :math:`e_x = T_x / l_x`.

    Variance (Chiang II, as PHE; Silcocks, Jenner & Reza 2001 for the open group):

    .. math:: S^2(e_x) = \frac{1}{l_x^2} \Big[ \sum_{x \le i < \omega}
              l_i^2 \big((1-a_i)n_i + e_{i+n}\big)^2 \frac{q_i^2(1-q_i)}{D_i}
              + \frac{l_\omega^2}{D_\omega\, m_\omega^2} \Big]

    (a group without deaths adds 0). PHE suppresses (here: flags) a table with deaths above
    the population in any band or a total population of 5,000 or less, and a value whose 95 %
    interval is wider than 20 years (PHEindicatormethods ``phe_life_expectancy``; Toson &
    Baker 2003; Eayres & Williams 2004).

    Raises
    ------
    InputDataError
        When the ages are not increasing, a group has no population or deaths are negative.
    """
    x = np.asarray(age_start, dtype="float64")
    p = np.asarray(population, dtype="float64")
    d = np.asarray(deaths, dtype="float64")
    _check_table(x, p, d)
    n = np.append(np.diff(x), np.nan)
    if ax is None:
        a = np.where(x == 0, infant_ax, 0.5)
    else:
        a = np.broadcast_to(np.asarray(ax, dtype="float64"), x.shape).copy()
    m = d / p
    q = np.minimum(n * m / (1 + n * (1 - a) * m), 1.0)
    if first_q is not None:
        q[0] = first_q
    q[-1] = 1.0
    surv = radix * np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
    big_l = np.empty_like(x)
    big_l[:-1] = n[:-1] * (1 - a[:-1]) * surv[1:] + n[:-1] * a[:-1] * surv[:-1]
    if first_l_weight is not None:
        big_l[0] = n[0] * (first_l_weight * surv[0] + (1 - first_l_weight) * surv[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        big_l[-1] = surv[-1] / m[-1]
        t = big_l[::-1].cumsum()[::-1]
        e = np.where(surv > 0, t / surv, 0.0)
        var_q = np.where(d > 0, q**2 * (1 - q) / d, 0.0)
        weight = np.empty_like(x)
        weight[:-1] = surv[:-1] ** 2 * ((1 - a[:-1]) * n[:-1] + e[1:]) ** 2 * var_q[:-1]
        weight[-1] = surv[-1] ** 2 / (d[-1] * m[-1] ** 2) if d[-1] > 0 else np.inf
        se = np.sqrt(weight[::-1].cumsum()[::-1] / surv**2)
    z = float(ndtri(0.5 + level / 2))
    reasons = _table_reasons(p, d)
    if (ax is None if phe_bands is None else phe_bands) and not _phe_bands(x):
        reasons.append("age_bands")
        e, se = np.full_like(e, np.nan), np.full_like(se, np.nan)
    wide = ndtri(0.975) * se > MAX_CI_WIDTH_YEARS / 2
    suppression = [
        "; ".join(SUPPRESSION_REASONS[r] for r in [*reasons, *(["wide_interval"] if w else [])])
        for w in wide
    ]
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
            "e": e,
            "e_se": se,
            "e_lower": e - z * se,
            "e_upper": e + z * se,
            "suppressed": [bool(s) for s in suppression],
            "suppression": suppression,
        }
    )


def _check_table(x: np.ndarray, p: np.ndarray, d: np.ndarray) -> None:
    if len(x) < 2 or np.any(np.diff(x) <= 0):
        raise InputDataError(
            "age groups must start at increasing ages (0, 1, 5, 10, …).",
            field="age",
            fix="sort the rows by age; give at least two groups.",
        )
    for values, field, fix in (
        (p <= 0, "population", "merge empty age groups with a neighbour."),
        (d < 0, "deaths", "deaths cannot be negative; correct the count."),
    ):
        if np.any(values):
            raise InputDataError(
                f"{field} must be {'positive' if field == 'population' else '0 or more'} "
                "in every age group.",
                row=int(np.flatnonzero(values)[0]) + 1,
                field=field,
                fix=fix,
            )


def _phe_bands(x: np.ndarray) -> bool:
    return len(x) == len(PHE_AGE_BANDS) and bool(np.all(x == np.array(PHE_AGE_BANDS)))


def _table_reasons(p: np.ndarray, d: np.ndarray) -> list[str]:
    """The PHE rules that suppress the whole table."""
    reasons = []
    if np.any(d > p):
        reasons.append("deaths_over_population")
    if p.sum() <= MIN_TOTAL_POPULATION:
        reasons.append("small_population")
    if d[-1] <= 0:
        reasons.append("no_deaths_open_group")
    return reasons


def sullivan(
    table: pd.DataFrame,
    unhealthy_share: np.ndarray,
    survey_n: np.ndarray | None = None,
    *,
    institutionalised: np.ndarray | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Health expectancy (e.g. years in good perceived health) by the Sullivan method.

    Parameters
    ----------
    table
        A life table from :func:`life_table`.
    unhealthy_share
        Prevalence :math:`\pi_x` (0-1) of the unhealthy state per age group among the people
        the survey covers (e.g. 1 minus the RIVM share with good or very good perceived
        health).
    survey_n
        Survey respondents per age group, for the prevalence part of the variance.
    institutionalised
        Share :math:`I_x` (0-1) of each age group living in institutions, whom the survey does
        not cover; they are counted as in the unhealthy state (Jagger et al. 2014, Example 6).
    level
        Confidence level of ``hle_lower`` and ``hle_upper``.

    Returns
    -------
    pandas.DataFrame
        The life table plus ``pi`` (prevalence in the whole population), ``L_healthy``,
        ``T_healthy``, ``hle`` (healthy life expectancy), ``hle_pct`` (share of remaining life
        in health, %), ``hle_var_mortality`` and, with ``survey_n``, ``hle_var_prevalence``,
        ``hle_se`` (both parts), ``hle_lower`` and ``hle_upper``.

    Notes
    -----
    Sullivan (1971); Jagger et al. (2014): :math:`L^h_x = (1-\pi_x) L_x`,
    :math:`HLE_x = \sum_{i\ge x} L^h_i / l_x`. With institutions,
    :math:`\pi'_x = (1-I_x)\pi_x + I_x` (Appendix 1 §13).

    Variance (Appendix 1 §11; Examples 4 and 6), the sum of a mortality and a prevalence part:

    .. math:: S^2(HLE_x) = \frac{1}{l_x^2}\sum_{i \ge x} l_i^2
              \big[(1-a_i)\,n_i\,(1-\pi_i) + HLE_{i+n}\big]^2 S^2(q_i)
              + \frac{1}{l_x^2}\sum_{i \ge x} L_i^2\, S^2(\pi_i)

    with :math:`S^2(q_i) = q_i^2 (1-q_i)/D_i` and
    :math:`S^2(\pi_i) = \pi_i(1-\pi_i)/N_i`. In the open age group :math:`q = 1`, so its
    :math:`S^2(q)` is 0: the guide says so in Example 4 step 2 ("For the last age group 85+
    this part is in fact 0 (since the conditional probability of death qx is 1)") and its
    Table 4.2 prints the 85+ total variance as 0.01114, the prevalence part alone (with a
    :math:`q_{85}` from a 10-year width the term would be 8.5e-6 and the total 0.01115).
    With institutions :math:`S^2(\pi_i)` is
    :math:`(1-I_i)^2\,\pi'_i(1-\pi'_i)/N_i` (Appendix 1 §14).
    """
    pi = np.asarray(unhealthy_share, dtype="float64")
    shares = [("prevalence", pi)]
    inst = None
    if institutionalised is not None:
        inst = np.asarray(institutionalised, dtype="float64")
        shares.append(("institutionalised", inst))
    for field, share in shares:
        if np.any((share < 0) | (share > 1)):
            raise InputDataError(
                f"{field} must be a share between 0 and 1.",
                row=int(np.flatnonzero((share < 0) | (share > 1))[0]) + 1,
                field=field,
                fix="divide percentages by 100.",
            )
    if inst is not None:
        pi = (1 - inst) * pi + inst
    out = table.copy()
    out["pi"] = pi
    out["L_healthy"] = (1 - pi) * out["L"]
    out["T_healthy"] = out["L_healthy"][::-1].cumsum()[::-1]
    # no life expectancy (PHE's age bands missing): no health expectancy either
    out["hle"] = np.where(out["e"].notna(), out["T_healthy"] / out["l"], np.nan)
    out["hle_pct"] = 100 * out["hle"] / out["e"]
    l2 = out["l"].to_numpy() ** 2
    q = out["q"].fillna(0.0).to_numpy()
    d = out["D"].to_numpy()
    var_q = np.divide(q**2 * (1 - q), d, out=np.zeros_like(q), where=d > 0)
    hle_next = np.append(out["hle"].to_numpy()[1:], 0.0)
    n = out["n"].fillna(0.0).to_numpy()
    a = out["a"].to_numpy()
    mortality = l2 * ((1 - a) * n * (1 - pi) + hle_next) ** 2 * var_q
    out["hle_var_mortality"] = mortality[::-1].cumsum()[::-1] / l2
    if survey_n is not None:
        survey = np.asarray(survey_n, dtype="float64")
        var_pi = pi * (1 - pi) / survey
        if inst is not None:
            var_pi = (1 - inst) ** 2 * var_pi
        prevalence = out["L"].to_numpy() ** 2 * var_pi
        out["hle_var_prevalence"] = prevalence[::-1].cumsum()[::-1] / l2
        out["hle_se"] = np.sqrt(out["hle_var_prevalence"] + out["hle_var_mortality"])
        z = float(ndtri(0.5 + level / 2))
        out["hle_lower"] = out["hle"] - z * out["hle_se"]
        out["hle_upper"] = out["hle"] + z * out["hle_se"]
    return out

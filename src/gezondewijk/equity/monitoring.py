"""Monitoring over years: change per area beyond the noise, and inequality against a target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.equity.inequality import inequality_summary
from gezondewijk.variables import describe


def published_noise(
    before: pd.DataFrame, after: pd.DataFrame, variables: list[str], *, z: float = 1.96
) -> dict[str, float]:
    r"""Standard error per variable from the publisher's 95 % margins, where both years have them.

    RIVM publishes a lower and upper bound per area (read as ``<var>_ondergrens`` and
    ``<var>_bovengrens``); the standard error is the median over areas and both years of
    :math:`(\mathrm{upper} - \mathrm{lower}) / (2z)`.
    """
    out = {}
    for var in variables:
        lo, hi = f"{var}_ondergrens", f"{var}_bovengrens"
        if not all(lo in t and hi in t for t in (before, after)):
            continue
        se = pd.concat([(t[hi] - t[lo]) / (2 * z) for t in (before, after)]).dropna()
        if len(se):
            out[var] = float(se.median())
    return out


def change_between_years(
    before: pd.DataFrame,
    after: pd.DataFrame,
    variables: list[str],
    *,
    noise_se: dict[str, float] | None = None,
    z: float = 1.96,
) -> pd.DataFrame:
    r"""Change per area between two years, and whether it goes beyond the noise.

    Parameters
    ----------
    before, after
        Area tables indexed by area code (e.g. RIVM 2016 and 2020); only areas in both count.
    variables
        Variables to compare.
    noise_se
        Standard error of a single-year estimate per variable, where known (e.g. from the
        publisher's margins). Without it the noise is estimated from the areas themselves.
    z
        Critical value (1.96 for 95 %).

    Returns
    -------
    pandas.DataFrame
        Long format: ``code, variabele, voor, na, verschil, drempel, oordeel`` with ``oordeel``
        one of ``beter``, ``slechter`` (beyond the noise, by the variable's direction) or
        ``binnen ruis``.

    Notes
    -----
    With a known standard error :math:`s`, a change is beyond the noise when
    :math:`|\Delta| > z\sqrt2\,s`. Otherwise the typical change of all areas is taken as the
    common trend and the robust spread of the area changes around it as the noise:
    beyond when :math:`|\Delta_i - \mathrm{med}\,\Delta| > z \cdot 1.4826\,\mathrm{MAD}(\Delta)`.
    Model-based small-area estimates (RIVM SMAP) are smooth, so this flags areas that moved
    unlike the rest.
    """
    codes = before.index.intersection(after.index)
    rows = []
    for var in variables:
        if var not in before or var not in after:
            continue
        b = before.loc[codes, var].astype("float64")
        a = after.loc[codes, var].astype("float64")
        delta = a - b
        known = delta.dropna()
        if noise_se and var in noise_se:
            centre, limit = 0.0, z * np.sqrt(2.0) * noise_se[var]
        else:
            centre = float(known.median()) if len(known) else 0.0
            mad = float((known - centre).abs().median()) if len(known) else np.nan
            limit = z * 1.4826 * mad
        worse_up = describe(var).direction == "higher_is_worse"
        dev = delta - centre
        verdict = np.where(
            dev.abs() <= limit, "binnen ruis", np.where((dev > 0) == worse_up, "slechter", "beter")
        )
        verdict = np.where(delta.isna(), "onbekend", verdict)
        rows.append(
            pd.DataFrame(
                {
                    "code": codes,
                    "variabele": var,
                    "voor": b.to_numpy(),
                    "na": a.to_numpy(),
                    "verschil": delta.to_numpy(),
                    "trend": centre,
                    "drempel": limit,
                    "oordeel": verdict,
                }
            )
        )
    if not rows:
        return pd.DataFrame(
            columns=["code", "variabele", "voor", "na", "verschil", "trend", "drempel", "oordeel"]
        )
    return pd.concat(rows, ignore_index=True)


def inequality_trend(
    years: dict[int, pd.DataFrame],
    variable: str,
    ses: pd.Series,
    population: pd.Series,
    *,
    baseline: int,
    target_reduction: float = 0.2,
    higher_is_advantaged: bool = True,
    n_boot: int = 500,
) -> pd.DataFrame:
    r"""Inequality in one variable per year, against a reduction target from a baseline year.

    Parameters
    ----------
    years
        Area tables per year, indexed by area code.
    variable
        The outcome (e.g. ``good_health_pct``).
    ses, population
        SES score and population per area code (held fixed over the years, so that a change in
        inequality is a change in the outcome, not in the ranking).
    baseline
        The year the target is measured from.
    target_reduction
        Relative reduction of the absolute SII aimed for (0.2 = Eindhoven's "20 % less").

    Returns
    -------
    pandas.DataFrame
        Per year and measure the estimate with its bootstrap interval, plus for the SII the
        change from baseline (%), the target value and whether it is met. Empty when no year
        has at least 3 areas with data.

    Notes
    -----
    Progress :math:`= 1 - |SII_t| / |SII_{base}|`; the target is met when it reaches
    ``target_reduction``.
    """
    out = []
    for year, table in sorted(years.items()):
        codes = table.index.intersection(ses.index).intersection(population.index)
        if table.loc[codes, variable].notna().sum() < 3:
            continue  # too few areas with data that year
        summary = inequality_summary(
            table.loc[codes, variable].to_numpy(dtype="float64"),
            ses.loc[codes].to_numpy(dtype="float64"),
            population.loc[codes].to_numpy(dtype="float64"),
            higher_is_advantaged=higher_is_advantaged,
            n_boot=n_boot,
        )
        summary.insert(0, "jaar", year)
        out.append(summary)
    if not out:
        return pd.DataFrame(
            columns=["jaar", "maat", "schatting", "ondergrens", "bovengrens", "n_gebieden"]
        )
    frame = pd.concat(out, ignore_index=True)
    base = frame[(frame["jaar"] == baseline) & (frame["maat"] == "sii")]["schatting"]
    if base.empty:
        raise ValueError(f"baseline year {baseline} is not among the years given")
    base_sii = abs(float(base.iloc[0]))
    is_sii = frame["maat"] == "sii"
    frame["voortgang_pct"] = np.where(
        is_sii, 100 * (1 - frame["schatting"].abs() / base_sii), np.nan
    )
    frame["doel"] = np.where(is_sii, (1 - target_reduction) * base_sii, np.nan)
    frame["doel_gehaald"] = np.where(is_sii, frame["schatting"].abs() <= frame["doel"], False)
    return frame

"""Monitoring over years: change per area beyond the noise, and inequality against a target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.equity.inequality import inequality_summary
from gezondewijk.equity.slope_simulation import published_limits, value_type_of
from gezondewijk.variables import describe, margin_columns


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
        lo, hi = margin_columns(var)
        if not all(lo in t and hi in t for t in (before, after)):
            continue
        se = pd.concat([(t[hi] - t[lo]) / (2 * z) for t in (before, after)]).dropna()
        if len(se):
            out[var] = float(se.median())
    return out


#: How the noise of a change was measured (the ``ruis`` column).
NOISE_MARGINS = "RIVM-marges per buurt"
NOISE_MARGINS_MEDIAN = "RIVM-marges (mediaan; buurt zonder marges)"
NOISE_GIVEN = "opgegeven standaardfout"
NOISE_SPREAD = "robuuste spreiding van de veranderingen"


def _margin_se(table: pd.DataFrame, var: str, codes: pd.Index, z: float) -> pd.Series | None:
    lower, upper = published_limits(table, var, codes)
    if lower is None or upper is None:
        return None
    return pd.Series((upper - lower) / (2 * z), index=codes)


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
        Where both carry the publisher's 95 % margins (``<var>_ondergrens`` and
        ``<var>_bovengrens``, RIVM's "Marges" rows), each area's own margins decide.
    variables
        Variables to compare.
    noise_se
        Standard error of a single-year estimate per variable, for variables without margins
        (e.g. from another source).
    z
        Critical value (1.96 for 95 %).

    Returns
    -------
    pandas.DataFrame
        Long format: ``code, variabele, voor, na, verschil, trend, drempel, oordeel, ruis``
        with ``oordeel`` one of ``beter``, ``slechter`` (beyond the noise, by the variable's
        direction), ``binnen ruis`` or ``onbekend``, and ``ruis`` saying how the noise was
        measured (RIVM margins per area, their median, a given standard error, or the robust
        spread of the changes).

    Notes
    -----
    With the published margins, area *i*'s standard errors are
    :math:`s = (\mathrm{upper} - \mathrm{lower}) / (2z)` in each year and its change is beyond
    the noise when :math:`|\Delta_i| > z\sqrt{s_{i,0}^2 + s_{i,1}^2}` (independent
    estimates); an area without margins where others have them takes the median standard
    error. With a given standard error :math:`s`: :math:`|\Delta| > z\sqrt2\,s`. Otherwise
    (the fallback) the typical change of all areas is taken as the common trend and the
    robust spread of the area changes around it as the noise: beyond when
    :math:`|\Delta_i - \mathrm{med}\,\Delta| > z \cdot 1.4826\,\mathrm{MAD}(\Delta)`.
    Model-based small-area estimates (RIVM SMAP) are smooth, so this flags areas that moved
    unlike the rest.
    """
    codes = before.index.intersection(after.index)
    columns = ["code", "variabele", "voor", "na", "verschil", "trend", "drempel", "oordeel"]
    rows = []
    for var in variables:
        if var not in before or var not in after:
            continue
        b = before.loc[codes, var].astype("float64")
        a = after.loc[codes, var].astype("float64")
        delta = a - b
        known = delta.dropna()
        se_b, se_a = _margin_se(before, var, codes, z), _margin_se(after, var, codes, z)
        centre = 0.0
        if se_b is not None and se_a is not None and (se_b.notna() | se_a.notna()).any():
            median = float(pd.concat([se_b, se_a]).median())
            own = se_b.notna() & se_a.notna()
            limit = z * np.sqrt(se_b.fillna(median) ** 2 + se_a.fillna(median) ** 2)
            source = np.where(own, NOISE_MARGINS, NOISE_MARGINS_MEDIAN)
        elif noise_se and var in noise_se:
            limit = pd.Series(z * np.sqrt(2.0) * noise_se[var], index=codes)
            source = np.full(len(codes), NOISE_GIVEN)
        else:
            centre = float(known.median()) if len(known) else 0.0
            mad = float((known - centre).abs().median()) if len(known) else np.nan
            limit = pd.Series(z * 1.4826 * mad, index=codes)
            source = np.full(len(codes), NOISE_SPREAD)
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
                    "drempel": limit.to_numpy(),
                    "oordeel": verdict,
                    "ruis": source,
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=[*columns, "ruis"])
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
        Per year and measure the estimate with its interval (PHE's simulation from the
        published margins where the table has them, else a bootstrap; column ``interval``),
        plus for the SII the
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
        lower, upper = published_limits(table, variable, codes)
        summary = inequality_summary(
            table.loc[codes, variable].to_numpy(dtype="float64"),
            ses.loc[codes].to_numpy(dtype="float64"),
            population.loc[codes].to_numpy(dtype="float64"),
            higher_is_advantaged=higher_is_advantaged,
            n_boot=n_boot,
            lower=lower,
            upper=upper,
            value_type=value_type_of(variable),
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

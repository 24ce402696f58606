"""Read the inputs of the equity commands: age tables for Sullivan, area tables per year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk.equity.sullivan import life_table, sullivan
from gezondewijk.sources._tables import check_file, find_column, read_any_table, to_numbers


def read_age_table(
    path: str | Path, *, what: str = "leeftijdstabel", health_required: bool = True
) -> pd.DataFrame:
    """Read a table by age group: ``gebied, x, P, D, pi, n, inst``.

    The columns are those of :func:`sullivan_from_file`.

    ``pi`` (share in poor health) comes from ``ongezond`` or ``goed_pct``; without either it is
    NaN where ``health_required`` is false (a life table for life years only).

    Raises
    ------
    InputDataError
        Naming the file, column and row when a column is missing or a value is not a number.
    """
    p = check_file(path, what=what)
    table = read_any_table(p)
    age = find_column(table, ["leeftijd", "age", "x"], path=p, what="leeftijd")
    pop = find_column(table, ["bevolking", "population", "P"], path=p, what="bevolking")
    deaths = find_column(table, ["sterfte", "deaths", "D"], path=p, what="sterfte")
    lowered = {str(c).lower(): str(c) for c in table.columns}
    if "ongezond" in lowered:
        unhealthy = to_numbers(table[lowered["ongezond"]], path=p, field=lowered["ongezond"])
    elif "goed_pct" in lowered:
        unhealthy = (
            1 - to_numbers(table[lowered["goed_pct"]], path=p, field=lowered["goed_pct"]) / 100
        )
    elif not health_required:
        unhealthy = np.nan
    else:
        raise InputDataError(
            "geen kolom 'ongezond' of 'goed_pct'.",
            path=p,
            field="ongezond",
            fix="voeg het aandeel in (zeer) goede ervaren gezondheid toe.",
        )
    return pd.DataFrame(
        {
            "gebied": table[lowered["gebied"]].astype(str) if "gebied" in lowered else "",
            "x": to_numbers(table[age], path=p, field=age),
            "P": to_numbers(table[pop], path=p, field=pop),
            "D": to_numbers(table[deaths], path=p, field=deaths),
            "pi": unhealthy,
            "n": (to_numbers(table[lowered["n"]], path=p, field="n") if "n" in lowered else np.nan),
            "inst": (
                to_numbers(table[lowered["instelling"]], path=p, field=lowered["instelling"])
                if "instelling" in lowered
                else np.nan
            ),
        }
    )


def sullivan_from_file(path: str | Path, *, method: str = "phe") -> pd.DataFrame:
    """Healthy life expectancy per area from one CSV/xlsx table.

    The table has one row per area and age group with the columns ``leeftijd`` (start of the
    age group), ``bevolking`` (mid-year population), ``sterfte`` (deaths in the year) and
    either ``ongezond`` (share 0-1 in poor health) or ``goed_pct`` (% in good or very good
    perceived health, as RIVM publishes it); optionally ``gebied`` (area), ``n`` (survey
    respondents, for the prevalence part of the standard error) and ``instelling`` (share 0-1
    living in institutions, counted as not in good health; Jagger et al. 2014, Example 6).

    ``method="phe"``: PHE's life table (:math:`a_0 = 0.1`, 0.5 elsewhere) with PHE's 20 age
    bands required (another layout is not computed, with the reason); ``"sullivan-gids"``:
    :math:`a = 0.5` in every band and any bands, as the Sullivan guide's examples (to 85+).

    Raises
    ------
    InputDataError
        Naming the file, column and row when a column is missing or a value is not a number.
    """
    frame = read_age_table(path)
    out = []
    for area, rows in frame.groupby("gebied", sort=False):
        rows = rows.sort_values("x")
        lt = life_table(
            rows["x"].to_numpy(),
            rows["P"].to_numpy(),
            rows["D"].to_numpy(),
            ax=0.5 if method == "sullivan-gids" else None,
        )
        n = rows["n"].to_numpy() if rows["n"].notna().all() else None
        inst = rows["inst"].fillna(0.0).to_numpy() if rows["inst"].notna().any() else None
        result = sullivan(lt, rows["pi"].to_numpy(), n, institutionalised=inst)
        result.insert(0, "gebied", area)
        out.append(result)
    return pd.concat(out, ignore_index=True)

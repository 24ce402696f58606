"""RIVM table 50090NED "Gezondheid per wijk en buurt" (xlsx or CSV as published)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk.sources._tables import (
    check_file,
    check_unique,
    find_column,
    normalise_codes,
    read_any_table,
    to_numbers,
)
from gezondewijk.variables import LOWER_SUFFIX, UPPER_SUFFIX, canonical_name

AGE_CODES = {"18+": "20300", "65+": "80200"}
_META = {
    "id",
    "leeftijd",
    "marges",
    "wijkenenbuurten",
    "perioden",
    "gemeentenaam_1",
    "soortregio_2",
    "codering_3",
}
_INDICATOR = re.compile(r"^[A-Za-z][A-Za-z0-9]*_\d+$")


def read_rivm_health(path: str | Path, *, age: str = "18+") -> pd.DataFrame:
    """Read RIVM 50090NED health estimates (%) per gemeente, wijk and buurt.

    Parameters
    ----------
    path
        The xlsx as downloaded from StatLine (first sheet) or a CSV export of it.
    age
        ``"18+"`` (Leeftijd 20300) or ``"65+"`` (80200); rows of other ages are dropped.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code (``NL01``, ``GM…``, ``WK…``, ``BU…``) with ``soort_regio``, and
        one float column per health indicator: known ones renamed to variable keys
        (``lonely_pct``, ``stress_pct``...), the others keep their StatLine name. Only the
        central estimate (``Marges = MW00000``) is the value; where the table also has the
        published 95 % bounds (``MOG0095`` / ``MBG0095``) they come as ``<key>_ondergrens``
        and ``<key>_bovengrens``. ``attrs["year"]`` holds the year.

    Notes
    -----
    The values are model-based small-area estimates (SMAP) of the Gezondheidsmonitor, not
    direct survey shares (RIVM, 2022).
    """
    p = check_file(path, what="RIVM-gezondheidstabel (50090NED)")
    table = read_any_table(p)
    code_col = find_column(
        table,
        ["WijkenEnBuurten", "Codering_3", "Wijken en buurten"],
        path=p,
        what="gebiedscode (WijkenEnBuurten)",
    )
    keep = pd.Series(True, index=table.index)
    if "Leeftijd" in table:
        if age not in AGE_CODES:
            raise InputDataError(
                f"onbekende leeftijdsgroep '{age}'.",
                path=p,
                field="Leeftijd",
                fix="kies '18+' of '65+'.",
            )
        keep &= table["Leeftijd"].astype(str).str.strip() == AGE_CODES[age]
        if not keep.any():
            raise InputDataError(
                f"geen rijen voor leeftijd {age}.",
                path=p,
                field="Leeftijd",
                fix="kies de leeftijdsgroep die het bestand bevat.",
            )
    margins = {}
    if "Marges" in table:
        marge = table["Marges"].astype(str).str.strip()
        for prefix, suffix in (("MOG", LOWER_SUFFIX), ("MBG", UPPER_SUFFIX)):
            rows = table[keep & marge.str.startswith(prefix)].reset_index(drop=True)
            if len(rows):
                margins[suffix] = rows
        keep &= marge == "MW00000"
    table = table[keep].reset_index(drop=True)
    codes = normalise_codes(table[code_col], path=p, field=code_col)
    check_unique(codes, path=p, field=code_col)

    columns: dict[str, object] = {}
    if "SoortRegio_2" in table:
        columns["soort_regio"] = table["SoortRegio_2"].astype(str).str.strip().to_numpy()
    indicator_cols = [
        c for c in table.columns if str(c).lower() not in _META and _INDICATOR.match(str(c))
    ]
    if not indicator_cols:
        raise InputDataError(
            "geen gezondheidsindicatoren gevonden.",
            path=p,
            fix="gebruik de tabel 50090NED met kolommen zoals Eenzaam_28.",
        )
    for col in indicator_cols:
        values = to_numbers(table[col], path=p, field=str(col))
        columns[canonical_name(str(col)) or str(col)] = values.to_numpy()
    out = pd.DataFrame(columns, index=pd.Index(codes.to_numpy(), name="code"))
    for suffix, rows in margins.items():
        bound_codes = normalise_codes(rows[code_col], path=p, field=code_col)
        for col in indicator_cols:
            bound = to_numbers(rows[col], path=p, field=str(col))
            series = pd.Series(bound.to_numpy(), index=bound_codes.to_numpy())
            name = (canonical_name(str(col)) or str(col)) + suffix
            out[name] = series[~series.index.duplicated()].reindex(out.index).to_numpy()
    year = None
    if "Perioden" in table and len(table):
        match = re.match(r"(\d{4})", str(table["Perioden"].iloc[0]).strip())
        year = int(match.group(1)) if match else None
    out.attrs["year"] = year
    out.attrs["source"] = "RIVM 50090NED Gezondheid per wijk en buurt"
    out.attrs["source_path"] = str(p)
    return out

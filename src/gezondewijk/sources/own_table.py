"""A table of one's own per buurt: a code column and the columns that hold known variables."""

from __future__ import annotations

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
    unknown_column,
)
from gezondewijk.variables import KNOWN

#: Code columns tried when ``code_field`` is not given.
CODE_CANDIDATES = ["buurtcode", "CBS_Buurtcode", "statcode", "code", "gwb_code_10"]


def read_own_table(
    path: str | Path,
    columns: dict[str, str],
    *,
    code_field: str | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Read a per-buurt table and take the mapped columns as variables.

    Parameters
    ----------
    path
        CSV or xlsx with one row per area.
    columns
        Variable key → column name in the file, e.g. ``{"heat_pet": "PET_mean_lw"}``.
    code_field
        The column with the CBS area codes (``BU…``); found by name when not given.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code, one column per mapped variable; ``attrs["year"]`` is ``year``.

    Raises
    ------
    InputDataError
        For an unknown variable key, a column not in the file, a code that is not a CBS code
        or occurs twice, or a value that is not a number (the row and column are named).
    """
    p = check_file(path, what="tabel")
    table = read_any_table(p)
    for key in columns:
        if key not in KNOWN:
            raise InputDataError(
                f"'{key}' is geen variabele die gezondewijk kent / not a known variable.",
                path=p,
                field=f"columns.{key}",
                fix="gebruik een sleutel uit docs/methods.md, bijvoorbeeld heat_pet.",
            )
    if code_field is None:
        code_col = find_column(table, CODE_CANDIDATES, path=p, what="buurtcode")
    elif code_field not in table.columns:
        raise unknown_column(
            f"kolom '{code_field}' (code_field) staat niet in de tabel.", table, path=p,
            field="code_field",
        )  # fmt: skip
    else:
        code_col = code_field
    codes = normalise_codes(table[code_col], path=p, field=code_col)
    check_unique(codes, path=p, field=code_col)
    out: dict[str, pd.Series] = {}
    for key, column in columns.items():
        if column not in table.columns:
            raise unknown_column(
                f"kolom '{column}' (voor {key}) staat niet in de tabel.", table, path=p,
                field=f"columns.{key}",
            )  # fmt: skip
        out[key] = to_numbers(table[column], path=p, field=column).to_numpy()
    frame = pd.DataFrame(out, index=pd.Index(codes.to_numpy(), name="code"))
    frame.attrs["year"] = year
    frame.attrs["source_path"] = str(p)
    return frame

"""CBS StatLine tables per area: Nabijheid voorzieningen, SES-WOA, Kerncijfers wijken en buurten.

StatLine's "CSV met statistische symbolen" uses ``;``, a decimal comma, a UTF-8 BOM, padded
codes and the symbols ``.`` (unknown), ``x`` (secret) and ``-`` (nil). The KWB is published as
xlsx with the short column names (``a_inw``, ``g_afs_hp``...).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk.area_codes import AREA_CODE
from gezondewijk.sources._tables import (
    check_file,
    check_unique,
    find_column,
    is_numeric_column,
    normalise_codes,
    read_any_table,
    to_numbers,
)
from gezondewijk.variables import KNOWN, canonical_name

CODE_COLUMNS = [
    "Codering (code)",
    "Regioaanduiding/Codering (code)",
    "Regiocode (gemeente, wijk, buurt) (code)",
    "gwb_code_10",
    "buurtcode",
    "gwb_code",
    "WijkenEnBuurten",
    "statcode",
]
_PADDING = re.compile(r"\s+")
_SKIP = {
    "perioden",
    "wijken en buurten",
    "regioaanduiding/gemeentenaam (naam)",
    "regioaanduiding/soort regio (omschrijving)",
    "gwb_code_8",
    "regio",
    "gm_naam",
    "recs",
    "buurtnaam",
    "gemeente",
    "gm_code",
    "gm_code_int",
    "ind_wbi",
    "gwb_code",
    "regioaanduiding/indelingswijziging wijken en buurten (code)",
}


def read_statline_csv(path: str | Path) -> pd.DataFrame:
    """Read a StatLine table per area (CSV or xlsx) into numbers indexed by area code.

    Parameters
    ----------
    path
        CBS Nabijheid voorzieningen, SES-WOA (85163NED) or KWB table, as downloaded.

    Returns
    -------
    pandas.DataFrame
        Indexed by area code; known columns renamed to :mod:`gezondewijk.variables` keys
        (``distance_gp_km``, ``ses_woa``...), all others kept under their published name.
        Columns that hold text (names, region types) are left out. ``attrs["year"]`` holds
        the period where the table has one.

    Raises
    ------
    InputDataError
        When no code column is found, a code is malformed or occurs twice, or a value is not a
        number or StatLine symbol (the row and column are named).
    """
    p = check_file(path, what="StatLine-tabel")
    table = read_any_table(p)
    if is_transposed(table):
        table = transpose_topics(table, path=p)
    code_col = find_column(table, CODE_COLUMNS, path=p, what="gebiedscode")
    codes = normalise_codes(table[code_col], path=p, field=code_col)
    check_unique(codes, path=p, field=code_col)
    columns: dict[str, np.ndarray] = {}
    for col in table.columns:
        name = str(col)
        if col == code_col or name.strip().lower() in _SKIP:
            continue
        known = canonical_name(name)
        key = known or name
        if key in columns:
            continue
        series = table[col]
        # unknown columns that hold text (names, region types) are left out; a known
        # variable is always parsed, so a typo in it is reported, not dropped
        if known is None and not is_numeric_column(series):
            continue
        columns[key] = to_numbers(series, path=p, field=name).to_numpy()
    out = pd.DataFrame(columns, index=pd.Index(codes.to_numpy(), name="code"))
    year = None
    period_col = next((c for c in table.columns if str(c).strip().lower() == "perioden"), None)
    if period_col is not None and len(table):
        match = re.match(r"(\d{4})", str(table[period_col].iloc[0]).strip())
        year = int(match.group(1)) if match else None
    out.attrs["year"] = year
    out.attrs["source_path"] = str(p)
    return out


#: First header cells of a StatLine export whose topics are the rows.
_TOPIC_HEADERS = {"onderwerp", "onderwerpen", "topic", "topics"}


def is_transposed(table: pd.DataFrame) -> bool:
    """Whether a StatLine export has its topics as rows and its areas as columns.

    StatLine lets a user turn the table before exporting: the first column then holds the
    topic paths, the groups separated by ``|`` ("Onderwijs|Basisonderwijs|Afstand tot school
    (km)"), and every other column is an area. Recognised by the first header cell
    (``Onderwerp(en)``) or, with no area-code column, by ``|``-paths in the first column.
    """
    if table.empty or len(table.columns) < 2:
        return False
    first = str(table.columns[0]).strip().lower()
    if first in _TOPIC_HEADERS:
        return True
    lowered = {str(c).strip().lower().split("/")[-1] for c in table.columns}
    if lowered & {c.lower().split("/")[-1] for c in CODE_COLUMNS}:
        return False
    values = table.iloc[:, 0].astype("string").str.strip().dropna()
    return bool(len(values)) and bool(values.str.contains("|", regex=False).mean() >= 0.5)


def transpose_topics(table: pd.DataFrame, *, path: Path) -> pd.DataFrame:
    """Turn a topics-as-rows export into the usual layout: one row per area.

    The topic paths become column names with ``/`` between the groups (as the usual export
    writes them). The area codes come from the row "Regioaanduiding|Codering (code)", else
    from the column headers when those are codes.

    Raises
    ------
    InputDataError
        When neither a code row nor code headers are there (names alone cannot be joined).
    """
    topics = table.iloc[:, 0].astype("string").fillna("").str.strip().str.replace("|", "/")
    areas = [str(c) for c in table.columns[1:]]
    body = table.iloc[:, 1:].T
    body.columns = list(topics)
    body = body.loc[:, [c for c in body.columns if c]]
    body = body.loc[:, ~pd.Index(body.columns).duplicated()]
    has_code_row = any(c.strip().lower().split("/")[-1] == "codering (code)" for c in body.columns)
    if not has_code_row:
        codes = pd.Series(areas).str.strip().str.upper().str.replace(_PADDING, "", regex=True)
        if not codes.str.match(AREA_CODE).all():
            raise InputDataError(
                "de tabel heeft de onderwerpen als rijen, maar geen gebiedscodes (alleen namen "
                f"zoals '{areas[0]}').",
                path=path,
                field="Regioaanduiding|Codering (code)",
                fix="neem bij het downloaden 'Regioaanduiding: Codering' op, of zet de gebieden "
                "weer als rijen.",
            )
        body.insert(0, "Codering (code)", codes.to_numpy())
    return body.reset_index(drop=True)


def read_area_table(path: str | Path, *, kind: str = "statline", age: str = "18+") -> pd.DataFrame:
    """Read any supported per-area table by kind: ``"rivm"``, ``"statline"``, ``"kwb"``.

    ``kind="auto"`` reads the table as RIVM 50090NED/50120NED when one of its columns is a
    RIVM health estimate (see :func:`table_kind`), else as a StatLine table.

    Raises
    ------
    InputDataError
        For an unknown kind, and everything the specific readers raise.
    """
    from gezondewijk.sources.rivm import read_rivm_health

    if kind == "auto":
        kind = table_kind(path)
    if kind == "rivm":
        return read_rivm_health(path, age=age)
    if kind in {"statline", "kwb", "nabijheid", "ses_woa"}:
        return read_statline_csv(path)
    raise InputDataError(
        f"onbekend tabeltype '{kind}'.",
        path=path,
        field="kind",
        fix="kies 'auto', 'rivm', 'kwb', 'nabijheid', 'ses_woa' of 'statline'.",
    )


def table_kind(path: str | Path) -> str:
    """``"rivm"`` when a column of the table is a RIVM health estimate, else ``"statline"``.

    Decided on the columns, never on the file name: a column is a RIVM estimate when its
    StatLine name maps to a variable whose source is RIVM (``Eenzaam_27`` → ``lonely_pct``).
    """
    p = check_file(path, what="tabel")
    for col in read_any_table(p, nrows=0).columns:
        key = canonical_name(str(col))
        if key is not None and key in KNOWN and KNOWN[key].source.startswith("RIVM"):
            return "rivm"
    return "statline"

"""Text cells that a spreadsheet will not run as formulas (CSV/formula injection).

OWASP, *CSV Injection*: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be read as a formula by Excel, LibreOffice or Google Sheets (``=HYPERLINK(…)``
becomes a live link, ``=cmd|…`` a DDE call). The rule: prefix such cells with a single quote
``'`` and quote every text field. Numbers are left as numbers (a score of ``-1`` cannot occur;
numeric columns are not text and are never touched). Every export of text a person typed or
a file supplied goes through :func:`neutralise` (CSV) or :func:`xlsx_bytes` (Excel, where
text cells are also stored as text, never as formulas).
"""

from __future__ import annotations

import csv
from io import BytesIO

import pandas as pd

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value: object) -> object:
    """``'=1+1`` for ``=1+1``; other values unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot start a formula (column names too)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_text)
    out.columns = [neutralise_text(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """CSV with neutralised text cells, every text field in double quotes."""
    return neutralise(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC)


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An xlsx workbook, one sheet per table, text stored as text (never as a formula)."""
    buffer = BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            neutralise(frame).to_excel(writer, sheet_name=name[:31], index=False)
            for row in writer.sheets[name[:31]].iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # openpyxl reads "=…" as a formula
                        cell.data_type = "s"
    return buffer.getvalue()

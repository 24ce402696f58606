"""Shared plumbing for CBS/RIVM tables: sentinels, StatLine symbols, codes, CSV dialects."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.area_codes import AREA_CODE

#: Numeric sentinels CBS writes for "secret", "not applicable" or "not yet available".
CBS_SENTINELS: tuple[float, ...] = (-99995.0, -99996.0, -99997.0, -99998.0, -99999.0)
#: StatLine symbols that mean "no value" (CBS "Verklaring van tekens").
MISSING_SYMBOLS = frozenset({"", ".", "..", "x", "?", "nan", "none", "null", "na"})
#: StatLine "-" means "nihil" (zero).
ZERO_SYMBOLS = frozenset({"-"})

_YEAR_PREFIX = re.compile(r"^\d{4}(?=(GM|WK|BU))")
MAX_REPORTED = 20


def check_file(path: str | Path, *, what: str) -> Path:
    """Return ``path`` as a :class:`Path`, raising a clear error when it does not exist."""
    p = Path(path)
    if not p.is_file():
        raise InputDataError(
            f"{what} niet gevonden / not found.",
            path=p,
            fix="controleer het pad (relatief aan de map van het configuratiebestand).",
        )
    return p


def is_numeric_column(values: pd.Series, *, when_empty: bool = True) -> bool:
    """Whether a column holds numbers: the one rule every reader and the run use.

    A column of a numeric dtype is numeric. A text column is numeric when at least half of its
    first 200 values that are not StatLine symbols (``.``, ``x``, ``-``…) parse as numbers,
    with a decimal comma and thousands spaces allowed. A column with only symbols or missing
    values is numeric when ``when_empty`` (a published table whose every value is suppressed),
    else not (an empty attribute of a map layer).
    """
    if pd.api.types.is_numeric_dtype(values):
        return True
    sample = values.astype("string").str.strip().dropna()
    symbols = sample.str.lower().isin(MISSING_SYMBOLS) | sample.isin(ZERO_SYMBOLS)
    sample = sample[~symbols].head(200)
    if sample.empty:
        return when_empty
    parsed = pd.to_numeric(
        sample.str.replace(",", ".", regex=False).str.replace(" ", "", regex=False),
        errors="coerce",
    )
    return bool(parsed.notna().mean() >= 0.5)


def to_numbers(values: pd.Series, *, path: Path, field: str, first_row: int = 1) -> pd.Series:
    """Parse a column as published by CBS/RIVM into floats.

    Strips padding, accepts a decimal comma, turns StatLine symbols (``.``, ``x``, ``?``) and
    CBS sentinels (-99995, -99997...) into ``NaN`` and ``-`` into 0.

    Raises
    ------
    InputDataErrors
        Listing every row (1-based, from ``first_row``) whose value is not a number.
    """
    if pd.api.types.is_numeric_dtype(values):
        out = values.astype("float64")
    else:
        text = values.astype("string").str.strip()
        lowered = text.str.lower()
        missing = text.isna() | lowered.isin(MISSING_SYMBOLS)
        zero = text.isin(ZERO_SYMBOLS)
        cleaned = text.str.replace(r"\s+", "", regex=True)
        has_comma = cleaned.str.contains(",", regex=False, na=False)
        cleaned = cleaned.where(
            ~has_comma, cleaned.str.replace(".", "", regex=False).str.replace(",", ".")
        )
        out = pd.to_numeric(cleaned.where(~(missing | zero)), errors="coerce").astype("float64")
        out[zero.fillna(False).to_numpy()] = 0.0
        bad = out.isna() & ~missing.fillna(True) & ~zero.fillna(False)
        if bad.any():
            positions = np.flatnonzero(bad.to_numpy())
            errors = [
                InputDataError(
                    f"'{text.iloc[i]}' is geen getal / not a number.",
                    path=path,
                    row=int(i) + first_row,
                    field=field,
                    fix="gebruik een getal (decimale komma of punt) of '.' voor ontbrekend.",
                )
                for i in positions[:MAX_REPORTED]
            ]
            raise InputDataErrors(errors)
    out = out.mask(out.isin(CBS_SENTINELS))
    return out


def normalise_codes(values: pd.Series, *, path: Path, field: str) -> pd.Series:
    """Strip padding and year prefixes (``2024BU03080000``) from CBS area codes and check them.

    Raises
    ------
    InputDataErrors
        Listing every row whose code is not a CBS gemeente/wijk/buurt code.
    """
    codes = values.astype("string").str.strip().str.upper()
    codes = codes.str.replace(_YEAR_PREFIX, "", regex=True)
    ok = codes.str.match(AREA_CODE).fillna(False).astype(bool)
    if not ok.all():
        positions = np.flatnonzero(~ok.to_numpy())
        raise InputDataErrors(
            InputDataError(
                f"'{values.iloc[i]}' is geen CBS-gebiedscode (GM…, WK…, BU…).",
                path=path,
                row=int(i) + 1,
                field=field,
                fix="gebruik codes zoals BU07720000; controleer of de juiste kolom gekozen is.",
            )
            for i in positions[:MAX_REPORTED]
        )
    return codes


def check_unique(codes: pd.Series, *, path: Path, field: str) -> None:
    """Raise when an area code occurs more than once."""
    dup = codes.duplicated(keep="first")
    if dup.any():
        positions = np.flatnonzero(dup.to_numpy())
        raise InputDataErrors(
            InputDataError(
                f"code '{codes.iloc[i]}' komt vaker voor / occurs more than once.",
                path=path,
                row=int(i) + 1,
                field=field,
                fix="houd één rij per gebied (filter op jaar, leeftijd of marge).",
            )
            for i in positions[:MAX_REPORTED]
        )


def read_text_table(path: Path, nrows: int | None = None) -> pd.DataFrame:
    """Read a CSV as published (UTF-8 with or without BOM, ``;`` or ``,``) as strings.

    ``nrows`` reads only the first rows (0: the header).

    Raises
    ------
    InputDataError
        When the file is not valid UTF-8 or Latin-1 text, or has no header.
    """
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise InputDataError("onleesbare tekstcodering.", path=path, fix="sla op als UTF-8.")
    if "\x00" in text[:4096]:
        raise InputDataError(
            "dit is geen tekstbestand (CSV) / not a text file.",
            path=path,
            fix="exporteer de tabel als CSV, of geef het xlsx-bestand op.",
        )
    first_line = text.splitlines()[0] if text else ""
    if not first_line.strip():
        raise InputDataError(
            "het bestand is leeg of heeft geen kopregel.",
            path=path,
            fix="exporteer de tabel opnieuw met kolomnamen.",
        )
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    from io import StringIO

    try:
        return pd.read_csv(
            StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, nrows=nrows
        )
    except pd.errors.ParserError as exc:
        row = None
        match = re.search(r"line (\d+)", str(exc))
        if match:
            row = int(match.group(1)) - 1
        raise InputDataError(
            f"de CSV is niet regelmatig: {exc}.",
            path=path,
            row=row,
            fix="controleer het aantal scheidingstekens (';') op die regel.",
        ) from exc


def read_excel_table(path: Path, sheet: str | int = 0, nrows: int | None = None) -> pd.DataFrame:
    """Read one sheet of an xlsx workbook as strings and numbers (``nrows``: only the first).

    Raises
    ------
    InputDataError
        When the file is not a readable xlsx workbook or the sheet is missing.
    """
    try:
        return pd.read_excel(path, sheet_name=sheet, engine="openpyxl", nrows=nrows)
    except (ValueError, KeyError, OSError) as exc:
        raise InputDataError(
            f"het werkblad kan niet gelezen worden: {exc}.",
            path=path,
            fix="geef een .xlsx-bestand zoals CBS/RIVM het publiceren, of een CSV-export.",
        ) from exc
    except Exception as exc:  # zipfile.BadZipFile and friends from openpyxl
        raise InputDataError(
            f"dit is geen geldig xlsx-bestand ({type(exc).__name__}).",
            path=path,
            fix="geef een .xlsx-bestand zoals CBS/RIVM het publiceren, of een CSV-export.",
        ) from exc


def read_any_table(path: Path, nrows: int | None = None) -> pd.DataFrame:
    """Read a CSV or xlsx table, chosen by the file extension (``nrows=0``: the header only)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_excel_table(path, nrows=nrows)
    return read_text_table(path, nrows=nrows)


def find_column(frame: pd.DataFrame, candidates: list[str], *, path: Path, what: str) -> str:
    """Return the first column of ``frame`` whose name matches a candidate (case-insensitive).

    A candidate also matches the last part of a StatLine path header
    (``"Regioaanduiding/Codering (code)"`` matches ``"codering (code)"``).
    """
    lowered = {str(c).strip().lower(): str(c) for c in frame.columns}
    for cand in candidates:
        if cand.lower() in lowered:
            return lowered[cand.lower()]
    for col in frame.columns:
        last = str(col).strip().lower().split("/")[-1]
        if last in (c.lower() for c in candidates):
            return str(col)
    raise InputDataError(
        f"geen kolom voor {what} gevonden / no {what} column.",
        path=path,
        field=" | ".join(candidates),
        fix=f"geef de tabel een kolom met een van deze namen: {', '.join(candidates)}.",
    )


def unknown_column(problem: str, frame: pd.DataFrame, *, path: Path, field: str) -> InputDataError:
    """Return the error for a named column that is not in ``frame``, listing the choices."""
    return InputDataError(
        problem,
        path=path,
        field=field,
        fix=f"kies een van: {', '.join(map(str, frame.columns))}.",
    )

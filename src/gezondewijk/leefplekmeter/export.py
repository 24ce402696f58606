"""Exports of a campaign's answers: tidy long format (one row per answer) and wide format."""

from __future__ import annotations

import pandas as pd

from gezondewijk.leefplekmeter.submission import FORM_FIELDS
from gezondewijk.leefplekmeter.themes import theme_keys, themes
from gezondewijk.spreadsheet_safety import csv_text as safe_csv_text
from gezondewijk.spreadsheet_safety import xlsx_bytes

RESPONSE_COLUMNS = ["response_id", "campaign", *FORM_FIELDS]


def long_format(
    answers: pd.DataFrame, responses: pd.DataFrame, codes: dict[int, str]
) -> pd.DataFrame:
    """One row per answer, with the form's fields and the theme's Dutch name."""
    names = {t.key: t.name["nl"] for t in themes()}
    resp = responses.rename(columns={"id": "response_id"}).copy()
    resp["campaign"] = resp["campaign_id"].map(codes)
    merged = answers.merge(resp.drop(columns="campaign_id"), on="response_id", how="inner")
    merged["theme_name"] = merged["theme"].map(names)
    order = {k: i for i, k in enumerate(theme_keys())}
    merged = merged.sort_values(
        ["response_id", "theme"], key=lambda s: s.map(order) if s.name == "theme" else s
    )
    return merged[
        [*RESPONSE_COLUMNS, "theme", "theme_name", "score", "scale", "dont_know", "good", "better"]
    ].reset_index(drop=True)


def wide_format(long: pd.DataFrame) -> pd.DataFrame:
    """One row per form; per theme the score and the two comments."""
    base = long[[*RESPONSE_COLUMNS, "scale"]].drop_duplicates("response_id")
    parts = [base.set_index("response_id")]
    for field, suffix in (("score", ""), ("good", "_goed"), ("better", "_beter")):
        pivot = long.pivot(index="response_id", columns="theme", values=field)
        pivot = pivot.reindex(columns=theme_keys())
        pivot.columns = [f"{c}{suffix}" for c in pivot.columns]
        parts.append(pivot)
    return pd.concat(parts, axis=1).reset_index()


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An xlsx workbook with one sheet per table; text cells never start a formula."""
    return xlsx_bytes(sheets)


def csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV; text cells never start a formula (OWASP CSV injection rule)."""
    return safe_csv_text(frame)

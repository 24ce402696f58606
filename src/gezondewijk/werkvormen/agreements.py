"""The agreements (actions) a werksessie ends with, as Markdown and as a table for CSV.

Every work form ends in agreements: what, who, when, and the step it came from. Texts are
typed by participants, so the Markdown escapes table syntax and the CSV goes through
:func:`gezondewijk.spreadsheet_safety.csv_text` (no formula runs in a spreadsheet).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from gezondewijk.number_format import dutch_date_text
from gezondewijk.spreadsheet_safety import csv_text

#: Column headings, in order, for every export.
HEADINGS = {
    "what": "Afspraak",
    "owner": "Wie",
    "due": "Wanneer",
    "step": "Uit stap",
    "author": "Ingevoerd door",
}


@dataclass(frozen=True)
class Agreement:
    """One action: what, who, when (ISO date or empty), from which step, typed by whom."""

    what: str
    owner: str
    due: str
    step: str
    author: str


def _due(value: str) -> str:
    """``2026-12-01`` → ``1-12-2026`` (empty stays empty)."""
    return dutch_date_text(value, missing="")


def agreements_frame(rows: list[Agreement]) -> pd.DataFrame:
    """The agreements as a table with Dutch headings and Dutch dates."""
    frame = pd.DataFrame([asdict(r) for r in rows], columns=list(HEADINGS))
    frame["due"] = frame["due"].map(_due)
    return frame.rename(columns=HEADINGS)


def agreements_csv(rows: list[Agreement]) -> str:
    """The agreements as CSV (text quoted, formulas neutralised)."""
    return csv_text(agreements_frame(rows))


def agreements_markdown(title: str, rows: list[Agreement]) -> str:
    """The agreements as a Markdown document with one table."""

    def cell(text: str) -> str:
        return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())

    frame = agreements_frame(rows)
    lines = [f"# Afspraken: {cell(title)}", ""]
    lines.append("| " + " | ".join(HEADINGS.values()) + " |")
    lines.append("|" + "---|" * len(HEADINGS))
    for values in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(str(v)) for v in values) + " |")
    if frame.empty:
        lines.append("| (nog geen afspraken) |" + " |" * (len(HEADINGS) - 1))
    return "\n".join(lines) + "\n"

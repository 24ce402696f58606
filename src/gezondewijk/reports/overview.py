"""Municipal overview for "ongelijk investeren": buurten ranked by burden and vulnerability."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gezondewijk.reports.mapdata import MapData

#: Vulnerability measures in order of preference: (column, label, higher is more vulnerable).
VULNERABILITY = [
    ("ses_woa", "SES-WOA (lager = kwetsbaarder)", False),
    ("hard_to_make_ends_meet_pct", "Moeite met rondkomen (%)", True),
]


@dataclass
class Overview:
    """The ranked table, what vulnerability means here, and the inequality table if any."""

    table: pd.DataFrame
    vulnerability_label: str
    inequality: pd.DataFrame | None
    provenance: str


def overview(data: MapData) -> Overview:
    """Rank buurten by stacked score, then by vulnerability, and flag the priorities.

    Notes
    -----
    ``kwetsbaarheid`` is the first available of SES-WOA (sign flipped) and the share with
    difficulty making ends meet. A buurt is a priority ("ongelijk investeren") when its score is
    in the top fifth of buurten and its vulnerability in the most vulnerable two fifths.
    """
    b = pd.DataFrame(data.buurten.drop(columns="geometry"))
    label = "kwetsbaarheid (niet beschikbaar)"
    vuln = pd.Series(np.nan, index=b.index)
    for col, text, higher in VULNERABILITY:
        if col in b and b[col].notna().any():
            vuln = b[col] if higher else -b[col]
            label = text
            break
    table = pd.DataFrame(
        {
            "buurtcode": b["buurtcode"],
            "buurtnaam": b["buurtnaam"],
            "population": b.get("population", np.nan),
            "score": b["score"],
            "n_beschikbaar": b["n_beschikbaar"],
            "kwetsbaarheid": vuln,
        }
    )
    score_cut = table["score"].quantile(0.8)
    vuln_cut = table["kwetsbaarheid"].quantile(0.6)
    table["prioriteit"] = (table["score"] >= score_cut) & (table["kwetsbaarheid"] >= vuln_cut)
    table = table.sort_values(["score", "kwetsbaarheid"], ascending=[False, False])
    table.insert(0, "rang", np.arange(1, len(table) + 1))
    return Overview(
        table=table.reset_index(drop=True),
        vulnerability_label=label,
        inequality=data.inequality,
        provenance=data.about.get("herkomst", ""),
    )

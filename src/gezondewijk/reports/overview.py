"""Municipal overview for "ongelijk investeren": buurten ranked by burden and vulnerability."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gezondewijk.reports.mapdata import MapData

#: Vulnerability measures in order of preference: (column, name, higher is more vulnerable).
VULNERABILITY = [
    ("ses_woa", "SES-WOA-score", False),
    ("hard_to_make_ends_meet_pct", "moeite met rondkomen (%)", True),
]

#: The inequality measures as the overview names and explains them (Dutch).
MEASURES = {
    "sii": (
        "SII: absolute kloof",
        "Slope Index of Inequality: het verschil tussen de kwetsbaarste en de minst kwetsbare "
        "kant van de gemeente, in de eenheid van de variabele (regressie over de rangorde "
        "van de buurten, gewogen naar inwoners).",
    ),
    "rii": (
        "RII: relatieve kloof",
        "Relative Index of Inequality: dezelfde kloof als verhouding (1 = geen verschil).",
    ),
    "concentratie_index": (
        "Concentratie-index",
        "Tussen −1 en 1; negatief als de uitkomst zich ophoopt in de kwetsbaarste buurten, "
        "0 als ze gelijk verdeeld is.",
    ),
    "kloof_q1_q5": (
        "Verschil kwetsbaarste en minst kwetsbare vijfde",
        "Gemiddelde in het kwetsbaarste vijfde van de inwoners min dat in het minst "
        "kwetsbare vijfde.",
    ),
    "ratio_q1_q5": (
        "Verhouding kwetsbaarste en minst kwetsbare vijfde",
        "Hetzelfde als verhouding (1 = geen verschil).",
    ),
    "rangcorrelatie": (
        "Samenhang met kwetsbaarheid (Spearman)",
        "Rangcorrelatie tussen −1 en 1, elke buurt telt één keer: positief als de "
        "kwetsbaarste buurten de hoogste waarden hebben (zijn de armste buurten de "
        "warmste?), 0 zonder samenhang. Met 95%-interval.",
    ),
}


@dataclass
class Overview:
    """The ranked table, what vulnerability means here, and the inequality table if any.

    ``table`` has ``kwetsbaarheid`` (higher = more vulnerable, used to rank) and
    ``kwetsbaarheid_waarde`` (the published value, as shown and plotted).
    """

    table: pd.DataFrame
    vulnerability_label: str
    inequality: pd.DataFrame | None
    provenance: str
    #: The measure's name ("SES-WOA-score") and which way is vulnerable.
    vulnerability_name: str = ""
    lower_is_vulnerable: bool = False

    #: Whether the run was made from synthetic demo data (the run's ``over`` table says so).
    is_synthetic: bool = False

    @property
    def ses_label(self) -> str:
        """How the inequality table ranks buurten (the SES variable's Dutch name)."""
        if self.inequality is None or self.inequality.empty:
            return ""
        column = "ses_naam" if "ses_naam" in self.inequality else "ses"
        return str(self.inequality[column].iloc[0])

    @property
    def priorities(self) -> list[str]:
        """Names of the priority buurten, highest rank first."""
        return [str(n) for n in self.table.loc[self.table["prioriteit"], "buurtnaam"]]

    def measure_rows(self) -> list[dict[str, object]]:
        """The inequality table with Dutch names of variables and measures."""
        if self.inequality is None:
            return []
        rows = []
        for r in self.inequality.to_dict(orient="records"):
            name, _ = MEASURES.get(str(r["maat"]), (str(r["maat"]), ""))
            # run folders from before the PHE simulation have only bootstrap intervals
            method = r.get("interval")
            rows.append({**r, "maat_naam": name, "interval": method if method else "bootstrap"})
        return rows

    def measure_notes(self) -> list[tuple[str, str]]:
        """Explanations of the measures that appear in the table."""
        if self.inequality is None:
            return []
        used = list(dict.fromkeys(str(m) for m in self.inequality["maat"]))
        return [MEASURES[m] for m in used if m in MEASURES]


def overview(data: MapData) -> Overview:
    """Rank buurten by stacked score, then by vulnerability, and flag the priorities.

    Notes
    -----
    ``kwetsbaarheid`` is the first available of SES-WOA (sign flipped) and the share with
    difficulty making ends meet. A buurt is a priority ("ongelijk investeren") when its score is
    in the top fifth of buurten and its vulnerability in the most vulnerable two fifths.
    """
    b = pd.DataFrame(data.buurten.drop(columns="geometry"))
    label = name = "kwetsbaarheid (niet beschikbaar)"
    vuln = shown = pd.Series(np.nan, index=b.index)
    lower_is_vulnerable = False
    for col, text, higher in VULNERABILITY:
        if col in b and b[col].notna().any():
            shown = b[col]
            vuln = b[col] if higher else -b[col]
            name = text
            lower_is_vulnerable = not higher
            label = f"{text} ({'lager' if lower_is_vulnerable else 'hoger'} = kwetsbaarder)"
            break
    table = pd.DataFrame(
        {
            "buurtcode": b["buurtcode"],
            "buurtnaam": b["buurtnaam"],
            "population": b.get("population", np.nan),
            "score": b["score"],
            "n_beschikbaar": b["n_beschikbaar"],
            "kwetsbaarheid": vuln,
            "kwetsbaarheid_waarde": shown,
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
        inequality=_labelled(data),
        provenance=data.about.get("herkomst", ""),
        vulnerability_name=name,
        lower_is_vulnerable=lower_is_vulnerable,
        is_synthetic=data.is_synthetic,
    )


def _labelled(data: MapData) -> pd.DataFrame | None:
    """The inequality table with the variables' Dutch labels next to their keys."""
    if data.inequality is None:
        return None
    table = data.inequality.copy()
    table["variabele_naam"] = table["variabele"].map(lambda v: data.label(str(v)))
    if "ses" in table:
        table["ses_naam"] = table["ses"].map(lambda v: data.label(str(v)))
    return table

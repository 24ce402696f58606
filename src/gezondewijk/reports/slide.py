"""The slide on health inequalities that ends the *kennismakingsronde* (werkvorm 5.1).

The workbook ends the round of introductions with health inequalities: health is not a
given for everyone (GezondIn werkboek 2026, § 5.1). The slide starts from the workbook's
national figure (people in vulnerable neighbourhoods live on average 8 years shorter and
have health problems 21 years earlier, § 1.2) and, where the app has a run loaded, adds the
municipality's own figures: the gap in *ervaren gezondheid* between its buurten, the gap
between the most and the least vulnerable fifth of its inhabitants with its 95 % interval
(the run's inequality table, :mod:`gezondewijk.equity.inequality`), and the buurten where
unhealthy factors stack up among vulnerable inhabitants (:func:`~gezondewijk.reports.overview`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from gezondewijk.number_format import dutch_number
from gezondewijk.reports.mapdata import MapData
from gezondewijk.reports.overview import overview

#: The workbook's national figure and its place (GezondIn werkboek 2026, § 1.2).
NATIONAL = (
    "In kwetsbare wijken leven mensen gemiddeld 8 jaar korter en krijgen ze gemiddeld "
    "21 jaar eerder gezondheidsproblemen dan in welvarender buurten."
)
NATIONAL_SOURCE = "GezondIn werkboek 2026, § 1.2"
#: The variable of the buurt gap: share with good or very good self-rated health (%).
HEALTH = "good_health_pct"


@dataclass(frozen=True)
class Figure:
    """One line of the slide: a big number and what it means."""

    value: str
    text: str


@dataclass(frozen=True)
class Slide:
    """What the slide shows; ``figures`` is empty when no run is loaded."""

    headline: str
    national: str
    figures: list[Figure] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    synthetic: bool = False


def _pp(value: float) -> str:
    return f"{dutch_number(abs(value), 0)} procentpunt"


def _buurt_gap(buurten: pd.DataFrame) -> Figure | None:
    """Highest and lowest share with good self-rated health among the buurten."""
    if HEALTH not in buurten:
        return None
    known = buurten[buurten[HEALTH].notna()]
    if len(known) < 2:
        return None
    best = known.loc[known[HEALTH].idxmax()]
    worst = known.loc[known[HEALTH].idxmin()]
    gap = float(best[HEALTH]) - float(worst[HEALTH])
    return Figure(
        _pp(gap),
        f"verschil in ervaren gezondheid tussen buurten: in {best['buurtnaam']} voelt "
        f"{dutch_number(best[HEALTH], 0)} % van de volwassenen zich (zeer) gezond, in "
        f"{worst['buurtnaam']} {dutch_number(worst[HEALTH], 0)} %.",
    )


def _fifths_gap(data: MapData) -> Figure | None:
    """The gap between the most and least vulnerable fifth, from the run's inequality table."""
    table = data.inequality
    if table is None or table.empty:
        return None
    rows = table[(table["variabele"] == HEALTH) & (table["maat"] == "kloof_q1_q5")]
    if rows.empty or not math.isfinite(float(rows["schatting"].iloc[0])):
        return None
    row = rows.iloc[0]
    ses = data.label(str(row.get("ses", "")))
    # the interval in the direction of the estimate ("13 fewer, 6 to 17"); an interval that
    # crosses 0 keeps its sign ("-1 to 9")
    sign = -1.0 if float(row["schatting"]) < 0 else 1.0
    low, high = sorted((sign * float(row["ondergrens"]), sign * float(row["bovengrens"])))
    worse = "minder" if sign < 0 else "meer"
    return Figure(
        _pp(float(row["schatting"])),
        f"{worse} inwoners met een goede ervaren gezondheid in het kwetsbaarste vijfde "
        f"van de inwoners (naar {ses}) dan in het minst kwetsbare vijfde "
        f"(95%-interval {dutch_number(low, 0)} tot {dutch_number(high, 0)}).",
    )


def _stacking(data: MapData) -> Figure | None:
    """Buurten where unhealthy factors stack up and many inhabitants are vulnerable."""
    table = overview(data).table
    picked = table[table["prioriteit"]]
    if picked.empty:
        return None
    people = picked["population"].sum()
    names = ", ".join(str(n) for n in picked["buurtnaam"].head(3))
    more = f" en {len(picked) - 3} andere" if len(picked) > 3 else ""
    count = "buurt" if len(picked) == 1 else "buurten"
    inhabitants = f" ({dutch_number(people, 0)} inwoners)" if pd.notna(people) and people else ""
    return Figure(
        f"{len(picked)} {count}",
        f"met veel stapeling van ongezonde factoren én veel kwetsbare inwoners{inhabitants}: "
        f"{names}{more}.",
    )


def inequality_slide(data: MapData | None) -> Slide:
    """The slide: the national figure, and the run's own figures where a run is loaded."""
    if data is None:
        return Slide(
            "Gezondheid is niet voor iedereen vanzelfsprekend",
            NATIONAL,
            sources=[NATIONAL_SOURCE],
        )
    figures = [f for f in (_buurt_gap(data.buurten), _fifths_gap(data), _stacking(data)) if f]
    origin = data.about.get("herkomst", "")
    return Slide(
        "Gezondheid is niet voor iedereen vanzelfsprekend, ook hier niet",
        NATIONAL,
        figures=figures,
        sources=[NATIONAL_SOURCE] + ([f"Eigen cijfers: {origin}"] if origin else []),
        synthetic=data.is_synthetic,
    )

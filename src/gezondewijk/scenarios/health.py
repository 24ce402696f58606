"""The health effect of a scenario: published exposure–response functions on its changes.

Per cell, the exposure before and after (NO2, PM2.5, road-traffic Lden, green within 300 m)
and its inhabitants before the change; per buurt and in total:

- deaths avoided per year by less NO2 or PM2.5 (WHO 2021) and by more inhabitants with green
  within 300 m (Rojas-Rueda et al. 2019), with their 95 % intervals;
- life expectancy and healthy life years gained per inhabitant and life years gained per year,
  from the reference life table (:mod:`gezondewijk.effects.life_years`);
- fewer people highly annoyed and highly sleep-disturbed by road traffic (WHO 2018).

Every figure is a model estimate: it assumes the published associations are causal and hold
here, that the people living there now stay, and the assumptions listed in
:data:`ASSUMPTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk.effects import (
    GREEN_NDVI_MORTALITY,
    NO2_MORTALITY,
    PM25_MORTALITY,
    RelativeRisk,
    highly_annoyed_pct,
    life_years_gained,
    sleep_disturbed_interval,
)
from gezondewijk.effects.noise import ANNOYANCE_SOURCE, SLEEP_SOURCE
from gezondewijk.effects.relative_risk import Bound
from gezondewijk.equity.tables import read_age_table
from gezondewijk.scenarios.model import HealthSettings

#: The WHO Europe (2016) green-access distance the run's green indicator uses (m).
GREEN_ACCESS_M = 300.0

#: The three estimates of every function.
BOUNDS: tuple[Bound, ...] = ("central", "lower", "upper")

#: Dutch headings of the per-buurt columns.
COLUMN_LABELS = {
    "buurtcode": "buurtcode",
    "buurtnaam": "buurt",
    "inwoners": "inwoners",
    "no2_inwoners_lager": "inwoners met minder NO2",
    "pm25_inwoners_lager": "inwoners met minder PM2,5",
    "groen_300m_erbij": "inwoners die groen binnen 300 m krijgen",
    "groen_300m_eraf": "inwoners die groen binnen 300 m verliezen",
    "minder_ernstig_gehinderd": "minder ernstig gehinderd",
    "minder_ernstig_slaapverstoord": "minder ernstig slaapverstoord",
    "sterfte_vermeden_no2": "sterfte vermeden per jaar (NO2)",
    "sterfte_vermeden_pm25": "sterfte vermeden per jaar (PM2,5)",
    "sterfte_vermeden_ndvi": "sterfte vermeden per jaar (groen)",
    "levensjaren_per_jaar_no2": "levensjaren per jaar (NO2)",
    "levensjaren_per_jaar_pm25": "levensjaren per jaar (PM2,5)",
    "levensjaren_per_jaar_ndvi": "levensjaren per jaar (groen)",
    "gezonde_levensjaren_per_inwoner_no2": "gezonde levensjaren per inwoner (NO2)",
    "gezonde_levensjaren_per_inwoner_pm25": "gezonde levensjaren per inwoner (PM2,5)",
    "gezonde_levensjaren_per_inwoner_ndvi": "gezonde levensjaren per inwoner (groen)",
}

#: How each exposure is named in the output.
EXPOSURE_NAMES = {"no2": "NO2", "pm25": "PM2,5", "ndvi": "groen"}

ASSUMPTIONS = [
    "Modelschatting, geen voorspelling: de gepubliceerde verbanden worden als oorzakelijk "
    "aangenomen en hier geldig verondersteld.",
    "Effecten gelden voor de huidige inwoners van elke cel; nieuwe bewoners en verhuizingen "
    "tellen niet mee.",
    "Het effect treedt volledig op; de jaren tot een nieuw evenwicht zijn niet gemodelleerd.",
    "Sterfte door NO2 en PM2,5 overlapt deels (WHO); de totalen tellen ze op en kunnen dus te "
    "hoog zijn.",
    "Groen: wie binnen 300 m groen van minstens 0,5 ha krijgt, krijgt een aangenomen NDVI-"
    "toename (instelling ndvi_per_groen_binnen_300m).",
    "Geluid: de WHO-curven gelden voor volwassenen; ze worden hier op alle inwoners toegepast. "
    "Lnight = Lden min een vast verschil (instelling lden_min_lnight_db). De hinder-curve is "
    "gepubliceerd als middenschatting (Guski e.a. 2017): daarvoor staat geen interval.",
    "Levensjaren zijn periodematen uit de levenstafel van het gebied, met de ervaren "
    "gezondheid van de buurt (RIVM, 18+) voor alle leeftijden.",
]


@dataclass(frozen=True)
class LifeTable:
    """A reference life table: age groups, population, deaths, and poor health if given."""

    age: np.ndarray
    population: np.ndarray
    deaths: np.ndarray
    unhealthy: np.ndarray | None
    path: Path | None = None

    def deaths_per_person(self, min_age: float) -> float:
        """Deaths per inhabitant per year at ``min_age`` or older."""
        return float(self.deaths[self.age >= min_age].sum() / self.population.sum())


def read_life_table(path: str | Path) -> LifeTable:
    """Read a life table: ``leeftijd``, ``bevolking``, ``sterfte``; optionally ``goed_pct``.

    The columns and their checks are those of the ``sullivan`` command
    (:func:`gezondewijk.equity.tables.read_age_table`); the poor-health share is optional here.

    Raises
    ------
    InputDataError
        Naming the file and column, when a column is missing, not a number, or the table
        holds more than one area.
    """
    frame = read_age_table(path, what="levenstafel", health_required=False)
    if frame["gebied"].nunique() > 1:
        raise InputDataError(
            "de levenstafel heeft meer dan één gebied.",
            path=path,
            field="gebied",
            fix="geef één tabel voor het hele gebied van de run.",
        )
    unhealthy = frame["pi"].to_numpy(dtype="float64")
    return LifeTable(
        age=frame["x"].to_numpy(dtype="float64"),
        population=frame["P"].to_numpy(dtype="float64"),
        deaths=frame["D"].to_numpy(dtype="float64"),
        unhealthy=None if np.isnan(unhealthy).all() else unhealthy,
        path=Path(path),
    )


@dataclass
class HealthEffect:
    """The health effect of one scenario, per buurt and in total."""

    #: One row per buurt with a change: inhabitants and every effect (central, low, high).
    buurten: pd.DataFrame
    #: One row per effect: ``effect``, ``eenheid``, ``schatting``, ``ondergrens``,
    #: ``bovengrens``, ``bron``.
    totals: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=lambda: list(ASSUMPTIONS))
    #: Mean healthy life years gained per inhabitant of the whole area (central, low, high).
    healthy_years_per_inhabitant: tuple[float, float, float] = (0.0, 0.0, 0.0)
    target_healthy_years: float | None = None


@dataclass
class _Tally:
    """What the exposures add up to: per-buurt columns, effect rows, mortality exposures."""

    pop: np.ndarray
    per_buurt: Callable[[np.ndarray], np.ndarray]
    columns: dict[str, np.ndarray]
    rows: list[dict[str, object]] = field(default_factory=list)
    exposures: list[tuple[RelativeRisk, np.ndarray]] = field(default_factory=list)


def _change_of(before: pd.DataFrame, after: pd.DataFrame, variable: str) -> np.ndarray | None:
    """``after - before`` of a cell variable both have (``NaN`` as 0), else ``None``."""
    if variable not in before or variable not in after:
        return None
    return np.nan_to_num(
        after[variable].to_numpy(dtype="float64") - before[variable].to_numpy(dtype="float64")
    )


def _air_changes(before: pd.DataFrame, after: pd.DataFrame, tally: _Tally) -> None:
    """NO2 and PM2.5: the inhabitants with lower concentrations; mortality exposures."""
    for variable, erf in (("no2", NO2_MORTALITY), ("pm25", PM25_MORTALITY)):
        change = _change_of(before, after, variable)
        if change is not None and change.any():
            tally.exposures.append((erf, change))
            tally.columns[f"{variable}_inwoners_lager"] = tally.per_buurt(tally.pop * (change != 0))


def _green_changes(
    before: pd.DataFrame, after: pd.DataFrame, settings: HealthSettings, tally: _Tally
) -> None:
    """Green within 300 m gained and lost; greenness (NDVI) as a mortality exposure."""
    green = next(
        (v for v in ("distance_green_walk_m", "distance_green_m") if v in before and v in after),
        None,
    )
    if green is None:
        return
    b, a = before[green].to_numpy(dtype="float64"), after[green].to_numpy(dtype="float64")
    gained = (b > GREEN_ACCESS_M) & (a <= GREEN_ACCESS_M)
    lost = (b <= GREEN_ACCESS_M) & (a > GREEN_ACCESS_M)
    if not (gained.any() or lost.any()):
        return
    pop = tally.pop
    tally.columns["groen_300m_erbij"] = tally.per_buurt(pop * gained)
    tally.columns["groen_300m_eraf"] = tally.per_buurt(pop * lost)
    tally.rows.append(
        _row(
            "inwoners die groen binnen 300 m krijgen (netto)",
            "inwoners",
            float((pop * gained).sum() - (pop * lost).sum()),
            None,
            "WHO Europa 2016: groen van minstens 0,5 ha binnen 300 m",
        )
    )
    ndvi = settings.ndvi_per_green_access * (gained.astype(float) - lost.astype(float))
    tally.exposures.append((GREEN_NDVI_MORTALITY, ndvi))


def _noise_changes(
    before: pd.DataFrame, after: pd.DataFrame, settings: HealthSettings, tally: _Tally
) -> None:
    """Road-traffic noise: fewer highly annoyed and highly sleep-disturbed inhabitants."""
    change = _change_of(before, after, "noise_lden")
    if change is None or not change.any():
        return
    b = before["noise_lden"].to_numpy(dtype="float64")
    a = after["noise_lden"].to_numpy(dtype="float64")
    pop = tally.pop
    annoyed = np.nan_to_num(pop * (highly_annoyed_pct(b) - highly_annoyed_pct(a)) / 100)
    diff = settings.lden_minus_lnight_db
    central, low, high = sleep_disturbed_interval(b - diff, a - diff)
    sleep = [np.nan_to_num(-pop * x / 100) for x in (central, high, low)]
    tally.columns["minder_ernstig_gehinderd"] = tally.per_buurt(annoyed)
    tally.columns["minder_ernstig_slaapverstoord"] = tally.per_buurt(sleep[0])
    tally.rows.append(
        _row(
            "minder ernstig gehinderd door wegverkeer",
            "inwoners",
            float(annoyed.sum()),
            None,
            ANNOYANCE_SOURCE,
        )
    )
    tally.rows.append(
        _row(
            "minder ernstig slaapverstoord door wegverkeer",
            "inwoners",
            float(sleep[0].sum()),
            (float(sleep[1].sum()), float(sleep[2].sum())),
            SLEEP_SOURCE,
        )
    )


def health_effect(
    before: pd.DataFrame,
    after: pd.DataFrame,
    main_buurt: np.ndarray,
    buurten: pd.DataFrame,
    settings: HealthSettings,
) -> HealthEffect:
    """The health effect of the change from ``before`` to ``after`` (cell values).

    Parameters
    ----------
    before, after
        Cell values of the run and of the scenario (``population``, ``no2``, ``pm25``,
        ``noise_lden``, ``distance_green_walk_m`` / ``distance_green_m`` where the run has
        them).
    main_buurt
        Each cell's buurt position (-1: none).
    buurten
        The run's buurten (``buurtcode``, ``buurtnaam``, ``good_health_pct`` if known).
    settings
        The scenario's health settings (life table, NDVI per green access, Lnight, target).
    """
    notes: list[str] = []
    n_buurten = len(buurten)
    pop = (
        np.nan_to_num(before["population"].to_numpy(dtype="float64"))
        if "population" in before
        else None
    )
    if pop is None:
        notes.append("de run heeft geen inwoners per cel: geen gezondheidseffect berekend.")
        return HealthEffect(pd.DataFrame(), _totals([]), notes)
    table = read_life_table(settings.life_table) if settings.life_table is not None else None
    if table is None:
        notes.append(
            "geen levenstafel: sterfte en levensjaren zijn niet berekend. Kies een levenstafel "
            "(een tabel met leeftijd, bevolking en sterfte van het gebied, CBS): in de "
            "scenario-editor, of in het bestand onder [gezondheid] levenstafel = ..."
        )
    in_buurt = main_buurt >= 0

    def per_buurt(values: np.ndarray) -> np.ndarray:
        return np.bincount(main_buurt[in_buurt], weights=values[in_buurt], minlength=n_buurten)

    tally = _Tally(pop, per_buurt, {"inwoners": per_buurt(pop)})
    _air_changes(before, after, tally)
    _green_changes(before, after, settings, tally)
    _noise_changes(before, after, settings, tally)
    columns, rows, exposures = tally.columns, tally.rows, tally.exposures
    # without a life table the healthy years are not computed (NaN), not zero
    healthy = (0.0, 0.0, 0.0) if table is not None else (np.nan, np.nan, np.nan)
    if table is not None and exposures:
        healthy = _mortality(table, exposures, pop, per_buurt, buurten, columns, rows)
    frame = pd.DataFrame(
        {
            "buurtcode": buurten["buurtcode"].to_numpy(),
            "buurtnaam": buurten["buurtnaam"].to_numpy(),
            **columns,
        }
    )
    effect_cols = [c for c in frame.columns if c not in ("buurtcode", "buurtnaam", "inwoners")]
    if effect_cols:
        frame = frame[(frame[effect_cols].abs() > 0).any(axis=1)].reset_index(drop=True)
    else:
        frame = frame.iloc[0:0]
    return HealthEffect(
        buurten=frame,
        totals=_totals(rows),
        notes=notes,
        healthy_years_per_inhabitant=healthy,
        target_healthy_years=settings.target_healthy_years,
    )


def _mortality(
    table: LifeTable,
    exposures: list[tuple[RelativeRisk, np.ndarray]],
    pop: np.ndarray,
    per_buurt: Callable[[np.ndarray], np.ndarray],
    buurten: pd.DataFrame,
    columns: dict[str, np.ndarray],
    rows: list[dict[str, object]],
) -> tuple[float, float, float]:
    """Deaths avoided and life years per exposure; returns healthy years per inhabitant."""
    inhabitants = columns["inwoners"]
    unhealthy_buurt = (
        1 - buurten["good_health_pct"].to_numpy(dtype="float64") / 100
        if "good_health_pct" in buurten
        else np.full(len(buurten), np.nan)
    )
    fallback = table.unhealthy if table.unhealthy is not None else 0.0
    totals = {k: np.zeros(3) for k in ("deaths", "years", "healthy", "life")}
    for erf, change in exposures:
        per_person = table.deaths_per_person(erf.min_age)
        fractions = erf.interval(change)
        deaths = [per_buurt(pop * per_person * f) for f in fractions]
        columns[f"sterfte_vermeden_{erf.exposure}"] = deaths[0]
        rows.append(
            _row(
                f"sterfte vermeden per jaar ({EXPOSURE_NAMES[erf.exposure]})",
                "sterfgevallen/jaar",
                float(deaths[0].sum()),
                (float(deaths[1].sum()), float(deaths[2].sum())),
                erf.source,
            )
        )
        totals["deaths"] += [d.sum() for d in deaths]
        years, healthy = _life_years(
            table, erf, change, pop, per_buurt, inhabitants, (unhealthy_buurt, fallback)
        )
        lo_hi = np.sort(years[1:], axis=0)
        columns[f"levensjaren_per_jaar_{erf.exposure}"] = years[0]
        columns[f"gezonde_levensjaren_per_inwoner_{erf.exposure}"] = healthy[0]
        rows.append(
            _row(
                f"levensjaren gewonnen per jaar ({EXPOSURE_NAMES[erf.exposure]})",
                "levensjaren/jaar",
                float(years[0].sum()),
                (float(lo_hi[0].sum()), float(lo_hi[1].sum())),
                erf.source,
            )
        )
        weighted = healthy @ inhabitants / max(inhabitants.sum(), 1.0)
        totals["healthy"] += np.array([weighted[0], *sorted(weighted[1:])])
        totals["years"] += [years[0].sum(), lo_hi[0].sum(), lo_hi[1].sum()]
    rows.append(
        _row(
            "sterfte vermeden per jaar (totaal)",
            "sterfgevallen/jaar",
            float(totals["deaths"][0]),
            (float(min(totals["deaths"][1:])), float(max(totals["deaths"][1:]))),
            "som van de functies hierboven",
        )
    )
    rows.append(
        _row(
            "gezonde levensjaren per inwoner van het gebied",
            "jaren",
            float(totals["healthy"][0]),
            (float(totals["healthy"][1]), float(totals["healthy"][2])),
            "Sullivan op de levenstafel, met ervaren gezondheid (RIVM)",
        )
    )
    return float(totals["healthy"][0]), float(totals["healthy"][1]), float(totals["healthy"][2])


def _life_years(
    table: LifeTable,
    erf: RelativeRisk,
    change: np.ndarray,
    pop: np.ndarray,
    per_buurt: Callable[[np.ndarray], np.ndarray],
    inhabitants: np.ndarray,
    unhealthy: tuple[np.ndarray, np.ndarray | float],
) -> tuple[np.ndarray, np.ndarray]:
    """Life years gained per year and healthy life years per inhabitant, per bound and buurt.

    Each buurt's mortality changes by the population-weighted mean of exp(β·Δ) over its
    cells (β at the central, low and high bound: :data:`BOUNDS`); the gain follows from
    the life table (:func:`~gezondewijk.effects.life_years_gained`, Sullivan with the
    buurt's share in less than good health, else the life table's per age: ``unhealthy``).
    """
    unhealthy_buurt, fallback = unhealthy
    years = np.zeros((3, len(inhabitants)))
    healthy = np.zeros((3, len(inhabitants)))
    with np.errstate(invalid="ignore", divide="ignore"):
        factors = [
            per_buurt(pop * np.exp(erf.beta(bound) * change)) / inhabitants for bound in BOUNDS
        ]
    for b in np.flatnonzero(per_buurt(pop * (change != 0)) > 0):
        share = unhealthy_buurt[b] if np.isfinite(unhealthy_buurt[b]) else fallback
        for k in range(len(BOUNDS)):
            gain = life_years_gained(
                table.age,
                table.population,
                table.deaths,
                float(factors[k][b]),
                min_age=erf.min_age,
                unhealthy_share=share,
            )
            years[k, b] = gain.life_years_per_person * inhabitants[b]
            healthy[k, b] = gain.healthy_life_years_gain
    return years, healthy


def _row(
    effect: str, unit: str, estimate: float, interval: tuple[float, float] | None, source: str
) -> dict[str, object]:
    lo, hi = interval if interval is not None else (np.nan, np.nan)
    return {
        "effect": effect,
        "eenheid": unit,
        "schatting": estimate,
        "ondergrens": lo,
        "bovengrens": hi,
        "bron": source,
    }


def _totals(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["effect", "eenheid", "schatting", "ondergrens", "bovengrens", "bron"]
    )

"""Area fact sheet: data, stacking, residents' voice, disagreements, trend, suggested measures."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gezondewijk.interventions import Measure, suggest
from gezondewijk.leefplekmeter.perception import perception_vs_data
from gezondewijk.leefplekmeter.report import CampaignReport, campaign_report
from gezondewijk.reports.mapdata import MapData


@dataclass
class IndicatorRow:
    """One indicator of the fact sheet with its reference values."""

    key: str
    label: str
    value: float | None
    unit: str
    on: bool | None
    status: str
    variable: str
    area: float | None
    gemeente: float | None
    nederland: float | None
    source: str


@dataclass
class FactSheet:
    """Everything on one buurt's fact sheet."""

    code: str
    name: str
    score: int
    n_available: int
    max_score: int
    indicators: list[IndicatorRow]
    stacking: list[str]
    measures: list[Measure]
    residents: CampaignReport | None
    versus: pd.DataFrame | None
    trend: pd.DataFrame | None
    provenance: str
    notes: list[str] = field(default_factory=list)


def _num(value: object) -> float | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def fact_sheet(
    data: MapData,
    code: str,
    *,
    answers: pd.DataFrame | None = None,
    responses: pd.DataFrame | None = None,
    scale: str = "cijfer10",
) -> FactSheet:
    """Assemble the fact sheet of buurt ``code``.

    Parameters
    ----------
    data
        The run's outputs.
    code
        Buurt code.
    answers, responses
        Leefplekmeter answers given for this buurt (all campaigns), if any; nothing is shown
        below 5 forms.
    scale
        Scale to report the residents' scores in.

    Raises
    ------
    KeyError
        When the buurt is not in the run.
    """
    rows = data.buurten[data.buurten["buurtcode"] == code]
    if rows.empty:
        raise KeyError(code)
    b = rows.iloc[0]
    refs = data.references.set_index("variabele") if len(data.references) else None
    indicators = []
    for key in data.indicator_keys:
        variable = str(b.get(f"{key}_variabele") or "")
        first = variable.split("+")[0]
        spec = data.thresholds[data.thresholds["indicator"] == key]
        used = spec[spec["variabele"] == first]
        source = str((used if len(used) else spec)["bron_drempel"].iloc[0])
        ref = refs.loc[first] if refs is not None and first in refs.index else None
        on = _num(b.get(f"{key}_aan"))
        indicators.append(
            IndicatorRow(
                key=key,
                label=str(spec["label"].iloc[0]),
                value=_num(b.get(f"{key}_waarde")),
                unit=data.unit(first),
                on=None if on is None else bool(on),
                status=str(b.get(f"{key}_status", "")),
                variable=variable,
                area=None if ref is None else _num(ref["gebied"]),
                gemeente=None if ref is None else _num(ref["gemeente"]),
                nederland=None if ref is None else _num(ref["nederland"]),
                source=source,
            )
        )
    stacking = [row.label for row in indicators if row.on]
    residents = versus = None
    low_themes: list[str] = []
    if answers is not None and responses is not None and len(responses):
        residents = campaign_report(f"Bewoners van {b['buurtnaam']}", scale, answers, responses)
        if residents.shown:
            low_themes = residents.priorities
            versus = perception_vs_data(
                residents.summary, pd.DataFrame(data.buurten.drop(columns="geometry")), [code]
            )
    trend = None
    if data.change is not None:
        trend = data.change[data.change["code"] == code]
    measures = suggest([r.key for r in indicators if r.on], low_themes)
    return FactSheet(
        code=code,
        name=str(b["buurtnaam"]),
        score=int(b["score"]),
        n_available=int(b["n_beschikbaar"]),
        max_score=len(data.indicator_keys),
        indicators=indicators,
        stacking=stacking,
        measures=measures,
        residents=residents,
        versus=versus,
        trend=trend,
        provenance=data.about.get("herkomst", ""),
    )

"""Area fact sheet: data, stacking, residents' voice, disagreements, trend, suggested measures."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gezondewijk.interventions import Measure, suggest
from gezondewijk.leefplekmeter.perception import Perception
from gezondewijk.leefplekmeter.report import CampaignReport, campaign_report
from gezondewijk.provenance import Provenance
from gezondewijk.reports.classes import ClassRow, class_rows
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
    #: The variable(s) used, as people read them ("Afstand tot groen (over het …)").
    variable_label: str = ""


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
    #: Residents next to the data per linked theme (empty without answers or links).
    versus: list[Perception]
    trend: pd.DataFrame | None
    provenance: str
    notes: list[str] = field(default_factory=list)
    #: One line per input of the run: what, year, publisher, licence, when fetched.
    sources: list[str] = field(default_factory=list)

    #: Whether the run was made from synthetic demo data (the page then says so).
    is_synthetic: bool = False
    #: The class of each factor of the run's GES and heat-stress tables (never summed).
    classes: list[ClassRow] = field(default_factory=list)

    @property
    def reference_columns(self) -> list[tuple[str, str]]:
        """The reference columns that hold at least one value: ``(attribute, heading)``.

        The gemeente and national figures exist only where the input tables published them
        (CBS/RIVM rows ``GM…`` and ``NL01``); empty columns are left out and
        :attr:`missing_references` says why.
        """
        columns = [("area", "Gebied"), ("gemeente", "Gemeente"), ("nederland", "Nederland")]
        return [
            (attr, head)
            for attr, head in columns
            if any(getattr(r, attr) is not None for r in self.indicators)
        ]

    @property
    def missing_references(self) -> list[str]:
        """Headings of the reference columns without any value."""
        shown = {head for _, head in self.reference_columns}
        return [h for h in ("Gemeente", "Nederland") if h not in shown]


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
    return _sheet(data, code, str(b["buurtnaam"]), b, [code], answers, responses, scale)


def cells_fact_sheet(
    data: MapData,
    cell_ids: list[str],
    *,
    answers: pd.DataFrame | None = None,
    responses: pd.DataFrame | None = None,
    scale: str = "cijfer10",
) -> FactSheet:
    """Assemble the fact sheet of a group of cells (e.g. a street or a planned project).

    Notes
    -----
    Indicator values are the mean over the cells (weighted by inhabitants where the cells have
    them); an indicator counts as on when it is on in at least half of that weight; the score is
    the number of indicators on. Residents' answers are those of the buurten the cells lie in.

    Raises
    ------
    KeyError
        When none of the cells is in the run.
    """
    if data.cells is None:
        raise KeyError("no cells in this run")
    cells = data.cells.where("cel_id", cell_ids)
    if cells.empty:
        raise KeyError(",".join(cell_ids[:3]))
    weights = (
        cells["population"].fillna(0).to_numpy(dtype="float64")
        if "population" in cells
        else np.ones(len(cells))
    )
    if weights.sum() <= 0:
        weights = np.ones(len(cells))
    row: dict[str, object] = {}
    n_on = 0
    n_known = 0
    for key in data.indicator_keys:
        values = cells[f"{key}_waarde"].to_numpy(dtype="float64")
        known = ~np.isnan(values)
        row[f"{key}_waarde"] = (
            float(np.average(values[known], weights=weights[known]))
            if known.any() and weights[known].sum() > 0
            else np.nan
        )
        on = cells[f"{key}_aan"].to_numpy(dtype="float64")
        known_on = ~np.isnan(on)
        share = (
            float(np.average(on[known_on], weights=weights[known_on]))
            if known_on.any() and weights[known_on].sum() > 0
            else np.nan
        )
        row[f"{key}_aan"] = np.nan if np.isnan(share) else float(share >= 0.5)
        status = cells[f"{key}_status"].astype(str).value_counts()
        row[f"{key}_status"] = str(status.index[0]) if len(status) else ""
        variable = cells[f"{key}_variabele"].astype(str).value_counts()
        row[f"{key}_variabele"] = str(variable.index[0]) if len(variable) else ""
        if not np.isnan(share):
            n_known += 1
            n_on += int(share >= 0.5)
    row["score"] = n_on
    row["n_beschikbaar"] = n_known
    if data.run.classes is not None:
        for var in dict.fromkeys(data.run.classes["variabele"].astype(str)):
            if var in cells:
                v = cells[var].to_numpy(dtype="float64")
                ok = ~np.isnan(v) & (weights > 0)
                row[var] = float(np.average(v[ok], weights=weights[ok])) if ok.any() else np.nan
    buurten = sorted(set(cells["buurtcode"].astype(str)) - {""})
    names = data.buurten[data.buurten["buurtcode"].isin(buurten)]["buurtnaam"].tolist()
    name = f"selectie van {len(cells)} cellen ({', '.join(map(str, names[:4]))})"
    return _sheet(
        data,
        ",".join(cells["cel_id"].astype(str)[:50]),
        name,
        pd.Series(row),
        buurten,
        answers,
        responses,
        scale,
    )


def _sheet(
    data: MapData,
    code: str,
    name: str,
    b: pd.Series,
    buurtcodes: list[str],
    answers: pd.DataFrame | None,
    responses: pd.DataFrame | None,
    scale: str,
) -> FactSheet:
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
                variable_label=" + ".join(data.label(v) for v in variable.split("+") if v),
            )
        )
    stacking = [row.label for row in indicators if row.on]
    residents = None
    versus: list[Perception] = []
    low_themes: list[str] = []
    if answers is not None and responses is not None and len(responses):
        residents = campaign_report(f"Bewoners van {name}", scale, answers, responses)
        if residents.shown:
            low_themes = residents.priorities
            versus = data.perception(residents.summary, buurtcodes)
    trend = None
    if data.change is not None:
        trend = data.change[data.change["code"].isin(buurtcodes)]
        trend = trend.assign(variabele=trend["variabele"].map(data.label))
    measures = suggest([r.key for r in indicators if r.on], low_themes)
    return FactSheet(
        code=code,
        name=name,
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
        sources=source_lines(data),
        is_synthetic=data.is_synthetic,
        classes=class_rows(data.run.classes, b.to_dict(), data.unit),
    )


def source_lines(data: MapData) -> list[str]:
    """The run's inputs, one line each, from its ``bronnen`` table (older runs have none)."""
    if data.sources is None:
        return []
    lines = []
    for row in data.sources.to_dict(orient="records"):
        record = Provenance(
            bron=str(row["bron"]),
            uitgever=str(row["uitgever"]),
            tabel=_text(row.get("tabel")) or None,
            jaar=None if _num(row.get("jaar")) is None else int(row["jaar"]),
            licentie=_text(row.get("licentie")),
            opgehaald=_text(row.get("opgehaald")),
        )
        lines.append(record.summary())
    return lines


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""

"""Score a scenario against the run's own thresholds and compare it with the run.

The stacked score is computed again for every cell and buurt with the run's references and
quantile cut-offs held fixed (:func:`gezondewijk.scoring.stack.quantile_thresholds`): a
measure is judged against the situation before it, so improving every cell is not undone by
a moving average. Then: who moves down in score, by SES group; the change in SII/RII.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from gezondewijk.equity import slope_change
from gezondewijk.scenarios.apply import Applied, apply_changes
from gezondewijk.scenarios.base import SES_GROUPS, ScenarioBase, ses_higher_is_advantaged
from gezondewijk.scenarios.health import HealthEffect, health_effect
from gezondewijk.scenarios.model import Scenario
from gezondewijk.scenarios.plan_check import COLUMNS as PLAN_COLUMNS
from gezondewijk.scenarios.plan_check import plan_check
from gezondewijk.scoring.stack import score_stack

#: SES group names, 1 = the fifth of inhabitants in the most disadvantaged buurten.
SES_GROUP_LABELS = {
    0: "SES onbekend",
    1: "1 (laagste SES)",
    2: "2",
    3: "3",
    4: "4",
    5: "5 (hoogste SES)",
}


@dataclass
class ScenarioResult:
    """A scenario on a run: cells and buurten before and after, and what it means."""

    scenario: Scenario
    #: Per cell: ``buurtcode``, ``inwoners``, ``score_voor``, ``score_na``, ``score_verschil``,
    #: ``ses_groep`` and, per changed variable, ``<var>_voor`` / ``<var>_na``.
    cells: pd.DataFrame
    #: Per buurt (with geometry): inhabitants, ``score_voor/na/verschil`` (the buurt's own
    #: score), ``score_inwoners_voor/na/verschil`` (mean cell score of its inhabitants),
    #: inhabitants moving down, ``ses_groep``, and the changed variables before/after.
    buurten: gpd.GeoDataFrame
    #: Per SES group: inhabitants, moving down (by 1, by 2 or more), up, mean change.
    ses_table: pd.DataFrame
    #: SII/RII before and after per variable (:func:`gezondewijk.equity.slope_change`).
    inequality: pd.DataFrame
    health: HealthEffect
    applied: Applied
    seconds: float
    notes: list[str] = field(default_factory=list)
    #: Per plan of new homes: the rules of thumb and GES classes it meets or misses.
    plan_check: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLAN_COLUMNS))

    def score_sii(self) -> pd.Series | None:
        """The SII row (``voor``, ``na``, ``verschil`` …) of the inhabitants' stacked score."""
        if not len(self.inequality):
            return None
        table = self.inequality
        row = table[(table["variabele"] == "score_inwoners") & (table["maat"] == "sii")]
        return row.iloc[0] if len(row) else None

    @property
    def changed_variables(self) -> list[str]:
        """Variables the scenario changed in at least one cell."""
        return list(self.applied.changed)


def run_scenario(
    base: ScenarioBase, scenario: Scenario, *, bootstrap: int = 1000
) -> ScenarioResult:
    """Apply, score and compare one scenario on its base; health effect included."""
    start = time.perf_counter()
    applied = apply_changes(base, scenario)
    result = base.result
    preset = result.preset
    cells_after = score_stack(applied.cell_values, preset, base.cell_thresholds)
    buurten_after = score_stack(applied.buurten, preset, base.buurt_thresholds)
    cells = base.state.laid.cells
    main = cells.main_buurt()
    before_vals = base.state.at_cells.values
    pop = (
        np.nan_to_num(before_vals["population"].to_numpy(dtype="float64"))
        if "population" in before_vals
        else np.ones(len(cells))
    )
    pop_after = (
        np.nan_to_num(applied.cell_values["population"].to_numpy(dtype="float64"))
        if "population" in applied.cell_values
        else pop
    )
    codes = result.buurten["buurtcode"].to_numpy()
    group_of_buurt = base.ses_group
    cell_group = np.where(main >= 0, group_of_buurt[np.maximum(main, 0)], 0)
    score_before = result.cell_values["score"].to_numpy()
    score_after = cells_after["score"].to_numpy()
    cell_frame = pd.DataFrame(
        {
            "cel_id": cells.ids(),
            "buurtcode": np.where(main >= 0, codes[np.maximum(main, 0)], ""),
            "inwoners": pop,
            "score_voor": score_before,
            "score_na": score_after,
            "score_verschil": score_after - score_before,
            "ses_groep": cell_group,
        }
    )
    for var in applied.changed:
        cell_frame[f"{var}_voor"] = before_vals[var].to_numpy()
        cell_frame[f"{var}_na"] = applied.cell_values[var].to_numpy()
    buurten = _buurt_frame(base, applied, buurten_after, cell_frame, main, pop, pop_after)
    ses_table = _ses_table(cell_frame)
    inequality = _inequality(base, scenario, buurten, applied, bootstrap)
    health = health_effect(before_vals, applied.cell_values, main, result.buurten, scenario.health)
    notes = list(applied.notes)
    if base.ses_variable is None:
        notes.append("de run heeft geen SES-variabele: geen verdeling naar SES-groep.")
    return ScenarioResult(
        scenario=scenario,
        cells=cell_frame,
        buurten=buurten,
        ses_table=ses_table,
        inequality=inequality,
        health=health,
        applied=applied,
        seconds=time.perf_counter() - start,
        notes=notes,
        plan_check=plan_check(applied.plans, applied.cell_values),
    )


def _buurt_frame(
    base: ScenarioBase,
    applied: Applied,
    scored: pd.DataFrame,
    cells: pd.DataFrame,
    main: np.ndarray,
    pop: np.ndarray,
    pop_after: np.ndarray,
) -> gpd.GeoDataFrame:
    result = base.result
    n = len(result.buurten)
    ok = main >= 0

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(main[ok], weights=values[ok], minlength=n)

    people = total(pop)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_before = total(pop * cells["score_voor"].to_numpy()) / people
        mean_after = total(pop * cells["score_na"].to_numpy()) / people
    diff = cells["score_verschil"].to_numpy()
    frame = gpd.GeoDataFrame(
        {
            "buurtcode": result.buurten["buurtcode"].to_numpy(),
            "buurtnaam": result.buurten["buurtnaam"].to_numpy(),
            "inwoners": people,
            "inwoners_na": total(pop_after),
            "ses_groep": base.ses_group,
            "score_voor": result.buurten["score"].to_numpy(),
            "score_na": scored["score"].to_numpy(),
            "score_inwoners_voor": mean_before,
            "score_inwoners_na": mean_after,
            "inwoners_lager": total(pop * (diff < 0)),
            "inwoners_hoger": total(pop * (diff > 0)),
        },
        geometry=result.buurten.geometry.to_numpy(),
        crs=result.buurten.crs,
    )
    frame["score_verschil"] = frame["score_na"] - frame["score_voor"]
    frame["score_inwoners_verschil"] = frame["score_inwoners_na"] - frame["score_inwoners_voor"]
    before_b = base.result.buurten
    for var in applied.changed:
        if var in applied.buurten and var in before_b:
            frame[f"{var}_voor"] = before_b[var].to_numpy()
            frame[f"{var}_na"] = applied.buurten[var].to_numpy()
    return frame


def _ses_table(cells: pd.DataFrame) -> pd.DataFrame:
    r"""Inhabitants moving down or up in stacked score, per SES group and in total.

    ``aandeel_winst`` is the group's share of all score points gained
    (:math:`\sum -\Delta s \cdot P` over cells moving down): "ongelijk investeren" shows as a
    share above the group's share of the inhabitants.
    """
    rows = []
    pop = cells["inwoners"].to_numpy()
    diff = cells["score_verschil"].to_numpy()
    gained_total = float((pop * np.maximum(-diff, 0)).sum())
    groups = sorted(set(cells["ses_groep"].tolist()) | set(range(1, SES_GROUPS + 1)))
    for group in [*groups, -1]:
        mask = np.ones(len(cells), bool) if group == -1 else cells["ses_groep"].to_numpy() == group
        if group == 0 and not mask.any():
            continue
        p, d = pop[mask], diff[mask]
        people = float(p.sum())
        gained = float((p * np.maximum(-d, 0)).sum())
        rows.append(
            {
                "ses_groep": "alle inwoners" if group == -1 else SES_GROUP_LABELS[group],
                "inwoners": people,
                "omlaag": float(p[d < 0].sum()),
                "omlaag_1": float(p[d == -1].sum()),
                "omlaag_2_of_meer": float(p[d <= -2].sum()),
                "omhoog": float(p[d > 0].sum()),
                "gemiddelde_verandering": float((p * d).sum() / people) if people else 0.0,
                "aandeel_inwoners": people / float(pop.sum()) if pop.sum() else 0.0,
                "aandeel_winst": gained / gained_total if gained_total else 0.0,
            }
        )
    return pd.DataFrame(rows)


def _inequality(
    base: ScenarioBase,
    scenario: Scenario,
    buurten: gpd.GeoDataFrame,
    applied: Applied,
    bootstrap: int,
) -> pd.DataFrame:
    """SII/RII before and after: the inhabitants' stacked score and the chosen variables."""
    if base.ses_variable is None:
        return pd.DataFrame()
    ses = base.result.buurten[base.ses_variable].to_numpy(dtype="float64")
    advantaged = ses_higher_is_advantaged(base.ses_variable, base.state.config)
    wanted = ["score_inwoners", *scenario.inequality]
    wanted += [v for v in applied.changed if f"{v}_voor" in buurten and v not in wanted]
    parts = []
    for var in wanted:
        if f"{var}_voor" in buurten:
            b, a = buurten[f"{var}_voor"], buurten[f"{var}_na"]
        elif var in base.result.buurten:  # chosen but unchanged: the same before and after
            b = a = base.result.buurten[var]
        else:
            continue
        table = slope_change(
            b.to_numpy(dtype="float64"),
            a.to_numpy(dtype="float64"),
            ses,
            buurten["inwoners"].to_numpy(dtype="float64"),
            buurten["inwoners_na"].to_numpy(dtype="float64"),
            higher_is_advantaged=advantaged,
            n_boot=bootstrap,
        )
        table.insert(0, "variabele", var)
        parts.append(table)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

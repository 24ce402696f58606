"""A plan check for new homes: which rules of thumb and GES classes the plan meets or misses.

The GezondIn werkboek asks to take health as the starting point of every new building project.
For each ``woningen`` change of a scenario, the cells of the plan after all changes are judged
with RIVM's rules of thumb (preset ``rivm-vuistregels``) and the GES and heat-stress class
tables (``ges``, ``hittestress``): a table a municipality can attach to its decision.

Values are the means over the plan's cells weighted by the plan's new inhabitants. A rule
without data says so and names the source that would give it; a GES class the handbook
sources do not document is "niet bekend in de gebruikte bron". Nothing is estimated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk.scoring import load_preset
from gezondewijk.scoring.classes import MISSING, UNKNOWN, UNKNOWN_LABEL, class_of, classify
from gezondewijk.scoring.stack import STATUS_MISSING, score_stack
from gezondewijk.variables import describe

#: The presets a plan is checked against, in this order.
RULE_PRESET = "rivm-vuistregels"
CLASS_PRESETS = ("ges", "hittestress")
COLUMNS = ["plan", "toets", "regel", "waarde", "eenheid", "oordeel", "toelichting"]


def plan_check(
    plans: list[tuple[str, np.ndarray, np.ndarray]], cell_values: pd.DataFrame
) -> pd.DataFrame:
    """Judge each plan's cells against the rules of thumb and the class tables.

    Parameters
    ----------
    plans
        ``(name, cell positions, weights)`` per plan: the cells the new homes went into and
        the inhabitants each got.
    cell_values
        The cell values after the scenario.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`: one row per plan and rule or factor; ``oordeel`` is "voldoet",
        "voldoet niet", "ontbreekt" or the class (GES 4 "matig" …).
    """
    rows: list[dict[str, object]] = []
    rules = load_preset(RULE_PRESET)
    for name, cells, weights in plans:
        mean = _weighted_means(cell_values, cells, weights)
        scored = score_stack(mean, rules, {}).iloc[0]
        for ind in rules.indicators:
            status = str(scored[f"{ind.key}_status"])
            variable = str(scored[f"{ind.key}_variabele"])
            if status == STATUS_MISSING:
                verdict, note, value, unit = "ontbreekt", ind.when_missing, None, ""
            else:
                on = scored[f"{ind.key}_aan"]
                verdict = "voldoet niet" if on == 1 else "voldoet"
                used = next(p for o in ind.options for p in o.parts if p.variable == variable)
                note, value = used.source, float(scored[f"{ind.key}_waarde"])
                unit = describe(variable).unit
            rows.append(_row(name, rules.title, ind.label, value, unit, verdict, note))
        for preset_name in CLASS_PRESETS:
            preset = load_preset(preset_name)
            for ind in preset.indicators:
                assert ind.variable is not None
                value = float(mean[ind.variable].iloc[0]) if ind.variable in mean else np.nan
                code = str(classify(np.array([value]), ind)[0][0])
                found = class_of(ind, code)
                if code == MISSING:
                    verdict, note = "ontbreekt", f"de run heeft geen {describe(ind.variable).label}"
                elif code == UNKNOWN or found is None:
                    verdict, note = UNKNOWN_LABEL, ind.unknown_note
                else:
                    verdict, note = f"{code}: {found.label}", found.source
                shown = None if np.isnan(value) else value
                unit = describe(ind.variable).unit
                rows.append(_row(name, preset.title, ind.label, shown, unit, verdict, note))
    return pd.DataFrame(rows, columns=COLUMNS)


def _weighted_means(values: pd.DataFrame, cells: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    out = {}
    w = np.asarray(weights, dtype="float64")
    if not (w > 0).any():
        w = np.ones(len(cells))
    for col in values.columns:
        if not pd.api.types.is_numeric_dtype(values[col]):
            continue
        v = values[col].to_numpy(dtype="float64")[cells]
        ok = ~np.isnan(v) & (w > 0)
        out[col] = [float(np.average(v[ok], weights=w[ok])) if ok.any() else np.nan]
    return pd.DataFrame(out)


def _row(
    plan: str, check: str, rule: str, value: float | None, unit: str, verdict: str, note: str
) -> dict[str, object]:
    return {
        "plan": plan,
        "toets": check,
        "regel": rule,
        "waarde": value,
        "eenheid": unit,
        "oordeel": verdict,
        "toelichting": note,
    }

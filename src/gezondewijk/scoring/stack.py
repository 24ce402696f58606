"""The stacked score: each indicator 0/1 against its threshold, summed per area."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from gezondewijk.scoring.preset import Part, Preset
from gezondewijk.variables import describe

STATUS_USED = "gebruikt"
STATUS_SUBSTITUTED = "vervangen"
STATUS_PARTIAL = "gedeeltelijk"
STATUS_MISSING = "ontbreekt"


def reference_values(
    buurt_values: pd.DataFrame, preset: Preset, *, population: str = "population"
) -> dict[str, float]:
    r"""Population-weighted mean of each variable over the study area's buurten.

    Notes
    -----
    :math:`\bar v = \sum_j P_j v_j / \sum_{j: v_j \text{ known}} P_j`, with :math:`P_j` the
    buurt's inhabitants (equal weights where the population is unknown). For RIVM shares this
    approximates the municipal figure that RIVM publishes for the gemeente.
    """
    return weighted_means(buurt_values, preset.variables, population=population)


def weighted_means(
    values: pd.DataFrame, variables: list[str], *, population: str = "population"
) -> dict[str, float]:
    """Population-weighted mean of each listed variable present in ``values``."""
    if population in values:
        weights = values[population].fillna(0.0).to_numpy(dtype="float64")
    else:
        weights = np.ones(len(values))
    if weights.sum() <= 0:
        weights = np.ones(len(values))
    out: dict[str, float] = {}
    for var in variables:
        if var not in values:
            continue
        v = values[var].to_numpy(dtype="float64")
        known = ~np.isnan(v) & (weights > 0)
        if known.any():
            out[var] = float(np.average(v[known], weights=weights[known]))
    return out


def part_on(part: Part, values: np.ndarray, references: dict[str, float]) -> np.ndarray:
    """1.0 where the value is worse than the threshold, 0.0 where not, NaN where unknown."""
    direction = part.direction or describe(part.variable).direction
    worse_is_higher = direction == "higher_is_worse"
    if part.rule == "absolute":
        threshold = float(part.value)  # type: ignore[arg-type]
    elif part.rule == "reference":
        if part.variable not in references:
            return np.full(len(values), np.nan)
        threshold = part.factor * references[part.variable]
    else:
        frozen = references.get(quantile_key(part))
        threshold = frozen if frozen is not None else quantile_threshold(part, values)
        if np.isnan(threshold):
            return np.full(len(values), np.nan)
        on = values >= threshold if worse_is_higher else values <= threshold
        return np.where(np.isnan(values), np.nan, on.astype("float64"))
    on = values > threshold if worse_is_higher else values < threshold
    return np.where(np.isnan(values), np.nan, on.astype("float64"))


def quantile_key(part: Part) -> str:
    """The key under which a ``quantile`` part's threshold may be given in ``references``."""
    return f"{part.variable}@kwantiel{part.share}"


def quantile_threshold(part: Part, values: np.ndarray) -> float:
    """The value that cuts off the worst ``share`` of the known values (NaN if none known)."""
    known = values[~np.isnan(values)]
    if known.size == 0:
        return float("nan")
    share = float(part.share)  # type: ignore[arg-type]
    worse_is_higher = (part.direction or describe(part.variable).direction) == "higher_is_worse"
    return float(np.quantile(known, 1 - share if worse_is_higher else share))


def quantile_thresholds(
    values: pd.DataFrame | Mapping[str, np.ndarray], preset: Preset
) -> dict[str, float]:
    """Every ``quantile`` part's threshold at one level, keyed by :func:`quantile_key`.

    Passed in ``references``, they hold the quantile cut-offs fixed: a scenario is then
    scored against the thresholds of the situation before it, not re-ranked. ``values``:
    a table, or its columns by name (a run in parts holds only these).
    """
    out: dict[str, float] = {}
    for ind in preset.indicators:
        for opt in ind.options:
            for part in opt.parts:
                if part.rule == "quantile" and part.variable in values:
                    out[quantile_key(part)] = quantile_threshold(
                        part, np.asarray(values[part.variable], dtype="float64")
                    )
    return out


def combine_parts(stacked: np.ndarray, combine: str) -> np.ndarray:
    """Combine per-part 1/0/NaN rows into one: ``any`` or ``all`` of the known parts on.

    NaN where no part is known.
    """
    known = ~np.isnan(stacked)
    if combine == "any":
        combined = np.where(known, stacked, -1.0).max(axis=0)
    else:
        combined = np.where(known, stacked, 2.0).min(axis=0)
    return np.where(known.any(axis=0), combined, np.nan)


def part_threshold(part: Part, references: dict[str, float]) -> float | None:
    """Return the numeric threshold of a part where it does not depend on the level."""
    if part.rule == "absolute":
        return part.value
    if part.rule == "reference" and part.variable in references:
        return part.factor * references[part.variable]
    return None


def score_stack(values: pd.DataFrame, preset: Preset, references: dict[str, float]) -> pd.DataFrame:
    """Score each area (cell or buurt) on every indicator of a preset and sum.

    Parameters
    ----------
    values
        One row per area with a column per variable (missing columns count as no data).
    preset
        The preset to apply.
    references
        Reference values per variable for ``reference`` rules (see :func:`reference_values`).

    Returns
    -------
    pandas.DataFrame
        Per indicator ``<key>_waarde`` (value of the first part used), ``<key>_aan`` (1, 0 or
        missing), ``<key>_status`` (gebruikt / vervangen / gedeeltelijk / ontbreekt) and
        ``<key>_variabele``; then ``score`` (number of indicators on), ``n_beschikbaar``
        (indicators with data) and ``n_indicatoren``.

    Notes
    -----
    Missing data: per area, the first option of an indicator with at least one known part is
    used; a later option is reported as "vervangen", an option with some parts unknown as
    "gedeeltelijk" (judged on its known parts). An indicator without data is "ontbreekt",
    does not count as on, and lowers ``n_beschikbaar``; the score is thus a lower bound out of
    ``n_beschikbaar``, never an imputed value.
    """
    n = len(values)
    out: dict[str, object] = {}
    score = np.zeros(n)
    available = np.zeros(n, dtype=np.int64)
    statuses = [STATUS_MISSING, STATUS_USED, STATUS_SUBSTITUTED, STATUS_PARTIAL]
    for ind in preset.indicators:
        on = np.full(n, np.nan)
        shown = np.full(n, np.nan)
        status = np.zeros(n, dtype=np.int8)  # index into `statuses`
        used = np.full(n, -1, dtype=np.int16)  # index into the options
        todo = np.ones(n, dtype=bool)
        for rank, opt in enumerate(ind.options):
            parts_on = []
            part_vals = []
            for part in opt.parts:
                v = (
                    values[part.variable].to_numpy(dtype="float64")
                    if part.variable in values
                    else np.full(n, np.nan)
                )
                part_vals.append(v)
                parts_on.append(part_on(part, v, references))
            stacked = np.vstack(parts_on)
            known = ~np.isnan(stacked)
            take = todo & known.any(axis=0)
            if not take.any():
                continue
            combined = combine_parts(stacked, opt.combine)
            on[take] = combined[take]
            vals = np.vstack(part_vals)
            first_known = np.argmax(known, axis=0)
            shown[take] = vals[first_known, np.arange(n)][take]
            label = 1 if rank == 0 else 2
            status[take] = np.where(known.all(axis=0)[take], label, 3)
            used[take] = rank
            todo &= ~take
        names = ["+".join(p.variable for p in opt.parts) for opt in ind.options]
        out[f"{ind.key}_waarde"] = shown
        out[f"{ind.key}_aan"] = pd.arrays.IntegerArray(
            np.nan_to_num(on, nan=0.0).astype(np.int64), np.isnan(on)
        )
        out[f"{ind.key}_status"] = pd.Categorical.from_codes(status, categories=statuses)
        out[f"{ind.key}_variabele"] = (
            pd.Categorical.from_codes(used + 1, categories=["", *dict.fromkeys(names)])
            if len(set(names)) == len(names)
            else np.array(["", *names], dtype=object)[used + 1]
        )
        score += np.nan_to_num(on, nan=0.0)
        available += (~np.isnan(on)).astype(np.int64)
    out["score"] = score.astype(np.int64)
    out["n_beschikbaar"] = available
    out["n_indicatoren"] = np.full(n, len(preset.indicators), dtype=np.int64)
    return pd.DataFrame(out, index=values.index)

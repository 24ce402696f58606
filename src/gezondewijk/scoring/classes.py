"""Class tables: each factor's value put in a documented class, never summed across factors.

The GGD's Gezondheidseffectscreening (GES, Handboek GES 2012 / v1.7 2018) turns an exposure
into a score 0-8 per factor; "Als er op een locatie een gelijktijdige belasting is van
verschillende milieufactoren ... kunnen de GES-scores niet opgeteld worden tot één GES-score"
(Provincie Groningen, 2022; Commissie m.e.r. citing the 2012 handbook). So a ``classes``
preset gives one class per factor, the highest class and the number of factors at or above a
class (``params.count_from``, e.g. GES 6 = MTR), never a sum. The same method shows the PET
heat-stress classes (Matzarakis & Mayer).

A value outside every documented class (below the lowest, or in a gap the source leaves) is
:data:`UNKNOWN`: the class is "niet bekend in de gebruikte bron", never filled in by guessing.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gezondewijk.scoring.preset import IndicatorSpec, Preset, ValueClass

#: The class of a value that no documented class covers.
UNKNOWN = "onbekend"
UNKNOWN_LABEL = "niet bekend in de gebruikte bron"
#: The class of an area without a value.
MISSING = "ontbreekt"


def prefix(preset: Preset) -> str:
    """The column prefix of a ``classes`` preset: its name in lower-case letters and ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", preset.name.lower()).strip("_")


def bounds(indicator: IndicatorSpec) -> list[tuple[float, float, ValueClass]]:
    """Each class as ``(lower, upper, class)``, the upper bound filled in from the next class."""
    out = []
    for i, c in enumerate(indicator.classes):
        nxt = indicator.classes[i + 1].lower if i + 1 < len(indicator.classes) else np.inf
        out.append((c.lower, nxt if c.upper is None else c.upper, c))
    return out


def classify(values: np.ndarray, indicator: IndicatorSpec) -> tuple[np.ndarray, np.ndarray]:
    """The class code and class score of each value.

    A value ``v`` is in a class when ``lower <= v < upper``. Outside all classes the code is
    :data:`UNKNOWN` (score NaN); without a value it is :data:`MISSING`.

    Returns
    -------
    codes, scores
        Object array of codes; float array of scores.
    """
    v = np.asarray(values, dtype="float64")
    codes = np.full(len(v), UNKNOWN, dtype=object)
    scores = np.full(len(v), np.nan)
    for low, high, c in bounds(indicator):
        inside = (v >= low) & (v < high)
        codes[inside] = c.code
        scores[inside] = c.score
    codes[np.isnan(v)] = MISSING
    return codes, scores


def class_of(indicator: IndicatorSpec, code: str) -> ValueClass | None:
    """The documented class with this code, or ``None`` (unknown or missing)."""
    return next((c for c in indicator.classes if c.code == code), None)


def score_classes(values: pd.DataFrame, preset: Preset) -> pd.DataFrame:
    """Class per factor, the highest class and how many factors reach ``count_from``.

    Returns
    -------
    pandas.DataFrame
        With the preset's prefix ``p``: ``p_<key>_klasse`` (code, :data:`UNKNOWN` or
        :data:`MISSING`) and ``p_<key>_score`` per indicator; ``p_hoogste`` (the code of the
        highest known class, by score; "" where no factor has a known class), ``p_hoogste_score``,
        ``p_n_vanaf`` (factors with a score at or above ``params.count_from``, default the
        highest score of any class: only the worst class counts), ``p_n_onbekend`` (factors
        with a value outside the documented classes) and ``p_n_bekend``.

    Notes
    -----
    Never a sum: the GES rule (see the module notes).
    """
    p = prefix(preset)
    top = max(c.score for ind in preset.indicators for c in ind.classes)
    count_from = preset.number("count_from", top)
    out: dict[str, object] = {}
    scores = []
    codes_all = []
    for ind in preset.indicators:
        assert ind.variable is not None  # the preset's validation requires it
        col = values[ind.variable] if ind.variable in values else pd.Series(np.nan, values.index)
        codes, score = classify(col.to_numpy(dtype="float64"), ind)
        out[f"{p}_{ind.key}_klasse"] = codes
        out[f"{p}_{ind.key}_score"] = score
        scores.append(score)
        codes_all.append(codes)
    matrix = np.column_stack(scores) if scores else np.empty((len(values), 0))
    code_matrix = np.column_stack(codes_all) if codes_all else np.empty((len(values), 0))
    known = np.isfinite(matrix)
    any_known = known.any(axis=1)
    best = np.where(known, matrix, -np.inf).argmax(axis=1) if matrix.shape[1] else np.zeros(0)
    rows = np.arange(len(values))
    out[f"{p}_hoogste"] = np.where(any_known, code_matrix[rows, best], "")
    out[f"{p}_hoogste_score"] = np.where(any_known, matrix[rows, best], np.nan)
    out[f"{p}_n_vanaf"] = (np.where(known, matrix, -np.inf) >= count_from).sum(axis=1)
    out[f"{p}_n_onbekend"] = (code_matrix == UNKNOWN).sum(axis=1)
    out[f"{p}_n_bekend"] = known.sum(axis=1)
    return pd.DataFrame(out, index=values.index)

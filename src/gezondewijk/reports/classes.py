"""The class of each factor (GES, heat stress) for a fact sheet, read from the run's table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from gezondewijk.scoring.classes import MISSING, UNKNOWN, UNKNOWN_LABEL


@dataclass(frozen=True)
class ClassRow:
    """One factor of a class-table preset on a fact sheet."""

    preset: str
    factor: str
    variable: str
    value: float | None
    #: The class code, :data:`~gezondewijk.scoring.classes.UNKNOWN` or ``MISSING``.
    code: str
    label: str
    colour: str
    source: str
    unit: str = ""


def class_rows(
    table: pd.DataFrame | None,
    values: Mapping[str, object],
    unit: Callable[[str], str] = lambda _: "",
) -> list[ClassRow]:
    """The class of every factor of the run's class tables (``klassen.csv``) for one area.

    A value outside every documented class is "niet bekend in de gebruikte bron", with the
    preset's note on where the missing classes are; an area without a value gets
    "ontbreekt". GES classes of different factors are listed, never summed.
    """
    if table is None or table.empty:
        return []
    out: list[ClassRow] = []
    for (title, _key), rows in table.groupby(["titel", "indicator"], sort=False):
        variable = str(rows["variabele"].iloc[0])
        raw = values.get(variable)
        value = None if raw is None or pd.isna(raw) else float(raw)  # type: ignore[arg-type]
        label = str(rows["label"].iloc[0])
        if value is None:
            out.append(ClassRow(str(title), label, variable, None, MISSING, "ontbreekt", "", ""))
            continue
        low = rows["ondergrens"].to_numpy(dtype="float64")
        high = rows["bovengrens"].to_numpy(dtype="float64")
        inside = np.flatnonzero((value >= low) & (value < high))
        if len(inside) == 0:
            note = str(rows["onbekend"].iloc[0]) if pd.notna(rows["onbekend"].iloc[0]) else ""
            out.append(
                ClassRow(str(title), label, variable, value, UNKNOWN, UNKNOWN_LABEL, "", note)
            )
            continue
        row = rows.iloc[int(inside[0])]
        out.append(
            ClassRow(
                str(title),
                label,
                variable,
                value,
                str(row["klasse"]),
                str(row["naam"]),
                str(row["kleur"]),
                str(row["bron"]),
            )
        )
    return [replace(r, unit=unit(r.variable)) for r in out]

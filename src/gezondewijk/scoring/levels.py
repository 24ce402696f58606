"""Score buurten and cells with the main preset and any extra presets, in one call."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from gezondewijk._errors import PresetError
from gezondewijk._parallel import TaskMap
from gezondewijk.scoring.apply import apply_preset
from gezondewijk.scoring.preset import Preset
from gezondewijk.scoring.stability import ranking_stability
from gezondewijk.scoring.stack import reference_values


@dataclass
class LevelScores:
    """Scores of both levels plus what they were computed with."""

    buurten: pd.DataFrame
    cells: pd.DataFrame
    references: dict[str, float]
    stability: pd.DataFrame | None


def check_presets(main: Preset, extra: list[Preset]) -> None:
    """Refuse combinations whose columns would collide or that the outputs cannot show.

    Raises
    ------
    PresetError
        When the main preset is not a threshold-sum preset or two extra presets share a method.
    """
    if main.method != "threshold-sum":
        raise PresetError(
            f"preset '{main.name}' (method {main.method}) cannot be the main "
            "preset; use a threshold-sum preset such as eindhoven-8 as 'preset' "
            "and list it under 'extra_presets'."
        )
    # class tables name their columns after the preset; the other methods after the method
    methods = [p.name if p.method == "classes" else p.method for p in extra]
    dup = {m for m in methods if methods.count(m) > 1}
    if dup:
        raise PresetError(
            f"extra_presets: two presets with method {sorted(dup)}; their columns "
            "would collide. Run them in separate configurations."
        )


def score_levels(
    buurten: pd.DataFrame,
    buurt_centres: tuple[np.ndarray, np.ndarray],
    cell_values: pd.DataFrame,
    cell_centres: tuple[np.ndarray, np.ndarray],
    cell_size: float,
    main: Preset,
    extra: list[Preset],
    *,
    stability_draws: int = 0,
    buurt_size: float = 1000.0,
    tasks: TaskMap | None = None,
) -> LevelScores:
    """Apply the main and extra presets to buurten and cells.

    References for ``reference`` rules come from the buurten (population-weighted) and are
    shared by both levels. The ranking stability (if asked) is computed for the buurten with
    the main preset. ``buurt_size`` (m) is the neighbourhood scale of the hot-spot
    statistics at buurt level, as ``cell_size`` is at cell level. ``tasks`` spreads the
    stability draws (see :func:`~gezondewijk.scoring.stability.ranking_stability`).
    """
    check_presets(main, extra)
    references = reference_values(buurten, main)
    for p in extra:
        references.update(
            {k: v for k, v in reference_values(buurten, p).items() if k not in references}
        )
    b_parts = [apply_preset(buurten, main, references)]
    c_parts = [apply_preset(cell_values, main, references)]
    for p in extra:
        b_parts.append(
            apply_preset(
                buurten, p, references, x=buurt_centres[0], y=buurt_centres[1], cell_size=buurt_size
            )
        )
        c_parts.append(
            apply_preset(
                cell_values,
                p,
                references,
                x=cell_centres[0],
                y=cell_centres[1],
                cell_size=cell_size,
            )
        )
    stability = None
    if stability_draws > 0:
        stability = ranking_stability(buurten, main, references, draws=stability_draws, tasks=tasks)
    return LevelScores(
        pd.concat(b_parts, axis=1), pd.concat(c_parts, axis=1), references, stability
    )


def centres_of(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return representative points (inside each polygon) as x and y arrays."""
    pts = shapely.point_on_surface(geoms)
    return shapely.get_x(pts), shapely.get_y(pts)

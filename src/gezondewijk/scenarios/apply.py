"""Apply a scenario's changes to its base, recomputing only what they touch.

How it stays incremental (and exact):

- **A new destination** (green, GP, supermarket, school) can only bring an origin closer.
  Every origin's straight-line distance to the new features is one STRtree/k-d tree query;
  the new distance is the smaller of the old and that. A walking distance is never below the
  straight one, so only origins whose straight distance to the new features is below their
  old walking distance can change; for those alone the walk is read off one Dijkstra search
  from the new features' entry points (:mod:`gezondewijk.network.distance`).
- **Removed green** (the drawn area is cut out of the green layer): only origins whose
  nearest green could have been the part removed, those with a straight-line distance to it
  no larger than their old distance, are measured again against the whole new layer.
- **Lower noise, NO2 or PM2.5** in a street zone or area: the cells whose centre lies in it
  (the rasters are read at the cell centres, as in the run).
- **New homes**: inhabitants added to the cells in the area (by covered area) or the cell of
  the point.
- **Trees, seats, a fast-food outlet closed or a greengrocer opened**: see
  :mod:`gezondewijk.scenarios.local` (the buurt's count changes; food counts change only
  within 400 m walking of the outlet).

Only the cells with an origin that changed get a new value; every other cell keeps the run's
value bit for bit. Buurt values are then averaged again (a weighted bincount over all cells,
milliseconds), and :mod:`gezondewijk.scenarios.compare` scores both levels against the run's
own thresholds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gezondewijk._errors import InputDataError
from gezondewijk.areas.cells import key_positions
from gezondewijk.crs import RD_NEW
from gezondewijk.indicators import density_per_km2, mean_of_available
from gezondewijk.indicators.exposure import distance_to_nearest
from gezondewijk.indicators.proximity import (
    OriginDistances,
    Origins,
    network_entries,
    subset,
)
from gezondewijk.network.distance import walk_distance
from gezondewijk.run.stages import BASIC_M, BASIC_WALK, CellIndicators, buurt_indicators
from gezondewijk.scenarios.base import ScenarioBase
from gezondewijk.scenarios.local import apply_local
from gezondewijk.scenarios.model import (
    DESTINATION_KINDS,
    EXPOSURE_KINDS,
    KINDS,
    LOCAL_KINDS,
    Change,
    Scenario,
)
from gezondewijk.variables import describe, walk_key

#: Two distances closer than this (m) are the same, for "was the removed part the nearest".
TOLERANCE_M = 1e-6


@dataclass
class Applied:
    """The cell and buurt values after a scenario, before scoring."""

    cell_values: pd.DataFrame
    buurten: gpd.GeoDataFrame
    #: Per cell: did any value change.
    touched: np.ndarray
    #: Variable → number of cells whose value changed.
    changed: dict[str, int] = field(default_factory=dict)
    #: New homes: ``(name, cell positions, new inhabitants per cell)`` per change, for the
    #: plan check (:mod:`gezondewijk.scenarios.plan_check`).
    plans: list[tuple[str, np.ndarray, np.ndarray]] = field(default_factory=list)
    #: Origins measured again (distances), for the report of how incremental it was.
    origins_measured: int = 0
    #: Of those, origins walked again along the network (one Dijkstra each).
    origins_walked: int = 0
    notes: list[str] = field(default_factory=list)


def apply_changes(base: ScenarioBase, scenario: Scenario) -> Applied:
    """The run's cell and buurt values with the scenario's changes (see the module notes).

    Raises
    ------
    InputDataError
        When a change needs something the run lacks (a noise map for ``geluid``, a GP layer
        for ``huisarts``), naming the change and the fix.
    """
    cells = base.state.laid.cells
    values = base.state.at_cells.values.copy()
    before = base.state.at_cells.values
    notes: list[str] = []
    plans: list[tuple[str, np.ndarray, np.ndarray]] = []
    measured = walked = 0
    by_layer: dict[str, list[Change]] = defaultdict(list)
    for number, change in enumerate(scenario.changes, start=1):
        if change.kind in DESTINATION_KINDS:
            variable = KINDS[change.kind][1]
            if variable not in base.layers:
                raise _missing(change, number, variable)
            by_layer[variable].append(change)
    for variable, changes in by_layer.items():
        counts = _update_distances(base, values, variable, changes, notes)
        measured += counts[0]
        walked += counts[1]
    buurten = base.state.joined.buurten.copy()
    buurt_values = dict(base.state.at_cells.buurt_values)
    for number, change in enumerate(scenario.changes, start=1):
        if change.kind in EXPOSURE_KINDS:
            _lower_exposure(base, values, change, number, notes)
        elif change.kind == "woningen":
            plans.append(_add_homes(base, values, change, number, notes))
        elif change.kind in LOCAL_KINDS:
            apply_local(base, values, buurten, buurt_values, change, number, notes)
    for key, parts in (("basic_services_m", BASIC_M), ("basic_services_walk_m", BASIC_WALK)):
        if key in values:
            values[key] = _keep_unchanged(before[key], mean_of_available(values, parts))
    changed = {
        col: int(_differs(before[col], values[col]).sum())
        for col in values.columns
        if _differs(before[col], values[col]).any()
    }
    touched = np.zeros(len(cells), dtype=bool)
    for col in changed:
        touched |= _differs(before[col], values[col])
    if "population" in changed:
        main = cells.main_buurt()
        added = values["population"].to_numpy() - before["population"].to_numpy()
        extra = np.bincount(main[main >= 0], weights=added[main >= 0], minlength=len(buurten))
        buurten["population"] = buurten["population"].to_numpy(dtype="float64") + extra
        buurten["population_density"] = density_per_km2(
            buurten["population"].to_numpy(), buurten.geometry.area.to_numpy()
        )
    at = base.state.at_cells
    after = CellIndicators(
        values, at.variables, at.measured, at.notes, at.inputs, buurt_values=buurt_values
    )
    return Applied(
        cell_values=values,
        buurten=buurt_indicators(buurten, base.state.laid, after),
        touched=touched,
        changed=changed,
        plans=plans,
        origins_measured=measured,
        origins_walked=walked,
        notes=notes,
    )


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    x, y = a.to_numpy(dtype="float64"), b.to_numpy(dtype="float64")
    return ~((x == y) | (np.isnan(x) & np.isnan(y)))


def _keep_unchanged(old: pd.Series, new: np.ndarray) -> np.ndarray:
    """``new`` where it differs from ``old`` beyond rounding, else ``old`` bit for bit."""
    o = old.to_numpy(dtype="float64")
    same = np.isclose(o, new, rtol=0, atol=1e-9) | (np.isnan(o) & np.isnan(new))
    return np.where(same, o, new)


def _missing(change: Change, number: int, variable: str) -> InputDataError:
    label = describe(variable).label
    return InputDataError(
        f"de run heeft geen '{label}' ({variable}), dus '{change.label}' kan niet worden "
        "doorgerekend.",
        row=number,
        field="soort",
        fix=f"voeg de kaartlaag voor {variable} toe aan de run ([[features]], [[rasters]] of "
        "[osm]) of laat deze wijziging weg.",
    )


def _changed_features(
    base: ScenarioBase, variable: str, changes: list[Change], notes: list[str]
) -> tuple[np.ndarray, list[shapely.Geometry], shapely.Geometry | None]:
    """The layer's features after the changes, what was added, and what was removed.

    Green smaller than the run's minimum does not count as green (as in the run); a
    removal that touches no green of the run removes nothing (``None``).
    """
    features = base.layers[variable].features.geometry.to_numpy()
    added = []
    for change in changes:
        parts = shapely.get_parts(change.geometry)
        if change.kind == "groen_erbij":
            small = shapely.area(parts) < base.green_min_area_m2
            if small.all():
                notes.append(
                    f"'{change.label}' is kleiner dan {base.green_min_area_m2 / 10_000:g} ha en "
                    "telt, zoals in de run, niet als groen."
                )
            parts = parts[~small]
        if change.kind != "groen_eraf":
            added.extend(parts)
    removed = [c.geometry for c in changes if c.kind == "groen_eraf"]
    new_features = features
    removed_part = None
    if removed:
        cut = shapely.union_all(removed)
        removed_part = shapely.intersection(shapely.union_all(features), cut)
        kept = shapely.get_parts(shapely.difference(features, cut))
        new_features = kept[shapely.area(kept) >= max(base.green_min_area_m2, 1.0)]
        if shapely.is_empty(removed_part):
            notes.append("'groen weg' raakt geen groen van de run; er verandert niets.")
            removed_part = None
    if added:
        new_features = np.concatenate([new_features, np.asarray(added, dtype=object)])
    return new_features, added, removed_part


def _update_distances(
    base: ScenarioBase,
    values: pd.DataFrame,
    variable: str,
    changes: list[Change],
    notes: list[str],
) -> tuple[int, int]:
    """Distances of one layer after additions and removals: (origins measured, walked)."""
    assert base.origins is not None and base.distances is not None
    origins, dist = base.origins, base.distances
    new_features, added, removed_part = _changed_features(base, variable, changes, notes)
    old_straight = dist.straight[variable]
    straight = old_straight.copy()
    walking_key = walk_key(variable)
    has_walk = walking_key in dist.walking and dist.index is not None
    old_walk = dist.walking[walking_key] if has_walk else None
    walk = old_walk.copy() if old_walk is not None else None
    redo_straight = np.zeros(len(straight), dtype=bool)
    redo_walk = np.zeros(len(straight), dtype=bool)
    walked = 0
    if removed_part is not None:
        to_removed = distance_to_nearest(origins.x, origins.y, _frame([removed_part]))
        redo_straight = to_removed <= old_straight + TOLERANCE_M
        if old_walk is not None:
            redo_walk = to_removed <= np.nan_to_num(old_walk, nan=np.inf) + TOLERANCE_M
        if redo_straight.any():
            straight[redo_straight] = distance_to_nearest(
                origins.x[redo_straight], origins.y[redo_straight], _frame(new_features)
            )
    if added:
        to_added = distance_to_nearest(origins.x, origins.y, _frame(added))
        keep = ~redo_straight
        straight[keep] = np.fmin(straight[keep], to_added[keep])
        if walk is not None and old_walk is not None:
            nearer = keep & ~redo_walk & (to_added < np.nan_to_num(old_walk, nan=np.inf))
            if nearer.any():
                reached = _walk(dist, nearer, added, base.reach)
                walked += int(nearer.sum())
                reached = np.where(to_added[nearer] == 0, 0.0, reached)
                walk[nearer] = np.fmin(walk[nearer], reached)
    if walk is not None and redo_walk.any():
        again = _walk(dist, redo_walk, new_features, base.reach)
        walked += int(redo_walk.sum())
        walk[redo_walk] = np.where(straight[redo_walk] == 0, 0.0, again)
    measured = int((redo_straight | redo_walk).sum())
    if added:
        measured += len(straight)  # one nearest-neighbour query per origin
    _set_cells(values, variable, origins, old_straight, straight)
    if walk is not None and old_walk is not None:
        _set_cells(values, walking_key, origins, old_walk, walk)
    return measured, walked


def _walk(
    dist: OriginDistances,
    which: np.ndarray,
    features: list[shapely.Geometry] | np.ndarray,
    reach: float,
) -> np.ndarray:
    """Walking distance from the origins ``which`` to the nearest of ``features``."""
    index, snapped = dist.index, dist.snapped
    assert index is not None and snapped is not None
    entries = network_entries(index, _frame(features), reach)
    return walk_distance(index, subset(snapped, which), entries)


def _set_cells(
    values: pd.DataFrame, column: str, origins: Origins, old: np.ndarray, new: np.ndarray
) -> None:
    """Write the per-cell mean of ``new`` into the cells with an origin that changed."""
    moved = ~((old == new) | (np.isnan(old) & np.isnan(new)))
    if not moved.any():
        return
    cells = np.unique(origins.cell[moved])
    means = origins.per_cell(new)
    column_values = values[column].to_numpy(dtype="float64").copy()
    column_values[cells] = means[cells]
    values[column] = column_values


def _frame(geoms: list[shapely.Geometry] | np.ndarray) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=RD_NEW)


def _cells_in(base: ScenarioBase, zone: shapely.Geometry) -> np.ndarray:
    cells = base.state.laid.cells
    inside = shapely.contains_xy(zone, cells.x, cells.y)
    return np.flatnonzero(inside)


def _cell_at(base: ScenarioBase, point: shapely.Point) -> np.ndarray:
    """The run's cell holding ``point`` (empty where no cell of the run does)."""
    cells = base.state.laid.cells
    pos = key_positions(cells.keys, cells.grid.locate(np.array([point.x]), np.array([point.y])))
    return pos[pos < len(cells)]


def _lower_exposure(
    base: ScenarioBase, values: pd.DataFrame, change: Change, number: int, notes: list[str]
) -> None:
    variable = KINDS[change.kind][1]
    if variable not in values:
        raise _missing(change, number, variable)
    cells = _cells_in(base, change.zone())
    if not len(cells):
        notes.append(f"'{change.label}' ligt over geen enkel celmidden; er verandert niets.")
        return
    column = values[variable].to_numpy(dtype="float64").copy()
    column[cells] = np.maximum(column[cells] - change.amount, 0.0)
    values[variable] = column


def _add_homes(
    base: ScenarioBase, values: pd.DataFrame, change: Change, number: int, notes: list[str]
) -> tuple[str, np.ndarray, np.ndarray]:
    if "population" not in values:
        raise _missing(change, number, "population")
    cells = base.state.laid.cells
    if change.geometry.geom_type == "Point":
        where = _cell_at(base, change.geometry)
    else:
        where = _cells_in(base, change.geometry)
        if not len(where):  # a small plot between cell centres: the cell of its centre
            where = _cell_at(base, shapely.point_on_surface(change.geometry))
    if not len(where):
        raise InputDataError(
            f"'{change.label}' ligt buiten de cellen van de run.",
            row=number,
            field="geometry",
            fix="teken de woningen binnen de buurten van de run.",
        )
    area = cells.covered_area[where]
    share = area / area.sum() if area.sum() > 0 else np.full(len(where), 1 / len(where))
    population = values["population"].to_numpy(dtype="float64").copy()
    population[where] = np.nan_to_num(population[where]) + change.amount * share
    values["population"] = population
    if "population_density" in values:
        density = values["population_density"].to_numpy(dtype="float64").copy()
        density[where] = density_per_km2(population[where], cells.covered_area[where])
        values["population_density"] = density
    notes.append(
        f"'{change.label}': {change.amount:g} inwoners over {len(where)} cellen; afstanden "
        "worden gemeten vanaf de bestaande adressen."
    )
    return change.name or f"woningen {number}", where, change.amount * share

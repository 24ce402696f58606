r"""Scenario changes that alter a buurt's count or what is within reach on foot.

- **Trees** (``bomen``): the drawn area is new tree crown. A buurt's canopy cover rises by the
  crown area inside it over its area, :math:`c'_j = \min(100, c_j + 100\,a_j / A_j)`; the
  cells get the buurt values again as the run shared them (area- or address-weighted).
- **Seats** (``zitplekken``): the seats are added to the buurt of each point (a line: the buurt
  of its middle), :math:`b'_j = (b_j L_j + n) / L_j` seats per km of street, :math:`L_j` the
  km of walkable ways in the buurt; each cell carries its main buurt's value, as in the run.
- **Food** (``snackbar_dicht``: the nearest *ongezond* outlet within 50 m of the point closes;
  ``groenteboer``: a *vers* outlet opens): only origins within 400 m walking of that outlet
  change, by exactly one (:func:`gezondewijk.network.distance.counts_within` from the one
  outlet); the cell means move by the mean of those changes, and the buurt's outlets per
  1,000 inhabitants and per km² by one outlet.

Every other cell and buurt keeps the run's value bit for bit.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gezondewijk._errors import InputDataError
from gezondewijk.crs import RD_NEW
from gezondewijk.indicators import areal_interpolate
from gezondewijk.indicators.buurt_counts import street_km_per_buurt
from gezondewijk.indicators.proximity import Origins
from gezondewijk.indicators.reach import FOOD_REACH_M, Reach, outlets_within, unhealthy_share
from gezondewijk.scenarios.base import ScenarioBase
from gezondewijk.scenarios.model import KINDS, Change

#: How far from the drawn point the outlet that closes may lie (m).
CLOSE_REACH_M = 50.0


def apply_local(
    base: ScenarioBase,
    values: pd.DataFrame,
    buurten: gpd.GeoDataFrame,
    buurt_values: dict[str, np.ndarray],
    change: Change,
    number: int,
    notes: list[str],
) -> None:
    """Apply one local change in place (see the module notes).

    Raises
    ------
    InputDataError
        When the run lacks what the change needs (a canopy table, OSM seats or food outlets).
    """
    if change.kind == "bomen":
        _plant_trees(base, values, buurten, change, number)
    elif change.kind == "zitplekken":
        _add_seats(base, values, buurten, buurt_values, change, number, notes)
    else:
        _food(base, values, buurten, buurt_values, change, number, notes)


def _needs(change: Change, number: int, variable: str, what: str) -> InputDataError:
    return InputDataError(
        f"de run heeft geen {what} ({variable}), dus '{change.label}' kan niet worden "
        "doorgerekend.",
        row=number,
        field="soort",
        fix="geef de run een [osm]-uittreksel of een tabel met deze variabele.",
    )


def _buurt_of(buurten: gpd.GeoDataFrame, point: shapely.Geometry) -> int:
    hits = shapely.STRtree(buurten.geometry.to_numpy()).query(point, predicate="intersects")
    return int(hits[0]) if len(hits) else -1


def _plant_trees(
    base: ScenarioBase,
    values: pd.DataFrame,
    buurten: gpd.GeoDataFrame,
    change: Change,
    number: int,
) -> None:
    if "canopy_pct" not in buurten:
        raise _needs(change, number, "canopy_pct", "boomkroonbedekking per buurt")
    geoms = buurten.geometry.to_numpy()
    crown = shapely.area(shapely.intersection(geoms, change.geometry))
    old = buurten["canopy_pct"].to_numpy(dtype="float64")
    new = np.where(crown > 0, np.minimum(100.0, old + 100.0 * crown / shapely.area(geoms)), old)
    buurten["canopy_pct"] = new
    laid = base.state.laid
    shared = areal_interpolate(
        laid.cells, buurten, extensive=[], intensive=["canopy_pct"], weighting=laid.weighting
    )["canopy_pct"].to_numpy()
    pieces = laid.cells.pieces
    touched = np.zeros(len(laid.cells), dtype=bool)
    touched[pieces["cell"].to_numpy()[crown[pieces["buurt"].to_numpy()] > 0]] = True
    column = values["canopy_pct"].to_numpy(dtype="float64").copy()
    column[touched] = shared[touched]
    values["canopy_pct"] = column


def _set_buurt_value(
    base: ScenarioBase,
    values: pd.DataFrame,
    buurt_values: dict[str, np.ndarray],
    key: str,
    pos: int,
    value: float,
) -> None:
    """Give buurt ``pos`` a new ``key``; the cells whose main buurt it is take it too.

    As the run gives a value counted per buurt (seats per km, outlets per inhabitant) to the
    cells; every other buurt and cell keeps its value.
    """
    per = buurt_values[key].copy()
    per[pos] = value
    buurt_values[key] = per
    cells = base.state.laid.cells.main_buurt() == pos
    column = values[key].to_numpy(dtype="float64").copy()
    column[cells] = value
    values[key] = column


def _add_seats(
    base: ScenarioBase,
    values: pd.DataFrame,
    buurten: gpd.GeoDataFrame,
    buurt_values: dict[str, np.ndarray],
    change: Change,
    number: int,
    notes: list[str],
) -> None:
    inputs = base.state.at_cells.inputs
    if "benches_per_km" not in buurt_values or inputs is None or inputs.streets is None:
        raise _needs(change, number, "benches_per_km", "zitplekken per km straat (OSM)")
    where = (
        shapely.line_interpolate_point(change.geometry, 0.5, normalized=True)
        if (change.geometry.geom_type != "Point")
        else change.geometry
    )
    pos = _buurt_of(buurten, where)
    if pos < 0:
        raise InputDataError(
            f"'{change.label}' ligt buiten de buurten van de run.",
            row=number,
            field="geometry",
            fix="teken de zitplekken binnen de buurten van de run.",
        )
    km = street_km_per_buurt(buurten.iloc[[pos]], inputs.streets)[0]
    if not km > 0:
        notes.append(f"'{change.label}': de buurt heeft geen looppaden; er verandert niets.")
        return
    now = float(np.nan_to_num(buurt_values["benches_per_km"][pos]))
    _set_buurt_value(base, values, buurt_values, "benches_per_km", pos, now + change.amount / km)
    notes.append(
        f"'{change.label}': {change.amount:g} zitplekken in {buurten['buurtnaam'].iloc[pos]} "
        f"({km:.1f} km looppad)."
    )


def _food(
    base: ScenarioBase,
    values: pd.DataFrame,
    buurten: gpd.GeoDataFrame,
    buurt_values: dict[str, np.ndarray],
    change: Change,
    number: int,
    notes: list[str],
) -> None:
    inputs = base.state.at_cells.inputs
    food = inputs.points.get("voedsel") if inputs is not None else None
    if food is None or "food_all_400m" not in values or inputs is None:
        raise _needs(change, number, KINDS[change.kind][1], "voedselverkooppunten (OSM)")
    point = change.geometry
    if change.kind == "snackbar_dicht":
        unhealthy = food[food["groep"] == "ongezond"]
        dist = shapely.distance(unhealthy.geometry.to_numpy(), point) if len(unhealthy) else []
        if not len(dist) or float(np.min(dist)) > CLOSE_REACH_M:
            notes.append(
                f"'{change.label}': geen fastfood of snackbar binnen {CLOSE_REACH_M:g} m van het "
                "punt in de gegevens van de run; er verandert niets."
            )
            return
        outlet = unhealthy.geometry.to_numpy()[int(np.argmin(dist))]
        sign, group = -1.0, "unhealthy"
    else:
        outlet, sign, group = point, 1.0, "fresh"
    laid = base.state.laid
    origins = (
        Origins.addresses(laid.cells, laid.address_points)
        if laid.address_points is not None
        else Origins.cell_centres(laid.cells)
    )
    one = gpd.GeoDataFrame(geometry=[outlet], crs=RD_NEW)
    reached = outlets_within(origins.x, origins.y, one, Reach.of(inputs.walk_network), FOOD_REACH_M)
    moved = reached > 0
    if moved.any():
        cells = np.unique(origins.cell[moved])
        delta = sign * origins.per_cell(reached)[cells]
        keys = ["food_all_400m"] + (["food_unhealthy_400m"] if group == "unhealthy" else [])
        for key in keys:
            column = values[key].to_numpy(dtype="float64").copy()
            column[cells] = np.maximum(column[cells] + delta, 0.0)
            values[key] = column
        share = values["food_unhealthy_share_400m"].to_numpy(dtype="float64").copy()
        share[cells] = unhealthy_share(
            values["food_unhealthy_400m"].to_numpy(dtype="float64")[cells],
            values["food_all_400m"].to_numpy(dtype="float64")[cells],
        )
        values["food_unhealthy_share_400m"] = share
    pos = _buurt_of(buurten, outlet)
    if pos >= 0:
        area_km2 = float(shapely.area(buurten.geometry.to_numpy()[pos])) / 1e6
        population = (
            float(buurten["population"].iloc[pos]) if "population" in buurten else float("nan")
        )
        for key, scale in ((f"food_{group}_per_1000", 1000.0 / population if population > 0
                            else np.nan), (f"food_{group}_per_km2", 1.0 / area_km2)):  # fmt: skip
            if key in buurt_values:
                now = float(buurt_values[key][pos])
                _set_buurt_value(base, values, buurt_values, key, pos, max(0.0, now + sign * scale))
    notes.append(
        f"'{change.label}': {int(moved.sum())} adressen of celmiddens binnen "
        f"{FOOD_REACH_M:g} m lopen merken het."
    )

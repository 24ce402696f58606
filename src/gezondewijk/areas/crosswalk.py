r"""Carry buurt values from one buurt division to another by area.

Buurt codes and outlines change (Amsterdam renumbered all its buurten in 2022; CBS publishes a
new division every year), while RIVM's health estimates and SES-WOA exist for older years. A
table of an older division is carried over to the run's buurten through the overlap of both
outlines (areal weighting, the "area-weighted interpolation" of Goodchild & Lam 1980; as
``tobler.area_weighted.area_interpolate``). Written here on GeoPandas' overlay so that it can
skip old buurten without a value and report coverage per new buurt.

Notes
-----
With :math:`a_{ij}` the area of old buurt :math:`j` inside new buurt :math:`i`, :math:`A_j`
the area of old buurt :math:`j`, and only old buurten with a known value counted:

- a rate, share or mean (intensive): :math:`v_i = \sum_j a_{ij} v_j / \sum_j a_{ij}`;
- a count (extensive): :math:`v_i = \sum_j (a_{ij}/A_j)\,v_j`.

It assumes each value is spread evenly over its old buurt: a new buurt that takes the
quiet half of an old one gets the old buurt's average. Published 95 % margins are not
carried over (they do not hold for a mixture of buurten).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from gezondewijk.variables import describe, margin_base


@dataclass(frozen=True)
class CarriedOver:
    """A table carried over to new buurten, and how well the old outlines cover them."""

    table: pd.DataFrame
    #: Share (0-1) of each new buurt's area covered by old buurten of the table.
    coverage: pd.Series
    #: Old buurt codes of the table, in the new buurten's gemeenten, that have no outline.
    without_outline: list[str]


def carry_over(table: pd.DataFrame, old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> CarriedOver:
    """Carry the numeric columns of ``table`` (indexed by old code) to the ``new`` buurten.

    Parameters
    ----------
    table
        Values per old area code (other codes, such as gemeenten, are ignored).
    old, new
        Outlines with ``buurtcode`` and geometry in the same projected CRS (RD New).

    Returns
    -------
    CarriedOver
        The table indexed by the new ``buurtcode``; columns whose variable is a count
        (``kind = "extensive"``) are shared by area, all others area-weighted means.
    """
    old = old[old["buurtcode"].isin(table.index)][["buurtcode", "geometry"]]
    old = old.assign(old_area=old.geometry.area)
    pieces = gpd.overlay(
        new[["buurtcode", "geometry"]].rename(columns={"buurtcode": "new"}),
        old,
        how="intersection",
        keep_geom_type=True,
    )
    pieces["a"] = pieces.geometry.area
    pieces = pieces[pieces["a"] > 0]
    new_area = pd.Series(new.geometry.area.to_numpy(), index=new["buurtcode"].to_numpy())
    covered = pieces.groupby("new")["a"].sum().reindex(new_area.index).fillna(0.0)
    columns: dict[str, pd.Series] = {}
    for col in table.columns:
        if margin_base(str(col)) is not None or not pd.api.types.is_numeric_dtype(table[col]):
            continue
        values = table[col].reindex(pieces["buurtcode"].to_numpy()).to_numpy(dtype="float64")
        known = np.isfinite(values)
        part = pieces.loc[known, ["new", "a", "old_area"]].assign(v=values[known])
        if describe(str(col)).kind == "extensive":
            summed = (part["v"] * part["a"] / part["old_area"]).groupby(part["new"]).sum()
        else:
            weight = part["a"].groupby(part["new"]).sum()
            summed = (part["v"] * part["a"]).groupby(part["new"]).sum() / weight
        columns[str(col)] = summed.reindex(new_area.index)
    carried = pd.DataFrame(columns, index=pd.Index(new_area.index, name="code"))
    carried.attrs.update(table.attrs)
    prefixes = tuple({f"BU{str(code)[2:6]}" for code in new["buurtcode"]})
    own = table.index[table.index.str.startswith(prefixes)]
    missing = sorted(set(own) - set(old["buurtcode"]))
    return CarriedOver(carried, covered / new_area, missing)

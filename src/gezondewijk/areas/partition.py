"""Cut a run's buurten into parts that can be laid apart, and join their cells again.

A cell on the border of two parts touches buurten of both. Each part is therefore laid with
a *halo*: every buurt within :data:`HALO_CELLS` cell diameters of its own buurten. The cell is
then kept by one part only, the one that owns the lowest-numbered buurt the cell touches. With
the canonical order of :func:`~gezondewijk.areas.cells.build_cells` the joined cells equal a
run over all buurten at once, cell for cell and piece for piece.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gezondewijk._errors import GridError
from gezondewijk.areas.cells import CellSet, laying_notes
from gezondewijk.areas.grids import Grid

#: Halo width in cell diameters (``2 r``). A cell that touches a part's buurt only touches
#: buurten within one diameter of it, which settles its pieces and address count. Whether it
#: is kept as the largest cell of a buurt without addresses depends on every cell of that
#: buurt, and those touch buurten within one more diameter: two diameters settle both.
HALO_CELLS = 2


def split_buurten(buurten: gpd.GeoDataFrame, parts: int) -> list[np.ndarray]:
    """Positions of the buurten of each part: whole gemeenten, close together, of even area.

    Gemeenten (or, when there are fewer gemeenten than twice ``parts``, single buurten) are
    put in the order of the Hilbert curve through their centres
    (:meth:`geopandas.GeoSeries.hilbert_distance`) and cut into ``parts`` runs of about equal
    area, so a part is compact and its halo small. A gemeente larger than a part's share
    stays whole; there may then be fewer parts.

    Returns
    -------
    list of numpy.ndarray
        Sorted positions in ``buurten``, one array per non-empty part.
    """
    n = len(buurten)
    if parts <= 1 or n < 2:
        return [np.arange(n)]
    area = buurten.geometry.area.to_numpy()
    centre = buurten.geometry.representative_point()
    if "gemeentecode" in buurten and buurten["gemeentecode"].nunique() >= 2 * parts:
        unit = buurten["gemeentecode"].astype(str).to_numpy()
    else:
        unit = buurten["buurtcode"].astype(str).to_numpy()
    names, of_unit = np.unique(unit, return_inverse=True)
    weight = np.bincount(of_unit, weights=area, minlength=len(names))
    ux = np.bincount(of_unit, weights=centre.x.to_numpy() * area) / np.maximum(weight, 1e-9)
    uy = np.bincount(of_unit, weights=centre.y.to_numpy() * area) / np.maximum(weight, 1e-9)
    points = gpd.GeoSeries(shapely.points(ux, uy), crs=buurten.crs)
    order = np.argsort(points.hilbert_distance(total_bounds=buurten.total_bounds), kind="stable")
    before = np.cumsum(weight[order]) - weight[order]
    part_of_unit = np.empty(len(names), dtype=np.int64)
    part_of_unit[order] = np.minimum((before / weight.sum() * parts).astype(np.int64), parts - 1)
    part = part_of_unit[of_unit]
    return [np.flatnonzero(part == k) for k in range(parts) if (part == k).any()]


def with_halo(tree: shapely.STRtree, own: np.ndarray, grid: Grid) -> np.ndarray:
    """Sorted positions of the ``own`` buurten and every buurt in their halo.

    ``tree`` holds all buurten of the run (built once for every part).
    """
    geoms = np.asarray(tree.geometries)
    reach = HALO_CELLS * grid.spacing + 1.0
    _, near = tree.query(geoms[own], predicate="dwithin", distance=reach)
    return np.union1d(own, near)


def owned_cells(cells: CellSet, positions: np.ndarray, own: np.ndarray) -> CellSet:
    """The cells a part keeps, with its pieces' buurten as positions in the whole run.

    Parameters
    ----------
    cells
        Cells laid over one part's buurten and halo.
    positions
        Position in the whole run of each buurt the cells were laid over (sorted).
    own
        Positions (in the whole run) of the part's own buurten.
    """
    buurt = positions[cells.pieces["buurt"].to_numpy()]
    cell = cells.pieces["cell"].to_numpy()
    owner = np.full(len(cells), np.iinfo(np.int64).max)
    np.minimum.at(owner, cell, buurt)
    keep = np.isin(owner, own)
    remap = np.full(len(cells), -1, dtype=np.int64)
    remap[keep] = np.arange(int(keep.sum()))
    sel = keep[cell]
    pieces = cells.pieces[sel].reset_index(drop=True)
    pieces["cell"] = remap[cell[sel]]
    pieces["buurt"] = buurt[sel]
    orphans = positions[cells.buurten_without_addresses]
    return CellSet(
        grid=cells.grid,
        keys=cells.keys[keep],
        x=cells.x[keep],
        y=cells.y[keep],
        pieces=pieces,
        addresses=None if cells.addresses is None else cells.addresses[keep],
        buurten_without_addresses=orphans[np.isin(orphans, own)],
    )


def join_parts(
    grid: Grid, parts: list[CellSet], address_total: int | None
) -> tuple[CellSet, np.ndarray]:
    """The cells of all parts as one set, in the order a single run lays them.

    Parameters
    ----------
    grid
        The grid every part was laid on.
    parts
        Each part's :func:`owned_cells`.
    address_total
        Number of address points of the run (``None`` without an address layer), for the note
        on addresses outside every buurt.

    Returns
    -------
    cells
        The joined cells.
    order
        For each joined cell, its position in the parts' cells one after the other (to put
        values measured per part in the same order).

    Raises
    ------
    GridError
        When two parts kept the same cell (the halo was too narrow).
    """
    keys = np.concatenate([p.keys for p in parts])
    order = np.argsort(keys, kind="stable")
    if len(keys) > 1 and not bool(np.all(np.diff(keys[order]) > 0)):
        raise GridError("two parts of the run kept the same cell; the halo is too narrow.")
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    offsets = np.cumsum([0, *(len(p) for p in parts)])
    pieces = [
        p.pieces.assign(cell=rank[p.pieces["cell"].to_numpy() + o])
        for p, o in zip(parts, offsets, strict=False)
    ]
    joined = pd.concat(pieces, ignore_index=True)
    canon = np.lexsort((joined["buurt"].to_numpy(), joined["cell"].to_numpy()))
    joined = joined.iloc[canon].reset_index(drop=True)
    addresses = None
    notes: list[str] = []
    orphans = np.sort(np.concatenate([p.buurten_without_addresses for p in parts]))
    if address_total is not None:
        addresses = np.concatenate([p.addresses for p in parts if p.addresses is not None])[order]
        dropped = address_total - int(joined["addresses"].sum())
        notes = laying_notes(dropped, 0) + laying_notes(0, len(orphans))
    joined_cells = CellSet(
        grid=grid,
        keys=keys[order],
        x=np.concatenate([p.x for p in parts])[order],
        y=np.concatenate([p.y for p in parts])[order],
        pieces=joined,
        addresses=addresses,
        notes=notes,
        buurten_without_addresses=orphans,
    )
    return joined_cells, order


__all__ = ["HALO_CELLS", "join_parts", "owned_cells", "split_buurten", "with_halo"]

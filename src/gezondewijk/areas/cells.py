"""Cells over buurten and the overlap table that links them.

The overlap table has one row per cell–buurt piece with its area (m²) and, when an address
layer is given, the number of addresses in it. Interpolation and aggregation use only that
table, so they cost O(pieces) whatever the geometry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gezondewijk._errors import GridError
from gezondewijk._parallel import query_pairs
from gezondewijk.areas._clip import convex_outlines, pair_areas, tile_polygons
from gezondewijk.areas._lattice import classify_centres
from gezondewijk.areas.grids import Grid, H3Grid
from gezondewijk.crs import RD_NEW

#: Smallest tile edge (m) buurten with many vertices are cut into (see ``tile_polygons``).
TILE_M = 500.0


@dataclass
class CellSet:
    """Cells and their overlap with buurten.

    Attributes
    ----------
    grid
        The grid the cells belong to.
    keys
        int64 keys of the cells (see :func:`gezondewijk.areas.grids.pack`).
    x, y
        RD New centres of the cells.
    pieces
        Overlap table with columns ``cell`` (position in ``keys``), ``buurt`` (position in the
        buurten frame), ``area`` (m²) and ``addresses`` (count, 0 without an address layer).
    addresses
        Addresses per cell, or ``None`` without an address layer.
    notes
        What the user should know about how the cells were laid (in Dutch).
    buurten_without_addresses
        Positions of buurten that have no address in any cell; each keeps its largest cell so
        that its inhabitants are not lost.
    """

    grid: Grid
    keys: np.ndarray
    x: np.ndarray
    y: np.ndarray
    pieces: pd.DataFrame
    addresses: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    buurten_without_addresses: np.ndarray = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def covered_area(self) -> np.ndarray:
        """Area of each cell that lies in some buurt (m²)."""
        return np.bincount(self.pieces["cell"], weights=self.pieces["area"], minlength=len(self))

    def ids(self) -> np.ndarray:
        """Readable string ids of the cells."""
        return self.grid.labels(self.keys)

    def main_buurt(self) -> np.ndarray:
        """Position of the buurt with the largest share of each cell (by addresses, then area)."""
        cell = self.pieces["cell"].to_numpy()
        order = np.lexsort(
            (-self.pieces["area"].to_numpy(), -self.pieces["addresses"].to_numpy(), cell)
        )
        first = order[np.r_[True, cell[order][1:] != cell[order][:-1]]] if len(order) else order
        out = np.full(len(self), -1, dtype=np.int64)
        out[cell[first]] = self.pieces["buurt"].to_numpy()[first]
        return out

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """Cells as polygons with ``cel_id``, ``x``, ``y`` and covered area."""
        frame = gpd.GeoDataFrame(
            {
                "cel_id": self.ids(),
                "x": self.x,
                "y": self.y,
                "oppervlakte_m2": self.covered_area,
            },
            geometry=self.grid.polygons(self.keys),
            crs=RD_NEW,
        )
        if self.addresses is not None:
            frame["adressen"] = self.addresses
        return frame


def _settle_centres(
    geoms: np.ndarray,
    tree: shapely.STRtree,
    cx: np.ndarray,
    cy: np.ndarray,
    radius: float,
    centre_buurt: np.ndarray,
    flagged: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cells wholly inside one buurt, and the (cell, buurt) pairs to clip exactly.

    Only the centres the raster could not settle (``flagged``) are asked of GEOS: a centre
    further than ``radius`` from every buurt boundary lies inside the buurt containing it.

    Returns
    -------
    tuple
        Inner cells and their buurt (by cell), then the boundary pairs' cells and buurten.
    """
    sure = np.flatnonzero(centre_buurt >= 0)
    check = np.flatnonzero(flagged)
    points = shapely.points(cx[check], cy[check])
    p_idx, b_idx = query_pairs(tree, points, predicate="intersects")
    check_buurt = np.full(len(check), -1, dtype=np.int64)
    np.maximum.at(check_buurt, p_idx, b_idx)  # a centre on a shared edge: the later buurt
    btree = shapely.STRtree(shapely.boundary(geoms))
    near_idx, near_buurt = query_pairs(btree, points, predicate="dwithin", distance=radius)
    del points
    is_boundary = np.zeros(len(check), dtype=bool)
    is_boundary[near_idx] = True
    interior = (~is_boundary) & (check_buurt >= 0)
    inner = np.concatenate([sure, check[interior]])
    inner_buurt = np.concatenate([centre_buurt[sure], check_buurt[interior]])
    order = np.argsort(inner, kind="stable")
    inner, inner_buurt = inner[order], inner_buurt[order]

    extra = np.flatnonzero(is_boundary & (check_buurt >= 0))
    pairs = np.unique(
        check[np.concatenate([near_idx, extra])] * len(geoms)
        + np.concatenate([near_buurt, check_buurt[extra]])
    )
    pc, pb = pairs // len(geoms), pairs % len(geoms)
    return inner, inner_buurt, pc, pb


def build_cells(
    buurten: gpd.GeoDataFrame,
    grid: Grid,
    *,
    address_points: np.ndarray | None = None,
) -> CellSet:
    """Lay a grid over buurten and compute every cell–buurt overlap.

    Parameters
    ----------
    buurten
        Buurt polygons in RD New (as from :func:`gezondewijk.sources.read_buurten`).
    grid
        The grid to lay.
    address_points
        Optional ``(n, 2)`` array of RD New address (or population) points. When given, only
        cells holding at least one address are kept ("where people live") and every piece gets
        its address count for population-weighted interpolation.

    Returns
    -------
    CellSet
        Without addresses: every cell that touches a buurt.

    Notes
    -----
    A cell whose centre lies further than the cell radius from every buurt boundary lies
    wholly inside the buurt that contains its centre. Those cells are found for the whole
    lattice at once on a raster (:func:`gezondewijk.areas._lattice.classify_centres`); only
    the other ("boundary") cells are intersected exactly with the buurten they meet, by
    vectorised convex clipping (:mod:`gezondewijk.areas._clip`). The overlap areas are exact,
    at a fraction of the cost of a polygon overlay.
    """
    if buurten.crs is None or buurten.crs.to_epsg() != 28992:
        raise GridError("buurten must be in RD New (EPSG:28992); use read_buurten().")
    geoms = buurten.geometry.to_numpy()
    if len(geoms) == 0:
        raise GridError("there are no buurten to lay a grid over.")
    bounds = tuple(float(v) for v in shapely.total_bounds(geoms))
    keys = grid.keys_in_bounds(bounds)  # type: ignore[arg-type]
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        keys = np.unique(keys)  # H3: one canonical order, whatever part of the map is laid
    cx, cy = grid.centres(keys)
    centre_buurt, flagged = classify_centres(geoms, cx, cy, grid.radius)

    tree = shapely.STRtree(geoms)
    inner, inner_buurt, pc, pb = _settle_centres(
        geoms, tree, cx, cy, grid.radius, centre_buurt, flagged
    )
    areas = _boundary_areas(grid, keys, pc, pb, geoms)
    keep = areas > 1e-6

    inner_area = (
        shapely.area(grid.polygons(keys[inner]))
        if isinstance(grid, H3Grid)
        else np.full(len(inner), grid.cell_area)
    )
    piece_cell = np.concatenate([inner, pc[keep]])
    piece_buurt = np.concatenate([inner_buurt, pb[keep]])
    piece_area = np.concatenate([inner_area, areas[keep]])

    notes: list[str] = []
    piece_addr = np.zeros(len(piece_cell), dtype=np.int64)
    cell_addr: np.ndarray | None = None
    if address_points is not None:
        piece_addr, dropped = _count_addresses(
            grid, keys, tree, piece_cell, piece_buurt, len(geoms), address_points
        )
        notes += laying_notes(dropped, 0)
        cell_addr = np.bincount(piece_cell, weights=piece_addr, minlength=len(keys))
        cell_addr = cell_addr.astype(np.int64)

    has_piece = np.zeros(len(keys), dtype=bool)
    has_piece[piece_cell] = True
    used = np.flatnonzero(has_piece)
    orphans = np.zeros(0, dtype=np.int64)
    if cell_addr is not None:
        used, orphans = _cells_where_people_live(piece_cell, piece_buurt, piece_area, cell_addr)
        notes += laying_notes(0, len(orphans))
    remap = np.full(len(keys), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    sel = remap[piece_cell] >= 0
    # one canonical order (by cell, then buurt): sums over pieces then come out the same to
    # the last bit however the buurten were split up (see gezondewijk.run.cluster)
    cell_of, buurt_of = remap[piece_cell[sel]], piece_buurt[sel]
    order = np.lexsort((buurt_of, cell_of))
    pieces = pd.DataFrame(
        {
            "cell": cell_of[order],
            "buurt": buurt_of[order],
            "area": piece_area[sel][order],
            "addresses": piece_addr[sel][order],
        }
    )
    return CellSet(
        grid=grid,
        keys=keys[used],
        x=cx[used],
        y=cy[used],
        pieces=pieces,
        addresses=None if cell_addr is None else cell_addr[used],
        notes=notes,
        buurten_without_addresses=orphans,
    )


def laying_notes(dropped: int, orphans: int) -> list[str]:
    """What a user should know about addresses outside the buurten and address-less buurten."""
    notes = []
    if dropped:
        notes.append(f"{dropped} adressen liggen buiten de buurten en tellen niet mee.")
    if orphans:
        notes.append(
            f"{orphans} buurt(en) zonder adressen in de cellen houden hun inwoners op "
            "hun grootste cel (totalen blijven gelijk)."
        )
    return notes


def _cells_where_people_live(
    piece_cell: np.ndarray, piece_buurt: np.ndarray, piece_area: np.ndarray, cell_addr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cells with an address, plus the largest cell of each buurt that has none.

    Keeping only addressed cells would drop a buurt whose addresses are missing (or that has
    none) together with its inhabitants; its largest piece's cell is kept instead, so that
    every count is preserved.
    """
    addressed = cell_addr[piece_cell] > 0
    present = np.unique(piece_buurt)
    covered = np.unique(piece_buurt[addressed])
    orphans = np.setdiff1d(present, covered)
    used = np.unique(piece_cell[addressed])
    if len(orphans):
        mine = np.isin(piece_buurt, orphans)
        order = np.lexsort((-piece_area[mine], piece_buurt[mine]))
        buurt_sorted = piece_buurt[mine][order]
        first = np.r_[True, buurt_sorted[1:] != buurt_sorted[:-1]]
        used = np.union1d(used, piece_cell[mine][order][first])
    return used, orphans


def _boundary_areas(
    grid: Grid, keys: np.ndarray, pc: np.ndarray, pb: np.ndarray, geoms: np.ndarray
) -> np.ndarray:
    """Exact area of cell ``keys[pc[i]]`` ∩ buurt ``geoms[pb[i]]`` for every boundary pair."""
    if len(pc) == 0:
        return np.zeros(0)
    cells_used, cell_pos = np.unique(pc, return_inverse=True)
    polys = grid.polygons(keys[cells_used])
    try:
        outlines = convex_outlines(polys)
    except ValueError:  # irregular cells (H3 near a pentagon): let GEOS do it
        return np.asarray(shapely.area(shapely.intersection(polys[cell_pos], geoms[pb])))
    pieces, parent = tile_polygons(geoms, tile=max(TILE_M, 5 * grid.radius))
    if len(pieces) == len(geoms):
        return pair_areas(geoms, pb, outlines[cell_pos])
    # large buurten were cut into tiles: clip against every tile of the pair's buurt
    ptree = shapely.STRtree(pieces)
    pair_idx, piece_idx = ptree.query(polys[cell_pos])
    same = parent[piece_idx] == pb[pair_idx]
    pair_idx, piece_idx = pair_idx[same], piece_idx[same]
    order = np.lexsort((piece_idx, pair_idx))  # add up the tiles of a pair in a fixed order
    pair_idx, piece_idx = pair_idx[order], piece_idx[order]
    part = pair_areas(pieces, piece_idx, outlines[cell_pos][pair_idx])
    return np.bincount(pair_idx, weights=part, minlength=len(pc))


def _count_addresses(
    grid: Grid,
    keys: np.ndarray,
    tree: shapely.STRtree,
    piece_cell: np.ndarray,
    piece_buurt: np.ndarray,
    n_buurten: int,
    address_points: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Addresses per cell–buurt piece, and how many addresses fell outside every piece."""
    pts = np.asarray(address_points, dtype="float64").reshape(-1, 2)
    akeys = grid.locate(pts[:, 0], pts[:, 1])
    a_pos = key_positions(keys, akeys)
    a_idx, a_b = tree.query(shapely.points(pts[:, 0], pts[:, 1]), predicate="intersects")
    a_buurt = np.full(len(pts), -1, dtype=np.int64)
    np.maximum.at(a_buurt, a_idx, a_b)  # an address on a shared edge: the later buurt
    ok = (a_pos < len(keys)) & (a_buurt >= 0)
    piece_key = piece_cell * n_buurten + piece_buurt
    uniq, counts = np.unique(a_pos[ok] * n_buurten + a_buurt[ok], return_counts=True)
    order = np.argsort(piece_key)
    found = np.minimum(np.searchsorted(piece_key[order], uniq), len(order) - 1)
    valid = piece_key[order][found] == uniq
    piece_addr = np.zeros(len(piece_cell), dtype=np.int64)
    piece_addr[order[found[valid]]] = counts[valid]
    dropped = len(pts) - int(counts[valid].sum())
    return piece_addr, dropped


def key_positions(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each wanted key in ``keys``, or ``len(keys)`` where absent."""
    order = np.argsort(keys)
    pos = np.minimum(np.searchsorted(keys[order], wanted), len(keys) - 1)
    return np.where(keys[order][pos] == wanted, order[pos], len(keys))

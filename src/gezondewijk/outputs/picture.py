"""A static PNG of the stacked score per cell, for reports and a quick look."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from gezondewijk.areas.cells import key_positions
from gezondewijk.areas.grids import Grid, H3Grid
from gezondewijk.outputs.metadata import provenance
from gezondewijk.palette import score_palette
from gezondewijk.run.result import MapResult


def score_colours(n: int) -> tuple[ListedColormap, BoundaryNorm]:
    """Colour map and norm for scores 0..n (light = little to gain, dark = much)."""
    cmap = ListedColormap(score_palette(n))
    return cmap, BoundaryNorm([i - 0.5 for i in range(n + 2)], cmap.N)


#: Pixels along the longer side of the map image.
IMAGE_PIXELS = 1200


class ScoreImage:
    """The score per cell as an image: each pixel takes the score of the cell holding its centre.

    Parameters
    ----------
    grid
        The run's grid (hexagons or squares).
    buurten_bounds, cell_bounds
        ``(minx, miny, maxx, maxy)`` of the buurten and of the cell centres (RD New).
    pixels
        Pixels along the longer side.

    Notes
    -----
    Locating a million pixel centres on the grid costs a fraction of a second, where drawing
    a million cell polygons costs minutes; at the printed size a cell smaller than a pixel
    could not be seen anyway. A run in parts burns its cells in one part at a time
    (:meth:`add`).
    """

    def __init__(
        self,
        grid: Grid,
        buurten_bounds: tuple[float, float, float, float],
        cell_bounds: tuple[float, float, float, float],
        pixels: int = IMAGE_PIXELS,
    ) -> None:
        r = grid.radius
        bx0, by0, bx1, by1 = buurten_bounds
        # cells along the edge stick out of the buurten: show them whole
        minx, maxx = min(bx0, cell_bounds[0] - r), max(bx1, cell_bounds[2] + r)
        miny, maxy = min(by0, cell_bounds[1] - r), max(by1, cell_bounds[3] + r)
        size = max(maxx - minx, maxy - miny) / pixels
        self.cols = max(1, int(np.ceil((maxx - minx) / size)))
        self.rows = max(1, int(np.ceil((maxy - miny) / size)))
        px = minx + (np.arange(self.cols) + 0.5) * size
        py = maxy - (np.arange(self.rows) + 0.5) * size
        gx, gy = np.meshgrid(px, py)
        self.keys = grid.locate(gx.ravel(), gy.ravel())
        self.values = np.full(len(self.keys), np.nan)
        self.extent = (minx, minx + self.cols * size, maxy - self.rows * size, maxy)

    def add(self, keys: np.ndarray, scores: np.ndarray) -> None:
        """Burn in the scores of some cells (all of them, or one part)."""
        if len(keys) == 0:
            return
        pos = key_positions(keys, self.keys)
        found = pos < len(keys)
        self.values[found] = np.asarray(scores, dtype="float64")[pos[found]]

    def image(self) -> np.ma.MaskedArray:
        """The masked image, rows from the top."""
        return np.ma.masked_invalid(self.values.reshape(self.rows, self.cols))


def score_image(
    result: MapResult, pixels: int = IMAGE_PIXELS
) -> tuple[np.ma.MaskedArray, tuple[float, float, float, float]]:
    """The score per cell of a run as an image (see :class:`ScoreImage`).

    Returns the masked image (rows from the top) and its extent ``(left, right, bottom,
    top)`` in RD New.
    """
    cells = result.cells
    b = [float(v) for v in result.buurten.total_bounds]
    burner = ScoreImage(
        cells.grid,
        (b[0], b[1], b[2], b[3]),
        (float(cells.x.min()), float(cells.y.min()), float(cells.x.max()), float(cells.y.max())),
        pixels,
    )
    burner.add(cells.keys, result.cell_values["score"].to_numpy(dtype="float64"))
    return burner.image(), burner.extent


def write_png_map(
    result: MapResult,
    path: Path,
    *,
    max_polygons: int = 20_000,
    burnt: ScoreImage | None = None,
) -> Path:
    """Draw the score per cell with buurt outlines.

    Cells of hexagonal and square grids are drawn as an image (:func:`score_image`, or
    ``burnt`` where a run in parts burnt its cells in part by part); H3 cells, whose lookup
    is slow, are drawn as polygons up to ``max_polygons``, else per buurt.
    """
    n = len(result.preset.indicators)
    cmap, norm = score_colours(n)
    fig = Figure(figsize=(9, 9), dpi=110)
    ax = fig.subplots()
    if burnt is not None:
        ax.imshow(burnt.image(), cmap=cmap, norm=norm, extent=burnt.extent, interpolation="nearest")
    elif result.cells_in_parts is not None or (
        isinstance(result.cells.grid, H3Grid) and len(result.cells) > max_polygons
    ):
        result.buurten.plot(column="score", cmap=cmap, norm=norm, ax=ax, linewidth=0)
    elif not isinstance(result.cells.grid, H3Grid):
        image, extent = score_image(result)
        ax.imshow(image, cmap=cmap, norm=norm, extent=extent, interpolation="nearest")
    else:
        result.cells_frame().plot(column="score", cmap=cmap, norm=norm, ax=ax, linewidth=0)
    # thin outlines where there are many buurten, so that the cells stay visible
    width = 0.3 if len(result.buurten) <= 2_000 else 0.05
    result.buurten.boundary.plot(ax=ax, color="#333", linewidth=width)
    sm = ScalarMappable(cmap=cmap, norm=norm)
    cbar = fig.colorbar(sm, ax=ax, shrink=0.6, ticks=range(n + 1))
    cbar.set_label(f"score ({result.preset.name}): aantal indicatoren 'aan'")
    ax.set_title(f"Gezondheidskaart {result.name}")
    ax.set_axis_off()
    fig.text(0.01, 0.01, provenance(result), fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    return path

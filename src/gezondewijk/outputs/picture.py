"""A static PNG of the stacked score per cell, for reports and a quick look."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from gezondewijk.areas.cells import key_positions
from gezondewijk.areas.grids import H3Grid
from gezondewijk.outputs.metadata import provenance
from gezondewijk.palette import score_palette
from gezondewijk.run.result import MapResult


def score_colours(n: int) -> tuple[ListedColormap, BoundaryNorm]:
    """Colour map and norm for scores 0..n (light = little to gain, dark = much)."""
    cmap = ListedColormap(score_palette(n))
    return cmap, BoundaryNorm([i - 0.5 for i in range(n + 2)], cmap.N)


#: Pixels along the longer side of the map image.
IMAGE_PIXELS = 1200


def score_image(
    result: MapResult, pixels: int = IMAGE_PIXELS
) -> tuple[np.ma.MaskedArray, tuple[float, float, float, float]]:
    """The score per cell as an image: each pixel takes the score of the cell holding its centre.

    Returns the masked image (rows from the top) and its extent ``(left, right, bottom, top)``
    in RD New. Locating a million pixel centres on the grid costs a fraction of a second,
    where drawing a million cell polygons costs minutes; at the printed size a cell smaller
    than a pixel could not be seen anyway.
    """
    cells, r = result.cells, result.cells.grid.radius
    bx0, by0, bx1, by1 = (float(v) for v in result.buurten.total_bounds)
    # cells along the edge stick out of the buurten: show them whole
    minx, maxx = min(bx0, float(cells.x.min()) - r), max(bx1, float(cells.x.max()) + r)
    miny, maxy = min(by0, float(cells.y.min()) - r), max(by1, float(cells.y.max()) + r)
    size = max(maxx - minx, maxy - miny) / pixels
    cols = max(1, int(np.ceil((maxx - minx) / size)))
    rows = max(1, int(np.ceil((maxy - miny) / size)))
    px = minx + (np.arange(cols) + 0.5) * size
    py = maxy - (np.arange(rows) + 0.5) * size
    gx, gy = np.meshgrid(px, py)
    keys = result.cells.grid.locate(gx.ravel(), gy.ravel())
    pos = key_positions(result.cells.keys, keys)
    found = pos < len(result.cells)
    scores = result.cell_values["score"].to_numpy(dtype="float64")
    image = np.full(len(keys), np.nan)
    image[found] = scores[pos[found]]
    masked = np.ma.masked_invalid(image.reshape(rows, cols))
    return masked, (minx, minx + cols * size, maxy - rows * size, maxy)


def write_png_map(result: MapResult, path: Path, *, max_polygons: int = 20_000) -> Path:
    """Draw the score per cell with buurt outlines.

    Cells of hexagonal and square grids are drawn as an image (:func:`score_image`); H3
    cells, whose lookup is slow, are drawn as polygons up to ``max_polygons``, else per buurt.
    """
    n = len(result.preset.indicators)
    cmap, norm = score_colours(n)
    fig = Figure(figsize=(9, 9), dpi=110)
    ax = fig.subplots()
    if not isinstance(result.cells.grid, H3Grid):
        image, extent = score_image(result)
        ax.imshow(image, cmap=cmap, norm=norm, extent=extent, interpolation="nearest")
    elif len(result.cells) <= max_polygons:
        result.cells_frame().plot(column="score", cmap=cmap, norm=norm, ax=ax, linewidth=0)
    else:
        result.buurten.plot(column="score", cmap=cmap, norm=norm, ax=ax, linewidth=0)
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

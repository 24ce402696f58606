"""A static PNG of the stacked score per cell, for reports and a quick look."""

from __future__ import annotations

from pathlib import Path

from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from gezondewijk.outputs.metadata import provenance
from gezondewijk.palette import score_palette
from gezondewijk.run.result import MapResult


def score_colours(n: int) -> tuple[ListedColormap, BoundaryNorm]:
    """Colour map and norm for scores 0..n (light = little to gain, dark = much)."""
    cmap = ListedColormap(score_palette(n))
    return cmap, BoundaryNorm([i - 0.5 for i in range(n + 2)], cmap.N)


def write_png_map(result: MapResult, path: Path, *, max_cells: int = 400_000) -> Path:
    """Draw the score per cell (or per buurt for very many cells) with buurt outlines."""
    n = len(result.preset.indicators)
    cmap, norm = score_colours(n)
    fig = Figure(figsize=(9, 9), dpi=110)
    ax = fig.subplots()
    frame = result.cells_frame() if len(result.cells) <= max_cells else result.buurten
    frame.plot(column="score", cmap=cmap, norm=norm, ax=ax, linewidth=0)
    result.buurten.boundary.plot(ax=ax, color="#333", linewidth=0.3)
    sm = ScalarMappable(cmap=cmap, norm=norm)
    cbar = fig.colorbar(sm, ax=ax, shrink=0.6, ticks=range(n + 1))
    cbar.set_label(f"score ({result.preset.name}): aantal indicatoren 'aan'")
    ax.set_title(f"Gezondheidskaart {result.name}")
    ax.set_axis_off()
    fig.text(0.01, 0.01, provenance(result), fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    return path

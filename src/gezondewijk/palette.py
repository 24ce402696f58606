"""The colours of the stacked score, the same on every map (web viewer, PNGs, fact sheets).

Viridis (van der Walt & Smith, matplotlib 1.5): sequential, perceptually uniform, readable in
grey and by people with the common colour-vision deficiencies (deuteranopia, protanopia,
tritanopia). It runs from light yellow (score 0: little to gain) to dark purple (every
indicator 'on'), sampled in as many distinct steps as there are scores. The earlier purple
ramp made scores 6–8 nearly identical.
"""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.colors import to_hex


def score_palette(max_score: int) -> list[str]:
    """``max_score + 1`` colours for scores ``0 … max_score``, light to dark."""
    cmap = colormaps["viridis_r"]
    n = max(max_score, 1)
    return [to_hex(cmap(i / n)) for i in range(max_score + 1)]

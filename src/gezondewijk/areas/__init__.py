"""Areas: buurten and grids of cells (flat hexagons in RD New, 1 km squares, H3).

Cells are built over the buurten and linked to them by an overlap table (area and, where an
address layer is given, addresses in each cell–buurt piece). Everything downstream (areal
interpolation, aggregation back to buurten) works on that table.
"""

from gezondewijk.areas.cells import CellSet, build_cells
from gezondewijk.areas.grids import Grid, H3Grid, HexGrid, SquareGrid, make_grid

__all__ = ["CellSet", "Grid", "H3Grid", "HexGrid", "SquareGrid", "build_cells", "make_grid"]

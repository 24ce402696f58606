"""The cells layer of a run's GeoPackage, written in a process of its own.

Usage: ``python -m gezondewijk.outputs.gpkg_worker CELLS.arrow OUT.gpkg``, where the Arrow
IPC file holds the table of :func:`gezondewijk.outputs.columnar.cells_table`.
:func:`gezondewijk.outputs.write_all` starts it for large runs, so that GDAL's GeoPackage
writer (which holds the GIL) runs on a second core while the other outputs are written. It
imports only pyarrow and pyogrio, so that it starts in a fraction of a second.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyogrio


def write_cells_geopackage(cells: pa.Table, path: Path) -> Path:
    """Start a GeoPackage at ``path`` with the ``cellen`` layer.

    Through GDAL's Arrow path: WKB column ``geometry``, categorical columns as they are
    (GDAL decodes Arrow dictionaries to text itself), one transaction, a spatial index.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    pyogrio.write_arrow(
        cells,
        path,
        layer="cellen",
        driver="GPKG",
        geometry_name="geometry",
        geometry_type="Polygon",
        crs="EPSG:28992",
    )
    return path


def main(argv: list[str]) -> int:
    """Write the layer; the exit status and the last line of stderr tell the parent."""
    handover, path = Path(argv[0]), Path(argv[1])
    with pa.memory_map(str(handover), "r") as source:
        cells = pa.ipc.open_file(source).read_all()
    write_cells_geopackage(cells, path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

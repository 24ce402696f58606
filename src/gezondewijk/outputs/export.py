"""GeoPackage (QGIS), GeoParquet and CSV writers."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from gezondewijk.outputs.metadata import (
    about_table,
    provenance,
    references_table,
    sources_table,
    thresholds_table,
    variables_table,
)
from gezondewijk.run.result import MapResult
from gezondewijk.spreadsheet_safety import neutralise


def _labelled(frame: gpd.GeoDataFrame, result: MapResult) -> gpd.GeoDataFrame:
    out = frame.copy()
    out["herkomst"] = provenance(result)
    for col in out.columns:
        if out[col].dtype == object and col != "geometry":
            out[col] = out[col].astype("string")
    return out


def _tables(result: MapResult) -> list[tuple[str, pd.DataFrame]]:
    """Return the attribute-only tables every output carries."""
    tables = [
        ("indicatoren", variables_table(result)),
        ("drempels", thresholds_table(result)),
        ("over", about_table(result)),
        ("bronnen", sources_table(result)),
    ]
    tables.append(("referenties", references_table(result)))
    if result.inequality is not None:
        tables.append(("ongelijkheid", result.inequality.assign(herkomst=provenance(result))))
    if result.walk_comparison is not None:
        tables.append(("netwerk_vs_hemelsbreed", result.walk_comparison))
    return tables


def write_geopackage(result: MapResult, path: Path) -> Path:
    """Write one layer per level (``buurten``, ``cellen``) plus metadata tables to a GeoPackage.

    The metadata tables (``indicatoren``, ``drempels``, ``over``) are attribute-only layers
    that QGIS lists next to the maps.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    _labelled(result.buurten, result).to_file(
        path, layer="buurten", driver="GPKG", engine="pyogrio"
    )
    _labelled(result.cells_frame(), result).to_file(
        path, layer="cellen", driver="GPKG", engine="pyogrio"
    )
    for name, table in _tables(result):
        pyogrio.write_dataframe(
            table.astype({c: "string" for c in table.columns if table[c].dtype == object}),
            path,
            layer=name,
            driver="GPKG",
        )
    return path


def write_geoparquet(result: MapResult, folder: Path) -> list[Path]:
    """Write ``buurten.parquet`` and ``cellen.parquet`` with provenance in the file metadata."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = json.dumps(
        {
            "herkomst": provenance(result),
            "preset": result.preset.name,
            "indicatoren": variables_table(result).to_dict(orient="records"),
        },
        ensure_ascii=False,
        default=str,
    )
    out = []
    for name, frame in (("buurten", result.buurten), ("cellen", result.cells_frame())):
        p = folder / f"{name}.parquet"
        labelled = _labelled(frame, result)
        labelled.attrs = {}
        labelled.to_parquet(p, index=False)
        import pyarrow.parquet as pq

        table = pq.read_table(p)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), b"gezondewijk": meta.encode()}
        )
        pq.write_table(table, p)
        out.append(p)
    return out


def write_csv(result: MapResult, folder: Path) -> list[Path]:
    """Write ``buurten.csv``, ``cellen.csv`` (x/y in RD New, no geometry) and metadata CSVs.

    Text cells are neutralised against formula injection (names come from input files).
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in (("buurten", result.buurten), ("cellen", result.cells_frame())):
        p = folder / f"{name}.csv"
        neutralise(pd.DataFrame(_labelled(frame, result).drop(columns="geometry"))).to_csv(
            p, index=False
        )
        paths.append(p)
    for name, table in _tables(result):
        p = folder / f"{name}.csv"
        neutralise(table).to_csv(p, index=False)
        paths.append(p)
    return paths


def write_all(
    result: MapResult, folder: Path, *, html: bool = True, max_map_cells: int = 60_000
) -> dict[str, list[Path]]:
    """Write every output of a run into ``folder`` and return the paths by kind."""
    from gezondewijk.outputs.htmlmap import write_html_map
    from gezondewijk.outputs.picture import write_png_map

    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {
        "geopackage": [write_geopackage(result, folder / "gezondewijk.gpkg")],
        "geoparquet": write_geoparquet(result, folder),
        "csv": write_csv(result, folder),
        "png": [write_png_map(result, folder / "kaart.png")],
    }
    if html:
        written["html"] = [write_html_map(result, folder / "kaart.html", max_cells=max_map_cells)]
    return written

"""A self-contained, offline HTML map (Leaflet, bundled at build time; no CDN, no tiles)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Environment, PackageLoader, select_autoescape

from gezondewijk._errors import AssetMissingError
from gezondewijk.crs import WGS84
from gezondewijk.number_format import dutch_number
from gezondewijk.outputs.metadata import provenance, thresholds_table
from gezondewijk.run.result import MapResult
from gezondewijk.variables import describe

_URL = re.compile(r"url\([^)]*\)")


def vendor_asset(name: str) -> str:
    """Text of a bundled front-end asset (copied from npm by ``make assets``).

    Raises
    ------
    AssetMissingError
        When the asset was not built, naming the command that builds it.
    """
    res = resources.files("gezondewijk.outputs") / "vendor" / name
    if not res.is_file():
        raise AssetMissingError(
            f"front-end asset '{name}' is missing; run 'make assets' (it installs Leaflet from "
            "npm into src/gezondewijk/outputs/vendor/)."
        )
    return res.read_text(encoding="utf-8")


def _features(
    frame: gpd.GeoDataFrame, columns: list[str], id_col: str, name_col: str | None
) -> dict[str, object]:
    """GeoJSON of ``frame`` in WGS84: coordinates to 6 decimals, numbers to 3, NaN as null.

    Column by column (vectorised), not row by row: a national run has 13,000 buurten and a
    city 60,000 cells.
    """
    wgs = frame.geometry.to_crs(WGS84).to_numpy()
    rounded = shapely.transform(wgs, lambda xy: np.round(xy, 6))
    geometries = json.loads("[" + ",".join(shapely.to_geojson(rounded)) + "]")
    # plain object arrays, not a DataFrame: pandas would turn None into NaN in text columns
    props: dict[str, np.ndarray] = {"id": frame[id_col].astype(str).to_numpy(dtype=object)}
    if name_col:
        props["naam"] = frame[name_col].astype(str).to_numpy(dtype=object)
    for col in columns:
        values = frame[col]
        missing = values.isna().to_numpy()
        if pd.api.types.is_float_dtype(values):
            # Python's round() is correctly rounded; NumPy's scaled rounding can differ in
            # the last digit
            out = np.array(
                [round(v, 3) for v in values.to_numpy(dtype="float64").tolist()], dtype=object
            )
        elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
            out = np.nan_to_num(values.astype("float64").to_numpy()).astype(np.int64).astype(object)
        else:
            out = values.astype(str).to_numpy(dtype=object)
        out[missing] = None
        props[col] = out
    keys = list(props)
    records = [dict(zip(keys, row, strict=True)) for row in zip(*props.values(), strict=True)]
    feats = [
        {"type": "Feature", "geometry": geometry, "properties": record}
        for geometry, record in zip(geometries, records, strict=True)
    ]
    return {"type": "FeatureCollection", "features": feats}


def write_html_map(result: MapResult, path: Path, *, max_cells: int = 60_000) -> Path:
    """Write an interactive map: score and every indicator as layers, buurten and cells.

    Parameters
    ----------
    result
        A pipeline result.
    path
        The ``.html`` file to write; it embeds Leaflet, the data and the styles, and loads
        nothing from any other host.
    max_cells
        Above this many cells only the buurten are drawn (the page would become too heavy);
        the cells stay in the GeoPackage and GeoParquet outputs.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    preset = result.preset
    ind_cols = []
    for ind in preset.indicators:
        ind_cols += [
            f"{ind.key}_waarde",
            f"{ind.key}_aan",
            f"{ind.key}_status",
            f"{ind.key}_variabele",
        ]
    cols = ["score", "n_beschikbaar", *ind_cols]
    levels: dict[str, object] = {
        "buurten": _features(result.buurten, cols, "buurtcode", "buurtnaam")
    }
    cells_drawn = result.cells_in_parts is None and len(result.cells) <= max_cells
    if cells_drawn:
        cells = result.cells_frame()
        levels["cellen"] = _features(cells, [*cols, "buurtcode"], "cel_id", None)
    thresholds = thresholds_table(result)
    layers = []
    for ind in preset.indicators:
        parts = thresholds[thresholds["indicator"] == ind.key]
        layers.append(
            {
                "key": ind.key,
                "label": ind.label,
                "label_en": ind.label_en,
                "domain": ind.domain,
                "rules": [
                    {
                        "variable": row.variabele,
                        "label": describe(row.variabele).label,
                        "unit": describe(row.variabele).unit,
                        "rule": row.regel,
                        "threshold": None if pd.isna(row.drempel) else float(row.drempel),
                        "share": None if pd.isna(row.aandeel) else float(row.aandeel),
                        "source": row.bron_drempel,
                        "substitute": bool(row.vervanger),
                        "available": row.variabele in result.variables,
                    }
                    for row in parts.itertuples()
                ],
            }
        )
    variables = {k: v.as_dict() for k, v in result.variables.items()}
    for key in [*preset.variables, *(v for p in result.extra_presets for v in p.variables)]:
        variables.setdefault(key, describe(key).as_dict())  # labels of parts without data
    env = Environment(
        loader=PackageLoader("gezondewijk.outputs", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    css = _URL.sub("none", vendor_asset("leaflet.css"))
    html = env.get_template("map.html.j2").render(
        title=f"Gezondheidskaart {result.name}",
        name=result.name,
        preset=preset,
        provenance=provenance(result),
        synthetic=result.synthetic,
        cells_drawn=cells_drawn,
        n_cells=dutch_number(result.cell_count, 0),
        leaflet_js=vendor_asset("leaflet.js"),
        leaflet_css=css,
        data_json=json.dumps(
            {
                "levels": levels,
                "layers": layers,
                "variables": variables,
                "maxScore": len(preset.indicators),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).replace("</", "<\\/"),
        notes=result.notes,
        joins=[str(j) for j in result.joins],
        sources=[source.summary() for source in result.sources],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path

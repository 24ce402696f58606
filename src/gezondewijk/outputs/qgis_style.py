"""QGIS styles inside the run's GeoPackage, so an analyst opens coloured layers, not grey ones.

QGIS reads a layer's styles from the GeoPackage's ``layer_styles`` table: the style as QML in
``styleQML`` (and SLD in ``styleSLD``, for other tools), one row per style and layer, the one
with ``useAsDefault`` applied when the layer is opened; the others are listed under Layer
Properties → Style → Load Style → From database. The table's columns are QGIS's own
(``QgsOgrProviderUtils``, the same as QGIS writes with "Save as default … in database").

Written here, for ``buurten`` and ``cellen``:

- the stacked score (default): a category per score ``0 … n`` in the viewer's colours
  (:func:`gezondewijk.palette.score_palette`), the legend saying "k van n indicatoren";
- per indicator of a threshold-sum preset, per variable of its first option: graduated on the
  variable with the threshold as the middle break (two classes either side, lighter below,
  darker on the side that counts), the threshold's source in the style's description. A
  ``quantile`` rule's threshold is the layer's own cut-off, computed as the scoring does
  (:func:`gezondewijk.scoring.stack.quantile_threshold`); a value exactly on the threshold
  may fall in the class beside the one the score gave it (QGIS's ranges include their upper
  bound), nowhere else.

The QML is written by us rather than by QGIS (QGIS is not a dependency of a run); its shape
follows what QGIS 3.22 writes for a categorized and a graduated renderer. ``make bench``
installs QGIS, and a test loads the layers in it where it is installed.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from gezondewijk.number_format import dutch_number
from gezondewijk.palette import score_palette
from gezondewijk.run.result import MapResult
from gezondewijk.scoring.preset import IndicatorSpec, Part
from gezondewijk.scoring.stack import part_threshold, quantile_key, quantile_threshold
from gezondewijk.variables import Variable, describe

#: Fill colours below and above a threshold: light to dark on the side that counts (ColorBrewer
#: RdBu, 4 classes, colour-blind safe), the side that does not count in light blue.
_BETTER = ("#92c5de", "#d1e5f0")
_WORSE = ("#f4a582", "#ca0020")
_MISSING = "#bdbdbd"
_OUTLINE = "35,35,35,255"
LEVELS = ("buurten", "cellen")


@dataclass(frozen=True)
class LayerStyle:
    """One row of ``layer_styles``."""

    table: str
    name: str
    qml: str
    sld: str
    default: bool
    description: str


@dataclass(frozen=True)
class _Range:
    lower: float
    upper: float
    colour: str
    label: str


def run_styles(result: MapResult) -> list[LayerStyle]:
    """The default score style and the per-indicator styles of both map layers."""
    frames = {"buurten": result.buurten, "cellen": result.cell_values}
    styles: list[LayerStyle] = []
    for level in LEVELS:
        frame = frames[level]
        if "score" in frame:
            styles.append(score_style(level, len(result.preset.indicators), result.preset.title))
        for ind in result.preset.indicators:
            if not ind.options:
                continue
            for part in ind.options[0].parts:
                style = threshold_style(level, ind, part, frame, result)
                if style is not None:
                    styles.append(style)
    return styles


def score_style(level: str, n: int, title: str) -> LayerStyle:
    """Categories 0 … ``n`` of the stacked score in the viewer's colours; no score in grey."""
    colours = score_palette(n)
    categories = [
        (str(k), colours[k], f"{k} van {n} indicatoren boven de drempel") for k in range(n + 1)
    ]
    categories.append(("", _MISSING, "geen score (geen gegevens)"))
    name = "Gestapelde score (standaard)"
    description = (
        f"Gestapelde score 0–{n}: het aantal indicatoren boven hun drempel ({title}); "
        "donkerder = meer gezondheidswinst te halen. Kleuren als in de kaartviewer (viridis)."
    )
    return LayerStyle(
        level,
        name,
        _qml_categorized("score", categories),
        _sld(level, name, [(_sld_equals("score", v), c, lab) for v, c, lab in categories[:-1]]),
        True,
        description,
    )


def threshold_style(
    level: str, ind: IndicatorSpec, part: Part, frame: pd.DataFrame, result: MapResult
) -> LayerStyle | None:
    """Graduated on ``part.variable`` with its threshold as the middle break (None: no data)."""
    if part.variable not in frame:
        return None
    seen = _seen(level, part, frame, result)
    if seen is None:
        return None
    low, high, threshold = seen
    if threshold is None or math.isnan(threshold):
        return None
    variable = result.variables.get(part.variable) or describe(part.variable)
    worse_higher = (part.direction or variable.direction) == "higher_is_worse"
    ranges = _ranges(low, high, threshold, worse_higher, variable)
    several = len(ind.options[0].parts) > 1
    name = f"{ind.label}: {variable.label}" if several else ind.label
    rule = {
        "absolute": "vaste drempel",
        "reference": "relatief (gemiddelde van het gebied)",
        "quantile": f"slechtste {dutch_number(100 * (part.share or 0), 0)} % van de {level}",
    }
    description = (
        f"{ind.label}: {variable.label} ({variable.unit}), {rule.get(part.rule, part.rule)}, "
        f"drempel {_format(threshold, variable)}. Bron van de drempel: {part.source}"
    )
    return LayerStyle(
        level,
        name,
        _qml_graduated(part.variable, ranges),
        _sld(level, name, [(_sld_between(part.variable, r), r.colour, r.label) for r in ranges]),
        False,
        description,
    )


def _seen(
    level: str, part: Part, frame: pd.DataFrame, result: MapResult
) -> tuple[float, float, float | None] | None:
    """The smallest and largest known value of a part's variable, and its threshold.

    The cells of a run in parts are not held: their ranges and quantile thresholds come from
    its summary (:class:`~gezondewijk.run.result.CellSummary`). ``None``: no value known.
    """
    threshold = part_threshold(part, result.references)
    summary = result.cells_in_parts
    if level == "cellen" and summary is not None:
        if part.variable not in summary.ranges:
            return None
        low, high = summary.ranges[part.variable]
        if threshold is None and part.rule == "quantile":
            threshold = summary.thresholds.get(quantile_key(part))
        return low, high, threshold
    values = pd.to_numeric(frame[part.variable], errors="coerce").to_numpy(dtype="float64")
    known = values[~np.isnan(values)]
    if known.size == 0:
        return None
    if threshold is None and part.rule == "quantile":
        threshold = quantile_threshold(part, values)
    return float(known.min()), float(known.max()), threshold


def _ranges(
    low: float, high: float, threshold: float, worse_higher: bool, variable: Variable
) -> list[_Range]:
    """Two classes below the threshold and two above, the threshold the middle break."""
    low, high = min(low, threshold), max(high, threshold)
    below_mid = (low + threshold) / 2
    above_mid = (threshold + high) / 2
    below, above = (_BETTER, _WORSE) if worse_higher else (_WORSE[::-1], _BETTER[::-1])
    bounds = [low, below_mid, threshold, above_mid, high]
    colours = [*below, *above]
    counts = ": telt mee"
    side = ["onder de drempel" + ("" if worse_higher else counts)] * 2 + [
        "boven de drempel" + (counts if worse_higher else "")
    ] * 2
    out = []
    for i in range(4):
        text = f"{_format(bounds[i], variable)} – {_format(bounds[i + 1], variable)}"
        out.append(_Range(bounds[i], bounds[i + 1], colours[i], f"{text} ({side[i]})"))
    return out


def _format(value: float, variable: Variable) -> str:
    """A value with as many decimals as its size carries (three significant digits)."""
    size = abs(value)
    decimals = 0 if size >= 100 or size == 0 else 1 if size >= 10 else 2
    unit = f" {variable.unit}" if variable.unit and variable.unit != "score" else ""
    return f"{dutch_number(value, decimals)}{unit}"


# -- QML ------------------------------------------------------------------------------------------
def _rgba(colour: str) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},255"


def _symbol(name: str, colour: str) -> str:
    options = {
        "color": _rgba(colour),
        "outline_color": _OUTLINE,
        "outline_width": "0.1",
        "outline_width_unit": "MM",
        "outline_style": "solid",
        "style": "solid",
        "joinstyle": "bevel",
    }
    inner = "".join(f'<Option type="QString" name="{k}" value="{v}"/>' for k, v in options.items())
    props = "".join(f'<prop k="{k}" v="{v}"/>' for k, v in options.items())
    return (
        f'<symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        f'<Option type="Map">{inner}</Option>{props}</layer></symbol>'
    )


def _qml(renderer: str) -> str:
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.22.0" styleCategories="Symbology">'
        f"{renderer}<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
        "<layerGeometryType>2</layerGeometryType></qgis>\n"
    )


def _qml_categorized(attribute: str, categories: list[tuple[str, str, str]]) -> str:
    cats = "".join(
        f'<category value={quoteattr(v)} symbol="{i}" label={quoteattr(lab)} render="true"/>'
        for i, (v, _, lab) in enumerate(categories)
    )
    symbols = "".join(_symbol(str(i), c) for i, (_, c, _) in enumerate(categories))
    return _qml(
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attribute)} symbollevels="0" '
        f'enableorderby="0" forceraster="0" referencescale="-1"><categories>{cats}</categories>'
        f"<symbols>{symbols}</symbols></renderer-v2>"
    )


def _qml_graduated(attribute: str, ranges: list[_Range]) -> str:
    rows = "".join(
        f'<range lower="{r.lower:.15f}" upper="{r.upper:.15f}" symbol="{i}" '
        f'label={quoteattr(r.label)} render="true"/>'
        for i, r in enumerate(ranges)
    )
    symbols = "".join(_symbol(str(i), r.colour) for i, r in enumerate(ranges))
    return _qml(
        f'<renderer-v2 type="graduatedSymbol" attr={quoteattr(attribute)} '
        'graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0" '
        f'referencescale="-1"><ranges>{rows}</ranges><symbols>{symbols}</symbols>'
        '<classificationMethod id="Custom"><symmetricMode enabled="0" symmetrypoint="0" '
        'astride="0"/><labelFormat labelprecision="2" trimtrailingzeroes="1" format="%1 - %2"/>'
        "<parameters><Option/></parameters><extraInformation/></classificationMethod>"
        "</renderer-v2>"
    )


# -- SLD ------------------------------------------------------------------------------------------
def _sld_equals(attribute: str, value: str) -> str:
    return (
        f"<ogc:PropertyIsEqualTo><ogc:PropertyName>{escape(attribute)}</ogc:PropertyName>"
        f"<ogc:Literal>{escape(value)}</ogc:Literal></ogc:PropertyIsEqualTo>"
    )


def _sld_between(attribute: str, r: _Range) -> str:
    name = f"<ogc:PropertyName>{escape(attribute)}</ogc:PropertyName>"
    return (
        f"<ogc:And><ogc:PropertyIsGreaterThanOrEqualTo>{name}<ogc:Literal>{r.lower!r}"
        f"</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyIsLessThanOrEqualTo>"
        f"{name}<ogc:Literal>{r.upper!r}</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo></ogc:And>"
    )


def _sld(layer: str, name: str, rules: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<se:Rule><se:Name>{escape(label)}</se:Name><se:Description><se:Title>{escape(label)}"
        f"</se:Title></se:Description><ogc:Filter>{condition}</ogc:Filter><se:PolygonSymbolizer>"
        f'<se:Fill><se:SvgParameter name="fill">{colour}</se:SvgParameter></se:Fill>'
        '<se:Stroke><se:SvgParameter name="stroke">#232323</se:SvgParameter>'
        '<se:SvgParameter name="stroke-width">0.25</se:SvgParameter></se:Stroke>'
        "</se:PolygonSymbolizer></se:Rule>"
        for condition, colour, label in rules
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<StyledLayerDescriptor '
        'xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" '
        'xmlns:ogc="http://www.opengis.net/ogc" version="1.1.0"><NamedLayer>'
        f"<se:Name>{escape(layer)}</se:Name><UserStyle><se:Name>{escape(name)}</se:Name>"
        f"<se:FeatureTypeStyle>{body}</se:FeatureTypeStyle></UserStyle></NamedLayer>"
        "</StyledLayerDescriptor>\n"
    )


# -- the table ------------------------------------------------------------------------------------
_CREATE = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
    f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


def write_layer_styles(path: Path, styles: list[LayerStyle]) -> int:
    """Write ``styles`` into the GeoPackage's ``layer_styles`` table (replacing the run's own).

    The table is registered in ``gpkg_contents`` as an attribute table, as QGIS does, so
    GDAL and QGIS list it. Returns the number of styles written.
    """
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with sqlite3.connect(path) as db:
        geometry = dict(
            db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        )
        db.execute(_CREATE)
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS-stijlen van de kaartlagen', ?)",
            (now,),
        )
        tables = sorted({s.table for s in styles})
        db.executemany("DELETE FROM layer_styles WHERE f_table_name = ?", [(t,) for t in tables])
        rows = [
            (
                "",
                "",
                s.table,
                geometry.get(s.table, "geom"),
                s.name,
                s.qml,
                s.sld,
                s.default,
                s.description,
                "gezondewijk",
                "",
                now,
            )
            for s in styles
            if s.table in geometry
        ]
        db.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)

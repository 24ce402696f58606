"""Write a scenario's results and the comparison of several scenarios.

Per scenario, in ``<uitvoer>/scenario-<naam>/``: the cells and buurten before and after
(CSV, GeoPackage, GeoParquet), the SES-group table, SII/RII, the health effect (in total and
per buurt, with sources and assumptions), two maps of the change (per cell and per buurt, a
diverging scale) and ``factsheet.html``. :func:`write_comparison` puts scenarios side by side.
Text cells of every CSV go through :mod:`gezondewijk.spreadsheet_safety`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd

from gezondewijk.crs import WGS84
from gezondewijk.number_format import dutch_number, for_unit
from gezondewijk.outputs.metadata import provenance
from gezondewijk.scenarios.base import ScenarioBase
from gezondewijk.scenarios.compare import ScenarioResult
from gezondewijk.scenarios.health import ASSUMPTIONS, COLUMN_LABELS
from gezondewijk.spreadsheet_safety import csv_text
from gezondewijk.variables import describe

#: Diverging colours: blue where the stacked score goes down (better), red where up.
DIVERGING = "RdBu_r"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("gezondewijk.scenarios", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
_ENV.filters["nl"] = dutch_number
_ENV.filters["unit"] = for_unit


_CSV = "text/csv; charset=utf-8"
#: Every file a scenario's folder gets, with its media type (the app offers these for
#: download, in this order; ``plantoets.csv`` only where the scenario builds homes).
SCENARIO_FILES: dict[str, str] = {
    "factsheet.html": "text/html; charset=utf-8",
    "kaart_verschil.png": "image/png",
    "scenario.gpkg": "application/geopackage+sqlite3",
    "buurten.parquet": "application/vnd.apache.parquet",
    "cellen.csv": _CSV,
    "buurten.csv": _CSV,
    "ses_groepen.csv": _CSV,
    "ongelijkheid.csv": _CSV,
    "gezondheid.csv": _CSV,
    "gezondheid_buurten.csv": _CSV,
    "plantoets.csv": _CSV,
}


def write_scenario_outputs(base: ScenarioBase, result: ScenarioResult, folder: str | Path) -> Path:
    """Write every output of one scenario into ``folder``; return the fact sheet's path.

    The files are those of :data:`SCENARIO_FILES`.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)

    def path(name: str) -> Path:
        if name not in SCENARIO_FILES:
            raise KeyError(f"{name} is not in SCENARIO_FILES; declare it there first")
        return out / name

    cells = base.result.cells.to_geodataframe()[["cel_id", "geometry"]].merge(
        result.cells, on="cel_id"
    )
    changed = cells[(cells["score_verschil"] != 0) | result.applied.touched]
    tables = {
        "cellen.csv": result.cells,
        "buurten.csv": result.buurten.drop(columns="geometry"),
        "ses_groepen.csv": result.ses_table,
        "ongelijkheid.csv": result.inequality,
        "gezondheid.csv": result.health.totals,
        "gezondheid_buurten.csv": result.health.buurten,
        "plantoets.csv": result.plan_check,
    }
    for name, frame in tables.items():
        if len(frame) or name != "plantoets.csv":
            _csv(frame, path(name))
    result.buurten.to_parquet(path("buurten.parquet"))
    gpkg = _replace_gpkg(result.buurten, path("scenario.gpkg"))
    if len(changed):
        gpd.GeoDataFrame(changed, geometry="geometry", crs=cells.crs).to_file(
            gpkg, layer="cellen_veranderd", driver="GPKG"
        )
    draw_change_map(base, result, cells, path("kaart_verschil.png"))
    page = path("factsheet.html")
    page.write_text(render_factsheet(base, result), encoding="utf-8")
    return page


def _csv(frame: pd.DataFrame, path: Path) -> None:
    path.write_text(csv_text(frame), encoding="utf-8")


def draw_change_map(
    base: ScenarioBase, result: ScenarioResult, cells: gpd.GeoDataFrame, path: Path
) -> Path:
    """Two maps side by side: change in stacked score per cell, and per buurt (inhabitants).

    Blue is a lower stacked score (fewer unhealthy factors), red a higher one; white no
    change. The drawn changes are outlined in black. Matplotlib is imported here, when a map
    is first drawn (~1 s), so that the web app starts without it.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(12, 6.2), dpi=110)
    buurten = result.buurten
    for k, (title, frame, column) in enumerate(
        (
            ("Per cel: verandering gestapelde score", cells, "score_verschil"),
            (
                "Per buurt: gemiddelde verandering per inwoner",
                buurten,
                "score_inwoners_verschil",
            ),
        )
    ):
        ax = fig.add_subplot(1, 2, k + 1)
        buurten.boundary.plot(ax=ax, color="#9a9a9a", linewidth=0.4)
        values = frame[column].to_numpy(dtype="float64")
        reach = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
        reach = reach or 1.0  # no change at all: a scale of ±1, not of ±1e-9
        norm = TwoSlopeNorm(vcenter=0.0, vmin=-reach, vmax=reach)
        shown = frame[np.nan_to_num(values) != 0] if k == 0 else frame
        if len(shown):
            shown.plot(ax=ax, column=column, cmap=DIVERGING, norm=norm, linewidth=0)
        sm = ScalarMappable(norm=norm, cmap=DIVERGING)
        bar = fig.colorbar(sm, ax=ax, shrink=0.7, orientation="horizontal", pad=0.03)
        bar.set_label("lager = minder ongunstige factoren")
        bar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: dutch_number(v, None)))
        for change in result.scenario.changes:
            zone = gpd.GeoSeries([change.zone()], crs=buurten.crs)
            if change.geometry.geom_type == "Point":
                zone.plot(ax=ax, color="black", marker="*", markersize=60)
            else:
                zone.boundary.plot(ax=ax, color="black", linewidth=0.9)
        ax.set_title(title, fontsize=10)
        ax.set_axis_off()
        ax.set_aspect("equal")
    fig.suptitle(
        f"Scenario '{result.scenario.title}' op {base.result.name} (modelschatting)", fontsize=11
    )
    fig.text(0.01, 0.01, provenance(base.result), fontsize=7, color="#555555")
    fig.savefig(path)
    return path


def _label(variable: str) -> str:
    if variable == "score_inwoners":
        return "Gestapelde score van de inwoners"
    var = describe(variable)
    return f"{var.label} ({var.unit})" if var.unit else var.label


def render_factsheet(
    base: ScenarioBase,
    result: ScenarioResult,
    *,
    map_src: str = "kaart_verschil.png",
    body_only: bool = False,
) -> str:
    """The scenario's fact sheet (HTML, no external resources; the map next to it).

    ``body_only``: the page's content without ``<html>`` and styles, for the web app's page
    (the same text as the file, with the map from ``map_src``).
    """
    template = "_factsheet_body.html.j2" if body_only else "factsheet.html.j2"
    return _ENV.get_template(template).render(
        map_src=map_src,
        credits=provenance(base.result),
        run=base.result,
        scenario=result.scenario,
        result=result,
        label=_label,
        assumptions=ASSUMPTIONS,
        synthetic=base.result.synthetic,
        ses_label=_label(base.ses_variable) if base.ses_variable else "sociaaleconomische status",
        column_labels=COLUMN_LABELS,
        sii_change=_relative_sii_change(result),
    )


def _relative_sii_change(result: ScenarioResult) -> float | None:
    """Relative change of the SII of the inhabitants' stacked score (None if not known)."""
    row = result.score_sii()
    if row is None or not row["voor"]:
        return None
    return float(row["verschil"] / abs(row["voor"]))


def write_comparison(base: ScenarioBase, results: list[ScenarioResult], folder: str | Path) -> Path:
    """Scenarios side by side: one row per scenario (CSV and HTML, with each one's map).

    Per buurt too, as a run's outputs are: ``vergelijking.gpkg`` (layer ``buurten``) and
    ``vergelijking_buurten.parquet`` with each scenario's change (:func:`comparison_buurten`).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    _csv(comparison_table(results), out / "vergelijking.csv")
    side = comparison_buurten(results)
    _replace_gpkg(side, out / "vergelijking.gpkg")
    side.to_parquet(out / "vergelijking_buurten.parquet")
    page = out / "vergelijking.html"
    page.write_text(render_comparison(base, results), encoding="utf-8")
    return page


def render_comparison(
    base: ScenarioBase,
    results: list[ScenarioResult],
    *,
    sheet_href: Callable[[str], str] = lambda name: f"scenario-{name}/factsheet.html",
    map_href: Callable[[str], str] = lambda name: f"scenario-{name}/kaart_verschil.png",
    body_only: bool = False,
) -> str:
    """The comparison page; the links to each scenario's fact sheet and map as given."""
    template = "_comparison_body.html.j2" if body_only else "comparison.html.j2"
    return _ENV.get_template(template).render(
        run=base.result,
        rows=comparison_table(results).to_dict("records"),
        results=results,
        synthetic=base.result.synthetic,
        assumptions=ASSUMPTIONS,
        sheet_href=sheet_href,
        map_href=map_href,
        credits=provenance(base.result),
    )


def change_layers(base: ScenarioBase, result: ScenarioResult) -> gpd.GeoDataFrame:
    """The change on a map, in WGS84: one layer column ``laag`` with three kinds of feature.

    ``cel``: every cell whose stacked score changed (``verschil``); ``buurt``: every buurt,
    with the mean change per inhabitant (``verschil``) and its name; ``wijziging``: the drawn
    changes themselves (their zone for a street), with their Dutch label.
    """
    cells = base.result.cells.to_geodataframe()[["cel_id", "geometry"]].merge(
        result.cells[["cel_id", "score_verschil"]], on="cel_id"
    )
    cells = cells[cells["score_verschil"] != 0]
    buurten = result.buurten
    parts = [
        gpd.GeoDataFrame(
            {
                "laag": "cel",
                "naam": "",
                "verschil": cells["score_verschil"].astype("float64"),
                "geometry": cells.geometry,
            },
            crs=buurten.crs,
        ),
        gpd.GeoDataFrame(
            {
                "laag": "buurt",
                "naam": buurten["buurtnaam"].astype(str),
                "verschil": buurten["score_inwoners_verschil"].astype("float64").round(4),
                "geometry": buurten.geometry,
            },
            crs=buurten.crs,
        ),
        gpd.GeoDataFrame(
            {
                "laag": "wijziging",
                "naam": [c.label for c in result.scenario.changes],
                "verschil": 0.0,
                "geometry": [c.zone() for c in result.scenario.changes],
            },
            geometry="geometry",
            crs=buurten.crs,
        ),
    ]
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=buurten.crs)
    return frame.to_crs(WGS84)


def comparison_buurten(results: list[ScenarioResult]) -> gpd.GeoDataFrame:
    """Every buurt with each scenario's change side by side (RD New).

    Columns: ``buurtcode``, ``buurtnaam``, ``inwoners``, ``score_inwoners_voor`` and per
    scenario ``<naam>_score_verschil`` (mean change in stacked score per inhabitant) and
    ``<naam>_omlaag`` (inhabitants moving down).
    """
    first = results[0].buurten
    frame = pd.DataFrame(first[["buurtcode", "buurtnaam", "inwoners", "score_inwoners_voor"]])
    for r in results:
        b = r.buurten.set_index("buurtcode")
        name = r.scenario.name.replace("-", "_")
        frame[f"{name}_score_verschil"] = frame["buurtcode"].map(b["score_inwoners_verschil"])
        frame[f"{name}_omlaag"] = frame["buurtcode"].map(b["inwoners_lager"])
    return gpd.GeoDataFrame(frame, geometry=first.geometry, crs=first.crs)


def write_comparison_buurten(results: list[ScenarioResult], path: Path) -> Path:
    """:func:`comparison_buurten` as a GeoPackage (layer ``buurten``), replacing ``path``."""
    return _replace_gpkg(comparison_buurten(results), path)


def _replace_gpkg(frame: gpd.GeoDataFrame, path: Path) -> Path:
    path.unlink(missing_ok=True)
    frame.to_file(path, layer="buurten", driver="GPKG")
    return path


def comparison_table(results: list[ScenarioResult]) -> pd.DataFrame:
    """One row per scenario: inhabitants moving down, share in SES group 1, SII change, health."""
    rows = []
    for r in results:
        total = r.ses_table[r.ses_table["ses_groep"] == "alle inwoners"].iloc[0]
        low = r.ses_table[r.ses_table["ses_groep"] == "1 (laagste SES)"]
        sii = r.score_sii()
        totals = r.health.totals.set_index("effect")["schatting"] if len(r.health.totals) else {}
        rows.append(
            {
                "scenario": r.scenario.name,
                "titel": r.scenario.title,
                "wijzigingen": len(r.scenario.changes),
                "cellen_veranderd": int(r.applied.touched.sum()),
                "inwoners_omlaag": float(total["omlaag"]),
                "aandeel_winst_laagste_ses": float(low["aandeel_winst"].iloc[0])
                if len(low)
                else np.nan,
                "sii_score_verschil": float(sii["verschil"]) if sii is not None else np.nan,
                "sterfte_vermeden_per_jaar": float(
                    totals.get("sterfte vermeden per jaar (totaal)", np.nan)
                ),
                "gezonde_levensjaren_per_inwoner": r.health.healthy_years_per_inhabitant[0],
                "minder_ernstig_gehinderd": float(
                    totals.get("minder ernstig gehinderd door wegverkeer", np.nan)
                ),
                "seconden": r.seconds,
            }
        )
    return pd.DataFrame(rows)

"""Write the run file (TOML) that ``gezondewijk run`` takes, for what was fetched."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gezondewijk.provenance import Provenance


@dataclass
class Inputs:
    """The fetched inputs of one run, by role."""

    name: str
    year: int
    buurten: Path
    gemeenten: list[str]
    tables: list[tuple[str, Path]] = field(default_factory=list)
    rasters: list[tuple[str, Path, int | None]] = field(default_factory=list)
    osm: Path | None = None
    osm_layers: dict[str, int] = field(default_factory=dict)
    sources: list[Provenance] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


#: OSM layer in the fetched GeoPackage → the distance variable it gives.
OSM_FEATURES = {
    "groen": "distance_green_m",
    "huisarts": "distance_gp_m",
    "supermarkt": "distance_supermarket_m",
    "basisschool": "distance_school_m",
}


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_run_file(inputs: Inputs, path: Path, output_dir: Path) -> Path:
    """Write a run file with every path relative to the file's own folder.

    The file names its sources in comments, so a reader sees where each input came from
    without opening the ``.bron.json`` records.
    """
    here = path.parent.resolve()

    def rel(p: Path) -> str:
        return Path(os.path.relpath(p.resolve(), here)).as_posix()

    lines = [
        f"# Written by 'gezondewijk fetch {' '.join(inputs.gemeenten)} --jaar {inputs.year}'.",
        "# Every input has its provenance (URL, table, query, date, licence, checksum) in a",
        "# .bron.json file beside it. Run with: gezondewijk run " + path.name,
        f"name = {_q(inputs.name)}",
        'preset = "eindhoven-8"',
        f"output_dir = {_q(output_dir.as_posix())}",
        "",
        "[buurten]",
        f"path = {_q(rel(inputs.buurten))}",
        f"gemeenten = [{', '.join(_q(g) for g in inputs.gemeenten)}]",
        f"year = {inputs.year}",
    ]
    for kind, table in inputs.tables:
        lines += ["", "[[tables]]", f"kind = {_q(kind)}", f"path = {_q(rel(table))}"]
    for variable, raster, year in inputs.rasters:
        lines += ["", "[[rasters]]", f"variable = {_q(variable)}", f"path = {_q(rel(raster))}"]
        if year is not None:
            lines.append(f"year = {year}")
    if inputs.osm is not None:
        for layer, variable in OSM_FEATURES.items():
            if inputs.osm_layers.get(layer, 0) == 0:
                continue
            lines += [
                "",
                "[[features]]",
                f"variable = {_q(variable)}",
                f"path = {_q(rel(inputs.osm))}",
                f"layer = {_q(layer)}",
            ]
            if layer == "groen":
                lines.append("min_area_ha = 0.5")
        if inputs.osm_layers.get("looppaden", 0):
            lines += [
                "",
                "[network]",
                f"path = {_q(rel(inputs.osm))}",
                'layer = "looppaden"',
            ]
    kinds = {kind for kind, _ in inputs.tables}
    if {"rivm", "ses_woa"} <= kinds:
        lines += [
            "",
            "[inequality]",
            'variables = ["good_health_pct", "lonely_pct"]',
            'ses = "ses_woa"',
            "bootstrap = 500",
        ]
    lines += ["", "[grid]", 'kind = "hex"', "edge_m = 100", ""]
    lines[3:3] = [f"# let op: {note}" for note in inputs.notes]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path

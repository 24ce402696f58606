"""Tables that travel with every output: indicator metadata, thresholds, joins, provenance."""

from __future__ import annotations

import json

import pandas as pd

from gezondewijk.run.result import MapResult
from gezondewijk.scoring.classes import bounds, prefix
from gezondewijk.scoring.stack import part_threshold
from gezondewijk.variables import Variable

SYNTHETIC_LABEL = "synthetische voorbeelddata"


def provenance(result: MapResult) -> str:
    """Return the one-line origin statement written into every output."""
    return provenance_line(result.synthetic, result.credits)


def provenance_line(synthetic: bool, credits: str) -> str:
    """The origin statement of a run with these inputs (see :func:`provenance`)."""
    if synthetic:
        return f"{SYNTHETIC_LABEL} (geen echte metingen) — gezondewijk"
    return credits


def variables_table(result: MapResult) -> pd.DataFrame:
    """One row per variable: unit, direction, source, year, licence."""
    return variables_frame(result.variables, provenance(result))


def variables_frame(variables: dict[str, Variable], origin: str) -> pd.DataFrame:
    """:func:`variables_table` of any variables, with the run's origin statement."""
    frame = pd.DataFrame([v.as_dict() for v in variables.values()])
    frame["herkomst"] = origin
    return frame


def thresholds_table(result: MapResult) -> pd.DataFrame:
    """One row per indicator option part: the rule, its threshold and its source."""
    rows = []
    for ind in result.preset.indicators:
        for rank, opt in enumerate(ind.options):
            for part in opt.parts:
                rows.append(
                    {
                        "indicator": ind.key,
                        "label": ind.label,
                        "domein": ind.domain,
                        "optie": rank + 1,
                        "vervanger": rank > 0,
                        "variabele": part.variable,
                        "regel": part.rule,
                        "drempel": part_threshold(part, result.references),
                        "aandeel": part.share,
                        "bron_drempel": part.source,
                        "toelichting": opt.note,
                    }
                )
    return pd.DataFrame(rows)


def classes_table(result: MapResult) -> pd.DataFrame | None:
    """One row per class of the run's class-table presets (GES, heat stress), or ``None``.

    The fact sheets read the classes from here, so an output folder carries its own tables.
    """
    rows = []
    for preset in [result.preset, *result.extra_presets]:
        if preset.method != "classes":
            continue
        for ind in preset.indicators:
            for low, high, c in bounds(ind):
                rows.append(
                    {
                        "preset": preset.name,
                        "titel": preset.title,
                        "prefix": prefix(preset),
                        "indicator": ind.key,
                        "label": ind.label,
                        "variabele": ind.variable,
                        "klasse": c.code,
                        "score": c.score,
                        "ondergrens": low,
                        "bovengrens": high,
                        "naam": c.label,
                        "kleur": c.colour,
                        "bron": c.source,
                        "onbekend": ind.unknown_note,
                    }
                )
    return pd.DataFrame(rows) if rows else None


def about_table(result: MapResult) -> pd.DataFrame:
    """Key/value provenance of the run."""
    items = {
        "naam": result.name,
        "preset": result.preset.name,
        "preset_titel": result.preset.title,
        "ontbrekende_gegevens": result.preset.missing_data,
        "herkomst": provenance(result),
        "synthetisch": str(result.synthetic).lower(),
        "weging": result.weighting,
        "raster": result.cells.grid.prefix,
        "koppelingen": json.dumps([str(j) for j in result.joins], ensure_ascii=False),
        "opmerkingen": json.dumps(result.notes, ensure_ascii=False),
        "leefplekmeter_themas": json.dumps(result.theme_links(), ensure_ascii=False),
        "bronnen": json.dumps(
            [s.as_dict() for s in result.sources], ensure_ascii=False, default=str
        ),
    }
    for i, source in enumerate(result.sources, start=1):
        items[f"bron_{i}"] = source.summary()
    return pd.DataFrame({"sleutel": list(items), "waarde": list(items.values())})


def sources_table(result: MapResult) -> pd.DataFrame:
    """One row per input file: what, publisher, year, table, URL, query, date, licence, checksum."""
    columns = [
        "bron",
        "uitgever",
        "jaar",
        "tabel",
        "url",
        "query",
        "opgehaald",
        "licentie",
        "naamsvermelding",
        "bestand",
        "sha256",
    ]
    rows = []
    for source in result.sources:
        row = source.as_dict()
        row["query"] = json.dumps(row["query"], ensure_ascii=False)
        rows.append({c: row.get(c) for c in columns})
    return pd.DataFrame(rows, columns=columns)


def references_table(result: MapResult) -> pd.DataFrame:
    """Per variable: the run's mean and the published gemeente and national figures.

    RIVM and StatLine tables publish NL and GM rows next to the buurten; the run's mean is
    population-weighted over its buurten.
    """
    names = sorted(set(result.references) | set(result.published_references))
    return pd.DataFrame(
        {
            "variabele": names,
            "gebied": [result.references.get(n) for n in names],
            "gemeente": [result.published_references.get(n, {}).get("gemeente") for n in names],
            "nederland": [result.published_references.get(n, {}).get("nederland") for n in names],
        }
    )

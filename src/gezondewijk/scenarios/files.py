"""Scenario files: a TOML file with the name and settings, a GeoJSON file with the changes.

The GeoJSON (WGS84, as RFC 7946 and QGIS write it) holds one feature per change with the
properties ``soort`` (see :data:`~gezondewijk.scenarios.model.KINDS`), ``waarde`` (dB or
µg/m³ less, or new inhabitants), ``breedte_m`` (a street's zone), ``naam`` and ``maatregel``
(a catalogue key: its default kind and amount fill in what the feature leaves out). Example::

    naam = "park-noord"
    titel = "Park aan de noordrand en een autoluwe Kerkstraat"
    run = "../gezondweide.toml"
    ongelijkheid = ["distance_green_walk_m"]

    [gezondheid]
    levenstafel = "levenstafel.csv"
    doel_gezonde_levensjaren = 3

The changes are in ``<naam>.geojson`` next to it unless ``wijzigingen`` names another file.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gezondewijk._errors import InputDataError, InputDataErrors, validation_problems
from gezondewijk.crs import RD_NEW, WGS84
from gezondewijk.interventions import load_catalogue
from gezondewijk.scenarios.model import (
    DEFAULT_WIDTH_M,
    KINDS,
    MAX_AMOUNT,
    Change,
    HealthSettings,
    Scenario,
)

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,59}$"
#: Most changes one scenario drawn on the map may hold (a guard against a runaway upload).
MAX_DRAWN_CHANGES = 200
#: Most vertices of one drawn geometry.
MAX_VERTICES = 5000


class _HealthFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levenstafel: Path | None = None
    ndvi_per_groen_binnen_300m: float = Field(default=0.1, gt=0.0, le=0.5)
    lden_min_lnight_db: float = Field(default=8.0, ge=0.0, le=20.0)
    doel_gezonde_levensjaren: float | None = Field(default=None, gt=0.0, le=20.0)
    doel_minder_ongelijkheid: float | None = Field(default=None, gt=0.0, le=1.0)


class _ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    naam: str = Field(pattern=NAME_PATTERN)
    titel: str = Field(min_length=1, max_length=200)
    beschrijving: str = Field(default="", max_length=5000)
    run: Path | None = None
    wijzigingen: Path | None = None
    ongelijkheid: list[str] = Field(default_factory=list)
    gezondheid: _HealthFile = Field(default_factory=_HealthFile)


def read_scenario(path: str | Path) -> Scenario:
    """Read a scenario's TOML file and the GeoJSON of its changes.

    Raises
    ------
    InputDataError
        For a missing file, bad TOML, an unknown key, or a change whose kind, geometry or
        amount does not fit (the message names the file, the feature's number and the field).
    """
    p = Path(path)
    if not p.is_file():
        raise InputDataError(
            "scenariobestand niet gevonden.", path=p, fix="geef het pad van een .toml-bestand."
        )
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        spec = _ScenarioFile.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise InputDataError(
            f"geen geldige TOML ({exc}).", path=p, fix="herstel de syntaxis."
        ) from exc
    except ValidationError as exc:
        raise InputDataError(
            validation_problems(exc), path=p, fix="zie de voorbeelden in docs/scenarios.md."
        ) from exc
    base = p.parent
    geo = base / (spec.wijzigingen or Path(f"{spec.naam}.geojson"))
    changes = read_changes(geo) if geo.is_file() else []
    if not geo.is_file() and spec.wijzigingen is not None:
        raise InputDataError(
            "het bestand met wijzigingen ontbreekt.", path=geo, field="wijzigingen"
        )
    health = spec.gezondheid
    table = health.levenstafel
    return Scenario(
        name=spec.naam,
        title=spec.titel,
        description=spec.beschrijving,
        changes=changes,
        inequality=spec.ongelijkheid,
        run=None if spec.run is None else (base / spec.run).resolve(),
        health=HealthSettings(
            life_table=None if table is None else (base / table).resolve(),
            ndvi_per_green_access=health.ndvi_per_groen_binnen_300m,
            lden_minus_lnight_db=health.lden_min_lnight_db,
            target_healthy_years=health.doel_gezonde_levensjaren,
            target_inequality_reduction=health.doel_minder_ongelijkheid,
        ),
    )


def read_changes(path: str | Path) -> list[Change]:
    """The changes in a GeoJSON (or any vector file GDAL reads), in RD New."""
    p = Path(path)
    try:
        frame = gpd.read_file(p)
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise InputDataError(
            f"kan de wijzigingen niet lezen ({exc}).", path=p, fix="sla op als GeoJSON."
        ) from exc
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    frame = frame.to_crs(RD_NEW)
    return [
        change
        for number, (props, geom) in enumerate(
            zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True),
            start=1,
        )
        for change in changes_of(props, geom, path=p, number=number)
    ]


def _measure_defaults(
    measure_key: str, kind: str, bad: Callable[[str, str, str], InputDataError]
) -> list[Any]:
    """The catalogue measure's changes on the map (of ``kind`` only, where one is given)."""
    if not measure_key:
        if not kind:
            raise bad("geen soort.", "soort", f"kies een van: {', '.join(KINDS)}.")
        return []
    measure = next((m for m in load_catalogue() if m.key == measure_key), None)
    if measure is None:
        raise bad(
            f"onbekende maatregel '{measure_key}'.",
            "maatregel",
            "kies een sleutel uit de interventiecatalogus (gezondewijk maatregelen).",
        )
    defaults = [d for d in measure.scenario if not kind or d.soort == kind]
    if not defaults and not kind:
        raise bad(
            f"maatregel '{measure_key}' heeft geen wijziging op de kaart.",
            "soort",
            f"geef zelf een soort: {', '.join(KINDS)}.",
        )
    return defaults


def changes_of(
    props: dict[str, Any], geom: shapely.Geometry | None, *, path: Path | None, number: int
) -> list[Change]:
    """The change(s) one feature describes: its own kind, or its catalogue measure's.

    Raises
    ------
    InputDataError
        Naming the feature's number and the field at fault.
    """

    def bad(problem: str, field: str, fix: str) -> InputDataError:
        return InputDataError(problem, path=path, row=number, field=field, fix=fix)

    if geom is None or shapely.is_empty(geom):
        raise bad("wijziging zonder geometrie.", "geometry", "teken een punt, lijn of vlak.")
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    kind = _text(props.get("soort"))
    measure_key = _text(props.get("maatregel"))
    defaults = _measure_defaults(measure_key, kind, bad)
    wanted = [(kind, None)] if kind and not defaults else [(d.soort, d.waarde) for d in defaults]
    out = []
    for this_kind, default_amount in wanted:
        if this_kind not in KINDS:
            raise bad(
                f"onbekende soort '{this_kind}'.", "soort", f"kies een van: {', '.join(KINDS)}."
            )
        _, _, types, unit = KINDS[this_kind]
        if shapely.get_type_id(geom) == 7:  # a collection from make_valid: keep its parts
            geom = shapely.union_all([g for g in shapely.get_parts(geom) if g.geom_type in types])
        if geom.geom_type not in types:
            raise bad(
                f"'{this_kind}' vraagt een {' of '.join(_dutch_types(types))}, "
                f"geen {geom.geom_type}.",
                "geometry",
                "teken de wijziging opnieuw met het juiste gereedschap.",
            )
        amount = _number(props.get("waarde"), default_amount)
        if this_kind == "zitplekken" and amount is None:
            amount = seats_along(geom)
        if unit:
            limit = MAX_AMOUNT[this_kind]
            if amount is None or not 0 < amount <= limit:
                raise bad(
                    f"'{this_kind}' vraagt een waarde groter dan 0 en hoogstens {limit:g} {unit}.",
                    "waarde",
                    f"geef hoeveel {unit} "
                    f"{'erbij' if this_kind in ('woningen', 'zitplekken') else 'minder'}.",
                )
        width = _number(props.get("breedte_m"), DEFAULT_WIDTH_M)
        if width is None or not 1 <= width <= 1000:
            raise bad("breedte buiten 1–1000 m.", "breedte_m", "geef de breedte in meters.")
        out.append(
            Change(
                kind=this_kind,
                geometry=geom,
                amount=float(amount or 0.0),
                width_m=float(width),
                name=_text(props.get("naam"))[:120],
                measure=measure_key,
            )
        )
    return out


def scenario_from_geojson(
    name: str,
    title: str,
    collection: object,
    *,
    description: str = "",
    run: Path | None = None,
    health: HealthSettings | None = None,
    inequality: list[str] | None = None,
) -> Scenario:
    """A scenario from a GeoJSON FeatureCollection in WGS84, as the map viewer draws it.

    Each feature goes through :func:`changes_of`, the rules a file read from disk follows,
    so a drawn scenario and a file edited in QGIS mean the same.

    Raises
    ------
    InputDataErrors
        Every problem at once: the name or title (``field`` naam/titel), or a feature
        (``row`` its 1-based number, ``field`` the property at fault). Nothing is written.
    """
    problems: list[InputDataError] = []
    if not isinstance(name, str) or re.fullmatch(NAME_PATTERN, name) is None:
        problems.append(
            InputDataError(
                "ongeldige naam.",
                field="naam",
                fix="kleine letters, cijfers, - en _ (hoogstens 60 tekens), bijv. park-noord.",
            )
        )
    clean_title = _text(title)[:200]
    if not clean_title:
        problems.append(InputDataError("geen titel.", field="titel", fix="geef een titel."))
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        features = None
    if not isinstance(features, list) or len(features) > MAX_DRAWN_CHANGES:
        problems.append(
            InputDataError(
                "de wijzigingen zijn geen GeoJSON FeatureCollection.",
                field="wijzigingen",
                fix=f"stuur hoogstens {MAX_DRAWN_CHANGES} features in een FeatureCollection.",
            )
        )
        features = []
    changes: list[Change] = []
    for number, feature in enumerate(features, start=1):
        try:
            props, geom = _drawn_feature(feature, number)
            changes.extend(changes_of(props, geom, path=None, number=number))
        except InputDataError as exc:
            problems.append(exc)
    if problems:
        raise InputDataErrors(problems)
    return Scenario(
        name=name,
        title=clean_title,
        description=_text(description)[:5000],
        changes=changes,
        inequality=list(inequality or []),
        run=run,
        health=health or HealthSettings(),
    )


def _drawn_feature(feature: object, number: int) -> tuple[dict[str, Any], shapely.Geometry]:
    """One drawn feature's properties and its geometry in RD New (checked: WGS84 range)."""

    def bad(problem: str) -> InputDataError:
        return InputDataError(
            problem, row=number, field="geometry", fix="teken de wijziging opnieuw op de kaart."
        )

    if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
        raise bad("geen GeoJSON-feature met een geometrie.")
    props = feature.get("properties")
    try:
        geom = shapely.geometry.shape(feature["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise bad(f"geometrie niet te lezen ({str(exc)[:80]}).") from exc
    coords = shapely.get_coordinates(geom)
    if len(coords) > MAX_VERTICES:
        raise bad(f"meer dan {MAX_VERTICES} hoekpunten.")
    if (
        not len(coords)
        or not np.isfinite(coords).all()
        or (np.abs(coords[:, 0]) > 180).any()
        or (np.abs(coords[:, 1]) > 90).any()
    ):
        raise bad("coördinaten buiten lengte −180..180 en breedte −90..90 (WGS84).")
    rd = gpd.GeoSeries([geom], crs=WGS84).to_crs(RD_NEW).iloc[0]
    return (props if isinstance(props, dict) else {}), rd


def seats_along(geom: shapely.Geometry) -> float:
    """The seats a drawn change stands for when it gives no number.

    One per point, and one per 125 m along a street (RIVM's rule of thumb), at least one.
    """
    if geom.geom_type in ("Point", "MultiPoint"):
        return float(shapely.get_num_geometries(geom))
    return float(max(1, round(shapely.length(geom) / 125.0)))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"[\x00-\x1f\x7f]", " ", str(value)).strip()


def _number(value: object, default: float | None) -> float | None:
    if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
        return default
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _dutch_types(types: tuple[str, ...]) -> list[str]:
    names = {"Point": "punt", "LineString": "lijn", "Polygon": "vlak"}
    return list(dict.fromkeys(names[t] for t in types if t in names))


def write_scenario(scenario: Scenario, folder: str | Path) -> Path:
    """Write ``<naam>.toml`` and ``<naam>.geojson`` (WGS84) into ``folder``; return the TOML."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    features = []
    for change in scenario.changes:
        geom = gpd.GeoSeries([change.geometry], crs=RD_NEW).to_crs(WGS84).iloc[0]
        props: dict[str, object] = {"soort": change.kind, "naam": change.name}
        if KINDS[change.kind][3]:
            props["waarde"] = change.amount
        if change.geometry.geom_type.endswith("LineString"):
            props["breedte_m"] = change.width_m
        if change.measure:
            props["maatregel"] = change.measure
        features.append(
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        )
    (out / f"{scenario.name}.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    lines = [
        f"naam = {json.dumps(scenario.name)}",
        f"titel = {json.dumps(scenario.title, ensure_ascii=False)}",
    ]
    if scenario.description:
        lines.append(f"beschrijving = {json.dumps(scenario.description, ensure_ascii=False)}")
    if scenario.run is not None:
        lines.append(f"run = {json.dumps(str(scenario.run))}")
    if scenario.inequality:
        lines.append(f"ongelijkheid = {json.dumps(scenario.inequality)}")
    h = scenario.health
    lines += [
        "",
        "[gezondheid]",
        f"ndvi_per_groen_binnen_300m = {h.ndvi_per_green_access}",
        f"lden_min_lnight_db = {h.lden_minus_lnight_db}",
    ]
    if h.life_table is not None:
        lines.append(f"levenstafel = {json.dumps(str(h.life_table))}")
    if h.target_healthy_years is not None:
        lines.append(f"doel_gezonde_levensjaren = {h.target_healthy_years}")
    if h.target_inequality_reduction is not None:
        lines.append(f"doel_minder_ongelijkheid = {h.target_inequality_reduction}")
    path = out / f"{scenario.name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

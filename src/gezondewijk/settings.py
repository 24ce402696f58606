"""Typed run configuration, validated before any work starts.

A run is described by a TOML file (see ``examples/``); relative paths are taken relative to
the folder of that file. Unknown keys and unsafe values are refused with a message that names
the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gezondewijk._errors import ConfigError, validation_problems
from gezondewijk.area_codes import is_gemeente_code

#: Output formats of a run, in writing order.
OutputFormat = Literal["gpkg", "parquet", "csv", "png", "html"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("gpkg", "parquet", "csv", "png", "html")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BuurtenInput(_Strict):
    """The buurt outlines and an optional filter on gemeente codes."""

    path: Path
    layer: str | None = None
    code_field: str | None = None
    name_field: str | None = None
    gemeenten: list[str] = Field(default_factory=list)
    #: Keep only these buurt codes (a study area smaller than a gemeente).
    codes: list[str] = Field(default_factory=list)
    year: int | None = None

    @field_validator("gemeenten")
    @classmethod
    def _codes(cls, v: list[str]) -> list[str]:
        bad = [code for code in v if not is_gemeente_code(code)]
        if bad:
            raise ValueError(f"'{bad[0]}' is not a gemeente code like GM0772")
        return v


def gemeente_codes(codes: list[str]) -> list[str]:
    """Upper-case and check gemeente codes given on the command line.

    Raises
    ------
    ConfigError
        Naming the first code that is not ``GM`` with four digits.
    """
    out = [c.strip().upper() for c in codes]
    for code in out:
        if not is_gemeente_code(code):
            raise ConfigError(
                f"'{code}' is geen gemeentecode / not a gemeente code. Oplossing/fix: geef GM "
                "met vier cijfers, bijvoorbeeld GM0503 voor Delft (zie CBS Gebieden in "
                "Nederland)."
            )
    return out


class TableInput(_Strict):
    """A per-area table joined to the buurten on the buurt code.

    ``kind = "eigen"`` reads any table (CSV, xlsx) with a code column (``code_field``) and the
    columns that ``columns`` maps to gezondewijk's variables (``{heat_pet = "PET_mean"}``).
    ``outlines`` gives the outlines of the table's own buurt division when it is not the run's
    (codes changed since, as Amsterdam's in 2022): its values are then carried over to the
    run's buurten by area (see :mod:`gezondewijk.areas.crosswalk`).
    """

    kind: Literal["rivm", "kwb", "nabijheid", "ses_woa", "statline", "eigen"]
    path: Path
    age: Literal["18+", "65+"] = "18+"
    code_field: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    year: int | None = None
    outlines: Path | None = None
    outlines_code_field: str | None = None

    @model_validator(mode="after")
    def _own_table(self) -> TableInput:
        if self.kind == "eigen" and not self.columns:
            raise ValueError(
                "kind 'eigen' needs 'columns': which column holds which variable, e.g. "
                'columns = { heat_pet = "PET_mean" }'
            )
        if self.kind != "eigen" and self.columns:
            raise ValueError("'columns' is for kind 'eigen' only")
        return self


class SegmentsInput(_Strict):
    """Street segments (lines) with a value each, e.g. PET per street piece.

    Per cell the value is the mean over the segments in it, weighted by the length of each
    segment inside the cell. Cells without segments keep the buurt value (a table of the
    same variable) or stay empty.
    """

    variable: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    path: Path
    layer: str | None = None
    value_field: str
    year: int | None = None


class RasterInput(_Strict):
    """A raster exposure sampled at the cells (RIVM GCN NO2/PM2.5, noise Lden, heat)."""

    variable: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    path: Path
    year: int | None = None
    crs: str | None = None
    label: str | None = None
    unit: str | None = None


class FeatureInput(_Strict):
    """A layer of features; the distance to the nearest one becomes a variable.

    The straight-line distance is ``variable``; where the run has a walking network the
    distance along it is computed too, as ``variable`` with ``_walk`` before the unit
    (``distance_green_m`` → ``distance_green_walk_m``), unless ``network = false``.
    """

    variable: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    path: Path
    layer: str | None = None
    min_area_ha: float = Field(default=0.0, ge=0.0)
    where: dict[str, list[str]] = Field(default_factory=dict)
    #: For a layer with OpenStreetMap tags as columns (Overpass, QuickOSM): keep what the OSM
    #: rules call huisarts, supermarkt, basisschool or groen.
    osm_kind: Literal["huisarts", "supermarkt", "basisschool", "groen"] | None = None
    year: int | None = None
    network: bool = True


class NetworkInput(_Strict):
    """The walking network: a line layer (GeoPackage, GeoJSON) or an OpenStreetMap extract."""

    path: Path
    layer: str | None = None
    #: Join lines where they share a vertex (OpenStreetMap) or also where they cross.
    node_at: Literal["shared-vertices", "crossings"] = "shared-vertices"
    #: Leave out lines whose attribute has one of these values (line layers only; an OSM
    #: extract is filtered by the walking rules of :mod:`gezondewijk.sources.osm`).
    exclude: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "highway": ["motorway", "motorway_link", "trunk", "trunk_link", "busway"]
        }
    )
    #: How far a green area's edge may lie from a path and still be entered from it (m).
    entry_reach_m: float = Field(default=50.0, gt=0.0, le=1000.0)
    year: int | None = None


class OsmInput(_Strict):
    """An OpenStreetMap extract giving green, GPs, supermarkets, schools and the network."""

    path: Path
    #: Objects are kept within this distance of the buurten (m).
    buffer_m: float = Field(default=1000.0, ge=0.0, le=50_000.0)
    green_min_area_ha: float = Field(default=0.5, ge=0.0)
    #: Use the extract's walkable ways as the walking network (when no [network] is given).
    network: bool = True


class AddressInput(_Strict):
    """Address or population points: cells are limited to where people live."""

    path: Path
    layer: str | None = None


class GridConfig(_Strict):
    """Which grid to lay over the buurten."""

    kind: Literal["hex", "square", "h3"] = "hex"
    edge_m: float = Field(default=100.0, ge=1.0, le=100_000.0)
    size_m: float = Field(default=1000.0, ge=1.0, le=100_000.0)
    h3_resolution: int = Field(default=10, ge=0, le=15)


class InequalityConfig(_Strict):
    """Inequality measures across buurten ranked by a socio-economic variable."""

    variables: list[str] = Field(min_length=1)
    ses: str
    #: Whether a higher SES value means more advantaged; by default from the variable's
    #: direction (SES-WOA: yes; "moeite met rondkomen": no).
    ses_higher_is_advantaged: bool | None = None
    bootstrap: int = Field(default=1000, ge=0, le=100_000)
    #: SII/RII interval: "simulation" (PHE, from each buurt's published 95 % margins),
    #: "bootstrap" (resampling buurten), or "auto": simulation where the margins are there.
    interval: Literal["auto", "simulation", "bootstrap"] = "auto"
    #: Simulated data sets for the PHE interval (PHE's default 100,000).
    simulation_draws: int = Field(default=100_000, ge=1_000, le=1_000_000)
    #: Fit percentages on the logit scale and transform back (PHE's ``transform = TRUE``).
    transform: bool = False


class RunConfig(_Strict):
    """Everything one pipeline run needs."""

    name: str = Field(min_length=1)
    preset: str = "eindhoven-8"
    #: Further presets of other methods (ces4, ahah, ejscreen, rivm-stapel, vrije-gewichten…).
    extra_presets: list[str] = Field(default_factory=list)
    #: Monte Carlo draws for the ranking stability of the buurten (0 = off).
    stability_draws: int = Field(default=0, ge=0, le=10_000)
    output_dir: Path = Path("uitvoer")
    synthetic: bool = False
    weighting: Literal["auto", "area", "population"] = "auto"
    buurten: BuurtenInput
    tables: list[TableInput] = Field(default_factory=list)
    rasters: list[RasterInput] = Field(default_factory=list)
    segments: list[SegmentsInput] = Field(default_factory=list)
    features: list[FeatureInput] = Field(default_factory=list)
    network: NetworkInput | None = None
    osm: OsmInput | None = None
    addresses: AddressInput | None = None
    grid: GridConfig = Field(default_factory=GridConfig)
    inequality: InequalityConfig | None = None
    html_map: bool = True
    max_map_cells: int = Field(default=60_000, ge=0)
    #: Which outputs to write (``gezondewijk run --formats``); the metadata CSVs always are.
    #: ``None``: every format, except that a run of more than
    #: :data:`gezondewijk.outputs.export.LARGE_RUN_CELLS` cells leaves out the GeoPackage and
    #: the cells' CSV (GeoParquet holds everything; ask for them by name).
    formats: list[OutputFormat] | None = None
    #: Lay, score and write the cells part by part, so that memory follows the largest part
    #: (:mod:`gezondewijk.run.in_parts`). ``None``: from
    #: :data:`gezondewijk.run.in_parts.IN_PARTS_FROM_CELLS` cells on, without extra presets.
    in_parts: bool | None = None
    credits: str = "Bron: CBS, RIVM; © OpenStreetMap-bijdragers (ODbL)"

    def resolved(self, base: Path) -> RunConfig:
        """Return a copy with every relative input path made relative to ``base``.

        ``output_dir`` stays relative to the working directory.
        """
        data = self.model_dump()

        def fix(obj: object) -> object:
            if isinstance(obj, dict):
                return {
                    k: (
                        base / v
                        if isinstance(v, Path) and not v.is_absolute() and k != "output_dir"
                        else fix(v)
                    )
                    for k, v in obj.items()
                }
            if isinstance(obj, list):
                return [fix(v) for v in obj]
            return obj

        return RunConfig.model_validate(fix(data))


def load_config(path: str | Path) -> RunConfig:
    """Read and validate a run configuration file.

    Raises
    ------
    ConfigError
        For a missing file, bad TOML, or invalid keys (each named, with the fix).
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"configuration file {p} not found; give the path of a .toml file (see examples/)."
        )
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc}); fix the syntax at that line.") from exc
    try:
        config = RunConfig.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise ConfigError(f"{p}: {problems}. Fix these keys (see examples/*.toml).") from exc
    return config.resolved(p.parent.resolve())

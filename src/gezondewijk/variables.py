"""The shared vocabulary: every variable gezondewijk knows, with its metadata.

A *variable* is one measured quantity (population, NO2, distance to a GP...). Source readers
rename publisher columns to these keys; indicators and scores carry the metadata (unit,
direction, source, year, licence) into every output. The records are data:
``variables.toml`` beside this module, validated when it is loaded.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, replace
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gezondewijk._errors import ConfigError, validation_problems
from gezondewijk.publisher_names import ALIASES, canonical_name

Direction = Literal["higher_is_worse", "higher_is_better"]
Kind = Literal["extensive", "intensive"]

OSM_LICENCE = "ODbL (© OpenStreetMap-bijdragers)"


@dataclass(frozen=True)
class Variable:
    """Metadata of one variable.

    Parameters
    ----------
    key
        Stable identifier, used as column name.
    label
        Dutch label for the user interface.
    label_en
        English label.
    unit
        Unit of measurement (``"%"``, ``"µg/m³"``, ``"km"``, ``"m"``...).
    direction
        ``"higher_is_worse"`` or ``"higher_is_better"`` for health.
    kind
        ``"extensive"`` for counts that add up over areas (inhabitants), ``"intensive"`` for
        rates, shares, means and densities (they do not add up).
    source
        Publisher and table, e.g. ``"RIVM 50090NED"``.
    year
        Reference year of the data, where known.
    licence
        Licence of the data.
    valid_min, valid_max
        The plausible range of a measured value (ours: physical bounds, wide). A raster value
        outside it is a fill value or an error in the map; it is reported and not scored.
    """

    key: str
    label: str
    label_en: str
    unit: str
    direction: Direction
    kind: Kind
    source: str
    year: int | None = None
    licence: str = ""
    valid_min: float | None = None
    valid_max: float | None = None

    def with_year(self, year: int | None) -> Variable:
        """Return a copy with the reference year set."""
        return replace(self, year=year)

    def as_dict(self) -> dict[str, object]:
        """Return the metadata as a plain dictionary (for exports)."""
        return asdict(self)


class _VariableRecord(BaseModel):
    """One ``[[variables]]`` entry of ``variables.toml``, validated at load."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    unit: str
    direction: Direction
    kind: Kind
    source: str = Field(min_length=1)
    licence: str = ""
    valid_min: float | None = None
    valid_max: float | None = None


class _VariablesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    walk_twins: list[str] = Field(default_factory=list)
    variables: list[_VariableRecord] = Field(min_length=1)


def load_variables(text: str, where: str = "variables.toml") -> dict[str, Variable]:
    """Parse and validate a variables file (the shipped ``variables.toml`` by default).

    Raises
    ------
    ConfigError
        Naming the entry and key at fault, for invalid TOML, a wrong value, a key that occurs
        twice or a walk twin of an unknown variable.
    """
    try:
        data = _VariablesFile.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc}); fix the syntax there.") from exc
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise ConfigError(f"{where}: {problems}.") from exc
    known: dict[str, Variable] = {}
    for record in data.variables:
        if record.key in known:
            raise ConfigError(f"{where}: variable '{record.key}' occurs twice; keep one.")
        known[record.key] = Variable(**record.model_dump())
    for key in data.walk_twins:
        if key not in known:
            raise ConfigError(f"{where}: walk_twins names '{key}', which is not a variable.")
        known[walk_key(key)] = _walk_twin(known[key])
    return known


__all__ = [
    "ALIASES",
    "KNOWN",
    "Variable",
    "canonical_name",
    "describe",
    "margin_base",
    "margin_columns",
    "walk_key",
]

#: Suffixes of the columns that hold a publisher's 95 % bounds of a variable (RIVM "Marges").
LOWER_SUFFIX, UPPER_SUFFIX = "_ondergrens", "_bovengrens"


def margin_columns(key: str) -> tuple[str, str]:
    """Column names of the published lower and upper 95 % bounds of a variable."""
    return key + LOWER_SUFFIX, key + UPPER_SUFFIX


def margin_base(column: str) -> str | None:
    """The variable a bound column belongs to (``lonely_pct_ondergrens`` → ``lonely_pct``)."""
    for suffix in (LOWER_SUFFIX, UPPER_SUFFIX):
        if column.endswith(suffix):
            return column.removesuffix(suffix)
    return None


def walk_key(straight_key: str) -> str:
    """Key of the walking-network twin of a straight-line distance variable.

    ``distance_green_m`` → ``distance_green_walk_m``; any other key gets ``_walk`` appended.
    """
    if straight_key.endswith("_m"):
        return straight_key[:-2] + "_walk_m"
    return straight_key + "_walk"


def _walk_twin(base: Variable) -> Variable:
    """The walking-network twin of a straight-line distance variable."""
    return replace(
        base,
        key=walk_key(base.key),
        label=base.label.replace("(hemelsbreed", "(over het looppadennetwerk"),
        label_en=base.label_en.replace("(straight", "(along the walking network"),
        source=f"{base.source}; over de looppaden (OpenStreetMap)",
        licence=OSM_LICENCE,
    )


KNOWN: dict[str, Variable] = load_variables(
    (resources.files("gezondewijk") / "variables.toml").read_text(encoding="utf-8")
)


def describe(key: str) -> Variable:
    """Return the metadata of a variable, or a generic record for an unknown column."""
    if key in KNOWN:
        return KNOWN[key]
    return Variable(key, key, key, "", "higher_is_worse", "intensive", "invoer", None, "")

"""Preset files: which indicators, which data, which thresholds, and why.

A preset is a TOML file a user can copy and edit. Each indicator lists *options* in order of
preference; the first option with data for an area is used, later options are documented
substitutes. An option has one or more *parts* (``combine = "any"``: the indicator is on when
any part exceeds its threshold, e.g. noise or air). Every threshold names its source.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gezondewijk._errors import PresetError, validation_problems
from gezondewijk.variables import KNOWN, Direction

Rule = Literal["absolute", "reference", "quantile"]
Method = Literal["threshold-sum", "ces", "ahah", "ejscreen", "stapel", "weighted", "classes"]

#: The groups (``domain`` of each indicator) each ranking method expects.
DOMAINS: dict[str, tuple[str, ...]] = {
    "ces": ("exposure", "environmental_effect", "sensitive_population", "socioeconomic"),
    "ejscreen": ("environmental", "demographic"),
    "stapel": ("gezondheidsbescherming", "gezondheidsbevordering", "kwetsbaarheid"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Part(_Strict):
    """One variable with its threshold rule.

    ``absolute``: worse than ``value``. ``reference``: worse than ``factor`` times the
    population-weighted mean of the study area's buurten. ``quantile``: in the worst ``share``
    of the areas at that level (cells or buurten).
    """

    variable: str
    rule: Rule
    value: float | None = None
    factor: float = 1.0
    share: float | None = Field(default=None, gt=0.0, lt=1.0)
    direction: Direction | None = None
    source: str = Field(min_length=3)
    #: Plausible range of the threshold (value, factor or share) for the stability analysis.
    vary: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _needs(self) -> Part:
        if self.rule == "absolute" and self.value is None:
            raise ValueError(f"part '{self.variable}': rule 'absolute' needs 'value'")
        if self.rule == "quantile" and self.share is None:
            raise ValueError(f"part '{self.variable}': rule 'quantile' needs 'share' (e.g. 0.2)")
        return self


class Option(_Strict):
    """A way to measure an indicator: one or more parts, combined with "any"."""

    parts: list[Part] = Field(min_length=1)
    combine: Literal["any", "all"] = "any"
    note: str = ""


class ValueClass(_Strict):
    """One class of a ``classes`` table: values from ``lower`` (inclusive) up to ``upper``.

    ``upper`` defaults to the next class's ``lower`` (the last class is open). ``score`` orders
    classes across factors (GES 0-8; a sub-class such as 1b has the score of its class).
    """

    lower: float
    upper: float | None = None
    code: str = Field(min_length=1)
    score: float
    label: str = Field(min_length=1)
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    source: str = Field(min_length=3)


class IndicatorSpec(_Strict):
    """One indicator of a preset.

    Threshold-sum presets give ``options``; ranking methods (CES, AHAH, EJScreen, Stapeltool,
    free weights) give one ``variable`` with its ``direction`` and ``weight``; ``domain`` names
    the group or component the indicator belongs to.
    """

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    label_en: str = ""
    domain: str = ""
    options: list[Option] = Field(default_factory=list)
    variable: str | None = None
    direction: Direction | None = None
    weight: float = Field(default=1.0, ge=0.0)
    #: Plausible range of the weight for the stability analysis.
    weight_vary: tuple[float, float] | None = None
    #: Leefplekmeter themes this indicator measures too (keys of ``questions.toml``), so a
    #: fact sheet can set residents' scores next to the data.
    leefplekmeter_themes: list[str] = Field(default_factory=list)
    #: ``classes`` method: the documented classes, lowest first. A value outside all of them
    #: is "niet bekend in de gebruikte bron" and ``unknown_note`` says where to look.
    classes: list[ValueClass] = Field(default_factory=list)
    unknown_note: str = ""
    #: Shown where the indicator has no data at all: which source or layer would give it.
    when_missing: str = ""

    @model_validator(mode="after")
    def _ordered_classes(self) -> IndicatorSpec:
        lows = [c.lower for c in self.classes]
        if lows != sorted(lows):
            raise ValueError(f"indicator '{self.key}': classes must be listed lowest first")
        for c, nxt in zip(self.classes, self.classes[1:], strict=False):
            if c.upper is not None and c.upper > nxt.lower:
                raise ValueError(
                    f"indicator '{self.key}': class {c.code} ends at {c.upper:g}, above the "
                    f"next class's lower bound {nxt.lower:g}"
                )
        return self


class Preset(_Strict):
    """A scoring preset (see ``scoring/presets/*.toml``)."""

    name: str
    title: str
    title_en: str = ""
    description: str = ""
    method: Method = "threshold-sum"
    missing_data: str = Field(min_length=10)
    indicators: list[IndicatorSpec] = Field(min_length=1)
    #: Method parameters, e.g. ``min_share`` for CES or ``alpha`` for the Gi* hot spots.
    params: dict[str, bool | float | int | str | list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> Preset:
        keys = [i.key for i in self.indicators]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError(f"indicator keys occur twice: {sorted(dup)}")
        for ind in self.indicators:
            if self.method == "threshold-sum" and not ind.options:
                raise ValueError(f"indicator '{ind.key}': method 'threshold-sum' needs 'options'")
            if self.method != "threshold-sum" and ind.variable is None:
                raise ValueError(f"indicator '{ind.key}': method '{self.method}' needs 'variable'")
            if self.method == "classes" and not ind.classes:
                raise ValueError(f"indicator '{ind.key}': method 'classes' needs 'classes'")
        for ind in self.indicators:
            unknown_vars = [
                part.variable
                for opt in ind.options
                for part in opt.parts
                if part.variable not in KNOWN and part.direction is None
            ]
            if ind.variable is not None and ind.variable not in KNOWN and ind.direction is None:
                unknown_vars.append(ind.variable)
            if unknown_vars:
                raise ValueError(
                    f"indicator '{ind.key}': gezondewijk does not know the variable "
                    f"'{unknown_vars[0]}', so it cannot tell whether higher is worse; add "
                    'direction = "higher_is_worse" or "higher_is_better" to it'
                )
        domains = set(DOMAINS.get(self.method, ()))
        if domains:
            unknown = {i.domain for i in self.indicators} - domains
            if unknown:
                raise ValueError(
                    f"method '{self.method}' knows the domains {sorted(domains)}, "
                    f"not {sorted(unknown)}"
                )
        return self

    def number(self, name: str, default: float) -> float:
        """Return a numeric method parameter from ``params``, or ``default`` when absent.

        Raises
        ------
        PresetError
            When the parameter is not a number.
        """
        value = self.params.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PresetError(
                f"preset '{self.name}': params.{name} must be a number, not {value!r}."
            )
        return float(value)

    def flag(self, name: str, default: bool) -> bool:
        """Return a true/false method parameter from ``params``, or ``default`` when absent.

        Raises
        ------
        PresetError
            When the parameter is not ``true`` or ``false``.
        """
        value = self.params.get(name, default)
        if not isinstance(value, bool):
            raise PresetError(
                f"preset '{self.name}': params.{name} must be true or false, not {value!r}."
            )
        return value

    def text(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        """Return a text method parameter from ``params`` that must be one of ``choices``.

        Raises
        ------
        PresetError
            When the parameter is not one of the choices.
        """
        value = self.params.get(name, default)
        if value not in choices:
            raise PresetError(
                f"preset '{self.name}': params.{name} must be one of {', '.join(choices)}, "
                f"not {value!r}."
            )
        return str(value)

    @property
    def variables(self) -> list[str]:
        """Every variable any option of the preset can use."""
        seen: dict[str, None] = {}
        for ind in self.indicators:
            if ind.variable is not None:
                seen[ind.variable] = None
            for opt in ind.options:
                for part in opt.parts:
                    seen[part.variable] = None
        return list(seen)


def available_presets() -> list[str]:
    """Names of the presets shipped with gezondewijk."""
    folder = resources.files("gezondewijk.scoring") / "presets"
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_preset(name_or_path: str | Path) -> Preset:
    """Load a shipped preset by name (``"eindhoven-8"``) or a user's copy by path.

    Raises
    ------
    PresetError
        When the file is missing, is not valid TOML, or breaks the schema; the message names
        the key and the fix.
    """
    text: str
    where: str
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise PresetError(
                f"preset file {candidate} not found; check the path, or use one of "
                f"the shipped presets: {', '.join(available_presets())}."
            )
        text, where = candidate.read_text(encoding="utf-8"), str(candidate)
    else:
        names = available_presets()
        if str(name_or_path) not in names:
            raise PresetError(
                f"unknown preset '{name_or_path}'; choose one of {', '.join(names)}"
                " or give the path of a .toml file."
            )
        res = resources.files("gezondewijk.scoring") / "presets" / f"{name_or_path}.toml"
        text, where = res.read_text(encoding="utf-8"), f"preset {name_or_path}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{where}: not valid TOML ({exc}); fix the syntax at that line.") from exc
    try:
        return Preset.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise PresetError(f"{where}: {problems}. Fix these keys (see docs/presets.md).") from exc

"""The interventions catalogue and the measures a fact sheet suggests."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gezondewijk.leefplekmeter.themes import theme_keys


class ScenarioDefault(BaseModel):
    """How a measure becomes a change of a scenario when it is drawn on the map."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The kind of change (see :data:`gezondewijk.scenarios.model.KINDS`).
    soort: str
    #: The amount unless the drawing gives one (dB, µg/m³ less; inhabitants).
    waarde: float = 0.0
    #: Why this amount, with its source.
    uitleg: str = ""


class Measure(BaseModel):
    """One measure of the catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    title: str
    description: str
    type: Literal["hardware", "software", "orgware"]
    pbl: Literal["beschermen", "bevorderen", "faciliteren"]
    indicators: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    example: str = ""
    #: The changes the measure makes on the map, for scenarios (empty: not on the map).
    scenario: list[ScenarioDefault] = Field(default_factory=list)


@cache
def load_catalogue() -> tuple[Measure, ...]:
    """The shipped catalogue (``interventions/catalogue.toml``), validated."""
    text = (resources.files("gezondewijk.interventions") / "catalogue.toml").read_text("utf-8")
    measures = tuple(Measure.model_validate(m) for m in tomllib.loads(text)["measures"])
    unknown = {t for m in measures for t in m.themes} - set(theme_keys())
    if unknown:
        raise ValueError(f"catalogue names unknown Leefplekmeter themes: {sorted(unknown)}")
    return measures


def suggest(indicators_on: list[str], low_themes: list[str], k: int = 4) -> list[Measure]:
    """Measures that address the area's worst indicators and lowest-scoring themes.

    Notes
    -----
    A measure scores 2 for each indicator that is "on" in the area and 1 for each of the
    residents' lowest themes it addresses; the ``k`` highest (at least 1 point) are returned,
    ties in catalogue order.
    """
    scored = []
    for order, m in enumerate(load_catalogue()):
        points = 2 * len(set(m.indicators) & set(indicators_on)) + len(
            set(m.themes) & set(low_themes)
        )
        if points:
            scored.append((-points, order, m))
    return [m for _, _, m in sorted(scored, key=lambda t: (t[0], t[1]))[:k]]

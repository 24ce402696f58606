"""The work forms of the GezondIn workbook (chapter 5) as typed data, read from ``forms.toml``.

Each work form has steps with the workbook's timing; a step's ``input`` says what
participants do in it (see the comment at the top of ``forms.toml``). The texts shown to
participants are Dutch first, English second.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gezondewijk._errors import ConfigError, validation_problems

if TYPE_CHECKING:
    from gezondewijk.werkvormen.inputs import InputKind


def _kinds() -> dict[str, InputKind]:
    # the kinds' modules read this catalogue's types, so they load when first needed
    from gezondewijk.werkvormen.inputs import input_kinds

    return input_kinds()


#: The domains a participant can choose.
DOMAINS: dict[str, dict[str, str]] = {
    "sociaal": {"nl": "Sociaal domein", "en": "Social domain"},
    "fysiek": {"nl": "Fysiek domein", "en": "Physical domain"},
    "anders": {"nl": "Anders", "en": "Other"},
}


class Text(BaseModel):
    """A text in Dutch and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Texts(BaseModel):
    """A list of texts in Dutch and English, item by item."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nl: tuple[str, ...]
    en: tuple[str, ...]

    @model_validator(mode="after")
    def _same_length(self) -> Texts:
        if len(self.nl) != len(self.en):
            raise ValueError(f"{len(self.nl)} Dutch and {len(self.en)} English items")
        return self


class Step(BaseModel):
    """One step of a work form, with the workbook's duration.

    ``minutes`` is the step's own time; ``minutes_per_group`` is added per group (pitches,
    reports back), so the time shown depends on the workshop's number of groups.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: Text
    minutes: int = Field(ge=0, le=600)
    minutes_per_group: int = Field(default=0, ge=0, le=60)
    input: str
    prompt: Text | None = None
    categories: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    moment: Literal["voor", "na"] | None = None
    min_entries: int = Field(default=0, ge=0)
    homework: bool = False

    @property
    def kind(self) -> InputKind:
        """The kind of this step's input (:mod:`gezondewijk.werkvormen.inputs`)."""
        return _kinds()[self.input]

    @model_validator(mode="after")
    def _consistent(self) -> Step:
        kinds = _kinds()
        if self.input not in kinds:
            raise ValueError(f"input '{self.input}' is none of: {', '.join(kinds)}")
        kind = kinds[self.input]
        for name in ("options", "moment", "categories"):
            if getattr(self, name) and name not in kind.step_fields:
                users = [k.key for k in kinds.values() if name in k.step_fields]
                raise ValueError(f"only input {' or '.join(users)} has {name}")
        problem = kind.check_step(self) if kind.check_step else None
        if problem:
            raise ValueError(problem)
        if self.minutes == 0 and self.minutes_per_group == 0:
            raise ValueError("a step takes time: set minutes or minutes_per_group")
        return self

    def duration(self, groups: int = 1) -> int:
        """Minutes this step takes with ``groups`` groups."""
        return self.minutes + self.minutes_per_group * max(groups, 1)


class WorkForm(BaseModel):
    """A work form: what it is for, for how many people, its steps, guidance and tips.

    ``people`` is ``[least, most]`` (``0``: no upper limit); ``group_size`` the most people
    per group (``0``: one plenary group, ``2``: pairs).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: Text
    goal: Text
    people: tuple[int, int]
    group_size: int = Field(ge=0)
    needs_domain: bool
    source: str
    guidance: Text
    tips: Texts
    steps: tuple[Step, ...] = Field(alias="stap", min_length=1)

    @model_validator(mode="after")
    def _unique_steps(self) -> WorkForm:
        keys = [s.key for s in self.steps]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"step keys used twice: {', '.join(twice)}")
        asks_domain = any(s.kind.asks_domain for s in self.steps)
        if asks_domain and not self.needs_domain:
            raise ValueError("steps per domain need needs_domain = true")
        return self

    @property
    def needs_area(self) -> bool:
        """Whether the work form takes place somewhere (a walk): a buurt is chosen for it."""
        return any(s.kind.needs_area for s in self.steps)

    def duration(self, groups: int = 1, *, homework: bool = False) -> int:
        """Minutes of the whole work form (homework steps only when asked)."""
        return sum(s.duration(groups) for s in self.steps if homework or not s.homework)

    def step(self, key: str) -> Step:
        """The step with this key.

        Raises
        ------
        KeyError
            With the keys there are.
        """
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(f"{self.key} has no step '{key}'; steps: {[s.key for s in self.steps]}")


def parse_work_forms(text: str, *, source: str = "forms.toml") -> dict[str, WorkForm]:
    """Work forms from TOML text (the format of the package's ``forms.toml``).

    Raises
    ------
    ConfigError
        Naming the file, the work form and the field at fault.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    forms: dict[str, WorkForm] = {}
    for i, raw in enumerate(data.get("werkvorm", [])):
        label = raw.get("key", f"werkvorm {i + 1}") if isinstance(raw, dict) else i + 1
        try:
            form = WorkForm.model_validate(raw)
        except ValidationError as exc:
            problems = validation_problems(exc)
            raise ConfigError(f"{source}: werkvorm '{label}': {problems}") from None
        if form.key in forms:
            raise ConfigError(f"{source}: werkvorm '{form.key}' appears twice")
        forms[form.key] = form
    if not forms:
        raise ConfigError(f"{source}: no [[werkvorm]] tables")
    return forms


@cache
def work_forms() -> dict[str, WorkForm]:
    """The six work forms of the workbook, by key, in the workbook's order."""
    text = resources.files("gezondewijk.werkvormen").joinpath("forms.toml").read_text("utf-8")
    return parse_work_forms(text)

"""Validated input of one filled-in Leefplekmeter form (API, web form or paper entry)."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.modes import MODES, Mode
from gezondewijk.leefplekmeter.themes import SCALES, theme_keys

MAX_TEXT = 2000
#: The age bands a form offers (``""``: not given).
AgeBand = Literal["", "0-11", "12-17", "18-34", "35-54", "55-74", "75+"]
AGE_BANDS: tuple[AgeBand, ...] = get_args(AgeBand)
#: The bands children are offered: only theirs.
CHILDREN_AGE_BANDS: tuple[AgeBand, ...] = ("0-11", "12-17")


def age_bands_for(variant: str) -> tuple[AgeBand, ...]:
    """The age bands a form of this variant offers (not ``""``): children see only theirs."""
    return CHILDREN_AGE_BANDS if variant == "children" else AGE_BANDS[1:]


#: Who fills in a form.
RespondentType = Literal["bewoner", "professional"]
RESPONDENT_TYPES: tuple[RespondentType, ...] = get_args(RespondentType)
#: The fields of a stored form that exports and result tables carry (besides its id).
FORM_FIELDS = (
    "submitted_on",
    "mode",
    "respondent_type",
    "age_band",
    "gender",
    "buurtcode",
    "group_size",
    "variant",
    "language",
)


class AnswerIn(BaseModel):
    """One theme's answer."""

    model_config = ConfigDict(extra="forbid", strict=True)

    theme: str = Field(json_schema_extra={"enum": list[Any](theme_keys())})
    score: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=10,
        description="on the campaign's scale (1-10, 1-7 or 1-3)",
    )
    dont_know: bool = False
    good: str = Field(default="", max_length=MAX_TEXT)
    better: str = Field(default="", max_length=MAX_TEXT)

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, v: str) -> str:
        if v not in theme_keys():
            raise ValueError(f"unknown theme '{v}'; use one of {', '.join(theme_keys())}")
        return v


class SubmissionIn(BaseModel):
    """A whole form. Scores are checked against the campaign's scale by :func:`validate`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    form_token: str = Field(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_.\-]+$")
    mode: Mode = "individual"
    respondent_type: RespondentType = "bewoner"
    age_band: AgeBand = ""
    gender: Literal["", "vrouw", "man", "anders"] = ""
    buurtcode: str = Field(default="", max_length=10)
    group_size: int = Field(default=1, ge=1, le=100)
    language: Literal["nl", "en"] = "nl"
    answers: list[AnswerIn] = Field(min_length=1, max_length=14)


def validate(data: object, *, scale: str, areas: list[str]) -> SubmissionIn:
    """Validate a submission against the schema, the campaign's scale and its buurten.

    Raises
    ------
    InputDataErrors
        Listing every field at fault (e.g. ``answers.3.score``) with the fix; nothing is stored.
    """
    try:
        sub = SubmissionIn.model_validate(data)
    except ValidationError as exc:
        raise InputDataErrors(
            InputDataError(
                err["msg"],
                field=".".join(str(p) for p in err["loc"]),
                fix="zie de API-beschrijving (/docs) / see the API description",
            )
            for err in exc.errors()
        ) from exc
    return check(sub, scale=scale, areas=areas)


def check(sub: SubmissionIn, *, scale: str, areas: list[str]) -> SubmissionIn:
    """Check a parsed submission against the campaign's scale and its buurten.

    Raises
    ------
    InputDataErrors
        Listing every field at fault with the fix; nothing is stored.
    """
    sc = SCALES[scale]
    problems = []
    seen: set[str] = set()
    for i, ans in enumerate(sub.answers):
        if ans.theme in seen:
            problems.append(
                InputDataError(
                    f"theme '{ans.theme}' answered twice",
                    field=f"answers.{i}.theme",
                    fix="answer it once",
                )
            )
        seen.add(ans.theme)
        if ans.score is not None and not sc.low <= ans.score <= sc.high:
            problems.append(
                InputDataError(
                    f"score {ans.score} is outside the scale {sc.low}–{sc.high}",
                    field=f"answers.{i}.score",
                    fix=f"give a whole number from {sc.low} to {sc.high}",
                )
            )
        if ans.score is not None and ans.dont_know:
            problems.append(
                InputDataError(
                    "a score and 'weet ik niet' together",
                    field=f"answers.{i}.dont_know",
                    fix="give a score or tick 'weet ik niet', not both",
                )
            )
    if sub.buurtcode and sub.buurtcode not in areas:
        problems.append(
            InputDataError(
                f"buurt '{sub.buurtcode}' is not in this campaign",
                field="buurtcode",
                fix="choose one of the campaign's buurten",
            )
        )
    if not MODES[sub.mode].counts_people and sub.group_size != 1:
        problems.append(
            InputDataError(
                "group_size is only for mode 'group' (or a paper form of a group session)",
                field="group_size",
                fix="leave it at 1 or use mode 'group'",
            )
        )
    if problems:
        raise InputDataErrors(problems)
    return sub

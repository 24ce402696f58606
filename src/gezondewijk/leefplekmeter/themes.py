"""The 14 Leefplekmeter themes, their question wording per variant, and the answer scales."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, get_args

Variant = Literal["standard", "b1", "youth", "children"]
Language = Literal["nl", "en"]
VARIANTS: tuple[Variant, ...] = get_args(Variant)
#: The variants that address the reader as "je" (youth and children); the others say "u".
INFORMAL_VARIANTS: frozenset[str] = frozenset({"youth", "children"})


def addresses_informally(variant: str) -> bool:
    """Whether a form of this variant says "je" to the reader (else "u")."""
    return variant in INFORMAL_VARIANTS


@dataclass(frozen=True)
class Scale:
    """An answer scale; every stored answer carries its scale's key.

    Attributes
    ----------
    key
        Stable identifier stored with each answer.
    low, high
        Lowest and highest score; higher is always better.
    labels
        Dutch and English anchor words for the lowest and highest point.
    """

    key: str
    low: int
    high: int
    label: dict[str, str]
    anchors: dict[str, tuple[str, str]]

    def normalise(self, score: float) -> float:
        """Map a score onto 0 (worst) … 1 (best), to compare scales."""
        return (score - self.low) / (self.high - self.low)

    def points(self) -> list[int]:
        """All scores of the scale, low to high."""
        return list(range(self.low, self.high + 1))


SCALES: dict[str, Scale] = {
    s.key: s
    for s in [
        Scale(
            "cijfer10",
            1,
            10,
            {"nl": "rapportcijfer 1–10", "en": "school mark 1–10"},
            {
                "nl": ("1 = heel slecht", "10 = uitstekend"),
                "en": ("1 = very poor", "10 = excellent"),
            },
        ),
        Scale(
            "place7",
            1,
            7,
            {"nl": "Place Standard 1–7", "en": "Place Standard 1–7"},
            {
                "nl": ("1 = veel ruimte voor verbetering", "7 = weinig ruimte voor verbetering"),
                "en": ("1 = a lot of room for improvement", "7 = little room for improvement"),
            },
        ),
        Scale(
            "jeugd7",
            1,
            7,
            {"nl": "jongeren 1–7", "en": "youth 1–7"},
            {
                "nl": ("1 = echt slecht", "7 = echt goed"),
                "en": ("1 = really bad", "7 = really good"),
            },
        ),
        Scale(
            "kind3",
            1,
            3,
            {"nl": "kinderen: 3 gezichtjes", "en": "children: 3 faces"},
            {"nl": ("1 = niet fijn", "3 = fijn"), "en": ("1 = not nice", "3 = nice")},
        ),
    ]
}

#: The scale each variant uses unless the organiser picks another.
DEFAULT_SCALE: dict[Variant, str] = {
    "standard": "cijfer10",
    "b1": "cijfer10",
    "youth": "jeugd7",
    "children": "kind3",
}


@dataclass(frozen=True)
class Theme:
    """One Leefplekmeter theme."""

    key: str
    name: dict[str, str]
    questions: dict[str, dict[str, str]]

    def question(self, variant: str, language: str) -> str:
        """The question wording for a variant and language."""
        return self.questions[variant][language]


@cache
def themes() -> tuple[Theme, ...]:
    """The 14 themes in the Leefplekmeter's order."""
    text = (resources.files("gezondewijk.leefplekmeter") / "questions.toml").read_text("utf-8")
    data = tomllib.loads(text)
    return tuple(
        Theme(t["key"], dict(t["name"]), {v: dict(t[v]) for v in VARIANTS}) for t in data["themes"]
    )


def theme_keys() -> list[str]:
    """Keys of the 14 themes, in order."""
    return [t.key for t in themes()]

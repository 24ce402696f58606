"""How numbers, dates and coded values look on every page: one Dutch format, Dutch labels.

Templates use the filters ``nl1`` / ``nl`` (numbers), ``datum`` (dates) and ``label`` (coded
values such as a campaign's mode); nothing else formats numbers, so a value reads the same on
every page (``16,7`` not ``16.7``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from gezondewijk.leefplekmeter.campaigns import MODE_LABELS, STATUS_LABELS, VARIANT_LABELS
from gezondewijk.leefplekmeter.moderation import REVIEW_LABELS
from gezondewijk.leefplekmeter.submission import AGE_BANDS, age_bands_for
from gezondewijk.leefplekmeter.themes import SCALES
from gezondewijk.number_format import dutch_date, dutch_date_text, dutch_number, for_unit

#: Labels of coded values users see, per kind.
LABELS: dict[str, dict[str, str]] = {
    "mode": MODE_LABELS,
    "variant": VARIANT_LABELS,
    "status": STATUS_LABELS,
    "review": REVIEW_LABELS,
    "scale": {k: s.label["nl"] for k, s in SCALES.items()},
    "respondent_type": {"bewoner": "bewoners", "professional": "professionals"},
    "age_band": {b: f"{b} jaar" for b in AGE_BANDS if b},
}


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def clock(value: datetime | None) -> str:
    """A moment as ``14:05``, Dutch time (Europe/Amsterdam)."""
    if value is None:
        return "–"
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(AMSTERDAM).strftime("%H:%M")


def label(value: Any, kind: str) -> str:
    """The Dutch label of a coded value (the value itself where none is known)."""
    return LABELS.get(kind, {}).get(str(value), str(value))


def install_filters(env: Environment) -> None:
    """Register the filters on a Jinja2 environment."""
    env.filters["nl1"] = dutch_number
    env.filters["unit"] = for_unit
    env.filters["nl"] = dutch_number
    env.filters["datum"] = dutch_date
    env.filters["isodatum"] = dutch_date_text
    env.filters["klok"] = clock
    env.filters["label"] = label
    env.globals["age_bands_for"] = age_bands_for

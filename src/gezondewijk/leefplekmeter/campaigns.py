"""A campaign's settings as organisers enter them, validated once, and its state on a given day.

The web form, the API and scripts all go through :func:`parse_campaign` and
:func:`campaign_state`; routes only pass the posted fields on and show the problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.area_codes import is_buurt_code
from gezondewijk.leefplekmeter.modes import MODE_LABELS, MODES
from gezondewijk.leefplekmeter.themes import DEFAULT_SCALE, SCALES, VARIANTS, Language, Variant
from gezondewijk.number_format import dutch_date

__all__ = ["MODE_LABELS"]  # the organiser's form and the exports read it from here

#: How a campaign collects forms (:mod:`gezondewijk.leefplekmeter.modes`).
CAMPAIGN_MODES: tuple[str, ...] = tuple(MODES)
#: States an organiser sets; the period is checked on top of them.
STATUSES: tuple[str, ...] = ("open", "paused", "closed")

#: Dutch labels of the values users see (organiser pages, exports' legends).
VARIANT_LABELS = {
    "standard": "standaard",
    "b1": "B1 (eenvoudige taal)",
    "youth": "jongeren 12+",
    "children": "kinderen (3 gezichtjes)",
}
STATUS_LABELS = {"open": "open", "paused": "gepauzeerd", "closed": "gesloten"}


class CampaignIn(BaseModel):
    """A campaign's settings, validated (see :func:`parse_campaign`)."""

    title: str = Field(min_length=1, max_length=200)
    intro: str = Field(default="", max_length=4000)
    variant: Variant = "standard"
    scale: str = "cijfer10"
    language: Language = "nl"
    mode: str = "individual"
    areas: list[str] = Field(default_factory=list)
    area_names: list[str] = Field(default_factory=list)
    starts_on: date | None = None
    ends_on: date | None = None


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


def split_names(text: str, codes: int) -> list[str]:
    """Buurt names separated by ``;`` or new lines (a name may hold a comma).

    Names separated by commas only are read as such when that gives one name per code
    and ``;`` does not (forms filled in before names could hold commas).
    """
    names = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    by_comma = [p.strip() for p in text.split(",") if p.strip()]
    if len(names) == 1 and codes > 1 and len(by_comma) == codes:
        return by_comma
    return names


#: A CBS buurt code inside a typed or picked text ("Centrum (BU03630000)").
_BUURT_CODE = re.compile(r"\bBU\d{4}[0-9A-Z]{4}\b")


def resolve_areas(
    typed: str, lookup: Callable[[str], tuple[str, str] | None]
) -> tuple[str, str] | None:
    """Buurten picked or typed by name or code → the ``areas`` and ``area_names`` fields.

    Parameters
    ----------
    typed
        Buurten separated by ``;`` or new lines, each a name, a code, or the picker's
        "Naam (BU…)"; codes may also be separated by commas.
    lookup
        A name or code → ``(code, name)`` in the map's run, or ``None`` (unknown).

    Returns
    -------
    tuple or None
        Codes and names, each joined by ``"; "``; ``None`` when a part is neither a code nor
        a known name (the form then reports it as it is).
    """
    codes: list[str] = []
    names: list[str] = []
    for chunk in re.split(r"[;\n]", typed):
        chunk = chunk.strip()
        if not chunk:
            continue
        found = _BUURT_CODE.findall(chunk.upper())
        if not found:
            hit = lookup(chunk)
            if hit is None:
                return None
            found = [hit[0]]
        for code in found:
            hit = lookup(code)
            codes.append(code)
            names.append(hit[1] if hit else "")
    if not codes:
        return None
    return "; ".join(codes), "; ".join(names) if all(names) else ""


def parse_campaign(form: Mapping[str, str], *, today: date | None = None) -> CampaignIn:
    """Validate a campaign's fields as posted (text) and return the typed settings.

    Parameters
    ----------
    form
        ``title, intro, variant, scale, language, mode, areas, area_names, starts_on,
        ends_on``; ``areas`` separated by ``;`` or commas, ``area_names`` by ``;``
        (:func:`split_names`), dates ``jjjj-mm-dd``.

    Raises
    ------
    InputDataErrors
        Every field at fault, in Dutch, with the fix; nothing is stored then.
    """
    problems: list[InputDataError] = []

    def bad(field: str, problem: str, fix: str) -> None:
        problems.append(InputDataError(problem, field=field, fix=fix))

    title = form.get("title", "").strip()
    if not title or len(title) > 200:
        bad("title", "de titel ontbreekt of is te lang", "vul een titel in van hooguit 200 tekens")
    intro = form.get("intro", "").strip()
    if len(intro) > 4000:
        bad("intro", "de introductietekst is te lang", "kort hem in tot hooguit 4000 tekens")
    variant = form.get("variant", "standard") or "standard"
    if variant not in VARIANTS:
        bad("variant", f"onbekende variant '{variant[:20]}'", f"kies een van {', '.join(VARIANTS)}")
        variant = "standard"
    scale = form.get("scale", "") or DEFAULT_SCALE[variant]  # type: ignore[index]
    if scale not in SCALES:
        bad("scale", f"onbekende schaal '{scale[:20]}'", f"kies een van {', '.join(SCALES)}")
    mode = form.get("mode", "individual") or "individual"
    if mode not in CAMPAIGN_MODES:
        bad("mode", f"onbekende werkwijze '{mode[:20]}'", "kies een werkwijze uit de lijst")
    codes = [c.upper() for c in _split(form.get("areas", ""))]
    wrong = [c for c in codes if not is_buurt_code(c)]
    if wrong:
        bad(
            "areas",
            f"{', '.join(w[:14] for w in wrong[:5])} is geen buurtcode",
            "gebruik CBS-buurtcodes: BU en 8 tekens, zoals BU07721110",
        )
    if len(set(codes)) != len(codes):
        bad("areas", "een buurtcode staat er twee keer in", "noem elke buurt één keer")
    names = split_names(form.get("area_names", ""), len(codes))
    if names and len(names) != len(codes):
        bad(
            "area_names",
            f"{len(names)} buurtnamen voor {len(codes)} buurtcodes",
            "geef evenveel namen als codes, in dezelfde volgorde (of laat de namen leeg)",
        )
    dates: dict[str, date | None] = {}
    for field, label in (("starts_on", "begindatum"), ("ends_on", "einddatum")):
        value = form.get(field, "").strip()
        try:
            dates[field] = date.fromisoformat(value) if value else None
        except ValueError:
            bad(field, f"de {label} '{value[:20]}' is geen datum", "gebruik jjjj-mm-dd")
            dates[field] = None
    start, end = dates["starts_on"], dates["ends_on"]
    if start and end and end < start:
        bad("ends_on", "de einddatum ligt vóór de begindatum", "kies een einddatum na het begin")
    if today is not None and end is not None and end < today:
        bad(
            "ends_on",
            f"de einddatum {dutch_date(end)} ligt in het verleden: bewoners "
            "kunnen dan niets meer invullen",
            "kies een einddatum vanaf vandaag, of laat hem leeg",
        )
    if problems:
        raise InputDataErrors(problems)
    return CampaignIn(
        title=title,
        intro=intro,
        variant=variant,  # type: ignore[arg-type]
        scale=scale,
        language="en" if form.get("language") == "en" else "nl",
        mode=mode,
        areas=codes,
        area_names=names,
        starts_on=start,
        ends_on=end,
    )


@dataclass(frozen=True)
class CampaignState:
    """Whether a campaign accepts forms today, and what residents are told when it does not."""

    accepts: bool
    key: Literal["open", "not_started", "ended", "paused", "closed"]
    message: dict[str, str]


def campaign_state(
    status: str, starts_on: date | None, ends_on: date | None, today: date
) -> CampaignState:
    """Whether forms are accepted on ``today``: the organiser's status, then the period.

    The period includes its first and last day.
    """
    if status == "closed":
        return CampaignState(
            False,
            "closed",
            {
                "nl": "Deze campagne is gesloten. Bedankt voor uw belangstelling.",
                "en": "This campaign is closed. Thank you for your interest.",
            },
        )
    if status == "paused":
        return CampaignState(
            False,
            "paused",
            {
                "nl": "Deze campagne is even gepauzeerd. Probeer het later opnieuw.",
                "en": "This campaign is paused for now. Please try again later.",
            },
        )
    if starts_on is not None and today < starts_on:
        when = dutch_date(starts_on)
        return CampaignState(
            False,
            "not_started",
            {
                "nl": f"Deze campagne begint op {when}. U kunt dan meedoen.",
                "en": f"This campaign starts on {starts_on.isoformat()}.",
            },
        )
    if ends_on is not None and today > ends_on:
        when = dutch_date(ends_on)
        return CampaignState(
            False,
            "ended",
            {
                "nl": f"Deze campagne is afgelopen op {when}. Er kunnen geen formulieren meer "
                "bij. Bedankt voor uw belangstelling.",
                "en": f"This campaign ended on {ends_on.isoformat()}; no more forms are accepted.",
            },
        )
    return CampaignState(True, "open", {"nl": "", "en": ""})


def today_nl() -> date:
    """Today's date in the Netherlands (campaign periods are Dutch calendar days)."""
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()

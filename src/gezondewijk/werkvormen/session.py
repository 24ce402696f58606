"""A werksessie as plain data: its plan of steps, and the checking of what people enter.

The web app stores and shows; this module decides what a workshop consists of and whether
a piece of input is acceptable, with Dutch messages that name the field (the same rules for
the web form, the JSON export and the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.interventions import load_catalogue
from gezondewijk.werkvormen.catalogue import DOMAINS, Step, WorkForm, work_forms
from gezondewijk.werkvormen.walk import group_label, parse_group_web

#: Longest text of one piece of input, and of its short fields (owner, for whom).
MAX_TEXT = 500
MAX_SHORT = 120
MAX_NAME = 40
MAX_TITLE = 200
MAX_GROUPS = 20
#: Pieces of input one participant may add to one step (a paste-loop cannot flood a wall).
MAX_ENTRIES_PER_STEP = 60
#: People who may join one workshop.
MAX_PARTICIPANTS = 300

#: How strongly space can address a cause (work form 5.5).
RELATIONS: dict[str, str] = {
    "++": "sterk (++)",
    "+/-": "enigszins (+/-)",
    "-": "nauwelijks (-)",
}
#: The four fields of the quick-win / impact board (work form 5.6).
QUADRANTS: dict[str, str] = {
    "snel-groot": "Snel te doen, grote impact",
    "snel-klein": "Snel te doen, kleine impact",
    "traag-groot": "Kost tijd, grote impact",
    "traag-klein": "Kost tijd, kleine impact",
}
#: Input kinds stored as entries, per step input (``uitleg``, ``dia`` and ``koppelen`` take
#: no typed entries of their own).
ENTRY_INPUTS = frozenset(
    {
        "ideeen",
        "aanbod",
        "vraag",
        "stressoren",
        "oorzaken",
        "kansen",
        "stemming",
        "afspraken",
        "spinnenweb",
    }
)


@dataclass(frozen=True)
class PlannedStep:
    """A step of a work form as planned in one workshop."""

    form_key: str
    step_key: str
    minutes: int

    @property
    def form(self) -> WorkForm:
        """The work form this step belongs to."""
        return work_forms()[self.form_key]

    @property
    def step(self) -> Step:
        """The step's definition in the catalogue."""
        return self.form.step(self.step_key)


@dataclass(frozen=True)
class WorkshopIn:
    """A checked request for a new workshop."""

    title: str
    series: str
    forms: tuple[str, ...]
    groups: int


@dataclass(frozen=True)
class EntryIn:
    """A checked piece of input: its text, category and kind-specific fields."""

    text: str
    category: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def plan(form_keys: tuple[str, ...] | list[str], groups: int = 1) -> list[PlannedStep]:
    """The steps of the chosen work forms in order, with minutes for ``groups`` groups.

    Raises
    ------
    KeyError
        For a work form that is not in the catalogue.
    """
    catalogue = work_forms()
    steps: list[PlannedStep] = []
    for key in form_keys:
        form = catalogue[key]
        steps += [PlannedStep(key, s.key, s.duration(groups)) for s in form.steps]
    return steps


def _clean(value: object, limit: int) -> str:
    text = value if isinstance(value, str) else ""
    # control characters other than line breaks go (they only ever come from paste accidents
    # or attempts to confuse a projector or spreadsheet)
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    return text.strip()[: limit + 1]


def parse_workshop(form: Mapping[str, Any]) -> WorkshopIn:
    """Check a facilitator's new-workshop form.

    ``form["forms"]`` is the list of chosen work form keys (in the order to run them).

    Raises
    ------
    InputDataErrors
        Every field at fault, with a Dutch message and the fix.
    """
    errors: list[InputDataError] = []
    title = _clean(form.get("title"), MAX_TITLE)
    if not title:
        errors.append(InputDataError("Geef de sessie een titel.", field="title"))
    elif len(title) > MAX_TITLE:
        errors.append(InputDataError(f"Titel langer dan {MAX_TITLE} tekens.", field="title"))
    series = _clean(form.get("series"), MAX_SHORT)[:MAX_SHORT]
    raw = form.get("forms") or []
    keys = [raw] if isinstance(raw, str) else [k for k in raw if isinstance(k, str)]
    known = work_forms()
    unknown = [k for k in keys if k not in known]
    if unknown:
        errors.append(
            InputDataError(
                f"Onbekende werkvorm: {', '.join(k[:40] for k in unknown)}.",
                field="forms",
                fix=f"kies uit {', '.join(known)}",
            )
        )
    if not keys:
        errors.append(InputDataError("Kies minstens één werkvorm.", field="forms"))
    try:
        groups = int(str(form.get("groups") or "1"))
    except ValueError:
        groups = 0
    if not 1 <= groups <= MAX_GROUPS:
        errors.append(
            InputDataError(
                f"Aantal groepen moet een heel getal van 1 tot en met {MAX_GROUPS} zijn.",
                field="groups",
            )
        )
    if errors:
        raise InputDataErrors(errors)
    return WorkshopIn(title, series, tuple(dict.fromkeys(keys)), groups)


def parse_name(name: object, domain: object, *, needs_domain: bool) -> tuple[str, str]:
    """A participant's display name and domain, checked.

    Raises
    ------
    InputDataErrors
        When the name is empty or too long, or the domain is missing where it is needed.
    """
    errors: list[InputDataError] = []
    clean = " ".join(_clean(name, MAX_NAME).split())
    if not clean:
        errors.append(InputDataError("Vul een naam in (mag een voornaam zijn).", field="name"))
    elif len(clean) > MAX_NAME:
        errors.append(InputDataError(f"Naam langer dan {MAX_NAME} tekens.", field="name"))
    dom = domain if isinstance(domain, str) else ""
    if dom and dom not in DOMAINS:
        errors.append(InputDataError("Kies sociaal, fysiek of anders.", field="domain"))
    elif needs_domain and not dom:
        errors.append(
            InputDataError(
                "Kies het domein waarin u werkt: sociaal, fysiek of anders.", field="domain"
            )
        )
    if errors:
        raise InputDataErrors(errors)
    return clean, dom


def _text(
    errors: list[InputDataError], form: Mapping[str, Any], name: str, label: str, limit: int
) -> str:
    value = _clean(form.get(name), limit)
    if len(value) > limit:
        errors.append(
            InputDataError(
                f"{label} is langer dan {limit} tekens.", field=name, fix="kort de tekst in"
            )
        )
    return value[:limit]


def parse_entry(
    step: Step, form: Mapping[str, Any], *, domain: str = "", groups: int = 1
) -> EntryIn:
    """Check one piece of input for ``step`` (its ``input`` kind decides the fields).

    Fields per kind: ``text`` always (the vote's option for ``stemming``); ``category``
    for ``ideeen`` (one of the step's categories) and ``oorzaken`` (health theme and target
    group); ``everyone`` (``ja``/``nee``) and ``for_whom`` for ``stressoren``; ``relation``
    and ``solution`` for ``oorzaken``; ``quadrant`` for ``kansen``; ``owner`` and ``due``
    for ``afspraken``; ``group`` and ``score_<theme>`` for ``spinnenweb`` (a group's
    Leefplekmeter, :func:`gezondewijk.werkvormen.walk.parse_group_web`; ``groups`` is the
    workshop's number of groups).

    Raises
    ------
    InputDataErrors
        Every field at fault, in Dutch; nothing is stored then.
    """
    kind = step.input
    if kind not in ENTRY_INPUTS:
        raise InputDataErrors([InputDataError("In deze stap wordt niets ingevuld.", field="text")])
    errors: list[InputDataError] = []
    detail: dict[str, Any] = {}
    category = ""
    if kind == "stemming":
        choice = form.get("text")
        if choice not in step.options:
            errors.append(InputDataError("Kies een van de mogelijkheden.", field="text"))
            choice = ""
        if errors:
            raise InputDataErrors(errors)
        return EntryIn(str(choice))
    if kind == "spinnenweb":
        note = _text(errors, form, "text", "De opmerking", MAX_TEXT)
        try:
            fields = parse_group_web(step.moment or "", form, groups=groups)
        except InputDataErrors as exc:
            errors += exc.errors
        if errors:
            raise InputDataErrors(errors)
        return EntryIn(note, group_label(fields["group"]), fields)
    text = _text(errors, form, "text", "De tekst", MAX_TEXT)
    if not text:
        errors.append(InputDataError("Vul iets in.", field="text"))
    if kind in ("aanbod", "vraag") and domain not in DOMAINS:
        errors.append(
            InputDataError("Geef eerst uw domein op (sociaal, fysiek of anders).", field="domain")
        )
    if kind == "ideeen" and step.categories:
        category = str(form.get("category") or "")
        if category not in step.categories:
            errors.append(
                InputDataError(
                    "Kies de dimensie waar het bij past.",
                    field="category",
                    fix=f"een van: {', '.join(step.categories)}",
                )
            )
    elif kind == "stressoren":
        everyone = form.get("everyone") or ""
        if everyone not in ("ja", "nee"):
            errors.append(
                InputDataError(
                    "Geef aan of dit voor iedereen in dezelfde mate geldt (ja of nee).",
                    field="everyone",
                )
            )
        for_whom = _text(errors, form, "for_whom", "'Voor wie niet'", MAX_SHORT)
        if everyone == "nee" and not for_whom:
            errors.append(
                InputDataError(
                    "Voor wie geldt het sterker of minder? Vul een groep in.", field="for_whom"
                )
            )
        detail = {"everyone": everyone == "ja", "for_whom": for_whom if everyone == "nee" else ""}
    elif kind == "oorzaken":
        category = _text(errors, form, "category", "Thema en doelgroep", MAX_SHORT)
        if not category:
            errors.append(
                InputDataError(
                    "Vul het gezondheidsthema en de doelgroep in "
                    "(bijv. eenzaamheid onder ouderen).",
                    field="category",
                )
            )
        relation = form.get("relation") or ""
        if relation and relation not in RELATIONS:
            errors.append(InputDataError("Kies ++, +/- of -.", field="relation"))
        solution = _text(errors, form, "solution", "De oplossing", MAX_TEXT)
        measure = _text(errors, form, "measure", "De maatregel", MAX_SHORT)
        measures = {m.title: m.key for m in load_catalogue()}
        if measure and measure not in measures:
            errors.append(
                InputDataError(
                    f"'{measure[:60]}' staat niet in de catalogus van maatregelen.",
                    field="measure",
                    fix="kies een maatregel uit de lijst, of laat het veld leeg",
                )
            )
        detail = {
            "relation": relation,
            "solution": solution,
            "measure": measure,
            "measure_key": measures.get(measure, ""),
        }
    elif kind == "kansen":
        quadrant = form.get("quadrant") or ""
        if quadrant not in QUADRANTS:
            errors.append(
                InputDataError(
                    "Kies waar de kans op het bord hoort (snel of traag, grote of kleine impact).",
                    field="quadrant",
                )
            )
        detail = {"quadrant": quadrant}
    elif kind == "afspraken":
        owner = _text(errors, form, "owner", "'Wie'", MAX_SHORT)
        if not owner:
            errors.append(InputDataError("Wie pakt het op? Vul een naam in.", field="owner"))
        due_raw = str(form.get("due") or "").strip()
        due = ""
        if due_raw:
            try:
                due = date.fromisoformat(due_raw[:10]).isoformat()
            except ValueError:
                errors.append(
                    InputDataError(
                        "Datum niet herkend.",
                        field="due",
                        fix="gebruik de datumkiezer (JJJJ-MM-DD)",
                    )
                )
        from_step = str(form.get("from_step") or "")
        detail = {
            "owner": owner,
            "due": due,
            "from_step": int(from_step) if from_step.isdigit() else None,
        }
    if errors:
        raise InputDataErrors(errors)
    return EntryIn(text, category, detail)


def vote_shares(options: tuple[str, ...], votes: list[str]) -> list[tuple[str, int, float]]:
    """(option, votes, share 0 … 1) of each option in the step's order."""
    total = len(votes)
    return [(o, votes.count(o), votes.count(o) / total if total else 0.0) for o in options]

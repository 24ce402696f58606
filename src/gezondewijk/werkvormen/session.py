"""A werksessie as plain data: its plan of steps, and the checking of what people enter.

The web app stores and shows; this module decides what a workshop consists of and whether
a piece of input is acceptable, with Dutch messages that name the field (the same rules for
the web form, the JSON export and the tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.werkvormen.catalogue import DOMAINS, Step, WorkForm, work_forms
from gezondewijk.werkvormen.inputs import EntryIn, ParseContext, input_kind
from gezondewijk.werkvormen.inputs.base import MAX_SHORT, clean

MAX_NAME = 40
MAX_TITLE = 200
MAX_GROUPS = 20
#: Pieces of input one participant may add to one step (a paste-loop cannot flood a wall).
MAX_ENTRIES_PER_STEP = 60
#: People who may join one workshop.
MAX_PARTICIPANTS = 300

__all__ = ["MAX_SHORT", "EntryIn"]  # re-exported: the store and tests check input through here


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


def parse_workshop(form: Mapping[str, Any]) -> WorkshopIn:
    """Check a facilitator's new-workshop form.

    ``form["forms"]`` is the list of chosen work form keys (in the order to run them).

    Raises
    ------
    InputDataErrors
        Every field at fault, with a Dutch message and the fix.
    """
    errors: list[InputDataError] = []
    title = clean(form.get("title"), MAX_TITLE)
    if not title:
        errors.append(InputDataError("Geef de sessie een titel.", field="title"))
    elif len(title) > MAX_TITLE:
        errors.append(InputDataError(f"Titel langer dan {MAX_TITLE} tekens.", field="title"))
    series = clean(form.get("series"), MAX_SHORT)[:MAX_SHORT]
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
    display = " ".join(clean(name, MAX_NAME).split())
    if not display:
        errors.append(InputDataError("Vul een naam in (mag een voornaam zijn).", field="name"))
    elif len(display) > MAX_NAME:
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
    return display, dom


def parse_entry(
    step: Step, form: Mapping[str, Any], *, domain: str = "", groups: int = 1
) -> EntryIn:
    """Check one piece of input for ``step``: its input kind parses it.

    The fields per kind are documented with each kind's ``parse`` in
    :mod:`gezondewijk.werkvormen.inputs` (``text`` always; ``domain`` is the sender's,
    ``groups`` the workshop's number of groups).

    Raises
    ------
    InputDataErrors
        Every field at fault, in Dutch; nothing is stored then.
    """
    kind = input_kind(step.input)
    if kind.parse is None:
        raise InputDataErrors([InputDataError("In deze stap wordt niets ingevuld.", field="text")])
    return kind.parse(step, form, ParseContext(domain=domain, groups=groups))

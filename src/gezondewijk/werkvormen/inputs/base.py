"""What one kind of step input is: how it parses, stores, arranges and which template shows it.

A work form's step says what participants do in it (``input`` in ``forms.toml``). Each such
kind is one :class:`InputKind`, registered once from its own module in this package
(``register``), with one template ``web/templates/inputs/<key>.html`` holding the macros
``form()`` (what people fill in) and ``region()`` (how the step's input is shown), and
``panel()`` where the step shows something above its input. The store, the views and the
templates ask the kind, never its name; a new kind is one module and one template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from gezondewijk._errors import InputDataError

if TYPE_CHECKING:
    from gezondewijk.werkvormen.catalogue import Step

#: Longest text of one piece of input, and of its short fields (owner, for whom).
MAX_TEXT = 500
MAX_SHORT = 120


class EntryLike(Protocol):
    """A stored piece of input, as the kinds read it (the store's ``WorkshopEntry``)."""

    id: int
    step_id: int
    participant_id: int | None
    author: str
    domain: str
    kind: str
    text: str
    category: str


@dataclass(frozen=True)
class EntryIn:
    """A checked piece of input: its text, category and kind-specific fields."""

    text: str
    category: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParseContext:
    """What checking a piece of input may depend on besides the form itself."""

    #: The sender's domain (``sociaal``, ``fysiek``, ``anders``; empty when not asked).
    domain: str = ""
    #: The workshop's number of groups.
    groups: int = 1


@dataclass
class Item:
    """An entry as shown: the row and its kind-specific fields, plus notes (e.g. look-alikes)."""

    entry: Any
    extra: dict[str, Any]
    notes: list[str] = field(default_factory=list)


class WorkshopSource(Protocol):
    """What arranging one step may read of the rest of its workshop (the web reads the store)."""

    #: The workshop's number of groups.
    groups: int

    def items_in_form(
        self, inputs: frozenset[str] | None = None, *, before: bool = False
    ) -> list[Item]:
        """Input of the steps of the same work form whose kind is in ``inputs`` (all: ``None``).

        ``before``: only steps before this one. Every entry kind of those steps, oldest first.
        """
        ...

    def steps_in_form(self, *, before: bool = False) -> list[tuple[int, Step]]:
        """(stored step id, definition) of the steps of the same work form, in order."""
        ...

    def step_titles(self, *, started: bool = False) -> dict[int, str]:
        """Stored step id → Dutch title, for every step of the workshop (or the started ones)."""
        ...


@dataclass
class Arrangement:
    """How a step's input is shown: its items, in groups, with kind-specific data."""

    step_id: int
    spec: Step
    items: list[Item]
    groups: list[tuple[str, list[Item]]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FormState:
    """What the input form of a step starts from for one participant.

    ``mine``: what this participant sent in the step, oldest first; ``step_entries``: all
    input of the step; ``workshop_entries``: the participant's input in the whole workshop.
    """

    mine: list[Item]
    step_entries: list[Item]
    workshop_entries: list[Item]


Parser = Callable[["Step", Mapping[str, Any], ParseContext], EntryIn]
Arranger = Callable[[Arrangement, WorkshopSource], None]
Starter = Callable[[FormState], dict[str, Any]]
StepCheck = Callable[["Step"], str | None]


def _stored_as_form(entry: EntryLike, stored: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's stored fields as the fields of its form (an edit may send only the text)."""
    return {
        "text": entry.text,
        "category": entry.category,
        **{k: v for k, v in stored.items() if v is not None},
    }


@dataclass(frozen=True)
class InputKind:
    """One kind of step input (the ``input`` of a step in ``forms.toml``).

    Attributes
    ----------
    key
        The name in ``forms.toml`` and the stored entries' ``kind``.
    description
        What participants do, in English (for the catalogue's documentation).
    parse
        Checks a posted form into an :class:`EntryIn`; ``None``: nothing is entered.
    arrange
        Groups the step's items and adds the data its template shows; ``None``: as sent.
    start
        The values the input form starts from for one participant (``FormState``).
    stored_as_form
        The form fields of a stored entry, so that an edit that sends only the text keeps
        the rest.
    check_step
        Checks a step definition of this kind (a problem in English, or ``None``).
    replaces
        ``"own"``: a participant's new input replaces their earlier one in the step (a vote);
        ``"group"``: it replaces the input of the same group (``category``); ``""``: it adds.
    asks_domain
        Participants say their domain when joining a workshop with this kind.
    participants_add, lead_adds
        Whether participants, and the facilitator, fill in the form.
    lead_add_label
        The facilitator's summary line above the form.
    step_fields
        The optional fields of a step definition this kind uses (``options``, ``moment``,
        ``categories``); a step of another kind may not set them.
    needs_area
        The work form has a place (the walk): the facilitator chooses a buurt.
    shows_guidance
        The step is the facilitator's explanation: the work form's guidance is open.
    shows_run_figures
        The step shows the loaded run's figures on health inequalities (a slide).
    follows
        Whether a step of this kind shows input of other steps too (so that any change in
        the workshop may change it).
    """

    key: str
    description: str
    parse: Parser | None = None
    arrange: Arranger | None = None
    start: Starter | None = None
    stored_as_form: Callable[[EntryLike, Mapping[str, Any]], dict[str, Any]] = _stored_as_form
    check_step: StepCheck | None = None
    replaces: Literal["", "own", "group"] = ""
    asks_domain: bool = False
    participants_add: bool = True
    lead_adds: bool = True
    lead_add_label: str = "Zelf iets toevoegen"
    step_fields: frozenset[str] = frozenset()
    needs_area: bool = False
    shows_guidance: bool = False
    shows_run_figures: bool = False
    follows: Callable[[Step], bool] = lambda step: False

    @property
    def template(self) -> str:
        """The template with this kind's ``form()``, ``region()`` and optional ``panel()``."""
        return f"inputs/{self.key}.html"

    @property
    def stores_entries(self) -> bool:
        """Whether people enter anything in a step of this kind."""
        return self.parse is not None


_KINDS: dict[str, InputKind] = {}


def register(kind: InputKind) -> InputKind:
    """Add ``kind`` to the registry (once per key)."""
    if kind.key in _KINDS:
        raise ValueError(f"input kind '{kind.key}' is registered twice")
    _KINDS[kind.key] = kind
    return kind


def registered() -> dict[str, InputKind]:
    """The registered kinds by key (filled when :mod:`gezondewijk.werkvormen.inputs` loads)."""
    return _KINDS


def clean(value: object, limit: int) -> str:
    """A posted text without control characters (bar line breaks), trimmed, at most one over.

    One character over ``limit`` is kept so that :func:`text_field` can say it is too long.
    """
    text = value if isinstance(value, str) else ""
    # control characters other than line breaks go (they only ever come from paste accidents
    # or attempts to confuse a projector or spreadsheet)
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    return text.strip()[: limit + 1]


def text_field(
    errors: list[InputDataError], form: Mapping[str, Any], name: str, label: str, limit: int
) -> str:
    """The cleaned text field ``name``; a Dutch error in ``errors`` when it is too long."""
    value = clean(form.get(name), limit)
    if len(value) > limit:
        errors.append(
            InputDataError(
                f"{label} is langer dan {limit} tekens.", field=name, fix="kort de tekst in"
            )
        )
    return value[:limit]


def required_text(errors: list[InputDataError], form: Mapping[str, Any]) -> str:
    """The entry's main text (``text``), which must not be empty."""
    text = text_field(errors, form, "text", "De tekst", MAX_TEXT)
    if not text:
        errors.append(InputDataError("Vul iets in.", field="text"))
    return text


def group_items(
    items: list[Item], keys: list[str], key_of: Callable[[Item], str]
) -> list[tuple[str, list[Item]]]:
    """``items`` under ``keys`` in that order (other keys after them, as met)."""
    groups: dict[str, list[Item]] = {k: [] for k in keys}
    for item in items:
        groups.setdefault(key_of(item), []).append(item)
    return list(groups.items())

"""``stemming``: a vote between the step's ``options``; a new vote replaces one's earlier vote."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.werkvormen.inputs.base import (
    Arrangement,
    EntryIn,
    FormState,
    InputKind,
    ParseContext,
    WorkshopSource,
    register,
)

if TYPE_CHECKING:
    from gezondewijk.werkvormen.catalogue import Step


def vote_shares(options: tuple[str, ...], votes: list[str]) -> list[tuple[str, int, float]]:
    """(option, votes, share 0 … 1) of each option in the step's order."""
    total = len(votes)
    return [(o, votes.count(o), votes.count(o) / total if total else 0.0) for o in options]


def parse(step: Step, form: Mapping[str, Any], context: ParseContext) -> EntryIn:
    """The chosen option (``text``), one of the step's options."""
    choice = form.get("text")
    if choice not in step.options:
        raise InputDataErrors([InputDataError("Kies een van de mogelijkheden.", field="text")])
    return EntryIn(str(choice))


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """Votes and share per option."""
    view.data = {"shares": vote_shares(view.spec.options, [i.entry.text for i in view.items])}


def start(state: FormState) -> dict[str, Any]:
    """The participant's vote so far (the form shows it chosen)."""
    last = state.mine[-1].entry if state.mine else None
    return {"my_vote": last.text if last is not None and last.kind == "stemming" else ""}


def check_step(step: Step) -> str | None:
    """A vote needs at least two options."""
    return "a vote (input 'stemming') needs at least two options" if len(step.options) < 2 else None


STEMMING = register(
    InputKind(
        key="stemming",
        description="a vote between `options`",
        parse=parse,
        step_fields=frozenset({"options"}),
        arrange=arrange,
        start=start,
        check_step=check_step,
        replaces="own",
        lead_adds=False,
    )
)

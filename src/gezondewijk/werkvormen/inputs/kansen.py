"""``kansen``: opportunities placed on a board of quick win against impact (2 × 2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.werkvormen.inputs.base import (
    Arrangement,
    EntryIn,
    InputKind,
    ParseContext,
    WorkshopSource,
    group_items,
    register,
    required_text,
)

if TYPE_CHECKING:
    from gezondewijk.werkvormen.catalogue import Step

#: The four fields of the quick-win / impact board (work form 5.6).
QUADRANTS: dict[str, str] = {
    "snel-groot": "Snel te doen, grote impact",
    "snel-klein": "Snel te doen, kleine impact",
    "traag-groot": "Kost tijd, grote impact",
    "traag-klein": "Kost tijd, kleine impact",
}


def parse(step: Step, form: Mapping[str, Any], context: ParseContext) -> EntryIn:
    """An opportunity (``text``) and its field on the board (``quadrant``)."""
    errors: list[InputDataError] = []
    text = required_text(errors, form)
    quadrant = form.get("quadrant") or ""
    if quadrant not in QUADRANTS:
        errors.append(
            InputDataError(
                "Kies waar de kans op het bord hoort (snel of traag, grote of kleine impact).",
                field="quadrant",
            )
        )
    if errors:
        raise InputDataErrors(errors)
    return EntryIn(text, detail={"quadrant": quadrant})


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """The four fields of the board, in order, each with its opportunities."""
    groups = group_items(view.items, list(QUADRANTS), lambda i: i.extra.get("quadrant", ""))
    view.groups = [(QUADRANTS.get(k, k), items) for k, items in groups]
    view.data = {"quadrants": QUADRANTS}


KANSEN = register(
    InputKind(
        key="kansen",
        description="opportunities placed on quick win versus impact (2x2)",
        parse=parse,
        arrange=arrange,
    )
)

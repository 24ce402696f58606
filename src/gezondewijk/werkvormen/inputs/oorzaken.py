"""``oorzaken``: causes per health theme, how strongly space can address them, and solutions.

Work form 5.5 of the GezondIn workbook: per health theme and target group, at least
``min_entries`` causes, each with its relation with space (``++``, ``+/-``, ``-``), a spatial
solution and, where one fits, a measure of the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.interventions import load_catalogue
from gezondewijk.werkvormen.inputs.base import (
    MAX_SHORT,
    MAX_TEXT,
    Arrangement,
    EntryIn,
    FormState,
    InputKind,
    ParseContext,
    WorkshopSource,
    group_items,
    register,
    required_text,
    text_field,
)

if TYPE_CHECKING:
    from gezondewijk.werkvormen.catalogue import Step

#: How strongly space can address a cause (work form 5.5).
RELATIONS: dict[str, str] = {
    "++": "sterk (++)",
    "+/-": "enigszins (+/-)",
    "-": "nauwelijks (-)",
}


def parse(step: Step, form: Mapping[str, Any], context: ParseContext) -> EntryIn:
    """A cause (``text``) under ``category`` (theme and target group), with its fields."""
    errors: list[InputDataError] = []
    text = required_text(errors, form)
    category = text_field(errors, form, "category", "Thema en doelgroep", MAX_SHORT)
    if not category:
        errors.append(
            InputDataError(
                "Vul het gezondheidsthema en de doelgroep in (bijv. eenzaamheid onder ouderen).",
                field="category",
            )
        )
    relation = form.get("relation") or ""
    if relation and relation not in RELATIONS:
        errors.append(InputDataError("Kies ++, +/- of -.", field="relation"))
    solution = text_field(errors, form, "solution", "De oplossing", MAX_TEXT)
    measure = text_field(errors, form, "measure", "De maatregel", MAX_SHORT)
    measures = {m.title: m.key for m in load_catalogue()}
    if measure and measure not in measures:
        errors.append(
            InputDataError(
                f"'{measure[:60]}' staat niet in de catalogus van maatregelen.",
                field="measure",
                fix="kies een maatregel uit de lijst, of laat het veld leeg",
            )
        )
    if errors:
        raise InputDataErrors(errors)
    detail = {
        "relation": relation,
        "solution": solution,
        "measure": measure,
        "measure_key": measures.get(measure, ""),
    }
    return EntryIn(text, category, detail)


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """One table per theme; the goal of causes per theme; the measures to choose from."""
    view.groups = group_items(view.items, [], lambda i: i.entry.category)
    view.data = {
        "relations": RELATIONS,
        "least": view.spec.min_entries,
        "measures": [m.title for m in load_catalogue()],
    }


def start(state: FormState) -> dict[str, Any]:
    """The theme the participant used last (the next cause is often of the same theme)."""
    last = state.mine[-1].entry if state.mine else None
    return {"last_theme": last.category if last is not None and last.kind == "oorzaken" else ""}


OORZAKEN = register(
    InputKind(
        key="oorzaken",
        description="a table of causes, relation with space (++, +/-, -) and solutions",
        parse=parse,
        arrange=arrange,
        start=start,
    )
)

"""``ideeen``: short texts, under one of the step's categories where it has them."""

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


def parse(step: Step, form: Mapping[str, Any], context: ParseContext) -> EntryIn:
    """A text (``text``), with ``category`` one of the step's categories where it has them."""
    errors: list[InputDataError] = []
    text = required_text(errors, form)
    category = ""
    if step.categories:
        category = str(form.get("category") or "")
        if category not in step.categories:
            errors.append(
                InputDataError(
                    "Kies de dimensie waar het bij past.",
                    field="category",
                    fix=f"een van: {', '.join(step.categories)}",
                )
            )
    if errors:
        raise InputDataErrors(errors)
    return EntryIn(text, category)


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """Under the step's categories, in their order, where it has them."""
    if view.spec.categories:
        view.groups = group_items(
            view.items, list(view.spec.categories), lambda i: i.entry.category
        )


IDEEEN = register(
    InputKind(
        key="ideeen",
        description="short texts, optionally under a category (`categories`)",
        parse=parse,
        step_fields=frozenset({"categories"}),
        arrange=arrange,
    )
)

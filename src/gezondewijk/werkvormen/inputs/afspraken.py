"""``afspraken``: actions with an owner, a date and the step they came from."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.werkvormen.agreements import Agreement
from gezondewijk.werkvormen.inputs.base import (
    MAX_SHORT,
    Arrangement,
    EntryIn,
    EntryLike,
    InputKind,
    ParseContext,
    WorkshopSource,
    register,
    required_text,
    text_field,
)

if TYPE_CHECKING:
    from gezondewijk.werkvormen.catalogue import Step


def parse(step: Step, form: Mapping[str, Any], context: ParseContext) -> EntryIn:
    """An action (``text``), who takes it up (``owner``), by when (``due``) and from where."""
    errors: list[InputDataError] = []
    text = required_text(errors, form)
    owner = text_field(errors, form, "owner", "'Wie'", MAX_SHORT)
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
                    "Datum niet herkend.", field="due", fix="gebruik de datumkiezer (JJJJ-MM-DD)"
                )
            )
    if errors:
        raise InputDataErrors(errors)
    from_step = str(form.get("from_step") or "")
    detail = {
        "owner": owner,
        "due": due,
        "from_step": int(from_step) if from_step.isdigit() else None,
    }
    return EntryIn(text, detail=detail)


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """Each action with the title of the step it came from; the steps to choose from."""
    titles = source.step_titles()
    for item in view.items:
        origin = item.extra.get("from_step")
        if origin in titles:
            item.extra["from_title"] = titles[origin]
    view.data = {"sources": source.step_titles(started=True)}


def agreements_of(
    entries: list[tuple[EntryLike, Mapping[str, Any]]], titles: Mapping[int, str]
) -> list[Agreement]:
    """The workshop's actions (entries of kind ``afspraken``, with their fields) as agreements.

    The source step is the one the action came from, else the step it was added in.
    """
    rows = []
    for entry, fields in entries:
        if entry.kind != "afspraken":
            continue
        source = fields.get("from_step") or entry.step_id
        rows.append(
            Agreement(
                entry.text,
                str(fields.get("owner", "")),
                str(fields.get("due", "")),
                titles.get(source, ""),
                entry.author,
            )
        )
    return rows


AFSPRAKEN = register(
    InputKind(
        key="afspraken",
        description="actions with an owner and a date",
        parse=parse,
        arrange=arrange,
        follows=lambda step: True,
    )
)

"""``stressoren``: stressors, each once, with "geldt dit voor iedereen in dezelfde mate?"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.werkvormen.inputs.base import (
    MAX_SHORT,
    Arrangement,
    EntryIn,
    EntryLike,
    InputKind,
    Item,
    ParseContext,
    WorkshopSource,
    register,
    required_text,
    text_field,
)

if TYPE_CHECKING:
    from gezondewijk.werkvormen.catalogue import Step

#: Look-alikes shown next to a stressor.
LOOK_ALIKES = 2


def parse(step: Step, form: Mapping[str, Any], context: ParseContext) -> EntryIn:
    """A stressor; ``everyone`` (``ja``/``nee``) and, with ``nee``, ``for_whom``."""
    errors: list[InputDataError] = []
    text = required_text(errors, form)
    everyone = form.get("everyone") or ""
    if everyone not in ("ja", "nee"):
        errors.append(
            InputDataError(
                "Geef aan of dit voor iedereen in dezelfde mate geldt (ja of nee).",
                field="everyone",
            )
        )
    for_whom = text_field(errors, form, "for_whom", "'Voor wie niet'", MAX_SHORT)
    if everyone == "nee" and not for_whom:
        errors.append(
            InputDataError(
                "Voor wie geldt het sterker of minder? Vul een groep in.", field="for_whom"
            )
        )
    if errors:
        raise InputDataErrors(errors)
    return EntryIn(
        text,
        detail={"everyone": everyone == "ja", "for_whom": for_whom if everyone == "nee" else ""},
    )


def stored_as_form(entry: EntryLike, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The stored ``everyone`` (true/false) back as the form's ``ja``/``nee``."""
    fields = {"text": entry.text, "category": entry.category}
    fields |= {k: v for k, v in stored.items() if k != "everyone" and v is not None}
    if "everyone" in stored:
        fields["everyone"] = "ja" if stored["everyone"] else "nee"
    return fields


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """Each stressor with look-alikes named before it in this work form (this step or earlier).

    Look-alikes are :func:`gezondewijk.werkvormen.matching.near_duplicates` of the text.
    """
    # scikit-learn loads only when stressors are shown
    from gezondewijk.werkvormen.matching import near_duplicates

    earlier: list[Item] = source.items_in_form(before=True)
    for n, item in enumerate(view.items):
        before = earlier + view.items[:n]
        found = near_duplicates([b.entry.text for b in before], item.entry.text)
        for i, _score in found[:LOOK_ALIKES]:
            item.notes.append(before[i].entry.text)


STRESSOREN = register(
    InputKind(
        key="stressoren",
        description='stressors, each once, with "geldt dit voor iedereen in dezelfde mate?"',
        parse=parse,
        arrange=arrange,
        stored_as_form=stored_as_form,
    )
)

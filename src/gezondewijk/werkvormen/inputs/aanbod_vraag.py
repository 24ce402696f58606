"""``aanbod`` and ``vraag``: what one's domain offers the other domain, and what it needs.

The two halves of the matching work form (5.2); ``koppelen`` sets them side by side. The
sender's domain is asked when joining and stored with each entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.werkvormen.catalogue import DOMAINS
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


def domain_of(domain: str) -> str:
    """A stored domain, or ``anders`` when it is none of :data:`DOMAINS`."""
    return domain if domain in DOMAINS else "anders"


def parse(step: Step, form: Mapping[str, Any], context: ParseContext) -> EntryIn:
    """A text; the sender must have a domain."""
    errors: list[InputDataError] = []
    text = required_text(errors, form)
    if context.domain not in DOMAINS:
        errors.append(
            InputDataError("Geef eerst uw domein op (sociaal, fysiek of anders).", field="domain")
        )
    if errors:
        raise InputDataErrors(errors)
    return EntryIn(text)


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """Per domain (the ones with input), under the domain's Dutch name."""
    groups = group_items(view.items, list(DOMAINS), lambda i: domain_of(i.entry.domain))
    view.groups = [(DOMAINS[k]["nl"], items) for k, items in groups if items]


AANBOD = register(
    InputKind(
        key="aanbod",
        description="what my domain can offer the other domain (needs a domain)",
        parse=parse,
        arrange=arrange,
        asks_domain=True,
    )
)
VRAAG = register(
    InputKind(
        key="vraag",
        description="what my domain needs from the other domain (needs a domain)",
        parse=parse,
        arrange=arrange,
        asks_domain=True,
    )
)

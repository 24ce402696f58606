"""``koppelen``: offers of one domain next to needs of the other, with suggested pairs.

The facilitator confirms or rejects a suggested pair; the decision is stored in the step as
an entry of kind :data:`DECISION`, and a confirmed pair becomes an agreement in the work
form's ``afspraken`` step (:func:`agreement_of_pair`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gezondewijk.werkvormen.catalogue import DOMAINS
from gezondewijk.werkvormen.inputs.base import (
    Arrangement,
    EntryIn,
    EntryLike,
    InputKind,
    WorkshopSource,
    register,
)

#: The stored kind of a facilitator's decision on a pair.
DECISION = "koppel"
#: A decision: confirmed (``ja``) or rejected (``nee``).
VERDICTS = ("ja", "nee")


def answers(offer_domain: str, need_domain: str) -> bool:
    """Whether an offer can answer a need: one domain's offer answers *another* domain's need.

    The point of the work form (GezondIn workbook § 5.2) is to connect the social and the
    physical domain, so an offer and a need of the same domain are never suggested.
    """
    return offer_domain != need_domain


@dataclass(frozen=True)
class Pair:
    """A suggested offer–need pair with its text similarity (0 … 1)."""

    offer: Any
    need: Any
    score: float


def suggested_pairs(
    offers: Sequence[EntryLike],
    needs: Sequence[EntryLike],
    decided: set[tuple[int, int]],
) -> list[Pair]:
    """Pairs whose words look alike, across domains, not decided yet, best first.

    The similarity is :func:`gezondewijk.werkvormen.matching.suggest_matches`'s.
    """
    # scikit-learn loads only when a matching board is shown
    from gezondewijk.werkvormen.matching import suggest_matches

    pairs = []
    for match in suggest_matches([e.text for e in offers], [e.text for e in needs]):
        offer, need = offers[match.offer], needs[match.need]
        if answers(offer.domain, need.domain) and (offer.id, need.id) not in decided:
            pairs.append(Pair(offer, need, match.score))
    return pairs


def decision(offer: EntryLike, need: EntryLike, verdict: str) -> EntryIn:
    """The stored decision on a pair (kind :data:`DECISION`).

    Raises
    ------
    ValueError
        For a verdict other than ``ja`` or ``nee``.
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    return EntryIn(
        f"{offer.text} ↔ {need.text}",
        detail={"offer": offer.id, "need": need.id, "verdict": verdict},
    )


def agreement_of_pair(offer: EntryLike, need: EntryLike, from_step: int) -> EntryIn:
    """The agreement a confirmed pair becomes: both authors own it; it links to ``from_step``."""
    owners = " en ".join(dict.fromkeys([offer.author, need.author]))
    return EntryIn(
        f"Aanbod '{offer.text}' koppelen aan vraag '{need.text}'",
        detail={"owner": owners, "due": "", "from_step": from_step},
    )


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """Offers and needs per domain, suggested pairs and the confirmed ones."""
    # one read for the three kinds of step, split by the step each entry is in
    kind_of = {step_id: spec.input for step_id, spec in source.steps_in_form()}
    items = source.items_in_form(frozenset({"aanbod", "vraag", "koppelen"}))
    offers = [i.entry for i in items if kind_of[i.entry.step_id] == "aanbod"]
    needs = [i.entry for i in items if kind_of[i.entry.step_id] == "vraag"]
    decided: dict[tuple[int, int], str] = {}
    for item in items:
        if kind_of[item.entry.step_id] == "koppelen" and item.entry.kind == DECISION:
            pair = (int(item.extra.get("offer", 0)), int(item.extra.get("need", 0)))
            decided[pair] = str(item.extra.get("verdict", ""))
    by_id = {e.id: e for e in [*offers, *needs]}
    confirmed = [
        (by_id[o], by_id[n])
        for (o, n), verdict in decided.items()
        if verdict == "ja" and o in by_id and n in by_id
    ]
    columns = [
        (
            DOMAINS[d]["nl"],
            [e for e in offers if e.domain == d],
            [e for e in needs if e.domain == d],
        )
        for d in DOMAINS
        if any(e.domain == d for e in [*offers, *needs])
    ]
    view.data = {
        "suggestions": suggested_pairs(offers, needs, set(decided)),
        "confirmed": confirmed,
        "columns": columns,
    }


KOPPELEN = register(
    InputKind(
        key="koppelen",
        description="offers of one domain next to needs of the other, with suggested matches",
        arrange=arrange,
        participants_add=False,
        lead_adds=False,
        follows=lambda step: True,
    )
)

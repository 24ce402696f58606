"""The kinds of step input: one registered object each, and the domain rules they carry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gezondewijk._errors import ConfigError, InputDataErrors
from gezondewijk.web.format import install_filters
from gezondewijk.werkvormen.catalogue import parse_work_forms, work_forms
from gezondewijk.werkvormen.inputs import EntryIn, FormState, Item, input_kind, input_kinds
from gezondewijk.werkvormen.inputs.afspraken import agreements_of
from gezondewijk.werkvormen.inputs.koppelen import (
    agreement_of_pair,
    answers,
    decision,
    suggested_pairs,
)
from gezondewijk.werkvormen.inputs.spinnenweb import group_of_last_web
from gezondewijk.werkvormen.inputs.spinnenweb import start as web_start
from tests.test_werkvormen import MINIMAL

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src" / "gezondewijk" / "web" / "templates"


@dataclass
class Entry:
    id: int
    text: str
    domain: str = ""
    author: str = ""
    kind: str = ""
    category: str = ""
    step_id: int = 1
    participant_id: int | None = None
    updated_at: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))


def test_every_step_of_the_catalogue_has_a_registered_kind() -> None:
    used = {s.input for f in work_forms().values() for s in f.steps}
    assert used <= set(input_kinds())
    assert set(input_kinds()) <= used, "a registered kind that no work form uses"


def test_every_kind_has_its_template_with_the_macros_it_needs() -> None:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    install_filters(env)
    for kind in input_kinds().values():
        module = env.get_template(kind.template).module
        assert hasattr(module, "region"), kind.key
        takes_input = kind.participants_add or kind.lead_adds
        assert hasattr(module, "form") == takes_input, kind.key
        assert kind.stores_entries == takes_input, kind.key


def test_no_page_or_route_names_an_input_kind() -> None:
    """Templates and routes ask the kind (its attributes), never compare its name."""
    names = "|".join(input_kinds())
    pattern = re.compile(rf"""(kind|input)\s*(==|!=|in|not in)\s*\(?["']({names})["']""")
    places = [*TEMPLATES.glob("*.html"), *(ROOT / "src" / "gezondewijk" / "web").glob("*.py")]
    places += [ROOT / "src" / "gezondewijk" / "store" / "workshops.py"]
    found = [f"{p.name}: {m.group(0)}" for p in places for m in pattern.finditer(p.read_text())]
    assert not found, found
    # and the check itself sees such a comparison
    assert pattern.search('{% if v.kind == "stemming" %}')


def test_an_unknown_kind_in_a_work_form_names_the_kinds_there_are() -> None:
    text = MINIMAL.replace('"stemming"\nOPTIONS', '"tekening"')
    with pytest.raises(ConfigError, match=r"tekening.*none of: .*stemming"):
        parse_work_forms(text)
    vote_with_moment = MINIMAL.replace("OPTIONS", 'options = ["a", "b"]\nmoment = "na"')
    with pytest.raises(ConfigError, match="only input spinnenweb has moment"):
        parse_work_forms(vote_with_moment)


def test_input_kind_names_the_ones_there_are() -> None:
    with pytest.raises(KeyError, match=r"no input kind 'tekening'; there are: .*afspraken"):
        input_kind("tekening")


def test_an_offer_answers_only_another_domains_need() -> None:
    assert answers("sociaal", "fysiek")
    assert answers("fysiek", "anders")
    assert not answers("sociaal", "sociaal")


def test_suggested_pairs_cross_domains_and_skip_decided_ones() -> None:
    offers = [
        Entry(1, "wandelgroep voor ouderen in het park", "sociaal"),
        Entry(2, "bankjes in het park voor ouderen", "fysiek"),
    ]
    needs = [Entry(3, "ouderen willen wandelen in het park", "fysiek")]
    pairs = suggested_pairs(offers, needs, set())
    assert [(p.offer.id, p.need.id) for p in pairs] == [(1, 3)]
    assert 0 < pairs[0].score <= 1
    assert suggested_pairs(offers, needs, {(1, 3)}) == []


def test_a_decision_and_the_agreement_a_confirmed_pair_becomes() -> None:
    offer = Entry(1, "Wandelgroep", "sociaal", "Anna")
    need = Entry(2, "Bankjes", "fysiek", "Bram")
    assert decision(offer, need, "ja") == EntryIn(
        "Wandelgroep ↔ Bankjes", detail={"offer": 1, "need": 2, "verdict": "ja"}
    )
    with pytest.raises(ValueError, match="verdict"):
        decision(offer, need, "misschien")
    agreement = agreement_of_pair(offer, need, from_step=7)
    assert agreement.detail == {"owner": "Anna en Bram", "due": "", "from_step": 7}
    same = agreement_of_pair(offer, Entry(3, "x", "fysiek", "Anna"), from_step=7)
    assert same.detail["owner"] == "Anna"


def test_agreements_come_from_actions_only_with_their_source_step() -> None:
    rows = agreements_of(
        [
            (
                Entry(1, "Bankje plaatsen", kind="afspraken", step_id=4, author="Anna"),
                {"owner": "Gemeente", "due": "2027-03-01", "from_step": 2},
            ),
            (Entry(2, "Iets", kind="ideeen", step_id=1), {}),
            (Entry(3, "Wandelroute", kind="afspraken", step_id=4), {"owner": "GGD"}),
        ],
        {2: "Koppelen", 4: "Afspraken"},
    )
    assert [(r.what, r.owner, r.due, r.step) for r in rows] == [
        ("Bankje plaatsen", "Gemeente", "2027-03-01", "Koppelen"),
        ("Wandelroute", "GGD", "", "Afspraken"),
    ]


def test_the_group_of_the_web_sent_last() -> None:
    early = datetime(2026, 1, 1, 10, tzinfo=UTC)
    late = datetime(2026, 1, 1, 11, tzinfo=UTC)
    items = [
        Item(Entry(5, "", kind="spinnenweb", updated_at=late), {"group": 2}),
        Item(Entry(9, "", kind="spinnenweb", updated_at=early), {"group": 3}),
        Item(Entry(10, "idee", kind="ideeen", updated_at=late), {}),
    ]
    assert group_of_last_web(items) == 2
    assert group_of_last_web([]) == 0
    step = [
        Item(Entry(5, "", kind="spinnenweb"), {"group": 2, "scores": {"groen": 5, "lucht": None}})
    ]
    started = web_start(FormState(mine=[], step_entries=step, workshop_entries=items))
    assert started == {"my_group": 2, "group_scores": {"groen": "5", "lucht": "weet"}}


def test_a_vote_replaces_and_a_web_replaces_per_group() -> None:
    assert input_kind("stemming").replaces == "own"
    assert input_kind("spinnenweb").replaces == "group"
    assert input_kind("ideeen").replaces == ""


def test_a_kind_without_a_parser_takes_no_input() -> None:
    from gezondewijk.werkvormen.session import parse_entry

    step = next(s for f in work_forms().values() for s in f.steps if s.input == "uitleg")
    with pytest.raises(InputDataErrors, match="niets ingevuld"):
        parse_entry(step, {"text": "x"})

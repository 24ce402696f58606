"""Werkvormen: the workbook's work forms as data, and the matching of participants' texts."""

from __future__ import annotations

import pytest

from gezondewijk._errors import ConfigError
from gezondewijk.werkvormen.catalogue import parse_work_forms, work_forms
from gezondewijk.werkvormen.matching import (
    DUPLICATE_THRESHOLD,
    near_duplicates,
    normalise,
    similarities,
    suggest_matches,
)


def test_the_six_work_forms_keep_the_workbooks_timing_and_group_sizes() -> None:
    forms = work_forms()
    assert list(forms) == [
        "kennismakingsronde",
        "brengen-en-halen",
        "omgeving-en-stress",
        "wandeling",
        "oorzaak-ruimte-oplossing",
        "beleidsscan",
    ]
    # GezondIn werkboek 2026, § 5.1-5.6 ("Tijdsduur" and the minutes in "Uitvoering")
    assert forms["kennismakingsronde"].duration() == 20
    assert forms["brengen-en-halen"].duration() == 5 + 5 + 20 + 20 + 5 + 40 + 5
    assert forms["omgeving-en-stress"].duration() == 10 + 10
    wandeling = forms["wandeling"]
    assert wandeling.duration(groups=4) == 10 + 10 + 10 + 75 + 20 + 5 * 4  # ≥ 2 hours
    assert forms["oorzaak-ruimte-oplossing"].duration() == 45
    scan = forms["beleidsscan"]
    assert scan.duration(groups=6) == 10 + 5 * 6 + 30
    assert scan.duration(groups=6, homework=True) == 10 + 180 + 5 * 6 + 30
    assert {k: f.group_size for k, f in forms.items()} == {
        "kennismakingsronde": 0,
        "brengen-en-halen": 8,
        "omgeving-en-stress": 2,
        "wandeling": 6,
        "oorzaak-ruimte-oplossing": 6,
        "beleidsscan": 2,
    }
    # the six dimensions of positive health (Huber et al., BMJ 2016) as the round's headings
    assert len(forms["kennismakingsronde"].step("ronde").categories) == 6
    assert [s.moment for s in wandeling.steps if s.input == "spinnenweb"] == ["voor", "na"]
    assert forms["oorzaak-ruimte-oplossing"].step("oorzaken").min_entries == 5
    assert len(scan.step("strategie").options) == 3 and len(scan.step("afstemming").options) == 4
    assert [f.needs_domain for f in forms.values()].count(True) == 2
    for form in forms.values():  # Dutch first, English second, everywhere
        assert form.name.nl and form.name.en and len(form.tips.nl) == len(form.tips.en)
        assert all(s.title.nl and s.title.en for s in form.steps)


MINIMAL = """
[[werkvorm]]
key = "proef"
name = { nl = "Proef", en = "Test" }
goal = { nl = "Doel", en = "Aim" }
people = [2, 0]
group_size = 0
needs_domain = false
source = "test"
guidance = { nl = "Uitleg", en = "Guidance" }
tips = { nl = [], en = [] }
[[werkvorm.stap]]
key = "stem"
title = { nl = "Stemmen", en = "Vote" }
minutes = 5
input = "stemming"
OPTIONS
"""


def test_a_bad_work_form_file_says_which_form_and_field() -> None:
    good = parse_work_forms(MINIMAL.replace("OPTIONS", 'options = ["a", "b"]'))
    assert good["proef"].step("stem").duration() == 5
    with pytest.raises(ConfigError, match=r"werkvorm 'proef'.*stap.0.*two options"):
        parse_work_forms(MINIMAL.replace("OPTIONS", ""))
    with pytest.raises(ConfigError, match=r"werkvorm 'proef'.*stap.0.minutes"):
        parse_work_forms(MINIMAL.replace("OPTIONS", 'options = ["a", "b"]').replace("5\n", "-1\n"))
    with pytest.raises(ConfigError, match=r"mijn.toml: not valid TOML"):
        parse_work_forms("[[werkvorm]\n", source="mijn.toml")
    with pytest.raises(ConfigError, match="appears twice"):
        parse_work_forms(2 * MINIMAL.replace("OPTIONS", 'options = ["a", "b"]'))
    with pytest.raises(KeyError, match="no step 'x'"):
        good["proef"].step("x")


#: Stressors named in one workshop (omgeving en chronische stress), and new ones with the
#: stressor each says again in other words (None: something new), labelled by hand.
NAMED = [
    "Geluidsoverlast van verkeer",
    "Zwerfafval op straat",
    "Onveilige oversteekplaatsen",
    "Weinig groen in de buurt",
    "Hitte in de zomer",
    "Overlast van hangjongeren",
    "Slechte luchtkwaliteit",
    "Donkere straten",
    "Geen plek om elkaar te ontmoeten",
    "Schimmel in huis",
]
SAID_AGAIN = {
    "geluidoverlast door auto's en verkeer": 0,
    "veel zwerfvuil en afval op straat": 1,
    "te weinig groen": 3,
    "hittestress in de zomer": 4,
    "hangjongeren die overlast geven": 5,
    "Té wéinig GROEN!": 3,
}
NEW = ["drukke straten", "onveilig gevoel in het park", "geen bankjes", "lange wachtlijsten"]


def test_stressors_named_again_in_other_words_are_flagged_and_new_ones_not() -> None:
    for text, same in SAID_AGAIN.items():
        flagged = near_duplicates(NAMED, text)
        assert flagged and flagged[0][0] == same, (text, flagged)
        assert flagged[0][1] >= DUPLICATE_THRESHOLD
    for text in NEW:
        assert near_duplicates(NAMED, text) == [], text
    # wording, not meaning: a synonym is not caught (the facilitator still hears it)
    assert near_duplicates(NAMED, "luchtvervuiling") == []
    assert near_duplicates([], "iets") == [] and near_duplicates(NAMED, " ?! ") == []


def test_offers_are_suggested_for_the_needs_they_answer() -> None:
    offers = [
        "Kaarten met groen, hitte en geluid per buurt",
        "Contacten met sleutelfiguren en bewonersgroepen in de wijken",
        "Planning van herinrichting van straten en pleinen",
        "Budget voor vergroening van schoolpleinen",
        "Data uit de gezondheidsmonitor over eenzaamheid en overgewicht",
    ]
    needs = {  # need → the offer that answers it (hand-labelled)
        "Cijfers over gezondheid per buurt, zoals eenzaamheid": 4,
        "Wie zijn de sleutelpersonen in de wijk?": 1,
        "Vroeg weten welke straten opnieuw worden ingericht": 2,
        "Een kaart van hittestress en groen": 0,
    }
    matches = suggest_matches(offers, list(needs))
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    for j, answer in enumerate(needs.values()):
        best = next(m for m in matches if m.need == j)
        assert best.offer == answer, (j, best)
    assert all(m.offer != 3 for m in matches)  # the schoolyards answer none of these needs
    assert suggest_matches([], ["iets"]) == [] and suggest_matches(["iets"], []) == []


def test_texts_are_compared_without_case_accents_or_punctuation() -> None:
    assert normalise("  Één Café, ŠTRAAT!! ") == "een cafe straat"
    sim = similarities(["Één café"], ["een cafe"])
    assert sim.shape == (1, 1) and sim[0, 0] == pytest.approx(1.0)
    assert similarities(["", ""], ["?"]).max() == 0.0

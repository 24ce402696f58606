"""Each list of values is declared once; the rules that read them are library functions."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import get_args

from gezondewijk.leefplekmeter.campaigns import CAMPAIGN_MODES, MODE_LABELS
from gezondewijk.leefplekmeter.moderation import pending_comments
from gezondewijk.leefplekmeter.modes import MODES, PUBLIC_MODES, Mode, resident_mode
from gezondewijk.leefplekmeter.submission import SubmissionIn
from gezondewijk.leefplekmeter.themes import VARIANTS, addresses_informally
from gezondewijk.number_format import dutch_date, dutch_date_text
from gezondewijk.werkvormen.agreements import Agreement, agreements_csv

SRC = Path(__file__).resolve().parents[1] / "src" / "gezondewijk"


def test_the_modes_are_one_registry() -> None:
    assert tuple(MODES) == get_args(Mode) == CAMPAIGN_MODES
    assert PUBLIC_MODES == ("individual", "group", "walk", "kiosk")
    assert MODE_LABELS["paper"] == "papier (invoer door begeleider)"
    schema = SubmissionIn.model_json_schema()["properties"]["mode"]
    assert tuple(schema["enum"]) == CAMPAIGN_MODES
    # a paper campaign's own web form is stored as individual; the others keep their mode
    assert resident_mode("paper") == "individual"
    assert resident_mode("kiosk") == "kiosk"
    assert resident_mode("onbekend") == "individual"
    assert [m.key for m in MODES.values() if m.counts_people] == ["group", "paper"]


def test_no_page_or_check_lists_the_modes_again() -> None:
    """A mode's key is compared nowhere outside modes.py: its attributes say what it means."""
    keys = "|".join(MODES)
    pattern = re.compile(rf"""mode\s*(==|!=|in|not in)\s*\(?["']({keys})["']""")
    places = [p for p in SRC.rglob("*") if p.suffix in (".py", ".html") and "vendor" not in p.parts]
    found = [f"{p.name}: {m.group(0)}" for p in places for m in pattern.finditer(p.read_text())]
    assert not found, found


def test_je_or_u() -> None:
    assert [v for v in VARIANTS if addresses_informally(v)] == ["youth", "children"]


def test_pending_comments_count_only_texts_waiting() -> None:
    answers = {
        "good": ["Mooi park", "", "Rustig", "  "],
        "good_review": ["pending", "pending", "approved", "pending"],
        "better": ["Meer bankjes", "Minder lawaai"],
        "better_review": ["rejected", "pending"],
    }
    assert pending_comments(answers) == 2  # "Mooi park" and "Minder lawaai"


def test_dutch_dates_one_way() -> None:
    assert dutch_date(date(2026, 3, 1)) == "1-3-2026"
    assert dutch_date(None) == "–"
    assert dutch_date_text("2026-12-01") == "1-12-2026"
    assert dutch_date_text("", missing="") == ""
    assert dutch_date_text("morgen") == "morgen"
    assert "1-12-2026" in agreements_csv([Agreement("x", "y", "2026-12-01", "s", "a")])
    inline = re.compile(r"\.day\}-\{[^}]*\.month\}")
    found = [p.name for p in SRC.rglob("*.py") if inline.search(p.read_text())]
    assert found == ["number_format.py"]

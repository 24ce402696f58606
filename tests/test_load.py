"""Acknowledged Leefplekmeter answers survive load and a SIGKILL of the server."""

from __future__ import annotations

import pytest
from benchmarks.load import run_load_test

#: Takes more than a few seconds (``pytest -m "not slow"`` leaves it out).
pytestmark = pytest.mark.slow


def test_no_acknowledged_answer_is_lost_under_load_and_sigkill() -> None:
    # two worker processes: group commits from both, shared rate-limit counts in the database
    result = run_load_test(clients=60, seconds=3, workers=2, kill_after=2.0)
    assert result["acknowledged"] > 100 and result["failed"] == 0
    # every acknowledged id is stored; rows may exceed it by the forms in flight at the end
    assert result["lost"] == 0 and result["rows"] >= result["acknowledged"]
    assert result["killed_wave_acknowledged"] >= 300  # killed mid-load, not at start-up
    assert result["killed_wave_lost"] == 0
    assert result["killed_wave_failed"] > 0  # the kill really hit the wave in flight


def test_werksessie_streams_show_every_post() -> None:
    from benchmarks.workshop_load import run_workshop_load

    # 12 people post while their 12 streams are open; every stream must show every post
    result = run_workshop_load(participants=12, posts_each=4, think_s=0.2)
    assert result["posts"] == 48 and result["failed"] == 0
    assert result["pairs"] == 12 * 48 and result["lost"] == 0

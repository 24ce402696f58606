"""Acknowledged Leefplekmeter answers survive load and a SIGKILL of the server."""

from __future__ import annotations

from benchmarks.load import run_load_test


def test_no_acknowledged_answer_is_lost_under_load_and_sigkill() -> None:
    # two worker processes: group commits from both, shared rate-limit counts in the database
    result = run_load_test(clients=60, seconds=3, workers=2, kill_after=2.0)
    assert result["acknowledged"] > 100 and result["failed"] == 0
    # every acknowledged id is stored; rows may exceed it by the forms in flight at the end
    assert result["lost"] == 0 and result["rows"] >= result["acknowledged"]
    assert result["killed_wave_acknowledged"] >= 300  # killed mid-load, not at start-up
    assert result["killed_wave_lost"] == 0
    assert result["killed_wave_failed"] > 0  # the kill really hit the wave in flight

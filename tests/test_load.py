"""Acknowledged Leefplekmeter answers survive load and a SIGKILL of the server."""

from __future__ import annotations

from benchmarks.load import run_load_test


def test_no_acknowledged_answer_is_lost_under_load_and_sigkill() -> None:
    result = run_load_test(clients=60, forms=3, kill_after=0.8)
    assert result["acknowledged"] == 180
    assert result["rows"] == result["acknowledged"]
    assert result["lost"] == 0
    assert result["killed_wave_lost"] == 0
    assert int(str(result["killed_wave_failed"])) > 0  # the kill really hit the wave in flight

"""A run: the stages that build a stacked health map, its result, and monitoring over years.

:func:`build_map` runs the stages of :mod:`gezondewijk.run.stages` and returns a
:class:`MapResult` (:mod:`gezondewijk.run.result`), which :mod:`gezondewijk.outputs` writes.
"""

from gezondewijk.run.build import build_map
from gezondewijk.run.inequality import buurt_inequality
from gezondewijk.run.monitor import MonitorResult, monitor_change, write_monitor
from gezondewijk.run.result import JoinReport, MapResult

__all__ = [
    "JoinReport",
    "MapResult",
    "MonitorResult",
    "build_map",
    "buurt_inequality",
    "monitor_change",
    "write_monitor",
]

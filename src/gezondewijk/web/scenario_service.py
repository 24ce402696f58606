"""Scenarios in the web app: the run kept in memory, the scenario files, results cached.

The organiser's map viewer draws scenarios; they are saved as the same TOML + GeoJSON files
``gezondewijk scenario`` reads (:mod:`gezondewijk.scenarios.files`), in one folder that QGIS
can open too. The run (``GEZONDEWIJK_RUN_CONFIG``) is prepared once per worker process, in a
background thread that starts with the app, so that each scenario afterwards costs only its
own changes (:func:`gezondewijk.scenarios.run_scenario`, seconds on a city). Results are
kept for the few scenarios last asked for, keyed by the files' modification times, and their
outputs (CSV, GeoPackage, maps, fact sheet) are written where ``gezondewijk scenario`` would.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from gezondewijk._errors import (
    BasePreparationError,
    InputDataError,
    ScenarioExistsError,
)
from gezondewijk.scenarios import (
    Scenario,
    ScenarioBase,
    ScenarioResult,
    prepare_base,
    read_scenario,
    run_scenario,
    write_scenario,
)
from gezondewijk.scenarios.files import NAME_PATTERN
from gezondewijk.scenarios.write import write_scenario_outputs
from gezondewijk.settings import load_config
from gezondewijk.web.errors import hide_paths

#: Results kept in memory (each holds a copy of the cells' values).
KEEP_RESULTS = 6

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScenarioFile:
    """One scenario file in the folder, for the list page."""

    name: str
    title: str
    changes: int
    #: Why the file cannot be read (then it is listed with this message), or ``""``.
    problem: str = ""


class ScenarioService:
    """The scenarios of one run: files in ``folder``, outputs in ``out``."""

    def __init__(self, run_config: Path, folder: Path, out: Path) -> None:
        self.run_config = run_config
        self.folder = folder
        self.out = out
        self._lock = threading.Lock()
        self._compute = threading.Lock()
        self._base: ScenarioBase | None = None
        self._error = ""
        self._thread: threading.Thread | None = None
        self._results: OrderedDict[tuple[str, int, int], ScenarioResult] = OrderedDict()
        #: Seconds the run took to prepare (``None`` until it is ready).
        self.prepared_s: float | None = None

    def start(self) -> None:
        """Start preparing the run in a background thread (once)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._prepare, name="scenario-basis", daemon=True
                )
                self._thread.start()

    def _prepare(self) -> None:
        started = time.perf_counter()
        try:
            base = prepare_base(load_config(self.run_config), stream=None)
        except Exception as exc:  # a thread's error must reach the page, whatever it is
            LOG.exception("scenarios: the run %s could not be prepared", self.run_config)
            self._error = f"{type(exc).__name__}: {exc}"
            return
        self.prepared_s = time.perf_counter() - started
        self._base = base

    def wait(self, timeout: float | None = None) -> ScenarioBase | None:
        """The prepared run, waiting up to ``timeout`` seconds (tests and the CLI)."""
        self.start()
        assert self._thread is not None
        self._thread.join(timeout)
        return self.base()

    def base(self) -> ScenarioBase | None:
        """The prepared run, or ``None`` while it is being prepared.

        Raises
        ------
        BasePreparationError
            When preparing it failed (the message says why).
        """
        self.start()
        if self._error:
            raise BasePreparationError(
                f"de run voor scenario's ({self.run_config}) kon niet worden voorbereid: "
                f"{self._error}"
            )
        return self._base

    def files(self) -> list[ScenarioFile]:
        """Every scenario file in the folder, by name; unreadable ones with their problem."""
        found = []
        for path in sorted(self.folder.glob("*.toml")):
            try:
                scenario = read_scenario(path)
            except InputDataError as exc:
                found.append(ScenarioFile(path.stem, path.stem, 0, hide_paths(str(exc))))
                continue
            found.append(ScenarioFile(scenario.name, scenario.title, len(scenario.changes)))
        return found

    def path(self, name: str) -> Path:
        """The TOML file of scenario ``name`` (a checked name: no path can be smuggled in)."""
        if re.fullmatch(NAME_PATTERN, name) is None:
            raise KeyError(name)
        return self.folder / f"{name}.toml"

    def load(self, name: str) -> Scenario:
        """Read scenario ``name`` (``KeyError`` when there is none)."""
        path = self.path(name)
        if not path.is_file():
            raise KeyError(name)
        return read_scenario(path)

    def save(self, scenario: Scenario, replaces: str = "") -> Path:
        """Write the scenario's files; ``replaces``: the name it had (renamed or edited).

        Raises
        ------
        ScenarioExistsError
            When another scenario has the name already.
        """
        with self._lock:
            target = self.path(scenario.name)
            if target.is_file() and scenario.name != replaces:
                raise ScenarioExistsError(
                    f"er is al een scenario '{scenario.name}'; kies een andere naam."
                )
            path = write_scenario(scenario, self.folder)
            if replaces and replaces != scenario.name:
                self._remove(replaces)
            return path

    def delete(self, name: str) -> None:
        """Remove a scenario's files and outputs."""
        with self._lock:
            self._remove(name)

    def _remove(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)
        (self.folder / f"{name}.geojson").unlink(missing_ok=True)
        shutil.rmtree(self.output_folder(name), ignore_errors=True)

    def output_folder(self, name: str) -> Path:
        """Where a scenario's outputs are written (as ``gezondewijk scenario --out`` does)."""
        self.path(name)  # checks the name
        return self.out / f"scenario-{name}"

    def result(self, name: str) -> ScenarioResult | None:
        """Scenario ``name`` run on the prepared run (``None`` while that is being prepared).

        The first time after its files changed, it runs and writes its outputs; then the
        result comes from memory.
        """
        base = self.base()
        if base is None:
            return None
        path = self.path(name)
        geo = self.folder / f"{name}.geojson"
        key = (name, _mtime(path), _mtime(geo))
        with self._compute:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            scenario = self.load(name)
            result = run_scenario(base, scenario)
            write_scenario_outputs(base, result, self.output_folder(name))
            for old in [k for k in self._results if k[0] == name]:
                del self._results[old]
            self._results[key] = result
            while len(self._results) > KEEP_RESULTS:
                self._results.popitem(last=False)
            return result


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0

"""What ``gezondewijk demo`` runs on: the synthetic town's inputs, scenarios and tables.

The command line prints and runs; this module decides what the demo consists of (the
town, where its files go, which tables the monitoring compares).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gezondewijk.demo.scenarios import write_demo_scenarios
from gezondewijk.demo.synthetic import SyntheticTown, make_synthetic_town, write_synthetic_inputs


@dataclass(frozen=True)
class DemoInputs:
    """The synthetic town with its written inputs."""

    town: SyntheticTown
    #: The run file of the town's map.
    run_file: Path

    @property
    def folder(self) -> Path:
        """The folder of the inputs."""
        return self.run_file.parent

    @property
    def health_before(self) -> Path:
        """The RIVM-like health table of the base year (2016)."""
        return self.folder / "rivm_gezondheid_2016.csv"

    @property
    def health_after(self) -> Path:
        """The same table, a later year (2020)."""
        return self.folder / "rivm_gezondheid.csv"

    @property
    def buurten(self) -> Path:
        """The town's buurt outlines."""
        return self.folder / "buurten.geojson"


def prepare_demo(folder: Path) -> DemoInputs:
    """Generate the synthetic town and write its inputs and run file into ``folder``."""
    town = make_synthetic_town()
    return DemoInputs(town, write_synthetic_inputs(town, folder))


def write_demo_scenario_files(demo: DemoInputs) -> list[Path]:
    """The demo's scenario files (next to its inputs), on the town's run."""
    return write_demo_scenarios(demo.town, demo.folder / "scenarios", demo.run_file)

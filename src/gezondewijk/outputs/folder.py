"""Read a run's output folder back: the one loader of a run folder.

The map viewer, the fact sheets and the Leefplekmeter's comparison with the data share it.
:func:`gezondewijk.outputs.write_all` writes the folder; :func:`read_run_folder` reads what it
wrote, once per version of the folder (the names and modification times of its files).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk.outputs.cellstore import CellStore


@dataclass(frozen=True)
class RunFolder:
    """The buurten and cells of one run (RD New, as written) with the run's metadata tables."""

    path: Path
    buurten: gpd.GeoDataFrame
    #: The cells, read from ``cellen.parquet`` on demand (None: the run has no cells).
    cells: CellStore | None
    #: ``drempels.csv``: one row per indicator part with its rule, threshold and source.
    thresholds: pd.DataFrame
    #: ``indicatoren.csv``: metadata of every variable (label, unit, source, year).
    variables: pd.DataFrame
    #: ``referenties.csv``: the area's, gemeente's and national values per variable.
    references: pd.DataFrame
    #: ``over.csv``: key/value provenance of the run.
    about: dict[str, str]
    inequality: pd.DataFrame | None
    change: pd.DataFrame | None
    sources: pd.DataFrame | None
    #: ``klassen.csv``: the class tables of the run's GES and heat-stress presets.
    classes: pd.DataFrame | None = None

    @property
    def indicator_keys(self) -> list[str]:
        """The main preset's indicators, in preset order."""
        return list(dict.fromkeys(self.thresholds["indicator"]))

    def indicator_label(self, key: str) -> str:
        """The Dutch label of one of the main preset's indicators."""
        rows = self.thresholds[self.thresholds["indicator"] == key]
        return str(rows["label"].iloc[0]) if len(rows) else key

    def theme_links(self) -> dict[str, str]:
        """Leefplekmeter theme → indicator key, as the run's preset links them.

        Runs written before the preset carried these links have none: the comparison of
        residents with the data is then left out rather than guessed.
        """
        links = self._json("leefplekmeter_themas")
        return {str(k): str(v) for k, v in links.items()} if isinstance(links, dict) else {}

    def joins(self) -> list[str]:
        """The join report lines (one per table joined on the buurt code)."""
        lines = self._json("koppelingen")
        return [str(line) for line in lines] if isinstance(lines, list) else []

    def _json(self, key: str) -> object:
        try:
            return json.loads(self.about.get(key, ""))
        except ValueError:
            return None


def read_run_folder(folder: str | Path) -> RunFolder:
    """Read ``buurten.parquet``, ``cellen.parquet`` and the metadata CSVs of a run.

    Raises
    ------
    InputDataError
        When the folder is not a ``gezondewijk run`` output.
    """
    p = Path(folder)
    if not (p / "buurten.parquet").is_file():
        raise InputDataError(
            "geen uitvoer van 'gezondewijk run' gevonden.",
            path=p,
            fix="zet GEZONDEWIJK_MAP_DIR op de uitvoermap van een run.",
        )
    version = tuple(sorted((f.name, f.stat().st_mtime_ns) for f in p.iterdir() if f.is_file()))
    return _read(p.resolve(), version)


@lru_cache(maxsize=4)
def _read(p: Path, _version: tuple[tuple[str, int], ...]) -> RunFolder:
    cells = CellStore(p / "cellen.parquet") if (p / "cellen.parquet").is_file() else None
    about_frame = (
        pd.read_csv(p / "over.csv")
        if (p / "over.csv").is_file()
        else pd.DataFrame({"sleutel": [], "waarde": []})
    )
    about = dict(zip(about_frame["sleutel"], about_frame["waarde"].astype(str), strict=True))

    def optional(name: str) -> pd.DataFrame | None:
        return pd.read_csv(p / name, dtype={"code": str}) if (p / name).is_file() else None

    references = optional("referenties.csv")
    return RunFolder(
        path=p,
        buurten=gpd.read_parquet(p / "buurten.parquet"),
        cells=cells,
        thresholds=pd.read_csv(p / "drempels.csv"),
        variables=pd.read_csv(p / "indicatoren.csv"),
        references=references
        if references is not None
        else pd.DataFrame(columns=["variabele", "gebied", "gemeente", "nederland"]),
        about=about,
        inequality=optional("ongelijkheid.csv"),
        change=optional("verandering.csv"),
        sources=optional("bronnen.csv"),
        classes=optional("klassen.csv"),
    )

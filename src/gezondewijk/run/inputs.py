"""The provenance of a run's inputs and the attribution line built from it."""

from __future__ import annotations

from pathlib import Path

from gezondewijk.provenance import Provenance, provenance_of
from gezondewijk.settings import RunConfig


def input_paths(config: RunConfig) -> list[Path]:
    """Every input file of a run, once, in the order of the configuration."""
    paths = [config.buurten.path]
    paths += [t.path for t in config.tables]
    paths += [t.outlines for t in config.tables if t.outlines is not None]
    paths += [r.path for r in config.rasters]
    paths += [s.path for s in config.segments]
    paths += [f.path for f in config.features]
    for section in (config.network, config.osm, config.addresses):
        if section is not None:
            paths.append(section.path)
    return list(dict.fromkeys(paths))


def input_sources(config: RunConfig) -> list[Provenance]:
    """The provenance of every input: its ``.bron.json`` record, or a minimal one."""
    return [provenance_of(p) for p in input_paths(config)]


def credits_of(config: RunConfig, sources: list[Provenance]) -> str:
    """The attribution line: the fetched sources' own texts, else the configured one."""
    texts = [s.naamsvermelding for s in sources if s.naamsvermelding]
    if not texts:
        return config.credits
    if any(not s.naamsvermelding for s in sources):
        texts.append(config.credits)
    return "; ".join(dict.fromkeys(texts))

"""Clients of the replayed publishers (tests/publishers.py): downloaders that do not sleep."""

from __future__ import annotations

from pathlib import Path

from gezondewijk.fetch import Downloader, Fetched, FetchResult, fetch_gemeenten, pdok
from gezondewijk.provenance import Provenance
from tests.publishers import Publishers, osm_extract


class Waits:
    """Records the waits instead of sleeping (the retry schedule is what is tested)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def downloader(cache: Path, waits: Waits | None = None, **kwargs: object) -> Downloader:
    """A downloader with a short time-out and recorded waits."""
    return Downloader(cache, sleep=waits or Waits(), backoff=1.0, timeout=2.0, **kwargs)  # type: ignore[arg-type]


def fetch_buurten(
    publishers: Publishers,
    tmp: Path,
    dl: Downloader | None = None,
    *,
    year: int = 2024,
    name: str = "b.gpkg",
) -> Fetched:
    """The PDOK connector on its own, for GM0503."""
    return pdok.fetch_buurten(
        dl or downloader(tmp),
        publishers.endpoints(),
        ["GM0503"],
        year,
        tmp / name,
        Provenance(bron="buurten", uitgever="PDOK"),
    )


def fetch(
    publishers: Publishers,
    tmp: Path,
    waits: Waits | None = None,
    *,
    year: int = 2024,
    **kwargs: object,
) -> FetchResult:
    """``fetch_gemeenten`` for GM0503 with the replay, an OSM extract and the cache in ``tmp``."""
    osm = tmp / "zuid-holland.osm"
    if not osm.exists():
        osm.write_text(osm_extract(), encoding="utf-8")
    dl = downloader(
        tmp / "cache",
        waits,
        offline=bool(kwargs.pop("offline", False)),
        refresh=bool(kwargs.pop("refresh", False)),
    )
    return fetch_gemeenten(
        ["GM0503"],
        year=year,
        cache=tmp / "cache",
        run_file=tmp / "run" / f"GM0503_{year}.toml",
        osm=str(osm),
        endpoints=publishers.endpoints(),
        stream=None,
        downloader=dl,
        **kwargs,  # type: ignore[arg-type]
    )

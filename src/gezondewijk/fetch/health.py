"""RIVM's Gezondheid per wijk en buurt: every table, every period, one chosen for the run.

RIVM publishes the small-area estimates of the Gezondheidsmonitor Volwassenen en Ouderen on
CBS StatLine for third parties (``dataderden.cbs.nl``), one table per area division: today
50150NED (2012/2016/2020/2022/2024, indeling 2024) and 50120NED (2012–2022, indeling 2022),
earlier 50090NED. Their keys differ (``GoedErvarenGezondheid_4`` against
``ErvarenGezondheidGoedZeerGoed_4``); :mod:`gezondewijk.publisher_names` knows both.

Every table is read, each period written as a CSV of its own (for ``gezondewijk monitor``). One
table that fails (withdrawn, unreadable, renamed beyond recognition) is a note naming it; the
others still count. The run takes the newest period up to the run's year, from the table
whose area division is nearest to the run's year (the buurten are of that year's division).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gezondewijk._errors import GezondewijkError, InputDataError
from gezondewijk.fetch import statline
from gezondewijk.fetch.http import Downloader, Fetched
from gezondewijk.provenance import Provenance

_DIVISION = re.compile(r"indeling (\d{4})", re.IGNORECASE)


@dataclass
class HealthTables:
    """What was fetched (or found in the cache) and what the run takes."""

    files: list[Fetched]
    notes: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)

    def chosen(self, year: int) -> Fetched:
        """The file the run takes for ``year`` (see :func:`choose`)."""
        return choose(self.files, year)


def fetch_health_tables(
    dl: Downloader,
    base: str,
    gemeenten: list[str],
    folder: Path,
    record: Callable[[str, int], Provenance],
) -> HealthTables:
    """Every RIVM table of the gemeenten, one CSV per table and period, into ``folder``.

    Parameters
    ----------
    record
        A new provenance record for a title and data year.

    Raises
    ------
    InputDataError
        When the catalogue lists no table, or no table could be read (the message names each
        table and why).
    """
    kind = statline.RIVM
    out = HealthTables(files=[])
    tables = statline.find_tables(dl, base, kind)
    for table in sorted(tables, key=lambda t: (t.year or 0, t.identifier), reverse=True):
        try:
            rows = statline.fetch_rows(dl, table, kind, gemeenten)
        except GezondewijkError as exc:
            out.notes.append(f"RIVM-tabel {table.identifier} ('{table.title}') niet gelezen: {exc}")
            continue
        if rows.missing:
            out.notes.append(f"RIVM-tabel {rows.missing_note()}")
        for period in rows.periods():
            p_year = int(period[:4])
            path = folder / f"rivm_{table.identifier}_{p_year}.csv"
            out.files.append(
                rows.for_period(period).store(dl, path, record(f"{table.title}, {p_year}", p_year))
            )
        out.summaries.append(f"{table.identifier} {table.title}: {', '.join(rows.periods())}")
    if not out.files:
        raise InputDataError(
            "geen enkele RIVM-tabel 'Gezondheid per wijk en buurt' kon gelezen worden: "
            + "; ".join(out.notes),
            path=f"{base}/ODataCatalog/Tables",
            fix="probeer het later opnieuw met --vernieuw, of meld het bij gezondewijk.",
        )
    return out


def division_year(fetched: Fetched) -> int | None:
    """The area division of a table, from its title ("… (indeling 2024)")."""
    match = _DIVISION.search(fetched.provenance.bron)
    return int(match.group(1)) if match else None


def choose(files: list[Fetched], year: int) -> Fetched:
    """The file a run of ``year`` takes.

    Notes
    -----
    The data year is the newest period up to ``year`` in any table (the oldest period when
    every one is newer). Among the tables with that period, the one whose area division is
    nearest to ``year`` wins (a run's buurten are of that year's division), then the newest
    division: with 50150NED (indeling 2024) and 50120NED (indeling 2022) both holding 2022,
    a run of 2024 takes 50150NED and a run of 2022 takes 50120NED.
    """
    years = {f.provenance.jaar or 0 for f in files}
    usable = [y for y in years if y <= year]
    data_year = max(usable) if usable else min(years)
    same = [f for f in files if (f.provenance.jaar or 0) == data_year]

    def rank(f: Fetched) -> tuple[int, int, str]:
        division = division_year(f) or data_year
        return (-abs(division - year), division, f.provenance.tabel or "")

    return max(same, key=rank)

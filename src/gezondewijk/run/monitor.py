"""Monitoring: change per buurt between two years of the same table, and its inequality.

The CLI's ``gezondewijk monitor`` and ``gezondewijk demo`` call :func:`monitor_change` and
:func:`write_monitor`; the fact sheets read the ``verandering.csv`` it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gezondewijk.equity import change_between_years, inequality_trend, published_noise
from gezondewijk.sources import read_area_table, read_buurten
from gezondewijk.variables import describe

#: What the CLI and the demo compare when no variables are given.
DEFAULT_VARIABLES = ("lonely_pct", "good_health_pct", "stress_pct")
#: The socio-economic ranking of buurten by default: RIVM "moeite met rondkomen".
DEFAULT_SES = "hard_to_make_ends_meet_pct"


@dataclass
class MonitorResult:
    """Change per buurt and, where SES and population allow, the trend in inequality."""

    before_year: int
    after_year: int
    n_buurten: int
    #: Variable → standard error of the noise from the published 95 % margins.
    noise: dict[str, float]
    #: ``code, variabele, voor, na, verschil, trend, drempel, oordeel, ruis`` (see
    #: :func:`gezondewijk.equity.change_between_years`).
    change: pd.DataFrame
    #: :func:`gezondewijk.equity.inequality_trend` per variable, or ``None``.
    trend: pd.DataFrame | None
    target_reduction: float
    #: Variable → why it has no inequality trend.
    skipped: dict[str, str] = field(default_factory=dict)


def monitor_change(
    before: Path,
    after: Path,
    buurten: Path,
    *,
    gemeenten: list[str] | None = None,
    variables: list[str] | tuple[str, ...] = DEFAULT_VARIABLES,
    ses: str = DEFAULT_SES,
    target_reduction: float = 0.2,
    kind: str = "auto",
    n_boot: int = 500,
) -> MonitorResult:
    r"""Compare two years of a per-buurt table within the buurten of one or more gemeenten.

    Parameters
    ----------
    before, after
        The same table (RIVM 50090NED/50120NED or StatLine) for the base and a later year.
    buurten
        Buurt outlines; their ``population`` weighs the inequality measures.
    gemeenten
        Keep only these gemeente codes.
    variables
        The variables to compare.
    ses
        The variable that ranks buurten by socio-economic status (read from ``after``).
    target_reduction
        The target reduction of the SII against the base year (0.2: 20 % less inequality).
    kind
        The tables' kind, as :func:`gezondewijk.sources.read_area_table`; ``"auto"`` decides
        from the columns.
    n_boot
        Bootstrap draws for the inequality measures' intervals.

    Notes
    -----
    A change is beyond the noise when it exceeds :math:`1.96\sqrt{2}\,SE` with the standard
    error from the published margins where the table has them, else from the robust spread
    of the changes (see :func:`gezondewijk.equity.change_between_years`).
    """
    table0 = read_area_table(before, kind=kind)
    table1 = read_area_table(after, kind=kind)
    outlines = read_buurten(buurten)
    if gemeenten:
        outlines = outlines[outlines["gemeentecode"].isin(gemeenten)]
    codes = pd.Index(outlines["buurtcode"])
    y0 = table0.attrs.get("year") or 0
    y1 = table1.attrs.get("year") or 1
    t0, t1 = table0.reindex(codes), table1.reindex(codes)
    noise = published_noise(t0, t1, list(variables))
    change = change_between_years(t0, t1, list(variables))
    result = MonitorResult(y0, y1, len(codes), noise, change, None, target_reduction)
    if "population" not in outlines or ses not in table1:
        return result
    ranking = t1[ses].dropna()
    population = pd.Series(outlines["population"].to_numpy(), index=codes).dropna()
    frames = []
    for var in variables:
        if var not in table0 or var not in table1 or table0[var].isna().all():
            result.skipped[var] = "geen gegevens in beide jaren, geen ongelijkheidsmaat"
            continue
        trend = inequality_trend(
            {y0: t0.dropna(subset=[var]), y1: t1.dropna(subset=[var])},
            var,
            ranking,
            population,
            baseline=y0,
            target_reduction=target_reduction,
            higher_is_advantaged=describe(ses).direction == "higher_is_better",
            n_boot=n_boot,
        )
        if trend.empty or not {y0, y1} <= set(trend["jaar"]):
            result.skipped[var] = "te weinig buurten met gegevens (< 3) voor een ongelijkheidsmaat"
            continue
        trend.insert(0, "variabele", var)
        frames.append(trend)
    if frames:
        result.trend = pd.concat(frames)
    return result


def write_monitor(result: MonitorResult, folder: Path) -> list[Path]:
    """Write ``verandering.csv`` and, where computed, ``ongelijkheid_trend.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "verandering.csv"]
    result.change.to_csv(written[0], index=False)
    if result.trend is not None:
        written.append(folder / "ongelijkheid_trend.csv")
        result.trend.to_csv(written[-1], index=False)
    return written

"""Residents' scores next to the data for the same area, and where the two disagree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gezondewijk.leefplekmeter.themes import themes

#: Normalised median at or above which residents are "positive", below which "negative".
POSITIVE, NEGATIVE = 0.6, 0.4
#: Population share of the area at or above which the data flag a problem.
DATA_FLAGS = 0.5

AGREE = "eens"
RESIDENTS_MORE_POSITIVE = "bewoners positiever"
RESIDENTS_MORE_NEGATIVE = "bewoners negatiever"
UNKNOWN = "onbekend"


@dataclass(frozen=True)
class Perception:
    """One Leefplekmeter theme set next to the indicator that measures it in the data."""

    theme: str
    #: The theme's Dutch name.
    name: str
    #: The indicator's Dutch label.
    indicator: str
    #: Residents' median on 0–1 (0 the worst score, 1 the best).
    norm_median: float
    #: Population share of the area where the indicator is on (NaN where unknown).
    data_share: float
    #: :data:`AGREE`, :data:`RESIDENTS_MORE_POSITIVE`, :data:`RESIDENTS_MORE_NEGATIVE` or
    #: :data:`UNKNOWN`.
    verdict: str

    @property
    def disagrees(self) -> bool:
        """Whether residents and data tell different stories (worth a conversation)."""
        return self.verdict in (RESIDENTS_MORE_POSITIVE, RESIDENTS_MORE_NEGATIVE)

    @property
    def data_known(self) -> bool:
        """Whether the data have a share for this area."""
        return not np.isnan(self.data_share)


def perception_vs_data(
    summary: pd.DataFrame,
    buurten: pd.DataFrame,
    codes: list[str],
    links: dict[str, tuple[str, str]],
) -> list[Perception]:
    """Each linked theme's resident median next to the share of the area where data flag it.

    Parameters
    ----------
    summary
        :func:`gezondewijk.leefplekmeter.results.theme_summary` of the campaign (or area).
    buurten
        A run's buurt table with ``<indicator>_aan`` and ``population``.
    codes
        The buurten the campaign covers.
    links
        Theme key → (indicator key, indicator label), from the run's preset
        (``leefplekmeter_themes`` of each indicator).

    Returns
    -------
    list of Perception
        One per linked theme the Leefplekmeter asks about, in the order of ``links``.

    Notes
    -----
    Residents are positive when the normalised median is at least 0.6 and negative below 0.4;
    the data flag a problem when the indicator is on for at least half of the area's
    population.
    """
    names = {t.key: t.name["nl"] for t in themes()}
    area = buurten[buurten["buurtcode"].isin(codes)]
    weights = area["population"].fillna(0) if "population" in area else pd.Series(1.0, area.index)
    medians = summary.set_index("theme")["norm_median"]
    rows = []
    for theme, (indicator, label) in links.items():
        if theme not in names or theme not in medians.index:
            continue
        col = f"{indicator}_aan"
        norm = float(medians.loc[theme])
        share = np.nan
        if col in area and area[col].notna().any():
            known = area[col].notna()
            w = weights[known]
            share = float(
                np.average(area.loc[known, col].astype(float), weights=w if w.sum() > 0 else None)
            )
        if np.isnan(norm) or np.isnan(share):
            verdict = UNKNOWN
        elif norm >= POSITIVE and share >= DATA_FLAGS:
            verdict = RESIDENTS_MORE_POSITIVE
        elif norm < NEGATIVE and share < DATA_FLAGS:
            verdict = RESIDENTS_MORE_NEGATIVE
        else:
            verdict = AGREE
        rows.append(Perception(theme, names[theme], label, norm, share, verdict))
    return rows

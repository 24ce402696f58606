"""Residents' scores next to the data for the same area, and where the two disagree."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from gezondewijk.leefplekmeter.themes import themes

#: Leefplekmeter theme → the eindhoven-8 indicator that measures the same thing in the data.
THEME_INDICATORS: dict[str, tuple[str, str]] = {
    "natuur_groen": ("groen", "Afstand tot groen"),
    "voorzieningen": ("basisvoorzieningen", "Afstand tot basisvoorzieningen"),
    "verkeer_parkeren": ("geluid_lucht", "Geluid en luchtkwaliteit"),
    "sociale_contacten": ("eenzaamheid", "Eenzaamheid"),
    "wonen": ("dichtheid", "Inwoners per oppervlak"),
}

#: Normalised median at or above which residents are "positive", below which "negative".
POSITIVE, NEGATIVE = 0.6, 0.4


def load_map_buurten(folder: Path | None) -> pd.DataFrame | None:
    """The ``buurten.csv`` a pipeline run wrote (``gezondewijk run``), or ``None``.

    Read once per file version (path and modification time), not on every results page.
    """
    if folder is None:
        return None
    path = Path(folder) / "buurten.csv"
    if not path.is_file():
        return None
    return _read_buurten(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _read_buurten(path: str, _mtime: int) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"buurtcode": str})


def perception_vs_data(
    summary: pd.DataFrame, buurten: pd.DataFrame, codes: list[str]
) -> pd.DataFrame:
    """Each linked theme's resident median next to the share of the area where data flag it.

    Parameters
    ----------
    summary
        :func:`gezondewijk.leefplekmeter.results.theme_summary` of the campaign (or area).
    buurten
        The pipeline's buurt table with ``<indicator>_aan`` and ``population``.
    codes
        The buurten the campaign covers.

    Returns
    -------
    pandas.DataFrame
        ``theme, name, indicator, norm_median, data_share`` (population share of the area where
        the indicator is on), and ``oordeel``: ``eens`` (agree), ``bewoners positiever``
        (residents positive, data flag a problem) or ``bewoners negatiever`` (residents negative,
        data see no problem), or ``onbekend``.

    Notes
    -----
    Residents are positive when the normalised median is at least 0.6 and negative below 0.4;
    the data flag a problem when the indicator is on for at least half of the area's
    population.
    """
    names = {t.key: t.name["nl"] for t in themes()}
    area = buurten[buurten["buurtcode"].isin(codes)]
    weights = area["population"].fillna(0) if "population" in area else pd.Series(1.0, area.index)
    rows = []
    for theme, (indicator, label) in THEME_INDICATORS.items():
        col = f"{indicator}_aan"
        norm = summary.set_index("theme").loc[theme, "norm_median"]
        share = np.nan
        if col in area and area[col].notna().any():
            known = area[col].notna()
            w = weights[known]
            share = float(
                np.average(area.loc[known, col].astype(float), weights=w if w.sum() > 0 else None)
            )
        if np.isnan(norm) or np.isnan(share):
            verdict = "onbekend"
        elif norm >= POSITIVE and share >= 0.5:
            verdict = "bewoners positiever"
        elif norm < NEGATIVE and share < 0.5:
            verdict = "bewoners negatiever"
        else:
            verdict = "eens"
        rows.append(
            {
                "theme": theme,
                "name": names[theme],
                "indicator": label,
                "norm_median": norm,
                "data_share": share,
                "oordeel": verdict,
            }
        )
    return pd.DataFrame(rows)

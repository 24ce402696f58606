"""Results that support the conversation: median, spread and n per theme, priorities, comments.

Privacy: no figure, comment or group breakdown is shown for fewer than :data:`MIN_GROUP`
respondents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gezondewijk.leefplekmeter.themes import SCALES, Scale, theme_keys

#: Smallest number of respondents for which anything is shown.
MIN_GROUP = 5


def _on_scale(answers: pd.DataFrame, scale: Scale) -> pd.Series:
    """Scores expressed on ``scale`` (answers given on another scale are rescaled linearly)."""
    norm = [
        SCALES[s].normalise(v) if not pd.isna(v) else np.nan
        for s, v in zip(answers["scale"], answers["score"], strict=True)
    ]
    return pd.Series(
        scale.low + np.asarray(norm, dtype="float64") * (scale.high - scale.low),
        index=answers.index,
    )


def theme_summary(answers: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    r"""Median, spread (quartiles) and n per theme, in the campaign's scale.

    Parameters
    ----------
    answers
        Long table: ``response_id, theme, score, scale, dont_know``.
    scale
        The scale to report in.

    Returns
    -------
    pandas.DataFrame
        One row per theme in the Leefplekmeter order: ``n`` (scores), ``weet_niet``,
        ``median``, ``q1``, ``q3``, ``norm_median`` (0-1) and ``shown`` (False when
        ``n < MIN_GROUP``; the figures are then missing).

    Notes
    -----
    Answers on another scale are mapped linearly, :math:`s' = l' + (s-l)/(h-l)\,(h'-l')`.
    Quartiles use linear interpolation between order statistics.
    """
    frame = answers.copy()
    frame["value"] = _on_scale(frame, scale) if len(frame) else pd.Series(dtype="float64")
    rows = []
    for key in theme_keys():
        part = frame[frame["theme"] == key]
        vals = part["value"].dropna().to_numpy()
        n = len(vals)
        shown = n >= MIN_GROUP
        rows.append(
            {
                "theme": key,
                "n": n,
                "weet_niet": int(part["dont_know"].sum()) if len(part) else 0,
                "median": float(np.median(vals)) if shown else np.nan,
                "q1": float(np.quantile(vals, 0.25)) if shown else np.nan,
                "q3": float(np.quantile(vals, 0.75)) if shown else np.nan,
                "shown": shown,
            }
        )
    out = pd.DataFrame(rows)
    out["norm_median"] = (out["median"] - scale.low) / (scale.high - scale.low)
    return out


def priorities(summary: pd.DataFrame, k: int = 3) -> list[str]:
    """The ``k`` themes with the lowest median (ties: more "room for improvement" spread)."""
    shown = summary[summary["shown"]].sort_values(["median", "q1"])
    return shown["theme"].head(k).tolist()


@dataclass(frozen=True)
class Comment:
    """One comment text and how many forms gave it (identical texts are grouped)."""

    text: str
    count: int


def _grouped(texts: list[str]) -> list[Comment]:
    """Identical comments once, with their count; most frequent first, then first given.

    Texts count as identical when they match after trimming, collapsing whitespace and
    ignoring case; the first spelling is shown.
    """
    first: dict[str, str] = {}
    counts: dict[str, int] = {}
    for text in texts:
        key = " ".join(text.split()).casefold()
        first.setdefault(key, text.strip())
        counts[key] = counts.get(key, 0) + 1
    order = {k: i for i, k in enumerate(first)}
    keys = sorted(counts, key=lambda k: (-counts[k], order[k]))
    return [Comment(first[k], counts[k]) for k in keys]


def comments_by_theme(
    answers: pd.DataFrame, n_respondents: int, *, approved_only: bool = False
) -> dict[str, dict[str, list[Comment]]]:
    """What goes well and what could be better, per theme; nothing below ``MIN_GROUP`` people.

    Parameters
    ----------
    answers
        Long table with ``theme``, ``good``, ``better`` and, for ``approved_only``, the review
        columns ``good_review`` and ``better_review``.
    n_respondents
        Forms behind ``answers``; below :data:`MIN_GROUP` nothing is returned.
    approved_only
        Only comments an organiser approved (public pages). A table without review columns
        then gives no comments at all.
    """
    if n_respondents < MIN_GROUP:
        return {}
    out: dict[str, dict[str, list[Comment]]] = {}
    for key in theme_keys():
        part = answers[answers["theme"] == key]
        lists: dict[str, list[Comment]] = {"goed": [], "beter": []}
        for kind, label in (("good", "goed"), ("better", "beter")):
            texts = part[kind].fillna("").astype(str)
            if approved_only:
                review = f"{kind}_review"
                if review not in part:
                    continue
                texts = texts[part[review] == "approved"]
            lists[label] = _grouped([t for t in texts if t.strip()])
        if lists["goed"] or lists["beter"]:
            out[key] = lists
    return out


def compare_groups(
    answers: pd.DataFrame, responses: pd.DataFrame, by: str, scale: Scale
) -> dict[str, pd.DataFrame]:
    """Theme summaries per group (e.g. bewoner/professional, age band, buurt, campaign).

    Groups with fewer than :data:`MIN_GROUP` respondents are left out entirely; the caller
    says how many were left out.
    """
    out: dict[str, pd.DataFrame] = {}
    if by not in responses:
        return out
    for group, members in responses.groupby(by, dropna=True):
        if str(group) == "" or len(members) < MIN_GROUP:
            continue
        part = answers[answers["response_id"].isin(members["id"])]
        out[str(group)] = theme_summary(part, scale)
    return out

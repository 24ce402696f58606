"""Everything a results page or the API shows for a campaign, computed in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gezondewijk.leefplekmeter.results import (
    MIN_GROUP,
    comments_by_theme,
    compare_groups,
    priorities,
    theme_summary,
)
from gezondewijk.leefplekmeter.spider import Series, spider_svg
from gezondewijk.leefplekmeter.themes import SCALES, themes

COMPARE_BY = {
    "respondent_type": "bewoners en professionals",
    "age_band": "leeftijdsgroepen",
    "buurtcode": "buurten",
}


@dataclass
class CampaignReport:
    """Results of one campaign, ready for a template or JSON."""

    title: str
    scale: str
    n_forms: int
    n_people: int
    summary: pd.DataFrame
    priorities: list[str]
    comments: dict[str, dict[str, list[str]]]
    svg: str
    groups: dict[str, pd.DataFrame] = field(default_factory=dict)
    groups_hidden: int = 0
    shown: bool = True

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (NaN becomes null)."""

        def clean(frame: pd.DataFrame) -> list[dict[str, object]]:
            return [
                {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
                for row in frame.to_dict(orient="records")
            ]

        return {
            "title": self.title,
            "scale": self.scale,
            "n_forms": self.n_forms,
            "n_people": self.n_people,
            "shown": self.shown,
            "min_group": MIN_GROUP,
            "themes": clean(self.summary),
            "priorities": self.priorities,
            "comments": self.comments,
            "groups": {k: clean(v) for k, v in self.groups.items()},
            "groups_hidden": self.groups_hidden,
        }


def campaign_report(
    title: str,
    scale: str,
    answers: pd.DataFrame,
    responses: pd.DataFrame,
    *,
    compare_by: str | None = None,
    language: str = "nl",
    other: tuple[str, pd.DataFrame] | None = None,
) -> CampaignReport:
    """Summaries, priorities, comments, the spider web and group comparisons.

    ``other`` is a second campaign (label, answers) drawn on the same web (e.g. another year).
    Nothing is shown for fewer than :data:`MIN_GROUP` forms.
    """
    sc = SCALES[scale]
    summary = theme_summary(answers, sc)
    n_forms = len(responses)
    n_people = int(responses["group_size"].sum()) if n_forms else 0
    shown = n_forms >= MIN_GROUP
    names = {t.key: t.name[language] for t in themes()}
    summary.insert(1, "name", summary["theme"].map(names))
    groups: dict[str, pd.DataFrame] = {}
    hidden = 0
    series: list[Series] = []
    if shown:
        series.append(
            Series(
                "Alle antwoorden" if language == "nl" else "All answers",
                list(summary["norm_median"]),
                list((summary["q1"] - sc.low) / (sc.high - sc.low)),
                list((summary["q3"] - sc.low) / (sc.high - sc.low)),
            )
        )
    if shown and compare_by in COMPARE_BY:
        groups = compare_groups(answers, responses, compare_by, sc)
        hidden = int(responses[compare_by].replace("", np.nan).dropna().nunique()) - len(groups)
        series = [Series(g, list(s["norm_median"])) for g, s in list(groups.items())[:4]]
    if shown and other is not None and len(other[1]["response_id"].unique()) >= MIN_GROUP:
        other_summary = theme_summary(other[1], sc)
        series = series[:1] if not groups else series
        series.append(Series(other[0], list(other_summary["norm_median"])))
    svg = spider_svg(series, title=f"Spinnenweb: {title}", language=language, empty=not series)
    return CampaignReport(
        title=title,
        scale=scale,
        n_forms=n_forms,
        n_people=n_people,
        summary=summary,
        priorities=priorities(summary) if shown else [],
        comments=comments_by_theme(answers, n_forms),
        svg=svg,
        groups=groups,
        groups_hidden=max(hidden, 0),
        shown=shown,
    )

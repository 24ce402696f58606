"""Everything a results page or the API shows for a campaign, computed in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gezondewijk.leefplekmeter.results import (
    MIN_GROUP,
    Comment,
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
#: Most groups drawn on one spider web (more lines cannot be told apart); the table shows all.
MAX_SERIES = 5


@dataclass
class CampaignReport:
    """Results of one campaign, ready for a template or JSON."""

    title: str
    scale: str
    n_forms: int
    n_people: int
    summary: pd.DataFrame
    priorities: list[str]
    comments: dict[str, dict[str, list[Comment]]]
    svg: str
    groups: dict[str, pd.DataFrame] = field(default_factory=dict)
    groups_hidden: int = 0
    shown: bool = True
    #: Groups with enough forms that are in the table but not drawn (above :data:`MAX_SERIES`).
    groups_not_drawn: int = 0
    #: Group labels as users read them (buurt names instead of codes).
    group_labels: dict[str, str] = field(default_factory=dict)

    def theme_name(self, key: str) -> str:
        """The theme's name in the report's language."""
        names = dict(zip(self.summary["theme"], self.summary["name"], strict=True))
        return str(names.get(key, key))

    def group_table(self) -> list[tuple[str, list[float | None]]]:
        """Per theme the median of every compared group (``None`` where too few answered)."""
        rows = []
        for i, name in enumerate(self.summary["name"]):
            values = []
            for frame in self.groups.values():
                ok = bool(frame["shown"].iloc[i])
                values.append(float(frame["median"].iloc[i]) if ok else None)
            rows.append((str(name), values))
        return rows

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
            "comments": {
                theme: {
                    kind: [{"text": c.text, "count": c.count} for c in items]
                    for kind, items in kinds.items()
                }
                for theme, kinds in self.comments.items()
            },
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
    public: bool = True,
    group_labels: dict[str, str] | None = None,
) -> CampaignReport:
    """Summaries, priorities, comments, the spider web and group comparisons.

    ``other`` is a second campaign (label, answers) drawn on the same web (e.g. another year).
    Nothing is shown for fewer than :data:`MIN_GROUP` forms. ``public`` reports carry only
    comments an organiser approved; the campaign's own organisers get every comment
    (``public=False``). ``group_labels`` names groups (e.g. buurt code → buurt name).
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
        labels = {g: (group_labels or {}).get(g, g) for g in groups}
        series = [
            Series(labels[g], list(s["norm_median"])) for g, s in list(groups.items())[:MAX_SERIES]
        ]
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
        comments=comments_by_theme(answers, n_forms, approved_only=public),
        svg=svg,
        groups=groups,
        groups_hidden=max(hidden, 0),
        shown=shown,
        groups_not_drawn=max(len(groups) - MAX_SERIES, 0),
        group_labels={g: (group_labels or {}).get(g, g) for g in groups},
    )

"""Work form *wandeling met de Leefplekmeter*: group spider webs before and after a walk.

Each group fills in the Leefplekmeter once before the walk ("what do we know from behind the
desk?") and once after it (GezondIn werkboek 2026, § 5.4). A group's web is checked by the
Leefplekmeter's own intake in its group mode (:func:`gezondewijk.leefplekmeter.intake.accept`,
one agreed score per theme or "weet ik niet"), on the Place Standard's 1–7 scale that the
A4 spider-web sheet of the workbook uses. :func:`compare_walk` then says where before and
after, and the groups among themselves, differ most: that is where the conversation is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.intake import accept, submission_from_form
from gezondewijk.leefplekmeter.spider import Series
from gezondewijk.leefplekmeter.themes import SCALES, Scale, themes

#: The scale of a group's web: the Place Standard's 1–7 (1 = a lot of room for improvement).
WALK_SCALE = "place7"
#: The Leefplekmeter's validator wants a form token; a workshop entry is authorised by the
#: participant's cookie instead, so a fixed stand-in is passed.
_NO_TOKEN = "werksessie-groepsweb"


@dataclass(frozen=True)
class GroupWeb:
    """One group's spider web: a score per theme, ``None`` for "weet ik niet"."""

    group: int
    moment: str
    scores: Mapping[str, int | None]
    author: str = ""

    def value(self, theme: str) -> float:
        """The score of ``theme`` (NaN when not known or not answered)."""
        score = self.scores.get(theme)
        return float("nan") if score is None else float(score)


def group_label(group: int) -> str:
    """``3`` → ``Groep 3``."""
    return f"Groep {group}"


def parse_group_web(moment: str, form: Mapping[str, Any], *, groups: int) -> dict[str, Any]:
    """Check one group's web from the posted form (``group``, ``score_<theme>``).

    Returns the stored fields: ``moment``, ``group`` and ``scores`` (theme → score or
    ``None`` for "weet ik niet"; themes left open are left out).

    Raises
    ------
    InputDataErrors
        A group outside 1 … ``groups``, a score off the scale, or no theme answered; the
        messages name the field (``group``, ``score_wonen``) in Dutch.
    """
    errors: list[InputDataError] = []
    raw = str(form.get("group") or "")
    group = int(raw) if raw.isdigit() else 0
    if not 1 <= group <= groups:
        errors.append(
            InputDataError(
                "Kies uw groep.",
                field="group",
                fix=f"een groep van 1 tot en met {groups}",
            )
        )
    data = submission_from_form(form, "group") | {"form_token": _NO_TOKEN}
    scores: dict[str, int | None] = {}
    try:
        checked = accept(data, scale=WALK_SCALE, areas=[], token_problem="")
        scores = {a.theme: (None if a.dont_know else a.score) for a in checked.answers}
    except InputDataErrors as exc:
        errors += exc.errors
    if errors:
        raise InputDataErrors(errors)
    return {"moment": moment, "group": group, "scores": scores}


def web_from(detail: Mapping[str, Any], author: str = "") -> GroupWeb:
    """A :class:`GroupWeb` from an entry's stored fields."""
    raw = detail.get("scores") or {}
    scores = {str(k): (None if v is None else int(v)) for k, v in dict(raw).items()}
    return GroupWeb(int(detail.get("group") or 0), str(detail.get("moment", "")), scores, author)


def series_of(name: str, webs: Sequence[GroupWeb], scale: Scale | None = None) -> Series:
    """The mean of ``webs`` per theme on 0 … 1, as one line of the spider web."""
    sc = scale or SCALES[WALK_SCALE]
    values = []
    for theme in themes():
        known = [w.value(theme.key) for w in webs if not np.isnan(w.value(theme.key))]
        values.append(sc.normalise(float(np.mean(known))) if known else float("nan"))
    return Series(name, values)


@dataclass(frozen=True)
class ThemeChange:
    r"""One theme across the groups: before, after, the change and the groups' spread.

    Attributes
    ----------
    before, after
        Mean score over the groups that gave one (``None``: none did).
    change
        Mean over the groups with a score both times of (after − before); positive means
        the area turned out better than thought.
    shift
        Mean over the same groups of \|after − before\|: how much the walk changed the
        groups' view, whichever way (two groups moving in opposite directions cancel in
        ``change`` but not here).
    changes
        (after − before) per group with a score both times.
    spread
        Highest minus lowest score among the groups after the walk (before, when nobody
        has scored after yet); ``None`` with fewer than two groups.
    unknown_before, unknown_after
        Groups that answered "weet ik niet".
    """

    key: str
    name: str
    before: float | None
    after: float | None
    change: float | None
    shift: float | None
    changes: dict[int, float]
    spread: float | None
    unknown_before: int
    unknown_after: int


@dataclass(frozen=True)
class WalkComparison:
    """Before and after, per theme, for all groups."""

    themes: list[ThemeChange]
    groups: list[int]
    paired: int

    def most_changed(self, k: int = 3) -> list[ThemeChange]:
        """The ``k`` themes whose scores moved most between before and after (not 0)."""
        moved = [t for t in self.themes if t.shift]
        return sorted(moved, key=lambda t: -(t.shift or 0.0))[:k]

    def most_apart(self, k: int = 3) -> list[ThemeChange]:
        """The ``k`` themes on which the groups disagree most (a spread above 0)."""
        apart = [t for t in self.themes if t.spread]
        return sorted(apart, key=lambda t: -(t.spread or 0.0))[:k]

    @property
    def unknown_before(self) -> int:
        """Answers "weet ik niet" before the walk, all groups together."""
        return sum(t.unknown_before for t in self.themes)

    @property
    def unknown_after(self) -> int:
        """Answers "weet ik niet" after the walk, all groups together."""
        return sum(t.unknown_after for t in self.themes)


def _mean(values: list[float]) -> float | None:
    known = [v for v in values if not np.isnan(v)]
    return float(np.mean(known)) if known else None


def compare_walk(before: Sequence[GroupWeb], after: Sequence[GroupWeb]) -> WalkComparison:
    """Compare the groups' webs of before and after the walk, theme by theme.

    Ties keep the Leefplekmeter's theme order (``sorted`` is stable), so the same webs
    always name the same themes.
    """
    first = {w.group: w for w in before}
    then = {w.group: w for w in after}
    groups = sorted(set(first) | set(then))
    paired = sorted(set(first) & set(then))
    rows = []
    for theme in themes():
        key = theme.key
        changes = {g: then[g].value(key) - first[g].value(key) for g in paired}
        changes = {g: d for g, d in changes.items() if not np.isnan(d)}
        latest = [w.value(key) for w in (after or before)]
        known = [v for v in latest if not np.isnan(v)]
        rows.append(
            ThemeChange(
                key=key,
                name=theme.name["nl"],
                before=_mean([w.value(key) for w in before]),
                after=_mean([w.value(key) for w in after]),
                change=_mean(list(changes.values())),
                shift=_mean([abs(d) for d in changes.values()]),
                changes=changes,
                spread=float(max(known) - min(known)) if len(known) >= 2 else None,
                unknown_before=sum(key in w.scores and w.scores[key] is None for w in before),
                unknown_after=sum(key in w.scores and w.scores[key] is None for w in after),
            )
        )
    return WalkComparison(rows, groups, len(paired))

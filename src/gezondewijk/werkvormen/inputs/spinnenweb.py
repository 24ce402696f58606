"""``spinnenweb``: a group's Leefplekmeter (the fourteen themes) before or after the walk.

One web per group and step: whoever of the group sends it replaces the group's earlier web.
After the walk (``moment = "na"``) each group's web is set next to its web from before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.spider import Series, spider_svg
from gezondewijk.leefplekmeter.themes import SCALES, themes
from gezondewijk.werkvormen.inputs.base import (
    MAX_TEXT,
    Arrangement,
    EntryIn,
    FormState,
    InputKind,
    Item,
    ParseContext,
    WorkshopSource,
    register,
    text_field,
)
from gezondewijk.werkvormen.walk import (
    WALK_SCALE,
    GroupWeb,
    compare_walk,
    group_label,
    parse_group_web,
    series_of,
    web_from,
)

if TYPE_CHECKING:
    from gezondewijk.werkvormen.catalogue import Step


def parse(step: Step, form: Mapping[str, Any], context: ParseContext) -> EntryIn:
    """A group's web (``group``, ``score_<theme>``) and an optional note (``text``)."""
    errors: list[InputDataError] = []
    note = text_field(errors, form, "text", "De opmerking", MAX_TEXT)
    fields: dict[str, Any] = {}
    try:
        fields = parse_group_web(step.moment or "", form, groups=context.groups)
    except InputDataErrors as exc:
        errors += exc.errors
    if errors:
        raise InputDataErrors(errors)
    return EntryIn(note, group_label(fields["group"]), fields)


def latest_per_group(items: list[Item]) -> list[Item]:
    """One web per group, the last sent (on SQLite two sent at one moment may both be stored)."""
    latest: dict[str, Item] = {}
    for item in sorted(items, key=lambda i: i.entry.id):
        latest[item.entry.category] = item
    return sorted(latest.values(), key=lambda i: int(i.extra.get("group") or 0))


def _before_walk(source: WorkshopSource) -> list[GroupWeb]:
    """The groups' webs of the last step before this one with moment ``voor``."""
    ids = [i for i, spec in source.steps_in_form(before=True) if spec.moment == "voor"]
    if not ids:
        return []
    items = [
        i for i in source.items_in_form(frozenset({"spinnenweb"})) if i.entry.step_id == ids[-1]
    ]
    return [web_from(i.extra, i.entry.author) for i in latest_per_group(items)]


def _chart(lines: list[Series], title: str, ident: str) -> str:
    return spider_svg(lines, title=title, size=460, ident=ident)


def arrange(view: Arrangement, source: WorkshopSource) -> None:
    """One web per group; after the walk, each next to the group's web from before."""
    view.items = latest_per_group(view.items)
    webs = [web_from(i.extra, i.entry.author) for i in view.items]
    moment = view.spec.moment
    before = _before_walk(source) if moment == "na" else []
    comparison = compare_walk(before if moment == "na" else webs, webs if moment == "na" else [])
    charts: list[tuple[str, str]] = []
    if moment == "na":
        by_group = {w.group: w for w in before}
        for web in webs:
            lines = [series_of("Na de wandeling", [web])]
            if web.group in by_group:
                lines.insert(0, series_of("Vooraf (achter het bureau)", [by_group[web.group]]))
            title = f"{group_label(web.group)}: vooraf en na de wandeling"
            charts.append((title, _chart(lines, title, f"web-{view.step_id}-{web.group}")))
    if len(webs) > 1 or (webs and moment == "voor"):
        title = "Alle groepen " + ("na de wandeling" if moment == "na" else "vooraf")
        lines = [series_of(group_label(w.group), [w]) for w in webs]
        charts.append((title, _chart(lines, title, f"web-{view.step_id}-alle")))
    view.data = {
        "webs": webs,
        "comparison": comparison,
        "charts": charts,
        "moment": moment,
        "groups": list(range(1, source.groups + 1)),
        "themes": themes(),
        "scale": SCALES[WALK_SCALE],
    }


def group_of_last_web(items: list[Item]) -> int:
    """The group of the web changed last among ``items`` (other kinds are passed over); 0: none.

    A web sent again keeps its row, so the one changed last is the one sent last.
    """
    webs = [i for i in items if i.entry.kind == "spinnenweb"]
    if not webs:
        return 0
    latest = max(webs, key=lambda i: (i.entry.updated_at, i.entry.id))
    return int(latest.extra.get("group") or 0)


def start(state: FormState) -> dict[str, Any]:
    """The participant's group (of the web they sent last) and that group's web in this step.

    Sending again replaces the group's web whole, so the form starts from it.
    """
    group = group_of_last_web(state.workshop_entries)
    scores: dict[str, str] = {}
    for item in state.step_entries:
        if item.entry.kind == "spinnenweb" and item.extra.get("group") == group:
            scores = {
                k: "weet" if v is None else str(v) for k, v in item.extra.get("scores", {}).items()
            }
    return {"my_group": group, "group_scores": scores}


def check_step(step: Step) -> str | None:
    """A web is filled in before or after the walk."""
    return None if step.moment is not None else "a spider web step needs a moment (voor or na)"


SPINNENWEB = register(
    InputKind(
        key="spinnenweb",
        description="a group Leefplekmeter (the fourteen themes), `moment` voor or na",
        parse=parse,
        step_fields=frozenset({"moment"}),
        arrange=arrange,
        start=start,
        check_step=check_step,
        replaces="group",
        needs_area=True,
        lead_add_label="Spinnenweb van een groep invoeren (bijv. van papier)",
        follows=lambda step: step.moment == "na",
    )
)

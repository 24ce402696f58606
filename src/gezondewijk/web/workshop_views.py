"""What the werksessie pages show of a step, for every viewer and for the live updates.

A step's input is rendered by one template (``_ws_region.html``) for the page and for the
live messages alike; the messages are rendered once for everybody (``Viewer.anyone``) and
each browser then shows its own edit buttons (``werksessie.js``), so that a change costs
one rendering however many people watch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from gezondewijk.leefplekmeter.spider import Series, spider_svg
from gezondewijk.store.models import Participant, Workshop, WorkshopEntry, WorkshopStep
from gezondewijk.store.workshops import (
    Event,
    detail,
    entries_of,
    participants_of,
    ready_ids,
    steps_of,
)
from gezondewijk.web.live import Builder, Message
from gezondewijk.werkvormen.catalogue import DOMAINS, Step, WorkForm, work_forms
from gezondewijk.werkvormen.matching import near_duplicates, suggest_matches
from gezondewijk.werkvormen.session import QUADRANTS, RELATIONS, vote_shares
from gezondewijk.werkvormen.walk import (
    GroupWeb,
    compare_walk,
    group_label,
    series_of,
    web_from,
)


@dataclass(frozen=True)
class Viewer:
    """Who looks: a participant (``me``), the facilitator, the projector or anyone."""

    me: int | None = None
    leader: bool = False
    csrf: str = ""
    projector: bool = False

    def may_change(self, entry: WorkshopEntry, step: WorkshopStep) -> bool:
        """Whether this viewer sees edit and remove buttons on ``entry``."""
        if self.projector:
            return False
        if self.leader:
            return True
        return self.me is not None and entry.participant_id == self.me and step.state == "open"


#: Live messages are rendered for nobody in particular; each browser adds its own buttons.
ANYONE = Viewer()


@dataclass
class Item:
    """An entry as shown: the row and its kind-specific fields, plus notes (e.g. look-alikes)."""

    entry: WorkshopEntry
    extra: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class StepView:
    """Everything the step template needs."""

    code: str
    step: WorkshopStep
    form: WorkForm
    spec: Step
    items: list[Item]
    groups: list[tuple[str, list[Item]]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The step's input kind."""
        return self.spec.input


def spec_of(step: WorkshopStep) -> tuple[WorkForm, Step]:
    """The work form and catalogue step of a stored step."""
    form = work_forms()[step.form_key]
    return form, form.step(step.step_key)


def _items(entries: list[WorkshopEntry]) -> list[Item]:
    return [Item(e, detail(e)) for e in entries]


def _group(items: list[Item], keys: list[str], key_of: Any) -> list[tuple[str, list[Item]]]:
    groups: dict[str, list[Item]] = {k: [] for k in keys}
    for item in items:
        groups.setdefault(key_of(item), []).append(item)
    return list(groups.items())


def _same_form(steps: list[WorkshopStep], step: WorkshopStep, inputs: set[str]) -> list[int]:
    """Ids of the steps of ``step``'s work form whose input is in ``inputs``."""
    found = []
    for s in steps:
        if s.form_key == step.form_key and spec_of(s)[1].input in inputs:
            found.append(s.id)
    return found


def _matching(session: Session, workshop: Workshop, step: WorkshopStep) -> dict[str, Any]:
    """Offers next to needs of the other domain, suggested pairs and decided pairs."""
    steps = steps_of(session, workshop.id)
    offer_steps = set(_same_form(steps, step, {"aanbod"}))
    need_steps = set(_same_form(steps, step, {"vraag"}))
    match_steps = _same_form(steps, step, {"koppelen"})
    entries = entries_of(session, workshop.id, [*offer_steps, *need_steps, *match_steps])
    offers = [e for e in entries if e.step_id in offer_steps]
    needs = [e for e in entries if e.step_id in need_steps]
    decided: dict[tuple[int, int], str] = {}
    for e in entries:
        if e.kind == "koppel":
            d = detail(e)
            decided[(int(d.get("offer", 0)), int(d.get("need", 0)))] = str(d.get("verdict", ""))
    by_id = {e.id: e for e in offers + needs}
    suggestions = []
    for match in suggest_matches([e.text for e in offers], [e.text for e in needs]):
        offer, need = offers[match.offer], needs[match.need]
        if offer.domain == need.domain or (offer.id, need.id) in decided:
            continue  # a domain's offer answers the other domain's need
        suggestions.append((offer, need, match.score))
    confirmed = [
        (by_id[o], by_id[n])
        for (o, n), verdict in decided.items()
        if verdict == "ja" and o in by_id and n in by_id
    ]
    columns = [
        (
            DOMAINS[d]["nl"],
            [e for e in offers if e.domain == d],
            [e for e in needs if e.domain == d],
        )
        for d in DOMAINS
        if any(e.domain == d for e in offers + needs)
    ]
    return {"suggestions": suggestions, "confirmed": confirmed, "columns": columns}


def step_view(session: Session, workshop: Workshop, step: WorkshopStep) -> StepView:
    """The input of one step, grouped the way its work form shows it."""
    form, spec = spec_of(step)
    items = _items([e for e in entries_of(session, workshop.id, [step.id]) if e.kind != "koppel"])
    view = StepView(workshop.code, step, form, spec, items)
    kind = spec.input
    if kind == "ideeen" and spec.categories:
        view.groups = _group(items, list(spec.categories), lambda i: i.entry.category)
    elif kind in ("aanbod", "vraag"):
        view.groups = _group(
            items,
            list(DOMAINS),
            lambda i: i.entry.domain if i.entry.domain in DOMAINS else "anders",
        )
        view.groups = [(DOMAINS[k]["nl"], v) for k, v in view.groups if v]
    elif kind == "stressoren":
        # look-alikes of stressors named in this work form before (this and earlier steps)
        earlier: list[Item] = []
        for s in steps_of(session, workshop.id):
            if s.form_key == step.form_key and s.position < step.position:
                earlier += _items(entries_of(session, workshop.id, [s.id]))
        for n, item in enumerate(items):
            before = earlier + items[:n]
            for i, _score in near_duplicates([b.entry.text for b in before], item.entry.text)[:2]:
                item.notes.append(before[i].entry.text)
    elif kind == "oorzaken":
        view.groups = _group(items, [], lambda i: i.entry.category)
        view.data = {"relations": RELATIONS, "least": spec.min_entries}
    elif kind == "kansen":
        view.groups = _group(items, list(QUADRANTS), lambda i: i.extra.get("quadrant", ""))
        view.groups = [(QUADRANTS.get(k, k), v) for k, v in view.groups]
    elif kind == "stemming":
        view.data = {"shares": vote_shares(spec.options, [i.entry.text for i in items])}
    elif kind == "koppelen":
        view.data = _matching(session, workshop, step)
    elif kind == "spinnenweb":
        view.items = _latest_per_group(items)
        view.data = _walk(session, workshop, step, view.items)
    elif kind == "afspraken":
        titles = {s.id: step_title(s) for s in steps_of(session, workshop.id)}
        for item in items:
            source = item.extra.get("from_step")
            if source in titles:
                item.extra["from_title"] = titles[source]
    return view


def _latest_per_group(items: list[Item]) -> list[Item]:
    """One web per group (on SQLite, two sent at the very same moment may both be stored)."""
    latest: dict[str, Item] = {}
    for item in sorted(items, key=lambda i: i.entry.id):
        latest[item.entry.category] = item
    return sorted(latest.values(), key=lambda i: int(i.extra.get("group") or 0))


def _walk(
    session: Session, workshop: Workshop, step: WorkshopStep, items: list[Item]
) -> dict[str, Any]:
    """The groups' spider webs of a walk step; after the walk, set next to those before it."""
    webs = [web_from(i.extra, i.entry.author) for i in items]
    moment = spec_of(step)[1].moment
    before: list[GroupWeb] = []
    if moment == "na":
        for s in steps_of(session, workshop.id):
            same = s.form_key == step.form_key and s.position < step.position
            if same and spec_of(s)[1].moment == "voor":
                earlier = _latest_per_group(_items(entries_of(session, workshop.id, [s.id])))
                before = [web_from(i.extra, i.entry.author) for i in earlier]
    after = webs if moment == "na" else []
    comparison = compare_walk(before if moment == "na" else webs, after)
    charts: list[tuple[str, str]] = []
    if moment == "na":
        by_group = {w.group: w for w in before}
        for web in webs:
            lines = [series_of("Na de wandeling", [web])]
            if web.group in by_group:
                lines.insert(0, series_of("Vooraf (achter het bureau)", [by_group[web.group]]))
            title = f"{group_label(web.group)}: vooraf en na de wandeling"
            charts.append((title, _chart(lines, title, f"web-{step.id}-{web.group}")))
    if len(webs) > 1 or (webs and moment == "voor"):
        title = "Alle groepen " + ("na de wandeling" if moment == "na" else "vooraf")
        lines = [series_of(group_label(w.group), [w]) for w in webs]
        charts.append((title, _chart(lines, title, f"web-{step.id}-alle")))
    return {
        "webs": webs,
        "comparison": comparison,
        "charts": charts,
        "moment": moment,
        "groups": list(range(1, workshop.groups + 1)),
    }


def _chart(lines: list[Series], title: str, ident: str) -> str:
    return spider_svg(lines, title=title, size=460, ident=ident)


def step_title(step: WorkshopStep) -> str:
    """The Dutch title of a stored step."""
    return spec_of(step)[1].title.nl


def not_ready(session: Session, workshop: Workshop, step: WorkshopStep) -> list[Participant]:
    """Participants who have not marked ``step`` as done."""
    done = ready_ids(session, step.id)
    return [p for p in participants_of(session, workshop.id) if p.id not in done]


def render_region(env: Environment, view: StepView, viewer: Viewer) -> str:
    """The HTML of a step's input for ``viewer``."""
    return env.get_template("_ws_region.html").render(v=view, viewer=viewer, QUADRANTS=QUADRANTS)


def render_ready(env: Environment, people: list[Participant], total: int) -> str:
    """The HTML of the facilitator's "not done yet" list."""
    return env.get_template("_ws_ready.html").render(people=people, total=total)


def messages_builder(env: Environment) -> Builder:
    """The :data:`~gezondewijk.web.live.Builder` of the workshop pages."""

    def build(session: Session, workshop_id: int, events: list[Event]) -> list[Message]:
        workshop = session.get(Workshop, workshop_id)
        if workshop is None:
            return [(events[-1].seq, "weg", {})]
        steps = {s.id: s for s in steps_of(session, workshop_id)}
        messages: list[Message] = []
        if any(e.kind == "step" for e in events):
            messages.append((max(e.seq for e in events if e.kind == "step"), "stap", {}))
        changed: dict[int, int] = {}
        entry_ids = [e.ref for e in events if e.kind == "entry"]
        if entry_ids:
            rows = session.execute(
                select(WorkshopEntry.id, WorkshopEntry.step_id).where(
                    WorkshopEntry.id.in_(entry_ids)
                )
            ).all()
            step_of = {int(i): int(s) for i, s in rows}
            for e in events:
                if e.kind == "entry" and e.ref in step_of:
                    changed[step_of[e.ref]] = e.seq
        # offers and needs also change the matching board; a confirmed pair adds an action;
        # a web of before the walk is part of the comparison after it
        for step in steps.values():
            spec = spec_of(step)[1]
            follows = spec.input in ("koppelen", "afspraken") or spec.moment == "na"
            if step.state == "open" and follows and changed:
                changed[step.id] = max(changed.values())
        for step_id, seq in changed.items():
            if step_id in steps:
                html = render_region(env, step_view(session, workshop, steps[step_id]), ANYONE)
                messages.append((seq, "inhoud", {"step": step_id, "html": html}))
        people_events = [e for e in events if e.kind in ("ready", "joined")]
        if people_events:
            total = len(participants_of(session, workshop_id))
            for step in steps.values():
                if step.state == "open":
                    html = render_ready(env, not_ready(session, workshop, step), total)
                    seq = max(e.seq for e in people_events)
                    messages.append((seq, "klaar", {"step": step.id, "html": html}))
        return sorted(messages, key=lambda m: m[0])

    return build

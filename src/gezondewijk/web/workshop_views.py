"""What the werksessie pages show of a step, for every viewer and for the live updates.

A step's input is rendered by one template (``_ws_region.html``) for the page and for the
live messages alike; the messages are rendered once for everybody (``Viewer.anyone``) and
each browser then shows its own edit buttons (``werksessie.js``), so that a change costs
one rendering however many people watch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

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
from gezondewijk.werkvormen.catalogue import Step, WorkForm, work_forms
from gezondewijk.werkvormen.inputs import Arrangement, FormState, InputKind, Item


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
class StepView:
    """Everything the step templates need: the stored step, its definition and its input.

    The input is arranged by the step's kind (:mod:`gezondewijk.werkvormen.inputs`).
    """

    code: str
    step: WorkshopStep
    form: WorkForm
    spec: Step
    arranged: Arrangement

    @property
    def kind(self) -> str:
        """The step's input kind's key."""
        return self.spec.input

    @property
    def input_kind(self) -> InputKind:
        """The step's input kind."""
        return self.spec.kind

    @property
    def items(self) -> list[Item]:
        """The step's input as shown."""
        return self.arranged.items

    @property
    def groups(self) -> list[tuple[str, list[Item]]]:
        """The input in groups, where the kind groups it."""
        return self.arranged.groups

    @property
    def data(self) -> dict[str, Any]:
        """The kind's further data for its template."""
        return self.arranged.data


def spec_of(step: WorkshopStep) -> tuple[WorkForm, Step]:
    """The work form and catalogue step of a stored step."""
    form = work_forms()[step.form_key]
    return form, form.step(step.step_key)


def items_of(entries: list[WorkshopEntry]) -> list[Item]:
    """Stored entries with their kind-specific fields."""
    return [Item(e, detail(e)) for e in entries]


class _Source:
    """The rest of the workshop as one step's kind reads it (:class:`WorkshopSource`)."""

    def __init__(self, session: Session, workshop: Workshop, step: WorkshopStep):
        self.session = session
        self.workshop = workshop
        self.step = step
        self.groups = workshop.groups

    @cached_property
    def _steps(self) -> list[WorkshopStep]:
        # read only by the kinds that look beyond their own step (and once for them): live
        # updates render many steps, most of which never ask
        return steps_of(self.session, self.workshop.id)

    def _in_form(self, before: bool) -> list[WorkshopStep]:
        return [
            s
            for s in self._steps
            if s.form_key == self.step.form_key and (not before or s.position < self.step.position)
        ]

    def items_in_form(
        self, inputs: frozenset[str] | None = None, *, before: bool = False
    ) -> list[Item]:
        ids = [
            s.id for s in self._in_form(before) if inputs is None or spec_of(s)[1].input in inputs
        ]
        return items_of(entries_of(self.session, self.workshop.id, ids)) if ids else []

    def steps_in_form(self, *, before: bool = False) -> list[tuple[int, Step]]:
        return [(s.id, spec_of(s)[1]) for s in self._in_form(before)]

    def step_titles(self, *, started: bool = False) -> dict[int, str]:
        return {s.id: step_title(s) for s in self._steps if not started or s.state != "wacht"}


def step_view(session: Session, workshop: Workshop, step: WorkshopStep) -> StepView:
    """The input of one step, arranged the way its kind shows it."""
    form, spec = spec_of(step)
    entries = [e for e in entries_of(session, workshop.id, [step.id]) if e.kind == spec.input]
    arranged = Arrangement(step.id, spec, items_of(entries))
    if spec.kind.arrange is not None:
        spec.kind.arrange(arranged, _Source(session, workshop, step))
    return StepView(workshop.code, step, form, spec, arranged)


def form_start(
    session: Session, workshop: Workshop, step: WorkshopStep, participant_id: int | None
) -> dict[str, Any]:
    """What the input form of ``step`` starts from for a participant (the kind decides)."""
    kind = spec_of(step)[1].kind
    if kind.start is None or participant_id is None:
        return {}
    everything = items_of(entries_of(session, workshop.id))
    own = [i for i in everything if i.entry.participant_id == participant_id]
    return kind.start(
        FormState(
            mine=[i for i in own if i.entry.step_id == step.id],
            step_entries=[i for i in everything if i.entry.step_id == step.id],
            workshop_entries=own,
        )
    )


def step_title(step: WorkshopStep) -> str:
    """The Dutch title of a stored step."""
    return spec_of(step)[1].title.nl


def not_ready(session: Session, workshop: Workshop, step: WorkshopStep) -> list[Participant]:
    """Participants who have not marked ``step`` as done."""
    done = ready_ids(session, step.id)
    return [p for p in participants_of(session, workshop.id) if p.id not in done]


def render_region(env: Environment, view: StepView, viewer: Viewer) -> str:
    """The HTML of a step's input for ``viewer``."""
    return env.get_template("_ws_region.html").render(v=view, viewer=viewer)


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
            if step.state == "open" and spec.kind.follows(spec) and changed:
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

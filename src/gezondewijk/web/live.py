"""Live updates of werksessies: one reader of the change log per workshop and process.

Each open event stream (server-sent events) subscribes with the last change number it has
seen. Per workshop one task reads ``workshop_events`` after the lowest number any of its
subscribers has seen, turns the changes into messages once (a step's input rendered once,
not once per viewer) and hands every subscriber the messages it has not had yet.

The task wakes when a request in this process changed the workshop (:meth:`LiveHub.poke`)
and otherwise every ``poll_s`` seconds, so that changes made by another web worker or
before a restart arrive too: the log in the database is the only truth, nothing is lost
when a process dies, and a browser that reconnects (``Last-Event-ID``) catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from gezondewijk.store.workshops import Event, events_since

LOG = logging.getLogger(__name__)

#: A message for the browsers: (change number, event name, JSON data).
Message = tuple[int, str, dict[str, Any]]
#: Turns a batch of changes into messages (runs in a worker thread with a session).
Builder = Callable[[Session, int, list[Event]], list[Message]]


@dataclass(eq=False)
class Subscriber:
    """One open event stream: the last change it has seen and its queue of messages."""

    after: int
    queue: asyncio.Queue[list[Message]] = field(default_factory=asyncio.Queue)


@dataclass(eq=False)
class _Channel:
    subscribers: set[Subscriber] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class LiveHub:
    """Fans a workshop's changes out to its open event streams in this process.

    Parameters
    ----------
    factory
        Sessions on the app's database.
    build
        Makes the messages of a batch of changes (:data:`Builder`).
    poll_s
        Seconds between reads of the log when nothing in this process pokes.
    batch_s
        Least seconds between two reads: changes that arrive meanwhile go out together, so
        50 people typing at once cost a few renderings per second, not fifty.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        build: Builder,
        poll_s: float = 1.0,
        batch_s: float = 0.15,
    ):
        self._factory = factory
        self._build = build
        self.poll_s = poll_s
        self.batch_s = batch_s
        self._channels: dict[int, _Channel] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def poke(self, workshop_id: int) -> None:
        """Say that a workshop changed (from any thread): its reader runs at once."""
        loop = self._loop
        channel = self._channels.get(workshop_id)
        if loop is None or channel is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(channel.wake.set)

    @asynccontextmanager
    async def subscribe(self, workshop_id: int, after: int) -> AsyncIterator[Subscriber]:
        """An event stream's subscription, from change ``after`` on, while the block runs."""
        self._loop = asyncio.get_running_loop()
        channel = self._channels.setdefault(workshop_id, _Channel())
        sub = Subscriber(after)
        channel.subscribers.add(sub)
        if channel.task is None or channel.task.done():
            channel.task = asyncio.create_task(self._read(workshop_id, channel))
        channel.wake.set()
        try:
            yield sub
        finally:
            channel.subscribers.discard(sub)
            if not channel.subscribers:
                channel.wake.set()  # the reader sees nobody is left and ends

    def _fetch(self, workshop_id: int, after: int) -> tuple[int, list[Message]]:
        with self._factory() as session:
            events = events_since(session, workshop_id, after)
            if not events:
                return after, []
            return events[-1].seq, self._build(session, workshop_id, events)

    async def _read(self, workshop_id: int, channel: _Channel) -> None:
        loop = asyncio.get_running_loop()
        last_read = 0.0
        while channel.subscribers:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(channel.wake.wait(), self.poll_s)
            await asyncio.sleep(max(0.0, last_read + self.batch_s - loop.time()))
            channel.wake.clear()
            last_read = loop.time()
            if not channel.subscribers:
                break
            low = min(s.after for s in channel.subscribers)
            try:
                last, messages = await asyncio.to_thread(self._fetch, workshop_id, low)
            except Exception:
                # the database is away for a moment (a restart, a lock): try again, but say so
                LOG.warning("werksessie %s: live updates not read", workshop_id, exc_info=True)
                await asyncio.sleep(self.poll_s)
                continue
            for sub in list(channel.subscribers):
                if last <= sub.after:
                    continue
                # a message covers every change up to its number; a subscriber that is
                # further along already had the older ones
                fresh = [m for m in messages if m[0] > sub.after]
                sub.after = last
                sub.queue.put_nowait(fresh or [(last, "versie", {})])
        if self._channels.get(workshop_id) is channel and not channel.subscribers:
            del self._channels[workshop_id]

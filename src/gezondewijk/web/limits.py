"""Bounds on what a stranger can start: live streams, and heavy rendering on its own pool.

A client is known by a salted hash of its address that lives only in this process's memory
while its streams are open; nothing is written anywhere (residents' privacy).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi import Request

from gezondewijk._errors import BusyError

_SALT = secrets.token_bytes(16)
T = TypeVar("T")


def client_key(request: Request) -> str:
    """A salted hash of the client's address, for counting in memory only."""
    host = request.client.host if request.client else "?"
    return hashlib.blake2b(host.encode(), key=_SALT, digest_size=12).hexdigest()


@dataclass(eq=False)
class StreamTicket:
    """One open stream; ``ended`` is set when a newer stream of the same viewer replaced it."""

    viewer: str
    client: str
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class StreamLimits:
    """Caps on open live streams (server-sent events).

    Parameters
    ----------
    per_viewer
        Streams one participant or organiser may hold (several devices or tabs); a new one
        ends the oldest, which tells its browser not to reconnect.
    per_client
        Streams one address may hold (a classroom behind one router: keep it generous).
    per_process
        Streams this process serves in all; beyond it a new stream is refused with 503.
    """

    def __init__(self, per_viewer: int = 3, per_client: int = 60, per_process: int = 2000):
        self.per_viewer = per_viewer
        self.per_client = per_client
        self.per_process = per_process
        self._viewers: dict[str, OrderedDict[StreamTicket, None]] = defaultdict(OrderedDict)
        self._clients: dict[str, int] = defaultdict(int)
        self.open = 0

    def check(self, client: str) -> None:
        """Refuse at once when a new stream of ``client`` would go over a cap.

        Raises
        ------
        BusyError
            When the client or the process has its maximum of streams open.
        """
        if self.open >= self.per_process:
            raise BusyError("te veel live-verbindingen op dit moment / too many live streams", 30)
        if self._clients.get(client, 0) >= self.per_client:
            raise BusyError("te veel live-verbindingen van dit adres / too many from here", 30)

    @asynccontextmanager
    async def stream(self, viewer: str, client: str) -> AsyncIterator[StreamTicket]:
        """Hold a stream while the block runs.

        Raises
        ------
        BusyError
            When the client or the process has its maximum of streams open.
        """
        self.check(client)
        ticket = StreamTicket(viewer, client)
        mine = self._viewers[viewer]
        while len(mine) >= self.per_viewer:
            oldest, _ = mine.popitem(last=False)
            oldest.ended.set()
        mine[ticket] = None
        self._clients[client] += 1
        self.open += 1
        try:
            yield ticket
        finally:
            self.open -= 1
            self._clients[client] -= 1
            if self._clients[client] <= 0:
                del self._clients[client]
            mine.pop(ticket, None)
            if not mine:
                self._viewers.pop(viewer, None)


class RenderPool:
    """Heavy rendering (maps, fact sheets, PDFs) in its own bounded pool of threads.

    Residents' pages run on the server's shared thread pool; rendering a map or a PDF takes
    hundreds of milliseconds to seconds, so forty of them at once used to fill that pool and
    stall the survey for tens of seconds. Here they wait on their own executor instead, and
    what does not fit is refused at once (503 with ``Retry-After``), never queued behind.

    Parameters
    ----------
    workers
        Threads that render at once.
    waiting
        Renderings that may wait for a thread; one more is refused.
    per_client
        Renderings one address may have running or waiting.
    cache_size
        Results kept (least recently used dropped), keyed on what was asked and the loaded
        run: a map excerpt or chart depends on nothing else.
    """

    def __init__(
        self, workers: int = 2, waiting: int = 6, per_client: int = 4, cache_size: int = 128
    ) -> None:
        from concurrent.futures import ThreadPoolExecutor
        from threading import Lock

        self.workers = workers
        self.waiting = waiting
        self.per_client = per_client
        self.cache_size = cache_size
        self.rendered = 0
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="render")
        self._lock = Lock()
        self._busy = 0
        self._clients: dict[str, int] = defaultdict(int)
        self._cache: OrderedDict[object, object] = OrderedDict()

    async def run(self, client: str, work: Callable[[], T], key: object = None) -> T:
        """The result of ``work()``, from the cache or rendered on the pool.

        Raises
        ------
        BusyError
            At once, when the pool is full or this client already has ``per_client`` waiting.
        """
        if key is not None:
            with self._lock:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    return self._cache[key]  # type: ignore[return-value]
        with self._lock:
            if self._busy >= self.workers + self.waiting:
                raise BusyError("de kaarten en factsheets zijn even druk / busy rendering", 5)
            if self._clients[client] >= self.per_client:
                raise BusyError(
                    "wacht tot uw vorige kaart of factsheet klaar is / one at a time", 5
                )
            self._busy += 1
            self._clients[client] += 1
        try:
            result = await asyncio.wrap_future(self._executor.submit(work))
        finally:
            with self._lock:
                self._busy -= 1
                self._clients[client] -= 1
                if self._clients[client] <= 0:
                    del self._clients[client]
        with self._lock:
            self.rendered += 1
            if key is not None:
                self._cache[key] = result
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return result

    def close(self) -> None:
        """Stop the threads (pending work is cancelled)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

"""Bounds on what a stranger can start: live streams per participant, per client, per process.

A client is known by a salted hash of its address that lives only in this process's memory
while its streams are open; nothing is written anywhere (residents' privacy).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import Request

from gezondewijk._errors import GezondewijkError

_SALT = secrets.token_bytes(16)


def client_key(request: Request) -> str:
    """A salted hash of the client's address, for counting in memory only."""
    host = request.client.host if request.client else "?"
    return hashlib.blake2b(host.encode(), key=_SALT, digest_size=12).hexdigest()


class BusyError(GezondewijkError):
    """Too many at once: answered with 503 and ``Retry-After`` (seconds)."""

    status_code = 503

    def __init__(self, message: str, retry_after: int = 10) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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

"""Campaigns by join code for residents' requests, read from the database every few seconds.

Opening and sending a form both need the campaign (its status, period, scale, areas); at
hundreds of forms a second that lookup was the largest single cost after the insert itself.
Organiser pages always read the database, and their changes clear this process's entry at
once; other worker processes see a change after at most ``ttl_s`` seconds (a pause or a
closed period takes effect within that time). Unknown codes are never remembered, so a new
campaign works at once.
"""

from __future__ import annotations

import time
from threading import Lock

from sqlalchemy.orm import Session, sessionmaker

from gezondewijk.store.models import Campaign
from gezondewijk.store.repository import campaign_by_code

#: Entries kept at most; beyond it the cache starts again (codes are guessable, memory is not).
MAX_ENTRIES = 10_000


class CampaignCache:
    """Detached, read-only :class:`Campaign` objects per join code, each kept ``ttl_s`` seconds.

    Parameters
    ----------
    factory
        The app's session factory (its sessions keep objects usable after they close).
    ttl_s
        Seconds an entry is used before the database is read again; 0 reads it every time.
    """

    def __init__(self, factory: sessionmaker[Session], ttl_s: float) -> None:
        self._factory = factory
        self.ttl_s = ttl_s
        self._items: dict[str, tuple[float, Campaign]] = {}
        self._lock = Lock()

    def peek(self, code: str) -> Campaign | None:
        """The campaign if this process has a recent copy; ``None`` means: call :meth:`get`.

        Never reads the database, so an ``async`` endpoint can call it on the event loop.
        """
        hit = self._items.get(code.strip().upper())
        if hit is not None and time.monotonic() - hit[0] < self.ttl_s:
            return hit[1]
        return None

    def get(self, code: str) -> Campaign | None:
        """The campaign with this code (case-insensitive), or ``None``."""
        hit = self.peek(code)
        if hit is not None:
            return hit
        key = code.strip().upper()
        now = time.monotonic()
        with self._factory() as session:
            campaign = campaign_by_code(session, key)
        if campaign is not None and self.ttl_s > 0:
            with self._lock:
                if len(self._items) >= MAX_ENTRIES:
                    self._items = {}
                self._items[key] = (now, campaign)
        return campaign

    def forget(self, code: str) -> None:
        """Drop a campaign after a change, so that this process reads it again."""
        with self._lock:
            self._items.pop(code.strip().upper(), None)

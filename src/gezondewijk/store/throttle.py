r"""Throttle counts kept in the database, so that several web workers share one limit.

A per-process counter lets a client through N times the limit when N worker processes serve
it. Here every worker counts in the table ``window_counts`` with the *sliding window counter*
estimate (Cloudflare, "How we built rate limiting capable of scaling to millions of domains",
2017): with ``c`` hits in the current fixed window, ``p`` in the previous one and a fraction
``f`` of the current window gone,

.. math:: \hat n = p \, (1 - f) + c

which smooths the jump at window edges without storing a time per hit. The count is raised
with one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, SQLite ≥ 3.35 and
PostgreSQL), so two workers never both take the last place; refused attempts count too.

Privacy: the key of a row is a keyed BLAKE2b hash of the client address or e-mail address;
the hash key is derived from the app's secret *and the window's start*, so rows of different
windows cannot be linked, and rows older than the previous window are deleted.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, text
from sqlalchemy.orm import Session, sessionmaker

from gezondewijk.store.models import WindowCount
from gezondewijk.store.writes import group_commit

# Plain SQL that SQLite (3.35+) and PostgreSQL both understand; prepared once, no ORM step.
#: The upsert that also returns the previous window's hits: one round trip per counted hit.
_UPSERT_WITH_PREVIOUS = text(
    "INSERT INTO window_counts (key, start, span, hits) VALUES (:key, :start, :span, 1) "
    "ON CONFLICT (key, start) DO UPDATE SET hits = window_counts.hits + 1 "
    "RETURNING hits, (SELECT p.hits FROM window_counts AS p "
    "WHERE p.key = :previous_key AND p.start = :previous_start)"
)
_HITS = text("SELECT hits FROM window_counts WHERE key = :key AND start = :start")
_CLEAN = text("DELETE FROM window_counts WHERE span = :span AND start < :before")


@dataclass(frozen=True)
class Estimate:
    """A throttle key's weighted hits and the seconds until its current window ends."""

    hits: float
    window_left_s: float


class WindowCounts:
    """Sliding-window hit counts of one kind of key (one ``span``), shared through the database.

    Parameters
    ----------
    factory
        Session factory of the app's database.
    secret
        The app's secret key (all workers share it); keys are hashed with it.
    span_s
        Window length in seconds (60 for submissions, 900 for log-ins).
    """

    def __init__(self, factory: sessionmaker[Session], secret: str, span_s: int) -> None:
        self._factory = factory
        self._secret = hashlib.sha256(b"gezondewijk-throttle:" + secret.encode()).digest()
        self.span_s = span_s
        self._cleaned = -1

    def _key(self, name: str, start: int) -> bytes:
        data = f"{self.span_s}:{start}:{name}".encode()
        return hashlib.blake2b(data, key=self._secret, digest_size=16).digest()

    def _window(self, now: float) -> tuple[int, float]:
        start = int(now // self.span_s) * self.span_s
        return start, (now - start) / self.span_s

    def _hits(self, conn: Connection, name: str, start: int) -> int:
        found = conn.execute(_HITS, {"key": self._key(name, start), "start": start}).scalar()
        return int(found or 0)

    def estimate(self, name: str, now: float | None = None) -> Estimate:
        """The weighted hits of ``name`` now (nothing is counted)."""
        now = time.time() if now is None else now
        start, fraction = self._window(now)
        with self._factory() as session:
            conn = session.connection()
            hits = self._hits(conn, name, start - self.span_s) * (1 - fraction)
            hits += self._hits(conn, name, start)
        return Estimate(hits, self.span_s * (1 - fraction))

    def counter(self, name: str, now: float | None = None) -> Callable[[Connection], Estimate]:
        """A write that counts one hit of ``name`` and returns the weighted hits including it.

        For a transaction shared with other writes (:class:`~gezondewijk.store.writes.GroupCommit`):
        a form's hit and the form itself are then committed together, one commit instead of
        two. Rows older than the previous window are deleted by the first count of a window.
        """
        now = time.time() if now is None else now
        start, fraction = self._window(now)

        values = {
            "key": self._key(name, start),
            "start": start,
            "span": self.span_s,
            "previous_key": self._key(name, start - self.span_s),
            "previous_start": start - self.span_s,
        }

        def count(conn: Connection) -> Estimate:
            current, previous = conn.execute(_UPSERT_WITH_PREVIOUS, values).one()
            if self._cleaned != start:
                conn.execute(_CLEAN, {"span": self.span_s, "before": start - self.span_s})
                self._cleaned = start
            hits = int(previous or 0) * (1 - fraction) + int(current)
            return Estimate(hits, self.span_s * (1 - fraction))

        return count

    def hit(self, name: str, now: float | None = None) -> Estimate:
        """Count one hit of ``name``; return the weighted hits including it."""
        return group_commit(self._factory).run(self.counter(name, now))

    def clear(self, name: str, now: float | None = None) -> None:
        """Forget the hits of ``name`` in the current and previous window."""
        now = time.time() if now is None else now
        start, _ = self._window(now)
        keys = [self._key(name, start), self._key(name, start - self.span_s)]
        group_commit(self._factory).run(
            lambda conn: conn.execute(delete(WindowCount).where(WindowCount.key.in_(keys)))
        )

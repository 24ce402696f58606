"""Writes that take turns and share commits: how many web workers write to one database.

Two mechanisms, both measured with the Leefplekmeter load test (``benchmarks/load.py``):

* :func:`write_turn`: writers to a SQLite file take turns on a lock instead of sleeping in
  SQLite's busy handler;
* :class:`GroupCommit`: the writes that arrive while another is being committed are committed
  together in the next transaction (group commit, as databases do with their own log:
  PostgreSQL's ``commit_delay``, InnoDB's binlog group commit). One fsync and one turn then
  serve many forms.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

try:  # POSIX; elsewhere the threads of one process still take turns
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")


class _WriteTurn:
    """One writer at a time on a SQLite file: a thread lock, then an ``flock`` on a lock file.

    The thread lock orders the threads of this process (``flock`` locks belong to the open
    file, which the threads share); the ``flock`` on ``<database>.write-lock`` orders the
    processes (several web workers). A waiter wakes as soon as the lock is released, where
    SQLite's own busy handler would sleep 1, 2, 5, 10 … 100 ms between tries.
    """

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._path = path

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            if fcntl is not None and self._path:
                if self._fd is None:
                    self._fd = os.open(self._path + ".write-lock", os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None and fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._lock.release()


_WRITE_TURNS: weakref.WeakKeyDictionary[Engine, _WriteTurn] = weakref.WeakKeyDictionary()
_TURNS_LOCK = threading.Lock()


def write_turn(engine: Engine) -> AbstractContextManager[None]:
    """Hold this while writing to SQLite, so that writers take turns instead of sleeping.

    SQLite lets one connection write at a time. Connections that find the database locked wait
    in SQLite's busy handler, which sleeps in growing steps (1, 2, 5, 10 … 100 ms:
    ``sqliteDefaultBusyCallback`` in SQLite's ``main.c``); under load that sleeping, not the
    work, set the tail latency (p99 1.6 s at 150 forms/s, most of the CPU idle). Taking turns
    on a lock (:class:`_WriteTurn`) hands the database over in microseconds, between threads
    and between worker processes. Writers that do not take a turn (a CLI command) still meet
    the busy handler. PostgreSQL locks rows: ``nullcontext``.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _TURNS_LOCK:
        turn = _WRITE_TURNS.get(engine)
        if turn is None:
            database = engine.url.database or ""
            path = "" if database in ("", ":memory:") else os.path.abspath(database)
            turn = _WRITE_TURNS[engine] = _WriteTurn(path)
    return turn


class _Job(Generic[T]):
    """One caller's write: its function, then its result or error, and whether it must lead."""

    def __init__(self, work: Callable[[Connection], T]) -> None:
        self.work = work
        self.value: T | None = None
        self.error: BaseException | None = None
        self.ready = threading.Event()
        self.lead = False


class GroupCommit:
    """Run write functions in shared transactions: one commit for every write waiting.

    Leader and followers: a caller that finds no write in progress writes its own job at
    once (no added wait when the database is quiet). Callers that arrive meanwhile queue up;
    when the commit is done the first of them is woken to write the whole queue in one
    transaction, and so on. A batch that fails is rolled back and its jobs are run again one
    by one, each in its own transaction, so that every caller gets its own result or its own
    error (a repeated form token, say) and no job sees another's rows half-written.

    Parameters
    ----------
    engine
        The database.
    max_batch
        Jobs written in one transaction at most.
    """

    def __init__(self, engine: Engine, max_batch: int = 64) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self._turn = write_turn(engine)
        self._lock = threading.Lock()
        self._queue: list[_Job[Any]] = []
        self._busy = False

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(connection)`` in a transaction that is committed before this returns.

        Raises
        ------
        Exception
            Whatever ``work`` raised when run on its own.
        """
        job: _Job[T] = _Job(work)
        with self._lock:
            if self._busy:
                self._queue.append(job)
            else:
                self._busy = True
                job.lead = True
        if not job.lead:
            job.ready.wait()
        if job.lead:
            self._lead(job)
        if job.error is not None:
            raise job.error
        return job.value  # type: ignore[return-value]

    def _lead(self, job: _Job[Any]) -> None:
        batch = [job]
        with self._lock:
            take = self.max_batch - 1
            batch += self._queue[:take]
            del self._queue[:take]
        try:
            self._write(batch)
        finally:
            with self._lock:
                if self._queue:
                    successor = self._queue.pop(0)
                    successor.lead = True
                    successor.ready.set()
                else:
                    self._busy = False
            for other in batch[1:]:
                other.ready.set()

    def _write(self, batch: list[_Job[Any]]) -> None:
        with self._turn:
            try:
                with self.engine.begin() as conn:
                    values = [j.work(conn) for j in batch]
            except Exception as exc:
                if len(batch) == 1:
                    batch[0].error = exc
                    return
            else:
                for j, value in zip(batch, values, strict=True):
                    j.value = value
                return
            for j in batch:  # one failed: each again on its own
                try:
                    with self.engine.begin() as conn:
                        j.value = j.work(conn)
                except Exception as exc:  # handed to its own caller
                    j.error = exc


_GROUPS: weakref.WeakKeyDictionary[Engine, GroupCommit] = weakref.WeakKeyDictionary()
_GROUPS_LOCK = threading.Lock()


def group_commit(factory: sessionmaker[Session]) -> GroupCommit:
    """The one :class:`GroupCommit` of a session factory's engine in this process."""
    engine = factory.kw["bind"]
    with _GROUPS_LOCK:
        group = _GROUPS.get(engine)
        if group is None:
            group = _GROUPS[engine] = GroupCommit(engine)
    return group

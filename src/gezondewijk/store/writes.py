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

import asyncio
import os
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
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
    """One caller's write: its function and the future its result or error goes to."""

    def __init__(self, work: Callable[[Connection], T]) -> None:
        self.work = work
        self.future: Future[T] = Future()


class GroupCommit:
    """Run write functions in shared transactions: one commit for every write waiting.

    Callers hand their write to one writer thread per database and process (:meth:`submit`).
    The writer takes everything queued (up to ``max_batch``) and writes it in one
    transaction; what arrives meanwhile goes into the next one. A quiet database adds no wait
    beyond the hand-over; the writer ends after ``idle_s`` without work and starts again with
    the next write. A batch that fails is rolled back and its jobs are run again one by one,
    each in its own transaction, so that every caller gets its own result or its own error
    (a repeated form token, say) and no job sees another's rows half-written.

    Why a writer thread rather than each caller writing in turn: an ``async`` endpoint awaits
    its write (:meth:`run_async`) on the event loop instead of occupying one of the
    threadpool's threads, and under load two threads (loop and writer) share the interpreter
    lock instead of dozens of request threads taking turns on it.

    Parameters
    ----------
    engine
        The database.
    max_batch
        Jobs written in one transaction at most.
    idle_s
        Seconds the writer waits for work before it ends.
    """

    def __init__(self, engine: Engine, max_batch: int = 64, idle_s: float = 2.0) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.idle_s = idle_s
        self._turn = write_turn(engine)
        self._work = threading.Condition()
        self._queue: list[_Job[Any]] = []
        self._writing = False

    def submit(self, work: Callable[[Connection], T]) -> Future[T]:
        """Queue ``work(connection)``; the future is done once its transaction is committed."""
        job: _Job[T] = _Job(work)
        with self._work:
            self._queue.append(job)
            if self._writing:
                self._work.notify()
            else:
                self._writing = True
                threading.Thread(
                    target=self._write_queue, name="gezondewijk-group-commit", daemon=True
                ).start()
        return job.future

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(connection)`` in a transaction that is committed before this returns.

        Raises
        ------
        Exception
            Whatever ``work`` raised when run on its own.
        """
        return self.submit(work).result()

    async def run_async(self, work: Callable[[Connection], T]) -> T:
        """:meth:`run` for an ``async`` caller: the event loop goes on while it is written."""
        return await asyncio.wrap_future(self.submit(work))

    def _write_queue(self) -> None:
        while True:
            with self._work:
                if not self._queue:
                    self._work.wait(self.idle_s)
                if not self._queue:
                    self._writing = False
                    return
                taken = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
            # a caller that gave up (a resident's connection closed) is not written; the others
            # can no longer be cancelled, so their results can always be set
            batch = [j for j in taken if j.future.set_running_or_notify_cancel()]
            if not batch:
                continue
            try:
                self._write(batch)
            except BaseException as exc:  # never leave a caller waiting
                for j in batch:
                    if not j.future.done():
                        j.future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise

    def _write(self, batch: list[_Job[Any]]) -> None:
        with self._turn:
            try:
                with self.engine.begin() as conn:
                    values = [j.work(conn) for j in batch]
            except Exception as exc:
                if len(batch) == 1:
                    batch[0].future.set_exception(exc)
                    return
            else:
                for j, value in zip(batch, values, strict=True):
                    j.future.set_result(value)
                return
            for j in batch:  # one failed: each again on its own
                try:
                    with self.engine.begin() as conn:
                        j.future.set_result(j.work(conn))
                except Exception as exc:  # handed to its own caller
                    j.future.set_exception(exc)


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

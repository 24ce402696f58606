"""Engine, sessions and migrations for a database URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: Connections kept open per process: as many as the web app's threads that may use one at a
#: time (anyio's default thread limiter: 40) would be more than PostgreSQL's default 100
#: connections allow for several workers; 20 per process with no overflow keeps every
#: connection open and reused (opening one per request cost more than the request).
POOL_SIZE = 20


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, full fsync and foreign keys (durable under SIGKILL)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=POOL_SIZE,
            max_overflow=POOL_SIZE,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # pre-ping kept: a connection dropped by a PostgreSQL restart fails no resident's form
    # (measured under load: 342 vs 385 forms/s without it, within the run-to-run spread)
    return create_engine(
        url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=0, pool_timeout=30
    )


def warm_pool(engine: Engine) -> int:
    """Open a PostgreSQL pool's connections now, so that the first residents do not wait.

    Opening a connection (TCP, authentication, the server's new backend) cost more than a
    form; without this, the first seconds under load after a start opened them one by one
    (issue 32: ``_connect_gen`` in the profile, latency tails). SQLite's are cheap: none.
    Returns how many were opened.
    """
    if engine.dialect.name != "postgresql":
        return 0
    size = engine.pool.size()  # type: ignore[attr-defined]
    opened = [engine.connect() for _ in range(size)]
    for connection in opened:
        connection.close()  # back to the pool, still open
    return size


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to a schema (Alembic ``upgrade``; the newest by default).

    ``revision`` may also be older than the database's: it then goes back (``downgrade``).
    """
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("gezondewijk.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if revision != "head":
        engine = create_engine(url)
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        engine.dispose()
        if current is not None and current > revision:
            command.downgrade(cfg, revision)
            return
    command.upgrade(cfg, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits at the end, or rolls back everything on an error."""
    with factory() as session, session.begin():
        yield session

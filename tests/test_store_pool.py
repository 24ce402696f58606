"""The PostgreSQL pool is opened at start, so the first residents after a restart do not wait."""

from __future__ import annotations

from gezondewijk.store.db import POOL_SIZE, make_engine, warm_pool


def test_the_pool_is_open_before_the_first_request(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        opened = warm_pool(engine)
        if engine.dialect.name == "postgresql":
            assert opened == POOL_SIZE
            assert engine.pool.checkedin() == POOL_SIZE  # type: ignore[attr-defined]
        else:
            assert opened == 0  # SQLite's connections are a file open away
    finally:
        engine.dispose()

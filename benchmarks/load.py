"""Load and crash test of the Leefplekmeter API on loopback.

``run_load_test`` starts the web app in a child process, lets ``clients`` concurrent residents
submit forms, counts the stored rows against the acknowledged ones, then kills the server with
SIGKILL in the middle of a second wave, restarts it, and checks that every acknowledged form is
still there. It reports throughput and p50/p99 latency.

    python benchmarks/load.py --clients 200 --forms 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SERVER = """
import sys, uvicorn
from gezondewijk.web import WebSettings, create_app
app = create_app(WebSettings(database_url=sys.argv[1], submit_limit_per_minute=10**9,
                             public_url="http://127.0.0.1:" + sys.argv[2]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="error", access_log=False)
"""


@dataclass
class Wave:
    acknowledged: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    seconds: float = 0.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(db_url: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, db_url, str(port)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def _form(themes: list[str], token: str) -> dict[str, object]:
    return {
        "form_token": token,
        "answers": [
            {"theme": t, "score": int(v)}
            for t, v in zip(
                themes, np.random.default_rng().integers(1, 11, len(themes)), strict=True
            )
        ],
    }


async def _wave(
    url: str, clients: int, forms: int, themes: list[str], stop_after: float | None = None
) -> Wave:
    wave = Wave()
    start = time.perf_counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def resident() -> None:
            for _ in range(forms):
                t0 = time.perf_counter()
                try:
                    # as a resident's app: open the form (a token bound to the campaign), send it
                    info = await client.get(url.rsplit("/responses", 1)[0])
                    body = _form(themes, str(info.json()["form_token"]))
                    r = await client.post(url, json=body)
                except httpx.HTTPError:
                    wave.failed += 1
                    return
                if r.status_code in (200, 201):
                    wave.acknowledged.add(str(body["form_token"]))
                    wave.latencies.append(time.perf_counter() - t0)
                else:
                    wave.failed += 1
                if stop_after is not None and time.perf_counter() - start > stop_after + 5:
                    return

        await asyncio.gather(*(resident() for _ in range(clients)))
    wave.seconds = time.perf_counter() - start
    return wave


def _stored_tokens(db_url: str) -> set[str]:
    from sqlalchemy import select

    from gezondewijk.store.db import make_engine
    from gezondewijk.store.models import Response

    engine = make_engine(db_url)
    with engine.connect() as conn:
        tokens = {row[0] for row in conn.execute(select(Response.form_token))}
    engine.dispose()
    return tokens


def run_load_test(
    clients: int = 200, forms: int = 5, db_url: str | None = None, kill_after: float = 1.0
) -> dict[str, object]:
    """Run both waves and return the figures (see the module docstring)."""
    sys.path.insert(0, str(ROOT / "src"))
    from gezondewijk.demo.leefplekmeter import make_demo_campaign
    from gezondewijk.leefplekmeter.themes import theme_keys
    from gezondewijk.store.db import make_engine, migrate, session_factory

    tmp = tempfile.mkdtemp(prefix="gw-load-")
    db_url = db_url or f"sqlite:///{tmp}/load.db"
    migrate(db_url)
    engine = make_engine(db_url)
    campaign = make_demo_campaign(session_factory(engine), areas=[], n=0)
    engine.dispose()
    port = _port()
    url = f"http://127.0.0.1:{port}/api/campaigns/{campaign.code}/responses"
    themes = theme_keys()
    server = _start(db_url, port)
    try:
        first = asyncio.run(_wave(url, clients, forms, themes))
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = _stored_tokens(db_url)
    lost_first = len(first.acknowledged - stored)

    server = _start(db_url, port)

    def killer() -> None:
        time.sleep(kill_after)
        server.send_signal(signal.SIGKILL)

    import threading

    threading.Thread(target=killer, daemon=True).start()
    second = asyncio.run(_wave(url, clients, forms * 20, themes, stop_after=kill_after))
    server.wait(timeout=30)
    server = _start(db_url, port)  # restart: must come up on the crashed database
    server.terminate()
    server.wait(timeout=30)
    after = _stored_tokens(db_url)
    lat = np.array(first.latencies) * 1000
    return {
        "clients": clients,
        "forms_per_client": forms,
        "database": db_url.split(":")[0],
        "acknowledged": len(first.acknowledged),
        "rows": len(stored),
        "lost": lost_first,
        "throughput_per_s": len(first.acknowledged) / first.seconds if first.seconds else 0.0,
        "p50_ms": float(np.percentile(lat, 50)) if len(lat) else None,
        "p99_ms": float(np.percentile(lat, 99)) if len(lat) else None,
        "failed": first.failed,
        "killed_wave_acknowledged": len(second.acknowledged),
        "killed_wave_lost": len(second.acknowledged - after),
        "killed_wave_failed": second.failed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--forms", type=int, default=5)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite)")
    args = parser.parse_args()
    print(json.dumps(run_load_test(args.clients, args.forms, args.db), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

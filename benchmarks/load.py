"""Load and crash test of the Leefplekmeter API on loopback.

``run_load_test`` starts the web app as a user does (``gezondewijk serve --workers N``), then:

1. *load*: ``clients`` concurrent residents open and send forms for ``seconds`` seconds, driven
   by ``wrk`` (``benchmarks/forms.lua``; Debian package ``wrk``, a C event loop that needs a
   few per cent of a core, so the server gets the machine). Every acknowledged response id is
   looked up in the database afterwards;
2. *crash*: a second wave of residents (an httpx client, which keeps every acknowledged form
   token) is cut off by SIGKILL of the whole server (all workers) after ``kill_after`` s, once
   ``kill_at_acknowledged`` forms are acknowledged; the server is started again on the
   crashed database, and every acknowledged form must still be there.

Without wrk (a user's own machine) the load wave falls back to the httpx client and says so.

    python benchmarks/load.py --clients 200 --workers 4
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WRK = shutil.which("wrk") or "/usr/bin/wrk"
SERVE = "from gezondewijk.cli import main; raise SystemExit(main())"
SECRET = "load-test-secret-" + "x" * 32


@dataclass
class Wave:
    acknowledged: set[str] = field(default_factory=set)
    ids: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    seconds: float = 0.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(
    db_url: str, port: int, workers: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``gezondewijk serve`` in its own process group (so that SIGKILL reaches every worker)."""
    env = {
        **os.environ,
        **(extra_env or {}),
        "PYTHONPATH": str(ROOT / "src"),
        "GEZONDEWIJK_DATABASE_URL": db_url,
        "GEZONDEWIJK_SECRET_KEY": SECRET,
        "GEZONDEWIJK_SUBMIT_LIMIT_PER_MINUTE": str(10**9),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    _kill(proc)
    raise RuntimeError("server did not start")


def _kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


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
    url: str,
    clients: int,
    forms: int,
    themes: list[str],
    stop_after: float | None = None,
    wave: Wave | None = None,
) -> Wave:
    wave = wave or Wave()
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
                    wave.ids.append(int(r.json()["id"]))
                    wave.latencies.append(time.perf_counter() - t0)
                else:
                    wave.failed += 1
                if stop_after is not None and time.perf_counter() - start > stop_after + 5:
                    return

        await asyncio.gather(*(resident() for _ in range(clients)))
    wave.seconds = time.perf_counter() - start
    return wave


def wrk_wave(
    base: str,
    code: str,
    bodies: list[str],
    connections: int,
    seconds: float,
    threads: int = 1,
    think_ms: float = 0.0,
) -> dict[str, Any]:
    """Residents opening and sending forms, driven by ``wrk`` (C, event loop; see forms.lua).

    ``wrk`` on one thread uses a few per cent of a core, where the httpx client used more CPU
    than the server it measured. Returns wrk's counts and latency percentiles (both requests of
    a form: opening it and sending it) and the acknowledged response ids.
    """
    with tempfile.TemporaryDirectory(prefix="gw-wrk-") as tmp:
        body_file = Path(tmp) / "bodies.jsonl"
        body_file.write_text("\n".join(bodies) + "\n", encoding="utf-8")
        result_file = Path(tmp) / "result.json"
        env = {
            **os.environ,
            "WRK_RESULT": str(result_file),
            "WRK_THREADS": str(threads),
            "WRK_THINK_MS": str(round(think_ms)),
        }
        subprocess.run(
            [
                WRK,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{round(seconds)}s",
                "--timeout",
                "30s",
                "-s",
                str(ROOT / "benchmarks" / "forms.lua"),
                base,
                "--",
                code,
                str(body_file),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    result["forms_per_s"] = result["created"] / result["seconds"] if result["seconds"] else 0.0
    return result


def _stored_tokens(db_url: str) -> set[str]:
    from sqlalchemy import select

    from gezondewijk.store.db import make_engine
    from gezondewijk.store.models import Response

    engine = make_engine(db_url)
    with engine.connect() as conn:
        tokens = {row[0] for row in conn.execute(select(Response.form_token))}
    engine.dispose()
    return tokens


def _bodies(code: str, themes: list[str], n: int) -> list[str]:
    """``n`` form bodies with tokens issued by the server's own code and secret."""
    from gezondewijk.web.security import FormTokens

    tokens = FormTokens(SECRET)
    rng = np.random.default_rng(2026)
    scores = rng.integers(1, 11, (n, len(themes)))
    return [
        json.dumps(
            {
                "form_token": tokens.issue(code),
                "answers": [
                    {"theme": t, "score": int(v)} for t, v in zip(themes, row, strict=True)
                ],
            }
        )
        for row in scores
    ]


def _stored_ids(db_url: str) -> set[int]:
    from sqlalchemy import select

    from gezondewijk.store.db import make_engine
    from gezondewijk.store.models import Response

    engine = make_engine(db_url)
    with engine.connect() as conn:
        ids = {int(row[0]) for row in conn.execute(select(Response.id))}
    engine.dispose()
    return ids


def run_load_test(
    clients: int = 200,
    seconds: float = 10,
    db_url: str | None = None,
    workers: int = 4,
    kill_after: float = 2.0,
    kill_at_acknowledged: int = 300,
    warm_up: float = 0.0,
    forms_per_s: float | None = None,
) -> dict[str, Any]:
    """Run the load wave and the crash wave; return the figures (see the module docstring).

    ``forms_per_s``: residents who take time to fill in (a random think time of 0.5-1.5 times
    ``clients / forms_per_s`` before each form), so that the wave sends about that many forms
    a second and the latencies are those at that load; without it every resident sends its
    next form at once, and the wave measures the most the server can take (with ``clients``
    waiting, the mean latency is then ``clients / requests per second`` by Little's law).
    """
    think_ms = 1000 * clients / forms_per_s if forms_per_s else 0.0
    sys.path.insert(0, str(ROOT / "src"))
    from gezondewijk.demo.leefplekmeter import make_demo_campaign
    from gezondewijk.leefplekmeter.themes import theme_keys
    from gezondewijk.store.db import make_engine, migrate, session_factory

    # removed at the end, or when the process ends if the test fails on its way
    folder = tempfile.TemporaryDirectory(prefix="gw-load-")
    tmp = folder.name
    db_url = db_url or f"sqlite:///{tmp}/load.db"
    migrate(db_url)
    engine = make_engine(db_url)
    campaign = make_demo_campaign(session_factory(engine), areas=[], n=0)
    engine.dispose()
    port = _port()
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/api/campaigns/{campaign.code}/responses"
    themes = theme_keys()
    server = _start(db_url, port, workers)
    try:
        if Path(WRK).exists():
            client = "wrk 4.1 (one thread)"
            # more bodies than the fastest server could take in the time: each is sent once
            bodies = _bodies(campaign.code, themes, int(3000 * (seconds + warm_up)))
            acknowledged = set()
            if warm_up:  # a server that has been running: imports, prepared statements
                split = int(3000 * warm_up)
                warm = wrk_wave(
                    base, campaign.code, bodies[:split], clients, warm_up, think_ms=think_ms
                )
                acknowledged = {int(i) for i in warm.pop("ids")}
                bodies = bodies[split:]
            load = wrk_wave(base, campaign.code, bodies, clients, seconds, think_ms=think_ms)
            acknowledged |= {int(i) for i in load.pop("ids")}
            figures = {
                "forms_per_s": load["forms_per_s"],
                "p50_ms": load["p50_ms"],
                "p90_ms": load["p90_ms"],
                "p99_ms": load["p99_ms"],
                "max_ms": load["max_ms"],
                "failed": load["failed"] + load["socket_errors"],
            }
        else:
            client = "httpx (wrk not installed: the client takes CPU from the server)"
            wave = asyncio.run(_wave(url, clients, 5, themes))
            acknowledged = set(wave.ids)
            lat = np.array(wave.latencies) * 1000
            figures = {
                "forms_per_s": len(wave.acknowledged) / wave.seconds,
                "p50_ms": float(np.percentile(lat, 50)) if len(lat) else None,
                "p99_ms": float(np.percentile(lat, 99)) if len(lat) else None,
                "failed": wave.failed,
            }
    finally:
        _kill(server, signal.SIGTERM)
    stored = _stored_ids(db_url)

    server = _start(db_url, port, workers)
    crash = Wave()

    def killer() -> None:
        # mid-load: once every worker is busy and ``kill_at_acknowledged`` forms are
        # acknowledged (at least ``kill_after`` s in, at most 30 s)
        start = time.monotonic()
        while time.monotonic() - start < 30 and (
            time.monotonic() - start < kill_after or len(crash.acknowledged) < kill_at_acknowledged
        ):
            time.sleep(0.01)
        _kill(server)

    import threading

    threading.Thread(target=killer, daemon=True).start()
    second = asyncio.run(_wave(url, clients, 100, themes, stop_after=30.0, wave=crash))
    server.wait(timeout=30)
    server = _start(db_url, port, workers)  # restart: must come up on the crashed database
    _kill(server, signal.SIGTERM)
    after = _stored_tokens(db_url)
    folder.cleanup()
    return {
        "clients": clients,
        "workers": workers,
        "client": client,
        "paced_forms_per_s": forms_per_s if client.startswith("wrk") else None,
        "database": db_url.split(":")[0],
        "acknowledged": len(acknowledged),
        "rows": len(stored),
        "lost": len(acknowledged - stored),
        **figures,
        "killed_wave_acknowledged": len(second.acknowledged),
        "killed_wave_lost": len(second.acknowledged - after),
        "killed_wave_failed": second.failed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite)")
    parser.add_argument(
        "--forms-per-s",
        type=float,
        default=None,
        help="pace the residents to about this many forms a second (default: flat out)",
    )
    parser.add_argument(
        "--warm-up", type=float, default=0.0, help="seconds of load before the measured wave"
    )
    args = parser.parse_args()
    result = run_load_test(
        args.clients,
        args.seconds,
        args.db,
        args.workers,
        warm_up=args.warm_up,
        forms_per_s=args.forms_per_s,
    )
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

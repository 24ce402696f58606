"""Load test of a werksessie: participants post into one workshop while their streams are open.

``run_workshop_load`` starts the web app as a user does (``gezondewijk serve``), makes a
workshop, lets ``participants`` people join and open their event stream (server-sent
events), starts the step, and has every participant post ``posts_each`` ideas with a think
time of 0.5-1.5 × ``think_s`` between them. Every post carries a unique marker; each stream
records when it first shows that marker. Reported: latency from sending a post to each
stream showing it (p50, p99, max over every stream × post pair), and how many pairs were
never shown (lost) within ``settle_s`` after the last post.

Run alone: ``python benchmarks/workshop_load.py [--participants 50] [--workers 1]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load import _kill, _port, _start

ADMIN = ("werksessie@example.org", "werksessie-wachtwoord")
MARK = re.compile(r"M(\d+)x(\d+)Z")


def _csrf(text: str) -> str:
    found = re.search(r'data-csrf="([^"]+)"', text) or re.search(
        r'name="csrf" value="([^"]+)"', text
    )
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


async def _stream(
    client: httpx.AsyncClient, url: str, seen: dict[tuple[int, int], float], ready: asyncio.Event
) -> None:
    async with client.stream("GET", url, timeout=None) as response:
        ready.set()
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "inhoud":
                now = time.perf_counter()
                html = json.loads(line[5:])["html"]
                for a, b in MARK.findall(html):
                    seen.setdefault((int(a), int(b)), now)


async def _scenario(
    base: str, participants: int, posts_each: int, think_s: float, settle_s: float
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=4)
    async with httpx.AsyncClient(base_url=base, follow_redirects=True) as lead:
        token = _csrf((await lead.get("/login")).text)
        await lead.post("/login", data={"email": ADMIN[0], "password": ADMIN[1], "csrf": token})
        csrf = _csrf((await lead.get("/beheer/sessies")).text)
        r = await lead.post(
            "/beheer/sessies",
            data={"csrf": csrf, "title": "Belasting", "forms": ["kennismakingsronde"]},
        )
        code = str(r.url).split("/")[-2]
        page = r.text
        step = int(re.findall(r'/leiden/stap/(\d+)"', page)[1])  # "Wat betekent gezondheid…"
        people = []
        for n in range(participants):
            client = httpx.AsyncClient(base_url=base, follow_redirects=True, limits=limits)
            joined = await client.post(f"/sessie/{code}/meedoen", data={"name": f"Deelnemer {n}"})
            people.append((client, _csrf(joined.text)))
        await lead.post(f"/sessie/{code}/leiden/stap/{step}", data={"csrf": csrf, "state": "open"})
        seq_page = (await people[0][0].get(f"/sessie/{code}")).text
        na = re.search(r"live\?na=(\d+)", seq_page)
        url = f"/sessie/{code}/live?na={na.group(1) if na else 0}"

        seen: list[dict[tuple[int, int], float]] = [{} for _ in people]
        readies = [asyncio.Event() for _ in people]
        streams = [
            asyncio.create_task(_stream(c, url, seen[i], readies[i]))
            for i, (c, _) in enumerate(people)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
        sent: dict[tuple[int, int], float] = {}
        failed = 0
        rng = random.Random(8)

        async def poster(i: int, client: httpx.AsyncClient, token: str) -> None:
            nonlocal failed
            for k in range(posts_each):
                await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
                sent[(i, k)] = time.perf_counter()
                r = await client.post(
                    f"/sessie/{code}/stap/{step}/invoer",
                    data={"csrf": token, "text": f"idee M{i}x{k}Z", "category": "Meedoen"},
                    headers={"X-Live": "1"},
                )
                if r.status_code != 204:
                    failed += 1
                    sent.pop((i, k))

        started = time.perf_counter()
        await asyncio.gather(*(poster(i, c, t) for i, (c, t) in enumerate(people)))
        posting_s = time.perf_counter() - started
        deadline = time.perf_counter() + settle_s
        while time.perf_counter() < deadline:
            if all(len(s) >= len(sent) for s in seen):
                break
            await asyncio.sleep(0.1)
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
        for client, _ in people:
            await client.aclose()
    latencies = [(s[key] - t) * 1000 for s in seen for key, t in sent.items() if key in s]
    lost = sum(1 for s in seen for key in sent if key not in s)
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return {
        "participants": participants,
        "streams": len(people),
        "posts": len(sent),
        "failed": failed,
        "posts_per_s": len(sent) / posting_s if posting_s else 0.0,
        "pairs": len(sent) * len(people),
        "lost": lost,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] if latencies else 0.0,
    }


def run_workshop_load(
    participants: int = 50,
    posts_each: int = 10,
    think_s: float = 1.0,
    workers: int = 1,
    db_url: str | None = None,
    settle_s: float = 15.0,
    batch_s: float = 0.15,
) -> dict[str, Any]:
    """Start a server, run the scenario (module docstring), stop the server; the figures.

    ``batch_s`` is the server's ``GEZONDEWIJK_LIVE_BATCH_S`` (``0``: one update per change).
    """
    with tempfile.TemporaryDirectory() as folder:
        url = db_url or f"sqlite:///{Path(folder) / 'werksessie.db'}"
        port = _port()
        extra = {
            "GEZONDEWIJK_ADMIN_EMAIL": ADMIN[0],
            "GEZONDEWIJK_ADMIN_PASSWORD": ADMIN[1],
            "GEZONDEWIJK_LIVE_BATCH_S": str(batch_s),
            # every participant joins from 127.0.0.1 here; the per-address join limit (12 a
            # minute: one room behind one router) would turn the 13th away
            "GEZONDEWIJK_JOINS_PER_MINUTE": str(max(12, 2 * participants)),
        }
        server = _start(url, port, workers, extra)
        try:
            result = asyncio.run(
                _scenario(f"http://127.0.0.1:{port}", participants, posts_each, think_s, settle_s)
            )
        finally:
            _kill(server)
    return {"workers": workers, "batch_s": batch_s, "database": url.split(":", 1)[0], **result}


def main() -> int:
    """Command line: print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=float, default=0.15, help="GEZONDEWIJK_LIVE_BATCH_S")
    args = parser.parse_args()
    result = run_workshop_load(
        args.participants, args.posts, args.think, args.workers, batch_s=args.batch
    )
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

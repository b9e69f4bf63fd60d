"""Load on ``mtqa serve``: latency, throughput and errors under concurrent clients, with hostile
requests mixed in.

    python benchmarks/serve_load.py                       # 500 checks, 8 clients, model on
    python benchmarks/serve_load.py --distinct            # every request a different article
    python benchmarks/serve_load.py --no-model --requests 1000

It starts the server on a free 127.0.0.1 port, waits until it is ready, then sends
``--requests`` LanguageTool checks (``POST /v2/check``) of a ~5,000-character French article
from ``--clients`` concurrent clients. Mixed in with them: oversized bodies (2 MB), binary
bodies, empty texts, and ``--slow`` clients that open a connection and dribble a body one byte
a second. Each hostile request must get its 4xx answer; the good ones must get 200. It prints
p50/p95/max latency of the good checks, their throughput, and every error.

The article is built from the shared devset's clean French (sentences written for that set),
so no third-party text is used. Without ``--distinct`` every request sends the same article,
as an editor's client re-sending a document does, and the server's result cache answers the
repeats; ``--distinct`` shuffles the sentences per request (seeded), so every check is computed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

CLEAN = Path(__file__).resolve().parents[2] / "shared" / "devset" / "clean_fr.txt"
TARGET_CHARS = 5000


def article(seed: int | None) -> str:
    sentences = [s.strip() for s in CLEAN.read_text(encoding="utf-8").splitlines() if s.strip()]
    if seed is not None:
        random.Random(seed).shuffle(sentences)
    out: list[str] = []
    while sum(len(s) + 1 for s in out) < TARGET_CHARS:
        out.append(sentences[len(out) % len(sentences)])
    paragraphs = [" ".join(out[i : i + 4]) for i in range(0, len(out), 4)]
    return "\n\n".join(paragraphs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def good_check(client: httpx.AsyncClient, text: str, latencies: list[float], errors: list[str]) -> None:
    t0 = time.perf_counter()
    try:
        r = await client.post("/v2/check", data={"text": text, "language": "fr"}, timeout=120)
    except httpx.HTTPError as e:
        errors.append(f"check: {type(e).__name__}")
        return
    latencies.append(time.perf_counter() - t0)
    if r.status_code != 200 or "matches" not in r.json():
        errors.append(f"check: HTTP {r.status_code}")


async def hostile(client: httpx.AsyncClient, kind: str, errors: list[str], counts: dict[str, int]) -> None:
    if kind == "oversized":
        request = client.post("/v2/check", data={"text": "é" * 1_000_000, "language": "fr"}, timeout=60)
        expected = {413}
    elif kind == "binary":
        request = client.post(
            "/v2/check",
            content=os.urandom(50_000),
            headers={"content-type": "application/octet-stream"},
            timeout=60,
        )
        expected = {415}
    else:  # empty text: a valid request with nothing to check
        request = client.post("/v2/check", data={"text": "", "language": "fr"}, timeout=60)
        expected = {200}
    try:
        r = await request
    except httpx.HTTPError as e:
        errors.append(f"{kind}: {type(e).__name__}")
        return
    counts[kind] = counts.get(kind, 0) + 1
    if r.status_code not in expected:
        errors.append(f"{kind}: HTTP {r.status_code}, expected {sorted(expected)}")


async def slow_client(port: int, errors: list[str], counts: dict[str, int]) -> None:
    """Declares a 1,000-byte body and sends a byte a second: the server must answer 408 (or
    close) without holding a check slot."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /v2/check HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
        )
        await writer.drain()
        answer = b""
        for _ in range(30):
            try:
                answer = await asyncio.wait_for(reader.read(200), timeout=1.0)
            except TimeoutError:
                writer.write(b"t")
                await writer.drain()
                continue
            break
        writer.close()
    except OSError as e:
        errors.append(f"slow client: {type(e).__name__}")
        return
    counts["slow"] = counts.get("slow", 0) + 1
    if not answer.startswith(b"HTTP/1.1 408"):
        errors.append(f"slow client: {answer[:20]!r}, expected HTTP 408")


async def run(args: argparse.Namespace, port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    texts = [article(i if args.distinct else None) for i in range(args.requests if args.distinct else 1)]
    latencies: list[float] = []
    errors: list[str] = []
    counts: dict[str, int] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(args.requests):
        queue.put_nowait(texts[i % len(texts)])
    limits = httpx.Limits(max_connections=args.clients + 8)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                text = queue.get_nowait()
                await good_check(client, text, latencies, errors)

        t0 = time.perf_counter()
        slow = [asyncio.create_task(slow_client(port, errors, counts)) for _ in range(args.slow)]
        bad = [
            asyncio.create_task(hostile(client, kind, errors, counts))
            for kind in ("oversized", "binary", "empty")
            for _ in range(args.hostile)
        ]
        await asyncio.gather(*(worker() for _ in range(args.clients)))
        wall = time.perf_counter() - t0
        await asyncio.gather(*bad, *slow)
        alive = (await client.get("/health")).status_code == 200
    latencies.sort()
    chars = len(texts[0])
    model = "off" if args.no_model else "on"
    print(f"mtqa serve load · {platform.machine()}, {os.cpu_count()} cores · model {model}")
    mode = "distinct articles" if args.distinct else "the same article (cache answers repeats)"
    print(f"{args.requests} checks of ~{chars:,} chars, {args.clients} concurrent clients, {mode}")
    print(
        f"  latency p50 {1000 * statistics.median(latencies):.0f} ms · p95 "
        f"{1000 * latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms · max {1000 * latencies[-1]:.0f} ms"
    )
    rate = len(latencies) / wall
    print(f"  throughput {rate:.1f} checks/s ({rate * chars / 1000:.0f}k chars/s)")
    hostile_line = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("oversized", "binary", "empty", "slow"))
    print(f"  hostile requests answered: {hostile_line}")
    print(f"  errors: {len(errors)}" + (f" ({'; '.join(sorted(set(errors))[:5])})" if errors else ""))
    print(f"  server up afterwards: {'yes' if alive else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--hostile", type=int, default=10, help="of each kind: oversized, binary, empty")
    parser.add_argument("--slow", type=int, default=50, help="clients that dribble their body")
    parser.add_argument("--distinct", action="store_true", help="a different article per request")
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    port = free_port()
    cmd = [sys.executable, "-m", "mtqa", "serve", "--port", str(port), "--workers", str(args.workers)]
    server = subprocess.Popen([*cmd, *(["--no-model"] if args.no_model else [])], stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        asyncio.run(run(args, port))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

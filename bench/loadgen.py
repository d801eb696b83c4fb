"""A small HTTP load generator (aiohttp), for machines without `wrk`: run as its own process.

    python -m bench.loadgen URL --body '{"domain": "example.com"}' --concurrency 64 --duration 5

Keeps `concurrency` requests in flight for `duration` seconds (then stops by itself) and prints
one JSON object: requests, errors, seconds, requests_per_s, p50_ms, p99_ms.
"""

import argparse
import asyncio
import json
import time

import aiohttp

from bench.common import percentile


async def _load(url: str, body: bytes, concurrency: int, duration_s: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        deadline = started + duration_s

        async def one_connection() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        if response.status != 200:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(one_connection() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors, "seconds": seconds,
            "requests_per_s": len(latencies) / seconds, "p50_ms": percentile(latencies, 50) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000}


def main() -> None:
    """Parse the arguments, load the URL, print the JSON summary."""
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen", description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--body", default="{}")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    result = asyncio.run(_load(args.url, args.body.encode(), args.concurrency, args.duration))
    print(json.dumps(result))


if __name__ == "__main__":
    main()

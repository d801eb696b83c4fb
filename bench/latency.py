"""Check latency: cached hits under load beside a bare Litestar endpoint, and uncached quick scans.

The gateway (uvicorn, as `backlinks gateway` runs it) and a bare Litestar app returning the
very bytes of the cached answer from memory are served from threads of this process; the load
comes from a separate process: `wrk` (one thread) when installed, else `bench.loadgen` (aiohttp).
Both endpoints get the same request, connections and duration, alternately, `--repeats` times;
medians reported. Then a worker process answers uncached quick scans (`refresh: true`) of
targets with 1,000 and 10,000 referring pages in a generated index (bench.corpus).

    python -m bench.latency            # 64 connections, 10 s per run, 3 runs; 10,000-page index
    python -m bench.latency --quick    # 2 s runs, targets of 20 and 200 pages
"""

import argparse
import asyncio
import contextlib
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from litestar import Litestar, Request, Response, post

from backlinks.stack import free_port
from bench.common import REPO, Options, Report, Table, Target, fmt, main, median, percentile, private_redis
from bench.corpus import Corpus, write_pages
from bench.system import Workers, bench_settings, gateway
from storage.client import async_client

CHECK_PATH = "/api/v1/backlinks/check"


def bare_app(answer: bytes) -> Litestar:
    """The framework's floor: the same route answering the same JSON bytes from memory."""

    @post(CHECK_PATH, status_code=200)
    async def check(request: Request[Any, Any, Any]) -> Response[bytes]:
        await request.body()
        return Response(answer, media_type="application/json")

    return Litestar(route_handlers=[check])


@contextlib.contextmanager
def serve(app: Litestar) -> Iterator[str]:
    """`app` served by uvicorn (same settings as the gateway's thread) on a free port."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="bare-litestar", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the bare app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


# -- load ----------------------------------------------------------------------------------------
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def load_wrk(url: str, body: str, connections: int, seconds: float) -> dict[str, float]:
    """One wrk run (1 thread); requests/s, p50/p99 ms, errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                     'wrk.headers["Content-Type"] = "application/json"\n')
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
                              "-s", script.name, url], capture_output=True, text=True, check=True,
                             timeout=seconds + 60).stdout
    finally:
        Path(script.name).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    return {"requests_per_s": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors}


def load_aiohttp(url: str, body: str, connections: int, seconds: float) -> dict[str, float]:
    """One run of bench.loadgen in its own process."""
    out = subprocess.run([sys.executable, "-m", "bench.loadgen", url, "--body", body, "--concurrency",
                          str(connections), "--duration", str(seconds)], capture_output=True, text=True,
                         check=True, cwd=REPO, timeout=seconds + 60).stdout
    result: dict[str, float] = json.loads(out)
    return result


# -- the run -------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of this benchmark."""
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=None, help="per load run (default 10, quick 2)")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "aiohttp"], default="auto")
    parser.add_argument("--redis-url", default=None)


def _populate(url: str, namespace: str, pages: int, plants: dict[str, int]) -> int:
    async def go() -> int:
        client = async_client(url)
        try:
            return await write_pages(client, namespace, Corpus(seed=11).pages(pages, plants=plants))
        finally:
            await client.aclose()

    return asyncio.run(go())


def run(options: Options) -> Report:
    """Cached hits under load (gateway vs bare), then uncached quick scans."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    extra = options.extra
    seconds = extra.seconds or (2.0 if options.quick else 10.0)
    repeats = 1 if options.quick else min(options.repeats, 3)
    scan_repeats = 1 if options.quick else options.repeats
    sizes = [20, 200] if options.quick else [1_000, 10_000]
    cached_size = 10 if options.quick else 100
    use_wrk = extra.loadgen == "wrk" or (extra.loadgen == "auto" and shutil.which("wrk") is not None)
    load = load_wrk if use_wrk else load_aiohttp
    targets = {f"t{n}-target.com": n for n in [cached_size, *sizes]}
    report = Report("latency", "")
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as folder, private_redis(extra.redis_url) as url:
        settings = bench_settings(url, folder, worker_queues=["scans"], result_cache_ttl_s=86_400)
        links = _populate(url, settings.namespace, max(sizes), targets)
        report.params = {"index": f"{max(sizes):,} generated pages, {links:,} links",
                         "load": f"{'wrk' if use_wrk else 'bench.loadgen (aiohttp)'}, {extra.connections} "
                                 f"connections, {seconds:g} s per run, {repeats} runs per endpoint"}
        if not use_wrk:
            report.skipped.append("wrk not installed: the aiohttp load generator (slower client) was used")
        cached_domain = f"t{cached_size}-target.com"
        scans: dict[str, list[tuple[float, dict[str, float], int, int]]] = {}
        with Workers(settings) as workers, gateway(settings) as base, httpx.Client(base_url=base, timeout=120) as http:
            workers.add()
            first = http.post(CHECK_PATH, json={"domain": cached_domain, "wait": 60})
            first.raise_for_status()
            body = json.dumps({"domain": cached_domain})
            answer = http.post(CHECK_PATH, content=body, headers={"Content-Type": "application/json"})
            if not answer.json().get("cached"):
                raise RuntimeError(f"the check of {cached_domain} was not answered from the cache")
            runs: dict[str, list[dict[str, float]]] = {"gateway": [], "bare": []}
            with serve(bare_app(answer.content)) as bare:
                for _ in range(repeats):
                    runs["gateway"].append(load(base + CHECK_PATH, body, extra.connections, seconds))
                    runs["bare"].append(load(bare + CHECK_PATH, body, extra.connections, seconds))
            for domain, pages in targets.items():
                if pages == cached_size:
                    continue
                scans[domain] = []
                for attempt in range(scan_repeats + (0 if options.quick else 1)):
                    started = time.perf_counter()
                    response = http.post(CHECK_PATH, json={"domain": domain, "refresh": True, "wait": 60,
                                                           "debug": True})
                    wall = time.perf_counter() - started
                    response.raise_for_status()
                    result = response.json()
                    if attempt or options.quick:  # the first is a warm-up
                        timings = (result.get("diagnostics") or {}).get("timings_ms", {})
                        scans[domain].append((wall, timings, len(result["results"]), len(response.content)))
        hits = Table(f"Cached hits: POST {CHECK_PATH} under load ({len(answer.content):,}-byte answer, "
                     f"{cached_size} rows)", ["server", "requests/s", "p50 ms", "p99 ms", "errors", "vs bare"])
        bare_rps = median([r["requests_per_s"] for r in runs["bare"]])
        for name, label in (("gateway", "gateway (cache hit: caller, quota, one Redis MGET)"),
                            ("bare", "bare Litestar (same JSON from memory)")):
            rps = median([r["requests_per_s"] for r in runs[name]])
            hits.add(label, fmt(rps), fmt(median([r["p50_ms"] for r in runs[name]]), 2),
                     fmt(median([r["p99_ms"] for r in runs[name]]), 2), int(sum(r["errors"] for r in runs[name])),
                     f"{rps / bare_rps:.2f}x")
        hits.limits = (
            "One uvicorn process on one core serves each (the load generator has the other core, shared "
            "with redis-server). The bare endpoint is Litestar's routing and response cycle alone; a cached "
            "hit adds the caller's identity (session cookie or API key), strict decoding of the request "
            "body, target validation (memoised) and one Redis round trip (MGET of the stored answer and "
            "the caller's quota counter); the stored answer is sent as its bytes, never decoded. The "
            "answer and quota headers are the same as a fresh check's.")
        quick = Table("Uncached quick scans (refresh: true; index source, scoring, store)",
                      ["target", "referring pages", "rows", "p50 ms (client)", "max ms", "worker discover ms",
                       "worker total ms", "answer MB"])
        for domain, samples in scans.items():
            walls = [s[0] * 1000 for s in samples]
            quick.add(domain, fmt(targets[domain]), fmt(samples[0][2]), fmt(percentile(walls, 50), 1),
                      fmt(max(walls), 1), fmt(median([s[1].get("discover", 0) for s in samples]), 1),
                      fmt(median([s[1].get("total", 0) for s in samples]), 1), fmt(samples[0][3] / 1e6, 2))
        quick.limits = (
            "A quick scan reads the target's hosts and the union of their page sets, fetches every "
            "referring page's record (MGET in chunks of 500) and decodes it whole (about 30 links each), "
            "builds and scores one row per page, then stores job, cache and snapshot in one transaction; "
            "the client also waits for the job through the broker and receives the full JSON. All of it "
            "grows linearly with the referring pages.")
        report.tables += [hits, quick]
        gateway_rps = median([r["requests_per_s"] for r in runs["gateway"]])
        report.targets.append(Target("cached-hit throughput vs bare Litestar (at least half)", gateway_rps / bare_rps,
                                     0.5, f"gateway {fmt(gateway_rps)} / bare {fmt(bare_rps)} requests/s"))
    return report


if __name__ == "__main__":
    raise SystemExit(main("latency", __doc__ or "", run, add_arguments))

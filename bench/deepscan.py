"""Deep scan: pages/s fetching referring pages from a loopback server with a fixed delay.

The index holds 2,000 pages (on 200 hosts, 10 each) linking to one target; a separate process
(bench.webserver) serves every one of them after 50 ms. A check with `deep_scan: true` and
`refresh: true` (no page cache) then fetches and re-reads all of them through the real path:
gateway -> broker -> worker process -> fetcher (robots.txt, host slots in Redis, guarded
connections) -> extraction -> rows. Run at several `fetch_concurrency` settings to show the
concurrency at work; the ideal is concurrency / delay pages/s.

    python -m bench.deepscan            # 2,000 pages, concurrency 8, 16 (default), 64; 3 runs each
    python -m bench.deepscan --quick    # 100 pages, concurrency 16, 1 run
"""

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time

import httpx

from bench.common import REPO, Options, Report, Table, fmt, main, median, private_redis
from bench.corpus import DATE
from bench.system import Workers, bench_settings, gateway
from contracts.index import IndexedLink, PageRecord
from storage.client import async_client
from storage.index import IndexWriter
from storage.keys import Keys

TARGET = "deep-target.com"
CHECK_PATH = "/api/v1/backlinks/check"


def referring_url(index: int, hosts: int) -> str:
    """The URL of the index-th referring page."""
    return f"http://site{index % hosts}.bench-web.test/p/{index}"


def _populate(url: str, namespace: str, pages: int, hosts: int) -> None:
    async def go() -> None:
        client = async_client(url)
        writer = IndexWriter(client, Keys(namespace))
        try:
            records = [
                PageRecord(url=referring_url(i, hosts), host=f"site{i % hosts}.bench-web.test", first_seen=DATE,
                           last_seen=DATE, external_links=21,
                           links=[IndexedLink(target_url=f"https://www.{TARGET}/ref/p/{i}", target_host=f"www.{TARGET}",
                                              anchor_text=f"{TARGET} on /p/{i}", first_seen=DATE, last_seen=DATE)])
                for i in range(pages)
            ]
            for start in range(0, pages, 200):
                await writer.write(records[start : start + 200])
        finally:
            await client.aclose()

    asyncio.run(go())


class WebServer:
    """bench.webserver in its own process."""

    def __init__(self, delay_s: float) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bench.webserver", "--delay", str(delay_s),
                                         "--target", TARGET], cwd=REPO, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("port "):
            self.stop()
            raise RuntimeError(f"the loopback web server did not start: {line!r}")
        self.port = int(line.split()[1])

    def stop(self) -> None:
        """Close its standard input (it stops by itself), then make sure."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of this benchmark."""
    parser.add_argument("--pages", type=int, default=None, help="referring pages (default 2,000)")
    parser.add_argument("--delay", type=float, default=0.05, help="server delay per page, seconds")
    parser.add_argument("--concurrency", type=int, nargs="*", default=None, help="fetch_concurrency values")
    parser.add_argument("--redis-url", default=None)


def run(options: Options) -> Report:
    """Deep scans of one target at each concurrency."""
    extra = options.extra
    pages = extra.pages or (100 if options.quick else 2_000)
    hosts = max(1, pages // 10)
    levels = extra.concurrency or ([16] if options.quick else [8, 16, 64])
    runs = 1 if options.quick else min(options.repeats, 3)
    report = Report("deepscan", "", params={"pages": f"{pages:,} on {hosts:,} hosts",
                                            "server delay": f"{extra.delay * 1000:g} ms", "runs": runs})
    table = Table(f"Deep scan of {pages:,} referring pages, {extra.delay * 1000:g} ms server delay",
                  ["fetch_concurrency", "pages/s (fetch phase)", "ideal pages/s", "% of ideal", "scan wall s",
                   "pages fetched", "rows"])
    server = WebServer(extra.delay)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-deep-") as folder, private_redis(extra.redis_url) as url:
            for level in levels:
                settings = bench_settings(url, folder, worker_queues=["scans"], fetch_concurrency=level,
                                          deep_scan_max_pages=pages, fetch_connect_to=[f":80:127.0.0.1:{server.port}"],
                                          fetch_total_timeout_s=30.0, scan_time_limit_s=1800)
                _populate(url, settings.namespace, pages, hosts)
                samples = []
                with Workers(settings) as workers, gateway(settings) as base, \
                        httpx.Client(base_url=base, timeout=1800) as http:
                    workers.add()
                    for _ in range(runs):
                        started = time.perf_counter()
                        response = http.post(CHECK_PATH, json={"domain": TARGET, "deep_scan": True, "refresh": True,
                                                               "wait": 60, "debug": True})
                        if response.status_code == 202:
                            poll_url = response.json()["poll_url"]
                            while response.json().get("status") in ("queued", "running"):
                                time.sleep(0.2)
                                response = http.get(poll_url)
                        wall = time.perf_counter() - started
                        response.raise_for_status()
                        body = response.json()
                        result = body.get("result", body)
                        if result is None:
                            raise RuntimeError(f"the deep scan did not complete: {body.get('status')}: "
                                               f"{body.get('error')}")
                        diag = result.get("diagnostics") or {}
                        fetch_s = (diag.get("timings_ms") or {}).get("fetch", wall * 1000) / 1000
                        samples.append((wall, fetch_s, diag.get("pages_fetched", 0), len(result["results"])))
                fetch_s = median([s[1] for s in samples])
                rate = samples[0][2] / fetch_s if fetch_s else 0.0
                ideal = level / extra.delay
                table.add(level, fmt(rate, 1), fmt(ideal), f"{100 * rate / ideal:.0f}%",
                          fmt(median([s[0] for s in samples]), 2), fmt(samples[0][2]), fmt(samples[0][3]))
    finally:
        server.stop()
    table.limits = (
        "Below the ideal at low concurrency the delay is the limit: each of the N slots waits 50 ms per "
        "page. At higher concurrency the worker's one core becomes the limit: per page it takes a host "
        "slot in Redis, checks robots.txt (cached), opens a connection through the address guard, reads "
        "the body, and parses the page (~15 KB, 40 links) in an executor thread under the GIL.")
    report.tables.append(table)
    return report


if __name__ == "__main__":
    raise SystemExit(main("deepscan", __doc__ or "", run, add_arguments))

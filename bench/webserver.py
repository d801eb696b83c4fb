"""A loopback 'web' for the deep-scan benchmark: any host, every page after a fixed delay.

    python -m bench.webserver --delay 0.05 --target deep-target.com

Listens on 127.0.0.1 (a free port, printed as `port N` once ready) over plain HTTP. `/robots.txt`
is a 404 at once; any other path answers, after `--delay` seconds, a generated article of about
15 KB with 40 links, one of them to `https://www.<target>/` (anchor text naming the path).
Stops on SIGTERM or when its standard input closes.
"""

import argparse
import asyncio
import signal
import sys

from aiohttp import web

_PARAGRAPH = ("<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
              "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris "
              "nisi ut aliquip ex ea commodo consequat; see <a href=\"https://news{n}.example.org/story/{i}\">"
              "story {i}</a> and <a href=\"/p/{i}/related\">related</a>.</p>\n")


def page(path: str, target: str) -> bytes:
    """The article served at `path`."""
    n = sum(path.encode()) % 97
    body = "".join(_PARAGRAPH.format(n=n, i=i) for i in range(19))
    return (f"<!doctype html><html><head><meta charset=utf-8><title>Article {path}</title>"
            f"<link rel=canonical href=\"{path}\"></head><body><nav><a href=\"/\">home</a></nav>"
            f"<article><h1>Article {path}</h1>{body}<p>Our source: <a href=\"https://www.{target}/ref{path}\">"
            f"{target} on {path}</a>.</p></article></body></html>").encode()


async def serve(delay_s: float, target: str) -> None:
    """Serve until SIGTERM or the end of standard input."""

    async def handle(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(status=404, text="no robots.txt")
        await asyncio.sleep(delay_s)
        return web.Response(body=page(request.path, target), content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"port {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    stdin = sys.stdin.buffer
    # The parent closing our stdin is the other way to stop (it may die without sending SIGTERM).
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not stdin.read1(1) else None)  # type: ignore[union-attr]
    await stop.wait()
    await runner.cleanup()


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m bench.webserver", description=__doc__)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--target", default="deep-target.com")
    args = parser.parse_args()
    asyncio.run(serve(args.delay, args.target))


if __name__ == "__main__":
    main()
